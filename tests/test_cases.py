"""The documented cases: bundled files load, every value is sourced, bad files are refused."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

import earlywarning.cases as cases_module
from earlywarning.cases import (
    IDENTITY_FIELDS,
    SEED_FILES,
    STATISTICS_FILE,
    Case,
    Evidence,
    Outcome,
    _default_cases_dir,
    cases_frame,
    load_cases,
)
from earlywarning.errors import RuleFileError
from earlywarning.profile import CouncilProfile
from earlywarning.rules import BAND_NAMES

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = REPO / "rules" / "cases"
PANEL = REPO / "src" / "earlywarning" / "datasets" / "data" / "england" / "la_year_panel.csv"
SEEDS_DIR = REPO.parent / "shared" / "seeds"

REQUIRED = {
    "derbyshire-2016",
    "derbyshire-2019",
    "oxfordshire-2016",
    "oxfordshire-2018",
    "kirklees-2016",
    "durham-2016",
}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases()


def _encoded(case: Case) -> set[str]:
    return {k for k, v in case.profile.items() if v is not None} - IDENTITY_FIELDS


def test_default_dir_holds_the_checkout_cases() -> None:
    # installed from a wheel the default is the bundled copy, in a checkout the folder itself:
    # either way it must hold exactly the case files of rules/cases
    default = _default_cases_dir()
    bundled = {p.name: p.read_bytes() for p in default.glob("*.yaml")}
    checkout = {p.name: p.read_bytes() for p in CASES_DIR.glob("*.yaml")}
    assert bundled == checkout
    assert len(checkout) >= 6


def test_all_bundled_cases_load(cases: list[Case]) -> None:
    ids = [c.id for c in cases]
    assert ids == sorted(ids)
    assert set(ids) >= REQUIRED
    assert len(ids) == len(list(CASES_DIR.glob("*.yaml")))
    for case in cases:
        profile = case.profile_model()
        assert isinstance(profile, CouncilProfile)
        assert profile.council == case.council
        assert profile.year == case.snapshot.year
        assert profile.la_code == case.la_code


def test_explicit_path_gives_the_same_cases(cases: list[Case]) -> None:
    assert load_cases(CASES_DIR) == cases
    assert load_cases(str(CASES_DIR)) == cases


@pytest.mark.skipif(not PANEL.is_file(), reason="bundled England panel not present")
def test_la_codes_are_real_ons_codes(cases: list[Case]) -> None:
    with PANEL.open(newline="", encoding="utf-8") as fh:
        names = {row["la_code"]: row["la_name"] for row in csv.DictReader(fh)}
    for case in cases:
        assert case.la_code in names, case.id
        assert case.council in names[case.la_code], (case.id, names[case.la_code])


def test_every_encoded_value_is_tied_to_a_source(cases: list[Case]) -> None:
    for case in cases:
        assert set(case.evidence) == _encoded(case), case.id
        for name, ev in case.evidence.items():
            assert ev.source in (*SEED_FILES, STATISTICS_FILE), (case.id, name)
            assert ev.fact.strip(), (case.id, name)
    # the reports are the cases: most of what each case says comes from them
    from_reports = [
        name for c in cases for name, ev in c.evidence.items() if ev.source in SEED_FILES
    ]
    assert len(from_reports) >= 25


def test_figures_from_the_statistics_match_the_bundled_data(cases: list[Case]) -> None:
    import datetime as dt

    from earlywarning.datasets import profiles_at

    checked = 0
    for case in cases:
        built = profiles_at([case.la_code], [dt.date.fromisoformat(str(case.snapshot))]).iloc[0]
        for name, ev in case.evidence.items():
            if ev.source != STATISTICS_FILE:
                continue
            assert ev.kind == "figure", (case.id, name)
            assert case.profile[name] == pytest.approx(built[name], abs=0.05), (case.id, name)
            checked += 1
    assert checked >= 20


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="seed reports not present")
def test_seed_sources_exist_and_name_the_council(cases: list[Case]) -> None:
    assert sorted(p.name for p in SEEDS_DIR.glob("*.txt")) == sorted(SEED_FILES)
    for case in cases:
        for name, ev in case.evidence.items():
            if ev.source == STATISTICS_FILE:
                continue  # checked against the bundled data above
            text = (SEEDS_DIR / ev.source).read_text(encoding="utf-8")
            assert case.council in text, (case.id, name, ev.source)


def test_stated_figures_appear_in_their_source() -> None:
    if not SEEDS_DIR.is_dir():
        pytest.skip("seed reports not present")
    case = next(c for c in load_cases() if c.id == "derbyshire-2016")
    text = (SEEDS_DIR / case.evidence["budget_baseline_gbp_m"].source).read_text(encoding="utf-8")
    assert "£131m" in text and "£90m" in text
    assert case.profile["budget_baseline_gbp_m"] == 131
    assert case.profile["budget_current_gbp_m"] == 90
    assert "budget_cut_pct" not in case.profile  # derived, not encoded twice


def test_judgements_are_explained_and_within_their_ranges(cases: list[Case]) -> None:
    judgements = 0
    for case in cases:
        for name, ev in case.evidence.items():
            if ev.kind != "judgement":
                assert ev.plausible_range is None, (case.id, name)
                continue
            judgements += 1
            assert ev.reasoning and len(ev.reasoning) > 80, (case.id, name)
            assert ev.plausible_range is not None
            low, high = ev.plausible_range
            value = case.profile[name]
            assert low <= value <= high, (case.id, name, value, ev.plausible_range)
    assert judgements >= 10


def test_expected_bands_and_outcomes_as_specified(cases: list[Case]) -> None:
    by_id = {c.id: c for c in cases}
    expected = {
        "oxfordshire-2018": (("low",), False),
        "derbyshire-2019": (("moderate",), False),
        "oxfordshire-2016": (("moderate", "high", "severe"), False),
        "derbyshire-2016": (("high", "severe"), True),
        "durham-2016": (("high", "severe"), True),
        "kirklees-2016": (("high", "severe"), True),
    }
    for case_id, (bands, preceded) in expected.items():
        case = by_id[case_id]
        assert case.expected_bands == bands, case_id
        assert case.outcome.preceded_decline is preceded, case_id
        assert set(case.expected_bands) <= set(BAND_NAMES)
    assert by_id["durham-2016"].outcome.previous_rating == "outstanding"
    assert by_id["kirklees-2016"].outcome.new_rating == "inadequate"
    assert by_id["oxfordshire-2018"].outcome.change == "held"


def test_key_encodings(cases: list[Case]) -> None:
    by_id = {c.id: c for c in cases}
    d16, d19 = by_id["derbyshire-2016"], by_id["derbyshire-2019"]
    assert d16.profile["dcs_changes"] == 2
    assert d16.profile["management_reduction_pct"] > 0
    assert d19.profile["management_reduction_pct"] < 0
    assert d16.evidence["management_reduction_pct"].kind == "judgement"
    assert by_id["oxfordshire-2018"].profile["restructure"] is True
    assert by_id["oxfordshire-2018"].profile["reinvestment_pct"] > 0
    # Kirklees stays thin: only what the report supports, and the national statistics
    kirklees = by_id["kirklees-2016"]
    from_report = {n for n, ev in kirklees.evidence.items() if ev.source in SEED_FILES}
    assert from_report == {
        "previous_rating",
        "dcs_changes",
        "interim_dcs",
        "practice_concerns_raised",
    }
    assert kirklees.profile["practice_concerns_raised"] is True


def test_cases_frame(cases: list[Case]) -> None:
    df = cases_frame(cases)
    assert list(df.index) == [c.id for c in cases]
    assert df.index.name == "case"
    assert df.loc["derbyshire-2016", "budget_current_gbp_m"] == 90
    assert df.loc["durham-2016", "previous_rating"] == "outstanding"
    assert df["avg_caseload"].isna()["kirklees-2016"]
    assert df["budget_cut_pct"].notna().sum() == 1  # given as a judgement only for Oxfordshire
    assert pd.isna(df.loc["derbyshire-2016", "budget_cut_pct"])  # derived there, not encoded
    assert str(df["dcs_changes"].dtype) == "Int64"
    assert str(df["restructure"].dtype) == "boolean"
    # every column is a profile field, so the frame can be scored as it is
    assert set(df.columns) <= set(CouncilProfile.model_fields)


def _write(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_broken_files_report_every_problem_at_once(tmp_path: Path) -> None:
    good = yaml.safe_load((CASES_DIR / "derbyshire-2016.yaml").read_text(encoding="utf-8"))

    bad = yaml.safe_load((CASES_DIR / "derbyshire-2016.yaml").read_text(encoding="utf-8"))
    bad["id"] = "broken-2016"
    bad["expected_bands"] = ["high", "catastrophic"]
    bad["profile"]["agency_rate_pct"] = 140  # refused by CouncilProfile, and no evidence
    bad["evidence"]["budget_baseline_gbp_m"]["source"] = "not_a_seed.txt"
    del bad["evidence"]["dcs_changes"]
    bad["evidence"]["management_reduction_pct"]["plausible_range"] = [5, 10]  # 30 is outside
    del bad["evidence"]["turnover_rate_pct"]["reasoning"]
    bad["outcome"]["change"] = "improved"
    bad["unexpected"] = 1
    _write(tmp_path / "broken-2016.yaml", bad)

    other = dict(good, id="other-2016", snapshot="2016-13-01")
    # a copy: the same dict twice would be written as a YAML anchor and alias, which are refused
    evidence_copy = dict(good["evidence"]["restructure"])
    other["evidence"] = dict(good["evidence"], vacancy_rate_pct=evidence_copy)
    _write(tmp_path / "other-2016.yaml", other)

    (tmp_path / "garbled.yaml").write_text("id: [unclosed\n", encoding="utf-8")

    with pytest.raises(RuleFileError) as info:
        load_cases(tmp_path)
    problems = info.value.problems
    text = str(info.value)

    files = {Path(p.file).name for p in problems}
    assert files == {"broken-2016.yaml", "other-2016.yaml", "garbled.yaml"}
    broken = [p for p in problems if p.file.endswith("broken-2016.yaml")]
    assert len(broken) >= 7
    locations = {p.location for p in broken}
    assert "expected_bands[1]" in locations
    assert "profile.agency_rate_pct" in locations
    assert "evidence.budget_baseline_gbp_m.source" in locations
    assert "evidence.management_reduction_pct.plausible_range" in locations
    assert "evidence.turnover_rate_pct" in locations
    assert "outcome" in locations
    assert "unexpected" in locations
    assert any("dcs_changes" in p.message for p in broken)
    assert any("agency_rate_pct" in p.message and "140" in p.message for p in broken)
    assert all(p.line is not None for p in broken)
    others = [p for p in problems if "other-2016" in p.file]
    assert any("vacancy_rate_pct" in p.message for p in others)
    assert any(p.location == "snapshot" for p in others)
    assert any("not valid YAML" in p.message for p in problems if "garbled" in p.file)
    assert "broken-2016.yaml" in text and "other-2016.yaml" in text


def test_id_must_match_file_name_and_be_unique(tmp_path: Path) -> None:
    shutil.copy(CASES_DIR / "durham-2016.yaml", tmp_path / "durham-2016.yaml")
    shutil.copy(CASES_DIR / "durham-2016.yaml", tmp_path / "durham-copy.yaml")
    with pytest.raises(RuleFileError) as info:
        load_cases(tmp_path)
    messages = [p.message for p in info.value.problems]
    assert any("must match the file name" in m for m in messages)
    assert any("is also the id in" in m for m in messages)


def test_missing_or_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="no such directory"):
        load_cases(tmp_path / "nowhere")
    with pytest.raises(RuleFileError, match=r"no \*\.yaml case files"):
        load_cases(tmp_path)


def test_models_refuse_inconsistent_data() -> None:
    with pytest.raises(ValueError, match="a judgement needs reasoning"):
        Evidence(kind="judgement", source=SEED_FILES[0], fact="x", plausible_range=(1.0, 2.0))
    with pytest.raises(ValueError, match="not one of the seed reports"):
        Evidence(kind="figure", source="elsewhere.txt", fact="x")
    with pytest.raises(ValueError, match="is 'declined'"):
        Outcome(
            previous_rating="good",
            previous_inspection="2013",
            new_rating="inadequate",
            new_inspection="2016",
            change="held",
            preceded_decline=False,
        )
    with pytest.raises(ValueError, match="did not decline"):
        Outcome(
            previous_rating="Good",
            previous_inspection=2014,
            new_rating="good",
            new_inspection="2018-04-16",
            change="held",
            preceded_decline=True,
        )
    data = yaml.safe_load((CASES_DIR / "oxfordshire-2018.yaml").read_text(encoding="utf-8"))
    data["profile"]["year"] = 2017
    with pytest.raises(ValueError, match="not the year of the snapshot"):
        Case.model_validate(data)


def test_cases_are_frozen(cases: list[Case]) -> None:
    with pytest.raises(ValueError):
        cases[0].id = "changed"  # type: ignore[misc]


# Reading again: load_cases keeps what it read, by the files' names and contents


def test_an_edited_case_file_is_read_anew_even_at_the_same_size_and_time(tmp_path: Path) -> None:
    shutil.copy(CASES_DIR / "durham-2016.yaml", tmp_path)
    path = tmp_path / "durham-2016.yaml"
    assert load_cases(tmp_path)[0].summary.startswith("Durham had been rated outstanding")
    stat = path.stat()
    edited = path.read_bytes().replace(b"Durham had been", b"Durham was once", 1)
    assert len(edited) == stat.st_size
    path.write_bytes(edited)
    # the same modification time as before: an edit within one tick of a coarse clock
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert load_cases(tmp_path)[0].summary.startswith("Durham was once rated outstanding")


def test_a_case_file_broken_after_a_clean_load_is_refused(tmp_path: Path) -> None:
    shutil.copy(CASES_DIR / "durham-2016.yaml", tmp_path)
    path = tmp_path / "durham-2016.yaml"
    good = path.read_text(encoding="utf-8")
    load_cases(tmp_path)
    path.write_text(good.replace("la_code: E06000047", "la_code: X06000047"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="X06000047"):
        load_cases(tmp_path)
    path.write_text(good, encoding="utf-8")
    assert [c.id for c in load_cases(tmp_path)] == ["durham-2016"]


def test_a_caller_changing_the_cases_it_was_given_changes_nothing_for_the_next() -> None:
    first = load_cases()
    before = [c.model_dump() for c in first]
    first[0].profile["dcs_changes"] = 99
    first[0].evidence.clear()
    first.pop()
    again = load_cases()
    assert [c.model_dump() for c in again] == before
    assert again[0] is not first[0] and again[0].profile is not first[0].profile


def test_the_kept_cases_are_the_cases_read_afresh(tmp_path: Path) -> None:
    load_cases()  # kept, if it was not already
    fresh = cases_module._load_all(sorted(CASES_DIR.glob("*.yaml")))
    assert load_cases() == fresh and load_cases(CASES_DIR) == fresh
    # a few directories are kept, not every one ever read
    for i in range(cases_module._READ_KEPT + 2):
        folder = tmp_path / str(i)
        folder.mkdir()
        text = (CASES_DIR / "durham-2016.yaml").read_text(encoding="utf-8")
        changed = text.replace("service requires", f"{i} requires")
        (folder / "durham-2016.yaml").write_text(changed, encoding="utf-8")
        assert f"{i} requires" in load_cases(folder)[0].summary
    assert len(cases_module._READ) == cases_module._READ_KEPT
