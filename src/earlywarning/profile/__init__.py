"""The council profile: the fields a user supplies, their checks, and the measures derived.

The field table :data:`FIELDS` is the single statement of what each field accepts. It drives both
the pydantic model (one profile) and :func:`profile_columns` (a whole DataFrame at once), so a value
refused in one place is refused in the other with the same message. The table and the checks of
one value live in :mod:`earlywarning.profile._fields`, the whole-column readers in
:mod:`earlywarning.profile._columns`; every public name is imported from here. The measures
derived from other fields (the budget cut, the caseload against target, the peer-relative and
trend measures) are declared once each in :mod:`earlywarning.profile.derived`, which every path
that computes, fills or changes one reads.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from earlywarning.errors import ProfileError
from earlywarning.profile._columns import ProfileColumns, derived_columns, profile_columns
from earlywarning.profile._fields import (
    DERIVED_MEASURES,
    FIELD_NAMES,
    FIELDS,
    FLAG_MEASURES,
    MEASURES,
    RANGE_RULES,
    RATINGS,
    SLOW,
    SPEC,
    FieldSpec,
    Kind,
    RangeRule,
    Rating,
    check_columns,
    check_value,
    derive_budget_cut,
    fast_value,
    given_for_message,
    scalar_of,
    unknown_hint,
)
from earlywarning.profile.derived import DERIVED, DERIVED_BY_NAME, DerivedMeasure

__all__ = [
    "DERIVED",
    "DERIVED_BY_NAME",
    "DERIVED_MEASURES",
    "FIELDS",
    "FIELD_NAMES",
    "FLAG_MEASURES",
    "MEASURES",
    "RANGE_RULES",
    "RATINGS",
    "CouncilProfile",
    "DerivedMeasure",
    "FieldSpec",
    "Kind",
    "ProfileColumns",
    "RangeRule",
    "Rating",
    "check_columns",
    "check_profile",
    "check_value",
    "derive_budget_cut",
    "measure_values",
    "profile_columns",
    "profile_measures",
]


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
    # only a plain dict reads by the fast path: another mapping may iterate otherwise than its
    # items (a pandas Series iterates its values), and the general path judges it as it always has
    out = _usual_values(data) if type(data) is dict else None
    if out is None:
        out = _checked_values(data)
    for required in ("council", "year"):
        if out.get(required) is None:
            raise ProfileError(required, given_for_message(data.get(required)), "is required")
    try:
        out["budget_cut_pct"] = derive_budget_cut(
            out.get("budget_baseline_gbp_m"),
            out.get("budget_current_gbp_m"),
            out.get("budget_cut_pct"),
        )
    except ProfileError as exc:
        # name the value as the user gave it, as every other message (and a frame) does
        raise ProfileError(exc.field, scalar_of(data[exc.field]), exc.problem) from None
    return out


def _checked_values(data: Mapping[Any, Any]) -> dict[str, Any]:
    """Every value of ``data`` checked, the unknown keys first (the general path)."""
    unknown = [k for k in data if not isinstance(k, str) or k not in SPEC]
    if unknown:
        raise ProfileError(str(unknown[0]), data[unknown[0]], unknown_hint(unknown[0]))
    # the usual values read without check_value's general path (see fast_value)
    return {
        k: v
        if (v := fast_value(SPEC[k], type(given), given)) is not SLOW
        else check_value(k, given)
        for k, given in data.items()
    }


def _fast_reading(spec: FieldSpec) -> tuple[Kind, float, float, bool, type | None]:
    """How :func:`_usual_values` reads a field: its kind, the range of its numbers, whether
    they must be whole, and the type of value other than a number it reads (bool or str)."""
    plain = bool if spec.kind == "flag" else None if spec.kind in _NUMBER_KINDS else str
    if spec.kind not in _NUMBER_KINDS:
        return spec.kind, math.inf, -math.inf, False, plain  # no number is in range
    lo = -math.inf if spec.minimum is None else float(spec.minimum)
    if spec.exclusive_minimum:
        lo = math.nextafter(lo, math.inf)  # x > minimum is x >= the next float up
    hi = math.inf if spec.maximum is None else float(spec.maximum)
    # within the finite floats, so that lo <= x <= hi is false for infinities (and NaN)
    lo, hi = max(lo, -sys.float_info.max), min(hi, sys.float_info.max)
    return spec.kind, lo, hi, spec.kind == "integer", plain


_NUMBER_KINDS = ("number", "integer")
_FAST_READING = {f.name: _fast_reading(f) for f in FIELDS}
_EXACT = 2**53  # integers a float holds exactly


def _usual_values(data: dict[Any, Any]) -> dict[str, Any] | None:
    """The values of ``data`` in canonical form when every one is a usual case, else None.

    The usual cases are those :func:`fast_value` reads (plain finite numbers within range, a
    float NaN, a bool for a flag, plain text for a text field or an Ofsted judgement) and None,
    read in one loop without fast_value's call per value: :func:`earlywarning.score` reads
    every profile so. Any other key or value, right or wrong, is left to the general path, so that
    every message and the order of the checks stay the general path's.
    """
    out: dict[str, Any] = {}
    readings, ratings, exact = _FAST_READING, RATINGS, _EXACT
    for k, v in data.items():
        # a key that is not plain str, even one equal to a field name, is the general path's
        if type(k) is not str or (reading := readings.get(k)) is None:
            return None
        kind, lo, hi, whole, plain = reading
        t = type(v)
        if t is int and -exact < v < exact:
            v, t = float(v), float  # checked as the float it is, as fast_value does
        if t is float:
            if lo <= v <= hi and not (whole and v % 1):
                out[k] = int(v) if whole else v
            elif v != v:
                out[k] = None
            else:
                return None
        elif v is None:
            out[k] = None
        elif t is not plain:
            return None
        elif t is bool:  # a flag
            out[k] = v
        elif kind == "rating":
            if v not in ratings:
                return None
            out[k] = v
        elif text := v.strip():
            out[k] = text
        else:
            return None
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
    out: dict[str, float] = {}
    get = checked.get
    # a plain loop: it runs for every profile scored one at a time, and costs less than a
    # comprehension (a function call of its own in Python 3.11)
    for name in _NUMERIC:
        v = get(name)
        if v is not None:
            out[name] = float(v)
    rating = get("previous_rating")
    if rating is not None:
        out["previous_rating_grade"] = float(RATINGS.index(rating) + 1)
    # the measures no profile gives, as the frame path derives them, in doubles
    for name, lever, held, forward in _FROM_FIELDS:
        a, b = out.get(lever), out.get(held)
        if a is not None and b is not None:
            out[name] = forward(a, b)
    return out


# each derived measure that no profile gives: its name, its two fields and its arithmetic
_FROM_FIELDS = tuple((d.name, d.lever, d.inputs[-1], d.forward) for d in DERIVED if not d.given)


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
        measures=derived_columns(values, grade, 1),
        error=np.array([None], dtype=object),
    )
