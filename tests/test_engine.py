"""The engine: one profile at a time, and whole frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from strategies import SPEC, fields_for, offset_points, worst_profile

import earlywarning as ew
from earlywarning.rules import BAND_NAMES

BASE = {"council": "Testshire", "year": 2020}
RULES = ew.load_ruleset()
FRAME_COLUMNS = ["score", "band", "coverage", "reasons", "error", "red_flag"]


def band_of(score: float, rules: ew.Ruleset = RULES) -> str:
    """The band a score falls in by points alone, read from the ruleset's bands."""
    for band in rules.bands:
        if band.from_ <= score and (band.below is None or score < band.below):
            return band.name
    raise AssertionError(score)


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """A frame as plain Python objects with None for missing, to compare values not dtypes."""
    return df.astype(object).where(df.notna(), None)


def contribution(a: ew.Assessment, rule_id: str) -> ew.Contribution:
    (c,) = [c for c in a.contributions if c.indicator == rule_id]
    return c


def total_weight(rules: ew.Ruleset = RULES) -> float:
    return sum(ind.weight for ind in rules.indicators)


# ---------------------------------------------------------------------------------------------
# Missing data


def test_nothing_known_scores_nothing():
    a = ew.score(BASE)
    assert a.score == 0 and a.band == "low" and a.coverage == 0
    assert a.contributions == [] and a.reasons == []
    assert a.missing == [ind.id for ind in RULES.indicators]


def test_missing_data_lowers_coverage_and_scores_nothing():
    agency = RULES.indicator("agency_rate")
    vacancy = RULES.indicator("vacancy_rate")
    one = ew.score({**BASE, "agency_rate_pct": 30})
    two = ew.score({**BASE, "agency_rate_pct": 30, "vacancy_rate_pct": 5})
    assert one.coverage == pytest.approx(agency.weight / total_weight())
    assert two.coverage == pytest.approx((agency.weight + vacancy.weight) / total_weight())
    assert one.coverage < two.coverage
    # the missing vacancy rate scores nothing and is named as missing, not as a contribution
    assert "vacancy_rate" in one.missing and "vacancy_rate" not in two.missing
    assert "vacancy_rate" not in {c.indicator for c in one.contributions}
    assert contribution(two, "vacancy_rate").points == vacancy.levels[0].points == 0
    assert one.score == two.score == agency.levels[-1].points


def test_missing_is_not_zero():
    # a reinvestment of 0 is known (no credit, but coverage); a missing one is not known
    known = ew.score({**BASE, "reinvestment_pct": 0})
    unknown = ew.score({**BASE, "reinvestment_pct": None})
    assert known.coverage > unknown.coverage == 0
    assert "reinvestment" in unknown.missing and "reinvestment" not in known.missing


def test_full_profile_has_full_coverage():
    p = {
        **BASE,
        "previous_rating": "good",
        "budget_cut_pct": 10,
        "management_reduction_pct": 5,
        "dcs_changes": 0,
        "interim_dcs": False,
        "avg_caseload": 15,
        "caseload_target": 16,
        "agency_rate_pct": 5,
        "turnover_rate_pct": 10,
        "vacancy_rate_pct": 5,
        "absence_rate_pct": 2,
        "demand_change_pct": 0,
        "cla_rate_per_10k": 50,
        "early_help_spend_change_pct": 0,
        "restructure": False,
        "practice_concerns_raised": False,
        "reinvestment_pct": 0,
        "vacancy_rate_vs_neighbours_pp": -2,
        "cla_rate_change_2y_per_10k": 1,
    }
    a = ew.score(p)
    assert a.coverage == pytest.approx(1.0)
    assert a.missing == []
    assert len([c for c in a.contributions if c.kind != "combination"]) == len(RULES.indicators)


# ---------------------------------------------------------------------------------------------
# Red flags, mitigations, combinations


def _red_flag_levels():
    for ind in RULES.indicators:
        for lv in ind.levels:
            if lv.red_flag and lv.from_ is not None:
                yield pytest.param(ind, lv, id=ind.id)


