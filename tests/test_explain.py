"""Explanations: the drivers, the mitigations, the missing data and the coverage, in order."""

from __future__ import annotations

import copy
import pickle

import pytest
from pydantic import ValidationError

import earlywarning as ew
from earlywarning.explain import describe_level

RULES = ew.load_ruleset()
BASE = {"council": "Testshire", "year": 2016}
DERBYSHIRE = {
    "council": "Derbyshire",
    "year": 2016,
    "previous_rating": "Good",
    "budget_baseline_gbp_m": 131,
    "budget_current_gbp_m": 90,
    "management_reduction_pct": 30,
    "dcs_changes": 2,
    "restructure": True,
    "reinvestment_pct": 2,
}


def label(rule_id: str) -> str:
    for rule in (*RULES.indicators, *RULES.combinations):
        if rule.id == rule_id:
            return rule.label
    raise KeyError(rule_id)


@pytest.fixture(scope="module")
def derbyshire() -> ew.Assessment:
    return ew.score(DERBYSHIRE)


def test_explain_names_main_drivers_by_label(derbyshire):
    text = derbyshire.explain()
    drivers = [c for c in derbyshire.contributions if c.points > 0]
    top = sorted(drivers, key=lambda c: -c.points)[:4]
    assert len(drivers) >= 4
    for c in top:
        assert label(c.indicator) in text, c.indicator
        assert c.reason in text
    assert text.startswith(f"Derbyshire (2016) scores {derbyshire.score:.0f} out of 100")
    assert f"{derbyshire.band} risk" in text


def test_explain_names_mitigations(derbyshire):
    text = derbyshire.explain()
    (mitigation,) = [c for c in derbyshire.contributions if c.points < 0]
    assert mitigation.indicator == "reinvestment"
    assert label("reinvestment") in text
    # the mitigation is stated after the drivers, as an offset
    assert text.index(label("reinvestment")) > text.index(label("budget_cut"))


def test_explain_names_missing_indicators_and_coverage(derbyshire):
    text = derbyshire.explain()
    assert derbyshire.missing
    for rule_id in derbyshire.missing:
        assert label(rule_id) in text, rule_id
    assert f"{derbyshire.coverage:.0%}" in text
    # an indicator that had data is not listed as missing
    missing_part = text[text.index("No data for") :]
    assert label("dcs_turnover") not in missing_part.split(".")[0]


def test_explain_with_full_coverage_says_so():
    p = {**BASE, **{f: 0 for f in ("dcs_changes", "agency_rate_pct")}}
    tiny = RULES.replace(
        indicators=[RULES.indicator("dcs_turnover"), RULES.indicator("agency_rate")],
        combinations=[],
    )
    a = ew.score(p, ruleset=tiny)
    assert a.coverage == 1 and a.missing == []
    assert "coverage 100%" in a.explain()
    assert "No risk indicator reached a scoring level" in a.explain()


def test_explain_names_the_ruleset(derbyshire):
    assert (
        f"{RULES.id} {RULES.version} ({RULES.content_hash})"
        in derbyshire.explain().splitlines()[-1]
    )


def test_explain_red_flag():
    a = ew.score({**BASE, "practice_concerns_raised": "yes"})
    text = a.explain()
    assert a.band != a.band_from_score
    assert f"The points alone give {a.band_from_score}" in text
    assert label("practice_concerns") in text and f"to {a.band}" in text


def test_reasons_ranked_by_points_risks_then_mitigations(derbyshire):
    by_id = {c.indicator: c for c in derbyshire.contributions}
    points = [by_id[r].points for r in derbyshire.reasons]
    risks = [x for x in points if x > 0]
    mitigations = [x for x in points if x < 0]
    assert points == risks + mitigations  # no mitigation before a risk
    assert risks == sorted(risks, reverse=True)
    assert mitigations == sorted(mitigations)  # the biggest credit first
    assert set(derbyshire.reasons) == {c.indicator for c in derbyshire.contributions if c.points}
    # zero-point contributions are kept as contributions but are not reasons
    zero = [c.indicator for c in derbyshire.contributions if c.points == 0]
    assert zero and not set(zero) & set(derbyshire.reasons)


def test_two_mitigations_ranked_biggest_credit_first():
    # two mitigations that can both take effect: management growth here offsets director
    # turnover, a risk no other mitigation claims, so neither credit is capped to nothing
    growth = RULES.indicator("management_growth")
    assert "dcs_turnover" not in RULES.indicator("reinvestment").offsets
    rules = RULES.replace(
        indicators=[
            i.model_copy(update={"offsets": ("dcs_turnover",)}) if i.id == growth.id else i
            for i in RULES.indicators
        ]
    )
    p = {
        **BASE,
        "dcs_changes": 3,
        "budget_cut_pct": 40,
        "management_reduction_pct": -20,
        "reinvestment_pct": 6,
    }
    a = ew.score(p, ruleset=rules)
    by_id = {c.indicator: c for c in a.contributions}
    credits = [r for r in a.reasons if by_id[r].points < 0]
    assert set(credits) == {"management_growth", "reinvestment"}
    assert a.reasons[-2:] == credits  # after every risk
    assert [by_id[r].points for r in credits] == sorted(by_id[r].points for r in credits)
    assert by_id[credits[0]].points < by_id[credits[1]].points  # the bigger credit first
    assert "Offsetting this:" in a.explain()
    offsetting = a.explain().split("Offsetting this:")[1]
    assert offsetting.index(by_id[credits[0]].reason) < offsetting.index(by_id[credits[1]].reason)


