"""The council profile: the fields a user supplies, their checks, and the measures derived.

The field table :data:`FIELDS` is the single statement of what each field accepts. It drives both
the pydantic model (one profile) and :func:`profile_columns` (a whole DataFrame at once), so a value
refused in one place is refused in the other with the same message.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from earlywarning._cells import distinct_map, is_missing, number_column, text_column, to_float
from earlywarning._names import did_you_mean
from earlywarning.errors import ColumnNameError, ProfileError, quoted
from earlywarning.flags import parse_flag

__all__ = [
    "DERIVED_MEASURES",
    "FIELDS",
    "FIELD_NAMES",
    "FLAG_MEASURES",
    "MEASURES",
    "RATINGS",
    "CouncilProfile",
    "FieldSpec",
    "Kind",
    "ProfileColumns",
    "RangeRule",
    "Rating",
    "check_profile",
    "check_value",
    "derive_budget_cut",
    "measure_values",
    "profile_columns",
    "profile_measures",
]

Kind = Literal["text", "integer", "number", "flag", "rating"]

RATINGS: tuple[str, ...] = ("outstanding", "good", "requires_improvement", "inadequate")
"""Ofsted overall judgements, best first. Their position + 1 is the grade used by the rules."""

Rating = Literal["outstanding", "good", "requires_improvement", "inadequate"]
"""An Ofsted overall judgement in canonical spelling, as a type (the values of :data:`RATINGS`)."""

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

_NOT_A_FLAG = "is not yes/no (true/false, 1/0)"


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
_SPEC = {f.name: f for f in FIELDS}

DERIVED_MEASURES: dict[str, str] = {
    "previous_rating_grade": "previous_rating as a grade: 1 outstanding, 2 good, "
    "3 requires improvement, 4 inadequate",
    "caseload_above_target_pct": "how far avg_caseload is above caseload_target, % of the target",
    "budget_cut_pct": "given directly, or derived from the baseline and current budgets",
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
_ZERO_BASELINE = "must be above 0 to derive a cut"

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


_RANGE_RULES: dict[str, tuple[RangeRule, ...]] = {f.name: _range_rules(f) for f in FIELDS}
_NUMBER_KINDS = ("number", "integer")
_EXACT = 2**53  # integers a float holds exactly


def _problem(spec: FieldSpec, x: float) -> str | None:
    """The reason a finite number is refused for ``spec``, or None when it is accepted."""
    for problem, refused in _RANGE_RULES[spec.name]:
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
    spec = _SPEC.get(name)
    kind = type(value)
    if (kind is float or kind is int) and spec is not None and spec.kind in _NUMBER_KINDS:
        # the usual case, a plain finite number within range, without the general path's work
        x = float(value) if kind is float or -_EXACT < value < _EXACT else math.nan
        if x - x == 0 and not any(refused(x) for _, refused in _RANGE_RULES[name]):
            return int(x) if spec.kind == "integer" else x
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
            raise ProfileError(name, value, _NOT_A_FLAG)
        return flag
    # numbers: a bool is not a number here, and text must parse completely
    x = to_float(value)
    problem = _number_problem(spec, value, x)
    if problem:
        raise ProfileError(name, value, problem)
    return int(x) if spec.kind == "integer" else x


def _number_problem(spec: FieldSpec, value: Any, x: float) -> str | None:
    """Why ``value`` (read as ``x`` by to_float) is refused for ``spec``, or None."""
    if math.isnan(x):
        return "is not a number"
    if math.isinf(x):
        if isinstance(value, int | np.integer) and not isinstance(value, bool):
            # an integer too large for a float is a number, just out of range
            return _problem(spec, x) or "is out of range (too large for a number)"
        return "is not a finite number"
    return _problem(spec, x)


def _given(value: Any) -> Any:
    """What to quote for a missing required value: blank text as given, else None."""
    value = _scalar(value)
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
        raise ProfileError("budget_baseline_gbp_m", baseline, _ZERO_BASELINE)
    derived: float = _cut(baseline, current)
    if given is not None and _contradicts(given, derived):
        raise ProfileError("budget_cut_pct", given, _contradiction(baseline, current, derived))
    return derived


# The cut's formula, tolerance and message, for one profile (floats) and a frame (numpy columns).


def _cut(baseline: Any, current: Any) -> Any:
    """The cut %, from the baseline and current budgets."""
    return (baseline - current) / baseline * 100.0


def _contradicts(given: Any, derived: Any) -> Any:
    """True where a cut given directly differs from the derived one by more than rounding."""
    return abs(given - derived) > _CUT_TOLERANCE_PCT


def _contradiction(baseline: float, current: float, derived: float) -> str:
    return f"contradicts the budgets given ({baseline:g} to {current:g} is a {derived:.1f}% cut)"


def check_profile(data: Mapping[Any, Any]) -> dict[str, Any]:
    """Check a mapping of field values, as :class:`CouncilProfile` does, without building one.

    Returns the given fields in canonical form (None where missing) with ``budget_cut_pct``
    derived; :func:`earlywarning.score` uses it so that a dict is checked once, not twice.

    Raises:
        ProfileError: naming the field and the refused value.

    Example:
        >>> check_profile({"council": " A ", "year": "2020", "interim_dcs": "yes"})["council"]
        'A'
    """
    unknown = [k for k in data if not isinstance(k, str) or k not in _SPEC]
    if unknown:
        raise ProfileError(str(unknown[0]), data[unknown[0]], _unknown_hint(unknown[0]))
    out = {k: check_value(k, v) for k, v in data.items()}
    for required in ("council", "year"):
        if out.get(required) is None:
            raise ProfileError(required, _given(data.get(required)), "is required")
    try:
        out["budget_cut_pct"] = derive_budget_cut(
            out.get("budget_baseline_gbp_m"),
            out.get("budget_current_gbp_m"),
            out.get("budget_cut_pct"),
        )
    except ProfileError as exc:
        # name the value as the user gave it, as every other message (and a frame) does
        raise ProfileError(exc.field, _scalar(data[exc.field]), exc.problem) from None
    return out


_NUMERIC = tuple(f.name for f in FIELDS if f.kind in ("integer", "number", "flag"))


def measure_values(checked: Mapping[str, Any]) -> dict[str, float]:
    """The measures of a checked profile (from :func:`check_profile`) that have data.

    The same arithmetic as :func:`profile_columns` does on whole columns, on plain floats.

    Example:
        >>> m = measure_values(check_profile({"council": "A", "year": 2020,
        ...                                   "avg_caseload": 20, "caseload_target": 16}))
        >>> m["caseload_above_target_pct"]
        25.0
    """
    out = {n: float(checked[n]) for n in _NUMERIC if checked.get(n) is not None}
    rating = checked.get("previous_rating")
    if rating is not None:
        out["previous_rating_grade"] = float(RATINGS.index(rating) + 1)
    avg, target = out.get("avg_caseload"), out.get("caseload_target")
    if avg is not None and target is not None:
        # numpy, as the frame path does: a tiny target overflows to inf instead of raising
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            out["caseload_above_target_pct"] = float(
                (np.float64(avg) / np.float64(target) - 1.0) * 100.0
            )
    return out


class CouncilProfile(BaseModel):
    """What is known about one council's children's services at one point in time.

    Only ``council`` and ``year`` are required. A field left out is missing, never zero: it
    scores nothing, lowers coverage and is named in the explanation. Units are in the names.

    Example:
        >>> import earlywarning as ew
        >>> p = ew.CouncilProfile(council="Derbyshire", year=2016,
        ...                       budget_baseline_gbp_m=131, budget_current_gbp_m=90)
        >>> round(p.budget_cut_pct, 1)
        31.3
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    council: str
    year: int
    la_code: str | None = None
    previous_rating: Rating | None = None
    budget_baseline_gbp_m: float | None = None
    budget_current_gbp_m: float | None = None
    budget_cut_pct: float | None = None
    management_reduction_pct: float | None = None
    dcs_changes: int | None = None
    interim_dcs: bool | None = None
    avg_caseload: float | None = None
    caseload_target: float | None = None
    agency_rate_pct: float | None = None
    turnover_rate_pct: float | None = None
    vacancy_rate_pct: float | None = None
    absence_rate_pct: float | None = None
    demand_change_pct: float | None = None
    cla_rate_per_10k: float | None = None
    cin_rate_per_10k: float | None = None
    early_help_spend_change_pct: float | None = None
    restructure: bool | None = None
    practice_concerns_raised: bool | None = None
    reinvestment_pct: float | None = None
    region: str | None = None
    vacancy_rate_vs_neighbours_pp: float | None = None
    agency_rate_vs_neighbours_pp: float | None = None
    vacancy_rate_change_2y_pp: float | None = None
    agency_rate_change_2y_pp: float | None = None
    cla_rate_change_2y_per_10k: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return check_profile(data)

    # pydantic wraps a ValueError raised in a validator in its own ValidationError; a profile
    # error is raised as itself so that callers can catch ProfileError and read field and value.
    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _unwrap(exc) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Check a mapping of field values and build a profile; raises :class:`ProfileError`."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise _unwrap(exc) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """Check a JSON object of field values and build a profile; raises :class:`ProfileError`."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise _unwrap(exc) from None


