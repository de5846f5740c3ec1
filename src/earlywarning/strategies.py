"""Hypothesis strategies for testing code that uses earlywarning, drawn from a ruleset's own rules.

Install them with ``pip install "earlywarning[strategies]"``; without hypothesis, importing this
module raises :class:`~earlywarning.errors.StrategiesDependencyError` naming that extra.

Nothing here states a threshold. :func:`profiles` puts values on, just below and just above every
level edge and combination threshold of the ruleset it is given (the bundled default when none)
and on each field's own bounds, and every range comes from the profile field table, so the
strategies follow the rules when they change. :func:`hostile_profiles` and
:func:`profile_frames` draw what a spreadsheet, a careless script or an attacker might pass
instead, and :func:`rule_documents` draws rule files, valid or broken.

Use them with ``@given`` like any other strategy (the test below is shown, not run)::

    from hypothesis import given
    import earlywarning as ew
    from earlywarning.strategies import hostile_profiles

    @given(hostile_profiles())
    def test_my_pipeline_never_crashes(p):
        try:
            my_pipeline(ew.score(p))
        except ew.EarlyWarningError:
            pass  # refused, with the field and the value named

Example:
    >>> from hypothesis import find, settings
    >>> find(field_values("dcs_changes"), lambda n: n >= 3, settings=settings(derandomize=True))
    3
"""

from __future__ import annotations

import contextlib
import datetime
import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from earlywarning._hypothesis import st
from earlywarning._rule_documents import BREAKAGES, rule_documents
from earlywarning.profile import FIELDS, FieldSpec
from earlywarning.rules import Ruleset, default_ruleset

__all__ = [
    "BREAKAGES",
    "MISSING_SPELLINGS",
    "NO_SPELLINGS",
    "RATING_SPELLINGS",
    "SUPPRESSION_CODES",
    "YES_SPELLINGS",
    "bad_values",
    "edges",
    "field_values",
    "hostile_profiles",
    "hostile_values",
    "in_range",
    "number_texts",
    "profile_frames",
    "profiles",
    "rule_documents",
]

_SPEC: dict[str, FieldSpec] = {f.name: f for f in FIELDS}
_NAMES: tuple[str, ...] = tuple(_SPEC)
_BUDGET = ("budget_baseline_gbp_m", "budget_current_gbp_m", "budget_cut_pct")
_CASELOAD = ("avg_caseload", "caseload_target")
# Fields drawn one by one; the budget and caseload fields are drawn together, consistently.
_SINGLES = tuple(n for n in _NAMES if n not in ("council", "year", *_BUDGET, *_CASELOAD))

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
NO_SPELLINGS: tuple[Any, ...] = (False, "no", "No", "false", "FALSE", "0", 0, "n", np.bool_(False))
MISSING_SPELLINGS: tuple[Any, ...] = (None, math.nan, "", "   ")
"""Ways a table says "no value": each reads as missing, never as zero."""

SUPPRESSION_CODES: tuple[str, ...] = ("x", "c", "z", "u", "k", "low", "..", "-", ":")
"""The codes DfE and ONS tables publish in place of a suppressed or unavailable number."""


def edges(ruleset: Ruleset, measure: str) -> list[float]:
    """Every value at which some rule's result changes for ``measure``, sorted.

    The ``from`` of every level after the first, and the thresholds of combination conditions.

    Example:
        >>> import earlywarning as ew
        >>> edges(ew.load_ruleset(), "agency_rate_pct")
        [10.0, 15.0, 25.0]
    """
    out: set[float] = set()
    for ind in ruleset.indicators:
        if ind.measure == measure:
            out.update(lv.from_ for lv in ind.levels[1:] if lv.from_ is not None)
    for combo in ruleset.combinations:
        for cond in combo.conditions:
            if cond.measure == measure:
                out.update(x for x in (cond.from_, cond.below) if x is not None)
    return sorted(x for x in out if math.isfinite(x))


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


def _around(spec: FieldSpec, at: Iterable[float]) -> list[float]:
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