@pytest.mark.parametrize(("ind", "level"), list(_red_flag_levels()))
def test_red_flag_lifts_band(ind, level):
    a = ew.score({**BASE, **fields_for(ind.measure, level.from_)})
    assert a.score == level.points
    assert a.band_from_score == band_of(a.score)
    assert BAND_NAMES.index(a.band) == BAND_NAMES.index(level.red_flag)
    assert BAND_NAMES.index(a.band) > BAND_NAMES.index(a.band_from_score)
    assert [c.indicator for c in a.red_flags] == [ind.id]
    assert "red flag" in a.explain()
    row = ew.score_frame(pd.DataFrame([{**BASE, **fields_for(ind.measure, level.from_)}]))
    assert row.loc[0, "red_flag"] == level.red_flag == row.loc[0, "band"]


def test_three_director_changes_alone_lift_the_band_to_high():
    a = ew.score({**BASE, "dcs_changes": 3})
    high = next(b for b in RULES.bands if b.name == "high")
    assert a.band == "high"
    assert a.score < high.from_  # the points alone are below the high band
    assert a.band_from_score == band_of(a.score) != "high"
    assert a.reasons == ["dcs_turnover"]


def test_score_on_a_band_edge_is_not_reported_as_a_red_flag_lift():
    # a regression test: bands where the red-flag level's points fall exactly on the edge of
    # the band it flags, so the points alone reach that band and nothing was lifted
    ind = RULES.indicator("dcs_turnover")
    level = ind.levels[-1]
    assert level.red_flag == "high"
    edge = level.points
    bands = [
        {"name": "low", "from": 0, "below": edge / 2},
        {"name": "moderate", "from": edge / 2, "below": edge},
        {"name": "high", "from": edge, "below": 90},
        {"name": "severe", "from": 90},
    ]
    rules = RULES.replace(bands=bands)
    p = {**BASE, **fields_for(ind.measure, level.from_)}
    a = ew.score(p, ruleset=rules)
    assert a.score == edge and a.band == a.band_from_score == "high"
    row = ew.score_frame(pd.DataFrame([p]), rules).iloc[0]
    assert row["band"] == "high" and pd.isna(row["red_flag"])
    assert "red flag" not in a.explain()


def test_red_flag_never_lowers_a_band():
    # a profile already severe by points stays severe with the red flag
    p = {
        **BASE,
        "dcs_changes": 3,
        "budget_cut_pct": 40,
        "management_reduction_pct": 40,
        "restructure": True,
        "previous_rating": "inadequate",
        "agency_rate_pct": 30,
    }
    a = ew.score(p)
    assert a.band == band_of(a.score) == "severe"
    row = ew.score_frame(pd.DataFrame([p])).iloc[0]
    assert row["band"] == "severe" and pd.isna(row["red_flag"])


MITIGATIONS = [i for i in RULES.indicators if i.kind == "mitigation"]


def test_mitigation_lowers_the_score():
    reinvestment = RULES.indicator("reinvestment")
    # a risk it offsets, scoring more than the largest credit, so no cap binds
    (budget,) = [i for i in RULES.indicators if i.measure == "budget_cut_pct"]
    assert budget.id in reinvestment.offsets
    risky = {**BASE, "budget_cut_pct": budget.levels[-1].from_, "dcs_changes": 2}
    before = ew.score(risky)
    assert offset_points(before, reinvestment) >= -min(lv.points for lv in reinvestment.levels)
    for lv in reinvestment.levels[1:]:
        after = ew.score({**risky, "reinvestment_pct": lv.from_})
        assert lv.points < 0
        assert after.score == pytest.approx(max(0.0, before.score + lv.points))
        assert after.score < before.score
        assert contribution(after, "reinvestment").points == lv.points
        assert after.reasons[-1] == "reinvestment"  # mitigations come last