def _unwrap(exc: ValidationError) -> Exception:
    """The :class:`ProfileError` that pydantic wrapped, or the pydantic error itself."""
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ProfileError):
            return cause
    return exc


def _unknown_hint(name: Any) -> str:
    if not isinstance(name, str):
        return "is not a profile field (field names are text)"
    hint = did_you_mean(name, FIELD_NAMES)
    return f"is not a profile field ({hint})" if hint else "is not a profile field"


# A column is a near-miss of a field when, after tidying case, spaces and a unit, it is that
# field, or close to it (0.8 keeps DfE's new_la_code and la_name apart from la_code). A column
# whose close field is also in the frame is carried: it is data beside the field, not a typo.
_NEAR_MISS = 0.8
_UNITS = ("", "_pct", "_gbp_m", "_per_10k")


def _near_field(column: str) -> str | None:
    import difflib

    tidy = "_".join(column.strip().lower().replace("%", " pct").replace("-", " ").split())
    for unit in _UNITS:
        if tidy + unit in _SPEC and tidy + unit != column:
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
    carried = [c for c in columns if c not in _SPEC]
    near = {str(c): _near_field(str(c)) for c in carried}
    misses = {c: f for c, f in near.items() if f is not None and f not in present}
    if misses:
        raise ColumnNameError(misses)
    return carried


