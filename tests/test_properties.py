"""The guarantees the docs state, checked on profiles generated from the rules themselves."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers import examples
from hypothesis import HealthCheck, assume, find, given, settings
from hypothesis import strategies as st
from strategies import (
    SPEC,
    bad_profiles,
    fields_for,
    hostile_profiles,
    in_range,
    input_fields,
    measure_value,
    number_texts,
    profiles,
)

import earlywarning as ew
from earlywarning.profile import RATINGS
from earlywarning.rules import BAND_NAMES

RULES = ew.load_ruleset()
PROFILES = profiles(RULES)

# modest example counts keep the whole file well under a minute; CI reruns find new examples
FEW = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SOME = settings(
    max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

MITIGATION_MEASURES = {i.measure for i in RULES.indicators if i.kind == "mitigation"}
RISK_MEASURES = {i.measure for i in RULES.indicators if i.kind == "risk"} | {
    c.measure for combo in RULES.combinations for c in combo.conditions
}
# fields that feed only risk (a field that also earns a mitigation's credit may lower a score)
MITIGATION_FIELDS = {f for m in MITIGATION_MEASURES for f in input_fields(m)}
RISK_FIELDS = sorted({f for m in RISK_MEASURES for f in input_fields(m)} - MITIGATION_FIELDS)
WORSE_IS_HIGHER_RISKS = [
    i
    for i in RULES.indicators
    if i.kind == "risk"
    and i.direction == "higher_is_worse"
    and i.measure not in MITIGATION_MEASURES
]


def band_index(band: str) -> int:
    return BAND_NAMES.index(band)


def plain(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype(object).where(df.notna(), None)


def frame(rows: list[dict[str, Any]], index: Any = None, dtype: Any = None) -> pd.DataFrame:
    return pd.DataFrame(rows, index=index, dtype=dtype)


def test_the_strategies_reach_every_rule():
    assert RISK_FIELDS and WORSE_IS_HIGHER_RISKS
    assert MITIGATION_MEASURES  # else the mitigation half of the monotonicity test is empty
    # the value strategy of every measure reaches the top and the bottom level of its rules
    quick = settings(max_examples=examples(500), database=None)
    for ind in RULES.indicators:
        edges = [lv.from_ for lv in ind.levels[1:]]
        values = measure_value(RULES, ind.measure)
        assert find(values, lambda v, e=edges[-1]: v >= e, settings=quick) == edges[-1]
        assert find(values, lambda v, e=edges[0]: v < e, settings=quick) < edges[0]


# ---------------------------------------------------------------------------------------------
# Bounds


@SOME
@given(PROFILES)
def test_score_within_bounds_and_band_valid(p):
    a = ew.score(p)
    assert 0 <= a.score <= 100
    assert a.band in BAND_NAMES and a.band_from_score in BAND_NAMES
    assert band_index(a.band) >= band_index(a.band_from_score)
    assert 0 <= a.coverage <= 1
    assert set(a.reasons) == {c.indicator for c in a.contributions if c.points != 0}


# ---------------------------------------------------------------------------------------------
# Monotonicity


def with_measure(p: dict[str, Any], measure: str, value: float) -> dict[str, Any] | None:
    """``p`` with ``measure`` set to ``value`` through the fields it comes from, or None when
    those fields cannot carry that value."""
    q = dict(p)
    if measure == "budget_cut_pct" and q.get("budget_baseline_gbp_m"):
        # through the budgets, as a council reports them
        q.pop("budget_cut_pct", None)
        q["budget_current_gbp_m"] = q["budget_baseline_gbp_m"] * (1 - value / 100)
        return q if in_range(SPEC["budget_current_gbp_m"], q["budget_current_gbp_m"]) else None
    if measure == "caseload_above_target_pct":
        avg = q.get("avg_caseload")
        if not avg or value <= -100:
            return None
        q["caseload_target"] = avg / (1 + value / 100)
        return q if in_range(SPEC["caseload_target"], q["caseload_target"]) else None
    for f in input_fields(measure):
        q.pop(f, None)
    q.update(fields_for(measure, value))
    return q


@SOME
@given(PROFILES, st.sampled_from(RULES.indicators), st.data())
def test_worse_value_never_lowers_score_or_band(p, ind, data):
    v1 = data.draw(measure_value(RULES, ind.measure), label="v1")
    v2 = data.draw(measure_value(RULES, ind.measure), label="v2")
    lo, hi = sorted((v1, v2))
    better, worse = (lo, hi) if ind.direction == "higher_is_worse" else (hi, lo)
    p_better = with_measure(p, ind.measure, better)
    p_worse = with_measure(p, ind.measure, worse)
    assume(p_better is not None and p_worse is not None)
    a, b = ew.score(p_better), ew.score(p_worse)
    assert b.score >= a.score, (ind.id, better, worse)
    assert band_index(b.band) >= band_index(a.band), (ind.id, better, worse)


@SOME
@given(PROFILES, st.sampled_from(WORSE_IS_HIGHER_RISKS))
def test_removing_a_higher_is_worse_risk_measure_never_raises_the_score(p, ind):
    without = {k: v for k, v in p.items() if k not in input_fields(ind.measure)}
    a, b = ew.score(p), ew.score(without)
    assert b.score <= a.score
    assert band_index(b.band) <= band_index(a.band)
    assert ind.id in b.missing


@SOME
@given(PROFILES, st.sets(st.sampled_from(RISK_FIELDS)))
def test_missing_data_never_raises_the_score(p, dropped):
    without = {k: v for k, v in p.items() if k not in dropped}
    a, b = ew.score(p), ew.score(without)
    assert b.score <= a.score
    assert band_index(b.band) <= band_index(a.band)
    assert b.coverage <= a.coverage


# ---------------------------------------------------------------------------------------------
# One path: row order, single against vectorised


@FEW
@given(
    st.lists(PROFILES, min_size=1, max_size=12),
    st.randoms(use_true_random=False),
    st.sampled_from(["range", "strings", "shuffled"]),
)
def test_row_order_changes_no_rows_result(rows, rnd, index_kind):
    n = len(rows)
    index: list[Any] = list(range(n))
    if index_kind == "strings":
        index = [f"row-{i}" for i in range(n)]
    elif index_kind == "shuffled":
        index = rnd.sample(range(-1000, 1000), n)
    df = frame(rows, index=index)
    order = list(range(n))
    rnd.shuffle(order)
    out = ew.score_frame(df)
    shuffled = ew.score_frame(df.iloc[order])
    assert shuffled.index.equals(df.index[order])
    pd.testing.assert_frame_equal(plain(shuffled.loc[df.index]), plain(out))


@FEW
@given(st.lists(PROFILES, min_size=1, max_size=12), st.sampled_from([None, object]))
def test_score_and_score_frame_agree(rows, dtype):
    out = ew.score_frame(frame(rows, dtype=dtype))
    assert out["error"].isna().all(), out["error"].dropna().tolist()
    for i, p in enumerate(rows):
        a = ew.score(p)
        row = out.iloc[i]
        assert row["score"] == a.score
        assert row["band"] == a.band
        assert row["coverage"] == pytest.approx(a.coverage, abs=1e-12)
        assert row["reasons"] == "; ".join(a.reasons)
        lifted = a.band if a.band != a.band_from_score else None
        assert (None if pd.isna(row["red_flag"]) else row["red_flag"]) == lifted


@SOME
@given(PROFILES)
def test_assessment_json_round_trip(p):
    a = ew.score(p)
    assert ew.Assessment.model_validate_json(a.model_dump_json()) == a


# ---------------------------------------------------------------------------------------------
# Refusals: one table of checks, the same message either way


def profile_error(p: dict[str, Any]) -> ew.ProfileError | None:
    try:
        ew.CouncilProfile(**p)
    except ew.ProfileError as exc:
        return exc
    return None


@SOME
@given(bad_profiles(RULES))
def test_bad_value_refused_by_profile_names_field(case):
    p, field = case
    err = profile_error(p)
    assert err is not None, p
    assert err.field == field
    assert str(err).startswith(f"{field}: ")


@FEW
@given(st.lists(st.one_of(PROFILES, bad_profiles(RULES).map(lambda c: c[0])), max_size=10))
def test_profile_and_score_frame_refuse_the_same_values(rows):
    out = ew.score_frame(frame(rows, dtype=object))
    assert len(out) == len(rows)
    for i, p in enumerate(rows):
        err = profile_error(p)
        message = out["error"].iloc[i]
        if err is None:
            assert pd.isna(message), (p, message)
            assert not pd.isna(out["score"].iloc[i])
        else:
            assert message == str(err), p
            assert pd.isna(out["score"].iloc[i]) and pd.isna(out["band"].iloc[i])


@SOME
@given(hostile_profiles(RULES))
def test_profile_and_score_frame_agree_on_anything(p):
    # one field holds anything at all: odd text, odd types, numbers written as text
    out = ew.score_frame(frame([p], dtype=object)).iloc[0]
    err = profile_error(p)
    if err is None:
        assert pd.isna(out["error"]), (p, out["error"])
        a = ew.score(p)
        assert (out["score"], out["band"]) == (a.score, a.band)
    else:
        assert out["error"] == str(err), p


NUMBER_FIELDS = [f.name for f in SPEC.values() if f.kind in ("number", "integer")]


@SOME
@given(PROFILES, st.sampled_from(NUMBER_FIELDS), st.data())
def test_numbers_written_as_text_read_alike(p, name, data):
    # "1,310", " 12 ", "1.2e+01", "1_310" and Arabic-Indic digits: a profile and a frame read the
    # same text as the same number, or both refuse it alike
    text = data.draw(number_texts(SPEC[name]), label="text")
    q = {k: v for k, v in p.items() if k not in input_fields("budget_cut_pct") or k == name}
    q[name] = text
    err = profile_error(q)
    out = ew.score_frame(frame([q], dtype=object)).iloc[0]
    if err is None:
        assert pd.isna(out["error"]), (text, out["error"])
        assert out["score"] == ew.score(q).score
    else:
        assert out["error"] == str(err)


# ---------------------------------------------------------------------------------------------
# Rules round trip


_tmp = tempfile.TemporaryDirectory()
_one = Path(_tmp.name) / "one.yaml"
_one.write_text(RULES.to_yaml(), encoding="utf-8")
RELOADED = ew.load_ruleset(_one)


@FEW
@given(st.lists(PROFILES, min_size=1, max_size=10))
def test_ruleset_yaml_round_trip_scores_identically(rows):
    df = frame(rows)
    pd.testing.assert_frame_equal(ew.score_frame(df, RELOADED), ew.score_frame(df, RULES))
    for p in rows[:3]:
        assert ew.score(p, ruleset=RELOADED) == ew.score(p, ruleset=RULES)


# ---------------------------------------------------------------------------------------------
# Ratings, generated: any spelling of a grade scores as that grade


@FEW
@given(PROFILES, st.sampled_from(RATINGS))
def test_rating_grade_order_is_monotone(p, rating):
    grade = RATINGS.index(rating)
    a = ew.score({**p, "previous_rating": rating})
    for worse in RATINGS[grade:]:
        assert ew.score({**p, "previous_rating": worse}).score >= a.score
