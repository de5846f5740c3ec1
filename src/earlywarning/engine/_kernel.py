"""The evaluation kernel: a ruleset compiled once into stacked arrays, and one pass over them.

Private machinery behind :mod:`earlywarning.engine`. Its names are public within the package
but not exported. A :class:`Compiled` ruleset holds every indicator's level edges padded to one
width, points as integers (hundredths for the usual rulesets), red flags and conditions as bits,
the combinations each code of conditions fires and the rows each mitigation cap sums, so that a
block of rows costs a fixed, small number of numpy calls whatever the number of rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from earlywarning.rules import BAND_NAMES, Ruleset, per_ruleset

__all__ = ["BLOCK_ROWS", "INT16_MAX", "TABLE_BITS", "Compiled", "Plan", "Result", "compiled"]
__all__ += ["patterns", "run", "unscaled"]

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
MAX_SCORE = 100
"""Scores are totals of points clamped to 0..MAX_SCORE."""
INT16_MAX = 32_767
# mixed-radix pattern codes of one group stay below this, so an int64 holds them
_PATTERN_LIMIT = 2**62


@dataclass(frozen=True)
class Plan:
    """The compiled arrays for the indicators whose measures a frame has.

    A block holds one row per column, the active indicators' measures then the measures of
    the active combination conditions (those on measures the frame has), and one column per
    profile, so that every operation runs along contiguous memory. Every value is compared
    with its column's ``edges`` at once; whether it is missing and the number of edges it
    reaches index flat tables of levels, points, weights and marks (conditions met and red
    flags raised, as bits), so a block costs the same few numpy calls whatever the rules.
    """

    ind: np.ndarray  # (Ka,) positions of the active indicators in the ruleset
    n_ind: int  # Ka, the active indicators (the first rows of a block)
    measures: tuple[str, ...]  # the measure of each column: Ka indicators, then C conditions
    edges: np.ndarray  # (E+1, Ka+C, 1): -inf, each column's 'from' edges, +inf past its last
    base: np.ndarray  # (Ka+C, 1) flat offset of each column's E+2 entries in the tables
    levels: np.ndarray  # flat int8 level of each entry, -1 for entry 0 (no data)
    points: np.ndarray  # flat points of each entry (0 for no data)
    weights: np.ndarray  # flat weight of each entry (0 for no data), scaled like the points
    marks: np.ndarray  # flat bits: conditions met, then red flags raised (see _tables)
    total_weight: np.ndarray  # (1,) the ruleset's (an array: a scalar costs more per call)
    fire_points: np.ndarray | None  # (J+1, 2**C) each combination's points per code; zeros
    flag_of: np.ndarray  # int8 the highest red flag of each OR of marks
    combo_matrix: np.ndarray  # (2J, C) int16: 'all' memberships then 'any' memberships
    needed: np.ndarray  # (2J, 1) how many 'all' conditions must hold, then 1 if it has 'any'
    columns: np.ndarray  # (Ka+J,) the active columns' places among all K+J columns
    mitigations: slice | np.ndarray  # rows of the points block capped by the risks they offset
    spread: np.ndarray  # (Mi, G) per mitigation: the zero row, its risks' rows, zero rows
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
    measures: frozenset[str]  # every measure the rules read
    lowest: int  # the least total of scaled points any row can reach
    totals: tuple[np.ndarray, np.ndarray] | None  # score and band of each total from lowest
    sum_type: Any  # dtype that sums points exactly (see _totals)
    plans: dict[frozenset[str], Plan] = field(default_factory=dict, compare=False)

    def plan(self, have: frozenset[str] | None = None) -> Plan:
        """The arrays for the rules whose measures are in ``have`` (None: every rule)."""
        key = self.measures if have is None else self.measures & have
        hit = self.plans.get(key)
        if hit is None:
            hit = self.plans[key] = _plan(self, key)
        return hit

    @cached_property
    def content_hash(self) -> str:
        """The ruleset's content hash, worked out when a result first stamps it: hashing
        serialises the whole ruleset, and a fit compiles hundreds of candidates it never stamps."""
        return self.rules.content_hash

    @cached_property
    def points_of(self) -> np.ndarray | None:
        """With integer points, the float points of every total, those below 0 last: every
        rule's points are totals, so a take in "wrap" mode unscales them as a division does."""
        if self.totals is None:
            return None
        n = len(self.totals[0])
        totals = np.arange(n)
        return np.where(totals < n + self.lowest, totals, totals - n) / self.scale


