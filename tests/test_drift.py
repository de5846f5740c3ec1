"""Drift (issue 18, part 5): the population stability index of each measure and year against
the training period, and the notes that name the measures that drifted."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import run_cli

import earlywarning as ew
from earlywarning import datasets
from earlywarning.drift import (
    DRIFTED,
    EMPTY_BIN_SHARE,
    MEASURES,
    MODERATE,
    TRAINING_YEARS,
    drift_lines,
    drift_notes,
    drift_table,
    drifted,
    psi,
    reading,
)


def _reference_psi(expected: list[float], actual: list[float]) -> float:
    """The PSI written out the long way: deciles of the expected values as edges, a value on an
    edge counted in the bin above, empty bins floored, then the sum term by term."""
    e = sorted(x for x in expected if not math.isnan(x))
    a = [x for x in actual if not math.isnan(x)]
    edges = sorted(set(np.quantile(e, [k / 10 for k in range(1, 10)]).tolist()))

    def bin_of(x: float) -> int:
        return sum(1 for edge in edges if x >= edge)

    total = 0.0
    for b in range(len(edges) + 1):
        pe = max(sum(1 for x in e if bin_of(x) == b) / len(e), EMPTY_BIN_SHARE)
        pa = max(sum(1 for x in a if bin_of(x) == b) / len(a), EMPTY_BIN_SHARE)
        total += (pa - pe) * math.log(pa / pe)
    return total


@pytest.mark.parametrize("seed", range(5))
def test_psi_agrees_with_a_reference_written_out_the_long_way(seed: int) -> None:
    rng = np.random.default_rng(seed)
    expected = np.round(rng.normal(20, 4, 300), 1).tolist()
    actual = np.round(rng.normal(20 + seed, 4 + seed / 2, 150), 1).tolist()
    actual[3] = float("nan")  # missing values take no part
    assert psi(expected, actual) == pytest.approx(_reference_psi(expected, actual))


def test_psi_is_zero_for_the_same_distribution_and_grows_with_a_shift() -> None:
    rng = np.random.default_rng(1)
    before = rng.normal(15, 3, 2000)
    assert psi(before, before) == pytest.approx(0.0, abs=1e-12)
    shifts = [psi(before, before + d) for d in (0.5, 1.5, 3.0, 6.0)]
    assert shifts == sorted(shifts) and shifts[0] < MODERATE and shifts[-1] > DRIFTED
    # a redefinition that moves every council past the top decile empties nine bins
    assert psi(before, before + 100) > 4
    assert math.isnan(psi(before, [np.nan, np.nan])) and math.isnan(psi([], before))


def test_reading_follows_the_usual_convention() -> None:
    assert [reading(x) for x in (0.0, 0.099, 0.1, 0.25, 0.2501, float("nan"))] == [
        "stable",
        "stable",
        "moderate",
        "moderate",
        "drifted",
        "n/a",
    ]


def test_the_table_has_every_measure_in_every_year_of_the_data() -> None:
    table = drift_table()
    first, last = datasets.profile_years()
    assert len(table) == len(MEASURES) * (last - first + 1)
    assert set(table["year"]) == set(range(first, last + 1))
    assert TRAINING_YEARS == (2018, 2019, 2020, 2021, 2022)
    # the table is worked out from the profiles: one cell checked against the profiles directly
    profiles = datasets.england_profiles(list(range(first, last + 1)))
    reference = profiles.loc[profiles["year"].isin(TRAINING_YEARS), "avg_caseload"]
    year = profiles.loc[profiles["year"] == 2025, "avg_caseload"]
    cell = table[(table["measure"] == "avg_caseload") & (table["year"] == 2025)].iloc[0]
    assert cell["psi"] == pytest.approx(_reference_psi(reference.tolist(), year.tolist()))
    assert cell["councils"] == int(year.notna().sum())
    # a measure no council has in a year has no PSI, and says so
    early = table[(table["measure"] == "avg_caseload") & (table["year"] < 2018)]
    assert early["psi"].isna().all() and (early["reading"] == "n/a").all()


def test_the_notes_name_exactly_the_measures_over_the_line_after_training() -> None:
    table = drift_table()
    after = table[(table["year"] > max(TRAINING_YEARS)) & (table["psi"] > DRIFTED)]
    assert set(drifted()) == set(after["measure"])
    assert len(drift_notes()) == len(drift_lines()) == after["measure"].nunique()
    for measure, found in drifted().items():
        for year, value in found:
            assert f"{year} ({value:.2f})" in next(n for n in drift_notes() if measure in n)
    # the years can be chosen; the training years themselves drift nowhere by much
    assert drifted(TRAINING_YEARS) == {}
    within = table[table["year"].isin(TRAINING_YEARS)]["psi"].dropna()
    assert (within < DRIFTED).all()


def test_the_table_is_a_fresh_copy_each_time() -> None:
    table = drift_table()
    table.loc[:, "psi"] = 99.0
    assert (drift_table()["psi"] != 99.0).any()
    assert isinstance(drift_table(), pd.DataFrame)


def test_data_status_and_validate_name_the_drifted_measures(
    validation_report: ew.ValidationReport,
) -> None:
    code, text = run_cli("data", "status", "--today", "2026-12-01")
    assert code == 0
    assert "Measures drifted from the training period since it ended" in text
    for line in drift_lines():
        assert f"  - {line}\n" in text
    report = validation_report
    test_years = range(2022, 2026)
    assert report.notes == drift_notes(test_years)
    for note in report.notes:
        assert note.split()[1] in report.to_text()
