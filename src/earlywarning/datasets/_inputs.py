"""How the profile builder reads the panel: per-council inputs by year, changes and peer measures;
and where a day falls among a council's dated rows, for the judgements before and after it.

Private to the package; :func:`earlywarning.datasets.profiles_at` documents the conventions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.datasets._england import ALIASES, INPUT_SOURCES, cached, panel
from earlywarning.datasets.neighbours import NeighboursLike, neighbour_median
from earlywarning.local import LOOKBACK_YEARS
from earlywarning.profile import DERIVED, DERIVED_BY_NAME
from earlywarning.profile.derived import CLA_CHANGE_2Y

__all__ = [
    "CENSUS_FIELDS",
    "PEER_FIELDS",
    "TREND_FIELDS",
    "Reader",
    "council_inputs",
    "fill_measures",
    "pct_change",
    "rows_around",
]

# The workforce census measures, as the profile field each one fills.
CENSUS_FIELDS = {
    "avg_caseload": "csww_caseload_fte",
    "agency_rate_pct": "csww_agency_rate_fte",
    "turnover_rate_pct": "csww_turnover_rate_fte",
    "vacancy_rate_pct": "csww_vacancy_rate_fte",
    "absence_rate_pct": "csww_absence_rate_fte",
}
# Peer-relative measures: the field, and the census measure read against the neighbours' median.
PEER_FIELDS = {d.name: d.lever for d in DERIVED if d.kind == "peer"}
# Two-year trends in the census: the field, and the measure whose change it is (the looked-after
# rate's trend is taken within one source, below).
TREND_FIELDS = {d.name: d.lever for d in DERIVED if d.kind == "trend" and d.lever in CENSUS_FIELDS}

_SPEND_BASE_YEAR = 2011
_TREND_YEARS = 2


# The panel's columns the inputs read (every other column is left out of the merge below).
_PANEL_COLUMNS = (
    *CENSUS_FIELDS.values(),
    "referrals_rate_10k_calc",
    "cjw_referrals_rate_10k",
    "cin_at31_rate_10k_calc",
    "cjw_cin_rate_10k",
    "cla_31mar_rate_10k",
    "cjw_cla_rate_10k",
    "cjw_s251_prevent_per_child_gbp",
)


@cached
def council_inputs() -> pd.DataFrame:
    """Per (council, year) inputs, indexed by (la_code, year), other codes' rows merged in."""
    rows = panel()
    rows = rows[~rows["la_code"].str.contains("/", regex=False)]
    codes = sorted(set(rows["la_code"]) - set(ALIASES))
    at = rows.groupby("la_code", sort=False).indices  # each code's rows, in panel order
    none = np.array([], dtype=np.intp)
    # every council's rows from each of its sources, all the first sources' before any second's:
    # one take of the panel, where a frame per council and source was most of the build's time
    parts = [
        (rank, code, at.get(source, none))
        for code in codes
        for rank, source in enumerate(INPUT_SOURCES.get(code, (code,)))
    ]
    parts.sort(key=lambda part: part[0])  # stable: by rank, then code
    take = np.concatenate([found for _, _, found in parts])
    names = np.concatenate([np.full(len(found), code, dtype=object) for _, code, found in parts])
    merged = rows.iloc[take][["year", *_PANEL_COLUMNS]].copy()
    merged.insert(0, "la_code", pd.Series(names, index=merged.index, dtype=rows["la_code"].dtype))
    # first() takes, column by column, the first non-missing value in rank order
    merged = merged.groupby(["la_code", "year"]).first()
    return pd.DataFrame(
        {
            **{field: merged[column] for field, column in CENSUS_FIELDS.items()},
            "referrals_dfe": merged["referrals_rate_10k_calc"],
            "referrals_webb": merged["cjw_referrals_rate_10k"],
            "cin_rate_per_10k": merged["cin_at31_rate_10k_calc"].fillna(merged["cjw_cin_rate_10k"]),
            "cla_dfe": merged["cla_31mar_rate_10k"],
            "cla_webb": merged["cjw_cla_rate_10k"],
            "cla_rate_per_10k": merged["cla_31mar_rate_10k"].fillna(merged["cjw_cla_rate_10k"]),
            "prevent_per_child": merged["cjw_s251_prevent_per_child_gbp"],
        },
        index=merged.index,
    )


