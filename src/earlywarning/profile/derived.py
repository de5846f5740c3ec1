"""The derived measures: for each, the one statement of what it comes from and how.

A derived measure is worked out from two operands. The *lever* is the profile field a change
moves (the current budget, the caseload, the vacancy rate). The *held* operand stays put when the
lever moves: another profile field (the baseline budget, the caseload target) or, for a
peer-relative or trend measure, a *reference* that is no profile field (the median of the
statistical neighbours' rates in the same census, the council's own rate two years earlier).

Each declaration gives the arithmetic three ways, each one function that works on floats and
numpy arrays alike (missing is NaN, and NaN in gives NaN out):

* ``forward(lever, held)``: the measure;
* ``inverse(measure, held)``: the lever that gives that measure, the held operand kept (a new
  cut written as a current budget; a caseload edge in cases; a vacancy rate for a gap);
* ``held_from(measure, lever)``: the held operand (the neighbours' median is the rate minus the
  gap, which is what lets a what-if hold the median fixed while the rate moves).

and says which way each operand moves the measure, so that the load-time monotonicity check and
the filling of missing data can ask "does this input raise the measure?" (:meth:`rises_with`).

Whoever computes, checks, fills, searches or changes a derived measure reads it from here:
the profile checks (:func:`~earlywarning.profile.derive_budget_cut`, the caseload against target
on one profile and on a frame), the filling of missing data and the score ranges, what-if, the
smallest change, the rules' monotonicity check, the bundled data's peer and trend measures and
the hypothesis strategies.

What a what-if does with a derived measure that is also a field (the budget cut, the peer and
trend measures) follows from the table (see :mod:`earlywarning.whatif`): a change to the lever
moves the measure with the held operand fixed, and a new value of the measure, where its lever
and held operand are known, is written as a new value of the lever.

Two derived measures are not here. ``previous_rating_grade`` is the rank of a judgement, not
arithmetic on numbers. ``demand_change_pct`` and ``early_help_spend_change_pct`` are changes in
figures that are no profile field (referrals, spend per child), so no field moves them.

Example:
    >>> cut = BUDGET_CUT.forward(90.0, 131.0)  # current, baseline
    >>> round(cut, 1), round(BUDGET_CUT.inverse(cut, 131.0), 6)
    (31.3, 90.0)
    >>> median = VACANCY_VS_NEIGHBOURS.held_from(3.0, 12.0)  # gap 3 at a rate of 12
    >>> median, VACANCY_VS_NEIGHBOURS.forward(14.0, median)
    (9.0, 5.0)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "AGENCY_CHANGE_2Y",
    "AGENCY_VS_NEIGHBOURS",
    "BUDGET_CUT",
    "CASELOAD_ABOVE_TARGET",
    "CLA_CHANGE_2Y",
    "DERIVED",
    "DERIVED_BY_NAME",
    "VACANCY_CHANGE_2Y",
    "VACANCY_VS_NEIGHBOURS",
    "DerivedMeasure",
    "fed_by",
    "linked_direction",
]

# the arithmetic of one derived measure on its two operands, floats or arrays alike
Arithmetic = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class DerivedMeasure:
    """One derived measure: its operands, its arithmetic both ways, and how each operand moves it.

    Example:
        >>> CASELOAD_ABOVE_TARGET.inputs, CASELOAD_ABOVE_TARGET.rises_with("caseload_target")
        (('avg_caseload', 'caseload_target'), -1)
    """

    name: str
    description: str
    # "fields": held is another profile field; "peer": held is the statistical neighbours'
    # median of the lever; "trend": held is the lever's value some years earlier
    kind: Literal["fields", "peer", "trend"]
    lever: str  # the profile field a change moves
    held: str | None  # the other profile field, or None when the held operand is a reference
    reference: str | None  # the reference in words, when the held operand is no profile field
    forward: Arithmetic  # (lever, held) -> the measure
    inverse: Arithmetic  # (measure, held) -> the lever
    # (measure, lever) -> the held operand; none exists where the lever is 0 (no budget left, no
    # cases), which gives the same measure against any held operand
    held_from: Arithmetic
    lever_sign: int  # +1 where a higher lever raises the measure, -1 where it lowers it
    held_sign: int  # the same for the held operand
    # whether the measure is itself a profile field, which a person may give directly
    given: bool
    # what a person sets to move it: the lever, or for the budget cut the cut itself (a new
    # cut on known budgets is written as a new current budget)
    variable: str

    @property
    def inputs(self) -> tuple[str, ...]:
        """The profile fields it is derived from, the lever first."""
        return (self.lever,) if self.held is None else (self.lever, self.held)

    def rises_with(self, field: str) -> int:
        """+1 when a higher ``field`` raises the measure, -1 when it lowers it, 0 when it is
        not an input.

        Example:
            >>> BUDGET_CUT.rises_with("budget_current_gbp_m"), BUDGET_CUT.rises_with("year")
            (-1, 0)
        """
        if field == self.lever:
            return self.lever_sign
        return self.held_sign if field == self.held else 0

    def moved(self, measure: Any, lever_before: Any, lever_after: Any) -> Any:
        """The measure once its lever moves from ``lever_before`` to ``lever_after``, the held
        operand fixed: NaN where either lever or the measure is missing.

        Example:
            >>> AGENCY_VS_NEIGHBOURS.moved(-2.0, 20.0, 15.0)
            -7.0
        """
        return self.forward(lever_after, self.held_from(measure, lever_before))


def _percent_cut(current: Any, baseline: Any) -> Any:
    # the form the cut has always been computed in, so that every derived cut stays to the bit
    return (baseline - current) / baseline * 100.0


BUDGET_CUT = DerivedMeasure(
    name="budget_cut_pct",
    description="given directly, or derived from the baseline and current budgets",
    kind="fields",
    lever="budget_current_gbp_m",
    held="budget_baseline_gbp_m",
    reference=None,
    forward=_percent_cut,
    inverse=lambda cut, baseline: baseline * (1 - cut / 100),
    held_from=lambda cut, current: current / (1 - cut / 100),
    lever_sign=-1,
    held_sign=1,
    given=True,
    variable="budget_cut_pct",
)
"""The cut in the budget since the baseline, %: (baseline - current) / baseline x 100."""


CASELOAD_ABOVE_TARGET = DerivedMeasure(
    name="caseload_above_target_pct",
    description="how far avg_caseload is above caseload_target, % of the target",
    kind="fields",
    lever="avg_caseload",
    held="caseload_target",
    reference=None,
    # the target is above 0; a tiny one overflows to inf (float division overflows without
    # raising), which scores as the top level of any rule
    forward=lambda avg, target: (avg / target - 1.0) * 100.0,
    inverse=lambda above, target: target * (1 + above / 100),
    held_from=lambda above, avg: avg / (1 + above / 100),
    lever_sign=1,
    held_sign=-1,
    given=False,
    variable="avg_caseload",
)
"""How far the caseload is above the council's own target, % of the target."""


