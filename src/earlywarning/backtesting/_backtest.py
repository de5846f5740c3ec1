"""The backtest: the watch list each 1 January, and what became of each council after it.

Private to :mod:`earlywarning.backtesting`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.backtesting._common import (
    BACKTEST_NEIGHBOURS,
    COMPARED,
    FIRST_BACKTEST_YEAR,
    FOLLOW_UP_YEARS,
    GOOD,
    STATUSES,
    ilacs_judgements,
    outcome_of,
    period_of,
    unpublished,
)
from earlywarning.backtesting._report import Backtest
from earlywarning.datasets import LocalLike, area_judgements, outcomes_as_at, profile_years
from earlywarning.datasets.neighbours import NeighboursLike, grouping
from earlywarning.errors import EarlyWarningError
from earlywarning.metrics import cluster_ratio_interval, risk_ratio_interval, wilson_interval
from earlywarning.outcomes import OUTCOME_NAMES
from earlywarning.parameters import MAX_RESAMPLES, MAX_SEED, check_whole, check_years
from earlywarning.rules import Ruleset, load_ruleset
from earlywarning.watchlist import watchlists

__all__ = ["backtest", "backtest_years"]


def _next_judgements(codes: pd.Series, start: dt.date, known: pd.DataFrame) -> pd.DataFrame:
    """Each council's first ILACS judgement (of ``known``, :func:`ilacs_judgements`) dated on
    or after ``start``: date and rating."""
    first = known[known["date"] >= pd.Timestamp(start)].drop_duplicates("la_code")
    found = first.set_index("la_code").reindex(codes.to_numpy())
    rating = found["rating"].astype(object)
    return pd.DataFrame(
        {
            "next_date": found["date"].to_numpy(),
            "next_rating": rating.where(rating.notna(), None).to_numpy(),
        },
        index=codes.index,
    )


def backtest_years() -> tuple[int, int]:
    """The first and last year a backtest may look from, in the data in use.

    The last is the last 1 January on or before the date the outcomes stand at (and within the
    profiles' years): its window is open, but it may already hold judgements.

    Example:
        >>> from earlywarning.backtesting import backtest_years
        >>> backtest_years()
        (2019, 2025)
    """
    last = min(profile_years()[1], outcomes_as_at().year)
    return FIRST_BACKTEST_YEAR, last


def _council_years(
    year: int, listed: pd.DataFrame, outcome: str, known: pd.DataFrame
) -> pd.DataFrame:
    """One row per council on 1 January ``year``: the watch list's view and what came next
    (the ILACS judgements ``known``)."""
    rows = listed[
        ["council", "la_code", "score", "band", "previous_rating", "previous_rating_date"]
    ].copy()
    # The list's attrs describe that one year's list, and with local facts they hold a frame of
    # the figures replaced, which pandas cannot compare when it joins the years: not carried.
    rows.attrs = {}
    rows.insert(0, "year", year)
    rows["sliding"] = listed["sliding"].astype(bool)
    start, end = dt.date(year, 1, 1), dt.date(year + FOLLOW_UP_YEARS, 1, 1)
    good = rows["previous_rating"].isin(GOOD)
    rows["group"] = np.where(
        good & rows["sliding"], "flagged", np.where(good, "not flagged", "not good before")
    )
    rows.loc[rows["la_code"].isin(unpublished(start)), "group"] = "judgement unpublished"
    as_at = outcomes_as_at()
    found = _next_judgements(rows["la_code"], start, known)
    inside = found["next_date"].notna() & (found["next_date"] < pd.Timestamp(end))
    inside &= found["next_date"] <= pd.Timestamp(as_at)
    rows["next_date"] = found["next_date"].where(inside)
    rows["next_rating"] = found["next_rating"].where(inside, None)
    closed = end <= as_at + dt.timedelta(days=1)
    rows["status"] = np.where(inside, "inspected", "not inspected" if closed else "not yet known")
    rows["period"] = period_of(rows["next_date"])
    happened = outcome_of(
        outcome,
        rows["next_rating"],
        rows["previous_rating"],
        area_judgements(rows["la_code"], rows["next_date"], before=False),
        area_judgements(
            rows["la_code"], pd.Series(pd.Timestamp(start), index=rows.index), before=True
        ),
    )
    rows[outcome] = happened.where(inside, None)
    return rows


def _rates(rows: pd.DataFrame, outcome: str, group: str) -> dict[str, Any]:
    """Councils of one group, those inspected, those with the outcome, its rate and interval."""
    happened = rows[outcome].to_numpy()  # True, False, or None where not known
    mine = (rows["group"] == group).to_numpy()
    known = mine & pd.notna(happened)
    hits = int(happened[known].astype(bool).sum())
    inspected = int(known.sum())
    low, high = wilson_interval(hits, inspected)
    prefix = group.replace(" ", "_")
    return {
        prefix: int(mine.sum()),
        f"{prefix}_inspected": inspected,
        f"{prefix}_{outcome}": hits,
        f"{prefix}_rate": hits / inspected if inspected else float("nan"),
        f"{prefix}_low": low,
        f"{prefix}_high": high,
    }


def _per_council(rows: pd.DataFrame, outcome: str, chosen: pd.Series) -> np.ndarray:
    """Per council: rows and outcomes among ``chosen``, then among the not flagged (known only)."""
    known = rows[outcome].notna().to_numpy()
    hit = rows[outcome].fillna(False).astype(bool).to_numpy()
    base = (rows["group"] == "not flagged").to_numpy()
    mine = chosen.to_numpy()
    # each council's sums, in code order: one count per council by bincount, not a groupby
    council = np.unique(rows["la_code"].to_numpy(dtype=object), return_inverse=True)[1]
    councils = int(council.max()) + 1 if len(council) else 0
    return np.column_stack(
        [
            np.bincount(council.reshape(-1), weights=part, minlength=councils)
            for part in (mine & known, mine & hit, base & known, base & hit)
        ]
    )


def _lift(
    rows: pd.DataFrame, outcome: str, chosen: pd.Series, rng: np.random.Generator | None, n: int
) -> tuple[float, float, float]:
    """The lift of ``chosen`` over the not flagged, with Katz's interval when ``rng`` is None
    (one year: each council once) or an interval by resampling councils (pooled years)."""
    counts = _per_council(rows, outcome, chosen)
    a, n1, b, n0 = counts.sum(axis=0)[[1, 0, 3, 2]]
    ratio, low, high = risk_ratio_interval(int(a), int(n1), int(b), int(n0))
    if rng is not None:
        low, high = cluster_ratio_interval(counts, n, rng)
    return ratio, low, high


def _summary(
    rows: pd.DataFrame, outcome: str, rng: np.random.Generator | None, resamples: int
) -> dict[str, Any]:
    """One line of the backtest: the flagged and the not flagged, the lift, the set aside."""
    good = rows["group"].isin(COMPARED)
    line: dict[str, Any] = {
        "councils": len(rows),
        "judgement_unpublished": int((rows["group"] == "judgement unpublished").sum()),
        "good_or_outstanding": int(good.sum()),
    }
    line |= _rates(rows, outcome, "flagged") | _rates(rows, outcome, "not flagged")
    flagged = rows["group"] == "flagged"
    ratio, low, high = _lift(rows, outcome, flagged, rng, resamples)
    line |= {"lift": ratio, "lift_low": low, "lift_high": high}
    for status in STATUSES[1:]:
        line[status.replace(" ", "_")] = int((good & (rows["status"] == status)).sum())
    return line


def _year_table(rows: pd.DataFrame, outcome: str) -> pd.DataFrame:
    as_at = outcomes_as_at()
    lines = []
    for year, mine in rows.groupby("year", sort=True):
        end = dt.date(int(str(year)) + FOLLOW_UP_YEARS, 1, 1) - dt.timedelta(days=1)
        line = {"year": year, "window_end": min(end, as_at), "window_complete": end <= as_at}
        line |= _summary(mine, outcome, None, 0)
        for period in ("training", "test"):
            known = mine["group"].isin(COMPARED) & (mine["period"] == period)
            line[f"inspected_{period}"] = int(known.sum())
        lines.append(line)
    return pd.DataFrame(lines).set_index("year")


def _pooled_table(
    rows: pd.DataFrame, outcome: str, rng: np.random.Generator, resamples: int
) -> pd.DataFrame:
    """Every year pooled; then only the follow-ups judged in each period of the frozen split."""
    lines = {"all": _summary(rows, outcome, rng, resamples)}
    for period in ("training", "test"):
        mine = rows[rows["period"] == period]
        line = _summary(mine, outcome, rng, resamples)
        for status in STATUSES[1:]:  # a period holds inspections only: nothing set aside
            line[status.replace(" ", "_")] = pd.NA
        lines[period] = line
    table = pd.DataFrame.from_dict(lines, orient="index")
    for status in STATUSES[1:]:
        table[status.replace(" ", "_")] = table[status.replace(" ", "_")].astype("Int64")
    table.index.name = "years"
    return table


def _band_table(
    rows: pd.DataFrame, outcome: str, rng: np.random.Generator, resamples: int, bands: list[str]
) -> pd.DataFrame:
    """Every year pooled, per band, among councils good or outstanding before."""
    good = rows["group"].isin(COMPARED)
    lines = {}
    for band in bands:
        chosen = good & (rows["band"] == band)
        mine = rows[chosen]
        known = mine[mine[outcome].notna()]
        hits = int(known[outcome].astype(bool).sum())
        low, high = wilson_interval(hits, len(known))
        ratio, lift_low, lift_high = _lift(rows, outcome, chosen, rng, resamples)
        lines[band] = {
            "councils": len(mine),
            "flagged": int((mine["group"] == "flagged").sum()),
            "inspected": len(known),
            outcome: hits,
            "rate": hits / len(known) if len(known) else float("nan"),
            "low": low,
            "high": high,
            "lift": ratio,
            "lift_low": lift_low,
            "lift_high": lift_high,
        }
    table = pd.DataFrame.from_dict(lines, orient="index")
    table.index.name = "band"
    return table


def _checked(
    years: Sequence[int] | None, outcome: str, resamples: object, seed: object
) -> tuple[list[int], int, int]:
    first, last = backtest_years()
    chosen = list(range(first, last + 1)) if years is None else years
    if outcome not in OUTCOME_NAMES:
        raise EarlyWarningError(
            f"backtest: outcome {outcome!r} is not one of {', '.join(OUTCOME_NAMES)}"
        )
    return (
        check_years(chosen, first, last, "backtest: years"),
        check_whole(resamples, "backtest: resamples", 0, MAX_RESAMPLES),
        check_whole(seed, "backtest: seed", 0, MAX_SEED),
    )


def backtest(
    years: Sequence[int] | None = None,
    ruleset: Ruleset | None = None,
    *,
    outcome: str = "declined",
    neighbours: NeighboursLike = BACKTEST_NEIGHBOURS,
    resamples: int = 2000,
    seed: int = 0,
    local: LocalLike = None,
) -> Backtest:
    """The watch list as it stood on 1 January of each year, against what happened next.

    Args:
        years: the years to look from (1 January of each); every year of
            :func:`backtest_years` by default (2019 to 2025 in the bundled data).
        ruleset: the ruleset; ``None`` is the bundled default.
        outcome: the outcome to follow, by name (see :data:`~earlywarning.outcomes.OUTCOMES`):
            a decline from the previous judgement by default.
        neighbours: the neighbour model of the peer measures (:data:`BACKTEST_NEIGHBOURS`).
        resamples: how many times the councils are resampled for each pooled interval (0 for
            none).
        seed: the seed of the resampling; the same seed gives the same intervals.
        local: councils' own facts (a facts file, a folder of them, or read facts; see
            :func:`earlywarning.datasets.profiles_at`), each used only from its own date, so a
            year's list still sees nothing dated after its 1 January.

    Returns:
        A :class:`Backtest`.

    Raises:
        EarlyWarningError: for a year outside :func:`backtest_years`, an outcome that is not
            one, or resamples or a seed that are not whole numbers in range.

    Example:
        >>> import earlywarning as ew
        >>> result = ew.backtest([2019, 2020], resamples=0)
        >>> sorted(set(result.councils["status"]))
        ['inspected', 'not inspected']
    """
    chosen, resamples, seed = _checked(years, outcome, resamples, seed)
    rules = ruleset if ruleset is not None else load_ruleset()
    lists = watchlists(chosen, rules, neighbours=neighbours, local=local)
    known = ilacs_judgements()
    rows = pd.concat(
        [_council_years(y, lists[y], outcome, known) for y in chosen], ignore_index=True
    )
    bands = [str(band.name) for band in rules.bands]
    return Backtest(
        outcome=outcome,
        ruleset=f"{rules.id} {rules.version} ({rules.content_hash})",
        neighbours=grouping(neighbours).model,
        outcomes_as_at=outcomes_as_at(),
        resamples=resamples,
        seed=seed,
        councils=rows,
        years=_year_table(rows, outcome),
        pooled=_pooled_table(rows, outcome, np.random.default_rng(seed), resamples),
        bands=_band_table(rows, outcome, np.random.default_rng(seed), resamples, bands),
    )
