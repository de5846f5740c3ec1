"""The coordinate search behind :func:`earlywarning.fit.fit`: which numbers may move, and how.

Private machinery: :func:`search` and :class:`Move` are public within this module and used by
:mod:`earlywarning.fit`, which turns each move into a :class:`~earlywarning.fit.Change`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from earlywarning.engine import evaluate_columns
from earlywarning.errors import RuleFileError
from earlywarning.metrics import auc
from earlywarning.profile import ProfileColumns
from earlywarning.rules import Ruleset, ruleset_from_data

__all__ = ["Knob", "Move", "auc_of", "search"]

# Two AUCs closer than this are equal (floating-point noise, not a difference in ranking).
_TIE = 1e-12


@dataclass(frozen=True)
class Knob:
    """One number the search may move: a level's ``from`` or ``points``, or a combination's."""

    section: Literal["indicators", "combinations"]
    index: int
    level: int | None
    field: Literal["from", "points"]
    low: float
    high: float
    rule: str


@dataclass(frozen=True)
class Move:
    """One accepted move of the search: the number, its old and new value, the AUC gained."""

    knob: Knob
    old: float
    new: float
    gain: float
    round: int


def _knobs(rules: Ruleset) -> list[Knob]:
    knobs: list[Knob] = []
    for i, ind in enumerate(rules.indicators):
        for j, level in enumerate(ind.levels):
            if level.from_range is not None and j > 0:
                lo, hi = level.from_range
                knobs.append(Knob("indicators", i, j, "from", lo, hi, ind.id))
            if level.points_range is not None:
                lo, hi = level.points_range
                knobs.append(Knob("indicators", i, j, "points", lo, hi, ind.id))
    for i, combo in enumerate(rules.combinations):
        if combo.points_range is not None:
            lo, hi = combo.points_range
            knobs.append(Knob("combinations", i, None, "points", lo, hi, combo.id))
    return knobs


def _grid(low: float, high: float, n: int) -> list[float]:
    """``n`` values from ``low`` to ``high``, rounded to two significant figures of the step."""
    if high <= low or n < 2:
        return [low]
    step = (high - low) / (n - 1)
    decimals = max(0, 1 - math.floor(math.log10(step)))
    values = [round(low + k * step, decimals) for k in range(n)]
    values[0], values[-1] = low, high
    return sorted(set(values))


def _get(data: dict[str, Any], knob: Knob) -> float:
    rule = data[knob.section][knob.index]
    if knob.level is None:
        return float(rule[knob.field])
    return float(rule["levels"][knob.level][knob.field])


def _allowed(data: dict[str, Any], knob: Knob, value: float) -> bool:
    """Whether ``value`` keeps the edges strictly increasing and the points monotone.

    The loader checks this too; checking first saves building candidates it would refuse.
    """
    if knob.level is None:
        return value > 0  # a combination adds risk
    rule = data[knob.section][knob.index]
    levels = rule["levels"]
    j = knob.level
    if knob.field == "from":
        prev_from = levels[j - 1].get("from") if j - 1 >= 1 else None
        next_from = levels[j + 1].get("from") if j + 1 < len(levels) else None
        return (prev_from is None or value > prev_from) and (next_from is None or value < next_from)
    worse_up = rule["direction"] == "higher_is_worse"
    if j > 0:
        prev = levels[j - 1]["points"]
        if (worse_up and value < prev) or (not worse_up and value > prev):
            return False
    if j + 1 < len(levels):
        nxt = levels[j + 1]["points"]
        if (worse_up and value > nxt) or (not worse_up and value < nxt):
            return False
    kind = rule.get("kind", "risk")
    return value >= 0 if kind == "risk" else value <= 0


def _touches(
    data: dict[str, Any],
    knob: Knob,
    old: float,
    value: float,
    values: np.ndarray,
    fires: np.ndarray,
) -> bool:
    """Whether moving ``knob`` from ``old`` to ``value`` changes the points of any row."""
    if knob.section == "combinations":
        return bool(fires[knob.index])
    v = values[:, knob.index]
    if knob.field == "from":
        low, high = min(old, value), max(old, value)
        return bool(((v >= low) & (v < high)).any())
    assert knob.level is not None
    levels = data["indicators"][knob.index]["levels"]
    start = levels[knob.level].get("from", -math.inf) if knob.level > 0 else -math.inf
    end = levels[knob.level + 1]["from"] if knob.level + 1 < len(levels) else math.inf
    return bool(((v >= start) & (v < end)).any())


def _with(data: dict[str, Any], knob: Knob, value: float) -> dict[str, Any]:
    """A copy of ``data`` with one number moved; only the path to it is copied."""
    out = dict(data)
    section = list(out[knob.section])
    rule = dict(section[knob.index])
    if knob.level is None:
        rule[knob.field] = value
    else:
        levels = list(rule["levels"])
        level = dict(levels[knob.level])
        level[knob.field] = value
        levels[knob.level] = level
        if knob.field == "from":
            # the level below ends where this one now starts: no gap, no overlap
            below = dict(levels[knob.level - 1])
            below["below"] = value
            levels[knob.level - 1] = below
        rule["levels"] = levels
    section[knob.index] = rule
    out[knob.section] = section
    return out


def auc_of(rules: Ruleset, cols: ProfileColumns, y: np.ndarray) -> float:
    s = evaluate_columns(cols, rules).score
    keep = ~np.isnan(s)
    if y[keep].all() or not y[keep].any():
        return math.nan
    return auc(s[keep], y[keep])


@dataclass(frozen=True)
class _Problem:
    """What every candidate of one search is scored on: it never changes during the search.

    The profiles are checked once, and every candidate ruleset is evaluated on the same columns.
    """

    cols: ProfileColumns
    y: np.ndarray
    values: np.ndarray
    fires: np.ndarray
    grid_points: int


def _best_move(
    problem: _Problem, data: dict[str, Any], knob: Knob, score: float
) -> tuple[float, float, dict[str, Any], Ruleset] | None:
    """The value of ``knob`` that gains most AUC (the smallest move among equals), if any."""
    old = _get(data, knob)
    best: tuple[float, float, dict[str, Any], Ruleset] | None = None
    for value in _grid(knob.low, knob.high, problem.grid_points):
        if value == old or not _allowed(data, knob, value):
            continue
        if not _touches(data, knob, old, value, problem.values, problem.fires):
            continue  # no row changes level or points, so the AUC cannot change
        candidate_data = _with(data, knob, value)
        try:
            candidate = ruleset_from_data(candidate_data, "<fit>")
        except RuleFileError:
            continue
        gain = auc_of(candidate, problem.cols, problem.y) - score
        if (
            best is None
            or gain > best[0] + _TIE
            or (gain >= best[0] - _TIE and abs(value - old) < abs(best[1] - old))
        ):
            best = (gain, value, candidate_data, candidate)
    return best


def search(
    start: Ruleset,
    cols: ProfileColumns,
    y: np.ndarray,
    max_rounds: int,
    grid_points: int,
    min_gain: float,
    seed: int | None,
) -> tuple[Ruleset, float, float, list[Move], int]:
    first = evaluate_columns(cols, start)
    keep = ~np.isnan(first.score)
    rows_used = int(keep.sum())
    problem = _Problem(
        cols,
        y,
        np.column_stack([cols.measures[ind.measure] for ind in start.indicators]),
        (first.points[:, len(start.indicators) :] != 0).any(axis=0),
        grid_points,
    )
    before = auc(first.score[keep], y[keep]) if y[keep].any() and not y[keep].all() else math.nan
    changes: list[Move] = []
    if math.isnan(before):
        return start, before, before, changes, rows_used
    current, data, score = start, start.to_data(), before
    knobs = _knobs(start)
    rng = np.random.default_rng(seed) if seed is not None else None
    for round_no in range(1, max_rounds + 1):
        moved = False
        order = rng.permutation(len(knobs)) if rng is not None else range(len(knobs))
        for k in order:
            knob = knobs[int(k)]
            old = _get(data, knob)
            best = _best_move(problem, data, knob, score)
            if best is not None and best[0] > min_gain:
                gain, value, data, current = best
                score += gain
                changes.append(Move(knob, old, value, gain, round_no))
                moved = True
        if not moved:
            break
    return current, before, auc_of(current, cols, y), changes, rows_used