def pct_change(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (new / old - 1.0) * 100.0
    return np.where(np.isfinite(change), change, np.nan)


@dataclass(frozen=True)
class _Grid:
    """The inputs as one council-by-year array per column (NaN where the panel has no row), and
    the preventative spend's latest year with a figure up to each year: read by position."""

    codes: pd.Index
    years: np.ndarray  # sorted
    columns: dict[str, np.ndarray]
    spend_latest: np.ndarray  # per council and year, the year position of the latest spend; -1


@cached
def _grids() -> dict[int, tuple[pd.DataFrame, _Grid]]:
    return {}  # the grid of the inputs frame of that id (kept, so that the id stays its own)


def _grid() -> _Grid:
    """The grid of :func:`council_inputs` as it is now: built again whenever that cache was
    emptied and filled anew."""
    inputs = council_inputs()
    grids = _grids()
    if id(inputs) not in grids:
        grids.clear()
        grids[id(inputs)] = (inputs, _grid_of(inputs))
    return grids[id(inputs)][1]


def _grid_of(inputs: pd.DataFrame) -> _Grid:
    index = inputs.index
    assert isinstance(index, pd.MultiIndex)  # council_inputs: (la_code, year)
    shape = (len(index.levels[0]), len(index.levels[1]))
    columns = {}
    for column in inputs.columns:
        grid = np.full(shape, np.nan)
        grid[index.codes[0], index.codes[1]] = inputs[column].to_numpy(dtype=float, na_value=np.nan)
        columns[column] = grid
    # groupby's levels are sorted; the spend's year positions run forward to the next figure
    has = ~np.isnan(columns["prevent_per_child"])
    latest = np.maximum.accumulate(np.where(has, np.arange(shape[1]), -1), axis=1)
    return _Grid(index.levels[0], index.levels[1].to_numpy(dtype=np.int64), columns, latest)


class Reader:
    """The inputs of a list of councils, each read in the year paired with it.

    Each council is found once among the inputs' codes, and each year by its position among
    their years: the builder reads some twenty columns for every profile it makes."""

    def __init__(self, codes: np.ndarray) -> None:
        self._grid = _grid()
        self._code_at = self._grid.codes.get_indexer(pd.Index(codes, dtype=object))

    def _at(self, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The row and year positions of each pair, and whether the inputs have it."""
        known = self._grid.years
        year_at = np.searchsorted(known, years)
        inside = year_at < len(known)
        found = (self._code_at >= 0) & inside
        found[inside] &= known[year_at[inside]] == np.asarray(years)[inside]
        return found, np.where(found, year_at, 0)

    def lookup(self, column: str, years: np.ndarray) -> np.ndarray:
        """``column`` for each council in its year; NaN where the panel has no such row."""
        found, year_at = self._at(years)
        values = self._grid.columns[column][np.where(found, self._code_at, 0), year_at]
        return np.where(found, values, np.nan)

    def latest_spend(self, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Preventative spend per child, and its year, in the latest year with data up to
        ``years``."""
        grid = self._grid
        # the position of the last of the inputs' years on or before each year (-1: none)
        before = np.searchsorted(grid.years, years, side="right") - 1
        rows = np.where(self._code_at >= 0, self._code_at, 0)
        at = np.where((self._code_at >= 0) & (before >= 0), before, 0)
        latest = np.where((self._code_at >= 0) & (before >= 0), grid.spend_latest[rows, at], -1)
        found = latest >= 0
        spend_year = np.where(found, grid.years[np.where(found, latest, 0)], np.nan)
        spend = grid.columns["prevent_per_child"][rows, np.where(found, latest, 0)]
        # a change from the base year to itself is no change measured: leave it missing
        later = spend_year > _SPEND_BASE_YEAR
        return np.where(later, spend, np.nan), np.where(later, spend_year, np.nan)

    def change_within_one_source(
        self,
        sources: tuple[str, str],
        years: np.ndarray,
        lookback: int,
        change: Callable[[np.ndarray, np.ndarray], np.ndarray],
    ) -> np.ndarray:
        """A change over ``lookback`` years from the first source with both ends, never mixing
        two.

        ``change`` takes the figures now and ``lookback`` years earlier: :func:`pct_change`, or
        the arithmetic of a trend measure (:mod:`earlywarning.profile.derived`).
        """
        found = np.full(len(years), np.nan)
        for source in sources:
            now = self.lookup(source, years)
            then = self.lookup(source, years - lookback)
            found = np.where(np.isnan(found), change(now, then), found)
        return found


def fill_measures(
    codes: np.ndarray, data_years: np.ndarray, neighbours: NeighboursLike = None
) -> dict[str, np.ndarray]:
    """The census, demand and spend fields, the peer and trend measures, and ``spend_year``."""
    read = Reader(codes)
    out = {field: read.lookup(field, data_years) for field in CENSUS_FIELDS}
    out["demand_change_pct"] = read.change_within_one_source(
        ("referrals_dfe", "referrals_webb"),
        data_years,
        LOOKBACK_YEARS,  # the rules' one lookback, as the local facts read it
        pct_change,
    )
    out["cla_rate_per_10k"] = read.lookup("cla_rate_per_10k", data_years)
    out["cin_rate_per_10k"] = read.lookup("cin_rate_per_10k", data_years)
    base = read.lookup("prevent_per_child", np.full(len(codes), _SPEND_BASE_YEAR))
    latest, out["spend_year"] = read.latest_spend(data_years)
    out["early_help_spend_change_pct"] = pct_change(latest, base)
    inputs = council_inputs()
    for field, measure in PEER_FIELDS.items():
        median = neighbour_median(inputs[measure], codes, data_years, neighbours=neighbours)
        out[field] = DERIVED_BY_NAME[field].forward(out[measure], median)
    for field, measure in TREND_FIELDS.items():
        then = read.lookup(measure, data_years - _TREND_YEARS)
        out[field] = DERIVED_BY_NAME[field].forward(out[measure], then)
    out[CLA_CHANGE_2Y.name] = read.change_within_one_source(
        ("cla_dfe", "cla_webb"), data_years, _TREND_YEARS, CLA_CHANGE_2Y.forward
    )
    return out


def rows_around(
    known_codes: np.ndarray, known_days: np.ndarray, codes: Any, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each (council, day) pair, the row of the known rows (their councils, and their days as
    datetime64[ns], none missing) that is the council's last before the day, and its first on or
    after it; -1 where there is none. Rows of one council and day keep the order they are given.

    Every pair is found by one binary search: a row's key, and a pair's, is the council's place
    among the councils and the day's among all the days, so the first row at or after a pair's
    key is its council's first on or after its day, or else another council's.
    """
    place = {code: i for i, code in enumerate(sorted(set(known_codes)))}
    council = np.array([place[c] for c in known_codes], dtype=np.int64)
    asked = np.array([place.get(c, -1) for c in codes], dtype=np.int64)
    none = np.full(len(asked), -1, dtype=np.int64)
    if not len(council):
        return none, none.copy()
    ranks = np.unique(np.concatenate([known_days, days]).view(np.int64), return_inverse=True)[1]
    ranks = ranks.reshape(-1)
    width = len(ranks) + 1
    keys = council * width + ranks[: len(council)]
    order = np.argsort(keys, kind="stable")
    owner = council[order]  # each sorted row's council
    at = np.searchsorted(keys[order], asked * width + ranks[len(council) :], side="left")
    after = np.where(at < len(order), at, 0)
    before = np.where(at > 0, at - 1, 0)
    has_after = (at < len(order)) & (owner[after] == asked)
    has_before = (at > 0) & (owner[before] == asked)
    return np.where(has_before, order[before], -1), np.where(has_after, order[after], -1)
