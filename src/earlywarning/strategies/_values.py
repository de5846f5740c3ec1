"""Values of single profile fields for hypothesis: accepted ones around the edges, and hostile ones.

Re-exported by :mod:`earlywarning.strategies`, which documents them.

Example:
    >>> SPEC["agency_rate_pct"].minimum, SPEC["agency_rate_pct"].maximum
    (0, 100)
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.engine.space import thresholds
from earlywarning.io import SUPPRESSION_CODES  # the reader's own list: one list of codes
from earlywarning.profile import FIELDS, FieldSpec
from earlywarning.profile.derived import BUDGET_CUT
from earlywarning.rules import Ruleset, default_ruleset
from earlywarning.strategies._hypothesis import st

__all__ = [
    "BUDGET_FIELDS",
    "MISSING_SPELLINGS",
    "NO_SPELLINGS",
    "RATING_SPELLINGS",
    "SPEC",
    "SUPPRESSION_CODES",
    "YES_SPELLINGS",
    "around",
    "bad_values",
    "edges",
    "field_values",
    "hostile_values",
    "in_range",
    "number_texts",
    "numbers",
]

SPEC: dict[str, FieldSpec] = {f.name: f for f in FIELDS}
"""Each profile field's spec, by name."""

BUDGET_FIELDS = (*reversed(BUDGET_CUT.inputs), BUDGET_CUT.name)
"""The fields a budget cut comes from: drawn together so that they never contradict."""

RATING_SPELLINGS: dict[str, tuple[str, ...]] = {
    "outstanding": ("outstanding", "Outstanding", "OUTSTANDING", "1"),
    "good": ("good", "Good", " good ", "2"),
    "requires_improvement": (
        "requires_improvement",
        "Requires improvement to be good",
        "Requires improvement",
        "RI",
        "ri",
        "requires-improvement",
        "Adequate",
        "3",
    ),
    "inadequate": ("inadequate", "Inadequate", "4"),
}
"""Ofsted's spellings of the four judgements (and the pre-2013 "Adequate"), grade by grade."""

YES_SPELLINGS: tuple[Any, ...] = (True, "yes", "Yes", "true", "TRUE", "1", 1, "y", np.bool_(True))
"""Ways a yes/no field is given as yes."""

NO_SPELLINGS: tuple[Any, ...] = (False, "no", "No", "false", "FALSE", "0", 0, "n", np.bool_(False))
"""Ways a yes/no field is given as no."""

MISSING_SPELLINGS: tuple[Any, ...] = (None, math.nan, "", "   ")
"""Ways a table says "no value": each reads as missing, never as zero."""


def edges(ruleset: Ruleset, measure: str) -> list[float]:
    """Every value at which some rule's result changes for ``measure``, sorted.

    The ``from`` of every level after the first, and the thresholds of combination conditions.

    Example:
        >>> import earlywarning as ew
        >>> edges(ew.load_ruleset(), "agency_rate_pct")
        [10.0, 15.0, 25.0]
    """
    return [x for x in thresholds(ruleset, measure) if math.isfinite(x)]


def in_range(spec: FieldSpec, x: float) -> bool:
    """Whether the number ``x`` is accepted by the field ``spec`` (its kind and bounds).

    Example:
        >>> from earlywarning.profile import FIELDS
        >>> agency = {f.name: f for f in FIELDS}["agency_rate_pct"]
        >>> in_range(agency, 100.0), in_range(agency, 100.5), in_range(agency, math.nan)
        (True, False, False)
    """
    if not math.isfinite(x):
        return False
    if spec.kind == "integer" and x != int(x):
        return False
    if spec.minimum is not None and (
        x <= spec.minimum if spec.exclusive_minimum else x < spec.minimum
    ):
        return False
    return spec.maximum is None or x <= spec.maximum


def around(spec: FieldSpec, at: Iterable[float]) -> list[float]:
    """The values at, just below and just above each edge and each bound, that ``spec`` accepts."""
    integer = spec.kind == "integer"
    out: set[float] = set()
    for e in [*at, spec.minimum, spec.maximum]:
        if e is None:
            continue
        if integer:
            out.update((e - 1, e, e + 1))
        else:
            out.update((e, math.nextafter(e, -math.inf), math.nextafter(e, math.inf)))
            out.update((e - 0.5, e + 0.5))
    return sorted(int(x) if integer else float(x) for x in out if in_range(spec, x))


