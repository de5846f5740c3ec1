"""The watch list put to the test, and what each band has meant in observed frequencies.

:func:`backtest` builds the watch list (:func:`~earlywarning.watchlist.watchlist`) as it would
have stood on 1 January of each year from 2019, from nothing dated on or after that day, and
follows every council to its next Ofsted judgement (standard or short ILACS inspection) within
three years. It compares the councils flagged as sliding with the councils that were good or
outstanding and not flagged: how often each went on to the outcome (a decline from its previous
judgement by default), and the ratio of the two rates, the *lift*.

:func:`band_frequencies` scores every council as it stood when each ILACS inspection began and
counts, per band, how often the inspection judged it below good or worse than before: in the
training period (inspections to 31 March 2022, on which the rules were chosen) and in the test
period (April 2022 to March 2025, measured and never tuned on). :func:`band_sentence` says the
test-period figures of one band in words, for the report and the watch list.

Point in time: the watch list of 1 January Y reads the workforce census of 30 September Y-1,
demand to 31 March Y-1 and the judgements dated before 1 January Y (see
:mod:`earlywarning.datasets`). The data date an ILACS judgement by the start of its inspection,
weeks before it is published: a council whose last inspection had begun but was not yet
published on 1 January is set aside that year (group ``judgement unpublished``), since its
previous rating was not known that day. The figures are as the data hold them today, revisions
included, and the census was published some months after the date it describes. The
neighbour-relative measures use DfE's April 2021 groupings (:data:`BACKTEST_NEIGHBOURS`): the
2025 model is later than every date backtested, and no model older than 2021 is in the data.

Follow-up: a council's next ILACS judgement dated from 1 January Y to 31 December Y+2 and no
later than the date the outcomes stand at (31 March 2025 in the bundled data). A council with no
judgement in a window that closed before then is counted as ``not inspected``; in a window still
open it is ``not yet known``. Both are set aside, never counted as holding their grade.

Example:
    >>> import earlywarning as ew
    >>> result = ew.backtest([2019, 2020], resamples=0)
    >>> list(result.years.index), result.outcome
    ([2019, 2020], 'declined')
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.datasets import (
    TRAINING_CUTOFF,
    data_location,
    ofsted_judgements,
    outcomes_as_at,
    profile_years,
    profiles_at,
)
from earlywarning.datasets.neighbours import NeighboursLike, grouping
from earlywarning.engine import score_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.metrics import (
    brier_score,
    cluster_ratio_interval,
    risk_ratio_interval,
    wilson_interval,
)
from earlywarning.outcomes import OUTCOME_LABELS, OUTCOME_NAMES, derive_outcomes
from earlywarning.parameters import MAX_RESAMPLES, MAX_SEED, check_whole, check_years
from earlywarning.rules import Ruleset, load_ruleset, per_ruleset
from earlywarning.watchlist import watchlist

__all__ = [
    "BACKTEST_NEIGHBOURS",
    "FIRST_BACKTEST_YEAR",
    "FOLLOW_UP_YEARS",
    "FREQUENCY_OUTCOMES",
    "GROUPS",
    "STATUSES",
    "Backtest",
    "BandFrequencies",
    "backtest",
    "backtest_years",
    "band_frequencies",
    "band_sentence",
    "render_backtest",
]

FIRST_BACKTEST_YEAR = 2019
"""The first 1 January backtested: ILACS judgements began in January 2018, so from 2019 the
watch list's previous ratings include a year of them and every follow-up is an ILACS one."""

FOLLOW_UP_YEARS = 3
"""How long each council is followed for its next inspection, from 1 January of the year."""

BACKTEST_NEIGHBOURS = "2021"
"""The neighbour model of the backtest and the band frequencies: DfE's April 2021 groupings,
the oldest in the data (the 2025 model is later than every date they look back from)."""

