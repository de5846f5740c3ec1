"""One profile filled in every way at once, as the columns of one block of the kernel.

Private machinery behind :mod:`earlywarning.ranges` and :func:`earlywarning.score`. The block's
first column is the profile as it is, then every missing measure at its best value and at its
worst, then each missing item alone at its best and its worst (the others left missing). So
:func:`earlywarning.score` gets the score, its range and what to collect first from one run of
the kernel, and :func:`earlywarning.ranges.missing_impact` reads the same columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from earlywarning.engine import space as _space
from earlywarning.engine._kernel import Compiled, Result, compiled, run
from earlywarning.profile import DERIVED, DerivedMeasure
from earlywarning.rules import BAND_NAMES, Ruleset

__all__ = [
    "FROM_FIELDS",
    "DerivedFill",
    "FillPlan",
    "Impact",
    "exact",
    "fill_block",
    "fill_plan",
    "impact",
    "scored_fills",
]

FROM_FIELDS: tuple[DerivedMeasure, ...] = tuple(d for d in DERIVED if not d.given)
"""The derived measures no profile gives (the caseload against target): a missing one is never
filled itself, but its two fields are, and it is derived from them, so that every filled
profile is one that some council could give."""


class DerivedFill(NamedTuple):
    """How filling in treats one of :data:`FROM_FIELDS` that a ruleset reads (or whose fields
    it reads), worked out once per ruleset."""

    name: str
    lever: str
    held: str
    forward: Callable[[Any, Any], Any]
    # the lever's worst and best value, then the held field's
    ends: tuple[float, float, float, float]
    # the rows of a block's sources holding the lever, the held field and the measure, as index
    # arrays (empty where the kernel does not read it)
    at: tuple[np.ndarray, np.ndarray, np.ndarray]


# Columns of a block before the first missing item's pair: the profile, all best, all worst.
_LEAD = 3


@dataclass(frozen=True)
class FillPlan:
    """What filling in needs from a ruleset, worked out once."""

    # each plain measure a rule reads: its variable, its worst and its best value
    plain: tuple[tuple[str, str, float, float], ...]
    # each measure no profile gives that a rule reads, or whose fields a rule reads: filled
    # through its fields
    derived: tuple[DerivedFill, ...]
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
    through = [d for d in FROM_FIELDS if used & {d.name, *d.inputs}]
    plain = _plain(used - _THROUGH_FIELDS, direction)
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
    return FillPlan(
        plain=tuple(plain),
        derived=tuple(_derived_fill(d, direction, columns) for d in through),
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


# the measures filled through two fields, and those fields
_THROUGH_FIELDS = frozenset(n for d in FROM_FIELDS for n in (d.name, *d.inputs))


def _plain(
    measures: frozenset[str], direction: dict[str, int]
) -> list[tuple[str, str, float, float]]:
    """Each measure filled as itself: its variable, its worst and its best value."""
    plain = []
    for measure in sorted(measures):
        variable = _space.VARIABLE_OF.get(measure, measure)
        lo, hi, _ = _space.bounds(variable)
        worse_high = direction.get(measure, 1) > 0
        plain.append((measure, variable, hi if worse_high else lo, lo if worse_high else hi))
    return plain


def _derived_fill(
    d: DerivedMeasure, direction: dict[str, int], columns: tuple[str, ...]
) -> DerivedFill:
    lever, held = d.inputs

    def at(name: str) -> np.ndarray:
        return np.array([j for j, m in enumerate(columns) if m == name], dtype=np.intp)

    return DerivedFill(
        d.name, lever, held, d.forward, _ends(d, direction), (at(lever), at(held), at(d.name))
    )


def _ends(d: DerivedMeasure, direction: dict[str, int]) -> tuple[float, float, float, float]:
    """The worst and best value of the lever, then of the held field: each field is worse the
    way it moves the measure towards worse, unless a rule reads the field itself."""
    own = direction.get(d.name, direction.get(d.lever, 1) * d.lever_sign)
    ends: list[float] = []
    for name in d.inputs:
        lo, hi, _ = _space.bounds(name)
        ends += [hi, lo] if direction.get(name, own * d.rises_with(name)) > 0 else [lo, hi]
    return ends[0], ends[1], ends[2], ends[3]


def _item_measures(variable: str) -> tuple[str, ...]:
    """The measures filled with one missing item: the two fields of a measure no profile gives
    (the caseload and its target) go together, with the measure."""
    for d in FROM_FIELDS:
        if variable in d.inputs:
            return (*d.inputs, d.name)
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
    for d in plan.derived:
        _fill_derived(d, known, sources)
    # a bool product: the block columns with a column both read and missing
    needed = plan.needs @ missing
    if not needed[0]:  # nothing missing: the profile three times, as every fill leaves it
        needed[:_LEAD] = True
    # the block, a row per column and a column per way, as the kernel wants it
    block = sources.take(plan.taken.compress(needed, axis=1))
    return block, needed[_LEAD::2].nonzero()[0]  # the method: np.flatnonzero wraps it in Python


def _fill_derived(d: DerivedFill, known: Mapping[str, float], sources: np.ndarray) -> None:
    """Fill the two fields of a measure no profile gives (the caseload and its target) as
    fields, then derive the measure from the filled pair, so every filled row is what some
    profile would give."""
    nan = math.nan
    lever = known.get(d.lever, nan)
    held = known.get(d.held, nan)
    measure = known.get(d.name, nan)
    if lever == lever and held == held and measure == measure:
        return  # all known: nothing to fill
    lever_at, held_at, measure_at = d.at
    lever_worst, lever_best, held_worst, held_best = d.ends
    for side, (lever_end, held_end) in enumerate(
        ((lever_best, held_best), (lever_worst, held_worst)), start=1
    ):
        a = lever_end if lever != lever else lever
        t = held_end if held != held else held
        sources[side, lever_at] = a
        sources[side, held_at] = t
        if measure != measure:
            # as measure_values derives it; a target just above 0 overflows to inf, the top
            # level of any rule (float division overflows without raising)
            sources[side, measure_at] = d.forward(a, t)


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
