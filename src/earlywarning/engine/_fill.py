"""One profile filled in every way at once, as the columns of one block of the kernel.

Private machinery behind :mod:`earlywarning.ranges` and :func:`earlywarning.score`. The block's
first column is the profile as it is, then every missing measure at its best value and at its
worst, then each missing item alone at its best and its worst (the others left missing). So
:func:`earlywarning.score` gets the score, its range and what to collect first from one run of
the kernel, and :func:`earlywarning.ranges.missing_impact` reads the same columns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from earlywarning.engine import space as _space
from earlywarning.engine._kernel import Compiled, Result, compiled, run
from earlywarning.rules import BAND_NAMES, Ruleset

__all__ = [
    "CASELOAD_FIELDS",
    "FillPlan",
    "Impact",
    "exact",
    "fill_block",
    "fill_plan",
    "impact",
    "scored_fills",
]

CASELOAD_FIELDS = ("avg_caseload", "caseload_target")

# Columns of a block before the first missing item's pair: the profile, all best, all worst.
_LEAD = 3


@dataclass(frozen=True)
class FillPlan:
    """What filling in needs from a ruleset, worked out once."""

    # each plain measure a rule reads: its variable, its worst and its best value
    plain: tuple[tuple[str, str, float, float], ...]
    caseload: bool  # whether a rule reads the caseload, its target or the excess
    # the caseload's worst and best value, then its target's
    caseload_ends: tuple[float, float, float, float]
    # each item (a variable some rule reads): its name, and each indicator it feeds as
    # (indicator id, the kernel column of its measure)
    items: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    # each item's name and the indicator it is named by, None when it feeds several (then it
    # is named by one of them without data, which depends on the profile)
    named: tuple[tuple[str, str | None], ...]
    columns: tuple[str, ...]  # the kernel's input columns (see earlywarning.engine._kernel.Plan)
    # (3, M) what each column holds in the three sources of a block: the profile (NaN, so
    # that where a column is missing the profile's NaN is kept), its best, its worst
    sources: np.ndarray
    # (3 + 2I, M) bool: the block columns each missing column makes needed: the first three
    # (the profile, all best, all worst) by any missing column, each item's pair by its own
    needs: np.ndarray
    # (M, 3 + 2I) where each block cell is taken from in the sources (flattened), so that the
    # block is built in the kernel's layout by one take, with no transpose copy
    taken: np.ndarray
    # the rows of the sources holding the caseload and its target, and the caseload against
    # target, as index arrays (empty when no rule reads them)
    caseload_columns: tuple[np.ndarray, np.ndarray, np.ndarray]


# Plans by ruleset identity, each kept beside its ruleset so that the id cannot be reused.
_PLANS: dict[int, tuple[Ruleset, FillPlan]] = {}


def fill_plan(rules: Ruleset) -> FillPlan:
    """The :class:`FillPlan` of ``rules``, built on first use and cached."""
    hit = _PLANS.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    plan = _build(rules)
    if len(_PLANS) >= 16:
        _PLANS.pop(next(iter(_PLANS)))
    _PLANS[id(rules)] = (rules, plan)
    return plan


def _build(rules: Ruleset) -> FillPlan:
    direction = _space.directions(rules)
    comp = compiled(rules)
    used = comp.measures  # every measure a rule reads
    plain = []
    for measure in sorted(used - {_space.CASELOAD_ABOVE, *CASELOAD_FIELDS}):
        variable = _space.VARIABLE_OF.get(measure, measure)
        lo, hi, _ = _space.bounds(variable)
        worse_high = direction.get(measure, 1) > 0
        plain.append((measure, variable, hi if worse_high else lo, lo if worse_high else hi))
    columns = comp.plan().measures
    where = {ind.id: j for j, ind in enumerate(rules.indicators)}
    items, fed, fills = [], [], []
    for variable in _space.variables(rules):
        reads = {m for m in _space.measures_fed(variable) if m in used}
        inds = tuple((i.id, where[i.id]) for i in _space.indicators_fed(rules, variable))
        items.append((variable, inds))
        fed.append([m in reads for m in columns])
        fills.append([m in _item_measures(variable) for m in columns])
    ends = {m: (worst, best) for m, _, worst, best in plain}

    def at(name: str) -> np.ndarray:
        return np.array([j for j, m in enumerate(columns) if m == name], dtype=np.intp)

    return FillPlan(
        plain=tuple(plain),
        caseload=bool(used & {_space.CASELOAD_ABOVE, *CASELOAD_FIELDS}),
        caseload_ends=_caseload_ends(direction),
        items=tuple(items),
        named=tuple((v, inds[0][0] if len(inds) == 1 else None) for v, inds in items),
        columns=columns,
        **_layout(
            np.array(
                [[ends.get(m, (math.nan, math.nan))[side] for m in columns] for side in (1, 0)]
            ),
            np.array(fed, dtype=bool).reshape(len(items), len(columns)),
            np.array(fills, dtype=bool).reshape(len(items), len(columns)),
        ),
        caseload_columns=(at("avg_caseload"), at("caseload_target"), at(_space.CASELOAD_ABOVE)),
    )


def _layout(ends: np.ndarray, fed: np.ndarray, fills: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays a block is built from: ``ends`` (2, M) is each column's best value then its
    worst, ``fed`` (I, M) the columns each item's missing data is read from and ``fills``
    (I, M) the columns filled when the item alone is filled."""
    n_items, m = fills.shape
    sources = np.vstack([np.full(m, math.nan), ends])
    needs = np.vstack([np.ones((_LEAD, m), dtype=bool), np.repeat(fed, 2, axis=0)])
    # the source of each block column: the profile, best, worst, then per item its columns
    # at best (1) and at worst (2) and the rest as given (0)
    source = np.empty((_LEAD + 2 * n_items, m), dtype=np.intp)
    source[:_LEAD] = np.arange(_LEAD)[:, None]
    source[_LEAD::2] = fills
    source[_LEAD + 1 :: 2] = 2 * fills
    taken = np.ascontiguousarray((source * m + np.arange(m)).T)
    return {"sources": sources, "needs": needs, "taken": taken}


