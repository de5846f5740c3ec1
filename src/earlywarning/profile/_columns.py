"""Whole columns at once: a frame of profiles checked column by column into measure columns.

Private machinery of :mod:`earlywarning.profile` (which re-exports :func:`profile_columns` and
:class:`ProfileColumns`); its names are public within the package. Every column is read with
exactly the rules and messages of :func:`earlywarning.profile.check_value`, without a Python
call per cell where the cells are plain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.errors import ProfileError, quoted
from earlywarning.flags import parse_flag
from earlywarning.profile._cells import distinct_map, is_missing, number_column, text_column
from earlywarning.profile._fields import (
    FIELDS,
    MEASURES,
    NOT_A_FLAG,
    RANGE_RULES,
    RATINGS,
    ZERO_BASELINE,
    FieldSpec,
    check_columns,
    check_value,
    contradiction,
    contradicts,
    given_for_message,
    number_problem,
    scalar_of,
)
from earlywarning.profile.derived import BUDGET_CUT, DERIVED

__all__ = [
    "ProfileColumns",
    "derived_columns",
    "profile_columns",
]


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
    if columns.is_unique:  # known to the index once asked: the search below is per call
        return
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
        if not mask.any():
            return  # the usual case, and on a small frame the cost of the rest is all overhead
        todo = np.flatnonzero(mask & ~has_error)
        for i in todo:
            errors[i] = message if isinstance(message, str) else message(int(i))
        has_error[todo] = True

    # each field's column is read from the frame once (a column of a frame is a new Series
    # each time it is asked for)
    raw = {spec.name: frame[spec.name] for spec in FIELDS if spec.name in frame.columns}
    values: dict[str, np.ndarray] = {}
    for spec in FIELDS:
        if spec.kind in ("text", "rating") or spec.name not in raw:
            continue
        values[spec.name] = _numeric_column(spec, raw[spec.name], fail)

    grade = np.full(n, np.nan)
    if "previous_rating" in raw:
        grade = _rating_column(raw["previous_rating"], fail)

    _text_column("council", raw, n, fail, required=True)
    _text_column("la_code", raw, n, fail, required=False)
    _text_column("region", raw, n, fail, required=False)
    year = values.get("year", np.full(n, np.nan))
    fail(np.isnan(year), _messages("year", raw.get("year"), "is required", quote_blank=True))

    values["budget_cut_pct"] = _budget_cut_column(values, raw, n, fail)
    measures = derived_columns(values, grade, n)
    failed = has_error
    if failed.any():
        for name in measures:
            measures[name] = np.where(failed, np.nan, measures[name])
    return ProfileColumns(measures=measures, error=errors)


_CURRENT, _BASELINE = BUDGET_CUT.inputs

# the derived measures that are no profile field: always worked out from their two fields
_FROM_FIELDS = tuple(d for d in DERIVED if not d.given)


def _budget_cut_column(
    values: dict[str, np.ndarray], raw: dict[str, pd.Series], n: int, fail: Any
) -> Any:
    """The cut of each row: derived from the two budgets where both are given, else as given."""
    nan = np.full(n, np.nan)
    baseline = values.get(_BASELINE, nan)
    current = values.get(_CURRENT, nan)
    given = values.get(BUDGET_CUT.name, nan)
    both = ~np.isnan(baseline) & ~np.isnan(current)
    zero_base = both & (baseline <= 0)
    if zero_base.any():
        fail(
            zero_base,
            _messages(_BASELINE, raw[_BASELINE], ZERO_BASELINE),
        )
    # a tiny baseline or target can overflow to an infinite cut or excess, which scores as the
    # lowest or highest level like any other extreme value: no warning for it
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        derived = np.where(both & ~zero_base, BUDGET_CUT.forward(current, baseline), np.nan)
    conflict = ~np.isnan(given) & ~np.isnan(derived) & contradicts(given, derived)
    fail(
        conflict,
        lambda i: (
            f"budget_cut_pct: {quoted(scalar_of(raw['budget_cut_pct'].iloc[i]))} "
            + contradiction(float(baseline[i]), float(current[i]), float(derived[i]))
        ),
    )
    return np.where(np.isnan(derived), given, derived)


def derived_columns(
    values: dict[str, np.ndarray], grade: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """Every measure a rule may use, from checked field columns (the cut already derived)."""
    nan = np.full(n, np.nan)
    derived = {"previous_rating_grade": grade}
    # the measures no profile gives, from their inputs; a tiny caseload target can overflow to
    # an infinite excess, which scores as the highest level
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for d in _FROM_FIELDS:
            lever, held = d.inputs
            derived[d.name] = d.forward(values.get(lever, nan), values.get(held, nan))
    return {name: derived[name] if name in derived else values.get(name, nan) for name in MEASURES}


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
            v = given_for_message(v) if quote_blank else None
        return f"{name}: {quoted(scalar_of(v))} {problem}"

    return message


def _numeric_column(spec: FieldSpec, raw: pd.Series, fail: Any) -> np.ndarray:
    n = len(raw)
    if spec.kind == "flag":
        return _flag_column(spec, raw, fail)
    dtype = raw.dtype
    if pd.api.types.is_bool_dtype(dtype):
        fail(~pd.isna(raw).to_numpy(dtype=bool), _messages(spec.name, raw, "is not a number"))
        return np.full(n, np.nan)
    if isinstance(dtype, np.dtype) and dtype.kind in "fiu":
        # a plain numpy column (the usual case): each cell is a number or NaN (missing), so none
        # is 'not a number'; pandas' conversion with na_value, and its isna (numpy's isnan
        # here), cost more than the whole check of a small column
        x = raw.to_numpy().astype(float, copy=False)
        infinite = np.isinf(x)
        finite = np.isfinite(x)
    else:
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
            x = raw.to_numpy(dtype=float, na_value=np.nan)
            present = ~pd.isna(raw).to_numpy(dtype=bool)
        else:
            # the single-profile parser's results, in bulk where the cells are plain (pandas'
            # own parser differs on "1_000", "nan" and others); complex numbers are read cell
            # by cell
            x, present = number_column(raw)
        fail(present & np.isnan(x), _messages(spec.name, raw, "is not a number"))
        infinite = present & np.isinf(x)
        finite = present & np.isfinite(x)
    if infinite.any():
        fail(infinite, lambda i: _number_message(spec, raw, i, float(x[i])))
    with np.errstate(invalid="ignore"):  # entered once a column: it costs as much as a rule
        refusals = [(problem, finite & refused(x)) for problem, refused in RANGE_RULES[spec.name]]
    for problem, mask in refusals:
        fail(mask, _messages(spec.name, raw, problem))
    return np.where(finite, x, np.nan)


def _number_message(spec: FieldSpec, raw: pd.Series, i: int, x: float) -> str:
    v = scalar_of(raw.iloc[i])
    return f"{spec.name}: {quoted(v)} {number_problem(spec, v, x)}"


def _flag_column(spec: FieldSpec, raw: pd.Series, fail: Any) -> np.ndarray:
    dtype = raw.dtype
    # (numpy's bool has no missing value to look for; pandas' nullable boolean has)
    if pd.api.types.is_bool_dtype(dtype) and (isinstance(dtype, np.dtype) or not raw.isna().any()):
        return raw.to_numpy(dtype=float)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        # numbers are yes/no when they are 0 or 1, as the one-value parser reads them (a plain
        # numpy column as it is: the conversion with na_value costs more than the check)
        plain = isinstance(dtype, np.dtype) and dtype.kind in "fiu"
        x = raw.to_numpy().astype(float) if plain else raw.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(x) & (x != 0) & (x != 1)
    else:

        def parse(v: Any) -> float:
            if is_missing(v):
                return np.nan
            flag = parse_flag(v)
            return -1.0 if flag is None else float(flag)  # -1 is refused below

        x = distinct_map(raw, parse)  # yes/no columns hold few distinct spellings
        bad = x == -1.0
    fail(bad, _messages(spec.name, raw, NOT_A_FLAG))
    return np.where(bad, np.nan, x)


def _rating_column(raw: pd.Series, fail: Any) -> np.ndarray:
    def grade(v: Any) -> float:
        if is_missing(v):
            return np.nan
        try:
            return float(RATINGS.index(check_value("previous_rating", v)) + 1)
        except ProfileError:
            return -1.0

    # ratings repeat a lot: each distinct spelling is parsed once (an unhashable cell on its own)
    x = distinct_map(raw, grade)
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


def _text_column(
    name: str, columns: dict[str, pd.Series], n: int, fail: Any, required: bool
) -> np.ndarray:
    if name not in columns:
        if required:
            fail(np.ones(n, dtype=bool), f"{name}: None is required")
        return np.full(n, None, dtype=object)
    raw = columns[name]
    text, missing, not_text = text_column(raw)
    if required:
        fail(missing, _messages(name, raw, "is required", quote_blank=True))
    if not_text.any():
        fail(not_text, _messages(name, raw, "must be non-empty text"))
    return text