FREQUENCY_OUTCOMES: tuple[str, ...] = ("below_good", "declined")
"""The outcomes :func:`band_frequencies` counts by default."""

STATUSES: tuple[str, ...] = ("inspected", "not inspected", "not yet known")
"""What became of a council after 1 January: judged within the window; not judged in a window
that closed before the outcomes' date; not judged yet in a window still open then."""

GROUPS: tuple[str, ...] = ("flagged", "not flagged", "not good before", "judgement unpublished")
"""The councils of a year: good or outstanding before and flagged as sliding, or not flagged;
judged below good before (the watch list does not look for them); and councils whose last
inspection had begun but was not yet published on 1 January, so that the list's previous rating
was not known that day: set aside."""

_COMPARED = ("flagged", "not flagged")

_GOOD = ("outstanding", "good")


# ----------------------------------------------------------------------------------------------
# Which inspections: the next ILACS judgement after a date, and every one in a period


def _ilacs() -> pd.DataFrame:
    """Every ILACS judgement in the data, with its rating, by council and date."""
    found = ofsted_judgements()
    found = found[(found["framework"] == "ILACS") & found["rating"].notna()]
    return found[["la_code", "date", "rating"]].sort_values("date").reset_index(drop=True)


def _next_judgements(codes: pd.Series, start: dt.date) -> pd.DataFrame:
    """Each council's first ILACS judgement dated on or after ``start``: date and rating."""
    known = _ilacs()
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


def _unpublished(day: dt.date) -> set[str]:
    """Councils whose last inspection began before ``day`` but was published on or after it.

    The data date an ILACS judgement by the start of its inspection, some weeks before Ofsted
    publishes it: on ``day`` such a council's previous rating was not yet known.
    """
    found = ofsted_judgements()
    when = pd.Timestamp(day)
    return set(found.loc[(found["date"] < when) & (found["published"] >= when), "la_code"])


def _period(dates: pd.Series) -> pd.Series:
    """``training`` for an inspection to :data:`TRAINING_CUTOFF`, ``test`` after, else None."""
    cutoff = pd.Timestamp(TRAINING_CUTOFF)
    labels = np.where(dates <= cutoff, "training", "test")
    return pd.Series(labels, index=dates.index, dtype=object).where(dates.notna(), None)


def _outcome(name: str, new: pd.Series, previous: pd.Series) -> pd.Series:
    """The outcome ``name`` of each inspection (True, False, or None where it does not apply).

    The one place the backtest reads an outcome: an outcome added to
    :data:`~earlywarning.outcomes.OUTCOMES` is usable here by its name.
    """
    return derive_outcomes(new, previous)[name]


# ----------------------------------------------------------------------------------------------
# The backtest


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
    year: int, rules: Ruleset, outcome: str, neighbours: NeighboursLike
) -> pd.DataFrame:
    """One row per council on 1 January ``year``: the watch list's view and what came next."""
    listed = watchlist(year, rules, neighbours=neighbours)
    rows = listed[
        ["council", "la_code", "score", "band", "previous_rating", "previous_rating_date"]
    ].copy()
    rows.insert(0, "year", year)
    rows["sliding"] = listed["sliding"].astype(bool)
    start, end = dt.date(year, 1, 1), dt.date(year + FOLLOW_UP_YEARS, 1, 1)
    good = rows["previous_rating"].isin(_GOOD)
    rows["group"] = np.where(
        good & rows["sliding"], "flagged", np.where(good, "not flagged", "not good before")
    )
    rows.loc[rows["la_code"].isin(_unpublished(start)), "group"] = "judgement unpublished"
    as_at = outcomes_as_at()
    found = _next_judgements(rows["la_code"], start)
    inside = found["next_date"].notna() & (found["next_date"] < pd.Timestamp(end))
    inside &= found["next_date"] <= pd.Timestamp(as_at)
    rows["next_date"] = found["next_date"].where(inside)
    rows["next_rating"] = found["next_rating"].where(inside, None)
    closed = end <= as_at + dt.timedelta(days=1)
    rows["status"] = np.where(inside, "inspected", "not inspected" if closed else "not yet known")
    rows["period"] = _period(rows["next_date"])
    happened = _outcome(outcome, rows["next_rating"], rows["previous_rating"])
    rows[outcome] = happened.where(inside, None)
    return rows


