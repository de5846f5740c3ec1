"""Drift: how far each profile measure's distribution in a year has moved from the training period.

The rules' thresholds were chosen on the councils as they were in the training period of the
frozen split (profiles of 1 January 2018 to 1 January 2022, the years the training inspections
were scored from; :mod:`earlywarning.datasets.periods`). When a measure is redefined (a census
counting caseloads another way) or the whole country moves (agency use rising everywhere), a
threshold no longer cuts where it did, and the score means something else. The population
stability index (PSI) measures that shift, per measure and year:

    PSI = sum over bins of (actual share - expected share) x ln(actual share / expected share)

with the bins the deciles of the training period's values (:data:`PSI_BINS`), the expected share
each bin's share of the training values (a tenth, less where values tie) and the actual share
that of the year's councils with a value. Missing values take no part (the share of councils
with a value is reported beside). By the usual convention of credit scoring (N. Siddiqi,
*Credit Risk Scorecards*, Wiley, 2006), a PSI below 0.1 reads as stable, 0.1 to 0.25 as a
moderate shift and above 0.25 as drifted (:data:`MODERATE`, :data:`DRIFTED`).

:func:`drift_table` gives the PSI of every measure in every year of the data in use;
:func:`drifted` names the measures that drifted after the training period, which
``earlywarning validate`` (:func:`drift_notes`) and ``earlywarning data status``
(:func:`drift_lines`) print.

Example:
    >>> from earlywarning.drift import drift_table
    >>> t = drift_table()
    >>> sorted(t.columns)
    ['councils', 'measure', 'psi', 'reading', 'with_value_share', 'year']
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from earlywarning.datasets import (
    PERIODS,
    PROFILE_COLUMNS,
    data_location,
    england_profiles,
    profile_years,
)

__all__ = [
    "DRIFTED",
    "EMPTY_BIN_SHARE",
    "MEASURES",
    "MODERATE",
    "PSI_BINS",
    "TRAINING_YEARS",
    "drift_lines",
    "drift_notes",
    "drift_table",
    "drifted",
    "psi",
    "reading",
]

PSI_BINS = 10
"""Bins of the PSI: the deciles of the training period's values."""

EMPTY_BIN_SHARE = 0.001
"""The share an empty bin is counted as, on either side, so that its logarithm stays finite. A
tenth of a percent is under a sixth of one council's share in a year of some 150 councils: a
decile that no council falls in any more still counts heavily (about 0.46 on its own, drifted),
as a real shift should, without the index becoming infinite."""

MODERATE = 0.1
"""The PSI from which a shift reads as moderate (the usual convention)."""

DRIFTED = 0.25
"""The PSI above which a measure reads as drifted (the usual convention)."""

MEASURES: tuple[str, ...] = tuple(
    c
    for c in PROFILE_COLUMNS
    if c not in ("council", "year", "la_code", "region", "previous_rating")
)
"""The profile measures whose drift is measured: every number the bundled data fill."""

TRAINING_YEARS: tuple[int, ...] = tuple(range(PERIODS[0].first.year, PERIODS[0].last.year + 1))
"""The profile years of the training period (1 January of each lies in it): the reference."""


def reading(value: float) -> str:
    """How a PSI reads by the usual convention: stable, moderate or drifted (n/a for NaN).

    Example:
        >>> from earlywarning.drift import reading
        >>> reading(0.05), reading(0.2), reading(0.4)
        ('stable', 'moderate', 'drifted')
    """
    if np.isnan(value):
        return "n/a"
    if value > DRIFTED:
        return "drifted"
    return "moderate" if value >= MODERATE else "stable"


def _edges(expected: np.ndarray) -> np.ndarray:
    """The inner bin edges: the distinct deciles of the expected values."""
    inner = np.quantile(expected, np.linspace(0, 1, PSI_BINS + 1)[1:-1])
    return np.unique(inner)


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    # a value equal to an edge goes to the bin above it, the same way on both sides
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return np.maximum(counts / len(values), EMPTY_BIN_SHARE)


