"""The council profile: the fields a user supplies, their checks, and the measures derived.

The field table :data:`FIELDS` is the single statement of what each field accepts. It drives both
the pydantic model (one profile) and :func:`profile_columns` (a whole DataFrame at once), so a value
refused in one place is refused in the other with the same message. The table and the checks of
one value live in :mod:`earlywarning._fields`, the whole-column readers in
:mod:`earlywarning._columns`; every public name is imported from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from earlywarning._columns import ProfileColumns, derived_columns, profile_columns
from earlywarning._fields import (
    DERIVED_MEASURES,
    FIELD_NAMES,
    FIELDS,
    FLAG_MEASURES,
    MEASURES,
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
from earlywarning.errors import ProfileError

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
    unknown = [k for k in data if not isinstance(k, str) or k not in SPEC]
    if unknown:
        raise ProfileError(str(unknown[0]), data[unknown[0]], unknown_hint(unknown[0]))
    # the usual values read without check_value's general path (see fast_value)
    out = {
        k: v
        if (v := fast_value(SPEC[k], type(given), given)) is not SLOW
        else check_value(k, given)
        for k, given in data.items()
    }
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
        # the frame path's arithmetic in doubles; the target is above 0, and a tiny one
        # overflows to inf here as there (float division overflows without raising)
        out["caseload_above_target_pct"] = (avg / target - 1.0) * 100.0
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
