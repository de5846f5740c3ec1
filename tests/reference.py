"""A slow, obviously correct evaluation of one profile, to check the fast kernel against.

It reads the :class:`~earlywarning.rules.Ruleset` models directly and loops over the rules one
by one, in plain Python floats, as a person would score a profile by hand. It shares no code
with the engine: if the two agree on random rulesets and profiles, the kernel's arrays, integer
points, matrices and pattern grouping are a faithful compilation of the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from earlywarning.rules import BAND_NAMES, Condition, Ruleset


@dataclass
class Expected:
    """What the rules say about one profile."""

    score: float
    band: str
    band_from_score: str
    coverage: float
    levels: dict[str, int] = field(default_factory=dict)  # indicator id -> level, -1 no data
    points: dict[str, float] = field(default_factory=dict)  # every rule id -> points
    red_flags: dict[str, str] = field(default_factory=dict)  # rule id -> band it flags
    reasons: list[str] = field(default_factory=list)


def _known(measures: dict[str, float], name: str) -> float | None:
    v = measures.get(name)
    return None if v is None or math.isnan(v) else v


def _holds(cond: Condition, measures: dict[str, float]) -> bool:
    v = _known(measures, cond.measure)
    if v is None:
        return False
    if cond.from_ is not None:
        return v >= cond.from_
    assert cond.below is not None
    return v < cond.below


def evaluate(rules: Ruleset, measures: dict[str, float]) -> Expected:
    """Score one profile's measures (NaN or absent where missing) by the rules, one at a time."""
    levels: dict[str, int] = {}
    points: dict[str, float] = {}
    flags: dict[str, str] = {}
    weight = 0.0
    for ind in rules.indicators:
        v = _known(measures, ind.measure)
        if v is None:
            levels[ind.id] = -1
            points[ind.id] = 0.0
            continue
        for j, level in enumerate(ind.levels):
            # the first level has no 'from' and the last no 'below'
            if (level.from_ is None or v >= level.from_) and (
                level.below is None or v < level.below
            ):
                levels[ind.id] = j
                points[ind.id] = level.points
                if level.red_flag:
                    flags[ind.id] = level.red_flag
        weight += max(abs(lv.points) for lv in ind.levels)
    for combo in rules.combinations:
        fired = all(_holds(c, measures) for c in combo.all or ())
        if combo.any:
            fired = fired and any(_holds(c, measures) for c in combo.any)
        points[combo.id] = combo.points if fired else 0.0
        if fired and combo.red_flag:
            flags[combo.id] = combo.red_flag
    for ind in rules.indicators:
        if ind.kind == "mitigation":
            cap = sum(points[r] for r in ind.offsets)
            points[ind.id] = max(points[ind.id], -cap) + 0.0
    total = sum(points.values())
    score = round(min(max(total, 0.0), 100.0), 6)
    band_from_score = next(
        b.name for b in rules.bands if b.from_ <= score and (b.below is None or score < b.below)
    )
    band = max([band_from_score, *flags.values()], key=BAND_NAMES.index)
    total_weight = sum(max(abs(lv.points) for lv in ind.levels) for ind in rules.indicators)
    order = [r for r in points if points[r] != 0]
    # risks by points, most first; then mitigations, the largest credit first; ties in order
    order.sort(key=lambda r: (0, -points[r]) if points[r] > 0 else (1, points[r]))
    return Expected(
        score=score,
        band=band,
        band_from_score=band_from_score,
        coverage=weight / total_weight if total_weight else 1.0,
        levels=levels,
        points=points,
        red_flags=flags,
        reasons=order,
    )