def _rates(rows: pd.DataFrame, outcome: str, group: str) -> dict[str, Any]:
    """Councils of one group, those inspected, those with the outcome, its rate and interval."""
    mine = rows[rows["group"] == group]
    known = mine[mine[outcome].notna()]
    hits = int(known[outcome].astype(bool).sum())
    low, high = wilson_interval(hits, len(known))
    prefix = group.replace(" ", "_")
    return {
        prefix: len(mine),
        f"{prefix}_inspected": len(known),
        f"{prefix}_{outcome}": hits,
        f"{prefix}_rate": hits / len(known) if len(known) else float("nan"),
        f"{prefix}_low": low,
        f"{prefix}_high": high,
    }


def _per_council(rows: pd.DataFrame, outcome: str, chosen: pd.Series) -> np.ndarray:
    """Per council: rows and outcomes among ``chosen``, then among the not flagged (known only)."""
    known = rows[outcome].notna()
    hit = rows[outcome].fillna(False).astype(bool)
    base = rows["group"] == "not flagged"
    frame = pd.DataFrame(
        {
            "n": (chosen & known).astype(int),
            "events": (chosen & hit).astype(int),
            "base_n": (base & known).astype(int),
            "base_events": (base & hit).astype(int),
            "la_code": rows["la_code"],
        }
    )
    return frame.groupby("la_code", sort=True).sum().to_numpy(dtype=float)


def _lift(
    rows: pd.DataFrame, outcome: str, chosen: pd.Series, rng: np.random.Generator | None, n: int
) -> tuple[float, float, float]:
    """The lift of ``chosen`` over the not flagged, with Katz's interval when ``rng`` is None
    (one year: each council once) or an interval by resampling councils (pooled years)."""
    a, n1, b, n0 = _per_council(rows, outcome, chosen).sum(axis=0)[[1, 0, 3, 2]]
    ratio, low, high = risk_ratio_interval(int(a), int(n1), int(b), int(n0))
    if rng is not None:
        low, high = cluster_ratio_interval(_per_council(rows, outcome, chosen), n, rng)
    return ratio, low, high


def _summary(
    rows: pd.DataFrame, outcome: str, rng: np.random.Generator | None, resamples: int
) -> dict[str, Any]:
    """One line of the backtest: the flagged and the not flagged, the lift, the set aside."""
    good = rows["group"].isin(_COMPARED)
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
            known = mine["group"].isin(_COMPARED) & (mine["period"] == period)
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
    good = rows["group"].isin(_COMPARED)
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