# ----------------------------------------------------------------------------------------------
# Whole columns at once


@dataclass(frozen=True)
class ProfileColumns:
    """A frame of profiles checked column by column.

    ``measures`` holds one float column per name in :data:`MEASURES` (NaN where missing, and NaN
    for the whole of a row that failed). ``error`` holds the first problem of each failed row, or
    None.

    Example:
        >>> cols = profile_columns(pd.DataFrame([{"council": "A", "year": 2020,
        ...                                       "agency_rate_pct": 12}]))
        >>> float(cols.measures["agency_rate_pct"][0]), cols.error[0]
        (12.0, None)
    """

    measures: dict[str, np.ndarray]
    error: np.ndarray  # object array of str | None

    def take(self, rows: np.ndarray) -> ProfileColumns:
        """The same columns for some rows only (a boolean mask or positions)."""
        return ProfileColumns(
            measures={name: col[rows] for name, col in self.measures.items()},
            error=self.error[rows],
        )


def _refuse_duplicate_columns(columns: pd.Index) -> None:
    twice = columns[columns.duplicated()]
    if len(twice):
        name = twice[0]
        count = int((columns == name).sum())
        raise ProfileError(str(name), name, f"is the name of {count} columns; keep one")


def profile_columns(frame: pd.DataFrame) -> ProfileColumns:
    """Check every row of ``frame`` and turn it into numeric measure columns.

    A bad value fails only its own row: the row keeps its place, gets an error message naming
    the field and value, and scores nothing. Columns that are not profile fields are ignored
    here (the caller carries them), except those that look like a misspelt field, which are
    refused all together (:func:`check_columns`), because they would silently read as missing.

    Example:
        >>> import pandas as pd
        >>> cols = profile_columns(pd.DataFrame({"council": ["A", "B"], "year": [2020, 2020],
        ...                                      "agency_rate_pct": [12, 140]}))
        >>> list(cols.error)
        [None, 'agency_rate_pct: 140 is above the maximum of 100']
    """
    n = len(frame)
    errors = np.full(n, None, dtype=object)
    _refuse_duplicate_columns(frame.columns)
    check_columns(frame.columns)

    has_error = np.zeros(n, dtype=bool)

    def fail(mask: np.ndarray, message: Callable[[int], str] | str) -> None:
        # Keep the first problem found for each row. Messages are built only for the rows that
        # fail, so a clean million-row frame never formats a string.
        todo = np.flatnonzero(mask & ~has_error)
        for i in todo:
            errors[i] = message if isinstance(message, str) else message(int(i))
        has_error[todo] = True

    values: dict[str, np.ndarray] = {}
    for spec in FIELDS:
        if spec.kind in ("text", "rating") or spec.name not in frame.columns:
            continue
        raw = frame[spec.name]
        values[spec.name] = _numeric_column(spec, raw, fail)

    grade = np.full(n, np.nan)
    if "previous_rating" in frame.columns:
        grade = _rating_column(frame["previous_rating"], fail)

    _text_column("council", frame, fail, required=True)
    _text_column("la_code", frame, fail, required=False)
    _text_column("region", frame, fail, required=False)
    year = values.get("year", np.full(n, np.nan))
    fail(np.isnan(year), _messages("year", frame.get("year"), "is required", quote_blank=True))

    values["budget_cut_pct"] = _budget_cut_column(values, frame, fail)
    measures = _measures(values, grade, n)
    failed = has_error
    if failed.any():
        for name in measures:
            measures[name] = np.where(failed, np.nan, measures[name])
    return ProfileColumns(measures=measures, error=errors)