def _numbers(spec: FieldSpec, at: Iterable[float] = ()) -> st.SearchStrategy[Any]:
    """Accepted values of a number or integer field; half of them on or beside an edge."""
    special: list[Any] = _around(spec, at)
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
    spec = _SPEC[name]
    if spec.kind == "flag":
        return st.sampled_from(YES_SPELLINGS + NO_SPELLINGS)
    if spec.kind == "rating":
        return st.sampled_from([s for spellings in RATING_SPELLINGS.values() for s in spellings])
    if name == "council":
        return st.one_of(
            st.sampled_from(["Derbyshire", "Kirklees", "Durham", "Oxfordshire"]),
            st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""),
        )
    if spec.kind == "text":  # la_code: ONS codes of the four kinds of council with the duty
        return st.builds(
            "E{}{:06d}".format, st.sampled_from(["06", "08", "09", "10"]), st.integers(0, 999_999)
        )
    return _numbers(spec, edges(ruleset if ruleset is not None else default_ruleset(), name))


# Budgets of any council in England, in £m: wide enough for every cut, narrow enough that the
# derived cut stays a finite number.
_BASELINE = FieldSpec("budget_baseline_gbp_m", "number", "", 0, 10_000, True)
_CURRENT = FieldSpec("budget_current_gbp_m", "number", "", 0, 10_000)


@st.composite
def _budget(draw: st.DrawFn, cut_values: st.SearchStrategy[Any]) -> dict[str, Any]:
    """The three budget fields in every combination they may be given, always consistent."""
    mode = draw(st.sampled_from(["none", "cut", "budgets", "budgets+cut", "baseline", "current"]))
    if mode == "none":
        return {}
    cut = draw(cut_values)
    if mode == "cut":
        return {"budget_cut_pct": cut}
    baseline = draw(_numbers(_BASELINE))
    out: dict[str, Any]
    if mode in ("budgets", "budgets+cut"):
        # often a current budget that puts the derived cut on or beside an edge
        current = baseline * (1 - cut / 100)
        if not in_range(_CURRENT, current) or draw(st.booleans()):
            current = draw(_numbers(_CURRENT))
        out = {"budget_baseline_gbp_m": baseline, "budget_current_gbp_m": current}
        if mode == "budgets+cut" and math.isfinite((baseline - current) / baseline):
            # exactly the derived cut: one off by rounding would score the same only by luck
            out["budget_cut_pct"] = (baseline - current) / baseline * 100.0
        return out
    if mode == "baseline":
        out = {"budget_baseline_gbp_m": baseline}
    else:
        out = {"budget_current_gbp_m": draw(_numbers(_CURRENT))}
    if draw(st.booleans()):
        out["budget_cut_pct"] = cut
    return out


@st.composite
def _caseload(
    draw: st.DrawFn, values: dict[str, st.SearchStrategy[Any]], above: list[float]
) -> dict[str, Any]:
    """Caseload and target, often chosen so that the caseload sits on a target edge."""
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["avg_caseload"] = draw(values["avg_caseload"])
    if draw(st.booleans()):
        avg = out.get("avg_caseload")
        if avg and above and draw(st.booleans()):
            excess = draw(st.sampled_from(above))
            target = avg / (1 + excess / 100) if excess > -100 else None
            if target is not None and in_range(_SPEC["caseload_target"], target):
                out["caseload_target"] = target
                return out
        out["caseload_target"] = draw(values["caseload_target"])
    return out


@st.composite
def _profile(
    draw: st.DrawFn,
    values: dict[str, st.SearchStrategy[Any]],
    cut: st.SearchStrategy[Any],
    above: list[float],
) -> dict[str, Any]:
    p: dict[str, Any] = {"council": draw(values["council"]), "year": draw(values["year"])}
    p.update(draw(_budget(cut)))
    p.update(draw(_caseload(values, above)))
    for name in _SINGLES:
        # one draw decides: absent (4 in 10), given as missing (1 in 10) or given (5 in 10)
        how = draw(st.integers(0, 9))
        if how >= 5:
            p[name] = draw(values[name])
        elif how == 4:
            p[name] = draw(st.sampled_from(MISSING_SPELLINGS))
    return p


