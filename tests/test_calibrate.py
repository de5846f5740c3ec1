"""Calibration: the documented cases, the bar of the default ruleset, fitting within bounds."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import TEST_BANDS, run_cli

import earlywarning as ew
from earlywarning.calibrate import (
    FitResult,
    auc,
    calibration_report,
    check_bar,
    fit,
    rank_agreement,
)
from earlywarning.cases import Case, cases_frame, load_cases
from earlywarning.cli._output import STAMP_COLUMNS
from earlywarning.datasets import england_panel
from earlywarning.errors import OutcomeError
from earlywarning.profile import FIELDS
from earlywarning.rules import BAND_NAMES, ruleset_from_data

COLUMNS = [
    "council",
    "snapshot",
    "expected_bands",
    "score",
    "band",
    "coverage",
    "agrees",
    "preceded_decline",
    "change",
    "main_reasons",
    "missing",
]


run = run_cli


# ----------------------------------------------------------------------------------------------
# The documented cases and the bar


def test_bar_default_ruleset() -> None:
    report = calibration_report()
    assert check_bar(report) == []
    disagree = report.index[~report["agrees"]].tolist()
    assert disagree == [], report.loc[disagree, ["expected_bands", "score", "band"]]

    # Kirklees has thin data: the result must still say how complete it is, and what is missing.
    kirklees = next(c for c in load_cases() if c.id == "kirklees-2016")
    coverage = report.loc["kirklees-2016", "coverage"]
    assert 0 < coverage < 1
    a = ew.score(kirklees.profile_model())
    assert a.coverage == pytest.approx(coverage)
    assert report.loc["kirklees-2016", "missing"] == len(a.missing) > 0
    text = a.explain()
    assert "No data for" in text
    labels = {ind.id: ind.label for ind in ew.load_ruleset().indicators}
    for indicator in a.missing:
        assert labels[indicator] in text


def test_report_has_one_row_per_case_and_the_columns() -> None:
    cases = load_cases()
    report = ew.calibration_report()
    assert list(report.columns) == COLUMNS
    assert report.index.name == "case"
    assert list(report.index) == [c.id for c in cases]
    for case in cases:
        row = report.loc[case.id]
        assert row["council"] == case.council
        assert row["snapshot"] == case.snapshot
        assert row["expected_bands"] == case.expected_bands
        assert row["preceded_decline"] == case.outcome.preceded_decline
        assert row["change"] == case.outcome.change
        assert row["agrees"] == (row["band"] in case.expected_bands)
        assert 0 <= row["coverage"] <= 1
        assert len(row["main_reasons"].split("; ")) <= 3
        # one evaluation path: the report and a single score agree
        a = ew.score(case.profile_model())
        assert (row["score"], row["band"]) == (a.score, a.band)
        assert row["main_reasons"].split("; ") == a.reasons[:3] or not a.reasons


def test_check_bar_names_the_cases_and_scores() -> None:
    report = calibration_report()
    broken = report.copy()
    broken.loc["oxfordshire-2018", ["score", "band"]] = [60.0, "severe"]
    broken.loc["kirklees-2016", ["score", "band"]] = [3.0, "low"]
    failures = check_bar(broken)
    text = "\n".join(failures)
    assert "oxfordshire-2018 must be low but is severe (score 60)" in text
    assert "kirklees-2016 must be high or severe but is low (score 3)" in text
    assert "oxfordshire-2018 must score lowest" in text
    assert "kirklees-2016 preceded a decline but scores 3, not above oxfordshire-2018 (60)" in text
    assert any("is not in the report" in f for f in check_bar(report.drop("durham-2016")))
    broken.loc["durham-2016", "coverage"] = np.nan
    assert any("durham-2016 does not report how complete" in f for f in check_bar(broken))


def test_the_bar_is_the_expected_bands_of_the_bundled_cases() -> None:
    # the bar is not restated in code: each case's own expected_bands are its bar
    report = calibration_report()
    for case in load_cases():
        wrong = next(b for b in BAND_NAMES if b not in case.expected_bands)
        broken = report.copy()
        broken.loc[case.id, "band"] = wrong
        failures = [f for f in check_bar(broken) if f.startswith(f"{case.id} must be ")]
        assert len(failures) == 1, failures
        assert f"but is {wrong}" in failures[0]
        for band in case.expected_bands:
            assert band in failures[0].split(" but is ")[0]


def test_cli_calibrate_default() -> None:
    report = calibration_report()
    passes = bool(report["agrees"].all()) and not check_bar(report)
    code, out = run("calibrate")
    assert code == (0 if passes else 1)
    for case in report.index:
        assert case in out
    if passes:
        assert "Every case agrees and the bar holds." in out


def test_cli_calibrate_csv_and_json() -> None:
    _, out = run("calibrate", "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["case", *COLUMNS, *STAMP_COLUMNS]
    assert len(table) == len(load_cases())
    _, out = run("calibrate", "--format", "json")
    records = yaml.safe_load(out)  # JSON is YAML
    assert {r["case"] for r in records} == {c.id for c in load_cases()}


def test_cli_calibrate_fails_on_a_broken_ruleset(tmp_path: Path) -> None:
    # every score lands in low: bands start at 97 and no red flag can lift a band
    data = ew.load_ruleset().to_data()
    data["bands"] = [
        {"name": "low", "from": 0, "below": 97},
        {"name": "moderate", "from": 97, "below": 98},
        {"name": "high", "from": 98, "below": 99},
        {"name": "severe", "from": 99},
    ]
    for section in ("indicators", "combinations"):
        for rule in data[section]:
            rule.pop("red_flag", None)
            for level in rule.get("levels", []):
                level.pop("red_flag", None)
    file = tmp_path / "broken.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    code, out = run("calibrate", "--rules", str(file))
    assert code == 1
    failures = out.split("Cases that disagree:")[1]
    assert "derbyshire-2016: expected high/severe, got low" in failures
    assert "The bar fails:" in out


# ----------------------------------------------------------------------------------------------
# Measures of agreement


def test_auc_counts_ties_half_and_ignores_missing_scores() -> None:
    assert auc([1, 2, 3, 4], [0, 0, 1, 1]) == 1.0
    assert auc([4, 3, 2, 1], [0, 0, 1, 1]) == 0.0
    assert auc([1, 1, 1, 1], [0, 1, 0, 1]) == 0.5
    assert auc([1, 2, 2, 3], [0, 1, 0, 1]) == 0.875
    assert auc([1, np.nan, 3], [False, False, True]) == 1.0
    rng = np.random.default_rng(3)
    s = rng.integers(0, 5, 200).astype(float)
    y = rng.random(200) < 0.4
    pairs = [(a > b) + 0.5 * (a == b) for a in s[y] for b in s[~y]]
    assert auc(s, y) == pytest.approx(np.mean(pairs))
    with pytest.raises(ew.EarlyWarningError, match="one positive and one negative"):
        auc([1, 2], [True, True])
    with pytest.raises(ew.EarlyWarningError, match="not true/false"):
        auc([1, 2], [True, "maybe"])


def test_rank_agreement_is_the_share_of_concordant_pairs() -> None:
    rng = np.random.default_rng(4)
    s = rng.integers(0, 6, 60).astype(float)
    o = rng.integers(0, 4, 60).astype(float)
    pairs = [
        (s[i] > s[j]) + 0.5 * (s[i] == s[j]) for i in range(60) for j in range(60) if o[i] > o[j]
    ]
    assert rank_agreement(s, o) == pytest.approx(np.mean(pairs))
    y = o >= 2
    assert rank_agreement(s, y.astype(float)) == pytest.approx(auc(s, y))
    with pytest.raises(ew.EarlyWarningError):
        rank_agreement([1, 2], [1, 1])


# ----------------------------------------------------------------------------------------------
# Fitting on synthetic data where the truth is known

TRUE_EDGES = {"agency_rate": 20.0, "vacancy_rate": 12.0}
GRID_STEP = (35 - 5) / 8


def _indicator(rule: str, measure: str, edge: float) -> dict[str, Any]:
    return {
        "id": rule,
        "measure": measure,
        "label": rule.replace("_", " "),
        "unit": "%",
        "direction": "higher_is_worse",
        "levels": [
            {"below": edge, "points": 0},
            {"from": edge, "points": 20, "from_range": [5, 35], "points_range": [10, 30]},
        ],
        "rationale": "synthetic",
        "evidence": ["synthetic"],
    }


def _synthetic_ruleset(tmp_path: Path, edge: float = 30.0) -> ew.Ruleset:
    data = {
        "id": "synthetic",
        "version": "0.1.0",
        "bands": TEST_BANDS,
        "indicators": [
            _indicator("agency_rate", "agency_rate_pct", edge),
            _indicator("vacancy_rate", "vacancy_rate_pct", edge),
        ],
    }
    file = tmp_path / "synthetic.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return ew.load_ruleset(file)


def _synthetic_profiles(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    agency = rng.uniform(0, 40, n)
    vacancy = rng.uniform(0, 40, n)
    logit = -2.0 + 2.5 * (agency >= TRUE_EDGES["agency_rate"])
    logit += 2.5 * (vacancy >= TRUE_EDGES["vacancy_rate"])
    outcome = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {"council": "X", "year": 2020, "agency_rate_pct": agency, "vacancy_rate_pct": vacancy}
    )
    return frame, outcome


def test_fit_recovers_known_edges(tmp_path: Path) -> None:
    start = _synthetic_ruleset(tmp_path)
    profiles, outcome = _synthetic_profiles(2000, seed=1)
    result = fit(start, profiles, outcome)
    assert isinstance(result, FitResult)
    for rule, truth in TRUE_EDGES.items():
        edge = result.ruleset.indicator(rule).levels[1].from_
        assert edge is not None and abs(edge - truth) <= GRID_STEP, (rule, edge)
        # the level below moved with it: no gap, no overlap
        assert result.ruleset.indicator(rule).levels[0].below == edge
    assert result.auc_after > result.auc_before + 0.05
    assert result.auc_after == pytest.approx(
        auc(ew.score_frame(profiles, result.ruleset)["score"], outcome)
    )
    assert result.ruleset.version == "0.1.0+fit.1"
    assert result.original == start
    assert result.rows_used == 2000

    # directions and monotone levels hold: the loader accepts the result, and it round-trips
    file = tmp_path / "fitted.yaml"
    file.write_text(result.ruleset.to_yaml(), encoding="utf-8")
    again = ew.load_ruleset(file)
    assert again == result.ruleset
    assert again.content_hash == result.ruleset.content_hash
    for ind in again.indicators:
        assert ind.direction == "higher_is_worse"
        points = [lv.points for lv in ind.levels]
        assert points == sorted(points)
        assert all(5 <= (lv.from_ or 0) <= 35 for lv in ind.levels[1:])

    diff = result.diff()
    assert "AUC" in diff and "0.1.0 → 0.1.0+fit.1" in diff
    for rule in TRUE_EDGES:
        edge = result.ruleset.indicator(rule).levels[1].from_
        assert f"{rule} level 1: from 30 → {edge:g}" in diff
    for change in result.changes:
        assert change.auc_gain > 0
        assert str(change) in diff


def test_fit_takes_a_version_and_respects_tight_bounds(tmp_path: Path) -> None:
    start = _synthetic_ruleset(tmp_path)
    data = start.to_data()
    for ind in data["indicators"]:
        ind["levels"][1]["from_range"] = [28, 32]  # the truth is outside: stop at the bound
    start = ruleset_from_data(data, "<test>")
    profiles, outcome = _synthetic_profiles(1000, seed=2)
    result = fit(start, profiles, outcome, version="2.0.0")
    assert result.ruleset.version == "2.0.0"
    for ind in result.ruleset.indicators:
        # the search stays inside the bounds, at the end nearest the truth (give or take noise)
        assert ind.levels[1].from_ is not None and 28 <= ind.levels[1].from_ <= 29


def test_fit_keeps_edges_increasing_across_levels() -> None:
    rules = ew.load_ruleset()
    rng = np.random.default_rng(5)
    profiles = pd.DataFrame(
        {
            "council": "X",
            "year": 2020,
            "agency_rate_pct": rng.uniform(0, 40, 300),
            "avg_caseload": rng.uniform(10, 26, 300),
        }
    )
    outcome = rng.random(300) < 0.4
    result = fit(rules, profiles, outcome, max_rounds=2)
    for ind in result.ruleset.indicators:
        edges = [lv.from_ for lv in ind.levels[1:]]
        assert edges == sorted(edges) and len(set(edges)) == len(edges)
        for lo, hi in zip(ind.levels, ind.levels[1:], strict=False):
            assert lo.below == hi.from_
    assert ruleset_from_data(result.ruleset.to_data(), "<again>") == result.ruleset


def test_fit_refuses_mismatched_outcomes(tmp_path: Path) -> None:
    start = _synthetic_ruleset(tmp_path)
    profiles, outcome = _synthetic_profiles(10, seed=0)
    with pytest.raises(ew.EarlyWarningError, match="one outcome per row"):
        fit(start, profiles, outcome[:5])
    with pytest.raises(ew.EarlyWarningError, match="all the same"):
        fit(start, profiles, [True] * 10)
    series = pd.Series(outcome, index=profiles.index)[::-1]  # aligned by index
    assert fit(start, profiles, series).auc_before == fit(start, profiles, outcome).auc_before


# ----------------------------------------------------------------------------------------------
# Leave-one-out


def test_leave_one_out_is_computed_from_held_out_scores(tmp_path: Path) -> None:
    start = _synthetic_ruleset(tmp_path)
    profiles = pd.DataFrame(
        {
            "council": list("ABCDE"),
            "year": 2020,
            "agency_rate_pct": [4.0, 24.0, 31.0, 17.0, 36.0],
            "vacancy_rate_pct": [6.0, 8.0, 33.0, 25.0, 14.0],
        },
        index=[10, 11, 12, 13, 14],
    )
    outcome = [False, False, True, True, False]
    result = fit(start, profiles, outcome, loo=True, loo_rounds=2)
    assert result.loo is not None
    held = []
    for i in profiles.index:
        rest = profiles.drop(index=i)
        rest_outcome = [o for j, o in zip(profiles.index, outcome, strict=True) if j != i]
        alone = fit(start, rest, rest_outcome, max_rounds=2)
        held.append(ew.score_frame(profiles.loc[[i]], alone.ruleset)["score"].iloc[0])
        assert (
            result.loo.bands[i] == ew.score_frame(profiles.loc[[i]], alone.ruleset)["band"].iloc[0]
        )
    assert list(result.loo.scores) == held
    assert list(result.loo.scores.index) == list(profiles.index)
    assert result.loo.auc == pytest.approx(auc(held, outcome))
    assert result.loo.in_sample_auc == result.auc_after
    assert result.loo.folds == 5
    assert "leave-one-out AUC" in result.diff()


def test_leave_one_out_shows_overfitting(tmp_path: Path) -> None:
    # outcomes unrelated to the measures: whatever the fit finds in-sample is noise, and the
    # held-out AUC shows it (it can tie the in-sample AUC on a given draw, but not exceed it here)
    start = _synthetic_ruleset(tmp_path)
    gaps = []
    for seed in (1, 2, 3):
        profiles, _ = _synthetic_profiles(24, seed=seed)
        outcome = np.random.default_rng(seed).random(24) < 0.5
        result = fit(start, profiles, outcome, loo=True, loo_rounds=2)
        assert result.loo is not None
        assert result.auc_after > result.auc_before
        assert result.loo.auc <= result.loo.in_sample_auc
        gaps.append(result.loo.in_sample_auc - result.loo.auc)
    assert max(gaps) > 0.05


def test_k_fold_runs_one_fit_per_fold(tmp_path: Path) -> None:
    start = _synthetic_ruleset(tmp_path)
    profiles, outcome = _synthetic_profiles(200, seed=6)
    result = fit(start, profiles, outcome, loo=True, folds=4)
    assert result.loo is not None and result.loo.folds == 4
    assert result.loo.scores.notna().all()
    assert "4-fold AUC" in str(result.loo)
    assert result.loo.auc > 0.6


def test_fit_on_the_documented_cases_reports_loo() -> None:
    cases = load_cases()
    profiles = cases_frame(cases)
    outcome = [c.outcome.preceded_decline for c in cases]
    result = fit(None, profiles, outcome, loo=True, max_rounds=2, loo_rounds=1)
    assert result.loo is not None
    assert 0 <= result.loo.auc <= 1 and 0 <= result.auc_after <= 1
    assert result.auc_after >= result.auc_before
    assert set(result.loo.bands) <= set(BAND_NAMES)


# ----------------------------------------------------------------------------------------------
# The CLI fit


def test_cli_fit_writes_yaml_and_prints_the_diff(tmp_path: Path) -> None:
    rules = _synthetic_ruleset(tmp_path)
    rules_file = tmp_path / "synthetic.yaml"
    profiles, outcome = _synthetic_profiles(500, seed=7)
    csv = tmp_path / "profiles.csv"
    profiles.assign(declined=np.where(outcome, "yes", "no")).to_csv(csv, index=False)
    target = tmp_path / "fitted.yaml"
    code, out = run(
        "fit",
        "--profiles",
        str(csv),
        "--outcome",
        "declined",
        "--rules",
        str(rules_file),
        "--output",
        str(target),
        "--loo",
        "--folds",
        "3",
    )
    assert code == 0
    fitted = ew.load_ruleset(target)
    assert fitted.version == "0.1.0+fit.1"
    assert "AUC" in out and "3-fold AUC" in out and "level 1: from 30 →" in out
    direct = fit(rules, profiles, outcome)
    assert fitted == direct.ruleset


def test_cli_fit_usage_errors(tmp_path: Path) -> None:
    profiles, outcome = _synthetic_profiles(20, seed=8)
    csv = tmp_path / "profiles.csv"
    profiles.assign(declined=np.where(outcome, "maybe", "no")).to_csv(csv, index=False)
    assert run("fit", "--profiles", str(csv))[0] == 2
    assert run("fit", "--profiles", str(csv), "--outcome", "nope")[0] == 1
    assert run("fit", "--profiles", str(csv), "--outcome", "declined")[0] == 1


def test_fit_reads_yes_no_outcomes_and_refuses_others(tmp_path: Path) -> None:
    start = _synthetic_ruleset(tmp_path)
    profiles, outcome = _synthetic_profiles(40, seed=9)
    words = np.where(outcome, "yes", "no").tolist()
    assert fit(start, profiles, words, max_rounds=1) == fit(start, profiles, outcome, max_rounds=1)
    words[3] = "maybe"
    with pytest.raises(OutcomeError) as caught:
        fit(start, profiles, words)
    assert (caught.value.row, caught.value.value) == (profiles.index[3], "maybe")


def test_cli_fit_names_the_cell_it_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profiles, outcome = _synthetic_profiles(20, seed=8)
    csv = tmp_path / "profiles.csv"
    labels = np.where(outcome, "yes", "no").tolist()
    labels[5] = "maybe"
    profiles.assign(declined=labels).to_csv(csv, index=False)
    assert run("fit", "--profiles", str(csv), "--outcome", "declined")[0] == 1
    err = capsys.readouterr().err
    assert "'declined'" in err and "row 5" in err and "'maybe'" in err


def test_cli_fit_cases(tmp_path: Path) -> None:
    target = tmp_path / "fitted.yaml"
    code, out = run("fit", "--cases", "--rounds", "2", "--output", str(target))
    assert code == 0
    assert ew.load_ruleset(target).version.endswith("+fit.1")
    for case in load_cases():
        assert case.id in out
    assert "cases agreeing with their expected bands" in out


# ----------------------------------------------------------------------------------------------
# Robustness (issue part 5): no case's band hangs on one guessed number

_SPEC = {f.name: f for f in FIELDS}


def _margin(field: str) -> float:
    """How far a judgement may reasonably be off.

    Five points of a percentage, as the issue suggests. Five points is about a third of the
    spread (interquartile range) of agency and vacancy rates between English councils, so a
    caseload moves by a third of its own spread in the bundled census: about one case.
    """
    if field.endswith("_pct"):
        return 5.0
    if field == "avg_caseload":
        caseloads = england_panel()["csww_caseload_fte"].dropna()
        return float(caseloads.quantile(0.75) - caseloads.quantile(0.25)) / 3
    return math.inf  # no natural margin: the ends of the plausible range


def _moves() -> list[Any]:
    params = []
    for case in load_cases():
        for field, evidence in case.evidence.items():
            if evidence.kind != "judgement" or evidence.plausible_range is None:
                continue
            for sign, word in ((-1, "down"), (1, "up")):
                params.append(pytest.param(case, field, sign, id=f"{case.id}-{field}-{word}"))
    return params


@pytest.mark.parametrize(("case", "field", "sign"), _moves())
def test_bands_survive_a_reasonable_error_in_each_judgement(
    case: Case, field: str, sign: int
) -> None:
    value = float(case.profile[field])
    low, high = case.evidence[field].plausible_range or (value, value)
    moved = value + sign * _margin(field)
    moved = min(max(moved, low), high)  # the plausible range where that is tighter
    spec = _SPEC[field]
    if spec.minimum is not None:
        moved = max(moved, spec.minimum)
    if spec.maximum is not None:
        moved = min(moved, spec.maximum)
    shifted = case.model_copy(update={"profile": {**case.profile, field: moved}})
    row = calibration_report(cases=[shifted]).iloc[0]
    assert row["band"] in case.expected_bands, (
        f"{case.id}: {field} {value:g} → {moved:g} gives {row['band']} (score {row['score']:g}), "
        f"expected {'/'.join(case.expected_bands)}"
    )


def test_cli_fit_unwritable_output_is_one_line_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "no-such-folder"
    code = run("fit", "--cases", "--rounds", "1", "--output", str(folder / "fitted.yaml"))[0]
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot be written" in err and "Traceback" not in err
    assert not folder.exists()
