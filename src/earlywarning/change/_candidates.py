"""The exact search behind :func:`earlywarning.smallest_change`: variables, candidates, batches.

A variable's values worth trying are one per interval between its thresholds, each at the edge
nearest to where the council is now. Candidates (a value for each of a set of variables) are
scored in batches by the vectorised engine: sets of one variable first, then two, and within a
size by thresholds crossed. A set can reach the target only if moving each variable as far as it
goes does (the score is monotone in each measure), which rules out whole sets at once; and only
if the points its variables could take off at most reach the target (:mod:`._bound`), which
rules out most sets before they are built.

The search scores at most :data:`BUDGET` candidates. Past it, it stops: with the smallest change
already found, only the alternatives are cut short; without, it returns the best it has found.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from earlywarning.change._bound import Bound, MoveGains, bounded_subsets, gains_of
from earlywarning.engine import evaluate_columns
from earlywarning.engine import space as _space
from earlywarning.errors import EarlyWarningError
from earlywarning.profile import DERIVED, DERIVED_BY_NAME, DerivedMeasure, ProfileColumns
from earlywarning.profile.derived import linked_direction
from earlywarning.rules import Indicator, Ruleset

__all__ = [
    "ALIASES",
    "ALTERNATIVES",
    "BATCH_ROWS",
    "BUDGET",
    "Candidate",
    "Limits",
    "Search",
    "Var",
    "allowed_variables",
    "bounded_products",
    "check_fixed",
    "dominated",
    "edges_of",
    "furthest",
    "layers",
    "levers",
    "limits_of",
    "move_gains",
    "moved_columns",
    "moved_measures",
    "moves_of",
    "nice_below",
    "products",
    "score_batch",
    "search",
    "value_in",
]

# Rows scored in one batch.
BATCH_ROWS = 50_000

BUDGET = 400_000
"""The most candidates (rows) one search scores. Past it the search stops. When it has already
found the smallest change, only the alternatives are cut short and the answer stands; when it has
not, the answer is the best change it has found, which reaches the target band, with
``proven`` False (it may not be the smallest) and a reason that says so. A candidate
costs about a microsecond of the engine's time, so the budget bounds a search to a second or so
of scoring."""

ALTERNATIVES = 3


# ----------------------------------------------------------------------------------------------
# The variables and the values worth trying


@dataclass(frozen=True)
class Var:
    """A variable the search may move, with one value per interval on its better side."""

    name: str
    indicators: tuple[Indicator, ...]
    edges: tuple[float, ...]  # thresholds in the variable's own units
    current: float  # NaN when missing
    # (value, thresholds crossed, edge) for each interval on the better side, nearest first
    moves: tuple[tuple[float, int, float], ...]
    # the derived measures that move with it, each with its reference (the neighbours' median,
    # the rate two years earlier; NaN where the held operand is a field, read from the columns)
    follows: tuple[tuple[DerivedMeasure, float], ...] = ()


def moved_measures(name: str, follows: Sequence[tuple[DerivedMeasure, float]]) -> set[str]:
    """The measures variable ``name`` moves: its own, and the derived measures following it."""
    return {*_space.measures_fed(name), *(d.name for d, _ in follows)}


def follows_of(
    variable: str, base: Mapping[str, float]
) -> tuple[tuple[DerivedMeasure, float], ...]:
    """The derived measures that move with ``variable`` (see :attr:`Var.follows`)."""
    nan = math.nan
    return tuple(
        (d, nan if d.held is not None else d.held_from(base.get(d.name, nan), base[d.lever]))
        for d in _space.moved_with(variable)
    )


def limits_of(variable: str, follows: Sequence[tuple[DerivedMeasure, float]]) -> Limits:
    """The variable's bounds, narrowed so that every profile field moving with it stays within
    its own (a gap to the neighbours stays within 100 points of their median)."""
    lo, hi, integer = _space.bounds(variable)
    for d, reference in follows:
        if d.given and not math.isnan(reference):
            ends = [d.inverse(end, reference) for end in _space.bounds(d.name)[:2]]
            lo, hi = max(lo, min(ends)), min(hi, max(ends))
    return lo, hi, integer


def _held_value(
    d: DerivedMeasure, reference: float, variable: str, base: Mapping[str, float]
) -> float:
    """The operand of ``d`` that stays put while ``variable`` moves."""
    if d.held is None:
        return reference
    return base.get(d.held if variable == d.lever else d.lever, math.nan)


def edges_of(rules: Ruleset, variable: str, base: Mapping[str, float]) -> list[float]:
    """The variable's thresholds in its own units (a caseload edge for the caseload against
    target is the caseload at that excess over the council's target; a vacancy rate edge for the
    gap to the neighbours is the rate at that gap over their median)."""
    if variable == "previous_rating":
        return _space.thresholds(rules, "previous_rating_grade")
    out = set(_space.thresholds(rules, variable))
    for d, reference in follows_of(variable, base):
        held = _held_value(d, reference, variable, base)
        if not math.isnan(held):
            solve = d.inverse if variable == d.lever else d.held_from
            out |= {solve(e, held) for e in _space.thresholds(rules, d.name)}
    return sorted(out)


def nice_below(edge: float, floor: float) -> float:
    """A round value just under ``edge`` and at least ``floor``."""
    for step in (0.1, 0.01):
        v = round(edge - step, 2)
        if floor <= v < edge:
            return v
    return (edge + floor) / 2 if math.isfinite(floor) else edge - 1.0


# A variable's lowest and highest value and whether it is a whole number (engine.space.bounds).
Limits = tuple[float, float, bool]


def value_in(
    edges: Sequence[float], i: int, up: bool, variable: str, limits: Limits | None = None
) -> float | None:
    """The value of interval ``i`` nearest the side it is entered from, or None if empty;
    within ``limits`` (by default the variable's bounds)."""
    lo, hi, integer = limits or _space.bounds(variable)
    start = max(edges[i - 1], lo) if i > 0 else lo
    stop = edges[i] if i < len(edges) else math.inf
    if up:
        v = math.ceil(start) if integer else start
        return float(v) if v < stop and v <= hi else None
    top = min(stop, math.nextafter(hi, math.inf))
    if integer:
        v = math.ceil(top) - 1
        return float(v) if v >= start else None
    return nice_below(top, start) if top > start else None


def moves_of(
    edges: Sequence[float],
    current: float,
    variable: str,
    direction: int,
    limits: Limits | None = None,
) -> list[Any]:
    """One value per interval on the better side of ``current``, nearest first."""
    c = int(np.searchsorted(np.asarray(edges), current, side="right"))
    out = []
    steps = range(c - 1, -1, -1) if direction > 0 else range(c + 1, len(edges) + 1)
    for i in steps:
        v = value_in(edges, i, up=direction < 0, variable=variable, limits=limits)
        if v is not None:
            edge = edges[i] if direction > 0 else edges[i - 1]
            out.append((v, abs(i - c), edge))
    return out


# Fields that name a variable too: the cut is set through the budgets.
ALIASES = {d.variable: set(d.inputs) for d in DERIVED if d.variable == d.name}


def levers(rules: Ruleset, base: Mapping[str, float]) -> list[str]:
    """The variables the ruleset's indicators read, in ruleset order, where a peer-relative or
    trend measure whose reference is known is moved through its lever: a council lowers its gap
    to its neighbours by lowering its own rate, the neighbours' median fixed. Given alone (the
    lever missing, so the reference unknown) it is a variable of its own."""
    out: list[str] = []
    for name in _space.variables(rules):
        d = DERIVED_BY_NAME.get(name)
        if d is not None and d.variable != name and not _unknown_reference(d, base):
            name = d.variable
        if name not in out:
            out.append(name)
    return out


def _unknown_reference(d: DerivedMeasure, base: Mapping[str, float]) -> bool:
    """Whether the profile leaves the reference of a measure that is its lever less a
    reference unknown (the lever or the measure is missing)."""
    return bool(math.isnan(d.held_from(base.get(d.name, math.nan), base[d.lever])))


def check_fixed(rules: Ruleset, fixed: Iterable[str]) -> set[str]:
    """The names held fixed, each a profile field, a measure or an indicator id."""
    from earlywarning.profile import FIELD_NAMES, MEASURES

    known = set(FIELD_NAMES) | set(MEASURES) | {i.id for i in rules.indicators}
    out = set(fixed)
    for name in sorted(out - known):
        import difflib

        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise EarlyWarningError(f"fixed: {name!r} is not a profile field or indicator{hint}")
    return out


def allowed_variables(
    rules: Ruleset, base: Mapping[str, float], controllable_only: bool, fixed: set[str]
) -> list[Var]:
    """The variables the search may move, with their values worth trying."""
    direction = _space.directions(rules)
    out = []
    for name in levers(rules, base):
        follows = follows_of(name, base)
        fed = moved_measures(name, follows)
        inds = tuple(i for i in rules.indicators if i.measure in fed)
        blocked = (
            {name} | {i.id for i in inds} | {i.measure for i in inds} | ALIASES.get(name, set())
        )
        if blocked & fixed or (controllable_only and not all(i.controllable for i in inds)):
            continue
        # the direction of each measure read as the variable's (the caseload target lowers the
        # caseload against target, so a rule on the excess reads the target the other way)
        sign = linked_direction(name)[1]
        dirs = {direction[i.measure] * linked_direction(i.measure)[1] * sign for i in inds}
        if len(dirs) > 1:
            raise EarlyWarningError(f"the rules read {name} in both directions; no search is exact")
        d = dirs.pop()
        # the variable's own measure (the caseload, not the caseload against target)
        own = base.get(_space.measures_fed(name)[0], math.nan)
        current = own
        if math.isnan(current):
            if any(i.kind == "risk" for i in inds):
                continue  # data added on a risk can only add points
            lo, hi, _ = _space.bounds(name)
            current = hi if d > 0 else lo  # a mitigation not recorded: as if nothing was done
        edges = edges_of(rules, name, base)
        moves = moves_of(edges, current, name, d, limits_of(name, follows))
        if moves:
            out.append(Var(name, inds, tuple(edges), own, tuple(moves), follows))
    return out


# ----------------------------------------------------------------------------------------------
# Scoring candidates in batches

# A candidate: for each variable index in the set, the index of its move.
Candidate = tuple[tuple[int, int], ...]


def score_batch(
    rules: Ruleset, base: ProfileColumns, variables: Sequence[Var], cands: Sequence[Candidate]
) -> tuple[np.ndarray, np.ndarray]:
    """The band index and score of each candidate, in one evaluation."""
    ev = evaluate_columns(_space.columns(moved_columns(base, variables, cands)), rules)
    return ev.band, ev.score


def moved_columns(
    base: ProfileColumns, variables: Sequence[Var], cands: Sequence[Candidate]
) -> dict[str, np.ndarray]:
    """The measures of each candidate: the profile's, with its variables moved."""
    n = len(cands)
    measures = {name: np.repeat(col, n) for name, col in base.measures.items()}
    # one column of new values per variable, NaN where a row leaves it as it is (a column made
    # once for the batch: made per value, the columns cost more than the scoring)
    table = np.full((len(variables), n), np.nan)
    for row, cand in enumerate(cands):
        for v, m in cand:
            table[v, row] = variables[v].moves[m][0]
    values = {v: table[v] for v in {v for cand in cands for v, _ in cand}}
    moved: dict[str, tuple[DerivedMeasure, float, np.ndarray]] = {}
    for v, col in values.items():
        var = variables[v]
        changed = ~np.isnan(col)
        name = "previous_rating_grade" if var.name == "previous_rating" else var.name
        measures[name] = np.where(changed, col, measures[name])
        for d, reference in var.follows:
            before = moved.get(d.name)
            moved[d.name] = (d, reference, changed if before is None else before[2] | changed)
    # derived once every variable has moved, from both operands as moved (the caseload and its
    # target may both move), a reference held as it was
    for d, reference, changed in moved.values():
        held = measures[d.held] if d.held is not None else reference
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            measures[d.name] = np.where(
                changed, d.forward(measures[d.lever], held), measures[d.name]
            )
    return measures


def move_gains(s: Search, bound: Bound) -> MoveGains:
    """The bound of each variable's each move (see :class:`MoveGains`), from one evaluation of
    the profile and of every move alone."""
    rows: list[tuple[int, int] | None] = [None]
    rows += [(v, m) for v, var in enumerate(s.variables) for m in range(len(var.moves))]
    cands = [() if at is None else (at,) for at in rows]
    measures = moved_columns(s.base, s.variables, cands)
    s.scored += len(cands)
    ev = evaluate_columns(_space.columns(measures), s.rules)
    return gains_of(bound, s.rules, ev.points, measures, rows)


def products(variables: Sequence[Var], subset: tuple[int, ...], cost: int) -> Iterator[Candidate]:
    """Every candidate on ``subset`` whose thresholds crossed add up to ``cost``."""
    if not subset:
        if cost == 0:
            yield ()
        return
    first, rest = subset[0], subset[1:]
    least_rest = sum(variables[v].moves[0][1] for v in rest)
    for m, (_, levels, _) in enumerate(variables[first].moves):
        if levels + least_rest > cost:
            break
        for tail in products(variables, rest, cost - levels):
            yield ((first, m), *tail)


def bounded_products(
    s: Search, bound: Bound, gains: MoveGains, subset: tuple[int, ...], cost: int
) -> Iterator[Candidate]:
    """The candidates of :func:`products` whose moves could take off enough points: a branch
    stops when what its moves take off, with the rest moved as far as they go, cannot."""
    n = len(subset)
    least, most, far, reach = [0] * (n + 1), [0] * (n + 1), [0.0] * (n + 1), [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        v = subset[i]
        least[i] = least[i + 1] + s.variables[v].moves[0][1]
        most[i] = most[i + 1] + s.variables[v].moves[-1][1]
        far[i] = far[i + 1] + max(gains.private[v])
        reach[i] = reach[i + 1] | functools.reduce(operator.or_, gains.shared[v])
    tails = _Tails(s.variables, bound, gains, subset, least, most, far, reach)
    yield from tails.walk(0, cost, 0.0, 0, ())


@dataclass(frozen=True)
class _Tails:
    """What :func:`bounded_products` walks over, held once for the whole walk."""

    variables: Sequence[Var]
    bound: Bound
    gains: MoveGains
    subset: tuple[int, ...]
    least: list[int]  # the fewest thresholds the variables from i on cross
    most: list[int]  # the most they cross
    far: list[float]  # the most the variables from i on take off their own rules
    reach: list[int]  # the shared rules the variables from i on could move

    def walk(
        self, i: int, cost: int, gain: float, shared: int, head: Candidate
    ) -> Iterator[Candidate]:
        if i == len(self.subset):
            if cost == 0:
                yield head
            return
        v = self.subset[i]
        for m, (_, levels, _) in enumerate(self.variables[v].moves):
            if levels + self.least[i + 1] > cost:
                break
            if levels + self.most[i + 1] < cost:
                continue  # the rest cannot cross enough thresholds to make up the cost
            g = gain + self.gains.private[v][m]
            bits = shared | self.gains.shared[v][m]
            best = g + self.far[i + 1] + self.bound.gain(bits | self.reach[i + 1])
            if self.bound.enough(best):
                yield from self.walk(i + 1, cost - levels, g, bits, (*head, (v, m)))


def furthest(variables: Sequence[Var], subset: Iterable[int]) -> Candidate:
    return tuple((v, len(variables[v].moves) - 1) for v in subset)


@dataclass
class Search:
    """One search: the profile's columns, the variables, the target band and the bound that
    rules sets out before they are built (None: every set is tried, as the tests compare)."""

    rules: Ruleset
    base: ProfileColumns
    variables: list[Var]
    target: int
    bound: Bound | None = None
    scored: int = 0  # candidates scored so far, against the budget
    stopped: bool = False  # the budget ran out with candidates still to score
    proven: bool = False  # the best found is the smallest: its layer was scored in full
    # the best set seen to reach the target moving each variable as far as it goes, as
    # (variables, thresholds crossed, score, candidate): the answer if the budget runs out first
    fallback: tuple[int, int, float, Candidate] | None = None
    gains: MoveGains | None = None  # the bound move by move, made when first needed

    def hits(self, cands: Iterable[Candidate]) -> list[tuple[float, Candidate]]:
        """The candidates that reach the target band, with their scores; no more are scored
        than the budget allows, and ``stopped`` is set when some are left."""
        out: list[tuple[float, Candidate]] = []
        left = iter(cands)
        while chunk := list(itertools.islice(left, max(min(BATCH_ROWS, BUDGET - self.scored), 0))):
            band, points = score_batch(self.rules, self.base, self.variables, chunk)
            self.scored += len(chunk)
            out += [(float(points[i]), c) for i, c in enumerate(chunk) if band[i] <= self.target]
        if next(left, None) is not None:
            self.stopped = True
        return out

    def subsets(self, k: int) -> list[tuple[int, ...]]:
        """The sets of ``k`` variables that reach the target when each moves as far as it goes,
        in the order of :func:`itertools.combinations`, so that ties between equal candidates
        fall the same way whether the bound has ruled sets out or not."""
        n = len(self.variables)
        sets = (
            itertools.combinations(range(n), k)
            if self.bound is None
            else bounded_subsets(self.bound, k)
        )
        reach = []
        for points, cand in self.hits(furthest(self.variables, sub) for sub in sets):
            reach.append(tuple(v for v, _ in cand))
            entry = (k, sum(self.variables[v].moves[m][1] for v, m in cand), points, cand)
            if self.fallback is None or entry[:3] < self.fallback[:3]:
                self.fallback = entry
        return sorted(reach)

    def layer(self, subsets: Sequence[tuple[int, ...]], cost: int) -> list[tuple[float, Candidate]]:
        if self.bound is None:
            return self.hits(c for sub in subsets for c in products(self.variables, sub, cost))
        if self.gains is None:
            self.gains = move_gains(self, self.bound)
        bound, gains = self.bound, self.gains
        return self.hits(
            c for sub in subsets for c in bounded_products(self, bound, gains, sub, cost)
        )


def dominated(cand: Candidate, by: Candidate, variables: Sequence[Var]) -> bool:
    """True when ``by`` changes no more variables, none of them further, than ``cand``."""
    moved = dict(cand)
    return all(
        v in moved and variables[v].moves[m][1] <= variables[v].moves[moved[v]][1] for v, m in by
    )


def layers(s: Search, k: int, subsets: Sequence[tuple[int, ...]], found: list[Any]) -> None:
    """Add the hits on ``subsets`` to ``found``, cheapest first, up to two levels past the
    cheapest hit (for alternatives); a hit that only adds to one already found is left out.
    The first hits of the search prove the smallest change when their level was scored whole."""
    least = min(sum(s.variables[v].moves[0][1] for v in sub) for sub in subsets)
    most = max(sum(s.variables[v].moves[-1][1] for v in sub) for sub in subsets)
    first = None
    for cost in range(least, most + 1):
        if s.stopped or (first is not None and cost > first + 2):
            return  # the best is found (or the budget is spent): the rest are alternatives
        hits = sorted(s.layer(subsets, cost), key=lambda h: h[0])
        if hits and not found:
            s.proven = not s.stopped
        for points, cand in hits:
            if not any(dominated(cand, f[3], s.variables) for f in found):
                found.append((k, cost, points, cand))
        if hits and first is None:
            first = cost


def search(s: Search) -> list[Candidate]:
    """The best candidate then the alternatives, best first; empty when none reaches.

    Sets of one variable first, then two, and so on; within a size, by thresholds crossed. The
    size after the best is searched too, for alternatives, while few have been found. When the
    budget runs out before the best is proven (``s.proven`` False), the best found comes first,
    or the best set moved as far as it goes.
    """
    found: list[tuple[int, int, float, Candidate]] = []
    for k in range(1, len(s.variables) + 1):
        if s.stopped or (found and (len(found) > ALTERNATIVES or k > found[0][0] + 1)):
            break
        subsets = s.subsets(k)
        if subsets:
            layers(s, k, subsets, found)
    if not found and s.fallback is not None:
        found.append(s.fallback)
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    return [f[3] for f in found[: 1 + ALTERNATIVES]]