def _budget_cut_column(values: dict[str, np.ndarray], frame: pd.DataFrame, fail: Any) -> Any:
    """The cut of each row: derived from the two budgets where both are given, else as given."""
    n = len(frame)
    nan = np.full(n, np.nan)
    baseline = values.get("budget_baseline_gbp_m", nan)
    current = values.get("budget_current_gbp_m", nan)
    given = values.get("budget_cut_pct", nan)
    both = ~np.isnan(baseline) & ~np.isnan(current)
    zero_base = both & (baseline <= 0)
    if zero_base.any():
        fail(
            zero_base,
            _messages("budget_baseline_gbp_m", frame["budget_baseline_gbp_m"], _ZERO_BASELINE),
        )
    # a tiny baseline or target can overflow to an infinite cut or excess, which scores as the
    # lowest or highest level like any other extreme value: no warning for it
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        derived = np.where(both & ~zero_base, _cut(baseline, current), np.nan)
    conflict = ~np.isnan(given) & ~np.isnan(derived) & _contradicts(given, derived)
    fail(
        conflict,
        lambda i: (
            f"budget_cut_pct: {quoted(_scalar(frame['budget_cut_pct'].iloc[i]))} "
            + _contradiction(float(baseline[i]), float(current[i]), float(derived[i]))
        ),
    )
    return np.where(np.isnan(derived), given, derived)


