"""CouncilProfile: what each field accepts and refuses, and the messages that say why."""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning.profile import FIELD_NAMES, FIELDS, RATINGS, check_profile, check_value
from earlywarning.profile._cells import is_missing, number_column, text_column, to_float
from earlywarning.strategies import hostile_profiles, profiles

BASE = {"council": "Testshire", "year": 2020}
RANGED = [f for f in FIELDS if f.kind in ("number", "integer") and f.name != "year"]


def refused(**fields: object) -> ew.ProfileError:
    with pytest.raises(ew.ProfileError) as info:
        ew.CouncilProfile(**{**BASE, **fields})
    return info.value


# ranges -------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [f for f in RANGED if f.maximum is not None], ids=lambda f: f.name)
def test_above_maximum_names_field_and_value(spec):
    value = spec.maximum + 1
    err = refused(**{spec.name: value})
    assert err.field == spec.name
    assert err.value == value
    assert spec.name in str(err) and repr(value) in str(err)
    assert "maximum" in str(err)
    # the maximum itself is accepted
    assert getattr(ew.CouncilProfile(**BASE, **{spec.name: spec.maximum}), spec.name) is not None


@pytest.mark.parametrize("spec", [f for f in RANGED if f.minimum is not None], ids=lambda f: f.name)
def test_below_minimum_names_field_and_value(spec):
    value = spec.minimum - 1
    err = refused(**{spec.name: value})
    assert (err.field, err.value) == (spec.name, value)
    assert str(err).startswith(f"{spec.name}: {value!r} ")


@pytest.mark.parametrize("spec", RANGED, ids=lambda f: f.name)
def test_non_numeric_text_infinity_and_bool_refused(spec):
    for bad in ("twelve", "12%", math.inf, -math.inf, "inf", "nan", True):
        err = refused(**{spec.name: bad})
        assert err.field == spec.name
        assert err.value is bad or err.value == bad
        assert repr(bad) in str(err)


def test_exclusive_minimum_refuses_the_minimum_itself():
    err = refused(caseload_target=0)
    assert err.field == "caseload_target" and "above 0" in str(err)
    assert ew.CouncilProfile(**BASE, caseload_target=0.5).caseload_target == 0.5


def test_integer_fields_refuse_fractions_but_accept_whole_floats_and_text():
    err = refused(dcs_changes=2.5)
    assert err.field == "dcs_changes" and "whole number" in str(err)
    assert ew.CouncilProfile(**BASE, dcs_changes=2.0).dcs_changes == 2
    assert ew.CouncilProfile(**BASE, dcs_changes=" 3 ").dcs_changes == 3


def test_numbers_as_spreadsheet_text_are_parsed():
    p = ew.CouncilProfile(**BASE, budget_baseline_gbp_m="1,310", cla_rate_per_10k=" 65.5 ")
    assert p.budget_baseline_gbp_m == 1310.0
    assert p.cla_rate_per_10k == 65.5


def test_numpy_scalars_are_reported_as_plain_numbers():
    np = pytest.importorskip("numpy")
    err = refused(agency_rate_pct=np.float64(140.0))
    assert str(err) == "agency_rate_pct: 140.0 is above the maximum of 100"


def test_profile_error_is_raised_as_itself_not_wrapped_by_pydantic():
    # a regression test: pydantic wraps a ValueError raised in a validator
    with pytest.raises(ew.ProfileError):
        ew.CouncilProfile.model_validate({**BASE, "agency_rate_pct": 140})
    with pytest.raises(ew.ProfileError):
        ew.CouncilProfile.model_validate_json('{"council": "X", "year": 2020, "dcs_changes": -1}')
    with pytest.raises(ew.ProfileError):
        ew.score({**BASE, "vacancy_rate_pct": "lots"})
    assert issubclass(ew.ProfileError, ValueError)


# ratings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "rating"),
    [
        ("Requires improvement to be good", "requires_improvement"),
        ("RI", "requires_improvement"),
        ("requires_improvement", "requires_improvement"),
        ("Requires improvement", "requires_improvement"),
        ("Adequate", "requires_improvement"),
        ("Inadequate", "inadequate"),
        ("Good", "good"),
        ("Outstanding", "outstanding"),
        ("  good  ", "good"),
    ],
)
def test_rating_spellings(spelling, rating):
    assert ew.CouncilProfile(**BASE, previous_rating=spelling).previous_rating == rating


@pytest.mark.parametrize("bad", ["Very good", "satisfactory", "5", 2, "requires"])
def test_rating_refused(bad):
    err = refused(previous_rating=bad)
    assert err.field == "previous_rating" and err.value == bad
    assert "Ofsted judgement" in str(err)


