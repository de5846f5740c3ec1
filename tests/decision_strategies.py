"""Small random rulesets and profiles for the decision tests (what if, smallest change, ranges).

Each ruleset reads two to four measures from a pool that covers every kind the search treats
differently: a plain percentage, a whole number, a yes/no flag, a higher-is-better measure, the
budget cut (no lowest value), the caseload with the caseload against target (one field feeding
two measures), the vacancy rate with its gap to the neighbours (a field feeding a measure that is
a field too, through a reference no profile holds), and a mitigation whose credit is capped by
the risks it offsets. Combinations and red flags are drawn too. Every ruleset passes the
loader's checks.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st
from strategies import TEST_BANDS

from earlywarning.rules import Ruleset, ruleset_from_data

# measure: (direction, candidate edges, the profile field's lowest and highest value)
POOL: dict[str, tuple[str, tuple[float, ...]]] = {
    "agency_rate_pct": ("higher_is_worse", (5.0, 10.0, 15.0, 20.0, 30.0)),
    "dcs_changes": ("higher_is_worse", (1.0, 2.0, 3.0)),
    "restructure": ("higher_is_worse", (1.0,)),
    "early_help_spend_change_pct": ("higher_is_better", (-50.0, -25.0, 0.0)),
    "budget_cut_pct": ("higher_is_worse", (5.0, 15.0, 25.0)),
    "avg_caseload": ("higher_is_worse", (16.0, 18.0, 20.0)),
    "caseload_above_target_pct": ("higher_is_worse", (0.0, 10.0, 25.0)),
    "vacancy_rate_pct": ("higher_is_worse", (10.0, 15.0, 20.0)),
    "vacancy_rate_vs_neighbours_pp": ("higher_is_worse", (-5.0, 0.0, 10.0)),
}
MITIGATION = ("reinvestment_pct", (1.0, 3.0, 5.0))


@st.composite
def _levels(draw: st.DrawFn, direction: str, edges: tuple[float, ...], risk: bool) -> list[Any]:
    chosen = sorted(draw(st.lists(st.sampled_from(edges), min_size=1, max_size=3, unique=True)))
    n = len(chosen) + 1
    steps = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    if risk:
        points = [float(sum(steps[: i + 1])) for i in range(n)]  # rising with the measure
        if direction == "higher_is_better":
            points = points[::-1]
        if not any(points):
            points[-1 if direction == "higher_is_worse" else 0] = 1.0
    else:
        points = [-float(sum(steps[: i + 1])) for i in range(n)]  # more credit as it rises
    levels: list[dict[str, Any]] = []
    for i in range(n):
        level: dict[str, Any] = {"points": points[i]}
        if i:
            level["from"] = chosen[i - 1]
        if i < n - 1:
            level["below"] = chosen[i]
        levels.append(level)
    worst = -1 if direction == "higher_is_worse" else 0
    if risk and draw(st.integers(0, 3)) == 0:
        levels[worst]["red_flag"] = draw(st.sampled_from(["moderate", "high"]))
    return levels


def _indicator(measure: str, direction: str, levels: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": f"r_{measure}",
        "measure": measure,
        "label": f"Rule on {measure.replace('_', ' ')}",
        "direction": direction,
        "levels": levels,
        "rationale": "A test rule.",
        "evidence": ["drawn by hypothesis"],
        **extra,
    }


@st.composite
def rulesets(draw: st.DrawFn) -> Ruleset:
    """A small checked ruleset."""
    measures = draw(st.lists(st.sampled_from(sorted(POOL)), min_size=2, max_size=4, unique=True))
    indicators = []
    for m in measures:
        direction, edges = POOL[m]
        levels = draw(_levels(direction, edges, risk=True))
        indicators.append(_indicator(m, direction, levels, controllable=draw(st.booleans())))
    combinations = []
    if draw(st.booleans()):
        on = draw(st.lists(st.sampled_from(measures), min_size=1, max_size=2, unique=True))
        conditions = []
        for m in on:
            direction, edges = POOL[m]
            key = "from" if direction == "higher_is_worse" else "below"
            conditions.append({"measure": m, key: draw(st.sampled_from(edges))})
        combo: dict[str, Any] = {
            "id": "together",
            "label": "Signals together",
            "all": conditions,
            "points": float(draw(st.integers(1, 12))),
            "rationale": "A test combination.",
            "evidence": ["drawn by hypothesis"],
        }
        if draw(st.integers(0, 3)) == 0:
            combo["red_flag"] = "high"
        combinations.append(combo)
    if draw(st.booleans()):
        m, edges = MITIGATION
        risks = [i["id"] for i in indicators] + [c["id"] for c in combinations]
        offsets = draw(st.lists(st.sampled_from(risks), min_size=1, unique=True))
        levels = draw(_levels("higher_is_better", edges, risk=False))
        if all(lv["points"] == 0 for lv in levels):
            levels[-1]["points"] = -4.0
        indicators.append(
            _indicator(
                m,
                "higher_is_better",
                levels,
                kind="mitigation",
                offsets=offsets,
                controllable=draw(st.booleans()),
            )
        )
    data = {
        "id": "drawn",
        "version": "0",
        "bands": TEST_BANDS,
        "indicators": indicators,
        "combinations": combinations,
    }
    return ruleset_from_data(data, "<drawn>")


# Values worth drawing for each field the pool reads: edges, beside them, and the extremes.
FIELD_VALUES: dict[str, tuple[Any, ...]] = {
    "agency_rate_pct": (0.0, 4.9, 5.0, 9.9, 10.0, 14.5, 15.0, 19.9, 20.0, 30.0, 55.5, 100.0),
    "dcs_changes": (0, 1, 2, 3, 7, 50),
    "restructure": (False, True),
    "early_help_spend_change_pct": (-100.0, -50.0, -49.9, -25.0, -10.0, 0.0, 12.0, 1000.0),
    "budget_cut_pct": (-40.0, 0.0, 5.0, 14.9, 15.0, 24.0, 25.0, 60.0, 100.0),
    "avg_caseload": (0.0, 12.0, 16.0, 17.5, 18.0, 19.9, 20.0, 26.0, 1000.0),
    "caseload_target": (0.001, 12.0, 15.0, 16.0, 18.0, 22.0, 1000.0),
    "reinvestment_pct": (0.0, 0.5, 1.0, 2.9, 3.0, 4.0, 5.0, 100.0),
    "vacancy_rate_pct": (0.0, 4.0, 9.9, 10.0, 12.0, 15.0, 19.9, 20.0, 35.0, 100.0),
    "vacancy_rate_vs_neighbours_pp": (-100.0, -5.1, -5.0, -0.1, 0.0, 3.0, 10.0, 24.0, 100.0),
}


def fields_read(rules: Ruleset) -> list[str]:
    """The profile fields a drawn ruleset reads."""
    out = []
    for ind in rules.indicators:
        if ind.measure == "caseload_above_target_pct":
            out += ["avg_caseload", "caseload_target"]
        elif ind.measure == "vacancy_rate_vs_neighbours_pp":
            out += ["vacancy_rate_pct", ind.measure]  # the gap comes with the rate it is of
        else:
            out.append(ind.measure)
    return sorted(set(out))


@st.composite
def profiles(draw: st.DrawFn, rules: Ruleset, missing: float = 0.3) -> dict[str, Any]:
    """A profile for the fields ``rules`` reads, each present or (sometimes) missing."""
    p: dict[str, Any] = {"council": "Drawn", "year": 2020}
    for name in fields_read(rules):
        if draw(st.floats(0, 1)) >= missing:
            p[name] = draw(st.sampled_from(FIELD_VALUES[name]))
    return p


def is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