@dataclass(frozen=True, eq=False)
class Backtest:
    """The result of :func:`backtest`: the watch list each year against what happened next.

    Attributes:
        outcome: the outcome followed (a name of :data:`~earlywarning.outcomes.OUTCOME_NAMES`).
        ruleset: the ruleset's id, version and content hash.
        neighbours: the neighbour model of the peer measures.
        outcomes_as_at: the date the Ofsted outcomes stand at: later windows are open.
        resamples: councils resampled for each pooled interval; seed: their seed.
        councils: one row per council and year: ``year``, ``council``, ``la_code``, ``score``,
            ``band``, ``previous_rating`` and its date, ``sliding``, ``group`` (one of
            :data:`GROUPS`), ``next_date`` and ``next_rating`` of the
            next judgement in the window (NaT/None without one), ``status`` (one of
            :data:`STATUSES`), ``period`` (``training`` or ``test``, by the next judgement's
            date) and the outcome (True, False, or None when not inspected).
        years: one row per year: the window's end and whether it was complete; the councils,
            those whose last judgement was not yet published (set aside) and those good or
            outstanding before; for ``flagged`` and ``not_flagged``, how many,
            how many inspected in the window, how many with the outcome, the rate and its Wilson
            95% interval (``_low``, ``_high``); ``lift`` (the flagged rate over the not
            flagged) with Katz's 95% interval; ``not_inspected`` and ``not_yet_known``
            (councils good or outstanding before, set aside); and the follow-ups judged in each
            period (``inspected_training``, ``inspected_test``).
        pooled: the same over every year (``all``), then over the follow-ups judged in the
            training period and in the test period alone. A council counts once a year, so
            the years share councils: the lift's interval resamples whole councils.
        bands: every year pooled, one row per band, among councils good or outstanding before:
            how many, how many flagged, inspected, with the outcome, the rate, its interval,
            and the band's rate over the not-flagged rate (resampling councils).

    Example:
        >>> import earlywarning as ew
        >>> result = ew.backtest([2019], resamples=0)
        >>> row = result.years.loc[2019]
        >>> int(row["flagged_inspected"]) <= int(row["flagged"]) <= int(row["councils"])
        True
    """

    outcome: str
    ruleset: str
    neighbours: str
    outcomes_as_at: dt.date
    resamples: int
    seed: int
    councils: pd.DataFrame = field(repr=False)
    years: pd.DataFrame = field(repr=False)
    pooled: pd.DataFrame = field(repr=False)
    bands: pd.DataFrame = field(repr=False)

    def to_text(self) -> str:
        """The per-year and pooled tables and the bands, with how each figure was counted.

        Example:
            >>> import earlywarning as ew
            >>> print(ew.backtest([2019], resamples=0).to_text())  # doctest: +ELLIPSIS
            Backtest of the watch list, 1 January 2019 to 1 January 2019: ...
        """
        return backtest_text(self)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data (for JSON): settings, then the years, pooled and bands.

        Example:
            >>> import earlywarning as ew
            >>> sorted(ew.backtest([2019], resamples=0).to_dict())[:4]
            ['bands', 'councils', 'neighbours', 'outcome']
        """
        return {
            "outcome": self.outcome,
            "ruleset": self.ruleset,
            "neighbours": self.neighbours,
            "outcomes_as_at": self.outcomes_as_at.isoformat(),
            "resamples": self.resamples,
            "seed": self.seed,
            "years": _records(self.years, "year"),
            "pooled": _records(self.pooled, "years"),
            "bands": _records(self.bands, "band"),
            "councils": _records(self.councils, None),
        }

    def to_csv(self) -> str:
        """The per-year and pooled rows as one CSV (``years`` is the year, or ``all``,
        ``training``, ``test``), a blank line, then the bands.

        Example:
            >>> import earlywarning as ew
            >>> ew.backtest([2019], resamples=0).to_csv().splitlines()[0].split(",")[:3]
            ['years', 'window_end', 'window_complete']
        """
        years = self.years.reset_index().rename(columns={"year": "years"})
        both = pd.concat([years, self.pooled.reset_index()], ignore_index=True)
        out = io.StringIO()
        both.to_csv(out, index=False, lineterminator="\n", float_format="%.6g")
        out.write("\n")
        self.bands.to_csv(out, lineterminator="\n", float_format="%.6g")
        return out.getvalue()

    def __repr__(self) -> str:
        lift = self.pooled["lift"].iloc[0]
        years = list(self.years.index)
        return (
            f"Backtest(years={years[0]}-{years[-1]}, outcome={self.outcome!r}, "
            f"pooled_lift={lift:.2f}, ruleset={self.ruleset!r})"
        )


def _records(frame: pd.DataFrame, key: str | None) -> list[dict[str, Any]]:
    out = frame.reset_index() if key is not None else frame
    return list(json.loads(out.to_json(orient="records", date_format="iso")))


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
    rows = pd.concat(
        [_council_years(y, rules, outcome, neighbours) for y in chosen], ignore_index=True
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


# ----------------------------------------------------------------------------------------------
# The backtest as text


def _share(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:.0%}"


def _interval(low: float, high: float, fmt: str = "{:.0%}") -> str:
    if pd.isna(low) or pd.isna(high):
        return "-"
    return f"{fmt.format(low)}-{fmt.format(high)}"


def _lift_text(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:.2f}"


def _shown(table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The columns a reader needs, as text: counts, rates with intervals, the lift."""
    shown = pd.DataFrame(index=table.index)
    for group, name in (("flagged", "flagged"), ("not_flagged", "not flagged")):
        shown[name] = [
            f"{int(k)}/{int(n)} of {int(m)}"
            for k, n, m in zip(
                table[f"{group}_{outcome}"], table[f"{group}_inspected"], table[group], strict=True
            )
        ]
        shown[f"{name} rate"] = [
            f"{_share(r)} ({_interval(lo, hi)})"
            for r, lo, hi in zip(
                table[f"{group}_rate"], table[f"{group}_low"], table[f"{group}_high"], strict=True
            )
        ]
    shown["lift"] = [
        f"{_lift_text(x)} ({_interval(lo, hi, '{:.2f}')})"
        for x, lo, hi in zip(table["lift"], table["lift_low"], table["lift_high"], strict=True)
    ]
    for status in STATUSES[1:]:
        column = table[status.replace(" ", "_")]
        shown[status] = ["" if pd.isna(v) else str(int(v)) for v in column]
    return shown


