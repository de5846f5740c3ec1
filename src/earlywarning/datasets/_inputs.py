"""How the profile builder reads the panel: per-council inputs by year, changes and peer measures.

Private to the package; :func:`earlywarning.datasets.profiles_at` documents the conventions.
"""

from __future__ import annotations

from collections.abc import Callable

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
    "change_within_one_source",
    "council_inputs",
    "fill_measures",
    "latest_spend",
    "lookup",
    "pct_change",
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


def lookup(inputs: pd.DataFrame, column: str, codes: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``column`` of ``inputs`` (indexed by council code and year) for each code and year; NaN
    where the panel has no such row.

    Each pair is found by its position in the index's two levels, with no index built of the
    pairs: the builder looks up some twenty columns for every profile it makes."""
    index = inputs.index
    assert isinstance(index, pd.MultiIndex)  # council_inputs: (la_code, year)
    code_at = index.levels[0].get_indexer(pd.Index(codes))
    year_at = index.levels[1].get_indexer(pd.Index(years))
    width = len(index.levels[1])
    found = (code_at >= 0) & (year_at >= 0)
    rows = pd.Index(index.codes[0].astype(np.int64) * width + index.codes[1])
    at = np.where(found, rows.get_indexer(code_at.astype(np.int64) * width + year_at), -1)
    values = inputs[column].to_numpy(dtype=float, na_value=np.nan)
    return np.where(at >= 0, values[at], np.nan)


def change_within_one_source(
    inputs: pd.DataFrame,
    sources: tuple[str, str],
    codes: np.ndarray,
    years: np.ndarray,
    lookback: int,
    change: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """A change over ``lookback`` years from the first source with both ends, never mixing two.

    ``change`` takes the figures now and ``lookback`` years earlier: :func:`pct_change`, or the
    arithmetic of a trend measure (:mod:`earlywarning.profile.derived`).
    """
    found = np.full(len(codes), np.nan)
    for source in sources:
        now = lookup(inputs, source, codes, years)
        then = lookup(inputs, source, codes, years - lookback)
        found = np.where(np.isnan(found), change(now, then), found)
    return found


def latest_spend(
    inputs: pd.DataFrame, codes: np.ndarray, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Preventative spend per child, and its year, in the latest year with data up to ``years``."""
    spend = inputs["prevent_per_child"].dropna().reset_index()
    spend = spend.rename(columns={"year": "_data_year"}).sort_values("_data_year")
    keys = pd.DataFrame({"la_code": codes, "_year": years, "_row": np.arange(len(codes))})
    # merge_asof needs one key type on both sides (pandas 2 reads text as object, 3 as str)
    keys["la_code"] = keys["la_code"].astype(spend["la_code"].dtype)
    found = pd.merge_asof(
        keys.sort_values("_year"),
        spend,
        left_on="_year",
        right_on="_data_year",
        by="la_code",
        direction="backward",
    ).sort_values("_row")
    # a change from the base year to itself is no change measured: leave it missing
    spend_year = found["_data_year"].to_numpy(dtype=float, na_value=np.nan)
    later = spend_year > _SPEND_BASE_YEAR
    latest = found["prevent_per_child"].to_numpy(dtype=float, na_value=np.nan)
    return np.where(later, latest, np.nan), np.where(later, spend_year, np.nan)


def fill_measures(
    out: pd.DataFrame,
    codes: np.ndarray,
    data_years: np.ndarray,
    neighbours: NeighboursLike = None,
) -> None:
    """Fill the census, demand and spend fields, and the peer and trend measures, in place."""
    inputs = council_inputs()
    for field in CENSUS_FIELDS:
        out[field] = lookup(inputs, field, codes, data_years)
    out["demand_change_pct"] = change_within_one_source(
        inputs,
        ("referrals_dfe", "referrals_webb"),
        codes,
        data_years,
        LOOKBACK_YEARS,  # the rules' one lookback, as the local facts read it
        pct_change,
    )
    out["cla_rate_per_10k"] = lookup(inputs, "cla_rate_per_10k", codes, data_years)
    out["cin_rate_per_10k"] = lookup(inputs, "cin_rate_per_10k", codes, data_years)
    base = lookup(inputs, "prevent_per_child", codes, np.full(len(codes), _SPEND_BASE_YEAR))
    latest, spend_years = latest_spend(inputs, codes, data_years)
    out["early_help_spend_change_pct"] = pct_change(latest, base)
    out["spend_year"] = spend_years
    for field, measure in PEER_FIELDS.items():
        median = neighbour_median(inputs[measure], codes, data_years, neighbours=neighbours)
        out[field] = DERIVED_BY_NAME[field].forward(out[measure].to_numpy(dtype=float), median)
    for field, measure in TREND_FIELDS.items():
        then = lookup(inputs, measure, codes, data_years - _TREND_YEARS)
        out[field] = DERIVED_BY_NAME[field].forward(out[measure].to_numpy(dtype=float), then)
    out[CLA_CHANGE_2Y.name] = change_within_one_source(
        inputs, ("cla_dfe", "cla_webb"), codes, data_years, _TREND_YEARS, CLA_CHANGE_2Y.forward
    )