def profiles(ruleset: Ruleset | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid profiles as plain dicts: ``council`` and ``year`` always, other fields or not.

    Numbers are drawn within each field's range, half of them on, just below or just above a
    level edge or combination threshold of ``ruleset`` (the bundled default when None) or a
    field's bound; a derived measure (the budget cut, the caseload above target) is put on its
    edges through the fields it comes from. A field may be absent or given as missing (None,
    NaN, blank). Every profile drawn scores without error.

    Example:
        >>> from hypothesis import given, settings
        >>> import earlywarning as ew
        >>> rules = ew.load_ruleset()
        >>> @settings(max_examples=25, derandomize=True)
        ... @given(profiles(rules))
        ... def test_every_profile_scores(p):
        ...     assert 0 <= ew.score(p, rules).score <= 100
        >>> test_every_profile_scores()
    """
    rules = ruleset if ruleset is not None else default_ruleset()
    values = {name: field_values(name, rules) for name in _NAMES}
    cut = _numbers(_SPEC["budget_cut_pct"], edges(rules, "budget_cut_pct"))
    above_spec = FieldSpec("caseload_above_target_pct", "number", "", -99, 10_000)
    above = _around(above_spec, edges(rules, "caseload_above_target_pct"))
    return _profile(values, cut, above)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def bad_values(name: str) -> st.SearchStrategy[Any]:
    """Values the field ``name`` refuses on its own, whatever the rest of the profile holds.

    Example:
        >>> from hypothesis import find, settings
        >>> find(bad_values("agency_rate_pct"), lambda x: isinstance(x, float) and x > 100,
        ...      settings=settings(derandomize=True))
        101.0
    """
    spec = _SPEC[name]
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
    return st.builds(lambda x, f: f(x), _numbers(_SPEC[name]), st.sampled_from(_FORMATS))


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
    spec = _SPEC[name]
    out: list[st.SearchStrategy[Any]] = [
        bad_values(name),
        st.sampled_from(_ODD_VALUES),
        st.sampled_from(_CODES),
        st.text(max_size=12),
        st.text(alphabet="0123456789.,_ -+eEinfatyINFATY", max_size=8),
        st.one_of(st.floats(), st.integers(-(10**30), 10**30), st.booleans(), st.none()),
        field_values(name) if name not in _BUDGET else st.nothing(),
    ]
    if spec.kind in ("number", "integer"):
        out.append(number_texts(name))
    return st.one_of(out)


# Keys a dict of profile fields should not have: other types, near misses, blanks.
_ODD_KEYS: tuple[Any, ...] = (
    "colour", 1, 0, 2.5, None, True, ("council",), b"council", frozenset({"year"}), "", " ",
    "Council", "council ", "agency_rate", "agency rate pct", "la code", "__class__", "year\x00",
)  # fmt: skip


@st.composite
def _hostile(
    draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]], keys: bool, max_fields: int
) -> dict[Any, Any]:
    p: dict[Any, Any] = dict(draw(base))
    names = st.lists(st.sampled_from(_NAMES), min_size=1, max_size=max_fields, unique=True)
    for name in draw(names):
        p[name] = draw(hostile_values(name))
    if keys and draw(st.integers(0, 3)) == 0:
        p[draw(st.sampled_from(_ODD_KEYS))] = draw(st.sampled_from([12.0, "x", None, "good"]))
    return p


def hostile_profiles(
    ruleset: Ruleset | None = None, *, keys: bool = True, max_fields: int = 3
) -> st.SearchStrategy[dict[Any, Any]]:
    """Profiles with up to ``max_fields`` fields holding anything (see :func:`hostile_values`).

    With ``keys`` (the default), one profile in four also has a key that is not a profile
    field: another type (an int, None, a tuple, bytes), a near miss or a blank. Scoring one
    gives an assessment or an :class:`~earlywarning.errors.EarlyWarningError`, nothing else.

    Example:
        >>> from hypothesis import given, settings
        >>> import earlywarning as ew
        >>> @settings(max_examples=25, derandomize=True)
        ... @given(hostile_profiles(keys=False))
        ... def test_anything_scores_or_is_refused(p):
        ...     try:
        ...         ew.score(p)
        ...     except ew.ProfileError as exc:
        ...         assert exc.field in p
        >>> test_anything_scores_or_is_refused()
    """
    return _hostile(profiles(ruleset), keys, max_fields)


# Fields that travel together when rows are mixed: the budget and caseload fields only make
# sense as a set (a cut from one profile and budgets from another may contradict each other).
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("council",), ("year",), _BUDGET, _CASELOAD, *((n,) for n in _SINGLES),
)  # fmt: skip


def _mix(seeds: list[dict[str, Any]], n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """``n`` rows, each taking every group of fields from one of the ``seeds`` at random."""
    pick = rng.integers(0, len(seeds), size=(n, len(_GROUPS)))
    rows = []
    for i in range(n):
        row: dict[str, Any] = {}
        for g, group in enumerate(_GROUPS):
            seed = seeds[pick[i, g]]
            row.update((name, seed[name]) for name in group if name in seed)
        rows.append(row)
    return rows


def _categories(frame: pd.DataFrame) -> pd.DataFrame:
    for name in ("council", "la_code", "previous_rating"):
        if name in frame.columns:
            frame[name] = frame[name].astype("category")
    return frame


# How a frame's columns may arrive: as pandas inferred them, all objects (as read from an odd
# file), pandas' nullable dtypes (read_csv with dtype_backend, convert_dtypes) or categories.
_DTYPES: tuple[Callable[[pd.DataFrame], pd.DataFrame], ...] = (
    lambda f: f, lambda f: f.astype(object), lambda f: f.convert_dtypes(), _categories,
)  # fmt: skip


def _frame_level(draw: st.DrawFn, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with an odd index, and now and then an odd column: hostile as a whole."""
    n = len(frame)
    index = draw(st.sampled_from(["range", "text", "repeated", "reversed"]))
    if index == "text":
        frame.index = pd.Index([f"row {i}" for i in range(n)])
    elif index == "repeated":
        frame.index = pd.Index([i // 2 for i in range(n)])
    elif index == "reversed":
        frame.index = pd.Index(range(n, 0, -1))
    if n and draw(st.integers(0, 7)) == 0:
        column = draw(st.sampled_from(list(frame.columns)))
        how = draw(st.sampled_from(["twice", "extra", "number", "near miss"]))
        if how == "twice":
            frame = pd.concat([frame, frame[[column]]], axis=1)
        elif how == "extra":
            frame["region"] = "East Midlands"
        else:
            frame = frame.rename(columns={column: 0 if how == "number" else column + "s"})
    return frame


@st.composite
def _frames(
    draw: st.DrawFn, seeds: st.SearchStrategy[Any], rows: tuple[int, int], hostile: bool
) -> pd.DataFrame:
    drawn = draw(st.lists(seeds, min_size=1, max_size=6))
    n = draw(st.integers(*rows))
    mixed = _mix(drawn, n, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))
    columns = [name for name in _NAMES if any(name in seed for seed in drawn)]
    frame = pd.DataFrame(mixed, columns=columns)
    # pandas cannot hold some values in some forms: those frames stay as they are
    with contextlib.suppress(TypeError, ValueError):
        frame = draw(st.sampled_from(_DTYPES))(frame)
    return _frame_level(draw, frame) if hostile else frame


def profile_frames(
    ruleset: Ruleset | None = None,
    *,
    min_rows: int = 1,
    max_rows: int = 50,
    hostile: bool = False,
) -> st.SearchStrategy[pd.DataFrame]:
    """DataFrames of profiles, many rows for little drawing: rows mix a few drawn profiles.

    A handful of profiles is drawn with :func:`profiles` (with ``hostile``, also with
    :func:`hostile_profiles`, whose bad values then sit in single cells); each row takes each
    field, or each set of fields that belong together (the budgets and the cut; the caseload
    and its target), from one of them at random. The columns arrive as pandas infers them, as
    objects, as pandas' nullable dtypes or with categories. With ``hostile``, the index may be
    text, repeated or reversed, and one frame in eight has a column given twice, an extra
    column, a number as a column name or a misspelt one.

    Without ``hostile`` every row scores without error.

    Example:
        >>> from hypothesis import given, settings
        >>> import earlywarning as ew
        >>> @settings(max_examples=10, derandomize=True)
        ... @given(profile_frames(max_rows=200))
        ... def test_every_row_scores(frame):
        ...     out = ew.score_frame(frame)
        ...     assert out.index.equals(frame.index) and out["error"].isna().all()
        >>> test_every_row_scores()
    """
    valid = profiles(ruleset)
    seeds = st.one_of(valid, hostile_profiles(ruleset, keys=False)) if hostile else valid
    return _frames(seeds, (min_rows, max_rows), hostile)
