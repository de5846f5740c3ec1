"""The space of values a ruleset reads: shared by what-if, smallest change and score ranges.

A *variable* is what a person can set on a profile: a field, or the budget cut (set through the
budgets or directly). Each variable feeds one or more measures (the average caseload feeds the
caseload and, with the council's target, the caseload against target). Every rule is a step
function of its measures, so a variable matters only through the thresholds where some rule
changes: the intervals between them are the only values worth trying.

Which measure is derived from which fields, and how, is read from
:mod:`earlywarning.profile.derived`. A peer-relative or trend measure is a field of its own
here (an item of data to collect: its reference, the neighbours' median or the rate two years
earlier, is data too), but it moves with its lever when the reference is known
(:func:`moved_with`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from earlywarning.profile import DERIVED, FIELDS, RATINGS, DerivedMeasure, ProfileColumns
from earlywarning.profile.derived import CASELOAD_ABOVE_TARGET
from earlywarning.rules import Indicator, Ruleset

__all__ = [
    "CASELOAD_ABOVE",
    "VARIABLE_OF",
    "bounds",
    "columns",
    "directions",
    "indicators_fed",
    "measures_fed",
    "moved_with",
    "thresholds",
    "variables",
]

CASELOAD_ABOVE = CASELOAD_ABOVE_TARGET.name

# Measures set through another variable; every other measure is its own variable. A measure no
# profile gives moves with its variable (the caseload against target with the caseload: raising
# the council's own target is not a change in risk).
VARIABLE_OF: dict[str, str] = {
    **{d.name: d.variable for d in DERIVED if not d.given},
    "previous_rating_grade": "previous_rating",
}

_SPEC = {f.name: f for f in FIELDS}


def measures_fed(variable: str) -> tuple[str, ...]:
    """The measures a variable moves.

    Example:
        >>> measures_fed("avg_caseload")
        ('avg_caseload', 'caseload_above_target_pct')
    """
    fed = tuple(m for m, v in VARIABLE_OF.items() if v == variable)
    own = () if variable == "previous_rating" else (variable,)
    return own + fed


def moved_with(variable: str) -> tuple[DerivedMeasure, ...]:
    """The derived measures that move when the field ``variable`` moves, the other operand
    fixed. The budget cut is not among them: it is a variable of its own, which a change writes
    as a new current budget.

    Example:
        >>> [d.name for d in moved_with("vacancy_rate_pct")]
        ['vacancy_rate_vs_neighbours_pp', 'vacancy_rate_change_2y_pp']
        >>> [d.name for d in moved_with("caseload_target")], moved_with("budget_cut_pct")
        (['caseload_above_target_pct'], ())
    """
    return tuple(d for d in DERIVED if d.variable != d.name and variable in d.inputs)


def variables(rules: Ruleset) -> list[str]:
    """The variables the ruleset's indicators read, in ruleset order.

    Example:
        >>> import earlywarning as ew
        >>> variables(ew.load_ruleset())[:3]
        ['budget_cut_pct', 'early_help_spend_change_pct', 'demand_change_pct']
    """
    out: list[str] = []
    for ind in rules.indicators:
        var = VARIABLE_OF.get(ind.measure, ind.measure)
        if var not in out:
            out.append(var)
    return out


def indicators_fed(rules: Ruleset, variable: str) -> list[Indicator]:
    """The indicators whose measure the variable moves.

    Example:
        >>> import earlywarning as ew
        >>> [i.id for i in indicators_fed(ew.load_ruleset(), "avg_caseload")]
        ['caseload', 'caseload_above_target']
    """
    fed = measures_fed(variable)
    return [ind for ind in rules.indicators if ind.measure in fed]


def directions(rules: Ruleset) -> dict[str, int]:
    """+1 where a higher value of the measure is worse, -1 where it is better.

    Read from the first indicator on each measure; the loader makes every indicator on a measure
    agree, which is what makes the score monotone in each measure.

    Example:
        >>> import earlywarning as ew
        >>> d = directions(ew.load_ruleset())
        >>> d["agency_rate_pct"], d["reinvestment_pct"]
        (1, -1)
    """
    out: dict[str, int] = {}
    for ind in rules.indicators:
        out.setdefault(ind.measure, 1 if ind.direction == "higher_is_worse" else -1)
    return out


def thresholds(rules: Ruleset, measure: str) -> list[float]:
    """Every value of ``measure`` at which some rule's result changes, sorted.

    Example:
        >>> import earlywarning as ew
        >>> thresholds(ew.load_ruleset(), "vacancy_rate_pct")
        [10.0, 15.0, 20.0]
    """
    out: set[float] = set()
    for ind in rules.indicators:
        if ind.measure == measure:
            out.update(lv.from_ for lv in ind.levels[1:] if lv.from_ is not None)
    for combo in rules.combinations:
        for cond in combo.conditions:
            if cond.measure == measure:
                out.update(x for x in (cond.from_, cond.below) if x is not None)
    return sorted(out)


def bounds(variable: str) -> tuple[float, float, bool]:
    """The lowest and highest value a variable can take, and whether it is a whole number.

    An exclusive minimum (a caseload target must be above 0) gives the next float up. The budget
    cut has no lowest value: a budget can grow without limit.

    Example:
        >>> bounds("agency_rate_pct"), bounds("previous_rating"), bounds("budget_cut_pct")
        ((0.0, 100.0, False), (1.0, 4.0, True), (-inf, 100.0, False))
    """
    if variable == "previous_rating":
        return 1.0, float(len(RATINGS)), True
    spec = _SPEC[variable]
    if spec.kind == "flag":
        return 0.0, 1.0, True
    lo = -math.inf if spec.minimum is None else float(spec.minimum)
    if spec.exclusive_minimum:
        lo = math.nextafter(lo, math.inf)
    hi = math.inf if spec.maximum is None else float(spec.maximum)
    return lo, hi, spec.kind == "integer"


def columns(measures: Mapping[str, np.ndarray]) -> ProfileColumns:
    """Measure columns of equal length as :class:`ProfileColumns` with no failed row.

    Example:
        >>> list(columns({"agency_rate_pct": np.array([12.0, 30.0])}).error)
        [None, None]
    """
    n = len(next(iter(measures.values()))) if measures else 0
    return ProfileColumns(measures=dict(measures), error=np.full(n, None, dtype=object))