@pytest.mark.parametrize("ind", MITIGATIONS, ids=lambda i: i.id)
def test_mitigation_takes_away_at_most_what_its_offsets_scored(ind):
    best = ind.levels[0] if ind.direction == "higher_is_worse" else ind.levels[-1]
    value = best.below - 1 if best.from_ is None else best.from_
    assert best.points < 0
    # alone: nothing it offsets has scored, so it takes nothing away
    alone = ew.score({**BASE, **fields_for(ind.measure, value)})
    assert contribution(alone, ind.id).points == 0
    assert alone.score == 0
    assert "limited to" in contribution(alone, ind.id).reason
    # with every risk at its worst: the credit is the level's points, or the offsets' total
    loaded = ew.score({**BASE, **worst_profile(RULES), **fields_for(ind.measure, value)})
    c = contribution(loaded, ind.id)
    assert c.points == max(best.points, -offset_points(loaded, ind))
    assert sum(x.points for x in loaded.contributions) >= 0


@pytest.mark.parametrize("ind", MITIGATIONS, ids=lambda i: i.id)
def test_every_mitigation_can_take_effect(ind):
    # with every risk at its worst and the mitigation at its best, it must lower the points
    best = ind.levels[0] if ind.direction == "higher_is_worse" else ind.levels[-1]
    value = best.below - 1 if best.from_ is None else best.from_
    loaded = ew.score({**BASE, **worst_profile(RULES), **fields_for(ind.measure, value)})
    assert contribution(loaded, ind.id).points < 0, contribution(loaded, ind.id).reason


def _side(measure: str, threshold: float, fire: bool, use_from: bool) -> float:
    """A value of ``measure`` on the firing (or not firing) side of a condition."""
    spec = SPEC.get(measure)
    step = 1.0 if spec is None or spec.kind in ("integer", "flag") else 0.01
    above = threshold if use_from else threshold - step
    below = threshold - step if use_from else threshold
    return above if fire else below


def _condition_fields(conditions, on=(), off=()):
    """Fields meeting the conditions numbered in ``on`` and failing those in ``off``; the
    others are left missing."""
    fields = {}
    for i, cond in enumerate(conditions):
        if i not in on and i not in off:
            continue
        use_from = cond.from_ is not None
        threshold = cond.from_ if use_from else cond.below
        fields.update(fields_for(cond.measure, _side(cond.measure, threshold, i in on, use_from)))
    return fields


@pytest.mark.parametrize("combo", RULES.combinations, ids=lambda c: c.id)
def test_combination_fires_only_with_all_conditions(combo):
    every = combo.all or ()
    n_all = len(every)
    conditions = [*every, *(combo.any or ())]
    everything = range(len(conditions))
    fires = ew.score({**BASE, **_condition_fields(conditions, on=everything)})
    assert combo.id in fires.reasons
    assert contribution(fires, combo.id).points == combo.points
    for i in range(n_all):
        rest = [j for j in everything if j != i]
        missing = ew.score({**BASE, **_condition_fields(conditions, on=rest)})
        assert combo.id not in missing.reasons, f"fired with condition {i} missing"
        short = ew.score({**BASE, **_condition_fields(conditions, on=rest, off=[i])})
        assert combo.id not in short.reasons, f"fired with condition {i} not met"
        assert short.score < fires.score
    if combo.any:
        anys = range(n_all, len(conditions))
        # every 'all' condition but none of the 'any': no
        none = ew.score({**BASE, **_condition_fields(conditions, on=range(n_all), off=anys)})
        assert combo.id not in none.reasons
        # every 'all' condition and any one of the 'any': yes
        for i in anys:
            one = _condition_fields(conditions, on=[*range(n_all), i])
            assert combo.id in ew.score({**BASE, **one}).reasons, f"any-condition {i} alone"


# ---------------------------------------------------------------------------------------------
# Level edges


def _edges():
    for ind in RULES.indicators:
        for j, lv in enumerate(ind.levels[1:], start=1):
            yield pytest.param(ind, j, lv.from_, id=f"{ind.id}-{lv.from_:g}")


