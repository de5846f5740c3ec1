"""One builder: profiles_at(local=) puts a council's own facts, as on each row's day, in place of
the national figures; every output built on it carries local= and marks national, local and
missing; the command line's --local and `local template`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT, run_cli

import earlywarning as ew
from earlywarning.datasets import LOCAL_COLUMN, as_local, field_sources, profiles_at
from earlywarning.local import (
    Appointment,
    CouncilFacts,
    FieldValue,
    LocalFacts,
    Provenance,
    YearAmount,
    read_local_facts,
)

DERBYSHIRE = "E10000007"
HERE = Provenance(file="test")
FACTS = ROOT / "examples" / "local"


def derbyshire(**sections: object) -> LocalFacts:
    council = CouncilFacts(council="Derbyshire", la_code=DERBYSHIRE, provenance=HERE, **sections)
    return LocalFacts(councils=(council,))


def director(name: str, start: dt.date, *, interim: bool = False) -> Appointment:
    return Appointment(name=name, start=start, interim=interim, provenance=HERE)


def built(facts: LocalFacts, *days: dt.date) -> pd.DataFrame:
    return profiles_at([DERBYSHIRE] * len(days), list(days), local=facts)


# ----------------------------------------------------------------------------------------------
# The builder: what it replaces, what it marks, and what it reads of each day


def test_a_local_figure_replaces_the_national_one_and_the_override_is_listed():
    day = dt.date(2020, 1, 1)
    national = profiles_at([DERBYSHIRE], [day]).iloc[0]
    given = FieldValue(field="avg_caseload", value=25.0, date=dt.date(2019, 12, 1), provenance=HERE)
    out = built(derbyshire(fields=(given,)), day)
    assert out.loc[0, "avg_caseload"] == 25.0 != national["avg_caseload"]
    assert out.loc[0, LOCAL_COLUMN] == ("avg_caseload",)
    overrides = out.attrs["local_overrides"]
    assert overrides[["field", "national", "local"]].values.tolist() == [
        ["avg_caseload", national["avg_caseload"], 25.0]
    ]
    marks = field_sources(out).iloc[0]
    assert (marks["avg_caseload"], marks["agency_rate_pct"], marks["dcs_changes"]) == (
        "local",
        "national",
        "missing",
    )
    # every other national figure is as the builder gives it without local facts
    same = [c for c in national.index if c != "avg_caseload"]
    pd.testing.assert_series_equal(out.iloc[0][same], national[same], check_names=False)


def test_a_budget_cut_from_local_budgets_is_marked_local():
    budgets = tuple(
        YearAmount(year=y, gbp_m=v, provenance=HERE) for y, v in ((2013, 110.0), (2016, 90.0))
    )
    out = built(derbyshire(budgets=budgets), dt.date(2016, 6, 30))
    marks = field_sources(out, ["budget_cut_pct", "budget_current_gbp_m", "agency_rate_pct"])
    assert marks.iloc[0].tolist() == ["local", "local", "missing"]


def test_the_three_year_window_edges_reach_the_builder():
    # the window of 30 June 2016 opens after 30 June 2013: an appointment that day is outside
    day = dt.date(2016, 6, 30)
    for start, changes in ((dt.date(2013, 6, 30), 0), (dt.date(2013, 7, 1), 1)):
        facts = derbyshire(
            directors=(director("A", dt.date(2010, 1, 1)), director("B", start, interim=True))
        )
        out = built(facts, day, day + dt.timedelta(days=1))
        # a day later, the appointment on the window's first day has left it too
        assert out["dcs_changes"].tolist() == [changes, 0]


def test_a_budget_year_straddling_the_day_is_read_by_the_day_it_falls_in():
    budgets = tuple(
        YearAmount(year=y, gbp_m=v, provenance=HERE)
        for y, v in ((2012, 120.0), (2013, 110.0), (2015, 95.0), (2016, 90.0))
    )
    out = built(derbyshire(budgets=budgets), dt.date(2016, 3, 31), dt.date(2016, 4, 1))
    # 31 March 2016 is in 2015-16 (against 2012-13), 1 April 2016 in 2016-17 (against 2013-14)
    assert out["budget_current_gbp_m"].tolist() == [95.0, 90.0]
    assert out["budget_baseline_gbp_m"].tolist() == [120.0, 110.0]


def _dated(facts: CouncilFacts, day: dt.date) -> CouncilFacts:
    """The facts as a file written on ``day`` would hold them: nothing dated after it."""
    return facts.model_copy(
        update={
            "directors": tuple(a for a in facts.directors if a.start <= day),
            "budgets": tuple(b for b in facts.budgets if dt.date(b.year, 4, 1) <= day),
            "restructures": tuple(e for e in facts.restructures if e.start <= day),
            "fields": tuple(f for f in facts.fields if f.date <= day),
        }
    )


def test_no_fact_dated_after_the_point_in_time_is_used():
    # every day from the first fact to after the last, a month apart: the profile built from
    # the whole file is the one built from the facts dated on or before that day
    whole = as_local(FACTS / "derbyshire.yaml")
    assert whole is not None
    days = list(pd.date_range("2010-06-01", "2020-06-01", freq="MS").date)
    everything = built(whole, *days)
    assert everything[LOCAL_COLUMN].map(len).gt(0).any()
    for i, day in enumerate(days):
        row = everything.iloc[i]
        then = LocalFacts(councils=(_dated(whole.councils[0], day),))
        assert {f: row[f] for f in row[LOCAL_COLUMN]} == then.at("Derbyshire", day), day


def test_a_row_whose_council_has_no_facts_keeps_its_national_figures():
    day = dt.date(2020, 1, 1)
    out = profiles_at([DERBYSHIRE, "E06000015"], [day, day], local=FACTS / "derbyshire.yaml")
    national = profiles_at(["E06000015"], [day]).iloc[0]
    assert out.loc[1, LOCAL_COLUMN] == ()
    assert out.iloc[1][list(national.index)].equals(national)


# ----------------------------------------------------------------------------------------------
# Refusals


def test_a_missing_facts_file_is_refused_with_its_name(tmp_path: Path):
    with pytest.raises(ew.LocalFactsError, match=r"nope\.yaml: file not found"):
        profiles_at([DERBYSHIRE], [dt.date(2016, 1, 1)], local=tmp_path / "nope.yaml")


def test_a_folder_without_facts_files_is_refused(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("not facts", encoding="utf-8")
    with pytest.raises(ew.EarlyWarningError, match="holds no facts file"):
        as_local(tmp_path)


def test_a_council_with_facts_in_two_files_is_refused(tmp_path: Path):
    for name in ("a.yaml", "b.csv"):
        text = (
            "council: Derbyshire\n"
            if name.endswith("yaml")
            else "council,fact,date\nDerbyshire,restructures,2014-01-01\n"
        )
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ew.EarlyWarningError, match=r"Derbyshire \(E10000007\) has facts in both"):
        as_local(tmp_path)


def test_a_report_refuses_local_facts_beside_a_profile_given_whole():
    with pytest.raises(ew.EarlyWarningError, match="local facts are read into a council's"):
        ew.report(profile={"council": "A", "year": 2020}, local=FACTS / "derbyshire.yaml")


def test_local_template_refuses_to_overwrite_a_file(tmp_path: Path):
    path = tmp_path / "swindon.yaml"
    path.write_text("council: Swindon\n", encoding="utf-8")
    code, _ = run_cli("local", "template", "Swindon", "--year", "2026", "--output", str(path))
    assert code == 1 and path.read_text(encoding="utf-8") == "council: Swindon\n"


# ----------------------------------------------------------------------------------------------
# Outputs built on the builder


def test_compare_marks_each_figure_and_lists_the_facts_read():
    table = ew.compare("Derbyshire", 2016, local=FACTS / "derbyshire.yaml")
    assert table.loc["dcs_turnover", "source"] == "local"
    assert table.loc["demand_change", "source"] == "national"
    assert table.loc["score", "source"] == "local"
    assert "derbyshire.yaml" in table.attrs["local_note"]
    code, text = run_cli(
        "compare", "Derbyshire", "--year", "2016", "--local", str(FACTS / "derbyshire.yaml")
    )
    assert code == 0 and "derbyshire.yaml" in text
    assert re.search(r"Interim director in post .* local", text)


def test_without_local_facts_every_output_is_as_before():
    plain = ew.compare("Derbyshire", 2016)
    assert set(plain["source"]) == {"national"} and plain.attrs["local_note"] == ""
    assert LOCAL_COLUMN not in profiles_at([DERBYSHIRE], [dt.date(2016, 1, 1)]).columns


def test_watchlist_and_trajectories_score_a_council_on_its_facts():
    facts = as_local(FACTS / "derbyshire.yaml")
    listed = ew.watchlist(2016, local=facts).set_index("council").loc["Derbyshire"]
    scores = ew.england_scores([2016], councils=["Derbyshire"], local=facts)
    plain = ew.england_scores([2016], councils=["Derbyshire"])
    assert scores.loc[0, "score"] == listed["score"] > plain.loc[0, "score"]
    assert "local facts for" in listed["notes"]
    assert "dcs_changes" in scores.loc[0, LOCAL_COLUMN]


def test_the_report_marks_figures_and_says_what_is_missing_on_its_first_screen():
    page = ew.report("Derbyshire", 2016, local=FACTS / "derbyshire.yaml")
    assert page.assessment.coverage > 0.4
    assert page.marks["dcs_changes"] == "local" and page.marks["previous_rating"] == "national"
    assert page.marks["agency_rate_pct"] == "missing"
    assert "children's services budget cut" in page.local_advice
    assert "earlywarning local template Derbyshire --year 2016" in page.local_advice
    assert any("derbyshire.yaml" in s.source and "dcs_changes" in s.fields for s in page.sources)
    plain = ew.report("Derbyshire", 2016)
    assert plain.local_advice.startswith("The leadership and budget indicators have no figures")


# ----------------------------------------------------------------------------------------------
# The template command


def test_local_template_writes_a_file_that_reads_as_it_stands(tmp_path: Path):
    path = tmp_path / "swindon.yaml"
    code, _ = run_cli("local", "template", "Swindon", "--year", "2026", "--output", str(path))
    text = path.read_text(encoding="utf-8")
    assert code == 0 and text.startswith("# Local facts for Swindon (E06000030)")
    national = ew.datasets.england_profiles(2026, ["Swindon"]).iloc[0]
    assert f"#   agency_rate_pct: {national['agency_rate_pct']:g}" in text
    assert "dcs_changes, interim_dcs: from directors" in text
    facts = read_local_facts(path)
    assert facts.at("Swindon", "2026-01-01") == {}


# ----------------------------------------------------------------------------------------------
# The documented cases, built from national data and their local facts


def _comments(case_id: str) -> str:
    text = (ROOT / "rules" / "cases" / f"{case_id}.yaml").read_text(encoding="utf-8")
    return " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))


@pytest.mark.parametrize("case", ew.load_cases(), ids=lambda c: c.id)
def test_each_case_is_rebuilt_field_for_field_or_its_file_says_why(case):
    row = profiles_at([case.la_code], [case.snapshot], local=FACTS).iloc[0]
    fields = [f for f in ew.profile.FIELD_NAMES if f not in ("council", "year", "la_code")]
    said = _comments(case.id)
    for field in fields:
        mine, theirs = row.get(field), case.profile.get(field)
        if pd.isna(mine) if not isinstance(mine, tuple) else False:
            mine = None
        if field == "region" or mine == theirs:
            continue
        published = isinstance(mine, float) and isinstance(theirs, int | float)
        if published and round(mine, 1) == round(float(theirs), 1):
            continue  # the case writes the figure as published, to one place
        if theirs is not None:  # an encoded field the builder gives otherwise
            evidence = case.evidence[field]
            text = f"{evidence.fact} {evidence.reasoning or ''}"
            assert "examples/local/" in text, f"{case.id}: {field} differs, unexplained"
        else:  # a field the builder adds: named in the file's note on the build
            assert "examples/local/" in said and field in said, f"{case.id}: {field} unexplained"


def test_calibrate_runs_on_the_cases_as_built_and_every_case_keeps_its_band():
    report = ew.calibration_report(local=FACTS)
    assert report["agrees"].all()
    encoded = ew.calibration_report()
    assert list(report.index) == list(encoded.index)
    code, text = run_cli("calibrate", "--local", str(FACTS))
    assert code == 0 and "Every case agrees" in text


# ----------------------------------------------------------------------------------------------
# One Derbyshire 2016 score, quoted alike everywhere

# Every place that quotes the score of `earlywarning report Derbyshire --year 2016 --local ...`
QUOTED = (
    "README.md",
    "rules/cases/derbyshire-2016.yaml",
    "docs/local-facts.md",
    "docs/cases.md",
    "CHANGELOG.md",
)


def _derbyshire_2016() -> pd.Series:
    """The score the report gives Derbyshire for 2016 with its facts: the builder's profile of
    1 January 2016, scored (the command's own output is checked against it below)."""
    local = FACTS / "derbyshire.yaml"
    return ew.score_frame(profiles_at([DERBYSHIRE], [dt.date(2016, 1, 1)], local=local)).iloc[0]


def test_every_place_quotes_the_one_derbyshire_2016_score():
    a = _derbyshire_2016()
    want = f"{a.score:.0f} ({a.band})"
    command = re.compile(
        r"report Derbyshire --year 2016 --local examples/local/derbyshire\.yaml\W[^.]*?"
        r"(\d+ \((?:low|moderate|high|severe)\))"
    )
    for place in QUOTED:
        text = (ROOT / place).read_text(encoding="utf-8")
        flat = " ".join(line.lstrip("#> ").strip() for line in text.splitlines())
        found = command.findall(flat)
        assert found, f"{place} does not quote the report's score"
        assert set(found) == {want}, f"{place} quotes {found}, the report gives {want}"


def test_the_derbyshire_command_prints_that_score(tmp_path: Path):
    page = tmp_path / "derbyshire.html"
    local = str(FACTS / "derbyshire.yaml")
    code, text = run_cli(
        "report", "Derbyshire", "--year", "2016", "--local", local, "--output", str(page)
    )
    a = _derbyshire_2016()
    assert code == 0 and f"scores {a.score:.0f}, {a.band}" in text
    html = page.read_text(encoding="utf-8")
    first_screen = html[: html.index('id="why"')]
    assert "Missing:" in first_screen
    # The command to type is set as code, not shown with its markdown backticks.
    assert "<code>earlywarning local template Derbyshire --year 2016</code>" in first_screen
    assert "`" not in first_screen
    assert re.search(r"<code>dcs_changes</code>.*?<td>local</td>", html, flags=re.DOTALL)