def test_ties_keep_ruleset_order():
    # two indicators with the same points rank in the order the ruleset lists them
    a = ew.score({**BASE, "interim_dcs": True, "restructure": True})
    assert {c.points for c in a.contributions if c.points} == {
        RULES.indicator("interim_director").levels[-1].points
    }
    order = [i.id for i in RULES.indicators]
    assert a.reasons == sorted(a.reasons, key=order.index)


def test_explain_lists_at_most_four_drivers_and_counts_the_rest():
    p = {
        **BASE,
        "budget_cut_pct": 40,
        "management_reduction_pct": 40,
        "dcs_changes": 3,
        "restructure": True,
        "agency_rate_pct": 30,
        "vacancy_rate_pct": 25,
    }
    a = ew.score(p)
    drivers = [r for r in a.reasons if next(c for c in a.contributions if c.indicator == r).points]
    assert len(drivers) > 4
    assert f"and {len(drivers) - 4} smaller signals" in a.explain()


def test_describe_level_states_value_threshold_and_points():
    ind = RULES.indicator("agency_rate")
    top = ind.levels[-1]
    text = describe_level(ind, top, 31.0)
    assert text.startswith(f"{ind.label} 31%")
    assert f"{top.from_:g}% or more" in text and text.endswith(f"+{top.points:g}")
    middle = ind.levels[1]
    text = describe_level(ind, middle, middle.from_)
    assert f"{middle.from_:g}% to under {middle.below:g}%" in text
    # a labelled level reads as its label; a mitigation shows a minus sign
    dcs = RULES.indicator("dcs_turnover")
    assert describe_level(dcs, dcs.levels[-1], 3) == (
        f"{dcs.label}: {dcs.levels[-1].label}, +{dcs.levels[-1].points:g}"
    )
    reinvestment = RULES.indicator("reinvestment")
    assert "−" in describe_level(reinvestment, reinvestment.levels[-1], 6)


def test_assessments_built_without_validation_equal_validated_ones():
    # score() builds its models from values it has already typed; they must be the same models
    a = ew.score(
        {
            "council": "Derbyshire",
            "year": 2016,
            "budget_baseline_gbp_m": 131,
            "budget_current_gbp_m": 90,
            "dcs_changes": 3,
            "reinvestment_pct": 6,
        }
    )
    validated = ew.Assessment.model_validate(a.model_dump())
    assert validated == a and a == validated
    assert validated.model_dump_json() == a.model_dump_json()
    assert a.model_fields_set == validated.model_fields_set
    for c, v in zip(a.contributions, validated.contributions, strict=True):
        assert c == v and hash(c) == hash(v)
        assert c.model_fields_set == v.model_fields_set
    with pytest.raises(ValidationError):
        a.contributions[0].points = 1.0  # still frozen
    assert a.model_copy(update={"score": 1.0}).score == 1.0


def _copies(model):
    """Every way pydantic copies a model, the copy given a value of its own in two of them."""
    field = next(iter(type(model).model_fields))
    value = getattr(model, field)
    return [
        model.model_copy(),
        model.model_copy(update={field: value}),
        model.model_copy(update={field: value}, deep=True),
        model.model_copy(deep=True),
        copy.copy(model),
        copy.deepcopy(model),
        pickle.loads(pickle.dumps(model)),
    ]


def test_the_field_sets_built_models_share_are_never_changed():
    # score() gives all its contributions one set of every field name, and all its assessments
    # another: nothing pydantic does to a frozen model may change that set in place
    a = ew.score(DERBYSHIRE, ranges=False)
    shared = {
        ew.Assessment: a.model_fields_set,
        ew.Contribution: a.contributions[0].model_fields_set,
    }
    assert all(c.model_fields_set is shared[ew.Contribution] for c in a.contributions)
    ew.score(DERBYSHIRE)  # the score range is filled in by copying the assessment with updates
    for model in (a, a.contributions[0]):
        for other in _copies(model):
            assert other == model and other.model_fields_set is not shared[type(model)]
        for field in type(model).model_fields:
            with pytest.raises(ValidationError):
                setattr(model, field, None)
            with pytest.raises(ValidationError):
                delattr(model, field)
        assert model.model_dump(exclude_unset=True) == model.model_dump()
    for cls, fields in shared.items():
        assert fields == set(cls.model_fields)