@per_ruleset
def compiled(rules: Ruleset) -> Compiled:
    """The compiled arrays of ``rules``, built on first use and cached."""
    return _compile(rules)


def scale_of(numbers: list[float]) -> int | None:
    """The smallest decimal step of which every number is a whole multiple, exactly: the
    float of n / scale must be the number itself, so integer sums give the same points.

    Example:
        >>> scale_of([10, 2.5, 0.25]), scale_of([0.001]), scale_of([1 / 3])
        (100, 1000, None)
    """
    for scale in _SCALES:
        if all(abs(x) < 2**40 and round(x * scale) / scale == x for x in numbers):
            return scale
    return None


def _compile(rules: Ruleset) -> Compiled:
    every = [lv.points for ind in rules.indicators for lv in ind.levels]
    every += [c.points for c in rules.combinations]
    scale = scale_of(every)
    if scale is None:
        dtype: Any = np.float64
    else:
        top = max((abs(round(x * scale)) for x in every), default=0)
        dtype = np.int16 if top <= INT16_MAX else np.int64
    weights = [ind.weight for ind in rules.indicators]
    band_edges = np.array([b.from_ for b in rules.bands[1:]], dtype=float)
    lowest, totals, sum_type = _totals(rules, scale, band_edges, dtype)
    return Compiled(
        rules=rules,
        scale=scale,
        dtype=dtype,
        codes=tuple(i.id for i in rules.indicators) + tuple(c.id for c in rules.combinations),
        n_levels=max((len(ind.levels) for ind in rules.indicators), default=1),
        band_edges=band_edges,
        total_weight=float(sum(_scaled(w, scale) for w in weights)),
        combo_points=np.array([_scaled(c.points, scale) for c in rules.combinations], dtype),
        combo_flags=np.array([_flag(c.red_flag) for c in rules.combinations], np.int8),
        measures=frozenset(ind.measure for ind in rules.indicators)
        | frozenset(c.measure for combo in rules.combinations for c in combo.conditions),
        lowest=lowest,
        totals=totals,
        sum_type=sum_type,
    )


_TOTALS_MAX = 1 << 20


def _totals(
    rules: Ruleset, scale: int | None, band_edges: np.ndarray, dtype: Any
) -> tuple[int, tuple[np.ndarray, np.ndarray] | None, Any]:
    """For integer points, the score and band of every total a row can reach, from the
    least: two lookups instead of the clamp, division and band search of each row; and the
    dtype that sums points exactly. Int16 points sum in int16 when every total is within 2**15
    of the least: totals from the least wrap to their true values, and a mitigation's cap, a
    sum of risks' points, is at most the highest total."""
    if scale is None:
        return 0, None, np.float64
    spans = [[lv.points for lv in ind.levels] for ind in rules.indicators]
    spans += [[c.points] for c in rules.combinations]
    # every rule scores one of its points or nothing; a capped credit lies between the two
    lowest = sum(min(0, round(min(p) * scale)) for p in spans)
    highest = sum(max(0, round(max(p) * scale)) for p in spans)
    if highest - lowest >= _TOTALS_MAX:
        return 0, None, np.int64
    score = _score(np.arange(lowest, highest + 1, dtype=np.int64), scale)
    return (
        lowest,
        (score, _band(band_edges, score)),
        np.int64 if highest - lowest > INT16_MAX else dtype,
    )


def _score(total: np.ndarray, scale: int | None) -> np.ndarray:
    """Scores from totals of scaled points: clamped to 0..MAX_SCORE."""
    if scale:
        out: np.ndarray = np.minimum(np.maximum(total, 0), MAX_SCORE * scale) / scale
        return out
    rounded: np.ndarray = np.round(np.minimum(np.maximum(total, 0.0), float(MAX_SCORE)), 6)
    return rounded


def _band(band_edges: np.ndarray, score: np.ndarray) -> np.ndarray:
    # side="right": a score exactly on a band edge is in the upper band
    out: np.ndarray = np.searchsorted(band_edges, score, side="right").astype(np.int8)
    return out


def _scaled(x: float, scale: int | None) -> float:
    return float(x) if scale is None else float(round(x * scale))


def _flag(name: str | None) -> int:
    return BAND_NAMES.index(name) if name else -1


