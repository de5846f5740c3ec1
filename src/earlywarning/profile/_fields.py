"""The field table and the checks of one value: private machinery of :mod:`earlywarning.profile`.

Its names are public within the package; users import them from :mod:`earlywarning.profile`,
which re-exports every public one. :data:`FIELDS` is the single statement of what each field
accepts; :func:`check_value` reads one value by it, and the whole-column readers of
:mod:`earlywarning.profile._columns` apply the same rules and messages to a frame at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from earlywarning._names import did_you_mean
from earlywarning.errors import ColumnNameError, ProfileError
from earlywarning.flags import parse_flag
from earlywarning.profile._cells import is_missing, to_float
from earlywarning.profile.derived import BUDGET_CUT, CASELOAD_ABOVE_TARGET
from earlywarning.vocabulary import RATINGS, Rating

__all__ = [
    "DERIVED_MEASURES",
    "FIELDS",
    "FIELD_NAMES",
    "FLAG_MEASURES",
    "MEASURES",
    "NOT_A_FLAG",
    "RANGE_RULES",
    "RATINGS",
    "SLOW",
    "SPEC",
    "ZERO_BASELINE",
    "FieldSpec",
    "Kind",
    "RangeRule",
    "Rating",
    "check_columns",
    "check_value",
    "contradiction",
    "contradicts",
    "derive_budget_cut",
    "fast_value",
    "given_for_message",
    "number_problem",
    "scalar_of",
    "unknown_hint",
]

Kind = Literal["text", "integer", "number", "flag", "rating"]


# Ofsted has used several spellings over three frameworks; all of them mean one of four grades.
# "Adequate" was the third grade of the pre-2013 frameworks and is read as requires improvement.
_RATING_SPELLINGS: dict[str, str] = {
    "outstanding": "outstanding",
    "1": "outstanding",
    "good": "good",
    "2": "good",
    "requires improvement": "requires_improvement",
    "requires improvement to be good": "requires_improvement",
    "requires_improvement": "requires_improvement",
    "requires-improvement": "requires_improvement",
    "ri": "requires_improvement",
    "adequate": "requires_improvement",
    "3": "requires_improvement",
    "inadequate": "inadequate",
    "4": "inadequate",
}


NOT_A_FLAG = "is not yes/no (true/false, 1/0)"


@dataclass(frozen=True)
class FieldSpec:
    """What one profile field accepts."""

    name: str
    kind: Kind
    description: str
    minimum: float | None = None
    maximum: float | None = None
    # True when the minimum itself is refused (a caseload target of 0 cannot be divided by).
    exclusive_minimum: bool = False


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("council", "text", "council name"),
    FieldSpec("year", "integer", "the year the profile describes", 1990, 2100),
    FieldSpec("la_code", "text", "ONS local authority code, e.g. E10000007"),
    FieldSpec("previous_rating", "rating", "last Ofsted overall judgement"),
    FieldSpec("budget_baseline_gbp_m", "number", "children's services budget at the start, £m", 0),
    FieldSpec("budget_current_gbp_m", "number", "children's services budget now, £m", 0),
    FieldSpec("budget_cut_pct", "number", "cut in the budget since the baseline, %", None, 100),
    FieldSpec(
        "management_reduction_pct",
        "number",
        "reduction in leadership and management posts, % (negative for an increase)",
        -100,
        100,
    ),
    FieldSpec(
        "dcs_changes", "integer", "changes of director of children's services, 3 years", 0, 50
    ),
    FieldSpec("interim_dcs", "flag", "an interim director of children's services in post now"),
    FieldSpec("avg_caseload", "number", "cases per FTE case-holding social worker", 0, 1000),
    FieldSpec("caseload_target", "number", "the council's own caseload target", 0, 1000, True),
    FieldSpec("agency_rate_pct", "number", "agency social workers, % of FTE", 0, 100),
    FieldSpec("turnover_rate_pct", "number", "social worker turnover, % a year", 0, 100),
    FieldSpec("vacancy_rate_pct", "number", "social worker vacancies, % of posts", 0, 100),
    FieldSpec("absence_rate_pct", "number", "sickness absence, % of working days", 0, 100),
    FieldSpec(
        "demand_change_pct", "number", "change in referrals over the lookback, %", -100, 1000
    ),
    FieldSpec("cla_rate_per_10k", "number", "looked-after children per 10,000 children", 0, 10000),
    FieldSpec("cin_rate_per_10k", "number", "children in need per 10,000 children", 0, 10000),
    FieldSpec(
        "early_help_spend_change_pct",
        "number",
        "change in early-help spend per child over the lookback, %",
        -100,
        1000,
    ),
    FieldSpec("restructure", "flag", "a major restructure during the lookback"),
    FieldSpec(
        "practice_concerns_raised",
        "flag",
        "serious concerns about social work practice raised in the lookback by the safeguarding "
        "partnership, an external review, an audit or an Ofsted visit",
    ),
    FieldSpec("reinvestment_pct", "number", "new recurrent investment, % of budget", 0, 100),
    # Region and the peer-relative and trend measures (filled by earlywarning.datasets).
    FieldSpec("region", "text", "English region, e.g. East Midlands"),
    FieldSpec(
        "vacancy_rate_vs_neighbours_pp",
        "number",
        "vacancy rate minus the median of the statistical neighbours', percentage points",
        -100,
        100,
    ),
    FieldSpec(
        "agency_rate_vs_neighbours_pp",
        "number",
        "agency rate minus the median of the statistical neighbours', percentage points",
        -100,
        100,
    ),
    FieldSpec(
        "vacancy_rate_change_2y_pp",
        "number",
        "change in the vacancy rate over two censuses, percentage points",
        -100,
        100,
    ),
    FieldSpec(
        "agency_rate_change_2y_pp",
        "number",
        "change in the agency rate over two censuses, percentage points",
        -100,
        100,
    ),
    FieldSpec(
        "cla_rate_change_2y_per_10k",
        "number",
        "change in looked-after children per 10,000 over two years",
        -10000,
        10000,
    ),
)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)


SPEC = {f.name: f for f in FIELDS}


DERIVED_MEASURES: dict[str, str] = {
    "previous_rating_grade": "previous_rating as a grade: 1 outstanding, 2 good, "
    "3 requires improvement, 4 inadequate",
    CASELOAD_ABOVE_TARGET.name: CASELOAD_ABOVE_TARGET.description,
    BUDGET_CUT.name: BUDGET_CUT.description,
}
"""Measures the engine computes from the fields; rule files may refer to them by these names."""


FLAG_MEASURES: frozenset[str] = frozenset(f.name for f in FIELDS if f.kind == "flag")
"""Yes/no measures: 1 for yes, 0 for no."""


MEASURES: tuple[str, ...] = tuple(
    sorted(
        {f.name for f in FIELDS if f.kind in ("integer", "number", "flag")} | set(DERIVED_MEASURES)
    )
)
"""Every name a rule file may use as a measure."""


# A cut given directly and one derived from the two budgets may differ by rounding in a report.
_CUT_TOLERANCE_PCT = 0.5


ZERO_BASELINE = "must be above 0 to derive a cut"


# A range rule: the problem text and a test that is true where a value is refused. The test works
# on a float (one profile) and on a whole numpy column (a frame) alike.
RangeRule = tuple[str, Callable[[Any], Any]]


def _range_rules(spec: FieldSpec) -> tuple[RangeRule, ...]:
    """The rules a finite number must pass for ``spec``, in the order they are reported."""
    rules: list[RangeRule] = []
    if spec.kind == "integer":
        # (x % 1, not np.floor: as cheap on one float as on a column; an infinity is no fraction)
        rules.append(("is not a whole number", lambda x: x % 1 > 0))
    if spec.minimum is not None:
        lo: float = spec.minimum
        if spec.exclusive_minimum:
            rules.append((f"must be above {lo:g}", lambda x: x <= lo))
        else:
            rules.append((f"is below the minimum of {lo:g}", lambda x: x < lo))
    if spec.maximum is not None:
        hi: float = spec.maximum
        rules.append((f"is above the maximum of {hi:g}", lambda x: x > hi))
    return tuple(rules)


RANGE_RULES: dict[str, tuple[RangeRule, ...]] = {f.name: _range_rules(f) for f in FIELDS}


# the same rules for number fields as (minimum, maximum, minimum refused?, whole numbers only?)
_BOUNDS: dict[str, tuple[float, float, bool, bool]] = {
    f.name: (
        -math.inf if f.minimum is None else f.minimum,
        math.inf if f.maximum is None else f.maximum,
        f.exclusive_minimum,
        f.kind == "integer",
    )
    for f in FIELDS
    if f.kind in ("number", "integer")
}


_NUMBER_KINDS = ("number", "integer")


_EXACT = 2**53  # integers a float holds exactly


def _problem(spec: FieldSpec, x: float) -> str | None:
    """The reason a finite number is refused for ``spec``, or None when it is accepted."""
    for problem, refused in RANGE_RULES[spec.name]:
        if refused(x):
            return problem
    return None


def check_value(name: str, value: Any) -> Any:
    """Check one field's value and return it in canonical form (None when missing).

    Raises:
        ProfileError: naming the field and the refused value.

    Example:
        >>> check_value("previous_rating", "Requires improvement to be good")
        'requires_improvement'
        >>> check_value("interim_dcs", "yes")
        True
    """
    spec = SPEC.get(name)
    kind = type(value)
    if spec is not None:
        fast = fast_value(spec, kind, value)
        if fast is not SLOW:
            return fast
    if isinstance(value, np.generic):
        value = value.item()  # report and check np.float64(140.0) as 140.0, as a frame does
    if spec is None:
        raise ProfileError(name, value, "is not a profile field")
    if is_missing(value):
        return None
    if spec.kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise ProfileError(name, value, "must be non-empty text")
        return value.strip()
    if spec.kind == "rating":
        key = str(value).strip().lower().replace("_", " ") if isinstance(value, str) else value
        rating = _RATING_SPELLINGS.get(key) if isinstance(key, str) else None
        if rating is None and isinstance(key, str):
            rating = _RATING_SPELLINGS.get(key.replace(" ", "_"))
        if rating is None:
            raise ProfileError(
                name,
                value,
                "is not an Ofsted judgement (outstanding, good, requires improvement, inadequate)",
            )
        return rating
    if spec.kind == "flag":
        flag = parse_flag(value)
        if flag is None:
            raise ProfileError(name, value, NOT_A_FLAG)
        return flag
    # numbers: a bool is not a number here, and text must parse completely
    x = to_float(value)
    problem = number_problem(spec, value, x)
    if problem:
        raise ProfileError(name, value, problem)
    return int(x) if spec.kind == "integer" else x


SLOW = object()  # what fast_value returns for a value the general path must read


def fast_value(spec: FieldSpec, kind: type, value: Any) -> Any:
    """The usual cases read without the general path's work, or ``SLOW``: a plain finite
    number within range, a float NaN (missing), a bool for a flag, plain text for a text field.
    """
    if kind is float or kind is int:
        if value != value:  # NaN: missing, whatever the field
            return None
        bounds = _BOUNDS.get(spec.name)
        if bounds is not None:
            x = float(value) if kind is float or -_EXACT < value < _EXACT else math.nan
            lo, hi, above, whole = bounds
            # the range rules of _range_rules, as two comparisons (the general path words them)
            if x - x == 0 and (x > lo if above else x >= lo) and x <= hi:
                if not whole:
                    return x
                if not x % 1:
                    return int(x)
    elif kind is bool:
        if spec.kind == "flag":
            return value
    elif kind is str:
        if spec.kind == "text":
            text = value.strip()
            if text:
                return text
        elif spec.kind == "rating" and value in RATINGS:
            return value
    return SLOW


def number_problem(spec: FieldSpec, value: Any, x: float) -> str | None:
    """Why ``value`` (read as ``x`` by to_float) is refused for ``spec``, or None."""
    if math.isnan(x):
        return "is not a number"
    if math.isinf(x):
        if isinstance(value, int | np.integer) and not isinstance(value, bool):
            # an integer too large for a float is a number, just out of range
            return _problem(spec, x) or "is out of range (too large for a number)"
        return "is not a finite number"
    return _problem(spec, x)


def given_for_message(value: Any) -> Any:
    """What to quote for a missing required value: blank text as given, else None."""
    value = scalar_of(value)
    return value if isinstance(value, str) else None


def derive_budget_cut(
    baseline: float | None, current: float | None, given: float | None
) -> float | None:
    """The budget cut %, from the two budgets when both are known, else the figure given.

    Raises:
        ProfileError: when the baseline is zero, or a given cut contradicts the two budgets.

    Example:
        >>> round(derive_budget_cut(131, 90, None), 1)
        31.3
    """
    if baseline is None or current is None:
        return given
    if baseline <= 0:
        raise ProfileError("budget_baseline_gbp_m", baseline, ZERO_BASELINE)
    derived: float = BUDGET_CUT.forward(current, baseline)
    if given is not None and contradicts(given, derived):
        raise ProfileError("budget_cut_pct", given, contradiction(baseline, current, derived))
    return derived


def contradicts(given: Any, derived: Any) -> Any:
    """True where a cut given directly differs from the derived one by more than rounding."""
    return abs(given - derived) > _CUT_TOLERANCE_PCT


def contradiction(baseline: float, current: float, derived: float) -> str:
    return f"contradicts the budgets given ({baseline:g} to {current:g} is a {derived:.1f}% cut)"


def unknown_hint(name: Any) -> str:
    if not isinstance(name, str):
        return "is not a profile field (field names are text)"
    hint = did_you_mean(name, FIELD_NAMES)
    return f"is not a profile field ({hint})" if hint else "is not a profile field"


# A column is a near-miss of a field when, after tidying case, spaces and a unit, it is that
# field, or close to it (0.8 keeps DfE's new_la_code and la_name apart from la_code). A column
# whose close field is also in the frame is carried: it is data beside the field, not a typo.
_NEAR_MISS = 0.8


_UNITS = ("", "_pct", "_gbp_m", "_per_10k")


# Columns in a publisher's own unit (DfE's full-time equivalents and headcounts) are that
# publisher's measures, not misspelt fields: "caseload_fte" is close to "caseload_target" by
# spelling, and suggesting it would silently lose the caseload rules.
_PUBLISHER_UNITS = ("_fte", "_headcount")


def _near_field(column: str) -> str | None:
    import difflib

    if column.strip().lower().endswith(_PUBLISHER_UNITS):
        return None
    tidy = "_".join(column.strip().lower().replace("%", " pct").replace("-", " ").split())
    for unit in _UNITS:
        if tidy + unit in SPEC and tidy + unit != column:
            return tidy + unit
    close = difflib.get_close_matches(tidy, FIELD_NAMES, n=1, cutoff=_NEAR_MISS)
    return close[0] if close and close[0] != column else None


def check_columns(columns: Any) -> list[Any]:
    """The columns that are not profile fields, to be carried through; refuses near-misses.

    Raises:
        ColumnNameError: naming every column that looks like a misspelt field, with the field.

    Example:
        >>> check_columns(["la_name", "council", "year", "time_period"])
        ['la_name', 'time_period']
        >>> try:
        ...     check_columns(["council", "year", "agency_rate", "dcs_change"])
        ... except ColumnNameError as e:
        ...     print(e.suggestions)
        {'agency_rate': 'agency_rate_pct', 'dcs_change': 'dcs_changes'}
    """
    present = {str(c) for c in columns}
    carried = [c for c in columns if c not in SPEC]
    near = {str(c): _near_field(str(c)) for c in carried}
    misses = {c: f for c, f in near.items() if f is not None and f not in present}
    if misses:
        raise ColumnNameError(misses)
    return carried


def scalar_of(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