def psi(expected: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray) -> float:
    """The population stability index of ``actual`` against ``expected`` (NaNs left out).

    Bins are the deciles of ``expected``; an empty bin counts as :data:`EMPTY_BIN_SHARE`.
    NaN when either side has no value.

    Example:
        >>> import numpy as np
        >>> from earlywarning.drift import psi
        >>> rng = np.random.default_rng(0)
        >>> before = rng.normal(10, 2, 1000)
        >>> round(psi(before, before), 3)
        0.0
        >>> psi(before, before + 3) > 0.25
        True
    """
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    e, a = e[~np.isnan(e)], a[~np.isnan(a)]
    if len(e) == 0 or len(a) == 0:
        return float("nan")
    edges = _edges(e)
    pe, pa = _shares(e, edges), _shares(a, edges)
    return float(np.sum((pa - pe) * np.log(pa / pe)))


@cache
def _table(location: object) -> pd.DataFrame:
    """The drift table of the data at ``location`` (cached per data directory)."""
    first, last = profile_years()
    profiles = england_profiles(list(range(first, last + 1)))
    reference = profiles[profiles["year"].isin(TRAINING_YEARS)]
    rows = []
    for measure in MEASURES:
        expected = reference[measure].to_numpy(dtype=float)
        for year, group in profiles.groupby("year"):
            values = group[measure].to_numpy(dtype=float)
            value = psi(expected, values)
            rows.append(
                {
                    "measure": measure,
                    "year": int(str(year)),
                    "councils": int((~np.isnan(values)).sum()),
                    "with_value_share": float((~np.isnan(values)).mean()),
                    "psi": value,
                    "reading": reading(value),
                }
            )
    return pd.DataFrame(rows)


def drift_table() -> pd.DataFrame:
    """The PSI of each profile measure in each year of the data in use, against the training
    period.

    Returns:
        One row per measure and year (years of :func:`~earlywarning.datasets.profile_years`):
        ``measure``, ``year``, ``councils`` (with a value), ``with_value_share``, ``psi`` (NaN
        when no council has a value) and ``reading`` (:func:`reading`). A fresh copy.

    Example:
        >>> from earlywarning.drift import drift_table
        >>> t = drift_table().set_index(["measure", "year"])
        >>> t.loc[("avg_caseload", 2020), "reading"]
        'stable'
    """
    return _table(data_location()).copy()


def drifted(years: Sequence[int] | None = None) -> dict[str, list[tuple[int, float]]]:
    """The measures that drifted (PSI above :data:`DRIFTED`) in ``years``, each with its years
    and PSIs, in the order of :data:`MEASURES`.

    ``years`` defaults to every year after the training period in the data in use (the test
    period's and the years since), the years the rules are applied out of their time.

    Example:
        >>> from earlywarning.drift import drifted
        >>> drifted([2019, 2020])
        {}
    """
    table = drift_table()
    after = table["year"] > max(TRAINING_YEARS) if years is None else table["year"].isin(years)
    rows = table[after & (table["psi"] > DRIFTED)]
    found: dict[str, list[tuple[int, float]]] = {}
    for measure, year, value in zip(rows["measure"], rows["year"], rows["psi"], strict=True):
        found.setdefault(str(measure), []).append((int(year), float(value)))
    return found


def drift_notes(years: Sequence[int] | None = None) -> tuple[str, ...]:
    """One sentence per measure that drifted in ``years`` (see :func:`drifted`), as
    ``earlywarning validate`` prints them.

    Example:
        >>> from earlywarning.drift import drift_notes
        >>> all(note.startswith("drift: ") for note in drift_notes())
        True
    """
    return tuple(
        f"drift: {measure} has moved from the training period's distribution (PSI over "
        f"{DRIFTED}) in {_when(found)}; its thresholds may not cut where they did"
        for measure, found in drifted(years).items()
    )


def _when(found: list[tuple[int, float]]) -> str:
    return ", ".join(f"{year} ({value:.2f})" for year, value in found)


def drift_lines(years: Sequence[int] | None = None) -> tuple[str, ...]:
    """One short line per measure that drifted in ``years``, as ``earlywarning data status``
    prints them: the measure, then each year with its PSI.

    Example:
        >>> from earlywarning.drift import drift_lines
        >>> drift_lines([2019])
        ()
    """
    return tuple(f"{measure}: {_when(found)}" for measure, found in drifted(years).items())