def _measures(values: dict[str, np.ndarray], grade: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Every measure a rule may use, from checked field columns (the cut already derived)."""
    nan = np.full(n, np.nan)
    avg = values.get("avg_caseload", nan)
    target = values.get("caseload_target", nan)
    # a tiny target can overflow to an infinite excess, which scores as the highest level
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        above_target = (avg / target - 1.0) * 100.0
    derived = {"previous_rating_grade": grade, "caseload_above_target_pct": above_target}
    return {name: derived[name] if name in derived else values.get(name, nan) for name in MEASURES}


def profile_measures(profile: CouncilProfile) -> ProfileColumns:
    """The one-row columns of a profile that has already passed :class:`CouncilProfile`'s checks.

    This is what :func:`profile_columns` returns for a one-row frame of the same profile, without
    the cost of building and re-checking a DataFrame.
    """
    data = profile.model_dump()
    values = {
        spec.name: np.array([np.nan if data[spec.name] is None else float(data[spec.name])])
        for spec in FIELDS
        if spec.kind in ("integer", "number", "flag")
    }
    rating = data["previous_rating"]
    grade = np.array([np.nan if rating is None else float(RATINGS.index(rating) + 1)])
    return ProfileColumns(
        measures=_measures(values, grade, 1),
        error=np.array([None], dtype=object),
    )


def _scalar(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _messages(
    name: str, raw: Any, problem: str, *, quote_blank: bool = False
) -> Callable[[int], str]:
    """The message for row ``i``: the field, the value as given, and what is wrong with it.

    A missing value is quoted as None, or with ``quote_blank`` as the blank text it was.
    """

    def message(i: int) -> str:
        if raw is None:
            return f"{name}: None {problem}"
        v = raw.iloc[i] if isinstance(raw, pd.Series) else raw[i]
        if is_missing(v):
            v = _given(v) if quote_blank else None
        return f"{name}: {quoted(_scalar(v))} {problem}"

    return message


def _numeric_column(spec: FieldSpec, raw: pd.Series, fail: Any) -> np.ndarray:
    n = len(raw)
    if spec.kind == "flag":
        return _flag_column(spec, raw, fail)
    dtype = raw.dtype
    if pd.api.types.is_bool_dtype(dtype):
        fail(~pd.isna(raw).to_numpy(dtype=bool), _messages(spec.name, raw, "is not a number"))
        return np.full(n, np.nan)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        x = raw.to_numpy(dtype=float, na_value=np.nan)
        present = ~pd.isna(raw).to_numpy(dtype=bool)
    else:
        # the single-profile parser's results, in bulk where the cells are plain (pandas' own
        # parser differs on "1_000", "nan" and others); complex numbers are read cell by cell
        x, present = number_column(raw)
    not_number = present & np.isnan(x)
    fail(not_number, _messages(spec.name, raw, "is not a number"))
    infinite = present & np.isinf(x)
    if infinite.any():
        fail(infinite, lambda i: _number_message(spec, raw, i, float(x[i])))
    finite = present & np.isfinite(x)
    for problem, refused in _RANGE_RULES[spec.name]:
        with np.errstate(invalid="ignore"):
            mask = finite & refused(x)
        fail(mask, _messages(spec.name, raw, problem))
    return np.where(finite, x, np.nan)


def _number_message(spec: FieldSpec, raw: pd.Series, i: int, x: float) -> str:
    v = _scalar(raw.iloc[i])
    return f"{spec.name}: {quoted(v)} {_number_problem(spec, v, x)}"


def _flag_column(spec: FieldSpec, raw: pd.Series, fail: Any) -> np.ndarray:
    dtype = raw.dtype
    if pd.api.types.is_bool_dtype(dtype) and not raw.isna().any():
        return raw.to_numpy(dtype=float)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        # numbers are yes/no when they are 0 or 1, as the one-value parser reads them
        x = raw.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(x) & (x != 0) & (x != 1)
    else:

        def parse(v: Any) -> float:
            if is_missing(v):
                return np.nan
            flag = parse_flag(v)
            return -1.0 if flag is None else float(flag)  # -1 is refused below

        x = distinct_map(raw, parse)  # yes/no columns hold few distinct spellings
        bad = x == -1.0
    fail(bad, _messages(spec.name, raw, _NOT_A_FLAG))
    return np.where(bad, np.nan, x)


def _rating_column(raw: pd.Series, fail: Any) -> np.ndarray:
    def grade(v: Any) -> float:
        if is_missing(v):
            return np.nan
        try:
            return float(RATINGS.index(check_value("previous_rating", v)) + 1)
        except ProfileError:
            return -1.0

    # ratings repeat a lot: parse each distinct spelling once
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
    table = np.array([grade(u) for u in uniques] + [np.nan])
    x = table[codes]  # code -1 (missing) picks the trailing NaN
    cells = raw.to_numpy(dtype=object)
    for i in np.flatnonzero(codes < 0).tolist():  # what pandas calls missing, is_missing may not
        if not is_missing(cells[i]):
            x[i] = grade(cells[i])
    bad = x == -1.0
    fail(
        bad,
        _messages(
            "previous_rating",
            raw,
            "is not an Ofsted judgement (outstanding, good, requires improvement, inadequate)",
        ),
    )
    return np.where(bad, np.nan, x)


def _text_column(name: str, frame: pd.DataFrame, fail: Any, required: bool) -> np.ndarray:
    n = len(frame)
    if name not in frame.columns:
        if required:
            fail(np.ones(n, dtype=bool), f"{name}: None is required")
        return np.full(n, None, dtype=object)
    raw = frame[name]
    text, missing, not_text = text_column(raw)
    if required:
        fail(missing, _messages(name, raw, "is required", quote_blank=True))
    if not_text.any():
        fail(not_text, _messages(name, raw, "must be non-empty text"))
    return text
