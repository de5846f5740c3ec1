"""The documented cases as local facts: examples/local/ holds each seed council's facts, and
each case snapshot is what they give on its day, or the case file says why not."""

from __future__ import annotations

from pathlib import Path

import pytest

import earlywarning as ew
from earlywarning.cases import Case
from earlywarning.local import read_local_facts

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "local"

# the profile fields local facts give (every section's, and the judgements given directly)
LOCAL_FIELDS = (
    "budget_baseline_gbp_m",
    "budget_current_gbp_m",
    "budget_cut_pct",
    "management_reduction_pct",
    "dcs_changes",
    "interim_dcs",
    "restructure",
    "practice_concerns_raised",
    "reinvestment_pct",
)


@pytest.mark.parametrize("case", ew.load_cases(), ids=lambda c: c.id)
def test_each_case_snapshot_is_its_councils_local_facts_or_says_why_not(case: Case) -> None:
    path = EXAMPLES / f"{case.council.lower()}.yaml"
    found = read_local_facts(path).at(case.council, case.snapshot)
    # the leadership and budget fields, and the readings of the reports the facts give directly
    wanted = set(LOCAL_FIELDS) | set(found)
    encoded = {f: v for f, v in case.profile.items() if f in wanted and v is not None}
    for field in sorted(set(found) | set(encoded)):
        if found.get(field) == encoded.get(field):
            continue
        # every difference is explained in the case file, which names the local facts file
        evidence = case.evidence[field]
        said = f"{evidence.fact} {evidence.reasoning or ''}"
        assert f"examples/local/{path.name}" in said, f"{case.id}: {field} differs, unexplained"


def test_the_flagship_budget_is_read_over_the_six_years_the_case_measures() -> None:
    derbyshire = read_local_facts(EXAMPLES / "derbyshire.yaml")
    found = derbyshire.at("Derbyshire", "2016-06-30", lookback_years=6)
    assert found["budget_baseline_gbp_m"] == 131 and found["budget_current_gbp_m"] == 90
    assert "budget_current_gbp_m" not in derbyshire.at("Derbyshire", "2016-06-30")


def test_every_local_fact_of_the_cases_names_its_report() -> None:
    seeds = {
        "000_635313c415903b00.txt",
        "002_13146dd1edbc318b.txt",
        "003_39d1108da7034d9c.txt",
        "004_cbddaa88cd8a755d.txt",
    }
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for council in read_local_facts(path).councils:
            sections = (
                council.directors,
                council.budgets,
                council.restructures,
                council.practice_concerns,
                council.fields,
            )
            for fact in (f for section in sections for f in section):
                assert fact.provenance.source in seeds, f"{path.name}:{fact.provenance.line}"
                assert fact.provenance.note and '"' in fact.provenance.note, (
                    f"{path.name}:{fact.provenance.line} quotes no sentence"
                )
