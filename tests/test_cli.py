"""The command line, run in-process through ``earlywarning.cli.main``."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import earlywarning as ew
from earlywarning.cli import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_ROWS_FAILED, main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "profiles" / "derbyshire-2016.yaml"
PROFILE = {
    "council": "Derbyshire",
    "year": 2016,
    "previous_rating": "Good",
    "budget_baseline_gbp_m": 131,
    "budget_current_gbp_m": 90,
    "dcs_changes": 2,
    "restructure": True,
}
ROWS = [
    {"council": "Alpha", "year": "2020", "agency_rate_pct": "12", "dcs_changes": "1"},
    {"council": "Beta", "year": "2020", "agency_rate_pct": "lots", "dcs_changes": "2"},
    {"council": "Gamma", "year": "2021", "agency_rate_pct": "30", "dcs_changes": "3"},
]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture
def profile_yaml(tmp_path: Path) -> Path:
    f = tmp_path / "profile.yaml"
    f.write_text(yaml.safe_dump(PROFILE), encoding="utf-8")
    return f


@pytest.fixture
def batch_csv(tmp_path: Path) -> Path:
    f = tmp_path / "councils.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(ROWS[0]))
        writer.writeheader()
        writer.writerows(ROWS)
    return f


def test_score_text(profile_yaml):
    code, out = run("score", str(profile_yaml))
    a = ew.score(PROFILE)
    assert code == 0
    assert out.startswith(a.explain())
    assert "Contributions:" in out
    for c in a.contributions:
        assert c.reason in out


def test_score_json_round_trips_to_the_assessment(profile_yaml):
    code, out = run("score", str(profile_yaml), "--format", "json")
    assert code == 0
    assert ew.Assessment.model_validate_json(out) == ew.score(PROFILE)


def test_score_csv_single_profile(profile_yaml):
    code, out = run("score", str(profile_yaml), "--format", "csv")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    a = ew.score(PROFILE)
    assert row["council"] == "Derbyshire"
    assert float(row["score"]) == a.score and row["band"] == a.band
    assert row["reasons"] == "; ".join(a.reasons) and row["error"] == ""


def test_score_the_bundled_example():
    code, out = run("score", str(EXAMPLE))
    assert code == 0
    assert ew.score(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))).explain() in out


def test_score_a_documented_case_file(tmp_path):
    case = {"id": "x", "profile": PROFILE, "facts": "..."}
    f = tmp_path / "case.yaml"
    f.write_text(yaml.safe_dump(case), encoding="utf-8")
    code, out = run("score", str(f), "--format", "json")
    assert code == 0 and ew.Assessment.model_validate_json(out) == ew.score(PROFILE)


def test_score_csv_with_a_bad_row_keeps_every_row(batch_csv, capsys):
    code, out = run("score", str(batch_csv), "--format", "csv")
    assert code == EXIT_ROWS_FAILED == 3
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["council"] for r in rows] == ["Alpha", "Beta", "Gamma"]
    assert rows[1]["error"] == "agency_rate_pct: 'lots' is not a number"
    assert rows[1]["score"] == "" and rows[1]["band"] == ""
    for given, row in zip((ROWS[0], ROWS[2]), (rows[0], rows[2]), strict=True):
        a = ew.score(given)
        assert row["error"] == ""
        assert float(row["score"]) == a.score and row["band"] == a.band
    assert "1 of 3 rows could not be scored" in capsys.readouterr().err


def test_score_csv_as_json(batch_csv):
    code, out = run("score", str(batch_csv), "--format", "json")
    assert code == EXIT_ROWS_FAILED
    records = json.loads(out)
    assert [r["council"] for r in records] == ["Alpha", "Beta", "Gamma"]
    assert records[1]["score"] is None and "agency_rate_pct" in records[1]["error"]
    assert records[2]["band"] == ew.score(ROWS[2]).band
    assert records[2]["red_flag"] == "high"  # three director changes


def test_score_csv_as_text(batch_csv):
    code, out = run("score", str(batch_csv))
    assert code == EXIT_ROWS_FAILED
    lines = out.splitlines()
    # the header, one line per row, then the ruleset the rows were scored with
    assert len(lines) == 1 + len(ROWS) + 1
    rules = ew.load_ruleset()
    assert lines[-1] == f"Ruleset {rules.id} {rules.version} ({rules.content_hash})."
    assert "agency_rate_pct: 'lots' is not a number" in lines[2]
    assert lines[1].split()[0] == "Alpha" and lines[3].split()[0] == "Gamma"


def test_score_csv_all_good(tmp_path, batch_csv):
    good = tmp_path / "good.csv"
    text = batch_csv.read_text(encoding="utf-8").replace("lots", "20")
    good.write_text(text, encoding="utf-8")
    code, out = run("score", str(good), "--format", "csv")
    assert code == 0
    assert len(list(csv.DictReader(io.StringIO(out)))) == 3


def test_bad_single_profile_exits_1_naming_the_field(tmp_path, capsys):
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump({**PROFILE, "dcs_changes": -2}), encoding="utf-8")
    code, out = run("score", str(f))
    assert code == EXIT_BAD_INPUT == 1
    err = capsys.readouterr().err
    assert "dcs_changes: -2 is below the minimum of 0" in err
    assert "Traceback" not in err and out == ""


def test_explain(tmp_path, profile_yaml):
    code, out = run("explain", str(profile_yaml))
    assert code == 0
    assert ew.score(PROFILE).explain() in out


def test_explain_every_row_of_a_csv(tmp_path):
    f = tmp_path / "two.csv"
    f.write_text("council,year,dcs_changes\nAlpha,2020,1\nGamma,2021,3\n", encoding="utf-8")
    code, out = run("explain", str(f))
    assert code == 0
    assert out.count("Contributions:") == 2
    assert out.index("Alpha (2020)") < out.index("Gamma (2021)")


def test_rules_check_ok():
    code, out = run("rules", "check")
    rules = ew.load_ruleset()
    assert code == 0
    assert out.startswith(f"ok: {rules.id} {rules.version} ({rules.content_hash})")
    assert f"{len(rules.indicators)} indicators" in out


def test_rules_check_broken(tmp_path, capsys):
    d = tmp_path / "rules"
    shutil.copytree(REPO / "rules", d, ignore=shutil.ignore_patterns("cases"))
    budget = d / "budget.yaml"
    budget.write_text(
        budget.read_text(encoding="utf-8").replace("{from: 15, below: 25", "{from: 16, below: 25"),
        encoding="utf-8",
    )
    (d / "demand.yaml").write_text("indicators: [\n", encoding="utf-8")
    code, out = run("rules", "check", str(d))
    assert code == 1 and out == ""
    err = capsys.readouterr().err
    assert "2 problems" in err
    assert "budget.yaml" in err and "gap" in err
    assert "demand.yaml" in err and "not valid YAML" in err


def test_missing_file_exits_1(tmp_path, capsys):
    for argv in (
        ["score", str(tmp_path / "nope.yaml")],
        ["explain", str(tmp_path / "nope.csv")],
        ["rules", "check", str(tmp_path / "nope")],
        ["score", str(EXAMPLE), "--rules", str(tmp_path / "nope")],
    ):
        code, _ = run(*argv)
        assert code == 1, argv
        assert "nope" in capsys.readouterr().err


def test_unreadable_profile_exits_1(tmp_path, capsys):
    f = tmp_path / "p.yaml"
    f.write_text("council: [unclosed\n", encoding="utf-8")
    assert run("score", str(f))[0] == 1
    assert "cannot be read" in capsys.readouterr().err
    f.write_text("- 1\n- 2\n", encoding="utf-8")
    assert run("score", str(f))[0] == 1
    assert "expected a profile" in capsys.readouterr().err


def test_usage_error_exits_2():
    with pytest.raises(SystemExit) as info:
        main(["score"], out=io.StringIO())
    assert info.value.code == 2


# Real files: suppression codes, carried columns, encodings, hostile input -------------------

# DfE's workforce CSV as published (explore-education-statistics layout), its measure columns
# renamed to profile fields; suppressed cells and DfE's identifier columns left as they are.
DFE = (
    "time_period,time_identifier,geographic_level,region_name,old_la_code,la_code,council,"
    "year,agency_rate_pct,vacancy_rate_pct,turnover_rate_pct,avg_caseload\n"
    "2021,Reporting year,Local authority,East Midlands,830,E10000007,Derbyshire,2021,12.4,"
    "14.0,15.2,17.9\n"
    "2021,Reporting year,Local authority,East Midlands,831,E06000015,Derby,2021,c,x,15.0,low\n"
    "2021,Reporting year,Local authority,South West,908,E06000052,Cornwall,2021,27.1,[c],u,21\n"
)


@pytest.fixture
def dfe_csv(tmp_path: Path) -> Path:
    f = tmp_path / "workforce.csv"
    f.write_text(DFE, encoding="utf-8")
    return f


def test_dfe_file_scores_with_suppressed_cells_missing_and_extras_carried(dfe_csv, capsys):
    code, out = run("score", str(dfe_csv), "--format", "csv")
    err = capsys.readouterr().err
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["la_code"] for r in rows] == ["E10000007", "E06000015", "E06000052"]
    assert [r["old_la_code"] for r in rows] == ["830", "831", "908"]
    assert rows[0]["time_period"] == "2021" and rows[2]["region_name"] == "South West"
    derby = ew.score({"council": "Derby", "year": 2021, "turnover_rate_pct": 15.0})
    assert float(rows[1]["score"]) == derby.score and rows[1]["error"] == ""
    assert "5 cells hold a suppression code, read as missing" in err
    assert "agency_rate_pct 1, vacancy_rate_pct 2" in err
    assert err.count("columns carried to the output unchanged") == 1
    assert "time_period, time_identifier, geographic_level, region_name, old_la_code" in err


def test_refusing_suppression_codes(dfe_csv, capsys):
    code, out = run("score", str(dfe_csv), "--suppressed", "refuse")
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and out == ""
    assert "agency_rate_pct: 'c' is a suppression code" in err


def test_misspelt_columns_are_refused_together(tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text("council,year,agency_rate,Vacancy Rate %,region\nA,2020,1,2,N\n", encoding="utf-8")
    code, _ = run("score", str(f))
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "2 columns look like misspelt profile fields" in err
    assert "'agency_rate' (did you mean 'agency_rate_pct'?)" in err
    assert "'Vacancy Rate %' (did you mean 'vacancy_rate_pct'?)" in err
    assert "<column>" not in err


def test_a_carried_column_named_like_a_result_is_kept_apart(tmp_path):
    f = tmp_path / "again.csv"
    f.write_text("council,year,dcs_changes,score,band\nA,2020,3,99,low\n", encoding="utf-8")
    code, out = run("score", str(f), "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert row["input_score"] == "99" and row["input_band"] == "low"
    assert row["band"] == ew.score({"council": "A", "year": 2020, "dcs_changes": 3}).band


def test_cp1252_file_is_scored_with_a_notice(tmp_path, capsys):
    f = tmp_path / "excel.csv"
    f.write_bytes("council,year,dcs_changes\nSaint-Étienne,2020,1\n".encode("cp1252"))
    code, out = run("score", str(f), "--format", "csv")
    assert code == 0 and "Saint-Étienne" in out
    assert "read as Windows-1252 (cp1252)" in capsys.readouterr().err


def test_fractions_get_a_notice(tmp_path, capsys):
    f = tmp_path / "f.csv"
    f.write_text("council,year,agency_rate_pct\nA,2020,0.141\nB,2020,0.3\n", encoding="utf-8")
    assert run("score", str(f), "--format", "csv")[0] == 0
    err = capsys.readouterr().err
    assert "agency_rate_pct lies between 0 and 1: percentages given as fractions?" in err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: None, "no such file"),
        (lambda p: p.write_text("council,year\nA,2020,1\n", encoding="utf-8"), ":2: row has 3"),
        (lambda p: p.write_bytes(b"council,year\nA\x81,2020\n"), ":2: byte 0x81"),
    ],
)
@pytest.mark.parametrize("command", ["score", "explain"])
def test_hostile_files_get_one_line_and_exit_1(tmp_path, capsys, make, message, command):
    f = tmp_path / "in.csv"
    make(f)
    code, out = run(command, str(f))
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


# Output: formats, stamps, --output, --council ------------------------------------------------


def test_batch_json_carries_contributions_and_the_ruleset(batch_csv):
    code, out = run("score", str(batch_csv), "--format", "json", "--chunk-rows", "1")
    records = json.loads(out)  # valid JSON across chunks
    rules = ew.load_ruleset()
    assert code == EXIT_ROWS_FAILED and len(records) == 3
    for given, record in zip(ROWS, records, strict=True):
        assert record["ruleset_hash"] == rules.content_hash
        assert record["ruleset_version"] == rules.version
        if record["error"]:
            assert record["contributions"] is None
            continue
        a = ew.score(given)
        assert record["contributions"] == [c.model_dump() for c in a.contributions]


def test_csv_is_stamped_and_streams_the_same_as_one_chunk(batch_csv):
    whole = run("score", str(batch_csv), "--format", "csv")[1]
    chunked = run("score", str(batch_csv), "--format", "csv", "--chunk-rows", "2")[1]
    assert whole == chunked
    rows = list(csv.DictReader(io.StringIO(whole)))
    rules = ew.load_ruleset()
    assert {(r["ruleset_id"], r["ruleset_version"], r["ruleset_hash"]) for r in rows} == {
        (rules.id, rules.version, rules.content_hash)
    }


def test_empty_batch_gives_valid_json_and_a_csv_header(tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("council,year\n", encoding="utf-8")
    assert json.loads(run("score", str(f), "--format", "json")[1]) == []
    assert run("score", str(f), "--format", "csv")[1].startswith("council,year,score,band")


def test_output_file_is_written_whole(batch_csv, tmp_path):
    target = tmp_path / "out" / "scores.csv"
    target.parent.mkdir()
    code, out = run("score", str(batch_csv), "--format", "csv", "--output", str(target))
    assert code == EXIT_ROWS_FAILED and out == ""
    assert target.read_text(encoding="utf-8") == run("score", str(batch_csv), "--format", "csv")[1]
    assert [p.name for p in target.parent.iterdir()] == ["scores.csv"]


def test_a_failed_run_leaves_no_partial_file(tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text("council,year,agency_rate_pct\nA,2020,12\nB,2020,13\nC,2020,x\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    target.write_text("the previous results\n", encoding="utf-8")
    code, _ = run(
        "score", str(f), "--output", str(target), "--suppressed", "refuse", "--chunk-rows", "1"
    )
    assert code == EXIT_BAD_INPUT and "suppression code" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "the previous results\n"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "p.csv"]


@pytest.mark.parametrize("where", ["no/such/folder/out.csv", "."])
def test_unwritable_output_is_one_line(batch_csv, tmp_path, capsys, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    code, _ = run("score", str(batch_csv), "--format", "csv", "--output", where)
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and where in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_xlsx_output_has_the_rows_and_a_ruleset_sheet(batch_csv, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "scores.xlsx"
    code, _ = run("score", str(batch_csv), "--format", "xlsx", "--output", str(target))
    assert code == EXIT_ROWS_FAILED
    book = openpyxl.load_workbook(target)
    rows = list(book["scores"].iter_rows(values_only=True))
    assert rows[0][:6] == ("council", "year", "agency_rate_pct", "dcs_changes", "score", "band")
    assert [r[0] for r in rows[1:]] == ["Alpha", "Beta", "Gamma"]
    assert rows[3][5] == ew.score(ROWS[2]).band
    rules = ew.load_ruleset()
    ruleset = list(book["ruleset"].iter_rows(values_only=True))
    assert ruleset[0] == ("key", "value")
    assert dict(ruleset[1:]) == {
        "ruleset_id": rules.id,
        "ruleset_version": rules.version,
        "ruleset_hash": rules.content_hash,
    }


def test_xlsx_needs_a_file(batch_csv, capsys):
    code, out = run("score", str(batch_csv), "--format", "xlsx")
    assert code == EXIT_BAD_INPUT and out == ""
    assert "--output FILE.xlsx" in capsys.readouterr().err


def test_council_picks_one_from_a_file(batch_csv, capsys):
    code, out = run("score", str(batch_csv), "--council", "gamma")
    assert code == 0
    assert out.startswith(ew.score(ROWS[2]).explain())
    code, out = run("explain", str(batch_csv), "--council", "Alpha")
    assert code == 0 and out.count("Contributions:") == 1 and "Alpha (2020)" in out
    code, _ = run("score", str(batch_csv), "--council", "Gama")
    assert code == EXIT_BAD_INPUT
    assert "no council 'Gama'; did you mean 'Gamma'?" in capsys.readouterr().err


def test_progress_bar_only_when_asked_or_on_a_terminal(batch_csv, capsys):
    run("score", str(batch_csv), "--format", "csv", "--progress")
    assert "3/3" in capsys.readouterr().err
    run("score", str(batch_csv), "--format", "csv", "--no-progress")
    assert "3/3" not in capsys.readouterr().err
    run("score", str(batch_csv), "--format", "csv")  # standard error is not a terminal here
    assert "3/3" not in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(tmp_path):
    f = tmp_path / "many.csv"
    lines = ["council,year,agency_rate_pct"] + [f"C{i},2020,{i % 50}" for i in range(4000)]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "earlywarning.cli", "score", str(f), "--format", "csv"]
    with subprocess.Popen(
        [*command, "--chunk-rows", "200"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(b"council,year,agency_rate_pct,score")
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert code == EXIT_BROKEN_PIPE == 141
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_a_single_profile_with_a_suppressed_value_gets_the_notice(tmp_path, capsys):
    f = tmp_path / "one.yaml"
    f.write_text(yaml.safe_dump({**PROFILE, "agency_rate_pct": "x"}), encoding="utf-8")
    code, out = run("score", str(f), "--format", "json")
    assert code == 0 and ew.Assessment.model_validate_json(out) == ew.score(PROFILE)
    assert "1 cell holds a suppression code, read as missing: agency_rate_pct 1" in (
        capsys.readouterr().err
    )


def test_the_text_table_shows_coverage_as_a_percentage(tmp_path: Path, capsys):
    """On a screen a share of the ruleset's weight reads as 42%, not 0.4225352112676056."""
    rows = tmp_path / "two.csv"
    rows.write_text(
        "council,year,dcs_changes,agency_rate_pct\nA,2020,2,30\nB,2020,,\n", encoding="utf-8"
    )
    assert main(["score", str(rows), "--format", "text"]) == 0
    shown = capsys.readouterr().out
    frame = ew.score_frame(ew.io.read_profiles(rows))
    for coverage in frame["coverage"]:
        assert f"{coverage:.0%}" in shown
        assert f"{coverage:.6f}"[:6] not in shown
