"""Hostile profiles: odd keys, odd types, odd dtypes. Each is scored correctly or refused with a
ProfileError naming the field, and score() and score_frame() always agree."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import hostile_profiles, profiles

import earlywarning as ew

RULES = ew.load_ruleset()
BASE = {"council": "Testshire", "year": 2020}
SOME = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def refusal(p: dict[Any, Any]) -> ew.ProfileError:
    with pytest.raises(ew.ProfileError) as info:
        ew.score(p)
    return info.value


def frame_error(p: dict[str, Any], dtype: Any = object) -> Any:
    return ew.score_frame(pd.DataFrame([p], dtype=dtype))["error"].iloc[0]


def test_a_key_that_is_not_text_is_refused_naming_it():
    err = refusal({**BASE, 1: "x"})
    assert err.field == "1" and err.value == "x"
    assert str(err) == "1: 'x' is not a profile field (field names are text)"
    err = refusal({**BASE, ("agency", "rate"): 3})
    assert err.field == "('agency', 'rate')"


def test_complex_numbers_are_not_numbers_either_way():
    err = refusal({**BASE, "agency_rate_pct": 3 + 4j})
    assert str(err) == "agency_rate_pct: (3+4j) is not a number"
    typed = pd.DataFrame({**{k: [v] for k, v in BASE.items()}, "agency_rate_pct": [3 + 4j]})
    assert typed["agency_rate_pct"].dtype.kind == "c"
    assert ew.score_frame(typed)["error"].iloc[0] == str(err)
    assert frame_error({**BASE, "agency_rate_pct": 3 + 4j}) == str(err)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("agency_rate_pct", 10**400, "is above the maximum of 100"),
        ("demand_change_pct", -(10**400), "is below the minimum of -100"),
        ("dcs_changes", 10**400, "is above the maximum of 50"),
        ("budget_baseline_gbp_m", 10**400, "is out of range (too large for a number)"),
    ],
)
def test_integers_too_large_for_a_float_are_out_of_range(field, value, problem):
    err = refusal({**BASE, field: value})
    assert err.field == field and err.value == value
    assert str(err).endswith(problem)
    assert frame_error({**BASE, field: value}) == str(err)


def test_an_integer_too_long_to_print_is_described():
    err = refusal({**BASE, "agency_rate_pct": 10**5000})
    assert str(err) == (
        "agency_rate_pct: <an integer of about 5001 digits> is above the maximum of 100"
    )
    assert frame_error({**BASE, "agency_rate_pct": 10**5000}) == str(err)


def test_numbers_as_long_text_are_not_finite():
    err = refusal({**BASE, "agency_rate_pct": "9" * 400})
    assert str(err).endswith("is not a finite number")


def test_duplicate_column_names_are_refused_naming_the_column():
    df = pd.DataFrame([["A", 2020, 2021]], columns=["council", "year", "year"])
    with pytest.raises(ew.ProfileError) as info:
        ew.score_frame(df)
    assert info.value.field == "year"
    assert str(info.value) == "year: 'year' is the name of 2 columns; keep one"


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_an_empty_council_name_is_quoted(blank):
    err = refusal({**BASE, "council": blank})
    assert err.field == "council" and err.value == blank
    assert str(err) == f"council: {blank!r} is required"
    assert frame_error({**BASE, "council": blank}) == str(err)
    assert str(refusal({"council": None, "year": 2020})) == "council: None is required"


def _typed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "council": pd.array(["A", "B", " C ", "D"], dtype="string"),
            "year": pd.array([2020, 2021, 2022, 2023], dtype="Int64"),
            "dcs_changes": pd.array([3, None, 1, 0], dtype="Int64"),
            "agency_rate_pct": pd.array([30.5, 12.0, None, 8.0], dtype="Float64"),
            "interim_dcs": pd.array([True, None, False, True], dtype="boolean"),
            "vacancy_rate_pct": pd.array(["22", None, " 10.0 ", "5"], dtype="string"),
            "previous_rating": pd.Categorical(["good", "RI", None, "Inadequate"]),
            "avg_caseload": pd.Categorical([20.0, 18.0, None, 15.0]),
            "caseload_target": pd.Series([16, 16, 16, 16], dtype="uint8"),
        }
    )


def test_nullable_dtypes_and_categoricals_score_as_plain_values():
    typed = _typed_frame()
    out = ew.score_frame(typed)
    assert out["error"].isna().all(), out["error"].tolist()
    plain = typed.astype(object).where(typed.notna(), None)
    pd.testing.assert_frame_equal(out, ew.score_frame(plain))
    for i, row in plain.iterrows():
        a = ew.score({k: v for k, v in row.items() if v is not None})
        assert (out.loc[i, "score"], out.loc[i, "band"]) == (a.score, a.band)


def test_a_nullable_boolean_number_column_refuses_only_its_values():
    df = pd.DataFrame(
        {
            "council": ["A", "B"],
            "year": [2020, 2020],
            "agency_rate_pct": pd.array([True, None], dtype="boolean"),
        }
    )
    out = ew.score_frame(df)
    assert out["error"].tolist()[0] == "agency_rate_pct: True is not a number"
    assert pd.isna(out["error"].iloc[1]) and not pd.isna(out["score"].iloc[1])


def test_numpy_scalars_score_as_python_values():
    p = {
        "council": np.str_("A"),
        "year": np.int64(2020),
        "agency_rate_pct": np.float32(30.5),
        "dcs_changes": np.uint8(2),
        "interim_dcs": np.bool_(True),
    }
    plain = {k: v.item() for k, v in p.items()}
    assert ew.score(p) == ew.score(plain)
    assert ew.score_frame(pd.DataFrame([p], dtype=object)).equals(
        ew.score_frame(pd.DataFrame([plain], dtype=object))
    )
    err = refusal({**BASE, "agency_rate_pct": np.float64(140.0)})
    assert str(err) == "agency_rate_pct: 140.0 is above the maximum of 100"


ODD = st.sampled_from(
    [
        3 + 4j,
        np.complex128(1),
        10**400,
        -(10**400),
        10**5000,
        np.int64(7),
        np.float32(2.5),
        np.bool_(True),
        np.str_(" 12 "),
        np.datetime64("2020-01-01"),
        pd.NA,
        pd.NaT,
        Decimal("12.5"),
        Decimal("NaN"),
        b"12",
        "",
        "  ",
        "1,0",
        "١٢",
        "1_0",
        [1],
        {"a": 1},
        float("nan"),
        math.inf,
    ]
)


@st.composite
def _hostile(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return draw(hostile_profiles(RULES))
    p = draw(profiles(RULES))
    field = draw(st.sampled_from([*sorted(p), "agency_rate_pct", "interim_dcs", "council"]))
    p[field] = draw(ODD)
    return p


@SOME
@given(_hostile())
def test_score_and_score_frame_agree_on_hostile_profiles(p):
    try:
        a = ew.score(p)
        err = None
    except ew.ProfileError as exc:
        err = exc
    row = ew.score_frame(pd.DataFrame([p], dtype=object)).iloc[0]
    if err is None:
        assert pd.isna(row["error"]), (p, row["error"])
        assert (row["score"], row["band"]) == (a.score, a.band)
        assert row["reasons"] == "; ".join(a.reasons)
    else:
        assert row["error"] == str(err), p
        assert pd.isna(row["score"]) and pd.isna(row["band"])


def test_an_unhashable_rating_is_a_row_error_not_a_crash():
    # found by hypothesis: pd.factorize raised TypeError on a list in the rating column
    frame = pd.DataFrame(
        [{"council": "A", "year": 2016, "previous_rating": [1]}, {"council": "B", "year": 2016}],
        dtype=object,
    )
    out = ew.score_frame(frame)
    assert out["error"].iloc[0].startswith("previous_rating: [1] is not an Ofsted judgement")
    assert pd.isna(out["error"].iloc[1]) and out["score"].iloc[1] == out["score"].iloc[1]
    with pytest.raises(ew.ProfileError, match="previous_rating"):
        ew.score({"council": "A", "year": 2016, "previous_rating": [1]})