def _plan(comp: Compiled, have: frozenset[str]) -> Plan:
    rules = comp.rules
    active = [j for j, ind in enumerate(rules.indicators) if ind.measure in have]
    conds, matrix = _conditions(rules, have)
    n_edges = max(comp.n_levels - 1, 1 if conds else 0)
    mitigations, spread = _offsets(comp, active)
    # red flags of the lowest band lift nothing: every flag above it has a bit in the marks
    lifts = sorted({_flag(lv.red_flag) for j in active for lv in rules.indicators[j].levels})
    lifts = [f for f in lifts if f > 0]
    edges, tables = _tables(comp, active, conds, n_edges, mitigations, lifts)
    n_combos = len(rules.combinations)
    radices = [len(rules.indicators[j].levels) + 1 for j in active] + [2] * n_combos
    needed = np.array(
        [len(c.all or ()) for c in rules.combinations]
        + [1 if c.any else 0 for c in rules.combinations],
        dtype=np.int16,
    )
    fire_points, flag_of = _fire_tables(comp, matrix, needed, lifts)
    return Plan(
        ind=np.array(active, dtype=np.intp),
        n_ind=len(active),
        measures=tuple(rules.indicators[j].measure for j in active) + tuple(t[1] for t in conds),
        edges=edges.T[:, :, None].copy(),
        base=np.arange(len(active) + len(conds), dtype=np.intp)[:, None] * (n_edges + 2),
        levels=tables["levels"].ravel(),
        points=tables["points"].ravel(),
        weights=tables["weights"].ravel(),
        marks=tables["marks"].ravel(),
        total_weight=np.array([comp.total_weight]),
        fire_points=fire_points,
        flag_of=flag_of,
        combo_matrix=np.ascontiguousarray(matrix.T),
        needed=needed[:, None],
        columns=np.concatenate([active, len(rules.indicators) + np.arange(n_combos)]).astype(
            np.intp
        ),
        mitigations=_rows(mitigations),
        spread=spread,
        radix=_radix(radices),
    )


def _fire_tables(
    comp: Compiled, matrix: np.ndarray, needed: np.ndarray, lifts: list[int]
) -> tuple[np.ndarray | None, np.ndarray]:
    """With up to TABLE_BITS conditions, each combination's points for each code of conditions
    met (bit i: condition i), then a row of zeros (for the mitigation caps to pad with); and
    the highest red flag of each OR of marks: of the bands its high bits raise and of the
    combinations its code fires. With more conditions, a mark's low bit raises nothing.
    Built once per content (read-only): the many rulesets a fit tries differ in levels only.
    """
    points = (comp.combo_points.tobytes(), np.dtype(comp.dtype).str)
    # the table's limit is part of the key: the layout of the marks follows it (see _tables)
    key = (matrix.tobytes(), matrix.shape, needed.tobytes(), tuple(lifts), *points, TABLE_BITS)
    return _fire_tables_of(key, comp.combo_flags.tobytes())


