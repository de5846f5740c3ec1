"""What if: no change scores as the profile does; many changes go through one score_frame call."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import yaml
from decision_strategies import profiles as drawn_profiles
from decision_strategies import rulesets
from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import profiles

import earlywarning as ew
from earlywarning import whatif
from earlywarning.cli import main

FEW = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ROOT = Path(__file__).resolve().parents[1]
DERBYSHIRE = ROOT / "examples" / "profiles" / "derbyshire-2016.yaml"
RULES = ew.load_ruleset()


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(RULES))
def test_no_change_is_the_score_default_rules(p):
    r = ew.what_if(p, {})
    assert r.before == r.after == ew.score(p)
    assert r.moved == [] and r.score_change == 0


@FEW
@given(st.data())
def test_no_change_is_the_score_random_rules(data):
    rules = data.draw(rulesets())
    p = data.draw(drawn_profiles(rules))
    r = ew.what_if(p, {}, rules)
    assert r.after == ew.score(p, rules) and r.moved == []
    row = ew.what_if_frame(p, [{}], rules).iloc[0]
    assert row["score"] == r.after.score and row["band"] == r.after.band


def test_a_change_moves_the_rules_it_touches():
    p = yaml.safe_load(DERBYSHIRE.read_text(encoding="utf-8"))
    r = ew.what_if(p, {"restructure": "no"})
    moved = {m.indicator: (m.points_before, m.points_after) for m in r.moved}
    assert moved == {"restructure": (4.0, 0.0), "restructure_during_deep_cuts": (8.0, 0.0)}
    assert r.score_change == -12 and r.after.score == ew.score({**p, "restructure": False}).score


def test_budget_changes_rederive_the_cut():
    p = ew.CouncilProfile.model_validate(yaml.safe_load(DERBYSHIRE.read_text(encoding="utf-8")))
    # the model keeps the derived cut; a new current budget must not contradict it
    r = ew.what_if(p, {"budget_current_gbp_m": 120})
    assert round(r.after.contributions[0].value, 1) == 8.4
    # a new cut on known budgets moves the current budget
    r = ew.what_if(p, {"budget_cut_pct": 10})
    assert r.after.contributions[0].value == pytest.approx(10)
    assert whatif.apply_changes(p, {"budget_cut_pct": 10})["budget_current_gbp_m"] == 117.9


def test_none_removes_a_field():
    r = ew.what_if({"council": "A", "year": 2020, "agency_rate_pct": 30}, {"agency_rate_pct": None})
    assert "agency_rate" in r.after.missing and r.after.score == 0


def test_a_refused_change_raises_for_one_and_is_kept_in_a_batch():
    p = {"council": "A", "year": 2020, "agency_rate_pct": 30}
    with pytest.raises(ew.ProfileError, match="agency_rate_pct"):
        ew.what_if(p, {"agency_rate_pct": 130})
    out = ew.what_if_frame(p, [{"agency_rate_pct": 130}, {"agency_rate_pct": 5}])
    assert len(out) == 2 and out["error"].notna().tolist() == [True, False]
    assert out.loc[1, "score_change"] == -8 and out.loc[1, "band_before"] == "low"


def test_batch_is_one_score_frame_call(monkeypatch):
    calls = []
    real = whatif.score_frame

    def counting(frame, *args, **kwargs):
        calls.append(len(frame))
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(whatif, "score_frame", counting)
    p = yaml.safe_load(DERBYSHIRE.read_text(encoding="utf-8"))
    alternatives = pd.DataFrame({"reinvestment_pct": [0.0, 1, 2, 3, 4, 5, 6] * 100})
    out = ew.what_if_frame(p, alternatives, reasons=False)
    assert calls == [700]
    assert out.index.equals(alternatives.index)
    single = [ew.what_if(p, {"reinvestment_pct": x}).after.score for x in (0.0, 1, 2, 3, 4, 5, 6)]
    assert out["score"].tolist()[:7] == single


def test_cli_what_if():
    out = io.StringIO()
    code = main(
        ["what-if", str(DERBYSHIRE), "--set", "restructure=no", "--set", "dcs_changes=1"], out
    )
    assert code == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "Derbyshire (2016) with restructure=no, dcs_changes=1"
    assert lines[1].startswith("Before: 46, high. After: ")
    assert any("two changes, +8 -> " in line for line in lines)


def test_cli_what_if_refuses_bad_assignments(capsys):
    assert main(["what-if", str(DERBYSHIRE), "--set", "restructure"], io.StringIO()) == 1
    assert "expected FIELD=VALUE" in capsys.readouterr().err
    assert main(["what-if", str(DERBYSHIRE), "--set", "agency_rate=3"], io.StringIO()) == 1
    assert "agency_rate" in capsys.readouterr().err


@FEW
@given(st.data())
def test_batch_rows_equal_one_what_if_each(data):
    rules = data.draw(rulesets())
    p = data.draw(drawn_profiles(rules))
    alternatives = data.draw(st.lists(drawn_profiles(rules, missing=0.6), min_size=1, max_size=4))
    changes = [
        {k: v for k, v in alt.items() if k not in ("council", "year")} for alt in alternatives
    ]
    out = ew.what_if_frame(p, changes, rules)
    for i, change in enumerate(changes):
        try:
            one = ew.what_if(p, change, rules)
        except ew.ProfileError as exc:
            # a new gap to the neighbours can put the rate it moves out of range: refused, in a
            # batch on its row alone
            assert str(out.loc[i, "error"]).startswith(f"{exc.field}: ")
            continue
        assert out.loc[i, "score"] == one.after.score and out.loc[i, "band"] == one.after.band
        assert out.loc[i, "score_change"] == one.score_change


@FEW
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "budget_cut_pct": st.sampled_from([5.0, 14.9, 25.0, 40.0]),
                "budget_current_gbp_m": st.sampled_from([80.0, 100.0, 125.0]),
                "restructure": st.booleans(),
                "agency_rate_pct": st.sampled_from([9.0, 30.0, 140.0]),
            },
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_frame_of_changes_scores_as_the_same_changes_one_by_one(changes):
    p = yaml.safe_load(DERBYSHIRE.read_text(encoding="utf-8"))
    by_frame = ew.what_if_frame(p, pd.DataFrame(changes), reasons=False)
    by_list = ew.what_if_frame(p, changes, reasons=False)
    pd.testing.assert_frame_equal(by_frame, by_list)
