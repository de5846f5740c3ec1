"""Rule files as hostile input: each refusal names the file and the line, and all come at once.

One regression test per case found by a red-team pass over the loader (issue 9, item 6).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import earlywarning as ew
from earlywarning._names import EXCERPT_LENGTH
from earlywarning._yaml import MAX_NESTING
from earlywarning.rules import POINTS_LIMIT

RULES = Path(__file__).resolve().parents[1] / "rules"

TINY = """\
id: tiny
version: "1"
bands:
  - {name: low, from: 0, below: 12}
  - {name: moderate, from: 12, below: 27}
  - {name: high, from: 27, below: 50}
  - {name: severe, from: 50}
indicators:
  - id: agency
    measure: agency_rate_pct
    label: Agency staff
    direction: higher_is_worse
    levels:
      - {below: 15, points: 0}
      - {from: 15, below: 25, points: 4, points_range: [2, 6]}
      - {from: 25, points: 8}
    rationale: Agency staff come and go.
    evidence: [DfE census]
combinations:
  - id: strain
    label: Agency staff and heavy caseloads
    points: 3
    all: [{measure: agency_rate_pct, from: 20}]
    rationale: The two together are worse than either.
    evidence: [a case]
"""


def _problems(tmp_path: Path, text: str) -> tuple[Path, list[ew.RuleProblem]]:
    f = tmp_path / "rules.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(f)
    # the message carries every problem, each as file:line
    for p in info.value.problems:
        assert f"{p.file}:{p.line} at" in str(info.value)
    return f, info.value.problems


def _edit(old: str, new: str, text: str = TINY) -> tuple[str, int]:
    """``text`` with ``old`` (which occurs once) replaced, and the line the change starts on."""
    assert text.count(old) == 1, old
    return text.replace(old, new), text[: text.index(old)].count("\n") + 1


def _one(problems: list[ew.RuleProblem], fragment: str) -> ew.RuleProblem:
    hits = [p for p in problems if fragment in p.message]
    assert len(hits) == 1, (fragment, problems)
    return hits[0]


def test_the_tiny_ruleset_is_valid(tmp_path):
    f = tmp_path / "rules.yaml"
    f.write_text(TINY, encoding="utf-8")
    assert [i.id for i in ew.load_ruleset(f).indicators] == ["agency"]


# ---------------------------------------------------------------------------------------------
# The YAML itself


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path):
    # each line multiplies the one before by nine: 9**9 strings if the aliases were followed
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, 10):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]")
    f, problems = _problems(tmp_path, TINY + "\n".join(lines) + "\n")
    first_line = TINY.count("\n") + 1
    assert all(p.file == str(f) for p in problems)
    assert problems[0].line == first_line and "anchor &a0 refused" in problems[0].message
    assert "may not use anchors or aliases" in problems[0].message
    assert problems[2].line == first_line + 1 and "alias *a0 refused" in problems[2].message
    assert "more anchors or aliases" in problems[-1].message
    # never the expanded value, and only a short list
    assert "lol" not in str(ew.RuleFileError(problems))
    assert len(str(ew.RuleFileError(problems))) < 2000


def test_a_single_alias_is_refused_with_its_path(tmp_path):
    text, line = _edit("    evidence: [a case]\n", "    evidence: *cited\n")
    text = text.replace("    evidence: [DfE census]", "    evidence: &cited [DfE census]")
    f, problems = _problems(tmp_path, text)
    alias = _one(problems, "alias *cited refused")
    assert (alias.file, alias.line, alias.location) == (str(f), line, "combinations[0].evidence")
    assert _one(problems, "anchor &cited refused").location == "indicators[0].evidence"


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path):
    text = TINY + "deep: " + "[" * 5000 + "]" * 5000 + "\n"
    f, problems = _problems(tmp_path, text)
    (p,) = problems
    assert p.file == str(f) and p.line == TINY.count("\n") + 1
    assert f"nested more than {MAX_NESTING} levels deep" in p.message


def test_an_impossible_date_is_a_problem_with_its_line_not_a_crash(tmp_path):
    # 2016-02-30 has the shape of a YAML timestamp, so the safe constructor raises ValueError
    text, line = _edit('version: "1"\n', "version: 2016-02-30\n")
    _, problems = _problems(tmp_path, text + "when: 2016-13-01\n")
    assert [(p.line, p.location) for p in problems] == [
        (line, "version"),
        (TINY.count("\n") + 1, "when"),
    ]
    assert (
        "'2016-02-30' cannot be read as written: day is out of range for month"
        in problems[0].message
    )


def test_a_second_indicators_key_is_refused_not_silently_replacing_the_first(tmp_path):
    second = "indicators:\n  - {id: other}\n"
    f, problems = _problems(tmp_path, TINY + second)
    p = _one(problems, "written twice")
    assert p.file == str(f) and p.line == TINY.count("\n") + 1 and p.location == "indicators"
    assert "first on line 8" in p.message


def test_a_key_written_twice_in_a_level_is_refused_and_the_rest_still_checked(tmp_path):
    text, line = _edit("{from: 25, points: 8}", "{from: 25, points: 8, points: 9}")
    text, gap_line = _edit("{from: 15, below: 25,", "{from: 16, below: 25,", text)
    f, problems = _problems(tmp_path, text)
    twice = _one(problems, "'points' is written twice")
    assert (twice.file, twice.line) == (str(f), line)
    assert twice.location == "indicators[0].levels[2].points"
    assert _one(problems, "gap").line == gap_line  # all at once: the file is still checked


# ---------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("{from: 15, below: 25,", "{from: .nan, below: 25,"),
        ("{from: 15, below: 25,", "{from: 15, below: .inf,"),
        ("{from: 25, points: 8}", "{from: 25, points: .nan}"),
        ("{from: 25, points: 8}", "{from: 25, points: -.inf}"),
        ("points_range: [2, 6]", "points_range: [2, .inf]"),
        ("    points: 3\n", "    points: .nan\n"),
        ("{measure: agency_rate_pct, from: 20}", "{measure: agency_rate_pct, from: .nan}"),
        ("{name: high, from: 27, below: 50}", "{name: high, from: 27, below: .nan}"),
    ],
)
def test_non_finite_numbers_are_refused(tmp_path, old, new):
    text, line = _edit(old, new)
    f, problems = _problems(tmp_path, text)
    p = _one(problems, "finite number")
    assert (p.file, p.line) == (str(f), line)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("{from: 25, points: 8}", "{from: 25, points: yes}"),
        ("{from: 15, below: 25,", "{from: true, below: 25,"),
        ("points_range: [2, 6]", "points_range: [no, 6]"),
        ("    points: 3\n", "    points: on\n"),
    ],
)
def test_booleans_where_numbers_belong_are_refused(tmp_path, old, new):
    text, line = _edit(old, new)
    f, problems = _problems(tmp_path, text)
    p = _one(problems, "not yes/no")
    assert (p.file, p.line) == (str(f), line)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("{from: 25, points: 8}", "{from: 25, points: 400}"),
        ("{from: 25, points: 8}", "{from: 25, points: 101}"),
        ("points_range: [2, 6]", "points_range: [2, 1000]"),
        ("    points: 3\n", "    points: 328\n"),
    ],
)
def test_points_beyond_the_declared_bound_are_refused(tmp_path, old, new):
    text, line = _edit(old, new)
    f, problems = _problems(tmp_path, text)
    p = _one(problems, f"between {-POINTS_LIMIT:g} and {POINTS_LIMIT:g}")
    assert (p.file, p.line) == (str(f), line)


def test_points_at_the_bound_load(tmp_path):
    text, _ = _edit("{from: 25, points: 8}", f"{{from: 25, points: {POINTS_LIMIT:g}}}")
    f = tmp_path / "rules.yaml"
    f.write_text(text, encoding="utf-8")
    assert ew.load_ruleset(f).indicators[0].weight == POINTS_LIMIT


# ---------------------------------------------------------------------------------------------
# Structure


def test_a_ruleset_with_no_indicators_is_refused(tmp_path):
    start = TINY.index("indicators:")
    end = TINY.index("combinations:")
    text = TINY[:start] + "indicators: []\n" + TINY[end:]
    f, problems = _problems(tmp_path, text)
    p = _one(problems, "at least one risk indicator")
    assert (p.file, p.line, p.location) == (str(f), 8, "indicators")


def test_a_directory_with_no_family_files_is_refused(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    shutil.copy(RULES / "ruleset.yaml", d / "ruleset.yaml")
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(d)
    p = _one(info.value.problems, "at least one risk indicator")
    assert p.file == str(d / "ruleset.yaml") and p.line is not None


@pytest.mark.parametrize(
    ("old", "new", "key", "meant"),
    [
        ("version:", "verison:", "verison", "version"),
        ("    rationale: Agency", "    rationle: Agency", "rationle", "rationale"),
        ("{from: 25, points: 8}", "{from: 25, pionts: 8}", "pionts", "points"),
        ("{name: severe, from: 50}", "{name: severe, form: 50}", "form", "from"),
        ("agency_rate_pct, from: 20}", "agency_rate_pct, frm: 20}", "frm", "from"),
        ("    label: Agency staff and", "    lable: Agency staff and", "lable", "label"),
        ("    direction:", "    directoin:", "directoin", "direction"),
    ],
)
def test_unknown_keys_anywhere_are_refused_with_a_suggestion(tmp_path, old, new, key, meant):
    text, line = _edit(old, new)
    f, problems = _problems(tmp_path, text)
    p = _one(problems, f"unknown key {key!r}")
    assert (p.file, p.line) == (str(f), line)
    assert f"did you mean {meant!r}?" in p.message


def test_an_unknown_key_in_a_family_file_gets_a_suggestion(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(RULES, d, ignore=shutil.ignore_patterns("cases"))
    text = (d / "demand.yaml").read_text(encoding="utf-8")
    (d / "demand.yaml").write_text(text + "combination: []\n", encoding="utf-8")
    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(d)
    (p,) = info.value.problems
    assert p.file == str(d / "demand.yaml") and p.line == text.count("\n") + 1
    assert "unknown key 'combination'; did you mean 'combinations'?" in p.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("measure: agency_rate_pct\n", "measure: LONG\n"),
        ("{from: 25, points: 8}", "{from: 25, points: LONG}"),
        ("    points: 3\n", "    points: LONG\n"),
        ("    points: 3\n", "    points: 3\n    LONG: 1\n"),
        ("version:", "LONG:"),
        ("direction: higher_is_worse", "direction: LONG"),
    ],
)
def test_a_refused_value_is_quoted_as_a_short_excerpt(tmp_path, old, new):
    long = "x" * 100_000
    text, line = _edit(old, new.replace("LONG", long))
    line += new.split("LONG")[0].count("\n")
    f, problems = _problems(tmp_path, text)
    hits = [p for p in problems if p.line == line]
    assert hits, problems
    for p in problems:
        assert long[: EXCERPT_LENGTH + 1] not in p.message
        assert len(p.message) < 400, p.message
    assert all(p.file == str(f) for p in hits)


# ---------------------------------------------------------------------------------------------
# All at once, and read once


def test_every_hostile_problem_in_every_file_is_reported_at_once(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(RULES, d, ignore=shutil.ignore_patterns("cases"))
    # an alias in one family file (that file is not read further) ...
    text = (d / "demand.yaml").read_text(encoding="utf-8")
    (d / "demand.yaml").write_text(text + "family: &f demand\ndescription: *f\n", "utf-8")
    # ... and in another, a NaN edge, a boolean, points out of bounds and an unknown key
    lines: dict[str, int] = {}
    path = d / "workforce.yaml"
    text = path.read_text(encoding="utf-8")
    for what, old, new in [
        ("key", "  - id: caseload\n", "  - id: caseload\n    lable: Caseload\n"),
        ("nan", "{from: 16, below: 18, points: 3", "{from: .nan, below: 18, points: 3"),
        ("bool", "{from: 18, below: 20, points: 6", "{from: 18, below: 20, points: yes"),
        ("bound", "{from: 20, points: 8", "{from: 20, points: 800"),
    ]:
        text, lines[what] = _edit(old, new, text)
    lines["key"] += 1
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ew.RuleFileError) as info:
        ew.load_ruleset(d)
    problems = info.value.problems
    demand = [p for p in problems if p.file == str(d / "demand.yaml")]
    assert [p.message.split(" refused")[0] for p in demand] == ["YAML anchor &f", "YAML alias *f"]
    workforce = {p.line: p.message for p in problems if p.file == str(path)}
    assert "finite number" in workforce[lines["nan"]]
    assert "not yes/no" in workforce[lines["bool"]]
    assert f"between {-POINTS_LIMIT:g}" in workforce[lines["bound"]]
    assert "unknown key 'lable'; did you mean 'label'?" in workforce[lines["key"]]
    # nothing else: the rules of the unread file are not reported as missing
    assert {p.file for p in problems} == {str(d / "demand.yaml"), str(path)}


def test_each_file_is_parsed_once(tmp_path, monkeypatch):
    d = tmp_path / "rules"
    shutil.copytree(RULES, d, ignore=shutil.ignore_patterns("cases"))
    default = ew.load_ruleset()  # read (and cached) before counting
    calls: list[str] = []
    # the composer's: both of the reader's loaders (libyaml's parser and PyYAML's) compose with it
    real = yaml.composer.Composer.get_single_node

    def counted(self: yaml.composer.Composer) -> object:
        calls.append(type(self).__name__)
        return real(self)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a second parse")

    monkeypatch.setattr(yaml.composer.Composer, "get_single_node", counted)
    for name in ("safe_load", "load", "compose", "compose_all", "safe_load_all"):
        monkeypatch.setattr(yaml, name, refuse)
    rules = ew.load_ruleset(d)
    assert rules == default
    assert len(calls) == len(list(d.glob("*.yaml")))
