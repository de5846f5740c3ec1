"""The table of derived measures: its arithmetic, and every path that reads it agreeing with it.

What-if and the smallest change move a peer-relative or trend measure with its lever, the
reference (the neighbours' median, the earlier rate) held fixed: the regression is a vacancy rate
of 12 with a gap of 3 to the neighbours, which at a rate of 14 must be a gap of 5.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import TEST_BANDS, profiles

import earlywarning as ew
from earlywarning.cli import main
from earlywarning.profile import (
    DERIVED,
    FIELD_NAMES,
    FIELDS,
    MEASURES,
    check_profile,
    measure_values,
    profile_columns,
)
from earlywarning.profile.derived import (
    AGENCY_VS_NEIGHBOURS,
    BUDGET_CUT,
    CASELOAD_ABOVE_TARGET,
    VACANCY_VS_NEIGHBOURS,
    DerivedMeasure,
    linked_direction,
)
from earlywarning.rules import ruleset_from_data
from earlywarning.strategies import field_values
from earlywarning.whatif import apply_changes

FEW = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SPEC = {f.name: f for f in FIELDS}
RULES = ew.load_ruleset()
PEERS = {"council": "A", "year": 2020, "vacancy_rate_pct": 12, "vacancy_rate_vs_neighbours_pp": 3}


def _operands(d: DerivedMeasure) -> st.SearchStrategy[tuple[float, float]]:
    """A lever and a held operand where the arithmetic is defined both ways and well away from
    overflow (a lever of 0, no budget or no cases, gives the same measure whatever it is held
    against, so the held operand cannot be found from it)."""
    if d is BUDGET_CUT:
        return st.tuples(st.floats(1e-2, 1e4), st.floats(1e-2, 1e4))
    if d is CASELOAD_ABOVE_TARGET:
        return st.tuples(st.floats(1e-2, 1000), st.floats(1e-2, 1000))
    return st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4))


@FEW
@given(st.data())
def test_each_measure_inverts_both_ways_on_floats_and_arrays_alike(data):
    d = data.draw(st.sampled_from(DERIVED))
    pairs = data.draw(st.lists(_operands(d), min_size=1, max_size=5))
    lever = np.array([p[0] for p in pairs])
    held = np.array([p[1] for p in pairs])
    measure = d.forward(lever, held)
    # one function for both: an array gives, to the bit, what each float gives
    assert measure.tolist() == [d.forward(a, b) for a, b in pairs]
    assert np.allclose(d.inverse(measure, held), lever, rtol=1e-9, atol=1e-6)
    assert np.allclose(d.held_from(measure, lever), held, rtol=1e-9, atol=1e-6)
    # and missing stays missing
    assert math.isnan(d.forward(math.nan, pairs[0][1]))


@FEW
@given(st.data())
def test_each_input_moves_the_measure_the_way_the_table_says(data):
    d = data.draw(st.sampled_from(DERIVED))
    lever, held = data.draw(_operands(d))
    step = data.draw(st.floats(0.5, 10))
    now = d.forward(lever, held)
    assert np.sign(d.forward(lever + step, held) - now) == d.rises_with(d.lever)
    assert np.sign(d.forward(lever, held + step) - now) == d.held_sign


def test_the_table_names_profile_fields_and_measures():
    for d in DERIVED:
        assert d.name in MEASURES and all(n in FIELD_NAMES for n in d.inputs)
        assert d.given == (d.name in FIELD_NAMES)
        assert (d.held is None) == (d.reference is not None) == (d.kind != "fields")
        assert d.variable in (d.name, d.lever)
        assert linked_direction(d.name)[0] == d.variable
    assert linked_direction("caseload_target") == ("avg_caseload", -1)


@FEW
@given(profiles(RULES))
def test_the_scalar_and_frame_paths_derive_by_the_table(p):
    checked = check_profile(p)
    one = measure_values(checked)
    cols = profile_columns(pd.DataFrame([p])).measures
    for d in DERIVED:
        if d.given:
            continue
        lever, held = (checked.get(n) for n in d.inputs)
        expected = math.nan if lever is None or held is None else d.forward(lever, held)
        assert one.get(d.name, math.nan) == pytest.approx(expected, nan_ok=True)
        assert cols[d.name][0] == pytest.approx(expected, nan_ok=True)
    current, baseline = (checked.get(n) for n in BUDGET_CUT.inputs)
    if current is not None and baseline is not None:
        assert checked[BUDGET_CUT.name] == BUDGET_CUT.forward(current, baseline)


# --------------------------------------------------------------------------------------------
# What-if: the derived fields of a changed profile are those its inputs derive


_MOVED = tuple(
    sorted(
        {n for d in DERIVED for n in d.inputs} | {d.name for d in DERIVED if d.given},
        key=FIELD_NAMES.index,
    )
)


@st.composite
def _changes(draw: st.DrawFn) -> dict[str, Any]:
    """A change to some of the fields derived measures come from, or to the measures."""
    names = draw(st.lists(st.sampled_from(_MOVED), min_size=1, max_size=3, unique=True))
    return {n: draw(st.one_of(field_values(n, RULES), st.none())) for n in names}


def _number(fields: dict[str, Any], name: str) -> float:
    value = fields.get(name)
    return math.nan if value is None else float(value)


def _check_reference_measure(
    d: DerivedMeasure, before: dict[str, Any], changes: dict[str, Any], after: dict[str, Any]
) -> None:
    if d.name in changes or before.get(d.name) is None:
        return  # a measure set is taken as given; one not given is not made up
    reference = d.held_from(_number(before, d.name), _number(before, d.lever))
    if math.isnan(reference):
        # given alone: no reference to hold, so it stays as given
        assert after.get(d.name) == before[d.name]
    elif after.get(d.lever) is None:
        # the lever removed: so is what is derived from it
        assert after.get(d.name) is None and d.lever in changes
    else:
        derived = d.forward(_number(after, d.lever), reference)
        assert after[d.name] == pytest.approx(derived, abs=1e-9)


@FEW
@given(profiles(RULES), _changes())
def test_every_derived_field_of_a_what_if_is_derived_from_its_inputs(p, changes):
    before = check_profile(p)
    after_fields = apply_changes(p, changes)
    try:
        after = check_profile(after_fields)
    except ew.ProfileError as exc:
        # refused: a value out of range, either as set or as the change makes it
        assert exc.field in changes or exc.field in {n for d in DERIVED for n in d.inputs} | {
            d.name for d in DERIVED
        }
        return
    for d in DERIVED:
        if d.held is None:
            _check_reference_measure(d, before, changes, after)
    # the cut, as the budgets (changed, or moved by a new cut) derive it
    current, baseline = (after.get(n) for n in BUDGET_CUT.inputs)
    if current is not None and baseline is not None:
        assert after[BUDGET_CUT.name] == BUDGET_CUT.forward(current, baseline)
        cut = changes.get(BUDGET_CUT.name)
        if cut is not None and not any(n in changes for n in BUDGET_CUT.inputs):
            assert after[BUDGET_CUT.name] == pytest.approx(float(cut), abs=1e-9)
    # the caseload against target, as what-if scores it
    avg, target = (after.get(n) for n in CASELOAD_ABOVE_TARGET.inputs)
    if avg is not None and target is not None:
        expected = CASELOAD_ABOVE_TARGET.forward(avg, target)
        assert measure_values(after)[CASELOAD_ABOVE_TARGET.name] == expected


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(RULES), st.lists(_changes(), min_size=1, max_size=4))
def test_a_frame_of_changes_moves_derived_fields_as_each_change_does(p, changes):
    # NaN in a frame means unchanged, so the frame can only hold changes to a value
    changes = [{k: v for k, v in c.items() if v is not None} for c in changes]
    by_list = ew.what_if_frame(p, changes, RULES, reasons=False)
    by_frame = ew.what_if_frame(p, pd.DataFrame(changes), RULES, reasons=False)
    # a frame's column of numbers holds 0 as 0.0, so a refused value is quoted so: compare the
    # field each refusal names
    for out in (by_list, by_frame):
        out["error"] = out["error"].str.split(":").str[0]
    pd.testing.assert_frame_equal(by_frame, by_list)


# --------------------------------------------------------------------------------------------
# The regression: a new vacancy rate moves the gap to the neighbours


def _value(a: ew.Assessment, indicator: str) -> float | None:
    return next((c.value for c in a.contributions if c.indicator == indicator), None)


def test_a_new_vacancy_rate_moves_the_gap_to_the_neighbours_median_fixed():
    r = ew.what_if(PEERS, {"vacancy_rate_pct": 14})
    assert _value(r.before, "vacancy_rate_vs_neighbours") == 3
    assert _value(r.after, "vacancy_rate_vs_neighbours") == 5
    assert apply_changes(PEERS, {"vacancy_rate_pct": 14})["vacancy_rate_vs_neighbours_pp"] == 5
    # the same in a batch of changes, and for agency
    frame = ew.what_if_frame(PEERS, pd.DataFrame({"vacancy_rate_pct": [14.0, 30.0]}))
    assert frame["score"].tolist() == [
        ew.score({**PEERS, "vacancy_rate_pct": 14, "vacancy_rate_vs_neighbours_pp": 5}).score,
        ew.score({**PEERS, "vacancy_rate_pct": 30, "vacancy_rate_vs_neighbours_pp": 21}).score,
    ]
    agency = {"council": "A", "year": 2020, "agency_rate_pct": 20, AGENCY_VS_NEIGHBOURS.name: -2}
    assert apply_changes(agency, {"agency_rate_pct": 15})[AGENCY_VS_NEIGHBOURS.name] == -7


def test_a_new_gap_moves_the_rate_and_a_gap_alone_stays_as_given():
    # a gap set on a profile with the rate is a rate at the same median, which moves its trend
    p = {**PEERS, "vacancy_rate_change_2y_pp": 1.0}
    moved = apply_changes(p, {"vacancy_rate_vs_neighbours_pp": -1})
    assert moved["vacancy_rate_pct"] == 8 and moved["vacancy_rate_change_2y_pp"] == -3
    # given alone, the gap has no known median to hold: a new rate leaves it as given
    alone = {"council": "A", "year": 2020, "vacancy_rate_vs_neighbours_pp": 3}
    assert apply_changes(alone, {"vacancy_rate_pct": 14})[VACANCY_VS_NEIGHBOURS.name] == 3
    # removing the rate removes the gap derived from it
    assert VACANCY_VS_NEIGHBOURS.name not in apply_changes(PEERS, {"vacancy_rate_pct": None})
    # set together, both are taken as given
    both = {"vacancy_rate_pct": 20, "vacancy_rate_vs_neighbours_pp": 0}
    assert {k: apply_changes(PEERS, both)[k] for k in both} == both


def test_cli_what_if_moves_the_gap(tmp_path: Path):
    path = tmp_path / "council.yaml"
    path.write_text(yaml.safe_dump(PEERS), encoding="utf-8")
    out = io.StringIO()
    code = main(["what-if", str(path), "--set", "vacancy_rate_pct=14", "--format", "json"], out)
    assert code == 0
    after = json.loads(out.getvalue())["after"]
    gap = [c for c in after["contributions"] if c["indicator"] == "vacancy_rate_vs_neighbours"]
    assert [c["value"] for c in gap] == [5.0]
    text = io.StringIO()
    assert main(["what-if", str(path), "--set", "vacancy_rate_pct=21"], text) == 0
    assert "10 points or more above the neighbours' median, +4" in text.getvalue()


# --------------------------------------------------------------------------------------------
# The smallest change moves the gap through the rate


def _peer_rules(rate_points: float = 5) -> ew.Ruleset:
    def rule(measure: str, edge: float, points: float) -> dict[str, Any]:
        return {
            "id": measure.removesuffix("_pct").removesuffix("_pp"),
            "measure": measure,
            "label": measure,
            "direction": "higher_is_worse",
            "controllable": True,
            "levels": [{"below": edge, "points": 0}, {"from": edge, "points": points}],
            "rationale": "A test rule.",
            "evidence": ["written for the test"],
        }

    data = {
        "id": "peers",
        "version": "0",
        "bands": TEST_BANDS,
        "indicators": [
            rule("vacancy_rate_vs_neighbours_pp", 0, 30),
            rule("vacancy_rate_pct", 20, rate_points),
        ],
    }
    return ruleset_from_data(data, "<peers>")


def test_smallest_change_moves_the_gap_with_the_rate():
    rules = _peer_rules()
    r = ew.smallest_change(PEERS, "low", rules)
    # under the neighbours' median of 9 is a rate under 9, not a gap moved on its own
    assert r.changes == {"vacancy_rate_pct": 8.9}
    assert r.steps[0].indicators == ["vacancy_rate_vs_neighbours", "vacancy_rate"]
    assert _value(r.after, "vacancy_rate_vs_neighbours") == pytest.approx(-0.1)
    assert r.after.band == "low"
    # holding the gap holds the rate that moves it
    assert not ew.smallest_change(PEERS, "low", rules, fixed=[VACANCY_VS_NEIGHBOURS.name]).reachable
    # given alone, the gap is the variable: its median is not known
    alone = {"council": "A", "year": 2020, "vacancy_rate_vs_neighbours_pp": 3}
    assert ew.smallest_change(alone, "low", rules).changes == {VACANCY_VS_NEIGHBOURS.name: -0.1}


def test_smallest_change_keeps_the_gap_it_moves_within_its_range():
    # a median of 150 cannot be, but the checks take each field alone: a rate under 50 would
    # put the gap below -100, so the search stops at 50
    p = {"council": "A", "year": 2020, "vacancy_rate_pct": 100, VACANCY_VS_NEIGHBOURS.name: -50}
    r = ew.smallest_change(p, "low", _peer_rules(rate_points=30))
    assert r.before.band == "high" and r.reachable is False and r.changes == {}
    assert r.reason.endswith("would still be 30 (high)")