def _caseload_ends(direction: dict[str, int]) -> tuple[float, float, float, float]:
    above_dir = direction.get(_space.CASELOAD_ABOVE, direction.get("avg_caseload", 1))
    ends: list[float] = []
    for name in CASELOAD_FIELDS:
        default = above_dir if name == "avg_caseload" else -above_dir
        lo, hi, _ = _space.bounds(name)
        ends += [hi, lo] if direction.get(name, default) > 0 else [lo, hi]
    return ends[0], ends[1], ends[2], ends[3]


def _item_measures(variable: str) -> tuple[str, ...]:
    """The measures filled with one missing item: the caseload and its target go together."""
    if variable in CASELOAD_FIELDS:
        return (*CASELOAD_FIELDS, _space.CASELOAD_ABOVE)
    return _space.measures_fed(variable)


def fill_block(
    plan: FillPlan, row: Sequence[float], known: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """The block of one profile filled every way (see the module), laid out as the kernel
    wants it (a row per column of ``plan.columns``, a column per way), and the items filled
    alone, in ruleset order.

    ``row`` holds the profile's value of each of ``plan.columns``, NaN where missing, and
    ``known`` its measures that have data (a rule may read the caseload against target but not
    the caseload or the target themselves, which are still what it is derived from).
    """
    x = np.array(row, dtype=float)
    missing = np.isnan(x)
    # the three sources (the profile, all best, all worst), each a row of M columns
    sources = np.where(missing, plan.sources, x)
    if plan.caseload:
        _fill_caseload(plan, known, sources)
    # a bool product: the block columns with a column both read and missing
    needed = plan.needs @ missing
    if not needed[0]:  # nothing missing: the profile three times, as every fill leaves it
        needed[:_LEAD] = True
    # the block, a row per column and a column per way, as the kernel wants it
    block = sources.take(plan.taken.compress(needed, axis=1))
    return block, needed[_LEAD::2].nonzero()[0]  # the method: np.flatnonzero wraps it in Python


def _fill_caseload(plan: FillPlan, known: Mapping[str, float], sources: np.ndarray) -> None:
    """Fill the caseload and its target as fields, then derive the caseload against target
    from the filled pair, so every filled row is what some profile would give."""
    nan = math.nan
    avg = known.get("avg_caseload", nan)
    target = known.get("caseload_target", nan)
    above = known.get(_space.CASELOAD_ABOVE, nan)
    if avg == avg and target == target and above == above:
        return  # all known: nothing to fill
    avg_at, target_at, above_at = plan.caseload_columns
    avg_worst, avg_best, target_worst, target_best = plan.caseload_ends
    for side, (avg_end, target_end) in enumerate(
        ((avg_best, target_best), (avg_worst, target_worst)), start=1
    ):
        a = avg_end if avg != avg else avg
        t = target_end if target != target else target
        sources[side, avg_at] = a
        sources[side, target_at] = t
        if above != above:
            # as measure_values derives it; a target just above 0 overflows to inf, the top
            # level of any rule (float division overflows without raising)
            sources[side, above_at] = (a / t - 1.0) * 100.0


class Impact(NamedTuple):
    """What a block's scores say: the range, and each missing item's own reach."""

    low: float
    high: float
    band_low: int
    band_high: int
    # per item filled alone, ranked by the bands it could move then the points (ties in
    # ruleset order): (variable, indicator, score_min, score_max, band_min, band_max)
    rows: list[tuple[Any, ...]]

    @property
    def collect_first(self) -> list[str]:
        """The indicators of the items that could move the score, biggest effect first."""
        return [r[1] for r in self.rows if r[2] != r[3] or r[4] != r[5]]

    def fields(self) -> dict[str, Any]:
        """The Assessment's ``score_range``, ``band_range`` and ``collect_first``."""
        return {
            "score_range": (self.low, self.high),
            "band_range": (BAND_NAMES[self.band_low], BAND_NAMES[self.band_high]),
            "collect_first": self.collect_first,
        }


def impact(
    plan: FillPlan, row: Sequence[float], chosen: np.ndarray, score: list[float], band: list[int]
) -> Impact:
    """Read the scores and bands of a :func:`fill_block` block (as lists, one per column)."""
    named, items = plan.named, plan.items
    rows = []
    for item, lo, hi, b_lo, b_hi in zip(
        chosen.tolist(),
        score[_LEAD::2],
        score[_LEAD + 1 :: 2],
        band[_LEAD::2],
        band[_LEAD + 1 :: 2],
        strict=True,
    ):
        variable, first = named[item]
        if first is None:
            # name it by a rule it feeds that has no data (the caseload may be known, its
            # target not)
            first = next(r for r, j in items[item][1] if row[j] != row[j])
        rows.append((variable, first, lo, hi, b_lo, b_hi))
    # by the bands it could move, then the points; the sort is stable, so ties keep ruleset
    # order
    rows.sort(key=_reach)
    return Impact(score[1], score[2], band[1], band[2], rows)


def _reach(row: tuple[Any, ...]) -> tuple[int, float]:
    return row[4] - row[5], row[2] - row[3]


def scored_fills(
    comp: Compiled, row: Sequence[float], known: Mapping[str, float]
) -> tuple[Result, Impact]:
    """One profile filled in every way (:func:`fill_block`) and scored in one run of the
    kernel: the result, whose first column is the profile as it is, and what it says."""
    plan = fill_plan(comp.rules)
    block, chosen = fill_block(plan, row, known)
    r = run(comp, comp.plan(), block)
    return r, impact(plan, row, chosen, r.score.tolist(), r.band.tolist())


def exact(score: float, band: str) -> dict[str, Any]:
    """The Assessment's range fields when every rule has data: nothing is hidden."""
    return {"score_range": (score, score), "band_range": (band, band)}