@pytest.mark.parametrize(("ind", "j", "edge"), list(_edges()))
def test_value_at_an_edge_takes_the_upper_level(ind, j, edge):
    spec = SPEC.get(ind.measure)
    if ind.measure == "previous_rating_grade" or (spec and spec.kind in ("integer", "flag")):
        below = edge - 1
    else:
        below = math.nextafter(edge, -math.inf)
        if ind.measure == "caseload_above_target_pct":
            below = edge - 0.01  # derived from two numbers: a hair's breadth does not survive
    # a mitigation scores only against the risks it offsets: load them all
    base = {**BASE, **(worst_profile(RULES) if ind.kind == "mitigation" else {})}
    for value, level in ((edge, j), (below, j - 1)):
        a = ew.score({**base, **fields_for(ind.measure, value)})
        c = contribution(a, ind.id)
        assert c.level == level, value
        expected = ind.levels[level].points
        if ind.kind == "mitigation":
            expected = max(expected, -offset_points(a, ind))
        assert c.points == expected, value


def test_budget_cut_edge_via_the_budgets():
    # 100 -> 75 is exactly a 25% cut: the upper level
    ind = RULES.indicator("budget_cut")
    (j,) = [j for j, lv in enumerate(ind.levels) if lv.from_ == 25]
    a = ew.score({**BASE, "budget_baseline_gbp_m": 100, "budget_current_gbp_m": 75})
    assert contribution(a, "budget_cut").level == j


# ---------------------------------------------------------------------------------------------
# Whole frames


def _frame(index) -> pd.DataFrame:
    rows = [
        {**BASE, "agency_rate_pct": 30, "dcs_changes": 3},
        {**BASE, "budget_baseline_gbp_m": 131, "budget_current_gbp_m": 90, "restructure": True},
        {**BASE, "council": "Nothing known"},
        {**BASE, "reinvestment_pct": 6, "avg_caseload": 21, "caseload_target": 16},
        {**BASE, "previous_rating": "RI", "vacancy_rate_pct": 22},
    ]
    return pd.DataFrame(rows, index=index)


@pytest.mark.parametrize(
    "index",
    [
        pd.Index(["e", "c", "a", "d", "b"]),
        pd.Index([40, 7, 1000, -3, 12]),
        pd.MultiIndex.from_tuples([("x", 1), ("x", 2), ("y", 1), ("z", 9), ("a", 0)]),
    ],
    ids=["strings", "shuffled-ints", "multi"],
)
def test_score_frame_keeps_index_rows_and_columns(index):
    df = _frame(index)
    out = ew.score_frame(df)
    assert out.index.equals(df.index)
    assert len(out) == len(df)
    assert list(out.columns) == FRAME_COLUMNS
    # each row is the profile in that row
    for label, row in df.iterrows():
        a = ew.score({k: v for k, v in row.items() if not pd.isna(v)})
        assert out.loc[label, "score"] == a.score
        assert out.loc[label, "band"] == a.band
        assert out.loc[label, "coverage"] == pytest.approx(a.coverage)
        assert out.loc[label, "reasons"] == "; ".join(a.reasons)


def test_bad_row_keeps_its_place_and_other_rows_are_unaffected():
    df = _frame(pd.Index(["e", "c", "a", "d", "b"]))
    good = ew.score_frame(df)
    df["agency_rate_pct"] = df["agency_rate_pct"].astype(object)
    df.loc["a", "agency_rate_pct"] = "lots"
    bad = ew.score_frame(df)
    assert bad.index.equals(df.index)
    assert bad.loc["a", "error"] == "agency_rate_pct: 'lots' is not a number"
    assert math.isnan(bad.loc["a", "score"]) and math.isnan(bad.loc["a", "coverage"])
    assert pd.isna(bad.loc["a", "band"])
    others = [i for i in df.index if i != "a"]
    pd.testing.assert_frame_equal(plain(bad.loc[others]), plain(good.loc[others]))
    assert bad.loc[others, "error"].isna().all()


