"""Score ranges for missing data: every completion inside the range, both ends reached."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from decision_strategies import FIELD_VALUES, fields_read, profiles, rulesets
from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning.ranges import extreme_completion, missing_impact
from earlywarning.rules import BAND_NAMES

FEW = settings(
    max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
DERBYSHIRE = yaml.safe_load(
    (
        Path(__file__).resolve().parents[1] / "examples" / "profiles" / "derbyshire-2016.yaml"
    ).read_text(encoding="utf-8")
)
# at most this many completions per example: beyond it, every k-th one (the ends are checked apart)
MOST = 400


def _completions(rules: ew.Ruleset, p: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Every combination of the drawn values for the missing fields (or an even sample)."""
    missing = [f for f in fields_read(rules) if f not in p]
    grid = [
        dict(zip(missing, values, strict=True))
        for values in itertools.product(*(FIELD_VALUES[f] for f in missing))
    ]
    if len(grid) <= MOST:
        return grid, True
    return grid[:: len(grid) // MOST + 1], False


@FEW
@given(st.data())
def test_every_completion_scores_inside_the_range_and_both_ends_are_reached(data):
    rules = data.draw(rulesets())
    p = data.draw(profiles(rules, missing=0.5))
    a = ew.score(p, rules)
    assert a.score_range is not None and a.band_range is not None
    lo, hi = a.score_range
    band_lo, band_hi = (BAND_NAMES.index(b) for b in a.band_range)
    grid, complete = _completions(rules, p)
    frame = pd.DataFrame([{**p, **c} for c in grid])
    out = ew.score_frame(frame, rules)
    assert out["error"].isna().all()
    assert (out["score"] >= lo).all() and (out["score"] <= hi).all()
    bands = out["band"].map(BAND_NAMES.index)
    assert (bands >= band_lo).all() and (bands <= band_hi).all()
    if complete:
        # the drawn values include each field's extremes, so the grid reaches both ends too
        assert out["score"].min() == lo and out["score"].max() == hi
    for side, end, band in ((1, hi, a.band_range[1]), (-1, lo, a.band_range[0])):
        filled = ew.score({**p, **extreme_completion(p, side, rules)}, rules)
        assert filled.missing == [] or set(filled.missing) <= set(a.missing)
        assert filled.score == end and filled.band == band


@FEW
@given(st.data())
def test_score_frame_ranges_agree_with_each_assessment(data):
    rules = data.draw(rulesets())
    rows = data.draw(st.lists(profiles(rules, missing=0.5), min_size=1, max_size=5))
    out = ew.score_frame(pd.DataFrame(rows), rules, ranges=True)
    for i, p in enumerate(rows):
        a = ew.score(p, rules)
        assert (out.loc[i, "score_min"], out.loc[i, "score_max"]) == a.score_range
        assert (out.loc[i, "band_min"], out.loc[i, "band_max"]) == a.band_range


def test_no_missing_data_means_no_range():
    full = _full_profile()
    a = ew.score(full)
    assert a.missing == []
    assert a.score_range == (a.score, a.score) and a.band_range == (a.band, a.band)
    assert a.collect_first == []
    assert "could be anywhere" not in a.explain()


def _full_profile() -> dict[str, Any]:
    return {
        "council": "A",
        "year": 2020,
        "previous_rating": "good",
        "budget_cut_pct": 10,
        "management_reduction_pct": 0,
        "dcs_changes": 0,
        "interim_dcs": False,
        "avg_caseload": 15,
        "caseload_target": 16,
        "agency_rate_pct": 8,
        "turnover_rate_pct": 10,
        "vacancy_rate_pct": 8,
        "absence_rate_pct": 2,
        "demand_change_pct": 0,
        "cla_rate_per_10k": 50,
        "early_help_spend_change_pct": 0,
        "restructure": False,
        "practice_concerns_raised": False,
        "reinvestment_pct": 0,
        "vacancy_rate_vs_neighbours_pp": 0,
        "cla_rate_change_2y_per_10k": 0,
    }


def test_derbyshire_range_and_what_to_collect_first():
    a = ew.score(DERBYSHIRE)
    lo, hi = a.score_range
    assert lo < a.score < hi and a.band_range == ("high", "severe")
    # the reinvestment it might have made is the only thing that could lower it
    assert lo == a.score - 12
    table = missing_impact(DERBYSHIRE)
    assert list(table["indicator"]) == a.collect_first
    assert table.loc[0, "band_max"] == "severe"
    spreads = list(zip(table["band_spread"], table["score_spread"], strict=True))
    assert spreads == sorted(spreads, reverse=True)
    first = a.labels[a.collect_first[0]]
    assert f"the item that matters most is {first[0].lower()}{first[1:]}" in a.explain()
    assert (
        f"anywhere from {lo:.0f}, every one at its best, to {hi:.0f}, every one at its worst "
        "(high to severe)" in a.explain()
    )


def test_caseload_known_but_not_its_target():
    # the caseload itself is known, so the item is named by the rule that has no data
    a = ew.score({"council": "A", "year": 2020, "avg_caseload": 17})
    table = missing_impact({"council": "A", "year": 2020, "avg_caseload": 17})
    row = table[table["variable"] == "avg_caseload"].iloc[0]
    assert row["indicator"] == "caseload_above_target"
    assert row["score_max"] > a.score


@pytest.mark.parametrize("side", [1, -1])
def test_extreme_completion_is_a_valid_profile(side):
    filled = {**DERBYSHIRE, **extreme_completion(DERBYSHIRE, side)}
    assert ew.score(filled).missing == []


def test_with_ranges_takes_columns_or_a_mapping_of_measures():
    from earlywarning.engine import evaluate_columns
    from earlywarning.profile import profile_measures
    from earlywarning.ranges import with_ranges

    p = ew.CouncilProfile.model_validate(DERBYSHIRE)
    cols = profile_measures(p)
    rules = evaluate_columns(cols).ruleset
    a = ew.score(p)
    plain = a.model_copy(update={"score_range": None, "band_range": None, "collect_first": []})
    present = {m: float(v[0]) for m, v in cols.measures.items() if v[0] == v[0]}
    assert with_ranges(plain, cols, rules) == with_ranges(plain, present, rules) == a


@FEW
@given(st.data())
def test_score_reads_its_range_from_the_same_kernel_run_as_with_ranges(data):
    # score() scores the profile and every way of filling it in as one block; the profile's
    # own column must be what it scores alone, and the range what with_ranges finds apart
    from earlywarning.profile import profile_measures
    from earlywarning.ranges import with_ranges

    rules = data.draw(rulesets())
    p = data.draw(profiles(rules, missing=0.5))
    alone = ew.score(p, rules, ranges=False)
    together = ew.score(p, rules)
    assert alone.score_range is None and alone.collect_first == []
    cleared = {"score_range": None, "band_range": None, "collect_first": []}
    assert together.model_copy(update=cleared) == alone
    cols = profile_measures(ew.CouncilProfile.model_validate(p))
    assert with_ranges(alone, cols, rules) == together
    table = missing_impact(p, rules)
    moves = (table["score_min"] != table["score_max"]) | (table["band_min"] != table["band_max"])
    assert list(table.loc[moves, "indicator"]) == together.collect_first