@lru_cache(maxsize=64)
def _fire_tables_of(key: tuple[Any, ...], flags: bytes) -> tuple[np.ndarray | None, np.ndarray]:
    matrix_bytes, shape, needed_bytes, lifts, point_bytes, dtype, table_bits = key
    matrix = np.frombuffer(matrix_bytes, np.int16).reshape(shape)
    needed = np.frombuffer(needed_bytes, np.int16)
    sets = np.arange(1 << len(lifts))
    raised = np.full(len(sets), -1)
    for k, f in enumerate(lifts):  # the lifts ascend: the highest bit set wins
        raised[(sets >> k) & 1 == 1] = f
    if len(matrix) > table_bits:
        flag_of = np.repeat(raised, 2).astype(np.int8)
        flag_of.flags.writeable = False
        return None, flag_of
    codes = np.arange(2 ** len(matrix), dtype=np.int64)
    holds = ((codes[:, None] >> np.arange(len(matrix))) & 1).astype(np.int16)
    enough = holds @ matrix >= needed
    fires = enough[:, : len(needed) // 2] & enough[:, len(needed) // 2 :]
    combos = np.where(fires, np.frombuffer(flags, np.int8), -1).max(axis=1, initial=-1)
    table = np.concatenate([fires.T * np.frombuffer(point_bytes, dtype)[:, None], [0 * codes]])
    # C order: a take along the rows of a Fortran-ordered table copies it whole
    table = np.ascontiguousarray(table, dtype=dtype)
    flag_of = np.maximum(raised[:, None], combos).ravel().astype(np.int8)
    table.flags.writeable = flag_of.flags.writeable = False
    return table, flag_of


_Condition = tuple[bool, str, float, int, str]


def _tables(
    comp: Compiled,
    active: list[int],
    conds: list[_Condition],
    n_edges: int,
    mitigations: list[int],
    lifts: list[int],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The edges of every column, and its table rows indexed by the number of edges reached.

    Column by column, the first edge is -inf: entry 0 is 'no data' (NaN reaches no edge) and
    entry 1 + c is a value that reached c edges after it: level c of an indicator. A value
    of +inf (a derived measure can overflow) also passes the +inf padding, so the entries
    past an indicator's last level repeat that level. A mitigation none of whose risks the
    frame has can take nothing away: max(points, 0). An entry's mark has bit i if it meets
    condition i (over TABLE_BITS conditions, bit 0 if it meets one), then a bit per band of
    ``lifts`` whose red flag it raises: one OR of a profile's marks gives both.
    """
    width = n_edges + 2
    n_cols = len(active) + len(conds)
    shift = len(conds) if len(conds) <= TABLE_BITS else 1
    edges = np.full((n_cols, n_edges + 1), np.inf)
    edges[:, 0] = -np.inf
    t = {
        "levels": np.full((n_cols, width), -1, np.int8),
        "points": np.zeros((n_cols, width), comp.dtype),
        # float64: sums of whole numbers are exact, and coverage divides them without a cast
        "weights": np.zeros((n_cols, width)),
        "marks": np.zeros((n_cols, width), np.int16 if shift + len(lifts) < 16 else np.int32),
    }
    for a, j in enumerate(active):
        ind = comp.rules.indicators[j]
        top = len(ind.levels) - 1
        edges[a, 1 : top + 1] = [lv.from_ for lv in ind.levels[1:]]
        at = [min(c, top) for c in range(width - 1)]  # the level of each count of edges
        capless = ind.kind == "mitigation" and a not in mitigations
        t["levels"][a, 1:] = at
        t["points"][a, 1:] = [
            _scaled(max(ind.levels[lv].points, 0) if capless else ind.levels[lv].points, comp.scale)
            + 0.0  # no -0.0
            for lv in at
        ]
        flags = [_flag(ind.levels[lv].red_flag) for lv in at]
        t["marks"][a, 1:] = [1 << (shift + lifts.index(f)) if f in lifts else 0 for f in flags]
        t["weights"][a, 1:] = _scaled(ind.weight, comp.scale)
    for i, (below, _, threshold, _, _) in enumerate(conds):
        c = len(active) + i
        edges[c, 1] = threshold
        # no edge reached: the value is below the threshold; one or more: it reaches it
        t["marks"][c, slice(1, 2) if below else slice(2, None)] = 1 << i if shift > 1 else 1
    return edges, t


def _conditions(rules: Ruleset, have: frozenset[str]) -> tuple[list[_Condition], np.ndarray]:
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
    """The rows of the active mitigations that offset an active risk (a risk is offset by one
    mitigation at most, and never by another mitigation) and for each, the points rows to take
    from 0 for its cap: its risks', padded with the zero row after the rules'. The first comes
    last: float caps add up as the first plus the rest, as they always have, in any block."""
    rules = comp.rules
    # rows of the points block: active indicators, then every combination
    row = {rules.indicators[j].id: a for a, j in enumerate(active)}
    row |= {c.id: len(active) + i for i, c in enumerate(rules.combinations)}
    groups: dict[int, list[int]] = {}
    for a, j in enumerate(active):
        ind = rules.indicators[j]
        targets = [row[t] for t in ind.offsets if t in row]  # risks without data score nothing
        if ind.kind == "mitigation" and targets:
            groups[a] = targets
    zero, width = len(row), max((len(g) for g in groups.values()), default=0)
    spread = [[zero, *g[1:], *[zero] * (width - len(g)), g[0]] for g in groups.values()]
    return list(groups), np.array(spread, dtype=np.intp).reshape(len(groups), width + 1)


def _rows(rows: list[int]) -> slice | np.ndarray:
    """Rows as a slice when evenly spaced (one or two always are): a view, not a copy."""
    steps = set(np.diff(rows).tolist()) or {1}
    even = rows and len(steps) == 1
    return slice(rows[0], rows[-1] + 1, steps.pop()) if even else np.array(rows, dtype=np.intp)


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


@dataclass(slots=True)
class Result:
    """The numbers of one block, a column per profile (see :class:`Plan`)."""

    level: np.ndarray  # (Ka, n) int8, -1 where the measure is missing
    points: np.ndarray  # (Ka+J, n) scaled points (integers of 1/scale, or floats)
    score: np.ndarray  # (n,) float64
    score_band: np.ndarray  # (n,) int8
    band: np.ndarray  # (n,) int8
    coverage: np.ndarray  # (n,) float64

    def scatter(self, plan: Plan, level: np.ndarray, points: np.ndarray, rows: slice) -> None:
        """Write this block's levels and points into full-width matrices (a row per profile),
        at ``rows``.

        The columns of rules the plan left out must already hold -1 (level) and 0 (points).
        """
        if len(plan.ind) == level.shape[1]:
            level[rows], points[rows] = self.level.T, self.points.T
        else:
            level[rows, plan.ind] = self.level.T
            points[rows, plan.columns] = self.points.T


def patterns(comp: Compiled, level: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A code per row of its levels and of the combinations it fired, in one or more int64
    columns: rows with equal codes have equal points, so equal reasons."""
    radix = comp.plan().radix
    k = level.shape[1]
    # a combination scores only when it fires, and always more than 0
    out: np.ndarray = level @ radix[:k] + (points[:, k:] != 0).view(np.int8) @ radix[k:]
    return out


def run(comp: Compiled, plan: Plan, values: np.ndarray) -> Result:
    """Evaluate a block: ``values`` has a row per plan column (see :class:`Plan`) and a column
    per profile, NaN where missing. The result's ``level`` and ``points`` have the plan's
    rows only (see :meth:`Result.scatter`).
    """
    # ufunc methods, not the array methods that wrap them in Python, and scalars as arrays:
    # on a block of one profile, the overhead of each numpy call is most of its cost
    ka = plan.n_ind
    # edges reached, column by column: NaN reaches none, not even the leading -inf
    idx = np.add(np.add.reduce(np.greater_equal(values, plan.edges), 0, np.int8), plan.base)
    ind = idx[:ka]
    lvl = plan.levels.take(ind)
    held = np.add.reduce(plan.weights.take(ind), axis=0)  # the weight with data
    mark = np.bitwise_or.reduce(plan.marks.take(idx), axis=0)  # conditions met, flags raised
    # the points of every rule, then a row of zeros for the mitigation caps to pad with
    pts = np.empty((len(plan.columns) + 1, values.shape[1]), comp.dtype)
    plan.points.take(ind, out=pts[:ka], mode="clip")  # "clip" is unbuffered; idx is in range
    if plan.fire_points is not None:
        # "wrap": a mark modulo the 2**C codes is its code, the flag bits above dropped
        plan.fire_points.take(mark, axis=1, out=pts[ka:], mode="wrap")
        flag = plan.flag_of.take(mark)
    else:  # too many conditions for a table: count those met (0 or 1 each) in a matrix product
        enough = plan.combo_matrix @ plan.marks.take(idx[ka:]) >= plan.needed
        fired = enough[: len(enough) // 2] & enough[len(enough) // 2 :]  # all, and one 'any'
        np.multiply(fired, comp.combo_points[:, None], out=pts[ka:-1])
        pts[-1] = 0
        flag = np.where(fired, comp.combo_flags[:, None], -1).max(axis=0, initial=-1)
        flag = np.maximum(plan.flag_of.take(mark), flag)
    del idx, ind  # the largest temporary: memory the rest of the pass can reuse
    if plan.spread.size:
        # A mitigation takes away at most what the risks it offsets scored: max(raw, -cap),
        # so the net of the two never falls as a risk worsens. Mitigations offset risks only,
        # so every cap is of points no mitigation changes. 0 - risks is never -0.0.
        cap = np.subtract.reduce(pts.take(plan.spread, axis=0), axis=1, dtype=comp.sum_type)
        pts[plan.mitigations] = np.maximum(pts[plan.mitigations], cap)
    pts = pts[:-1]
    if comp.totals is not None:
        # each row's place in the tables of every reachable total
        at = np.add.reduce(pts, axis=0, dtype=comp.sum_type, initial=-comp.lowest)
        score, score_band = comp.totals[0].take(at), comp.totals[1].take(at)
    else:
        score = _score(np.add.reduce(pts, axis=0, dtype=comp.sum_type), comp.scale)
        score_band = _band(comp.band_edges, score)
    coverage = np.true_divide(held, plan.total_weight) if comp.total_weight else np.ones(len(score))
    return Result(lvl, pts, score, score_band, np.maximum(score_band, flag), coverage)


def unscaled(comp: Compiled, points: np.ndarray) -> np.ndarray:
    """Scaled points as float points."""
    if comp.scale is None:
        return np.asarray(points, dtype=float)
    return points / comp.scale
