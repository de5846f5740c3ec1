"""The kernel against the slow reference evaluation, on random rulesets and random frames.

Rulesets are drawn valid by construction (the loader checks them): levels with shared edges,
points monotone in the declared direction, red flags that stay raised as a measure worsens,
combinations with ``all`` and ``any``, mitigations capped by the risks they offset. Frames have
missing data, infinities and values on and beside every edge.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import evaluate as reference
from strategies import TEST_BANDS, field_value

import earlywarning as ew
from earlywarning.engine import _kernel, evaluate_columns
from earlywarning.engine._kernel import compiled
from earlywarning.profile import ProfileColumns
from earlywarning.rules import BAND_NAMES, ruleset_from_data

FEW = settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# plain fields that are measures of their own, so a profile can carry any of them
MEASURES = ["agency_rate_pct", "vacancy_rate_pct", "avg_caseload", "dcs_changes", "interim_dcs"]
GRID = [-5.0, 0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 17.5, 20.0, 50.0]


def _points(draw: st.DrawFn, style: str, n: int, lo: float, hi: float) -> list[float]:
    if style == "hundredths":
        xs = [draw(st.integers(int(lo * 100), int(hi * 100))) / 100 for _ in range(n)]
    elif style == "thousandths":
        xs = [draw(st.integers(int(lo * 1000), int(hi * 1000))) / 1000 for _ in range(n)]
    else:  # any float: the kernel then adds floats, not integers
        xs = [draw(st.floats(lo, hi, allow_nan=False)) for _ in range(n)]
    return sorted(xs)


@st.composite
def _indicator(
    draw: st.DrawFn, i: int, kind: str, style: str, directions: dict[str, str]
) -> dict[str, Any]:
    measure = draw(st.sampled_from(MEASURES))
    # every rule on a measure, mitigations too, agrees which way it worsens (the loader checks)
    direction = directions[measure]
    edges = sorted(draw(st.sets(st.sampled_from(GRID), min_size=1, max_size=4)))
    n = len(edges) + 1
    if kind == "risk":
        pts = _points(draw, style, n, 0, 30)
        if not any(pts):
            pts[-1] = 1.0
        # worse values score more: ascending for higher_is_worse, descending otherwise
        pts = pts if direction == "higher_is_worse" else pts[::-1]
    else:
        pts = _points(draw, style, n, -20, 0)  # most credit at the low values
        pts = pts if direction == "higher_is_worse" else pts[::-1]
    flags: list[str | None] = [None] * n
    if kind == "risk" and draw(st.booleans()):
        band = draw(st.sampled_from(BAND_NAMES[1:]))
        start = draw(st.integers(0, n - 1))
        # a red flag stays raised as the measure worsens
        worse = range(start, n) if direction == "higher_is_worse" else range(0, start + 1)
        for j in worse:
            flags[j] = band
    levels: list[dict[str, Any]] = []
    for j in range(n):
        level: dict[str, Any] = {"points": pts[j]}
        if j > 0:
            level["from"] = edges[j - 1]
        if j < n - 1:
            level["below"] = edges[j]
        if flags[j]:
            level["red_flag"] = flags[j]
        levels.append(level)
    return {
        "id": f"{kind}_{i}",
        "measure": measure,
        "label": f"Rule {i}",
        "kind": kind,
        "direction": direction,
        "levels": levels,
        "rationale": "random",
        "evidence": ["hypothesis"],
    }


@st.composite
def _combination(draw: st.DrawFn, i: int, style: str, directions: dict[str, str]) -> dict[str, Any]:
    def condition() -> dict[str, Any]:
        # on a measure a risk scores, on its worse side
        measure = draw(st.sampled_from(sorted(directions)))
        side = "from" if directions[measure] == "higher_is_worse" else "below"
        return {"measure": measure, side: draw(st.sampled_from(GRID))}

    every = [condition() for _ in range(draw(st.integers(0, 2)))]
    some = [condition() for _ in range(draw(st.integers(0 if every else 1, 2)))]
    out: dict[str, Any] = {
        "id": f"combo_{i}",
        "label": f"Combination {i}",
        "points": max(_points(draw, style, 1, 0.01, 20)[0], 0.01),
        "rationale": "random",
        "evidence": ["hypothesis"],
    }
    if every:
        out["all"] = every
    if some:
        out["any"] = some
    if draw(st.booleans()):
        out["red_flag"] = draw(st.sampled_from(BAND_NAMES[1:]))
    return out


@st.composite
def rulesets(draw: st.DrawFn) -> ew.Ruleset:
    """Valid random rulesets: risks, mitigations that offset some of them, combinations."""
    style = draw(st.sampled_from(["hundredths", "hundredths", "thousandths", "floats"]))
    ways = st.sampled_from(["higher_is_worse", "higher_is_better"])
    directions = {m: draw(ways) for m in MEASURES}
    n_risks = draw(st.integers(1, 5))
    indicators = [draw(_indicator(i, "risk", style, directions)) for i in range(n_risks)]
    scored = {ind["measure"]: directions[ind["measure"]] for ind in indicators}
    n_combos = draw(st.integers(0, 3))
    combinations = [draw(_combination(i, style, scored)) for i in range(n_combos)]
    unclaimed = [r["id"] for r in indicators] + [c["id"] for c in combinations]
    for m in range(draw(st.integers(0, 2))):
        if not unclaimed:
            break
        mitigation = draw(_indicator(m, "mitigation", style, directions))
        claimed = draw(st.lists(st.sampled_from(unclaimed), min_size=1, max_size=3, unique=True))
        mitigation["offsets"] = claimed
        unclaimed = [r for r in unclaimed if r not in claimed]
        indicators.append(mitigation)
    order = draw(st.permutations(range(len(indicators))))
    data = {
        "id": "random",
        "version": "1",
        "bands": TEST_BANDS,
        "indicators": [indicators[i] for i in order],
        "combinations": combinations,
    }
    return ruleset_from_data(data, "<random>")


def _value() -> st.SearchStrategy[float]:
    near = [x for g in GRID for x in (g, math.nextafter(g, -math.inf), math.nextafter(g, math.inf))]
    return st.one_of(
        st.sampled_from(near),
        st.floats(-100, 100),
        st.sampled_from([math.nan, math.nan, math.inf, -math.inf]),
    )


def _check_row(rules: ew.Ruleset, ev: Any, i: int, expected: Any) -> None:
    exact = compiled(rules).scale is not None
    score = float(ev.score[i])
    assert score == expected.score if exact else score == pytest.approx(expected.score)
    if exact or not any(abs(score - b.from_) < 1e-6 for b in rules.bands):
        assert BAND_NAMES[ev.band[i]] == expected.band
        assert BAND_NAMES[ev.score_band[i]] == expected.band_from_score
    assert float(ev.coverage[i]) == pytest.approx(expected.coverage, abs=1e-12)
    k = len(rules.indicators)
    for j, ind in enumerate(rules.indicators):
        assert int(ev.level[i, j]) == expected.levels[ind.id], ind.id
    ids = [ind.id for ind in rules.indicators] + [c.id for c in rules.combinations]
    for j, rid in enumerate(ids):
        assert float(ev.points[i, j]) == pytest.approx(expected.points[rid], abs=1e-9), rid
    if exact:
        assert ev.reason_codes()[i] == "; ".join(expected.reasons)
    assert k <= len(ids)


@FEW
@given(rulesets(), st.data())
def test_kernel_agrees_with_the_reference_on_random_frames(rules, data):
    _agrees_on_a_random_frame(rules, data)


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rulesets(), st.data())
def test_kernel_counting_conditions_by_product_agrees_with_the_reference(rules, data):
    # with more conditions than TABLE_BITS the kernel counts the conditions each combination
    # needs by a matrix product instead of looking the code up; rulesets here have fewer
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kernel, "TABLE_BITS", -1)
        _agrees_on_a_random_frame(rules.replace(version="0.0.1"), data)


def _agrees_on_a_random_frame(rules: ew.Ruleset, data: st.DataObject) -> None:
    measures = sorted({ind.measure for ind in rules.indicators} | set(MEASURES))
    n = data.draw(st.integers(1, 40), label="rows")
    # a few distinct rows repeated, as real panels repeat patterns
    distinct = data.draw(
        st.lists(st.fixed_dictionaries({m: _value() for m in measures}), min_size=1, max_size=n)
    )
    picks = data.draw(st.lists(st.integers(0, len(distinct) - 1), min_size=n, max_size=n))
    rows = [distinct[p] for p in picks]
    absent = data.draw(st.sets(st.sampled_from(measures)), label="absent")
    cols = ProfileColumns(
        measures={
            m: np.full(n, np.nan) if m in absent else np.array([r[m] for r in rows])
            for m in measures
        },
        error=np.full(n, None, dtype=object),
    )
    ev = evaluate_columns(cols, rules)
    for i, row in enumerate(rows):
        known = {m: v for m, v in row.items() if m not in absent}
        _check_row(rules, ev, i, reference(rules, known))


@st.composite
def _profile(draw: st.DrawFn, rules: ew.Ruleset) -> dict[str, Any]:
    p: dict[str, Any] = {"council": "Random", "year": 2020}
    for m in MEASURES:
        if draw(st.booleans()):
            p[m] = draw(field_value(rules, m))
    return p


@FEW
@given(rulesets(), st.data())
def test_score_and_score_frame_agree_with_the_reference(rules, data):
    profiles = data.draw(st.lists(_profile(rules), min_size=1, max_size=6), label="profiles")
    out = ew.score_frame(pd.DataFrame(profiles), rules)
    exact = compiled(rules).scale is not None
    for i, p in enumerate(profiles):
        checked = ew.CouncilProfile(**p)
        measures = {m: float(getattr(checked, m)) for m in MEASURES if p.get(m) is not None}
        expected = reference(rules, measures)
        a = ew.score(p, rules)
        assert a.score == out["score"].iloc[i]
        assert a.band == out["band"].iloc[i]
        if exact:
            assert a.score == expected.score
            assert (a.band, a.band_from_score) == (expected.band, expected.band_from_score)
            assert a.reasons == expected.reasons
            assert out["reasons"].iloc[i] == "; ".join(expected.reasons)
        assert a.coverage == pytest.approx(expected.coverage, abs=1e-12)
        assert a.missing == [ind.id for ind in rules.indicators if expected.levels[ind.id] < 0]
        by_id = {c.indicator: c for c in a.contributions}
        for ind in rules.indicators:
            if expected.levels[ind.id] < 0:
                assert ind.id not in by_id
                continue
            c = by_id[ind.id]
            assert c.level == expected.levels[ind.id]
            assert c.value == measures[ind.measure]
            assert c.points == pytest.approx(expected.points[ind.id], abs=1e-9)
            assert c.red_flag == expected.red_flags.get(ind.id)
            capped = c.points != ind.levels[c.level].points
            assert ("limited to" in c.reason) == capped
        fired = [x.id for x in rules.combinations if expected.points[x.id]]
        assert [c.indicator for c in a.contributions if c.kind == "combination"] == fired
        for c in a.contributions[len(a.contributions) - len(fired) :]:
            assert c.points == expected.points[c.indicator]  # exactly: its own points
            assert c.red_flag == expected.red_flags.get(c.indicator)
        assert ew.Assessment.model_validate_json(a.model_dump_json()) == a
