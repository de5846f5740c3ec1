"""One grammar for the command line: a council with --year or a profile file, - for standard
input, --version, and the commands grouped by task in --help."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

import earlywarning as ew
from earlywarning.cli import COMMANDS, TASKS, build_parser, main
from earlywarning.cli._batch import sniff_format
from earlywarning.datasets import england_profiles
from earlywarning.profile import FIELD_NAMES

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "profiles" / "derbyshire-2016.yaml"
MANY = REPO / "examples" / "profiles" / "hypothetical-councils.csv"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def national(council: str, year: int) -> dict[str, object]:
    row = england_profiles(year, [council]).iloc[0]
    return {k: v for k, v in row.items() if k in FIELD_NAMES and v is not None and v == v}


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch):
    """Give the command line these bytes on standard input."""

    def give(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    return give


# --- --version and --help ------------------------------------------------------------------------


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"earlywarning {ew.__version__}"


def test_help_lists_every_command_once_under_its_task():
    text = build_parser().format_help()
    listing = text.split("commands, by task:")[1]
    under: dict[str, str] = {}
    task = None
    for line in listing.splitlines():
        heading = re.match(r"^([a-z]+): ", line)
        if heading:
            task = heading.group(1)
        elif line.startswith("  ") and task is not None:
            under[line.split()[0]] = task
    assert under == {name: entry[0] for name, entry in COMMANDS.items()}
    assert [t for t in TASKS if t in under.values()] == list(TASKS)  # no task left empty
    for name in COMMANDS:
        assert len(re.findall(rf"^  {re.escape(name)} ", listing, flags=re.MULTILINE)) == 1


# --- a council with --year, or a profile file ------------------------------------------------


def test_what_if_on_a_council_and_year_uses_its_national_profile():
    code, out = run(
        "what-if", "Swindon", "--year", "2026", "--set", "vacancy_rate_pct=14", "--format", "json"
    )
    assert code == 0
    got = json.loads(out)
    expected = ew.what_if(national("Swindon", 2026), {"vacancy_rate_pct": 14})
    assert got["before"]["score"] == expected.before.score
    assert got["after"]["score"] == expected.after.score
    assert got["before"]["council"] == "Swindon" and got["before"]["year"] == 2026


def test_smallest_change_on_a_council_and_year_by_its_ons_code():
    code, out = run("smallest-change", "E06000063", "--year", "2026", "--format", "json")
    expected = ew.smallest_change(national("Cumberland", 2026))
    assert code == (0 if expected.reachable else 1)
    assert json.loads(out)["changes"] == json.loads(expected.model_dump_json())["changes"]


def test_a_misspelt_council_is_refused_with_the_nearest_name(capsys):
    assert run("what-if", "Swindn", "--year", "2026")[0] == 1
    assert (
        "'Swindn' is not a council in the data; did you mean 'Swindon'?" in capsys.readouterr().err
    )


def test_a_council_without_a_year_is_asked_for_its_year(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("what-if", "Swindon")[0] == 1
    assert "Swindon: no such file; for the council, give --year YEAR" in capsys.readouterr().err


def test_without_a_year_a_file_is_read_even_where_a_council_has_its_name(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    Path("Swindon").write_text("council,year\nSwindon,2026\n", encoding="utf-8")
    assert run("what-if", "Swindon")[0] == 1
    assert "Swindon: cannot tell the format from the name" in capsys.readouterr().err
    # with --year the council is meant, and the file beside it is not read
    assert run("what-if", "Swindon", "--year", "2026")[0] == 0


def test_a_year_with_a_file_name_says_to_leave_the_year_out(capsys):
    assert run("what-if", str(EXAMPLE), "--year", "2016")[0] == 1
    assert "is a file: leave out --year to read it" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Swindon", "--year", "2036"], "--year 2036: not in the data, whose profiles run from"),
        (["Cumberland", "--year", "2016"], "did not exist on 1 January 2016"),
        (["Swindon", "--year", "2026", "--council", "Derby"], "picks a part of a file"),
        ([str(EXAMPLE), "--neighbours", "2021"], "a profile file is read as it is"),
    ],
)
def test_options_that_do_not_fit_are_refused(argv, message, capsys):
    assert run("what-if", *argv)[0] == 1
    assert message in capsys.readouterr().err


def test_a_profile_file_still_works_with_council_picking_a_row():
    code, out = run("what-if", str(MANY), "--council", "Council B", "--set", "avg_caseload=15")
    assert code == 0
    assert out.startswith("Council B (2021) with avg_caseload=15")


def test_report_reads_a_profile_file_given_in_the_council_place(tmp_path):
    target = tmp_path / "page.html"
    code, out = run("report", str(EXAMPLE), "--output", str(target))
    assert code == 0 and target.exists()
    assert "Derbyshire (2016) scores 46, high" in out


# --- - reads standard input -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"council,year\nA,2020\n", "csv"),
        (b"\xef\xbb\xbfcouncil\tyear\n", "csv"),
        (b"\xff\xfec\x00", "csv"),
        (b"# a comment\ncouncil: Derby\nyear: 2020\n", "yaml"),
        (b"---\ncouncil: Derby\n", "yaml"),
        (b"- council: Derby\n  year: 2020\n", "yaml"),
        (b'  {"council": "Derby"}', "json"),
        (b'[{"council": "Derby"}]', "json"),
        (b"PK\x03\x04rest", "xlsx"),
        (b"PAR1rest", "parquet"),
        (b"ARROW1\x00\x00", "feather"),
        (b"", "csv"),
    ],
)
def test_standard_input_format_is_told_from_its_first_bytes(head, fmt):
    assert sniff_format(head) == fmt


def test_score_reads_a_csv_from_standard_input_as_it_reads_the_file(stdin, capsys):
    stdin(MANY.read_bytes())
    code, piped = run("score", "-", "--format", "csv")
    _, direct = run("score", str(MANY), "--format", "csv")
    assert code == 3 and piped == direct
    assert "standard input read as CSV" in capsys.readouterr().err


def test_what_if_and_explain_read_yaml_and_json_from_standard_input(stdin):
    stdin(EXAMPLE.read_bytes())
    code, out = run("what-if", "-", "--set", "dcs_changes=0")
    assert code == 0 and out.startswith("Derbyshire (2016) with dcs_changes=0")
    stdin(json.dumps(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))).encode())
    code, out = run("explain", "-")
    assert code == 0 and out.startswith("Derbyshire (2016) scores 46")


def test_standard_input_is_named_in_errors_and_notes_and_leaves_no_file(
    stdin, capsys, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stdin(b"council,year,agency_rate_pct\nA,2020,x\nB,2020,1,2\n")
    assert run("score", "-", "--format", "csv")[0] == 1
    err = capsys.readouterr().err
    assert "standard input:3: row has 4 fields, the header 3" in err
    assert str(tmp_path) not in err
    stdin(b"council,year,agency_rate_pct\nA,2020,x\n")
    assert run("score", "-", "--format", "csv")[0] == 0
    err = capsys.readouterr().err
    assert "standard input: 1 cell holds a suppression code" in err
    assert str(tmp_path) not in err
    assert list(tmp_path.iterdir()) == []


def test_empty_standard_input_is_refused(stdin, capsys):
    stdin(b"")
    assert run("score", "-")[0] == 1
    assert "standard input: is empty" in capsys.readouterr().err


def test_rules_check_reads_a_rule_file_from_standard_input(stdin, capsys):
    stdin((REPO / "examples" / "broken-rules" / "workforce.yaml").read_bytes())
    assert run("rules", "check", "-")[0] == 1
    err = capsys.readouterr().err
    assert "standard input:15 at indicators[1].measure: unknown measure 'vacancy_rate'" in err


def test_fit_reads_its_profiles_from_standard_input(stdin):
    rows = "council,year,agency_rate_pct,declined\nA,2020,5,no\nB,2020,30,yes\nC,2020,8,no\n"
    stdin(rows.encode())
    code, out = run("fit", "--profiles", "-", "--outcome", "declined", "--rounds", "1")
    assert code == 0 and "fitted on 3 rows" in out


def test_score_and_explain_take_a_council_and_year_as_they_take_a_file(capsys):
    code, out = run("score", "Swindon", "--year", "2026", "--format", "json")
    expected = ew.score(national("Swindon", 2026))
    assert code == 0 and json.loads(out)["score"] == expected.score
    code, out = run("explain", "swindon", "--year", "2026")
    assert code == 0 and out.startswith(expected.explain().splitlines()[0])
    code, out = run("score", "Swindon", "--year", "2026", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and row["la_code"] == "E06000030" and float(row["score"]) == expected.score
    # the national profile's figures are the input columns, carried before the score
    assert float(row["agency_rate_pct"]) == national("Swindon", 2026)["agency_rate_pct"]
    assert run("score", "Swindon")[0] == 1
    assert "give --year YEAR" in capsys.readouterr().err


def test_report_reads_its_profile_from_standard_input(stdin, tmp_path):
    stdin(EXAMPLE.read_bytes())
    target = tmp_path / "page.html"
    code, out = run("report", "-", "--output", str(target))
    assert code == 0 and "Derbyshire (2016) scores 46, high" in out
    assert "From the profile in standard input" in target.read_text(encoding="utf-8")


def test_score_refuses_a_sheet_beside_a_council(capsys):
    assert run("score", "Swindon", "--year", "2026", "--sheet", "Data")[0] == 1
    assert "--sheet 'Data' picks a part of a file; with --year, 'Swindon' is the council" in (
        capsys.readouterr().err
    )


def test_standard_input_from_a_terminal_is_refused_not_waited_on(monkeypatch, capsys):
    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(b"council,year\nA,2020\n")))
    assert run("score", "-")[0] == 1
    assert "which is a terminal here: send one to it" in capsys.readouterr().err


# --- compare takes a council with --year, or a profile file ----------------------------------


def test_compare_of_a_councils_scored_csv_read_back_matches_its_national_compare(stdin, capsys):
    # score's csv carries every input column: read back by compare, it is the same profile
    code, scored = run("score", "Swindon", "--year", "2026", "--format", "csv")
    assert code == 0
    stdin(scored.encode())
    code, piped = run("compare", "-", "--format", "json")
    _, direct = run("compare", "Swindon", "--year", "2026", "--format", "json")
    given, known = json.loads(piped), json.loads(direct)
    assert code == 0 and given["la_code"] == known["la_code"] == "E06000030"

    def values(data):
        return [(r["indicator"], r["value"]) for r in data["indicators"]]

    assert values(given) == values(known)
    assert {r["source"] for r in given["indicators"]} == {"profile"}
    assert given["origin"].startswith(
        "The council's figures are from the profile in standard input"
    )
    assert given["ruleset_hash"] == known["ruleset_hash"] == ew.load_ruleset().content_hash


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["compare", "Derbyshre", "--year", "2020"], "did you mean 'Derbyshire'?"),
        (["compare", "Derbyshire", "--year", "2031"], "--year 2031: not in the data"),
        (["compare", "Derbyshire", "--year", "2020", "--council", "X"], "picks a part of a file"),
        (["compare", "Derbyshire"], "Derbyshire: no such file; for the council, give --year"),
        (["compare", str(MANY)], "holds 5 profiles; give one (or --council NAME)"),
        (["compare", str(MANY), "--council", "Council B"], "'Council B' is not a council in"),
    ],
)
def test_compare_refuses_what_it_cannot_place_saying_which(argv, said, capsys):
    assert run(*argv)[0] == 1
    assert said in capsys.readouterr().err