def numbers(spec: FieldSpec, at: Iterable[float] = ()) -> st.SearchStrategy[Any]:
    """Numbers that ``spec`` accepts; half of them on, just below or just above an edge or bound.

    ``at`` holds the edges (see :func:`edges`). For a number field, a whole number on an edge
    comes both as a float and as an int, as a spreadsheet may give either.

    Example:
        >>> from hypothesis import find, settings
        >>> from earlywarning.profile import FieldSpec
        >>> share = FieldSpec("share_pct", "number", "a share", 0, 100)
        >>> find(numbers(share, [20.0]), lambda x: x > 20, settings=settings(derandomize=True))
        20.000000000000004
    """
    special: list[Any] = around(spec, at)
    if spec.kind == "integer":
        lo = int(spec.minimum) if spec.minimum is not None else -1000
        hi = int(spec.maximum) if spec.maximum is not None else 1000
        anywhere: st.SearchStrategy[Any] = st.integers(lo, hi)
    else:
        anywhere = st.floats(
            min_value=spec.minimum,
            max_value=spec.maximum,
            exclude_min=spec.exclusive_minimum,
            allow_nan=False,
            allow_infinity=False,
        )
        # a whole number typed into a sheet arrives as an int
        special += [int(x) for x in special if x.is_integer() and abs(x) < 2**53]
    return st.one_of(st.sampled_from(special), anywhere) if special else anywhere


def field_values(name: str, ruleset: Ruleset | None = None) -> st.SearchStrategy[Any]:
    """Accepted values of the profile field ``name``, in any spelling the field accepts.

    Numbers sit on, beside and between the ruleset's edges for the field and its own bounds.

    Example:
        >>> from hypothesis import find, settings
        >>> find(field_values("agency_rate_pct"), lambda x: x > 99,
        ...      settings=settings(derandomize=True))
        99.5
    """
    spec = SPEC[name]
    if spec.kind == "flag":
        return st.sampled_from(YES_SPELLINGS + NO_SPELLINGS)
    if spec.kind == "rating":
        return st.sampled_from([s for spellings in RATING_SPELLINGS.values() for s in spellings])
    if name == "council":
        return st.one_of(
            st.sampled_from(["Derbyshire", "Kirklees", "Durham", "Oxfordshire"]),
            st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""),
        )
    if name == "region":
        return st.sampled_from(["East Midlands", "London", "North West", " South West "])
    if spec.kind == "text":  # la_code: ONS codes of the four kinds of council with the duty
        return st.builds(
            "E{}{:06d}".format, st.sampled_from(["06", "08", "09", "10"]), st.integers(0, 999_999)
        )
    return numbers(spec, edges(ruleset if ruleset is not None else default_ruleset(), name))


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def bad_values(name: str) -> st.SearchStrategy[Any]:
    """Values the field ``name`` refuses on its own, whatever the rest of the profile holds.

    Example:
        >>> from hypothesis import find, settings
        >>> find(bad_values("agency_rate_pct"), lambda x: isinstance(x, float) and x > 100,
        ...      settings=settings(derandomize=True))
        101.0
    """
    spec = SPEC[name]
    missing: list[Any] = [None, math.nan, "", "   "] if name in ("council", "year") else []
    if spec.kind == "text":
        return st.one_of(
            st.integers(-5, 5000), st.floats(allow_nan=False), st.booleans(),
            st.sampled_from(missing or [1]),
        )  # fmt: skip
    if spec.kind == "rating":
        return st.one_of(
            st.sampled_from(["very good", "satisfactory", "5", "0", "goodish", "requires"]),
            st.text(_LETTERS, min_size=1, max_size=8).filter(
                lambda s: s.lower() not in {"good", "ri", "outstanding", "inadequate", "adequate"}
            ),
            st.integers(-3, 10),  # a grade as a number is not a spelling Ofsted uses
        )
    if spec.kind == "flag":
        return st.one_of(
            st.sampled_from(["maybe", "unknown", "2", "Y/N", "oui", "-1"]),
            st.integers(2, 100), st.integers(-100, -1), st.floats(0.01, 0.99),
        )  # fmt: skip
    out: list[st.SearchStrategy[Any]] = [
        # letters never make a finite number ("nan" and "inf" parse, but are not finite)
        st.text(_LETTERS, min_size=1, max_size=10),
        st.sampled_from(["12%", "1.2.3", "£40", "n/a", "1e", "ten", math.inf, -math.inf]),
        st.sampled_from(["inf", "-Infinity", "nan", True, False, *missing]),
    ]
    if spec.minimum is not None:
        lo, exclusive = spec.minimum, spec.exclusive_minimum
        below = st.floats(max_value=lo, allow_nan=False).filter(
            lambda x: x < lo or (exclusive and x == lo)
        )
        out += [below, below.map(repr)]  # as a number, and as a spreadsheet's text
    if spec.maximum is not None:
        hi = spec.maximum
        above = st.floats(min_value=hi, allow_nan=False).filter(lambda x: x > hi)
        out += [above, above.map(repr)]
    if spec.kind == "integer":
        lo_i = spec.minimum if spec.minimum is not None else -1000.0
        hi_i = spec.maximum if spec.maximum is not None else 1000.0
        out.append(st.floats(lo_i, hi_i).filter(lambda x: x != int(x)))
    return st.one_of(out)


