"""The bound that keeps the smallest-change search small: the most points a set of variables
could take off, so that a set which cannot reach the target is never enumerated.

Per rule, the most it can fall from where the profile is now: a risk indicator, its points now
less the fewest any of its levels gives; a combination, its points if it fires now; a
mitigation, the credit it could still add, its largest credit less the credit it gives now
(its cap can only lower that). The search moves each variable only the better way, so a rule
that none of a set's variables moves keeps its points, and a mitigation's cap only falls with
the risks it offsets, which adds points back. So a set can take off at most the sum over the
rules any of its variables moves: the bound of a set is never more than the bounds of its
variables added up, which lets a depth-first walk over the sets, the variables taken by their
own bound, largest first, stop as soon as the best that is left cannot bring the total under
the target band's upper edge.

Red flags lift the band whatever the points. A rule that keeps its level keeps its flag, so a
set must move every rule whose flag holds the band above the target.

Within a set, each candidate (a move of each variable) is bounded the same way, move by move
(:class:`MoveGains`): a rule only one variable moves falls by what that move alone takes off it
(a mitigation by the credit it adds with the risks it offsets as they are now, which their fall
can only shrink); a rule several variables move falls only if one of them moves it (for a
combination, breaks one of its conditions), and by its whole bound at most.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from earlywarning.explain import Assessment
from earlywarning.rules import BAND_NAMES, Condition, Ruleset

__all__ = ["TOLERANCE", "Bound", "MoveGains", "bound_of", "bounded_subsets", "gains_of"]

# A set is kept when its bound is more than the points it must take off, less this: totals are
# sums of the rules' points, exact in hundredths, and a float ruleset's score is rounded to six
# places, so a bound short of the need by less than this is a float's rounding, not a real gap.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Bound:
    """What each variable could take off, as bit masks over the rules it moves."""

    need: float  # the points to take off to fall under the target band's upper edge
    reduction: tuple[float, ...]  # per rule (indicators, then combinations): the most it falls
    masks: tuple[int, ...]  # per variable: the rules it moves, one bit each
    flags: int  # the rules whose red flag keeps the band above the target

    # the gain of each mask asked for: the walks ask for the same few masks again and again
    known: dict[int, float] = field(default_factory=dict, compare=False, repr=False)

    def gain(self, mask: int) -> float:
        """The most the rules in ``mask`` could take off together."""
        out = self.known.get(mask)
        if out is None:
            out = self.known[mask] = sum(r for i, r in enumerate(self.reduction) if mask >> i & 1)
        return out

    def own(self, v: int) -> float:
        """The most variable ``v`` could take off on its own."""
        return self.gain(self.masks[v])

    def reaches(self, mask: int, gain: float) -> bool:
        """Whether a set moving the rules in ``mask``, taking off ``gain`` at most, could reach
        the target: it clears every red flag above it and could take off enough points."""
        return not self.flags & ~mask and self.enough(gain)

    def enough(self, gain: float) -> bool:
        """Whether taking off ``gain`` points could bring the total under the edge."""
        return gain > self.need - TOLERANCE


def bound_of(rules: Ruleset, before: Assessment, moved: Sequence[set[str]], target: int) -> Bound:
    """The bound for a profile assessed as ``before``, for variables moving the measures in
    ``moved``, and the target band's index."""
    now = {c.indicator: c for c in before.contributions}
    reduction: list[float] = []
    reads: list[set[str]] = []
    for ind in rules.indicators:
        points = now[ind.id].points if ind.id in now else 0.0
        least = min(lv.points for lv in ind.levels)
        reduction.append(max(points - least, 0.0))
        reads.append({ind.measure})
    for combo in rules.combinations:
        reduction.append(now[combo.id].points if combo.id in now else 0.0)
        reads.append({c.measure for c in combo.conditions})
    flags = 0
    ids = [*(i.id for i in rules.indicators), *(c.id for c in rules.combinations)]
    for i, rule_id in enumerate(ids):
        c = now.get(rule_id)
        if c is not None and c.red_flag and BAND_NAMES.index(c.red_flag) > target:
            flags |= 1 << i
    masks = tuple(
        sum(1 << i for i, measures in enumerate(reads) if measures & fed) for fed in moved
    )
    # the score is the total clipped to 0..100: a total over 100 must still fall under the edge
    total = sum(c.points for c in before.contributions)
    edge = rules.bands[target + 1].from_
    need = total - edge if edge <= 100 else -math.inf
    return Bound(need, tuple(reduction), masks, flags)


