"""Test-only strategies and helpers, built on the public ones in :mod:`earlywarning.strategies`.

The strategies any user may want (valid and hostile profiles, frames, rule documents) live in the
library; what is here serves the project's own tests: the fields a measure comes from, a profile
at the worst of every rule, and profiles that are valid but for one value with the field to blame.
"""

from __future__ import annotations

from typing import Any

from helpers import TEST_BANDS, run_docs_script  # noqa: F401  (kept importable from here)
from hypothesis import strategies as st

import earlywarning.strategies as public
from earlywarning.profile import DERIVED, FIELDS, RATINGS, FieldSpec
from earlywarning.profile.derived import BUDGET_CUT, CASELOAD_ABOVE_TARGET
from earlywarning.rules import Ruleset
from earlywarning.strategies import (  # noqa: F401  (the tests import them from here too)
    RATING_SPELLINGS,
    bad_values,
    hostile_values,
    in_range,
    numbers,
    profiles,
)
from earlywarning.strategies import edges as thresholds

SPEC: dict[str, FieldSpec] = {f.name: f for f in FIELDS}

# Measures the engine derives from other fields, and the fields each comes from (the budget cut
# may be given too). Every other measure is a field of the same name: the peer and trend
# measures among them, which the bundled data derive from figures no profile holds.
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    **{d.name: (*d.inputs, d.name) if d.given else d.inputs for d in DERIVED if d.held},
    "previous_rating_grade": ("previous_rating",),
}
BUDGET_FIELDS = DERIVED_FROM[BUDGET_CUT.name]


def input_fields(measure: str) -> tuple[str, ...]:
    """The profile fields a measure is computed from."""
    return DERIVED_FROM.get(measure, (measure,))


def measure_value(ruleset: Ruleset, measure: str) -> st.SearchStrategy[float]:
    """Values of a measure, weighted towards the ruleset's edges for it."""
    if measure == "budget_cut_pct":
        return numbers(SPEC["budget_cut_pct"], thresholds(ruleset, measure))
    if measure == "caseload_above_target_pct":
        return numbers(FieldSpec("x", "number", "", -100, 1000), thresholds(ruleset, measure))
    if measure == "previous_rating_grade":
        return st.integers(1, len(RATINGS)).map(float)
    if SPEC[measure].kind == "flag":
        return st.sampled_from([0.0, 1.0])
    return numbers(SPEC[measure], thresholds(ruleset, measure))


def fields_for(measure: str, value: float) -> dict[str, Any]:
    """Profile fields that give ``measure`` the value ``value`` (for a derived measure, the
    fields it is derived from)."""
    if measure == "caseload_above_target_pct":
        return {"avg_caseload": 100.0 + value, "caseload_target": 100.0}
    if measure == "previous_rating_grade":
        return {"previous_rating": RATINGS[int(value) - 1]}
    spec = SPEC[measure]
    if spec.kind == "flag":
        return {measure: bool(value)}
    if spec.kind == "integer":
        return {measure: int(value)}
    return {measure: float(value)}


# Budgets of any council in England, in £m, as the public profiles draw them.
CURRENT = FieldSpec("budget_current_gbp_m", "number", "", 0, 10_000)


def worst_profile(ruleset: Ruleset) -> dict[str, Any]:
    """Profile fields with every risk measure at its worst level and every combination firing.

    Read from the rules: a higher-is-worse measure takes the highest edge or threshold any rule
    gives it, a higher-is-better one a value under the lowest. Mitigation measures are left out
    unless a risk uses them too.
    """
    worse: dict[str, str] = {i.measure: i.direction for i in ruleset.indicators if i.kind == "risk"}
    values: dict[str, float] = {}
    for measure, direction in worse.items():
        edges = thresholds(ruleset, measure)
        if direction == "higher_is_worse":
            values[measure] = max(edges)
        else:
            values[measure] = min(edges) - 1
    out: dict[str, Any] = {}
    for measure, value in values.items():
        if measure == "caseload_above_target_pct":
            continue  # set below from the caseload, which another rule may need high
        out.update(fields_for(measure, value))
    if "caseload_above_target_pct" in values:
        avg = out.get("avg_caseload", 100.0)
        out["caseload_target"] = CASELOAD_ABOVE_TARGET.held_from(
            values["caseload_above_target_pct"], avg
        )
    return out


def offset_points(a: Any, mitigation: Any) -> float:
    """What the risks a mitigation offsets scored in the assessment ``a``."""
    return sum(c.points for c in a.contributions if c.indicator in mitigation.offsets)


def field_value(ruleset: Ruleset, name: str) -> st.SearchStrategy[Any]:
    """Accepted values of one field, as the public :func:`~earlywarning.strategies.field_values`."""
    return public.field_values(name, ruleset)


def number_texts(spec: FieldSpec) -> st.SearchStrategy[str]:
    """Accepted numbers of a field written as text, as the public strategy of that name draws."""
    return public.number_texts(spec.name)


def hostile_profiles(ruleset: Ruleset) -> st.SearchStrategy[dict[str, Any]]:
    """A valid profile with one field replaced by anything at all, and no odd keys."""
    return public.hostile_profiles(ruleset, keys=False, max_fields=1)


@st.composite
def bad_profiles(draw: st.DrawFn, ruleset: Ruleset) -> tuple[dict[str, Any], str]:
    """A profile that is valid but for one value, and the name of the field to blame.

    Besides a bad value in one field, the cross-field errors: a budget cut that contradicts the
    two budgets given, and a zero baseline with a current budget.
    """
    p = draw(profiles(ruleset))
    kind = draw(st.sampled_from(["value", "value", "value", "conflict", "zero_baseline"]))
    if kind == "value":
        name = draw(st.sampled_from([f.name for f in FIELDS]))
        p[name] = draw(bad_values(name))
        return p, name
    for f in BUDGET_FIELDS:
        p.pop(f, None)
    current = draw(numbers(CURRENT))
    if kind == "zero_baseline":
        zero = draw(st.sampled_from([0, 0.0, "0"]))
        p.update({"budget_baseline_gbp_m": zero, "budget_current_gbp_m": current})
        return p, "budget_baseline_gbp_m"
    baseline = draw(numbers(FieldSpec("b", "number", "", 1, 10_000)))
    derived = BUDGET_CUT.forward(current, baseline)
    gap = draw(st.floats(0.6, 50))
    cut = derived + gap if derived + gap <= 100 else derived - gap
    p.update(
        {"budget_baseline_gbp_m": baseline, "budget_current_gbp_m": current, "budget_cut_pct": cut}
    )
    return p, "budget_cut_pct"