def _underscored(x: float) -> str:
    """``x`` with an underscore between its first two digits, as Python allows: 12.5 -> 1_2.5."""
    text = repr(x)
    for i in range(len(text) - 1):
        if text[i].isdigit() and text[i + 1].isdigit():
            return text[: i + 1] + "_" + text[i + 1 :]
    return text


def _arabic_digits(x: float) -> str:
    """``x`` in Arabic-Indic digits, which Python's float() reads."""
    return repr(x).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


_FORMATS: tuple[Callable[[Any], str], ...] = (
    repr, "{:,}".format, " {} ".format, "{:e}".format, _underscored, _arabic_digits,
)  # fmt: skip


def number_texts(name: str) -> st.SearchStrategy[str]:
    """Accepted numbers of the field ``name`` written as text: by a spreadsheet, a person, Python.

    Example:
        >>> from hypothesis import find, settings
        >>> find(number_texts("cla_rate_per_10k"), lambda s: "," in s,
        ...      settings=settings(derandomize=True))
        '9,999.5'
    """
    return st.builds(lambda x, f: f(x), numbers(SPEC[name]), st.sampled_from(_FORMATS))


# Values from other libraries and odd corners of Python's own types: each either scores as the
# number it holds or is refused naming the field, never a bare traceback.
_ODD_VALUES: tuple[Any, ...] = (
    complex(1, 2), complex(3, 0), np.complex128(1j), 10**400, -(10**400), 2**63, 2**64,
    -(2**63) - 1, Decimal("NaN"), Decimal("1e400"), Decimal("12.5"), Fraction(1, 3),
    np.float64("nan"), np.float32("inf"), np.float64(12.5), np.float32(0.1), np.int64(7),
    np.int8(-1), np.uint64(2**64 - 1), np.bool_(True), np.str_("12"), np.datetime64("2020-01-01"),
    pd.NA, pd.NaT, pd.Timestamp("2020-01-01"), datetime.date(2020, 1, 1), b"12", bytearray(b"1"),
    [1], (), {"value": 1}, {1, 2}, "1" * 400, "1e309", "-1e309", "0x1A", "1_000", "١٢", "12\x00",
    "\ufeff12", "NaN", "Infinity", "+12", "12 %", "", " ", "\t", "\u00a0", "\u200b", "\n",
)  # fmt: skip
_CODES = SUPPRESSION_CODES + tuple(c.upper() for c in SUPPRESSION_CODES) + (" x ", "[c]", "[x]")


@cache
def hostile_values(name: str) -> st.SearchStrategy[Any]:
    """Anything at all for the field ``name``: bad values, odd types, now and then a good one.

    Wrong types, non-finite and out-of-range numbers, integers too large for a float, complex
    numbers, numpy scalars, pandas' NA and NaT, suppression codes, blank and invisible text,
    numbers written as text.

    Example:
        >>> from hypothesis import find, settings
        >>> find(hostile_values("year"), lambda x: isinstance(x, str)
        ...      and x.strip().lower() in SUPPRESSION_CODES, settings=settings(derandomize=True))
        'X'
    """
    spec = SPEC[name]
    out: list[st.SearchStrategy[Any]] = [
        bad_values(name),
        st.sampled_from(_ODD_VALUES),
        st.sampled_from(_CODES),
        st.text(max_size=12),
        st.text(alphabet="0123456789.,_ -+eEinfatyINFATY", max_size=8),
        st.one_of(st.floats(), st.integers(-(10**30), 10**30), st.booleans(), st.none()),
        field_values(name) if name not in BUDGET_FIELDS else st.nothing(),
    ]
    if spec.kind in ("number", "integer"):
        out.append(number_texts(name))
    return st.one_of(out)
