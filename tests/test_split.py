"""The frozen split (issue 18, parts 1 and 2): the test period's inspections, their loader, and
the outcomes per inspection area."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import ROOT, examples, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning import datasets
from earlywarning.datasets.periods import PERIODS, TRAINING_CUTOFF, check_in_period
from earlywarning.outcomes import AREAS, OUTCOMES, derive_outcomes
from earlywarning.vocabulary import RATINGS

# The file's input columns and the profile fields the builder makes of the same facts.
INPUTS = {
    "caseload": "avg_caseload",
    "agency_rate_pct": "agency_rate_pct",
    "turnover_rate_pct": "turnover_rate_pct",
    "vacancy_rate_pct": "vacancy_rate_pct",
    "absence_rate_pct": "absence_rate_pct",
    "cla_rate_10k_yeMar": "cla_rate_per_10k",
    "cin_rate_10k_yeMar": "cin_rate_per_10k",
    "referrals_rate_change_3y_pct": "demand_change_pct",
    "s251_prevent_pc_change_pct": "early_help_spend_change_pct",
}


@pytest.fixture(scope="module")
def both() -> pd.DataFrame:
    return datasets.inspection_profiles(period="all")


# ----------------------------------------------------------------------------------------------
# The periods and the test period's file


def test_the_periods_meet_without_a_gap_and_end_at_the_outcomes_cutoff() -> None:
    training, test = PERIODS
    assert training.last == TRAINING_CUTOFF == datasets.TRAINING_CUTOFF
    assert test.first == training.last + dt.timedelta(days=1)
    assert test.last == datasets.OUTCOMES_CUTOFF


def test_each_period_loads_its_own_inspections_and_training_stays_the_default() -> None:
    training = datasets.ilacs_inspections()
    test = datasets.ilacs_inspections("test")
    every = datasets.ilacs_inspections("all")
    assert (len(training), len(test), len(every)) == (136, 135, 271)
    assert training.equals(datasets.ilacs_inspections("training"))
    assert list(test.columns) == list(training.columns)
    for period, frame in zip(PERIODS, (training, test), strict=True):
        assert period.holds(frame["inspection_start"]).all(), period.name
    # every ILACS judgement to March 2025 is in exactly one of the two files
    j = datasets.ofsted_judgements()
    ilacs = j[j["framework"] == "ILACS"].set_index(["la_code", "date"]).index
    assert sorted(ilacs) == sorted(zip(every["la_code"], every["inspection_start"], strict=True))
    with pytest.raises(ew.EarlyWarningError, match="period 'later' is not one of"):
        datasets.ilacs_inspections("later")  # type: ignore[arg-type]


@pytest.mark.parametrize("period", ["training", "test"])
def test_the_files_inputs_are_what_the_profile_builder_makes_of_the_panel(period: str) -> None:
    """Both files follow one convention (census of the September before, demand to the March
    before); the library builds its profiles from the panel, so the files' own input columns
    must agree with it to their rounding (0.05)."""
    table = datasets.ilacs_inspections(period)  # type: ignore[arg-type]
    years = table["inspection_start"].dt.year - 1
    assert (table["csww_snapshot_30sep"] == years).all()
    assert (table["demand_year_end_31mar"] == years).all()
    built = datasets.inspection_profiles(period=period)  # type: ignore[arg-type]
    for column, field in INPUTS.items():
        theirs, ours = table[column].to_numpy(float), built[field].to_numpy(float)
        assert (np.isnan(theirs) == np.isnan(ours)).all(), column
        known = ~np.isnan(theirs)
        assert np.abs(theirs[known] - ours[known]).max() <= 0.05 + 1e-9, column


def test_the_test_files_revenue_outturn_columns_are_empty_and_unused() -> None:
    """MHCLG's outturn series stops in 2017-18, so the test file leaves its change blank; the
    training file carries it, and no profile field reads it."""
    outturn = [c for c in datasets.ilacs_inspections().columns if c.startswith("ro_csc")]
    assert len(outturn) == 3
    assert datasets.ilacs_inspections("test")[outturn].isna().all().all()
    assert datasets.ilacs_inspections()[outturn].notna().sum().min() == 135
    assert not any(c.startswith("ro_csc") for c in datasets.PROFILE_COLUMNS)


def test_a_row_outside_the_period_is_refused_with_its_row_and_date() -> None:
    dates = pd.Series(pd.to_datetime(["2021-05-01", "2022-04-25"]), index=["a", "b"])
    check_in_period(dates, "all", "fit")
    with pytest.raises(ew.EarlyWarningError) as err:
        check_in_period(dates, "training", "fit")
    assert "row 'b' is dated 25 April 2022" in str(err.value)
    assert "training (January 2018 to March 2022)" in str(err.value)


# ----------------------------------------------------------------------------------------------
# Outcomes per area


def _reference(new: dict[str, str | None], prev: dict[str, str | None]) -> dict[str, bool | None]:
    """The outcomes by area written out afresh (a slow, obvious reference)."""

    def g(r: str | None) -> int | None:
        return None if r is None else RATINGS.index(r) + 1

    out: dict[str, bool | None] = {}
    for area in ("leadership", "help_protection"):
        n, p = g(new[area]), g(prev[area])
        out[f"{area}_below_good"] = None if n is None else n >= 3
        ok = n is not None and p is not None and p <= 2
        out[f"{area}_declined_from_good"] = (n > p) if ok else None  # type: ignore[operator]
    now = [g(new[a]) for a in AREAS if new[a] is not None]
    then = [g(prev[a]) for a in AREAS if prev[a] is not None]
    out["any_area_below_good"] = max(now) >= 3 if now else None  # type: ignore[type-var]
    ok = bool(now) and bool(then) and max(then) <= 2  # type: ignore[type-var]
    out["any_area_declined_from_good"] = max(now) > max(then) if ok else None  # type: ignore[type-var]
    return out


def test_the_outcomes_by_area_agree_with_a_reference_on_every_inspection(
    both: pd.DataFrame,
) -> None:
    for _, row in both.iterrows():
        new = {a: row[f"new_{a}"] for a in AREAS}
        prev = {a: row[f"prev_{a}"] for a in AREAS}
        for name, expected in _reference(new, prev).items():
            got = row[name]
            assert (None if got is None or pd.isna(got) else bool(got)) == expected, (name, row)


def test_the_area_judgements_are_ofsteds_at_the_inspection_and_the_one_before(
    both: pd.DataFrame,
) -> None:
    j = datasets.ofsted_judgements()
    for _, row in both.sample(25, random_state=0).iterrows():
        mine = j[j["la_code"] == row["la_code"]]
        at = mine[mine["date"] == row["inspection_start"]].iloc[0]
        before = mine[mine["date"] < row["inspection_start"]]
        for area in AREAS:
            assert row[f"new_{area}"] == at[area]
            want = before.iloc[-1][area] if len(before) else None
            assert row[f"prev_{area}"] == want


def test_outcomes_by_area_work_without_an_overall_grade() -> None:
    """From April 2026 Ofsted gives no overall grade: the overall outcomes are unknown, the
    outcomes by area are not."""
    areas = pd.DataFrame(
        {
            "leadership": ["good", "outstanding"],
            "help_protection": ["requires_improvement", "good"],
            "children_in_care": ["good", "good"],
            "care_leavers": [None, "inadequate"],
        }
    )
    before = pd.DataFrame({a: ["good", "good"] for a in AREAS})
    none = pd.Series([None, None], dtype=object)
    out = derive_outcomes(none, none, new_areas=areas, prev_areas=before)
    assert out["below_good"].tolist() == [None, None]
    assert out["any_area_below_good"].tolist() == [True, True]
    assert out["help_protection_below_good"].tolist() == [True, False]
    assert out["leadership_declined_from_good"].tolist() == [False, False]
    assert out["help_protection_declined_from_good"].tolist() == [True, False]
    assert out["any_area_declined_from_good"].tolist() == [True, True]


def test_every_outcome_has_both_kinds_in_each_period(both: pd.DataFrame) -> None:
    for period in PERIODS:
        rows = both[period.holds(both["inspection_start"])]
        for spec in OUTCOMES:
            known = rows[spec.name].dropna().astype(bool)
            assert 0 < known.sum() < len(known), (period.name, spec.name)


# ----------------------------------------------------------------------------------------------
# Validation of both periods


@pytest.fixture(scope="module")
def report(validation_report: ew.ValidationReport) -> ew.ValidationReport:
    """The session's one validation report (tests/conftest.py), both periods."""
    return validation_report


