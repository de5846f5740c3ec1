"""What each band has meant: per band, how often an ILACS inspection found the council below
good, or worse than before, in the training period and in the test period.

Private to :mod:`earlywarning.backtesting`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from earlywarning._display import card, cells, note
from earlywarning.backtesting._common import (
    BACKTEST_NEIGHBOURS,
    ilacs_judgements,
    interval_text,
    outcome_of,
    period_of,
    share_text,
)
from earlywarning.datasets import (
    TRAINING_CUTOFF,
    area_judgements,
    data_location,
    outcomes_as_at,
    profiles_at,
)
from earlywarning.engine import score_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.metrics import brier_score, wilson_interval
from earlywarning.outcomes import OUTCOME_LABELS, OUTCOME_NAMES
from earlywarning.rules import Ruleset, load_ruleset, per_ruleset

__all__ = [
    "FREQUENCY_OUTCOMES",
    "BandFrequencies",
    "band_frequencies",
    "band_frequencies_html",
    "band_frequencies_text",
    "band_sentence",
]

FREQUENCY_OUTCOMES: tuple[str, ...] = ("below_good", "declined")
"""The outcomes :func:`band_frequencies` counts by default."""


def _inspections(rules: Ruleset, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """Every ILACS inspection in the data, the council scored as it stood when it began."""
    as_at = pd.Timestamp(outcomes_as_at())
    found = ilacs_judgements()
    found = found[found["date"] <= as_at].reset_index(drop=True)
    profiles = profiles_at(list(found["la_code"]), found["date"], neighbours=BACKTEST_NEIGHBOURS)
    scored = score_frame(profiles, rules)
    rows = profiles[["council", "la_code", "previous_rating"]].copy()
    rows["inspection_start"] = found["date"].to_numpy()
    rows["period"] = period_of(found["date"]).to_numpy()
    rows["rating"] = found["rating"].to_numpy()
    rows["score"] = scored["score"].to_numpy()
    rows["band"] = scored["band"].to_numpy()
    new_areas = area_judgements(found["la_code"], found["date"], before=False)
    prev_areas = area_judgements(found["la_code"], found["date"], before=True)
    for name in outcomes:
        rows[name] = outcome_of(
            name, rows["rating"], rows["previous_rating"], new_areas, prev_areas
        ).to_numpy()
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

    def _repr_html_(self) -> str:
        """The frequencies as a notebook shows them (:func:`band_frequencies_html`)."""
        return band_frequencies_html(self)


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


def _shown(freq: BandFrequencies) -> pd.DataFrame:
    """The table per period and band as a reader sees it: k/n, share, interval."""
    shown = freq.table.copy()
    for name in freq.brier.index:
        shown[name] = [
            f"{int(k)}/{int(n)} {share_text(s)} ({interval_text(lo, hi)})"
            for k, n, s, lo, hi in zip(
                shown[name],
                shown[f"{name}_n"],
                shown[f"{name}_share"],
                shown[f"{name}_low"],
                shown[f"{name}_high"],
                strict=True,
            )
        ]
    return shown[["inspections", *freq.brier.index]]


def _heading(freq: BandFrequencies) -> str:
    return (
        f"What each band has meant: ILACS inspections from {_period_words(freq)} (the test "
        "period), each council scored as it stood when its inspection began."
    )


def _sentences(freq: BandFrequencies) -> list[str]:
    return [band_sentence(freq, band) for band in dict.fromkeys(b for _, b in freq.table.index)]


_PER_BAND = "Per period and band (k/n, share, Wilson 95% interval):"
_BRIER = (
    "Brier scores on the test inspections (lower is better): the test period's band "
    "frequencies (in-sample), the training period's carried forward, one rate for all:"
)


def _source(freq: BandFrequencies) -> str:
    return f"Ruleset {freq.ruleset}; neighbours: DfE's {BACKTEST_NEIGHBOURS} model."


def band_frequencies_text(freq: BandFrequencies) -> str:
    """The band frequencies as text (:meth:`BandFrequencies.to_text`)."""
    with pd.option_context("display.width", 250, "display.float_format", "{:.3f}".format):
        lines = [
            _heading(freq),
            "",
            *(f"- {sentence}" for sentence in _sentences(freq)),
            "",
            _PER_BAND,
            _shown(freq).to_string(),
            "",
            _BRIER,
            freq.brier.to_string(),
            "",
            _source(freq),
        ]
    return "\n".join(lines)


def band_frequencies_html(freq: BandFrequencies) -> str:
    """The band frequencies as HTML for a notebook: the same sentences and tables as
    :func:`band_frequencies_text`, every text escaped.

    Example:
        >>> from earlywarning.backtesting import band_frequencies
        >>> "Brier" in band_frequencies_html(band_frequencies())
        True
    """
    shown = _shown(freq)
    rows = [[p, b, *row] for (p, b), row in zip(shown.index, shown.to_numpy(), strict=True)]
    brier = [
        [str(name), int(row["inspections"]), *(f"{row[c]:.3f}" for c in freq.brier.columns[1:])]
        for name, row in freq.brier.iterrows()
    ]
    return card(
        _heading(freq),
        *(note(sentence) for sentence in _sentences(freq)),
        cells(["period", "band", *shown.columns], rows, caption=_PER_BAND),
        cells(["outcome", *freq.brier.columns], brier, caption=_BRIER),
        note(_source(freq)),
        kind="band-frequencies",
    )
