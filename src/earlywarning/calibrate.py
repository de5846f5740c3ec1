"""Calibration: agreement with the documented cases, and the bar the default ruleset must meet.

* :func:`calibration_report` scores the documented cases and says, case by case, whether the band
  is one the case expects; :func:`check_bar` states the bar the default ruleset must meet, from
  the ``expected_bands`` of the bundled cases in ``rules/cases``.
* :func:`calibration_text`, :func:`case_disagreements` and :func:`calibration_table` lay the
  report out for the command line; :func:`case_outcomes` and :func:`cases_after_fit` fit on the
  cases and show what the fit did to each.

Fitting lives in :mod:`earlywarning.fit` and the measures of agreement in
:mod:`earlywarning.metrics`; :func:`fit`, :class:`FitResult`, :class:`Change`,
:class:`LeaveOneOut`, :func:`auc` and :func:`rank_agreement` are re-exported here.

Example:
    >>> from earlywarning.calibrate import calibration_report
    >>> report = calibration_report()
    >>> list(report.columns)[:4]
    ['council', 'snapshot', 'expected_bands', 'score']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from earlywarning.cases import Case, cases_frame, load_cases
from earlywarning.datasets import LocalLike, profiles_at
from earlywarning.engine import evaluate, result_frame
from earlywarning.fit import Change, FitResult, LeaveOneOut, fit
from earlywarning.metrics import auc, rank_agreement
from earlywarning.rules import BAND_NAMES, Ruleset

__all__ = [
    "Change",
    "FitResult",
    "LeaveOneOut",
    "auc",
    "calibration_report",
    "calibration_table",
    "calibration_text",
    "case_disagreements",
    "case_outcomes",
    "case_profiles",
    "cases_after_fit",
    "check_bar",
    "fit",
    "rank_agreement",
]

# How many reason codes the report shows per case.
_MAIN_REASONS = 3

# The snapshot that must score lowest of all: the one case documented as a council doing well.
_BAR_LOWEST = "oxfordshire-2018"


@lru_cache(maxsize=1)
def _bar_bands() -> dict[str, tuple[str, ...]]:
    """The bands each bundled case must reach: its own ``expected_bands`` (bundled, so fixed)."""
    return {case.id: tuple(case.expected_bands) for case in load_cases()}


# ----------------------------------------------------------------------------------------------
# The documented cases


def case_profiles(cases: Sequence[Case], local: LocalLike) -> pd.DataFrame:
    """Each case's profile built from the national data and the councils' local facts as on
    its snapshot day (:func:`~earlywarning.datasets.profiles_at`), indexed by case id.

    Example:
        >>> from earlywarning.cases import load_cases
        >>> built = case_profiles(load_cases(), "examples/local")
        >>> int(built.loc["derbyshire-2016", "dcs_changes"]), built.index.name
        (2, 'case')
    """
    built = profiles_at([c.la_code for c in cases], [c.snapshot for c in cases], local=local)
    built.index = pd.Index([c.id for c in cases], name="case")
    return built


def calibration_report(
    ruleset: Ruleset | None = None,
    cases: Sequence[Case] | None = None,
    *,
    local: LocalLike = None,
) -> pd.DataFrame:
    """Score the documented cases and say whether each lands in a band it expects.

    The cases are scored as one frame through :func:`~earlywarning.engine.score_frame`, the same
    path as every other score, so the report cannot disagree with ``ew.score`` on a case.

    Args:
        ruleset: the ruleset to check; ``None`` uses the bundled default.
        cases: the cases to score; ``None`` loads the bundled documented cases.
        local: score each case's profile as built from the national data and these local
            facts (a file, a folder of files or :class:`~earlywarning.local.LocalFacts`) on its
            snapshot day (:func:`case_profiles`), instead of the profile its file encodes.

    Returns:
        One row per case, indexed by case id (index name ``case``), with the columns
        ``council``, ``snapshot`` (a date), ``expected_bands`` (a tuple of band names),
        ``score``, ``band``, ``coverage`` (share of the ruleset's weight that had data),
        ``agrees`` (the band is one of the expected bands), ``preceded_decline``, ``change``
        (the Ofsted judgement that followed: ``declined``, ``held`` or ``improved``),
        ``main_reasons`` (the top three reason codes, joined by '; ') and ``missing`` (how many
        of the ruleset's indicators had no data).

    Example:
        >>> import earlywarning as ew
        >>> report = ew.calibration_report()
        >>> report.index.name, len(report) == len(ew.load_cases())
        ('case', True)
        >>> report.loc["oxfordshire-2018", "expected_bands"]
        ('low',)
    """
    if cases is None:
        cases = load_cases()
    frame = cases_frame(cases) if local is None else case_profiles(cases, local)
    ev = evaluate(frame, ruleset)
    scored = result_frame(ev, frame.index)
    missing = (ev.level < 0).sum(axis=1)
    by_id = {case.id: case for case in cases}
    ids = list(frame.index)
    expected = [by_id[i].expected_bands for i in ids]
    band = scored["band"].tolist()
    report = pd.DataFrame(
        {
            "council": [by_id[i].council for i in ids],
            "snapshot": [by_id[i].snapshot for i in ids],
            "expected_bands": expected,
            "score": scored["score"].to_numpy(),
            "band": band,
            "coverage": scored["coverage"].to_numpy(),
            "agrees": [b in e for b, e in zip(band, expected, strict=True)],
            "preceded_decline": [by_id[i].outcome.preceded_decline for i in ids],
            "change": [by_id[i].outcome.change for i in ids],
            "main_reasons": [
                "; ".join(str(r).split("; ")[:_MAIN_REASONS]) if isinstance(r, str) else ""
                for r in scored["reasons"]
            ],
            "missing": missing.astype(int),
        },
        index=pd.Index(ids, name="case"),
    )
    return report


def check_bar(report: pd.DataFrame) -> list[str]:
    """Check the bar the default ruleset must meet on the documented cases.

    The bar: every bundled case is in the report and lands in one of the ``expected_bands`` its
    file in ``rules/cases`` declares (Oxfordshire 2018 low; Derbyshire 2019 moderate;
    Oxfordshire 2016 moderate or above; Derbyshire 2016, Durham 2016 and Kirklees 2016 high or
    severe); Oxfordshire 2018 scores lowest of all snapshots; every snapshot that preceded a
    decline scores above every snapshot of a council that held its rating; and every case
    reports how complete its data is.

    Args:
        report: a frame from :func:`calibration_report`.

    Returns:
        One message per failure, naming the cases and their scores; empty when the bar holds.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.calibrate import check_bar
        >>> failures = check_bar(ew.calibration_report())
        >>> all(isinstance(f, str) for f in failures)
        True
    """
    failures: list[str] = []
    present = set(report.index)

    def where(case: str) -> str:
        row = report.loc[case]
        return f"{row['band']} (score {_num(row['score'])})"

    for case, bands in _bar_bands().items():
        if case not in present:
            failures.append(f"{case} is not in the report, so the bar cannot be checked on it")
            continue
        if report.loc[case, "band"] not in bands:
            failures.append(f"{case} must be {_or(bands)} but is {where(case)}")

    scores = report["score"].astype(float)
    for failed in report.index[scores.isna()]:
        failures.append(f"{failed} could not be scored")

    if _BAR_LOWEST in present and not math.isnan(scores[_BAR_LOWEST]):
        low = scores[_BAR_LOWEST]
        others = scores.drop(_BAR_LOWEST)
        for other, value in others[others <= low].items():
            failures.append(
                f"{_BAR_LOWEST} must score lowest of all snapshots, but scores "
                f"{_num(low)} and {other} scores {_num(value)}"
            )

    declined = scores[report["preceded_decline"].astype(bool)].dropna()
    held = scores[report["change"] == "held"].dropna()
    if len(held):
        top_case, top = str(held.idxmax()), float(held.max())
        for warned, value in declined.items():
            if not value > top:
                failures.append(
                    f"{warned} preceded a decline but scores {_num(value)}, not above "
                    f"{top_case} ({_num(top)}), a snapshot of a council that held its rating"
                )

    coverage = report["coverage"].astype(float)
    for snapshot, value in coverage.items():
        if not 0 <= value <= 1:
            failures.append(
                f"{snapshot} does not report how complete its data is (coverage {value})"
            )
    return failures


def _num(x: Any) -> str:
    return f"{float(x):g}"


def _or(bands: Sequence[str]) -> str:
    return bands[0] if len(bands) == 1 else ", ".join(bands[:-1]) + " or " + bands[-1]


# ----------------------------------------------------------------------------------------------
# Laying the report out, and the cases before and after a fit


def case_disagreements(report: pd.DataFrame) -> list[str]:
    """One line per case whose band is not one it expects: expected, got, and the score.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.calibrate import case_disagreements
        >>> case_disagreements(ew.calibration_report())
        []
    """
    return [
        f"{case}: expected {'/'.join(row['expected_bands'])}, got {row['band']} "
        f"(score {row['score']:g})"
        for case, row in report.iterrows()
        if not row["agrees"]
    ]


def calibration_table(report: pd.DataFrame) -> pd.DataFrame:
    """The report with every cell as plain text or numbers, for CSV and JSON.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.calibrate import calibration_table
        >>> calibration_table(ew.calibration_report()).loc[0, "expected_bands"]
        'high/severe'
    """
    table = report.reset_index()
    table["snapshot"] = [d.isoformat() for d in table["snapshot"]]
    table["expected_bands"] = ["/".join(b) for b in table["expected_bands"]]
    return table


def calibration_text(report: pd.DataFrame, ruleset: Ruleset) -> str:
    """The report as a text table, then one line on how well the scores order the cases.

    The line gives how many cases agree with their expected bands, the rank agreement of the
    scores with the lowest expected band, and the AUC for preceding a decline.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.calibrate import calibration_text
        >>> rules = ew.load_ruleset()
        >>> print(calibration_text(ew.calibration_report(rules), rules))  # doctest: +ELLIPSIS
        case ...
        6 of 6 cases agree with their expected bands ...
    """
    shown = calibration_table(report)[
        ["case", "expected_bands", "score", "band", "coverage", "missing"]
    ]
    shown.columns = ["case", "expected", "score", "band", "coverage", "no data"]
    shown["score"] = [f"{x:g}" for x in report["score"]]
    shown["coverage"] = [f"{x:.0%}" for x in report["coverage"]]
    shown["agrees"] = ["yes" if x else "NO" for x in report["agrees"]]
    shown["decline"] = ["yes" if x else "no" for x in report["preceded_decline"]]
    shown["main reasons"] = list(report["main_reasons"])
    lowest = [min(BAND_NAMES.index(b) for b in bands) for bands in report["expected_bands"]]
    return (
        shown.to_string(index=False)
        + "\n\n"
        + f"{int(report['agrees'].sum())} of {len(report)} cases agree with their expected "
        f"bands ({ruleset.id} {ruleset.version}); rank agreement with the expected bands "
        f"{rank_agreement(report['score'], lowest):.3f}; AUC for preceding a decline "
        f"{auc(report['score'], report['preceded_decline']):.3f}"
    )


def case_outcomes(cases: Sequence[Case] | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """The documented cases as profiles and outcomes for :func:`fit`: did each precede a decline.

    Args:
        cases: the cases; ``None`` loads the bundled documented cases.

    Returns:
        ``(profiles, outcomes)``: one profile per case, indexed by case id, and a Series of
        ``preceded_decline`` on the same index.

    Example:
        >>> from earlywarning.calibrate import case_outcomes
        >>> profiles, outcomes = case_outcomes()
        >>> bool(outcomes["derbyshire-2016"]), list(profiles.index) == list(outcomes.index)
        (True, True)
    """
    if cases is None:
        cases = load_cases()
    profiles = cases_frame(cases)
    by_id = {c.id: c for c in cases}
    outcomes = pd.Series(
        [by_id[i].outcome.preceded_decline for i in profiles.index],
        index=profiles.index,
        name="preceded_decline",
    )
    return profiles, outcomes


def cases_after_fit(result: FitResult) -> str:
    """Each documented case's band before, after (in-sample) and held out, against expected.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.calibrate import case_outcomes, cases_after_fit
        >>> result = ew.fit(None, *case_outcomes(), max_rounds=1)
        >>> print(cases_after_fit(result).splitlines()[-1])  # doctest: +ELLIPSIS
        cases agreeing with their expected bands, of 6: before 6, fitted (in-sample) ...
    """
    before = calibration_report(result.original)
    after = calibration_report(result.ruleset)
    table = pd.DataFrame(
        {
            "expected": ["/".join(b) for b in before["expected_bands"]],
            "before": before["band"],
            "fitted": after["band"],
        },
        index=before.index,
    )
    counts = [
        f"before {int(before['agrees'].sum())}",
        f"fitted (in-sample) {int(after['agrees'].sum())}",
    ]
    if result.loo is not None:
        held = result.loo.bands.reindex(before.index)
        table["held out"] = held
        agrees = sum(b in e for b, e in zip(held, before["expected_bands"], strict=True))
        counts.append(f"held out {agrees}")
    return (
        table.to_string()
        + f"\n\ncases agreeing with their expected bands, of {len(table)}: "
        + ", ".join(counts)
        + "\n"
    )
