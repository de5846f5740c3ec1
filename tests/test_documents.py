"""The guarded document reader: YAML and JSON read with the rule loader's protections.

Issue 19, item 1. On main, profile documents went through ``yaml.safe_load`` and ``json.loads``
with no guard: aliases expanded, a deep pile of brackets a RecursionError traceback, a repeated
key silently replacing the first, ``017`` read as octal 15, ``1:30`` as 90, and a date such as
``2023-02-30`` a ValueError traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import earlywarning as ew
from earlywarning.io import documents, read_profiles
from earlywarning.io.documents import read_document


def write(tmp_path: Path, name: str, text: str) -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def refusal(path: Path) -> ew.ProfileFileError:
    with pytest.raises(ew.ProfileFileError) as caught:
        read_profiles(path)
    return caught.value


def test_numbers_are_read_as_written_not_as_yaml_1_1(tmp_path):
    f = write(tmp_path, "p.yaml", "council: A\nyear: 2020\ncode: 017\nstarts: 1:30\nbig: 1e3\n")
    row = read_profiles(f).iloc[0]
    assert (row["code"], row["starts"], row["big"]) == (17, "1:30", 1000.0)


def test_a_sexagesimal_looking_value_is_refused_by_the_profile_checks_not_read_as_90(tmp_path):
    f = write(tmp_path, "p.yaml", "council: A\nyear: 2020\nagency_rate_pct: 1:30\n")
    with pytest.raises(ew.ProfileError) as caught:
        ew.score(read_profiles(f).iloc[0].to_dict())
    assert caught.value.value == "1:30"


@pytest.mark.parametrize(
    "text, line, said",
    [
        ("council: A\nyear: &y 2020\nagency_rate_pct: *y\n", 2, "anchor &y refused"),
        ("council: A\nyear: 2020\ncouncil: B\n", 3, "'council' is written twice"),
        ("council: A\nyear: 2020\nnotes: " + "[" * 50 + "]" * 50 + "\n", 3, "nested more than"),
        ("council: A\ndate: 2023-02-30\n", 2, "day is out of range"),
        ("council: [unclosed\n", 2, "cannot be read as YAML"),
    ],
)
def test_yaml_profiles_are_refused_with_their_line(tmp_path, text, line, said):
    e = refusal(write(tmp_path, "p.yaml", text))
    assert e.line == line and said in e.message, (e.line, e.message)


def test_an_alias_bomb_is_refused_at_the_cost_of_its_text(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    e = refusal(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))
    assert e.line == 1 and "may not use anchors or aliases" in e.message


@pytest.mark.parametrize(
    "text, line, said",
    [
        ('{"council": "A",\n "year": 2020,\n "council": "B"}', 3, "'council' is written twice"),
        ('{"council": "A",\n "agency_rate_pct": NaN}', 2, "NaN is not a number JSON allows"),
        ('{"council": "A",\n "x": ' + "[" * 100_000 + "]" * 100_000 + "}", 2, "nested more"),
        ('{"council": "A",\n "x": ' + "9" * 5000 + "}", None, "not valid JSON"),
        ('{"council": "A",\n "year": }', 2, "not valid JSON"),
    ],
)
def test_json_profiles_are_refused_with_their_line(tmp_path, text, line, said):
    e = refusal(write(tmp_path, "p.json", text))
    assert e.line == line and said in e.message, (e.line, e.message)


def test_brackets_inside_json_strings_do_not_count_as_nesting(tmp_path):
    f = write(tmp_path, "p.json", '{"council": "' + "[{" * 100 + '", "year": 2020}')
    assert read_profiles(f).iloc[0]["year"] == 2020


def test_a_document_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 100)
    e = refusal(write(tmp_path, "p.yaml", "council: A\n" + "# padding\n" * 20))
    assert "more than the 100 a profile document may hold" in e.message


def test_other_documents_are_refused_as_input_file_errors_naming_what_they_hold(tmp_path):
    f = write(tmp_path, "j.yaml", "- council: A\n  date: 2023-05-01\n  date: 2023-06-01\n")
    with pytest.raises(ew.InputFileError) as caught:
        read_document(f, what="judgements")
    assert not isinstance(caught.value, ew.ProfileFileError)
    assert caught.value.line == 3 and caught.value.message.startswith("judgements file at [0]")


def test_a_profile_file_error_is_an_input_file_error():
    assert issubclass(ew.ProfileFileError, ew.InputFileError)


def test_the_rule_loader_reads_numbers_by_the_same_schema(tmp_path):
    from earlywarning._yaml import parse_yaml

    found: list[ew.RuleProblem] = []
    data, _ = parse_yaml("a: 017\nb: 0o17\nc: 1:30\nd: 1_000\ne: .5\n", "r.yaml", found)
    assert data == {"a": 17, "b": 15, "c": "1:30", "d": "1_000", "e": 0.5} and not found
