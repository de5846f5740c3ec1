"""The evaluation kernel: a ruleset compiled once into stacked arrays, and one pass over them.

Private machinery behind :mod:`earlywarning.engine`. Its names are public within the package
but not exported. A :class:`Compiled` ruleset holds every indicator's level edges padded to one
width, points as integers (hundredths for the usual rulesets), red-flag bands, the combination
conditions as 0/1 matrices and the mitigation caps as an offset matrix, so that evaluating a
block of rows is a fixed, small number of numpy calls whatever the number of rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from earlywarning.rules import BAND_NAMES, Ruleset

__all__ = [
    "BLOCK_ROWS",
    "INT16_MAX",
    "TABLE_BITS",
    "Compiled",
    "Plan",
    "Result",
    "compiled",
    "patterns",
    "run",
    "unscaled",
]

BLOCK_ROWS = 32_768
"""Rows evaluated per pass: large enough that numpy's per-call cost vanishes, small enough that
the temporaries of a pass stay in cache and memory does not grow with the frame."""

TABLE_BITS = 16
"""With up to this many combination conditions, a row's conditions met are one integer code and
the combinations it fires are looked up in a table of every code (2**16 rows at most); with
more, the conditions met are counted by a matrix product."""

# Points are scaled to integers when every number in the ruleset is a whole number of
# hundredths (or of a finer decimal step, up to a millionth), so sums are exact and need no
# rounding; a ruleset with other points is evaluated in floats by the same code.
_SCALES = (100, 1000, 10_000, 100_000, 1_000_000)
INT16_MAX = 32_767
# mixed-radix pattern codes of one group stay below this, so an int64 holds them
_PATTERN_LIMIT = 2**62


@dataclass(frozen=True)
class Plan:
    """The compiled arrays for the indicators whose measures a frame has.

    ``ind`` lists the active indicators (positions in the ruleset); ``conditions`` the
    combination conditions on measures the frame has, those with ``from`` first.
    """

    ind: np.ndarray  # (Ka,) positions of the active indicators in the ruleset
    ind_measures: tuple[str, ...]  # measure of each active indicator
    edges: np.ndarray  # (L-1, Ka) level 'from' edges, +inf past an indicator's last level
    top: np.ndarray  # (Ka,) int8 the last level of each indicator
    base: np.ndarray  # (Ka,) flat offset of each indicator's row in the tables, + 1
    points: np.ndarray  # flat (Ka * (L+1)): column 0 is 'missing'
    flags: np.ndarray  # flat, band index of a red flag or -1
    flagged: np.ndarray  # the active indicators that can raise a red flag
    weights: np.ndarray  # (Ka,) each indicator's weight, scaled like the points
    cond_measures: tuple[str, ...]
    signs: np.ndarray  # (C,) 1 for a 'from' condition, -1 for a 'below' one
    thresholds: np.ndarray  # (C,) what sign * value must reach
    combo_matrix: np.ndarray  # (C, 2J) int16: 'all' memberships then 'any' memberships
    needed: np.ndarray  # (2J,) how many 'all' conditions must hold, then 1 if it has 'any'
    bits: np.ndarray | None  # (C,) 2**i: each row's conditions met as one integer code ...
    fires: np.ndarray | None  # (2**C, J) ... and which combinations each code fires
    columns: np.ndarray  # (Ka+J,) the active columns' places among all K+J columns
    mitigations: np.ndarray  # (Mi,) columns of the active points matrix
    offsets: np.ndarray  # (Ka+J, Mi): 1 where a column's points cap a mitigation
    radix: np.ndarray  # (Ka+J, G) int64 multipliers of the pattern code groups


@dataclass(frozen=True)
class Compiled:
    """A ruleset as arrays, built once per ruleset (see :func:`compiled`)."""

    rules: Ruleset
    scale: int | None  # points are integers of 1/scale; None: points are floats
    dtype: Any  # dtype of the points matrix
    codes: tuple[str, ...]  # reason code per column: indicators, then combinations
    n_levels: int  # L, the most levels of any indicator
    band_edges: np.ndarray
    total_weight: float
    combo_points: np.ndarray  # (J,)
    combo_flags: np.ndarray  # (J,) int8
    content_hash: str
    texts: Any  # the explanation texts of each level (earlywarning.explain.RuleTexts)
    measures: frozenset[str]  # every measure the rules read
    plans: dict[frozenset[str], Plan] = field(default_factory=dict, compare=False)

    def plan(self, have: frozenset[str] | None = None) -> Plan:
        """The arrays for the rules whose measures are in ``have`` (None: every rule)."""
        key = self.measures if have is None else self.measures & have
        hit = self.plans.get(key)
        if hit is None:
            hit = self.plans[key] = _plan(self, key)
        return hit


# Compiled rulesets by object identity. Hashing a frozen pydantic model walks the whole model,
# which costs more than scoring one profile, so the cache looks rulesets up by id and keeps the
# ruleset itself alive beside its arrays (so that its id cannot be reused while cached).
_COMPILED: dict[int, Compiled] = {}
_COMPILED_MAX = 16


def compiled(rules: Ruleset) -> Compiled:
    """The compiled arrays of ``rules``, built on first use and cached."""
    hit = _COMPILED.get(id(rules))
    if hit is not None and hit.rules is rules:
        return hit
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.pop(next(iter(_COMPILED)))
    out = _COMPILED[id(rules)] = _compile(rules)
    return out


def _scale_of(numbers: list[float]) -> int | None:
    """The smallest decimal step of which every number is a whole multiple, exactly: the
    float of n / scale must be the number itself, so integer sums give the same points."""
    for scale in _SCALES:
        if all(abs(x) < 2**40 and round(x * scale) / scale == x for x in numbers):
            return scale
    return None


def _compile(rules: Ruleset) -> Compiled:
    from earlywarning.explain import rule_texts  # explanation text belongs to explain

    every = [lv.points for ind in rules.indicators for lv in ind.levels]
    every += [c.points for c in rules.combinations]
    scale = _scale_of(every)
    if scale is None:
        dtype: Any = np.float64
    else:
        top = max((abs(round(x * scale)) for x in every), default=0)
        dtype = np.int16 if top <= INT16_MAX else np.int64
    weights = [ind.weight for ind in rules.indicators]
    return Compiled(
        rules=rules,
        scale=scale,
        dtype=dtype,
        codes=tuple(i.id for i in rules.indicators) + tuple(c.id for c in rules.combinations),
        n_levels=max((len(ind.levels) for ind in rules.indicators), default=1),
        band_edges=np.array([b.from_ for b in rules.bands[1:]], dtype=float),
        total_weight=float(sum(_scaled(w, scale) for w in weights)),
        combo_points=np.array([_scaled(c.points, scale) for c in rules.combinations], dtype),
        combo_flags=np.array([_flag(c.red_flag) for c in rules.combinations], np.int8),
        content_hash=rules.content_hash,
        texts=rule_texts(rules),
        measures=frozenset(ind.measure for ind in rules.indicators)
        | frozenset(c.measure for combo in rules.combinations for c in combo.conditions),
    )


def _scaled(x: float, scale: int | None) -> float:
    return float(x) if scale is None else float(round(x * scale))


def _flag(name: str | None) -> int:
    return BAND_NAMES.index(name) if name else -1


def _plan(comp: Compiled, have: frozenset[str]) -> Plan:
    rules = comp.rules
    active = [j for j, ind in enumerate(rules.indicators) if ind.measure in have]
    width = comp.n_levels + 1
    edges, points, flags, weights = _level_tables(comp, active)
    conds, matrix = _conditions(rules, have)
    mitigations, offsets = _offsets(comp, active)
    n_combos = len(rules.combinations)
    radices = [len(rules.indicators[j].levels) + 1 for j in active] + [2] * n_combos
    needed = np.array(
        [len(c.all or ()) for c in rules.combinations]
        + [1 if c.any else 0 for c in rules.combinations],
        dtype=np.int16,
    )
    table = len(conds) <= TABLE_BITS
    return Plan(
        ind=np.array(active, dtype=np.intp),
        ind_measures=tuple(rules.indicators[j].measure for j in active),
        edges=np.ascontiguousarray(edges.T),
        top=np.array([len(rules.indicators[j].levels) - 1 for j in active], dtype=np.int8),
        base=np.arange(len(active), dtype=np.intp) * width + 1,
        points=points.ravel(),
        flags=flags.ravel(),
        flagged=np.flatnonzero((flags >= 0).any(axis=1)),
        weights=weights,
        cond_measures=tuple(t[1] for t in conds),
        # value < below is -value >= -(the float just under below): no float lies between
        signs=np.array([-1.0 if t[0] else 1.0 for t in conds]),
        thresholds=np.array(
            [-math.nextafter(t[2], -math.inf) if t[0] else t[2] for t in conds], dtype=float
        ),
        combo_matrix=matrix,
        needed=needed,
        bits=(1 << np.arange(len(conds), dtype=np.int32)) if table else None,
        fires=_fires_table(matrix, needed) if table else None,
        columns=np.concatenate([active, len(rules.indicators) + np.arange(n_combos)]).astype(
            np.intp
        ),
        mitigations=np.array(mitigations, dtype=np.intp),
        offsets=offsets,
        radix=_radix(radices),
    )


def _level_tables(comp: Compiled, active: list[int]) -> tuple[np.ndarray, ...]:
    """Edges (padded with +inf), points and red flags by level (column 0: no data), and the
    weights of the active indicators."""
    width = comp.n_levels + 1
    edges = np.full((len(active), max(comp.n_levels - 1, 0)), np.inf)
    points = np.zeros((len(active), width), comp.dtype)
    flags = np.full((len(active), width), -1, np.int8)
    weights = np.zeros(len(active), np.int64 if comp.scale else np.float64)
    for a, j in enumerate(active):
        ind = comp.rules.indicators[j]
        edges[a, : len(ind.levels) - 1] = [lv.from_ for lv in ind.levels[1:]]
        points[a, 1 : len(ind.levels) + 1] = [_scaled(lv.points, comp.scale) for lv in ind.levels]
        flags[a, 1 : len(ind.levels) + 1] = [_flag(lv.red_flag) for lv in ind.levels]
        weights[a] = _scaled(ind.weight, comp.scale)
    return edges, points, flags, weights


def _conditions(
    rules: Ruleset, have: frozenset[str]
) -> tuple[list[tuple[bool, str, float, int, str]], np.ndarray]:
    """The combination conditions on measures in ``have`` (below?, measure, threshold,
    combination, part), and which combination's 'all' or 'any' each belongs to."""
    conds = [
        (c.from_ is None, c.measure, _threshold(c.from_, c.below), j, part)
        for j, combo in enumerate(rules.combinations)
        for part, group in (("all", combo.all or ()), ("any", combo.any or ()))
        for c in group
        if c.measure in have
    ]
    n_combos = len(rules.combinations)
    matrix = np.zeros((len(conds), 2 * n_combos), np.int16)  # int8 @ int16 counts in int16
    for i, (_, _, _, j, part) in enumerate(conds):
        matrix[i, j if part == "all" else n_combos + j] = 1
    return conds, matrix