def test_canonical_ratings_are_the_four_grades():
    assert [check_value("previous_rating", r) for r in RATINGS] == list(RATINGS)


# budget -------------------------------------------------------------------------------------


def test_budget_cut_derived_from_baseline_and_current():
    p = ew.CouncilProfile(**BASE, budget_baseline_gbp_m=131, budget_current_gbp_m=90)
    assert p.budget_cut_pct == pytest.approx((131 - 90) / 131 * 100)
    # a rise in the budget is a negative cut
    p = ew.CouncilProfile(**BASE, budget_baseline_gbp_m=100, budget_current_gbp_m=110)
    assert p.budget_cut_pct == pytest.approx(-10)


def test_budget_cut_given_directly_is_kept():
    assert ew.CouncilProfile(**BASE, budget_cut_pct=22.5).budget_cut_pct == 22.5
    # with only one budget the cut cannot be derived and the given one stands
    p = ew.CouncilProfile(**BASE, budget_baseline_gbp_m=100, budget_cut_pct=22.5)
    assert p.budget_cut_pct == 22.5


def test_budget_cut_given_both_ways_must_agree():
    # within rounding of the derived figure: accepted
    p = ew.CouncilProfile(
        **BASE, budget_baseline_gbp_m=131, budget_current_gbp_m=90, budget_cut_pct=31.3
    )
    assert p.budget_cut_pct == pytest.approx(31.2977, abs=1e-3)
    err = refused(budget_baseline_gbp_m=131, budget_current_gbp_m=90, budget_cut_pct=10)
    assert err.field == "budget_cut_pct" and err.value == 10
    assert "contradicts" in str(err) and "31.3%" in str(err)


def test_zero_baseline_refused():
    err = refused(budget_baseline_gbp_m=0, budget_current_gbp_m=90)
    assert err.field == "budget_baseline_gbp_m" and err.value == 0
    assert str(err).startswith("budget_baseline_gbp_m: 0 ")
    # a zero baseline alone cannot be divided by either, but is a figure in range
    assert ew.CouncilProfile(**BASE, budget_baseline_gbp_m=0).budget_cut_pct is None


# missing, unknown, required -----------------------------------------------------------------


@pytest.mark.parametrize("missing", [None, math.nan, "", "   "])
def test_missing_stays_none_not_zero(missing):
    p = ew.CouncilProfile(**BASE, agency_rate_pct=missing, interim_dcs=missing)
    assert p.agency_rate_pct is None
    assert p.interim_dcs is None
    assert ew.CouncilProfile(**BASE).dcs_changes is None
    assert ew.CouncilProfile(**BASE).budget_cut_pct is None


@pytest.mark.parametrize("field", ["council", "year"])
@pytest.mark.parametrize("missing", [None, math.nan, "", "  "])
def test_required_fields(field, missing):
    err = refused(**{field: missing})
    assert err.field == field and "required" in str(err)
    data = dict(BASE)
    del data[field]
    with pytest.raises(ew.ProfileError) as info:
        ew.CouncilProfile(**data)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("agency_rate", "agency_rate_pct"), ("dcs_change", "dcs_changes"), ("counsil", "council")],
)
def test_unknown_field_gets_did_you_mean(typo, meant):
    err = refused(**{typo: 1})
    assert err.field == typo
    assert f"did you mean {meant!r}" in str(err)


def test_unknown_field_without_close_name_has_no_hint():
    err = refused(colour_of_the_town_hall="red")
    assert "not a profile field" in str(err) and "did you mean" not in str(err)


# flags --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("yes", True),
        ("Yes", True),
        ("true", True),
        ("TRUE", True),
        ("1", True),
        (1, True),
        (True, True),
        ("no", False),
        ("NO", False),
        ("false", False),
        ("0", False),
        (0, False),
        (False, False),
    ],
)
def test_flags_accept_yes_no_true_false_1_0(given, expected):
    p = ew.CouncilProfile(**BASE, interim_dcs=given, restructure=given)
    assert p.interim_dcs is expected and p.restructure is expected


@pytest.mark.parametrize("bad", ["maybe", "2", 2, 0.5, "unknown"])
def test_flags_refuse_anything_else(bad):
    err = refused(restructure=bad)
    assert err.field == "restructure" and err.value == bad
    assert repr(bad) in str(err) and "yes/no" in str(err)


def test_profile_is_frozen():
    p = ew.CouncilProfile(**BASE)
    with pytest.raises(Exception, match="frozen"):
        p.year = 2021  # type: ignore[misc]


