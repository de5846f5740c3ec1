"""The block of one profile filled every way, against the columns filled one way at a time."""

from __future__ import annotations

import math

import numpy as np
from decision_strategies import profiles, rulesets
from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning.engine._fill import fill_block, fill_plan
from earlywarning.profile import ProfileColumns, profile_measures
from earlywarning.ranges import fill_missing

FEW = settings(
    max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _column(cols: ProfileColumns, names: tuple[str, ...]) -> list[float]:
    return [float(cols.measures[m][0]) if m in cols.measures else math.nan for m in names]


@FEW
@given(st.data())
def test_block_is_each_way_of_filling_in_as_fill_missing_fills_it(data):
    # fill_block builds every column at once from precomputed layouts; fill_missing fills
    # one way at a time by the measures' names, so the two are built independently
    rules = data.draw(rulesets())
    p = data.draw(profiles(rules, missing=0.5))
    cols = profile_measures(ew.CouncilProfile.model_validate(p))
    plan = fill_plan(rules)
    row = _column(cols, plan.columns)
    known = {m: float(v[0]) for m, v in cols.measures.items() if v[0] == v[0]}
    block, chosen = fill_block(plan, row, known)
    assert block.dtype == np.float64 and block.flags.c_contiguous
    assert block.shape == (len(plan.columns), 3 + 2 * len(chosen))
    expected = [row, *(_column(fill_missing(cols, rules, side), plan.columns) for side in (-1, 1))]
    for item in chosen.tolist():
        only = {plan.items[item][0]: np.array([True])}
        for side in (-1, 1):
            expected.append(_column(fill_missing(cols, rules, side, only), plan.columns))
    assert np.array_equal(block, np.array(expected).T, equal_nan=True)
    # an item is filled alone exactly when a column it is read from is missing
    for item in range(len(plan.items)):
        reads = [j for _, j in plan.items[item][1]]
        assert (item in chosen) == any(math.isnan(row[j]) for j in reads)


def test_nothing_missing_gives_the_profile_three_times_and_no_items():
    rules = ew.load_ruleset()
    plan = fill_plan(rules)
    # a value per measure (a measure read by several rules is in several columns)
    known = {m: float(j) for j, m in enumerate(sorted(set(plan.columns)))}
    row = [known[m] for m in plan.columns]
    block, chosen = fill_block(plan, row, known)
    assert chosen.size == 0
    assert np.array_equal(block, np.array([row] * 3).T)