def test_every_bad_row_gets_its_own_message():
    df = pd.DataFrame(
        {
            "council": ["A", "B", "C", None],
            "year": [2020, 2020, 2020, 2020],
            "agency_rate_pct": [140, 12, 12, 12],
            "interim_dcs": ["yes", "maybe", "no", "no"],
            "caseload_target": [16, 16, 0, 16],
        },
        index=[3, 1, 2, 0],
    )
    out = ew.score_frame(df)
    assert out.loc[3, "error"] == "agency_rate_pct: 140 is above the maximum of 100"
    assert out.loc[1, "error"] == "interim_dcs: 'maybe' is not yes/no (true/false, 1/0)"
    assert out.loc[2, "error"] == "caseload_target: 0 must be above 0"
    assert out.loc[0, "error"] == "council: None is required"
    assert out["score"].isna().all()


def test_unknown_column_is_refused():
    df = pd.DataFrame({"council": ["A"], "year": [2020], "agency_rate": [12]})
    with pytest.raises(ew.ProfileError) as info:
        ew.score_frame(df)
    assert info.value.field == "agency_rate"
    assert "did you mean 'agency_rate_pct'" in str(info.value)


def test_empty_frame_gives_empty_result():
    for df in (
        pd.DataFrame(columns=["council", "year", "agency_rate_pct"]),
        pd.DataFrame(index=pd.Index([], dtype=object)),
    ):
        out = ew.score_frame(df)
        assert len(out) == 0
        assert list(out.columns) == FRAME_COLUMNS
        assert out.index.equals(df.index)


def test_frame_of_text_like_a_csv():
    df = pd.DataFrame(
        {
            "council": ["A", "B"],
            "year": ["2020", "2021"],
            "agency_rate_pct": ["30", " 10.0 "],
            "interim_dcs": ["yes", "No"],
            "previous_rating": ["Requires improvement to be good", "Good"],
        }
    )
    out = ew.score_frame(df)
    assert out["error"].isna().all()
    for i, row in df.iterrows():
        assert out.loc[i, "score"] == ew.score(row.to_dict()).score


def test_frame_matches_score_for_derived_measures():
    df = pd.DataFrame(
        [
            {**BASE, "budget_baseline_gbp_m": 131, "budget_current_gbp_m": 90},
            {**BASE, "avg_caseload": 20, "caseload_target": 16},
        ]
    )
    out = ew.score_frame(df)
    for i, row in df.iterrows():
        a = ew.score({k: v for k, v in row.items() if not pd.isna(v)})
        assert a.score > 0
        assert out.loc[i, "score"] == a.score


# ---------------------------------------------------------------------------------------------
# Results name the ruleset


def test_results_carry_the_ruleset_identity():
    a = ew.score({**BASE, "dcs_changes": 1})
    assert (a.ruleset_id, a.ruleset_version, a.ruleset_hash) == (
        RULES.id,
        RULES.version,
        RULES.content_hash,
    )
    other = RULES.replace(version="99.0", id="my-rules")
    b = ew.score({**BASE, "dcs_changes": 1}, ruleset=other)
    assert (b.ruleset_id, b.ruleset_version, b.ruleset_hash) == (
        "my-rules",
        "99.0",
        other.content_hash,
    )
    assert b.ruleset_hash != a.ruleset_hash
    assert other.content_hash in b.explain()


def test_a_ruleset_passed_in_is_the_one_used():
    ind = RULES.indicator("dcs_turnover")
    doubled = [
        lv.model_copy(update={"points": lv.points * 2, "points_range": None}) for lv in ind.levels
    ]
    new = ind.model_copy(update={"levels": tuple(doubled)})
    rules = RULES.replace(
        indicators=[new if i.id == ind.id else i for i in RULES.indicators],
    )
    p = {**BASE, "dcs_changes": 2}
    assert ew.score(p, ruleset=rules).score == 2 * ew.score(p).score
    assert ew.score_frame(pd.DataFrame([p]), rules).loc[0, "score"] == 2 * ew.score(p).score


def test_score_accepts_a_profile_or_a_dict():
    p = {**BASE, "agency_rate_pct": 30, "interim_dcs": "yes"}
    assert ew.score(ew.CouncilProfile(**p)) == ew.score(p)


def test_scores_are_floats_in_range():
    out = ew.score_frame(_frame(range(5)))
    assert out["score"].dtype == np.float64
    assert out["score"].between(0, 100).all()
    assert set(out["band"]) <= set(BAND_NAMES)


