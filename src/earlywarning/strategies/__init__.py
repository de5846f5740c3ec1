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
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.profile import FieldSpec
from earlywarning.profile.derived import BUDGET_CUT, CASELOAD_ABOVE_TARGET
from earlywarning.rules import Ruleset, default_ruleset
from earlywarning.strategies._hypothesis import st
from earlywarning.strategies._rules import BREAKAGES, rule_documents
from earlywarning.strategies._values import (
    BUDGET_FIELDS,
    MISSING_SPELLINGS,
    NO_SPELLINGS,
    RATING_SPELLINGS,
    SPEC,
    SUPPRESSION_CODES,
    YES_SPELLINGS,
    around,
    bad_values,
    edges,
    field_values,
    hostile_values,
    in_range,
    number_texts,
    numbers,
)

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
    "numbers",
    "profile_frames",
    "profiles",
    "rule_documents",
]

_NAMES: tuple[str, ...] = tuple(SPEC)
_BUDGET = BUDGET_FIELDS
_CASELOAD = CASELOAD_ABOVE_TARGET.inputs
# Fields drawn one by one; the budget and caseload fields are drawn together, consistently.
_SINGLES = tuple(n for n in _NAMES if n not in ("council", "year", *_BUDGET, *_CASELOAD))

# Budgets of any council in England, in £m: wide enough for every cut, narrow enough that the
# derived cut stays a finite number.
_CURRENT = FieldSpec(BUDGET_CUT.inputs[0], "number", "", 0, 10_000)
_BASELINE = FieldSpec(BUDGET_CUT.inputs[1], "number", "", 0, 10_000, True)


@st.composite
def _budget(draw: st.DrawFn, cut_values: st.SearchStrategy[Any]) -> dict[str, Any]:
    """The three budget fields in every combination they may be given, always consistent."""
    mode = draw(st.sampled_from(["none", "cut", "budgets", "budgets+cut", "baseline", "current"]))
    if mode == "none":
        return {}
    cut = draw(cut_values)
    if mode == "cut":
        return {BUDGET_CUT.name: cut}
    baseline = draw(numbers(_BASELINE))
    out: dict[str, Any]
    if mode in ("budgets", "budgets+cut"):
        # often a current budget that puts the derived cut on or beside an edge
        current = BUDGET_CUT.inverse(cut, baseline)
        if not in_range(_CURRENT, current) or draw(st.booleans()):
            current = draw(numbers(_CURRENT))
        out = {_BASELINE.name: baseline, _CURRENT.name: current}
        derived = BUDGET_CUT.forward(current, baseline)
        if mode == "budgets+cut" and math.isfinite(derived):
            # exactly the derived cut: one off by rounding would score the same only by luck
            out[BUDGET_CUT.name] = derived
        return out
    if mode == "baseline":
        out = {_BASELINE.name: baseline}
    else:
        out = {_CURRENT.name: draw(numbers(_CURRENT))}
    if draw(st.booleans()):
        out[BUDGET_CUT.name] = cut
    return out


@st.composite
def _caseload(
    draw: st.DrawFn, values: dict[str, st.SearchStrategy[Any]], above: list[float]
) -> dict[str, Any]:
    """Caseload and target, often chosen so that the caseload sits on a target edge."""
    caseload, target_field = CASELOAD_ABOVE_TARGET.inputs
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out[caseload] = draw(values[caseload])
    if draw(st.booleans()):
        avg = out.get(caseload)
        if avg and above and draw(st.booleans()):
            excess = draw(st.sampled_from(above))
            target = CASELOAD_ABOVE_TARGET.held_from(excess, avg) if excess > -100 else None
            if target is not None and in_range(SPEC[target_field], target):
                out[target_field] = target
                return out
        out[target_field] = draw(values[target_field])
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
    cut = numbers(SPEC[BUDGET_CUT.name], edges(rules, BUDGET_CUT.name))
    above_spec = FieldSpec(CASELOAD_ABOVE_TARGET.name, "number", "", -99, 10_000)
    above = around(above_spec, edges(rules, CASELOAD_ABOVE_TARGET.name))
    return _profile(values, cut, above)


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
        ... @given(profile_frames())
        ... def test_every_row_scores(frame):
        ...     out = ew.score_frame(frame)
        ...     assert out.index.equals(frame.index) and out["error"].isna().all()
        >>> test_every_row_scores()
    """
    valid = profiles(ruleset)
    seeds = st.one_of(valid, hostile_profiles(ruleset, keys=False)) if hostile else valid
    return _frames(seeds, (min_rows, max_rows), hostile)