def _against(kind: Literal["peer", "trend"], name: str, lever: str, reference: str) -> Any:
    """A measure that is its lever minus a reference, which stays fixed when the lever moves."""
    return DerivedMeasure(
        name=name,
        description=f"{lever} minus {reference}",
        kind=kind,
        lever=lever,
        held=None,
        reference=reference,
        forward=lambda value, ref: value - ref,
        inverse=lambda gap, ref: gap + ref,
        held_from=lambda gap, value: value - gap,
        lever_sign=1,
        held_sign=-1,
        given=True,
        variable=lever,
    )


VACANCY_VS_NEIGHBOURS: DerivedMeasure = _against(
    "peer",
    "vacancy_rate_vs_neighbours_pp",
    "vacancy_rate_pct",
    "the median of the statistical neighbours' vacancy rates in the same census",
)
AGENCY_VS_NEIGHBOURS: DerivedMeasure = _against(
    "peer",
    "agency_rate_vs_neighbours_pp",
    "agency_rate_pct",
    "the median of the statistical neighbours' agency rates in the same census",
)
VACANCY_CHANGE_2Y: DerivedMeasure = _against(
    "trend",
    "vacancy_rate_change_2y_pp",
    "vacancy_rate_pct",
    "the vacancy rate two censuses earlier",
)
AGENCY_CHANGE_2Y: DerivedMeasure = _against(
    "trend",
    "agency_rate_change_2y_pp",
    "agency_rate_pct",
    "the agency rate two censuses earlier",
)
CLA_CHANGE_2Y: DerivedMeasure = _against(
    "trend",
    "cla_rate_change_2y_per_10k",
    "cla_rate_per_10k",
    "the looked-after rate two years earlier",
)


DERIVED: tuple[DerivedMeasure, ...] = (
    BUDGET_CUT,
    CASELOAD_ABOVE_TARGET,
    VACANCY_VS_NEIGHBOURS,
    AGENCY_VS_NEIGHBOURS,
    VACANCY_CHANGE_2Y,
    AGENCY_CHANGE_2Y,
    CLA_CHANGE_2Y,
)
"""Every derived measure, in the order the profile fields list them."""

DERIVED_BY_NAME: dict[str, DerivedMeasure] = {d.name: d for d in DERIVED}


def fed_by(field: str) -> tuple[DerivedMeasure, ...]:
    """The derived measures that ``field`` is an input of.

    Example:
        >>> [d.name for d in fed_by("vacancy_rate_pct")]
        ['vacancy_rate_vs_neighbours_pp', 'vacancy_rate_change_2y_pp']
    """
    return tuple(d for d in DERIVED if field in d.inputs)


def _links() -> dict[str, tuple[str, int]]:
    """Each derived measure and each of its inputs, as (the variable it moves with, +1 when it
    rises with the variable, -1 when it falls as the variable rises)."""
    out: dict[str, tuple[str, int]] = {}
    for d in DERIVED:
        # the measure moves with its variable; an input moves it by its sign
        sign_of_measure = 1 if d.variable == d.name else d.rises_with(d.variable)
        out.setdefault(d.name, (d.variable, sign_of_measure))
        for field in d.inputs:
            out.setdefault(field, (d.variable, d.rises_with(field) * sign_of_measure))
    return out


_LINKS = _links()


def linked_direction(name: str) -> tuple[str, int]:
    """The variable a measure or field moves with, and +1 when they rise together, -1 when one
    falls as the other rises: a measure and the inputs it is derived from must be read the same
    way (allowing for the sign) for the score to be monotone in what a person changes.

    Example:
        >>> linked_direction("caseload_above_target_pct"), linked_direction("caseload_target")
        (('avg_caseload', 1), ('avg_caseload', -1))
        >>> linked_direction("budget_current_gbp_m"), linked_direction("turnover_rate_pct")
        (('budget_cut_pct', -1), ('turnover_rate_pct', 1))
    """
    return _LINKS.get(name, (name, 1))