# whole columns read in bulk ----------------------------------------------------------------
_CELLS = st.one_of(
    st.floats(allow_nan=True).map(repr),
    st.integers(-(10**6), 10**6).map("{:,}".format),
    st.sampled_from(["", "  ", "nan", "inf", "1_0", "١٢", " 12 ", "1e400", "x", "12%"]),
    st.text(alphabet="0123456789.,_ -+eE", max_size=8),
    st.none(),
)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(_CELLS, max_size=30), st.booleans(), st.sampled_from([object, "string"]))
def test_a_column_of_text_reads_as_each_cell_alone(cells, many, dtype):
    # many: enough cells that the bulk cast runs in blocks, some of which fall back cell by cell
    values = cells * 200 if many else cells
    x, present = number_column(pd.Series(values, dtype=dtype))
    for i, v in enumerate(values):
        assert present[i] == (not is_missing(v)), v
        expected = to_float(v) if present[i] else math.nan
        assert (math.isnan(x[i]) and math.isnan(expected)) or x[i] == expected, v


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), st.none(), st.integers(0, 3)), max_size=20))
def test_a_text_column_reads_as_each_cell_alone(cells):
    text, missing, not_text = text_column(pd.Series(cells, dtype=object))
    for i, v in enumerate(cells):
        assert missing[i] == is_missing(v)
        assert not_text[i] == (not is_missing(v) and not isinstance(v, str))
        assert text[i] == (v.strip() if isinstance(v, str) and not is_missing(v) else None)


def test_a_decimal_comma_is_refused_not_read_as_thousands():
    """Regression: "12,5" from a semicolon-separated file once read as 125 (issue 9)."""
    for text in ("12,5", "1,0", "1,2345"):
        with pytest.raises(ew.ProfileError) as caught:
            ew.score({"council": "A", "year": 2020, "agency_rate_pct": text})
        assert (caught.value.field, caught.value.value) == ("agency_rate_pct", text)
        assert caught.value.problem == "is not a number"
    frame = pd.DataFrame(
        {"council": ["A", "B"], "year": [2020, 2020], "cla_rate_per_10k": ["12,5", "1,000"]}
    )
    out = ew.score_frame(frame)
    assert out.loc[0, "error"] == "cla_rate_per_10k: '12,5' is not a number"
    assert pd.isna(out.loc[1, "error"]) and out.loc[1, "score"] >= 0


def _bounds_and_neighbours() -> list[Any]:
    """Every field's bounds, and the floats either side of each."""
    out: list[Any] = []
    for f in FIELDS:
        for bound in (f.minimum, f.maximum):
            if bound is not None:
                x = float(bound)
                out += [bound, x, math.nextafter(x, -math.inf), math.nextafter(x, math.inf)]
    return out


# values at the edges of check_profile's reading of a dict: bounds, signed zeros, infinities,
# the largest integers a float holds exactly, numbers of other types, text of every kind
_EDGE_VALUES = [
    *_bounds_and_neighbours(),
    0.0, -0.0, 5e-324, 0.5, 1.5, 3.0, 3, -3, True, False, None, math.nan, math.inf, -math.inf,
    2**53 - 1, 2**53, -(2**53) + 1, -(2**53), 10**400, np.float64(30.0), np.int64(3), np.nan,
    "", " ", "x", " A ", "30", "good", "Good", " good", "yes", np.str_("good"), b"good", [1],
]  # fmt: skip


def _read(p: Any) -> Any:
    """check_profile's result with the type of each value, or the ProfileError it raises."""
    try:
        out = check_profile(p)
    except ew.ProfileError as exc:
        return ("refused", exc.field, repr(exc.value), exc.problem)
    return [(k, type(v), repr(v)) for k, v in out.items()]


@st.composite
def _edge_profiles(draw: st.DrawFn) -> dict[Any, Any]:
    p: dict[Any, Any] = dict(draw(profiles()))
    for name in draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=3)):
        p[name] = draw(st.sampled_from(_EDGE_VALUES))
    return p


@settings(max_examples=examples(400), deadline=None)
@given(st.one_of(_edge_profiles(), hostile_profiles(), profiles()))
def test_a_dict_reads_as_any_other_mapping(p):
    # check_profile reads a dict of the usual values on a path of its own and leaves every
    # other mapping to the general path: the two give the same values, types and refusals
    assert _read(p) == _read(MappingProxyType(p))


def test_every_field_reads_every_edge_value_as_any_other_mapping():
    for name in FIELD_NAMES:
        for value in _EDGE_VALUES:
            p = {"council": "A", "year": 2020, name: value}
            assert _read(p) == _read(MappingProxyType(p)), (name, value)