def backtest_text(result: Backtest) -> str:
    """The backtest as text (:meth:`Backtest.to_text`)."""
    outcome = result.outcome
    years = result.years
    label = OUTCOME_LABELS[outcome]
    shown = _shown(years, outcome)
    shown.insert(0, "window", [f"to {d:%b %Y}" for d in years["window_end"]])
    pooled = _shown(result.pooled, outcome)
    with pd.option_context("display.width", 250, "display.max_columns", None):
        lines = [
            f"Backtest of the watch list, 1 January {years.index[0]} to 1 January "
            f"{years.index[-1]}: councils good or outstanding before, followed "
            f"{FOLLOW_UP_YEARS} years to their next ILACS judgement; outcome: {label}.",
            "Counts are k/n of m: k with the outcome of n inspected in the window, of m councils.",
            "",
            shown.to_string(),
            "",
            "Pooled (all years; then only the follow-ups judged in the training period, to "
            f"{TRAINING_CUTOFF:%d %B %Y}, and in the test period after it):",
            pooled.to_string(),
            "",
            "By band, all years pooled (rate of the band; lift over the not flagged):",
            _band_text(result.bands, outcome),
            "",
            *_notes(result),
        ]
    return "\n".join(lines)


def _band_text(bands: pd.DataFrame, outcome: str) -> str:
    shown = pd.DataFrame(index=bands.index)
    shown["councils"] = bands["councils"].astype(int)
    shown["flagged"] = bands["flagged"].astype(int)
    shown[OUTCOME_LABELS[outcome]] = [
        f"{int(k)}/{int(n)}" for k, n in zip(bands[outcome], bands["inspected"], strict=True)
    ]
    shown["rate"] = [
        f"{_share(r)} ({_interval(lo, hi)})"
        for r, lo, hi in zip(bands["rate"], bands["low"], bands["high"], strict=True)
    ]
    shown["lift"] = [
        f"{_lift_text(x)} ({_interval(lo, hi, '{:.2f}')})"
        for x, lo, hi in zip(bands["lift"], bands["lift_low"], bands["lift_high"], strict=True)
    ]
    return shown.to_string()


