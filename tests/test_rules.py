"""The rule files: the default ruleset, load-time checks, safety and round trips."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
import yaml

import earlywarning as ew
from earlywarning.cli import main
from earlywarning.profile import MEASURES
from earlywarning.rules import BAND_NAMES

RULES = Path(__file__).resolve().parents[1] / "rules"


@pytest.fixture(scope="module")
def rules() -> ew.Ruleset:
    return ew.load_ruleset()


def test_default_ruleset_loads(rules):
    assert rules.id and rules.version
    assert tuple(b.name for b in rules.bands) == BAND_NAMES
    assert rules.indicators and rules.combinations
    assert re.fullmatch(r"[0-9a-f]{12}", rules.content_hash)
    # the bundled default is the rules/ directory of the checkout (or its copy in the wheel)
    assert ew.load_ruleset(RULES) == rules


def test_the_default_ruleset_is_read_once_and_shared(rules):
    from earlywarning.rules import default_ruleset

    # every module may call load_ruleset() freely: the bundled files are read once per process
    assert ew.load_ruleset() is rules
    assert default_ruleset() is rules
    # a path is read afresh, into an equal but separate object
    again = ew.load_ruleset(RULES)
    assert again == rules and again is not rules


def test_rule_modules_import_no_private_names():
    import ast

    src = Path(ew.__file__).parent
    for name in (
        "rules/__init__",
        "rules/_models",
        "rules/_loader",
        "rules/_sources",
        "_yaml",
        "_names",
        "cases/__init__",
        "cases/_checks",
    ):
        tree = ast.parse((src / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("earlywarning"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{name}.py imports {private} from {node.module}"


def test_every_rule_has_rationale_and_evidence(rules):
    for rule in (*rules.indicators, *rules.combinations):
        assert rule.rationale.strip(), rule.id
        assert rule.evidence and all(e.strip() for e in rule.evidence), rule.id
        assert rule.label.strip(), rule.id


def test_every_measure_exists_and_ids_are_unique(rules):
    ids = [r.id for r in (*rules.indicators, *rules.combinations)]
    assert len(ids) == len(set(ids))
    for ind in rules.indicators:
        assert ind.measure in MEASURES
    for combo in rules.combinations:
        assert all(c.measure in MEASURES for c in combo.conditions)


def test_levels_tile_the_number_line(rules):
    for ind in rules.indicators:
        levels = ind.levels
        assert levels[0].from_ is None and levels[-1].below is None, ind.id
        for lo, hi in itertools.pairwise(levels):
            assert lo.below == hi.from_, ind.id


# ---------------------------------------------------------------------------------------------
# A broken rules directory: every problem at once, each with file, location and line


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (which must occur once) and return the 1-based line it starts on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path.name, old)
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def _line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if fragment in line]
    assert len(hits) == 1, (path.name, fragment, hits)
    return hits[0]


@pytest.fixture
def broken(tmp_path: Path) -> tuple[Path, dict[str, tuple[str, int, str]]]:
    """A copy of the default rules with seven problems in seven files.

    Returns the directory and, for each problem, (file name, line of the broken entry, a
    fragment of the message expected).
    """
    d = tmp_path / "rules"
    d.mkdir()
    for f in RULES.glob("*.yaml"):
        shutil.copy(f, d / f.name)
    expected: dict[str, tuple[str, int, str]] = {}

    # a gap between two levels
    _edit(d / "budget.yaml", "{from: 15, below: 25, points: 6", "{from: 16, below: 25, points: 6")
    expected["gap"] = ("budget.yaml", _line_of(d / "budget.yaml", "{from: 16, below: 25"), "gap")
    # an overlap
    _edit(
        d / "workforce.yaml", "{from: 16, below: 18, points: 3", "{from: 15, below: 18, points: 3"
    )
    expected["overlap"] = (
        "workforce.yaml",
        _line_of(d / "workforce.yaml", "{from: 15, below: 18"),
        "overlap",
    )
    # points against the declared direction
    _edit(d / "demand.yaml", "{from: 100, points: 5,", "{from: 100, points: 1,")
    expected["direction"] = (
        "demand.yaml",
        _line_of(d / "demand.yaml", "{from: 100, points: 1,"),
        "against the declared direction",
    )
    # an unknown measure with a close name
    _edit(d / "leadership.yaml", "measure: dcs_changes\n", "measure: dcs_change\n")
    expected["measure"] = (
        "leadership.yaml",
        _line_of(d / "leadership.yaml", "measure: dcs_change"),
        "did you mean 'dcs_changes'",
    )
    # a missing rationale: the problem is the indicator that lacks it
    text = (d / "history.yaml").read_text(encoding="utf-8")
    start = text.index("    rationale: >-")
    end = text.index("    evidence:")
    (d / "history.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    expected["rationale"] = (
        "history.yaml",
        _line_of(d / "history.yaml", "- id: previous_rating"),
        "rationale",
    )
    # invalid YAML in another file
    line = _edit(d / "mitigations.yaml", "    kind: mitigation\n", "    kind: mitigation: oops\n")
    expected["yaml"] = ("mitigations.yaml", line, "not valid YAML")
    # bands with a gap: 'high' starts two points after 'moderate' ends
    high = ew.load_ruleset(RULES).bands[2]
    assert high.name == "high"
    old_band = f"name: high\n    from: {high.from_:g}\n"
    line = _edit(d / "ruleset.yaml", old_band, f"name: high\n    from: {high.from_ + 2:g}\n")
    expected["bands"] = ("ruleset.yaml", line + 1, "'high'")
    return d, expected


def test_broken_directory_reports_every_problem_at_once(broken):
    d, expected = broken
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(d)
    problems = info.value.problems
    for what, (name, line, fragment) in expected.items():
        hits = [p for p in problems if Path(p.file).name == name and fragment in str(p)]
        assert len(hits) == 1, f"{what}: no single problem in {name} with {fragment!r}: {problems}"
        assert hits[0].line == line, f"{what}: line {hits[0].line}, expected {line}"
        assert str(hits[0]).startswith(f"{Path(d, name)}:{line} at ")
        # every problem also appears in the error's message
        assert f"{name}:{line} at" in str(info.value)
    assert len({Path(p.file).name for p in problems}) == len(expected)


def test_broken_directory_locations(broken):
    d, _ = broken
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(d)
    where = {(Path(p.file).name, p.location) for p in info.value.problems}
    # the location is the YAML path within the file that holds the broken entry
    assert ("budget.yaml", "indicators[0].levels[2]") in where
    assert ("workforce.yaml", "indicators[0].levels[1]") in where
    assert ("demand.yaml", "indicators[1].levels[3].points") in where
    assert ("leadership.yaml", "indicators[2].measure") in where
    assert ("history.yaml", "indicators[0].rationale") in where
    assert ("ruleset.yaml", "bands[2].from") in where


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("{from: 20, below: 30, points: 7", "{from: 20, below: 30, pionts: 7", "pionts"),
        ("direction: higher_is_worse", "direction: higher_is_wrose", "higher_is_wrose"),
        ("- {below: 10, points: 0}", "- {below: 10, points: ten}", "points"),
    ],
)
def test_a_malformed_rule_does_not_hide_problems_in_other_files(tmp_path, old, new, fragment):
    d = tmp_path / "rules"
    shutil.copytree(RULES, d, ignore=shutil.ignore_patterns("cases"))
    text = (d / "leadership.yaml").read_text(encoding="utf-8")
    (d / "leadership.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    _edit(d / "budget.yaml", "{from: 15, below: 25, points: 6", "{from: 16, below: 25, points: 6")
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(d)
    files = {Path(p.file).name: p for p in info.value.problems}
    assert set(files) == {"leadership.yaml", "budget.yaml"}, info.value.problems
    assert fragment in str(files["leadership.yaml"])
    assert "gap" in files["budget.yaml"].message


def test_unknown_key_in_a_family_file(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(RULES, d, ignore=shutil.ignore_patterns("cases"))
    with (d / "demand.yaml").open("a", encoding="utf-8") as f:
        f.write("bands: []\n")
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(d)
    (problem,) = info.value.problems
    assert Path(problem.file).name == "demand.yaml" and "unknown key 'bands'" in problem.message
    assert problem.line == _line_of(d / "demand.yaml", "bands: []")


def test_missing_path():
    with pytest.raises(ew.RuleFileError, match="no such file"):
        ew.load_ruleset("/nonexistent/rules")


# ---------------------------------------------------------------------------------------------
# Safety: text is never evaluated


def test_loading_never_evaluates_text(tmp_path):
    marker = tmp_path / "pwned"
    ruleset = ew.load_ruleset()
    evil = f'!!python/object/apply:os.system ["touch {marker}"]'
    for where in ("top", "rationale"):
        text = ruleset.to_yaml()
        if where == "top":
            text = f"exploit: {evil}\n" + text
        else:
            text = text.replace("  unit: '%'\n", f"  unit: {evil}\n", 1)
        f = tmp_path / f"{where}.yaml"
        f.write_text(text, encoding="utf-8")
        with pytest.raises(ew.RuleFileError) as info:
            ew.load_ruleset(f)
        assert not marker.exists()
        (problem,) = info.value.problems
        assert Path(problem.file) == f and "not valid YAML" in problem.message
        assert problem.line == _line_of(f, "python/object/apply")


def test_loading_a_directory_never_evaluates_text(tmp_path):
    marker = tmp_path / "pwned"
    d = tmp_path / "rules"
    shutil.copytree(RULES, d, ignore=shutil.ignore_patterns("cases"))
    (d / "zz-evil.yaml").write_text(
        f'description: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8"
    )
    with pytest.raises(ew.RuleFileError):
        ew.load_ruleset(d)
    assert not marker.exists()


# ---------------------------------------------------------------------------------------------
# Round trips


def test_to_yaml_round_trip(tmp_path, rules):
    f = tmp_path / "one.yaml"
    f.write_text(rules.to_yaml(), encoding="utf-8")
    again = ew.load_ruleset(f)
    assert again == rules
    assert again.content_hash == rules.content_hash
    assert yaml.safe_load(rules.to_yaml()) == rules.to_data()


def test_content_hash_changes_with_content(rules):
    changed = rules.replace(version=rules.version + ".1")
    assert changed.content_hash != rules.content_hash
    assert rules.replace(version=rules.version).content_hash == rules.content_hash


def test_single_file_load(tmp_path, rules):
    # one file holding a whole ruleset, written by hand rather than by to_yaml
    data = {
        "id": "tiny",
        "version": "0.1",
        "bands": [b.model_dump(by_alias=True, exclude_none=True) for b in rules.bands],
        "indicators": [rules.indicator("agency_rate").model_dump(by_alias=True, exclude_none=True)],
    }
    f = tmp_path / "tiny.yaml"
    f.write_text(yaml.safe_dump(data), encoding="utf-8")
    tiny = ew.load_ruleset(f)
    assert tiny.id == "tiny" and [i.id for i in tiny.indicators] == ["agency_rate"]
    a = ew.score({"council": "A", "year": 2020, "agency_rate_pct": 30}, ruleset=tiny)
    assert a.coverage == 1.0
    assert a.score == rules.indicator("agency_rate").levels[-1].points
    assert a.ruleset_id == "tiny"


def test_single_file_with_problems_names_that_file(tmp_path, rules):
    text = rules.to_yaml().replace("measure: vacancy_rate_pct", "measure: vacancy_pct", 1)
    f = tmp_path / "one.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(f)
    problems = info.value.problems
    assert all(Path(p.file) == f for p in problems)
    (typo,) = [p for p in problems if "did you mean" in p.message]
    assert typo.line == _line_of(f, "measure: vacancy_pct")
    assert "unknown measure 'vacancy_pct'; did you mean 'vacancy_rate_pct'" in typo.message


# ---------------------------------------------------------------------------------------------
# The command line


def test_rules_check_cli_reports_every_problem(broken, capsys):
    d, expected = broken
    assert main(["rules", "check", str(d)]) == 1
    err = capsys.readouterr().err
    for name, line, fragment in expected.values():
        assert f"{name}:{line} at" in err
        assert fragment in err
    assert f"{len(expected)} problems" in err or "problems in the rule files" in err


def test_rules_check_cli_ok(capsys):
    assert main(["rules", "check", str(RULES)]) == 0
    out = capsys.readouterr().out
    rules = ew.load_ruleset()
    assert out.startswith(f"ok: {rules.id} {rules.version} ({rules.content_hash})")


@pytest.mark.parametrize("brk", ["\x85", "\u2028", "\u2029", "\r"])
def test_to_yaml_keeps_unusual_line_breaks(tmp_path, brk):
    """Regression (found by the fuzz suite): YAML folded a NEL in a rationale into a space."""
    rules = ew.load_ruleset().replace(description=f"one{brk}two")
    path = tmp_path / "rules.yaml"
    path.write_text(rules.to_yaml(), encoding="utf-8", newline="")
    assert ew.load_ruleset(path).description == f"one{brk}two"
