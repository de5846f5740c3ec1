"""The command line, run in-process through ``earlywarning.cli.main``."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

import earlywarning as ew
from earlywarning.cli import EXIT_BAD_INPUT, EXIT_ROWS_FAILED, main

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
