"""The rules the decision calls rely on: ``controllable`` declared everywhere in the default
rules, and one direction per measure, both checked when the rules load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import earlywarning as ew
from earlywarning.rules import default_rules_dir

ONE_RULE = """
id: tiny
version: "1"
bands:
  - {name: low, from: 0, below: 10}
  - {name: moderate, from: 10, below: 20}
  - {name: high, from: 20, below: 30}
  - {name: severe, from: 30}
indicators:
  - id: agency
    measure: agency_rate_pct
    label: Agency staff
    direction: higher_is_worse
    CONTROLLABLE
    levels:
      - {below: 10, points: 0}
      - {from: 10, points: 5}
    rationale: Agency staff come and go.
    evidence: [a source]
"""


def test_every_default_indicator_declares_it():
    # read the files themselves: a default of False must not stand in for a decision
    undeclared = []
    for path in sorted(default_rules_dir().glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for ind in doc.get("indicators") or []:
            if not isinstance(ind.get("controllable"), bool):
                undeclared.append(f"{path.name}: {ind['id']}")
    assert undeclared == []


def test_default_decisions():
    rules = ew.load_ruleset()
    decided = {ind.id: ind.controllable for ind in rules.indicators}
    for rid in ("caseload", "agency_rate", "vacancy_rate", "management_reduction", "reinvestment"):
        assert decided[rid] is True, rid
    for rid in ("looked_after_rate", "demand_change", "previous_rating", "practice_concerns"):
        assert decided[rid] is False, rid


def test_user_ruleset_defaults_to_not_controllable(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    path.write_text(ONE_RULE.replace("CONTROLLABLE", ""), encoding="utf-8")
    assert ew.load_ruleset(path).indicator("agency").controllable is False
    path.write_text(ONE_RULE.replace("CONTROLLABLE", "controllable: true"), encoding="utf-8")
    assert ew.load_ruleset(path).indicator("agency").controllable is True


@pytest.mark.parametrize("value", ['"maybe"', "1", '"true"'])
def test_anything_but_a_yaml_boolean_is_refused(tmp_path: Path, value: str):
    path = tmp_path / "rules.yaml"
    path.write_text(ONE_RULE.replace("CONTROLLABLE", f"controllable: {value}"), encoding="utf-8")
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert "controllable" in problem.location
    assert problem.line == 14  # the line of `controllable` (the text starts with a newline)


SECOND = """
  - id: agency_credit
    measure: MEASURE
    label: Agency credit
    kind: mitigation
    direction: higher_is_better
    offsets: [agency]
    levels:
      - {below: 5, points: 0}
      - {from: 5, points: -2}
    rationale: A test mitigation.
    evidence: [a source]
"""


@pytest.mark.parametrize(
    ("measure", "words"),
    [
        ("agency_rate_pct", "agency_rate_pct is read higher_is_worse by agency"),
        ("vacancy_rate_pct", None),
    ],
)
def test_one_direction_per_measure(tmp_path: Path, measure: str, words: str | None):
    path = tmp_path / "rules.yaml"
    text = ONE_RULE.replace("CONTROLLABLE", "") + SECOND.replace("MEASURE", measure)
    path.write_text(text, encoding="utf-8")
    if words is None:
        assert len(ew.load_ruleset(path).indicators) == 2
        return
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(path)
    (problem,) = info.value.problems
    assert problem.location == "indicators[1].direction" and words in problem.message


def test_caseload_against_target_reads_the_caseload_way(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    text = ONE_RULE.replace("CONTROLLABLE", "").replace("agency_rate_pct", "avg_caseload")
    text += SECOND.replace("MEASURE", "caseload_above_target_pct")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(path)
    assert "caseload_above_target_pct rises with avg_caseload" in info.value.problems[0].message
