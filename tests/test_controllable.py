"""The ``controllable`` flag on indicators: declared everywhere in the default rules, checked."""

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