def bounded_subsets(bound: Bound, k: int) -> Iterator[tuple[int, ...]]:
    """The sets of ``k`` variables whose bound could reach the target, each in ascending order.

    Depth first over the variables sorted by their own bound, largest first: a branch stops when
    its chosen variables' bound plus the next best ones' cannot take off enough, or when a red
    flag that must go is moved by none of the variables left.
    """
    order = sorted(range(len(bound.masks)), key=lambda v: -bound.own(v))
    own = [bound.own(v) for v in order]
    best = [0.0]  # best[j]: the bounds of the first j variables in order, added up
    for x in own:
        best.append(best[-1] + x)
    left = [0] * (len(order) + 1)  # left[j]: the rules the variables from j on move
    for j in range(len(order) - 1, -1, -1):
        left[j] = left[j + 1] | bound.masks[order[j]]
    yield from _walk(bound, order, best, left, k, 0, (), 0, 0.0)


def _walk(
    bound: Bound,
    order: list[int],
    best: list[float],
    left: list[int],
    k: int,
    start: int,
    chosen: tuple[int, ...],
    mask: int,
    gain: float,
) -> Iterator[tuple[int, ...]]:
    r = k - len(chosen)
    if r == 0:
        if bound.reaches(mask, gain):
            yield tuple(sorted(chosen))
        return
    for j in range(start, len(order) - r + 1):
        # the most any set through here could take off: what is chosen, then the next r
        # variables, whose bounds are the largest left (a later j only does worse)
        if not bound.reaches(mask | left[j], gain + best[j + r] - best[j]):
            return
        v = order[j]
        new = bound.masks[v] & ~mask
        yield from _walk(
            bound, order, best, left, k, j + 1, (*chosen, v), mask | new, gain + bound.gain(new)
        )


@dataclass(frozen=True)
class MoveGains:
    """The bound of a candidate, move by move: for each variable and each of its moves, the
    points it takes off the rules no other variable moves, and the rules it shares with others
    that it could take points off (bits, as in :class:`Bound`). A candidate takes off at most
    the sum of the first over its moves plus the bound of the union of the second."""

    private: tuple[tuple[float, ...], ...]
    shared: tuple[tuple[int, ...], ...]


def gains_of(
    bound: Bound,
    rules: Ruleset,
    points: np.ndarray,
    measures: Mapping[str, np.ndarray],
    rows: Sequence[tuple[int, int] | None],
) -> MoveGains:
    """The move gains from an evaluation of one row per move: ``rows`` names the variable and
    move of each row, None for the profile as it is (the first), ``points`` and ``measures``
    are the rules' points and the measures of those rows."""
    movers = [sum(m >> r & 1 for m in bound.masks) for r in range(len(bound.reduction))]
    now = points[0]
    n_ind = len(rules.indicators)
    private: list[list[float]] = [[] for _ in bound.masks]
    shared: list[list[int]] = [[] for _ in bound.masks]
    for row, at in enumerate(rows):
        if at is None:
            continue
        v = at[0]
        gain, bits = 0.0, 0
        for r in range(len(bound.reduction)):
            if not bound.masks[v] >> r & 1 or not bound.reduction[r]:
                continue
            if movers[r] == 1:  # its points follow this variable alone: what this move takes off
                gain += min(max(now[r] - points[row, r], 0.0), bound.reduction[r])
            elif r < n_ind or _breaks(rules.combinations[r - n_ind].conditions, measures, row):
                bits |= 1 << r
        private[v].append(gain)
        shared[v].append(bits)
    return MoveGains(tuple(map(tuple, private)), tuple(map(tuple, shared)))


def _holds(cond: Condition, x: float) -> bool:
    return (cond.from_ is None or x >= cond.from_) and (cond.below is None or x < cond.below)


def _breaks(conditions: Sequence[Condition], measures: Mapping[str, np.ndarray], row: int) -> bool:
    """Whether row ``row`` makes a condition that holds for the profile (row 0) fail."""
    return any(
        c.measure in measures
        and _holds(c, measures[c.measure][0])
        and not _holds(c, measures[c.measure][row])
        for c in conditions
    )
