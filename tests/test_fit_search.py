"""The fit's search against a plain reference: the same moves and byte-identical results.

The search scores a candidate move by redoing one rule's points in integer columns, and builds
a candidate ruleset only when it could be chosen. The reference below is the search as it was
before: every candidate value built through the loader and scored by the engine on every
column. Both must choose the same moves in the same order, with the same gains, and so give the
same fitted ruleset, YAML, report and held-out table.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning.calibrate import case_outcomes, cases_after_fit
from earlywarning.engine import evaluate_columns
from earlywarning.errors import RuleFileError
from earlywarning.fit import FitResult
from earlywarning.fit._search import (
    Move,
    _allowed,
    _get,
    _grid,
    _knobs,
    _points,
    _touches,
    _with,
    auc_of,
    search,
)
from earlywarning.metrics import auc
from earlywarning.profile import ProfileColumns, profile_columns
from earlywarning.rules import Ruleset, ruleset_from_data

NAN = math.nan

# the module, not the function ew.fit that `import earlywarning.fit` would give
FIT = sys.modules["earlywarning.fit"]


def reference_search(
    start: Ruleset,
    cols: ProfileColumns,
    y: np.ndarray,
    max_rounds: int,
    grid_points: int,
    min_gain: float,
    seed: int | None,
) -> tuple[Ruleset, float, float, list[Move], int]:
    """The coordinate search with every candidate built by the loader and scored by the engine."""
    first = evaluate_columns(cols, start)
    keep = ~np.isnan(first.score)
    values = np.column_stack([cols.measures[ind.measure] for ind in start.indicators])
    fires = (first.points[:, len(start.indicators) :] != 0).any(axis=0)
    has_both = y[keep].any() and not y[keep].all()
    before = auc(first.score[keep], y[keep]) if has_both else math.nan
    changes: list[Move] = []
    if math.isnan(before):
        return start, before, before, changes, int(keep.sum())
    current, data, score = start, start.to_data(), before
    knobs = _knobs(start)
    rng = np.random.default_rng(seed) if seed is not None else None
    for round_no in range(1, max_rounds + 1):
        moved = False
        for k in rng.permutation(len(knobs)) if rng is not None else range(len(knobs)):
            knob = knobs[int(k)]
            old = _get(data, knob)
            best: tuple[float, float, dict[str, Any], Ruleset] | None = None
            for value in _grid(knob.low, knob.high, grid_points):
                if value == old or not _allowed(data, knob, value):
                    continue
                if not _touches(data, knob, old, value, values, fires):
                    continue
                candidate_data = _with(data, knob, value)
                try:
                    candidate = ruleset_from_data(candidate_data, "<fit>")
                except RuleFileError:
                    continue
                gain = auc_of(candidate, cols, y) - score
                if (
                    best is None
                    or gain > best[0] + 1e-12
                    or (gain >= best[0] - 1e-12 and abs(value - old) < abs(best[1] - old))
                ):
                    best = (gain, value, candidate_data, candidate)
            if best is not None and best[0] > min_gain:
                gain, value, data, current = best
                score += gain
                changes.append(Move(knob, old, value, gain, round_no))
                moved = True
        if not moved:
            break
    return current, before, auc_of(current, cols, y), changes, int(keep.sum())


def assert_same_search(got: tuple[Any, ...], want: tuple[Any, ...]) -> None:
    assert got[0].to_yaml() == want[0].to_yaml()
    assert got[0] == want[0]
    assert repr(got[1:3]) == repr(want[1:3])  # AUCs to the last bit (NaN equal to NaN)
    assert got[3] == want[3]  # the same moves, in the same order, with the same gains
    assert got[4] == want[4]


def fit_outputs(result: FitResult) -> dict[str, Any]:
    """Everything a fit shows or writes, as text and bytes."""
    out: dict[str, Any] = {
        "yaml": result.ruleset.to_yaml(),
        "diff": result.diff(),
        "changes": repr(result.changes),
        "aucs": repr((result.auc_before, result.auc_after, result.rows_used)),
    }
    if result.loo is not None:
        out["loo"] = (str(result.loo), repr(result.loo.auc), result.loo.folds)
        out["scores"] = result.loo.scores.to_numpy().tobytes()
        out["bands"] = result.loo.bands.tolist()
    return out


def _columns(profiles: pd.DataFrame, outcome: Any) -> tuple[ProfileColumns, np.ndarray]:
    return profile_columns(profiles), np.asarray(outcome, dtype=bool)


def uses_columns(start: Ruleset, cols: ProfileColumns, y: np.ndarray, grid_points: int) -> bool:
    """Whether the search scores candidates in integer columns (not each through the engine):
    where it does not, a comparison with the reference checks only the engine against itself."""
    first = evaluate_columns(cols, start)
    keep = ~np.isnan(first.score)
    return _points(start, start.to_data(), first, keep, y, _knobs(start), grid_points) is not None


def test_the_search_matches_the_reference_on_the_training_inspections(
    inspections: pd.DataFrame, default_ruleset: Ruleset
) -> None:
    # one round (the reference builds every candidate: a round costs it half a second); the
    # small problems below take more rounds, and no seed
    cols, y = _columns(inspections, inspections["below_good"])
    assert uses_columns(default_ruleset, cols, y, 9)
    got = search(default_ruleset, cols, y, 1, 9, 1e-4, 0)
    assert len(got[3]) > 10, "the search hardly moved: the comparison would show little"
    assert_same_search(got, reference_search(default_ruleset, cols, y, 1, 9, 1e-4, 0))


def test_a_fit_on_the_cases_matches_the_reference(
    monkeypatch: pytest.MonkeyPatch, default_ruleset: Ruleset
) -> None:
    # held out in two folds: each fold's search is one more problem for the reference
    profiles, declined = case_outcomes()
    fast = FIT.fit(default_ruleset, profiles, declined, loo=True, folds=2, loo_rounds=1)
    monkeypatch.setattr(FIT, "search", reference_search)
    plain = FIT.fit(default_ruleset, profiles, declined, loo=True, folds=2, loo_rounds=1)
    assert fit_outputs(fast) == fit_outputs(plain)
    assert cases_after_fit(fast) == cases_after_fit(plain)


# Small problems drawn at random: a few measures near the rules' edges (ties are common, so the
# ties between candidates are exercised), some missing, on the default ruleset or a copy whose
# points need thousandths (the integer columns at a finer step) or are not decimal at all (every
# candidate then goes through the engine).

MEASURES = {
    "budget_cut_pct": (0, 50),
    "early_help_spend_change_pct": (-70, 20),
    "restructure": (0, 1),
    "reinvestment_pct": (0, 10),
    "management_reduction_pct": (-20, 40),
    "dcs_changes": (0, 4),
    "interim_dcs": (0, 1),
    "avg_caseload": (10, 26),
    "vacancy_rate_pct": (0, 30),
    "agency_rate_pct": (0, 40),
}

# interim_director's one level that scores: its points_range is 0 to 8
VARIANT_POINTS = {"default": None, "thousandths": 4.125, "float": 4 + 1 / 3}


def _variant(rules: Ruleset, name: str) -> Ruleset:
    points = VARIANT_POINTS[name]
    if points is None:
        return rules
    data = rules.to_data()
    (ind,) = [i for i in data["indicators"] if i["id"] == "interim_director"]
    ind["levels"][1]["points"] = points
    return ruleset_from_data(data, "<variant>")


@st.composite
def small_problems(draw: st.DrawFn) -> tuple[pd.DataFrame, list[bool]]:
    n = draw(st.integers(4, 14))
    chosen = draw(st.lists(st.sampled_from(sorted(MEASURES)), min_size=1, max_size=5, unique=True))
    frame = pd.DataFrame({"council": [f"C{i}" for i in range(n)], "year": 2020})
    for m in chosen:
        lo, hi = MEASURES[m]
        # halves between the bounds: many values sit on an edge or share a value
        value = st.none() | st.integers(2 * lo, 2 * hi).map(lambda v: v / 2)
        if hi == 1 or m == "dcs_changes":
            value = st.none() | st.integers(lo, hi).map(float)
        frame[m] = draw(st.lists(value, min_size=n, max_size=n))
    frame[chosen] = frame[chosen].astype(float)
    outcome = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda o: 0 < sum(o) < n))
    return frame, outcome


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problem=small_problems(),
    variant=st.sampled_from(sorted(VARIANT_POINTS)),
    rounds=st.integers(1, 3),
    grid_points=st.integers(2, 7),
    seed=st.none() | st.integers(0, 3),
)
def test_the_search_matches_the_reference_on_small_problems(
    problem: tuple[pd.DataFrame, list[bool]],
    variant: str,
    rounds: int,
    grid_points: int,
    seed: int | None,
) -> None:
    start = _variant(ew.load_ruleset(), variant)
    cols, y = _columns(*problem)
    assert uses_columns(start, cols, y, grid_points) == (variant != "float")
    got = search(start, cols, y, rounds, grid_points, 0.0, seed)
    assert_same_search(got, reference_search(start, cols, y, rounds, grid_points, 0.0, seed))


def test_equal_gains_at_equal_distances_go_to_the_lower_value(default_ruleset: Ruleset) -> None:
    # found by drawing small problems: caseload's top edge (20) gains as much at 19 as at 21,
    # and the search keeps the first of the two it tries, as it always has
    frame = pd.DataFrame(
        {
            "council": [f"C{i}" for i in range(12)],
            "year": 2020,
            "budget_cut_pct": [NAN, NAN, 46.5, NAN, NAN, NAN, NAN, 17.0, 41.5, NAN, 2.0, 40.5],
            "avg_caseload": [20.5, 19.5, NAN, 13.5, 11.5, NAN, 17.0, NAN, NAN, NAN, 19.5, 12.5],
            "dcs_changes": [3.0, 3.0, NAN, 0.0, 4.0, NAN, NAN, 1.0, NAN, 3.0, NAN, 4.0],
        }
    )
    outcome = [False, True, False, True, False, True, True, True, False, True, True, True]
    cols, y = _columns(frame, outcome)
    assert uses_columns(default_ruleset, cols, y, 3)
    got = search(default_ruleset, cols, y, 1, 3, 0.0, 0)
    assert_same_search(got, reference_search(default_ruleset, cols, y, 1, 3, 0.0, 0))
    assert (got[3][-1].knob.rule, got[3][-1].old, got[3][-1].new) == ("caseload", 20.0, 19.0)


def test_scores_held_at_100_tie_as_the_engine_ties_them(default_ruleset: Ruleset) -> None:
    # three councils whose points add up to more than 100 (124, 119 and 110): their scores are
    # all 100, tied, and the search must rank them so too (untied, the first two pairs of a
    # positive and a negative would count 1 each instead of a half)
    worst = {
        "budget_cut_pct": 50.0,
        "early_help_spend_change_pct": -70.0,
        "restructure": 1.0,
        "management_reduction_pct": 40.0,
        "dcs_changes": 4.0,
        "interim_dcs": 1.0,
        "avg_caseload": 26.0,
        "vacancy_rate_pct": 30.0,
        "agency_rate_pct": 40.0,
        "absence_rate_pct": 7.0,
        "demand_change_pct": 40.0,
    }
    rows = [
        worst,
        {**worst, "agency_rate_pct": 11.0},
        {**worst, "dcs_changes": 1.0},
        {**worst, "restructure": 0.0, "interim_dcs": 0.0},
        {"agency_rate_pct": 30.0, "avg_caseload": 19.0},
        {"budget_cut_pct": 20.0, "restructure": 1.0},
    ]
    frame = pd.DataFrame(rows).assign(council=[f"C{i}" for i in range(len(rows))], year=2020)
    cols, y = _columns(frame, [True, False, False, True, True, False])
    assert (evaluate_columns(cols, default_ruleset).score[:3] == 100).all()
    assert uses_columns(default_ruleset, cols, y, 9)
    got = search(default_ruleset, cols, y, 1, 9, 1e-4, 0)
    assert got[3], "the search moved nothing: the comparison would show little"
    assert_same_search(got, reference_search(default_ruleset, cols, y, 1, 9, 1e-4, 0))


def test_mitigations_take_away_no_more_than_their_risks_scored(default_ruleset: Ruleset) -> None:
    # reinvestment offsets the budget cut (and more), management growth offsets the combination
    # of vacancies and caseloads: on several rows each would take away more than those scored,
    # and the search moves both mitigations' numbers
    frame = pd.DataFrame(
        {
            "council": [f"C{i}" for i in range(10)],
            "year": 2020,
            "reinvestment_pct": [6.0, 2.0, 0.0, 4.5, 1.5, 0.0, 3.0, 6.0, 0.0, 2.0],
            "budget_cut_pct": [6.0, 16.0, 30.0, 12.0, 0.0, 8.0, 40.0, 22.0, 3.0, 26.0],
            "management_reduction_pct": [
                -15.0,
                -12.0,
                25.0,
                -20.0,
                5.0,
                -11.0,
                12.0,
                -15.0,
                30.0,
                18.0,
            ],
            "vacancy_rate_pct": [22.0, 8.0, 21.0, 25.0, 12.0, 20.0, 5.0, 21.0, 24.0, 9.0],
            "avg_caseload": [18.0, 15.0, 19.0, 16.0, 20.0, 17.5, 14.0, 21.0, 18.5, 16.5],
        }
    )
    outcome = [False, True, True, False, False, True, True, False, True, True]
    cols, y = _columns(frame, outcome)
    assert uses_columns(default_ruleset, cols, y, 9)
    got = search(default_ruleset, cols, y, 1, 9, 1e-4, 0)
    assert {"reinvestment", "management_growth"} <= {m.knob.rule for m in got[3]}
    assert_same_search(got, reference_search(default_ruleset, cols, y, 1, 9, 1e-4, 0))


@pytest.mark.parametrize(("variant", "integer"), [("thousandths", True), ("float", False)])
def test_points_that_are_not_decimal_are_scored_by_the_engine(
    inspections: pd.DataFrame, default_ruleset: Ruleset, variant: str, integer: bool
) -> None:
    # the variants above take both ways: integer columns in thousandths, or none at all
    start = _variant(default_ruleset, variant)
    cols, y = _columns(inspections, inspections["below_good"])
    first = evaluate_columns(cols, start)
    keep = ~np.isnan(first.score)
    columns = _points(start, start.to_data(), first, keep, y, _knobs(start), 9)
    assert (columns is not None) == integer
    if columns is not None:
        assert columns.scale == 1000