def _notes(result: Backtest) -> list[str]:
    unpublished = int(result.years["judgement_unpublished"].sum())
    open_years = [str(y) for y, done in result.years["window_complete"].items() if not done]
    notes = [
        "Rates have Wilson 95% intervals. A year's lift has Katz's 95% interval; a pooled "
        f"lift's interval resamples whole councils ({result.resamples} times, seed "
        f"{result.seed}), since the years share councils.",
        "Not inspected (a window closed with no judgement) and not yet known (a window still "
        "open) are set aside, never counted as holding their grade; so are councils whose last "
        f"inspection was not yet published on 1 January ({unpublished} council-years).",
        f"The rules were chosen on inspections to {TRAINING_CUTOFF:%d %B %Y}: follow-ups "
        "judged by then are in-sample; the test period's are not.",
    ]
    if open_years:
        notes.append(
            f"Windows open at {result.outcomes_as_at:%d %B %Y} (the outcomes' date): "
            f"{', '.join(open_years)}; their early inspections may not be typical."
        )
    notes.append(f"Neighbours: DfE's {result.neighbours} model. Ruleset {result.ruleset}.")
    return notes


def render_backtest(result: Backtest, fmt: str) -> str:
    """The backtest as ``text``, ``csv`` or ``json``.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.backtesting import render_backtest
        >>> render_backtest(ew.backtest([2019], resamples=0), "json")[:1]
        '{'
    """
    if fmt == "text":
        return backtest_text(result) + "\n"
    if fmt == "csv":
        return result.to_csv()
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"
    raise EarlyWarningError(f"backtest: format {fmt!r} is not text, csv or json")


# ----------------------------------------------------------------------------------------------
# What each band has meant: observed frequencies at inspection


