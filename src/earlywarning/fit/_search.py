"""The coordinate search behind :func:`earlywarning.fit.fit`: which numbers may move, and how.

Private machinery: :func:`search` and :class:`Move` are public within this module and used by
:mod:`earlywarning.fit`, which turns each move into a :class:`~earlywarning.fit.Change`.

A search tries thousands of candidate values and keeps a few dozen. Each candidate is scored
in integer columns of every rule's points (:class:`_Points`), where only the moved rule is
worked out again, and built as a ruleset only if it could be chosen; the engine scores the
starting and the fitted ruleset, and every candidate when the points are not whole decimals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from earlywarning.engine import MAX_SCORE, Evaluation, evaluate_columns, scale_of
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
class _Group:
    """Rules whose points are netted together: a mitigation and the risks it offsets (it takes
    away at most what they scored), or one rule on its own. Columns as in :class:`_Points`."""

    risks: tuple[int, ...]
    mitigation: int | None


class _Points:
    """Each rule's points on every scored row, as integers of ``1/scale``, kept in step with the
    accepted moves, so that a candidate is scored by redoing one rule's column and its group's
    net instead of the whole ruleset (columns: the indicators, then the combinations).

    A move changes one rule's points on some rows: an indicator's level edges or points, or a
    combination's points on the rows it fires on (its conditions never move). The other rules,
    and the nets of the other groups, are unchanged, so the new total is the old one with one
    group's net replaced. Scores are the totals clamped to 0..100, in the engine's order with
    its ties, and the AUC (a function of that order alone) is the engine's to the last bit.
    """

    def __init__(
        self,
        start: Ruleset,
        data: dict[str, Any],
        ev: Evaluation,
        keep: np.ndarray,
        y: np.ndarray,
        scale: int,
    ) -> None:
        k = len(start.indicators)
        self.scale = scale
        self.y = y[keep]
        measures = ev.columns.measures
        self.values = np.column_stack([measures[i.measure] for i in start.indicators])[keep]
        self.level = ev.level[keep].astype(np.intp)
        self.fires = ev.points[keep, k:] != 0  # a combination scores only when it fires
        ids = [i.id for i in start.indicators] + [c.id for c in start.combinations]
        column = {rid: c for c, rid in enumerate(ids)}
        self.groups: list[_Group] = []
        self.group_of = [-1] * len(column)
        for c, ind in enumerate(start.indicators):
            if ind.kind == "mitigation":
                self._add(_Group(tuple(column[t] for t in ind.offsets), c))
        for c in range(len(column)):
            if self.group_of[c] < 0:
                self._add(_Group((c,), None))
        self.raw = np.zeros((int(keep.sum()), len(column)), dtype=np.int64)
        for c in range(k):
            self.raw[:, c] = self._indicator(data, c, self.level[:, c])
        for j in range(len(start.combinations)):
            self.raw[:, k + j] = self.fires[:, j] * self._scaled(data["combinations"][j]["points"])
        self.nets = [self._net(g) for g in self.groups]
        self.total = np.sum(self.nets, axis=0, dtype=np.int64)

    def _add(self, group: _Group) -> None:
        members = (*group.risks, *([] if group.mitigation is None else [group.mitigation]))
        for c in members:
            self.group_of[c] = len(self.groups)
        self.groups.append(group)

    def _scaled(self, x: float) -> int:
        return round(x * self.scale)

    def _indicator(self, data: dict[str, Any], i: int, level: np.ndarray) -> np.ndarray:
        """Indicator ``i``'s points on each row from its level (-1, no data, scores 0)."""
        levels = data["indicators"][i]["levels"]
        table = np.array([self._scaled(lv["points"]) for lv in levels] + [0], dtype=np.int64)
        out: np.ndarray = table[level]
        return out

    def _net(self, group: _Group, c: int = -1, column: np.ndarray | None = None) -> np.ndarray:
        """``group``'s net points on each row, with column ``c`` replaced by ``column``."""
        risks = np.zeros(len(self.raw), dtype=np.int64)
        for r in group.risks:
            risks += column if r == c and column is not None else self.raw[:, r]
        if group.mitigation is None:
            return risks
        m = group.mitigation
        own = column if m == c and column is not None else self.raw[:, m]
        return risks + np.maximum(own, -risks)

    def _moved(
        self, data: dict[str, Any], knob: Knob, old: float, value: float
    ) -> tuple[int, np.ndarray, np.ndarray | None]:
        """The column ``knob`` moves, its points with ``value``, and the indicator's new levels."""
        if knob.level is None:
            c = self.level.shape[1] + knob.index
            return c, self.fires[:, knob.index] * self._scaled(value), None
        i, j = knob.index, knob.level
        if knob.field == "points":
            moved = np.where(self.level[:, i] == j, self._scaled(value), self.raw[:, i])
            return i, moved, None
        # the rows between the old edge and the new cross it, between level j - 1 and j
        v = self.values[:, i]
        crossing = (v >= min(old, value)) & (v < max(old, value))
        level = np.where(crossing, j if value < old else j - 1, self.level[:, i])
        return i, self._indicator(_with(data, knob, value), i, level), level

    def _total(self, c: int, column: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        """Every row's total with column ``c`` replaced: its group, and the group's new net."""
        g = self.group_of[c]
        net = self._net(self.groups[g], c, column)
        return self.total - self.nets[g] + net, g, net

    def auc_with(self, data: dict[str, Any], knob: Knob, old: float, value: float) -> float:
        """The AUC with ``knob`` moved from ``old`` to ``value``."""
        c, column, _ = self._moved(data, knob, old, value)
        total = self._total(c, column)[0]
        return auc(np.clip(total, 0, MAX_SCORE * self.scale), self.y)

    def accept(self, data: dict[str, Any], knob: Knob, old: float, value: float) -> None:
        """Keep the move of ``knob`` from ``old`` to ``value`` (``data`` from before it)."""
        c, column, level = self._moved(data, knob, old, value)
        self.total, g, self.nets[g] = self._total(c, column)
        self.raw[:, c] = column
        if level is not None:
            self.level[:, c] = level


def _points(
    start: Ruleset,
    data: dict[str, Any],
    first: Evaluation,
    keep: np.ndarray,
    y: np.ndarray,
    knobs: list[Knob],
    grid_points: int,
) -> _Points | None:
    """The integer columns of a search, or None when the engine must score each candidate.

    They hold when every points value a candidate can have is a whole number of one decimal
    step, with totals well inside the 2**53 integers a float holds exactly, and when they give
    the engine's own scores for the starting ruleset.
    """
    numbers = [lv.points for ind in start.indicators for lv in ind.levels]
    numbers += [c.points for c in start.combinations]
    numbers += [
        v for kn in knobs if kn.field == "points" for v in _grid(kn.low, kn.high, grid_points)
    ]
    scale = scale_of(numbers)
    if scale is None or sum(abs(x) for x in numbers) * scale >= 2**53:
        return None
    points = _Points(start, data, first, keep, y, scale)
    scores = np.clip(points.total, 0, MAX_SCORE * scale) / scale
    return points if np.array_equal(scores, first.score[keep]) else None


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
    min_gain: float


def _checked(
    data: dict[str, Any], knob: Knob, value: float
) -> tuple[dict[str, Any], Ruleset] | None:
    """``data`` with ``knob`` at ``value``, and its ruleset if the loader's checks pass it."""
    moved = _with(data, knob, value)
    try:
        return moved, ruleset_from_data(moved, "<fit>")
    except RuleFileError:
        return None


def _better(gain: float, value: float, best: tuple[float, float] | None, old: float) -> bool:
    """Whether a candidate beats the best so far: more AUC, or as much and a smaller move."""
    return (
        best is None
        or gain > best[0] + _TIE
        or (gain >= best[0] - _TIE and abs(value - old) < abs(best[1] - old))
    )


def _dominates(w: int, values: list[float], gains: list[float], old: float) -> bool:
    """Whether candidate ``w`` beats every other, whichever comes first: then it wins among
    any of the candidates that include it, so that no other needs building to check."""
    return all(
        _better(gains[w], values[w], (gains[c], values[c]), old)
        and not _better(gains[c], values[c], (gains[w], values[w]), old)
        for c in range(len(values))
        if c != w
    )


def _best_move(
    problem: _Problem, data: dict[str, Any], knob: Knob, score: float, points: _Points | None
) -> tuple[float, float, dict[str, Any], Ruleset] | None:
    """The value of ``knob`` that gains most AUC (the smallest move among equals), if it gains
    more than ``min_gain``; a candidate the loader refuses is passed over.

    With integer columns every candidate is scored without being built. When none gains more
    than ``min_gain``, none the loader passes can either. When the best beats every other
    outright, only it is built (if the loader refused it, the others are tried as below).
    Otherwise a candidate is built only when it would be the best so far, as when each was
    built to be scored, so the same move wins.
    """
    old = _get(data, knob)
    values = [
        value
        for value in _grid(knob.low, knob.high, problem.grid_points)
        if value != old
        and _allowed(data, knob, value)
        # a move that changes no row's level or points cannot change the AUC
        and _touches(data, knob, old, value, problem.values, problem.fires)
    ]
    gains: list[float | None] = [None] * len(values)
    if points is not None:
        scored = [points.auc_with(data, knob, old, value) - score for value in values]
        if max(scored, default=-math.inf) <= problem.min_gain:
            return None
        w = max(range(len(values)), key=lambda c: scored[c])
        if _dominates(w, values, scored, old) and (built := _checked(data, knob, values[w])):
            return scored[w], values[w], *built
        gains = list(scored)
    best: tuple[float, float, dict[str, Any], Ruleset] | None = None
    for value, gain in zip(values, gains, strict=True):
        built = None
        if gain is None:
            built = _checked(data, knob, value)
            if built is None:
                continue
            gain = auc_of(built[1], problem.cols, problem.y) - score
        if _better(gain, value, None if best is None else best[:2], old):
            built = built or _checked(data, knob, value)
            if built is None:
                continue
            best = (gain, value, *built)
    return best if best is not None and best[0] > problem.min_gain else None


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
        min_gain,
    )
    before = auc(first.score[keep], y[keep]) if y[keep].any() and not y[keep].all() else math.nan
    changes: list[Move] = []
    if math.isnan(before):
        return start, before, before, changes, rows_used
    current, data, score = start, start.to_data(), before
    knobs = _knobs(start)
    points = _points(start, data, first, keep, y, knobs, grid_points)
    rng = np.random.default_rng(seed) if seed is not None else None
    for round_no in range(1, max_rounds + 1):
        moved = False
        order = rng.permutation(len(knobs)) if rng is not None else range(len(knobs))
        for k in order:
            knob = knobs[int(k)]
            old = _get(data, knob)
            best = _best_move(problem, data, knob, score, points)
            if best is not None:
                gain, value, moved_data, current = best
                if points is not None:
                    points.accept(data, knob, old, value)
                data = moved_data
                score += gain
                changes.append(Move(knob, old, value, gain, round_no))
                moved = True
        if not moved:
            break
    return current, before, auc_of(current, cols, y), changes, rows_used