def test_a_mitigation_with_nothing_to_offset_scores_a_plain_zero():
    # Regression: capping a mitigation at 0 gave -0.0, shown as "-0" and written "-0.0" in JSON.
    import math

    a = ew.score({**BASE, "management_reduction_pct": -25})
    growth = contribution(a, "management_growth")
    assert growth.points == 0 and math.copysign(1.0, growth.points) == 1.0
    assert '"points":-0.0' not in a.model_dump_json()


def test_score_frame_records_the_ruleset_it_used(tmp_path):
    out = ew.score_frame(pd.DataFrame([BASE]))
    rules = ew.load_ruleset()
    assert out.attrs == {
        "ruleset_id": rules.id,
        "ruleset_version": rules.version,
        "ruleset_hash": rules.content_hash,
    }
    other = rules.replace(version="9.9.9")
    assert ew.score_frame(pd.DataFrame([BASE]), other).attrs["ruleset_version"] == "9.9.9"
    assert ew.score_frame(pd.DataFrame([BASE]), other).attrs["ruleset_hash"] != rules.content_hash


def test_score_frame_without_reasons_scores_the_same():
    df = pd.DataFrame(
        [{**BASE, "agency_rate_pct": 30, "dcs_changes": 3}, {**BASE, "vacancy_rate_pct": 140}]
    )
    full = ew.score_frame(df)
    bare = ew.score_frame(df, reasons=False)
    assert "reasons" not in bare.columns
    pd.testing.assert_frame_equal(bare, full.drop(columns="reasons"))


def test_reasons_of_a_large_frame_of_distinct_rows_are_not_grouped_but_the_same(monkeypatch):
    # Above a size, a frame whose sampled rows are mostly distinct skips the grouping of rows
    # by pattern; the reasons must be exactly those of the grouped path.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_score import random_profiles

    from earlywarning.engine import _evaluation, _kernel

    df = random_profiles(20_000, seed=3)
    ev = _evaluation.evaluate(df)
    assert _evaluation._mostly_distinct(_kernel.compiled(RULES), ev.level, ev.scaled_points)
    fast = ew.score_frame(df)
    monkeypatch.setattr(_evaluation, "_mostly_distinct", lambda *args: False)
    grouped = ew.score_frame(df)
    pd.testing.assert_frame_equal(fast, grouped)
    for i in (0, 7, 19_999):
        a = ew.score({k: v for k, v in df.iloc[i].items() if not pd.isna(v)})
        assert fast["reasons"].iloc[i] == "; ".join(a.reasons)


def _with_points(factor: float) -> ew.Ruleset:
    """The default rules with every level's points times ``factor``."""
    indicators = [
        ind.model_copy(
            update={
                "levels": tuple(
                    lv.model_copy(update={"points": lv.points * factor, "points_range": None})
                    for lv in ind.levels
                )
            }
        )
        for ind in RULES.indicators
    ]
    return RULES.replace(indicators=indicators)


@pytest.mark.parametrize("factor", [1.0, 0.001, 1 / 3], ids=["usual", "fine", "float"])
def test_one_profile_points_are_unscaled_as_a_frame_s(factor):
    # score() unscales one profile's points by a table of every total (engine._unscaled_column),
    # a frame by a division: the two must give the same floats, sign of zero included
    from earlywarning import engine

    rules = _with_points(factor)
    comp = engine.compiled(rules)
    if comp.points_of is not None:
        totals = np.arange(comp.lowest, comp.lowest + len(comp.points_of))
        taken = comp.points_of.take(totals, mode="wrap")
        assert taken.tobytes() == (totals / comp.scale).tobytes()
    df = _frame(range(5))
    ev = engine.evaluate(df, rules)
    points = dict(zip(comp.codes, range(len(comp.codes)), strict=True))
    for i, p in enumerate(df.to_dict("records")):
        for c in ew.score(p, ruleset=rules, ranges=False).contributions:
            want = float(ev.points[i, points[c.indicator]])
            assert math.copysign(1.0, c.points) == math.copysign(1.0, want)
            assert c.points == want and type(c.points) is float