def _inspections(rules: Ruleset, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """Every ILACS inspection in the data, the council scored as it stood when it began."""
    as_at = pd.Timestamp(outcomes_as_at())
    found = _ilacs()
    found = found[found["date"] <= as_at].reset_index(drop=True)
    profiles = profiles_at(list(found["la_code"]), found["date"], neighbours=BACKTEST_NEIGHBOURS)
    scored = score_frame(profiles, rules)
    rows = profiles[["council", "la_code", "previous_rating"]].copy()
    rows["inspection_start"] = found["date"].to_numpy()
    rows["period"] = _period(found["date"]).to_numpy()
    rows["rating"] = found["rating"].to_numpy()
    rows["score"] = scored["score"].to_numpy()
    rows["band"] = scored["band"].to_numpy()
    for name in outcomes:
        rows[name] = _outcome(name, rows["rating"], rows["previous_rating"]).to_numpy()
    return rows


def _frequency_table(
    rows: pd.DataFrame, outcomes: tuple[str, ...], bands: list[str]
) -> pd.DataFrame:
    lines = []
    for period in ("training", "test"):
        for band in bands:
            mine = rows[(rows["period"] == period) & (rows["band"] == band)]
            line: dict[str, Any] = {"period": period, "band": band, "inspections": len(mine)}
            for name in outcomes:
                known = mine[name].dropna().astype(bool)
                low, high = wilson_interval(int(known.sum()), len(known))
                line |= {
                    f"{name}_n": len(known),
                    name: int(known.sum()),
                    f"{name}_share": known.mean() if len(known) else float("nan"),
                    f"{name}_low": low,
                    f"{name}_high": high,
                }
            lines.append(line)
    return pd.DataFrame(lines).set_index(["period", "band"])


def _brier_table(
    rows: pd.DataFrame, table: pd.DataFrame, outcomes: tuple[str, ...]
) -> pd.DataFrame:
    """Brier scores on the test inspections of three forecasts of each outcome."""
    test = rows[rows["period"] == "test"]
    lines = {}
    for name in outcomes:
        known = test[test[name].notna()]

        happened = known[name].to_numpy()

        def share(period: str, rows: pd.DataFrame = known, column: str = name) -> np.ndarray:
            by_band = table[f"{column}_share"].xs(period, level="period")
            return np.asarray(by_band.reindex(rows["band"]), dtype=float)

        overall = float(known[name].astype(bool).mean()) if len(known) else float("nan")
        lines[name] = {
            "inspections": len(known),
            "test_frequencies": brier_score(share("test"), happened),
            "training_frequencies": brier_score(share("training"), happened),
            "one_rate": brier_score(np.full(len(known), overall), happened),
        }
    table_out = pd.DataFrame.from_dict(lines, orient="index")
    table_out.index.name = "outcome"
    return table_out


@dataclass(frozen=True, eq=False)
class BandFrequencies:
    """The result of :func:`band_frequencies`: per band, how often each outcome followed.

    Attributes:
        ruleset: the ruleset's id, version and content hash.
        test_period: the first and last day of the test period (the day after
            :data:`~earlywarning.datasets.TRAINING_CUTOFF`, and the outcomes' date).
        inspections: one row per ILACS inspection: ``council``, ``la_code``,
            ``previous_rating``, ``inspection_start``, ``period`` (``training`` or ``test``),
            ``rating``, the ``score`` and ``band`` as the council stood when it began, and each
            outcome (True, False, or None where it does not apply).
        table: one row per period and band: ``inspections``, and for each outcome ``<name>_n``
            (inspections where it applies), ``<name>`` (how many had it), ``<name>_share`` and
            its Wilson 95% interval ``<name>_low``, ``<name>_high``.
        brier: one row per outcome, on the test inspections: the Brier score of the test
            period's band frequencies (``test_frequencies``: in-sample, how far the bands
            separate), of the training period's carried forward (``training_frequencies``:
            what the bands promised when the rules were chosen) and of one rate for every band
            (``one_rate``: the reference a band must beat).

    Example:
        >>> from earlywarning.backtesting import band_frequencies
        >>> freq = band_frequencies()
        >>> int(freq.table.loc["test", "inspections"].sum())
        135
    """

    ruleset: str
    test_period: tuple[dt.date, dt.date]
    inspections: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    brier: pd.DataFrame = field(repr=False)

    def to_text(self) -> str:
        """The test period's frequencies per band, in words and as a table, and the Brier scores.

        Example:
            >>> from earlywarning.backtesting import band_frequencies
            >>> print(band_frequencies().to_text())  # doctest: +ELLIPSIS
            What each band has meant: ILACS inspections from April 2022 to March 2025 ...
        """
        return band_frequencies_text(self)


_FREQUENCIES = per_ruleset(lambda rules: dict[tuple[Any, ...], BandFrequencies]())


def band_frequencies(
    ruleset: Ruleset | None = None, *, outcomes: Sequence[str] = FREQUENCY_OUTCOMES
) -> BandFrequencies:
    """Per band, the share of inspections that judged the council below good, or worse than
    before, in the training period and in the test period.

    Each ILACS inspection is scored on the council as it stood when the inspection began (the
    profile builder's point in time), with :data:`BACKTEST_NEIGHBOURS`. Computed once per
    ruleset and data directory, so that every report page can say it.

    Args:
        ruleset: the ruleset; ``None`` is the bundled default.
        outcomes: the outcomes to count, by name (see :data:`~earlywarning.outcomes.OUTCOMES`).

    Raises:
        EarlyWarningError: an outcome that is not one.

    Example:
        >>> from earlywarning.backtesting import band_frequencies
        >>> list(band_frequencies().brier.index)
        ['below_good', 'declined']
    """
    chosen = tuple(outcomes)
    unknown = [name for name in chosen if name not in OUTCOME_NAMES]
    if unknown or not chosen:
        raise EarlyWarningError(
            f"band_frequencies: outcomes {unknown or chosen!r} are not among "
            f"{', '.join(OUTCOME_NAMES)}"
        )
    rules = ruleset if ruleset is not None else load_ruleset()
    cache = _FREQUENCIES(rules)
    key = (str(data_location()), outcomes_as_at(), chosen)
    if key not in cache:
        rows = _inspections(rules, chosen)
        bands = [str(band.name) for band in rules.bands]
        table = _frequency_table(rows, chosen, bands)
        cache[key] = BandFrequencies(
            ruleset=f"{rules.id} {rules.version} ({rules.content_hash})",
            test_period=(TRAINING_CUTOFF + dt.timedelta(days=1), outcomes_as_at()),
            inspections=rows,
            table=table,
            brier=_brier_table(rows, table, chosen),
        )
    return cache[key]


def _period_words(freq: BandFrequencies) -> str:
    first, last = freq.test_period
    return f"{first:%B %Y} to {last:%B %Y}"


def _test_row(freq: BandFrequencies, band: str) -> pd.Series:
    """The test period's figures of one band."""
    if ("test", band) not in freq.table.index:
        raise EarlyWarningError(f"band_sentence: {band!r} is not a band of {freq.ruleset}")
    return pd.Series(freq.table.xs("test", level="period").loc[band])


def _outcome_words(line: pd.Series, name: str) -> str:
    k, n = int(line[name]), int(line[f"{name}_n"])
    label = OUTCOME_LABELS[name]
    # "judged below good" reads as "were judged below good"; "declined from ..." as itself
    said = f"were {label}" if label.startswith("judged") else label
    low, high = float(line[f"{name}_low"]), float(line[f"{name}_high"])
    return f"{k} of {n} {said} ({k / n:.0%}; 95% interval {low:.0%} to {high:.0%})"


def band_sentence(freq: BandFrequencies, band: str) -> str:
    """What ``band`` has meant in the test period, in one sentence.

    Example:
        >>> from earlywarning.backtesting import band_frequencies, band_sentence
        >>> print(band_sentence(band_frequencies(), "high"))  # doctest: +ELLIPSIS
        Of councils inspected from April 2022 to March 2025 while in the high band, ...
    """
    line = _test_row(freq, band)
    names = [str(n) for n in freq.brier.index if int(line[f"{n}_n"]) > 0]
    if not names:
        return (
            f"No council was inspected from {_period_words(freq)} while in the {band} band: "
            "the test period says nothing of what it means."
        )
    parts = [_outcome_words(line, n) for n in names]
    said = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])}, and {parts[-1]}"
    return f"Of councils inspected from {_period_words(freq)} while in the {band} band, {said}."