def _offsets(comp: Compiled, active: list[int]) -> tuple[list[int], np.ndarray]:
    """The columns of the active mitigations, and for each the columns whose points cap it."""
    rules = comp.rules
    # columns of the active points matrix: active indicators, then every combination
    column = {rules.indicators[j].id: a for a, j in enumerate(active)}
    column |= {c.id: len(active) + i for i, c in enumerate(rules.combinations)}
    mitigations = [a for a, j in enumerate(active) if rules.indicators[j].kind == "mitigation"]
    offsets = np.zeros((len(column), len(mitigations)), np.int32 if comp.scale else np.float64)
    for m, a in enumerate(mitigations):
        for target in rules.indicators[active[a]].offsets:
            if target in column:  # a risk the frame has no data for scored nothing
                offsets[column[target], m] = 1
    return mitigations, offsets


def _fires_table(matrix: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """For every code of conditions met (bit i: condition i), the combinations that fire."""
    n_conds = matrix.shape[0]
    codes = np.arange(2**n_conds, dtype=np.int64)
    holds = ((codes[:, None] >> np.arange(n_conds)) & 1).astype(np.int16)
    enough = holds @ matrix >= needed
    j = enough.shape[1] // 2
    out: np.ndarray = enough[:, :j] & enough[:, j:]
    return out


def _threshold(from_: float | None, below: float | None) -> float:
    if from_ is not None:
        return from_
    assert below is not None  # the loader insists on exactly one of the two
    return below


def _radix(radices: list[int]) -> np.ndarray:
    """Mixed-radix multipliers, split into groups whose codes stay exact in float64."""
    groups: list[list[tuple[int, int]]] = [[]]
    span = 1
    for i, r in enumerate(radices):
        if span * r > _PATTERN_LIMIT:
            groups.append([])
            span = 1
        groups[-1].append((i, span))
        span *= r
    out = np.zeros((len(radices), len(groups)), dtype=np.int64)
    for g, members in enumerate(groups):
        for i, mult in members:
            out[i, g] = mult
    return out


@dataclass
class Result:
    """The numbers of one evaluation, row by row (see :class:`earlywarning.engine.Evaluation`)."""

    level: np.ndarray  # (n, Ka) int8, -1 where the measure is missing
    points: np.ndarray  # (n, Ka+J) scaled points (integers of 1/scale, or floats)
    score: np.ndarray  # (n,) float64
    score_band: np.ndarray  # (n,) int8
    band: np.ndarray  # (n,) int8
    coverage: np.ndarray  # (n,) float64

    def scatter(self, plan: Plan, level: np.ndarray, points: np.ndarray, rows: slice) -> None:
        """Write this block's levels and points into full-width matrices, at ``rows``.

        The columns of rules the plan left out must already hold -1 (level) and 0 (points).
        """
        if len(plan.ind) == level.shape[1]:
            level[rows], points[rows] = self.level, self.points
        else:
            level[rows, plan.ind] = self.level
            points[rows, plan.columns] = self.points


def patterns(comp: Compiled, level: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A code per row of its levels and of the combinations it fired, in one or more int64
    columns: rows with equal codes have equal points, so equal reasons."""
    radix = comp.plan().radix
    k = level.shape[1]
    # a combination scores only when it fires, and always more than 0
    out: np.ndarray = level @ radix[:k] + (points[:, k:] != 0).view(np.int8) @ radix[k:]
    return out


def run(comp: Compiled, plan: Plan, values: np.ndarray, conds: np.ndarray) -> Result:
    """Evaluate a block of rows.

    ``values`` holds one column per active indicator (its measure) and ``conds`` one column
    per active condition, NaN where missing, in the plan's order. The result's ``level`` and
    ``points`` have the plan's columns only (see :meth:`Result.scatter`).
    """
    n = values.shape[0]
    n_combo, ka = len(comp.rules.combinations), len(plan.ind)
    # A missing value (NaN) compares False with every edge, and its level is set to -1 after.
    # Short indicators are padded with +inf edges; a +inf value (a derived measure can
    # overflow) passes those too and is held at the indicator's last level.
    missing = np.isnan(values)
    lvl = np.zeros((n, ka), dtype=np.int8)
    for e in range(plan.edges.shape[0]):
        lvl += (values >= plan.edges[e]).view(np.int8)
    np.minimum(lvl, plan.top, out=lvl)
    np.copyto(lvl, -1, where=missing)
    idx = lvl + plan.base  # into the flat tables, whose column 0 is 'no data'
    # red flags: only the indicators that can raise one; coverage: the weights of those present
    flag = plan.flags.take(idx[:, plan.flagged]).max(axis=1, initial=-1)
    present_weight = (~missing).view(np.int8) @ plan.weights
    if n_combo:
        fired = _fired(plan, conds)
        pts = np.concatenate([plan.points.take(idx), fired * comp.combo_points], axis=1)
        flag = np.maximum(flag, np.where(fired, comp.combo_flags, -1).max(axis=1))
    else:
        pts = plan.points.take(idx)
    # With integer points (every ruleset in decimals) these products are of integers, so no
    # BLAS threads: on a small shared machine they contend for the cores on skinny products.
    if len(plan.mitigations):
        # A mitigation takes away at most what the risks it offsets scored: max(raw, -cap),
        # so the net of the two never falls as a risk worsens.
        for m, column in enumerate(plan.mitigations.tolist()):
            credit = np.maximum(pts[:, column], -(pts @ plan.offsets[:, m]))
            pts[:, column] = credit if comp.scale else credit + 0.0  # no -0.0
    total = pts.sum(axis=1, dtype=np.int64 if comp.scale else np.float64)
    if comp.scale:
        score = np.minimum(np.maximum(total, 0), 100 * comp.scale) / comp.scale
    else:
        score = np.round(np.minimum(np.maximum(total, 0.0), 100.0), 6)
    # side="right": a score exactly on a band edge is in the upper band
    score_band = np.searchsorted(comp.band_edges, score, side="right").astype(np.int8)
    coverage = present_weight / comp.total_weight if comp.total_weight else np.ones(n)
    return Result(lvl, pts, score, score_band, np.maximum(score_band, flag), coverage)


def _fired(plan: Plan, conds: np.ndarray) -> np.ndarray:
    """Which combinations fire, row by row: counts of the conditions met, by matrix product."""
    # every condition as sign * value >= threshold (see _plan); NaN, missing, meets none
    holds = (conds * plan.signs >= plan.thresholds).view(np.int8)
    if plan.fires is not None:
        # a matrix-vector product is fast where numpy's integer matrix product is not
        looked_up: np.ndarray = plan.fires[holds @ plan.bits]
        return looked_up
    enough = holds @ plan.combo_matrix >= plan.needed
    j = enough.shape[1] // 2
    fired: np.ndarray = enough[:, :j] & enough[:, j:]  # every 'all' and, if any, one 'any'
    return fired


def unscaled(comp: Compiled, points: np.ndarray) -> np.ndarray:
    """Scaled points as float points."""
    if comp.scale is None:
        return np.asarray(points, dtype=float)
    return points / comp.scale