def test_validate_reports_every_outcome_in_both_periods(report: ew.ValidationReport) -> None:
    assert report.period == "training" and report.test is not None
    assert report.test.period == "test"
    table = report.table("all")
    assert list(table.index) == [(p.name, o.name) for p in PERIODS for o in OUTCOMES]
    assert (table["n"] > 0).all() and table["ruleset_auc"].between(0, 1).all()
    assert table["baseline_auc"].between(0, 1).all()
    assert len(report.scores) == 136 and len(report.test.scores) == 135
    assert report.test.scores["inspection_start"].min() > pd.Timestamp(TRAINING_CUTOFF)
    assert report.table("test").equals(report.test.table())
    with pytest.raises(ew.EarlyWarningError, match="period 'later' is not in the report"):
        report.table("later")


def test_the_test_periods_figures_are_its_own_rows_alone(report: ew.ValidationReport) -> None:
    """The one validation path, called on the test period's rows: the same figures."""
    test = datasets.inspection_profiles(period="test")
    alone = ew.validation.validate_profiles(test, baseline=False, resamples=0)
    assert report.test is not None
    pd.testing.assert_series_equal(alone.table()["ruleset_auc"], report.test.table()["ruleset_auc"])


def test_the_test_periods_baseline_is_fitted_on_training_alone() -> None:
    """Turning every outcome of the test period over changes none of its baseline's
    probabilities: they come from the model fitted on the training period."""
    pytest.importorskip("sklearn")
    training = datasets.inspection_profiles()
    test = datasets.inspection_profiles(period="test")
    flipped = test.copy()
    for spec in OUTCOMES:
        known = flipped[spec.name].notna()
        flipped.loc[known, spec.name] = ~flipped.loc[known, spec.name].astype(bool)
    one = ew.validation.validate_profiles(test, fit_on=training, resamples=0)
    two = ew.validation.validate_profiles(flipped, fit_on=training, resamples=0)
    assert one.baseline_fitted_on == 136
    for spec in OUTCOMES:
        column = f"baseline_{spec.name}"
        np.testing.assert_array_equal(one.scores[column], two.scores[column])
        known = test[spec.name].notna().to_numpy()
        # the AUC turns over with the outcomes: the probabilities did not follow them
        a, b = (
            one.table().loc[spec.name, "baseline_auc"],
            two.table().loc[spec.name, "baseline_auc"],
        )
        assert a == pytest.approx(1 - b), spec.name
        assert known.any()