def band_frequencies_text(freq: BandFrequencies) -> str:
    """The band frequencies as text (:meth:`BandFrequencies.to_text`)."""
    bands = list(dict.fromkeys(b for _, b in freq.table.index))
    shown = freq.table.copy()
    for name in freq.brier.index:
        shown[name] = [
            f"{int(k)}/{int(n)} {_share(s)} ({_interval(lo, hi)})"
            for k, n, s, lo, hi in zip(
                shown[name],
                shown[f"{name}_n"],
                shown[f"{name}_share"],
                shown[f"{name}_low"],
                shown[f"{name}_high"],
                strict=True,
            )
        ]
    shown = shown[["inspections", *freq.brier.index]]
    brier = freq.brier.copy()
    with pd.option_context("display.width", 250, "display.float_format", "{:.3f}".format):
        lines = [
            f"What each band has meant: ILACS inspections from {_period_words(freq)} (the test "
            "period), each council scored as it stood when its inspection began.",
            "",
            *(f"- {band_sentence(freq, band)}" for band in bands),
            "",
            "Per period and band (k/n, share, Wilson 95% interval):",
            shown.to_string(),
            "",
            "Brier scores on the test inspections (lower is better): the test period's band "
            "frequencies (in-sample), the training period's carried forward, one rate for all:",
            brier.to_string(),
            "",
            f"Ruleset {freq.ruleset}; neighbours: DfE's {BACKTEST_NEIGHBOURS} model.",
        ]
    return "\n".join(lines)