def test_every_layout_shows_both_periods(report: ew.ValidationReport) -> None:
    text = report.to_text()
    assert "training: 136 inspections, 29 Jan 2018 to 28 Mar 2022" in text
    assert "test: 135 inspections, 25 Apr 2022 to 24 Mar 2025" in text
    assert "Outcomes by band, training" in text and "Outcomes by band, test" in text
    head = next(line for line in text.splitlines() if line.startswith("outcome "))
    assert head.split() == ["outcome", "training", "test"]
    for spec in OUTCOMES:
        at = text.splitlines().index(spec.label)
        row = text.splitlines()[at + 2]  # the ruleset's AUC in each period
        for period in ("training", "test"):
            auc = report.table(period).loc[spec.name, "ruleset_auc"]
            assert f"{auc:.2f} (" in row, (spec.name, period)
    csv = report.to_csv()
    assert csv.count("\ntraining,") == len(OUTCOMES) + 4
    assert csv.count("\ntest,") == len(OUTCOMES) + 4
    data = report.to_dict()
    assert {r["period"] for r in data["bands"]} == {"training", "test"}
    html = report._repr_html_()
    assert "Outcomes by band, test" in html


def test_the_command_prints_both_periods_for_every_outcome() -> None:
    pytest.importorskip("sklearn")
    code, text = run_cli("validate")
    assert code == 0
    lines = text.splitlines()
    for spec in OUTCOMES:
        at = lines.index(spec.label)
        counts = lines[at + 1].split()
        # inspections (with it): one "n (yes)" per period
        assert len(counts) == 3 + 4, spec.name
    assert "Notes" in lines


# ----------------------------------------------------------------------------------------------
# Fitting sees the training period unless told otherwise


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replace the fit's search by one that records how many rows reached it."""
    # the module, not the function ew.fit that `import earlywarning.fit as m` would give
    fit_module = sys.modules["earlywarning.fit"]
    seen: list[int] = []
    real = fit_module.search

    def search(start: Any, cols: Any, y: np.ndarray, *rest: Any) -> Any:
        seen.append(len(y))
        return real(start, cols, y, 1, *rest[1:])

    monkeypatch.setattr(fit_module, "search", search)
    return seen


def test_fit_refuses_test_period_rows_unless_the_period_is_named(spy: list[int]) -> None:
    every = datasets.inspection_profiles(period="all")
    with pytest.raises(ew.EarlyWarningError, match="outside the training"):
        ew.fit(None, every, every["below_good"])
    assert spy == []  # not one row reached the search
    training = every[every["inspection_start"] <= pd.Timestamp(TRAINING_CUTOFF)]
    ew.fit(None, training, training["below_good"], max_rounds=1)
    ew.fit(None, every, every["below_good"], max_rounds=1, period="all")
    assert spy == [136, 271]


def test_the_fit_command_fits_on_the_training_period_by_default(spy: list[int]) -> None:
    code, _ = run_cli("fit", "--inspections", "--outcome", "below_good", "--rounds", "1")
    assert code == 0 and spy == [136]
    code, _ = run_cli(
        "fit", "--inspections", "--outcome", "declined", "--rounds", "1", "--period", "test"
    )
    assert code == 0 and spy == [136, 131]


def test_calibration_works_on_cases_from_before_the_test_period() -> None:
    from earlywarning.calibrate import case_outcomes

    profiles, _ = case_outcomes()
    assert (profiles["year"] <= TRAINING_CUTOFF.year).all()


def test_the_readmes_figures_are_what_validate_prints(report: ew.ValidationReport) -> None:
    """The README quotes the test period's figures as the out-of-time evidence: every row of
    its table is what the report gives, to two decimals."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = ["below_good", "declined_from_good", "declined", "any_area_below_good"]

    def interval(row: pd.Series) -> str:
        return f"{row['ruleset_auc']:.2f} ({row['ruleset_low']:.2f} to {row['ruleset_high']:.2f})"

    for name in quoted:
        label = next(o.label for o in OUTCOMES if o.name == name)
        training, test = report.table().loc[name], report.table("test").loc[name]
        row = f"| {label} | {interval(training)} | {interval(test)} | {test['baseline_auc']:.2f} |"
        assert row in readme, row


def test_a_profiles_file_with_test_period_rows_is_refused_by_the_fit_command(
    tmp_path: Path, spy: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    every = datasets.inspection_profiles(period="all")
    columns = ["council", "year", "agency_rate_pct", "inspection_start", "below_good"]
    file = tmp_path / "inspections.csv"
    every[columns].to_csv(file, index=False)
    fit = ["fit", "--profiles", str(file), "--outcome", "below_good", "--rounds", "1"]
    code, _ = run_cli(*fit)
    assert code != 0 and "row 136 is dated 25 April 2022" in capsys.readouterr().err
    assert spy == []
    code, _ = run_cli(*fit, "--period", "all")
    assert code == 0 and spy == [271]
    # a date that is not one is refused with its row and value, never a bare traceback
    bad = every[columns].iloc[:136].astype({"inspection_start": str})
    bad.loc[3, "inspection_start"] = "soon"
    bad.to_csv(file, index=False)
    code, _ = run_cli(*fit)
    err = capsys.readouterr().err
    assert code != 0 and "row 3 has inspection_start 'soon', not a date" in err
    assert "Traceback" not in err


_GRADE = st.sampled_from([None, *RATINGS])


@settings(max_examples=examples(200), deadline=None)
@given(
    overall=st.lists(st.tuples(_GRADE, _GRADE), min_size=1, max_size=6),
    areas=st.lists(
        st.tuples(st.tuples(*[_GRADE] * 4), st.tuples(*[_GRADE] * 4)), min_size=6, max_size=6
    ),
)
def test_derived_outcomes_by_area_agree_with_the_reference_on_any_grades(
    overall: list[tuple[str | None, str | None]],
    areas: list[tuple[tuple[str | None, ...], tuple[str | None, ...]]],
) -> None:
    """Any grades, overall or not (a judgement without one included): the outcomes by area
    follow the sub-judgements alone, and the overall outcomes ignore them."""
    n = len(overall)
    new_areas = pd.DataFrame([a[0] for a in areas[:n]], columns=list(AREAS), dtype=object)
    prev_areas = pd.DataFrame([a[1] for a in areas[:n]], columns=list(AREAS), dtype=object)
    new = pd.Series([o[0] for o in overall], dtype=object)
    prev = pd.Series([o[1] for o in overall], dtype=object)
    out = derive_outcomes(new, prev, new_areas=new_areas, prev_areas=prev_areas)
    alone = derive_outcomes(new, prev)
    for i in range(n):
        want = _reference(new_areas.iloc[i].to_dict(), prev_areas.iloc[i].to_dict())
        for name, expected in want.items():
            assert out.loc[i, name] == expected, (name, i)
            assert alone.loc[i, name] is None
        for spec in OUTCOMES:
            if spec.area == "overall":
                assert out.loc[i, spec.name] == alone.loc[i, spec.name]
