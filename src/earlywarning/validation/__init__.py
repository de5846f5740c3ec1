"""Validation on real Ofsted outcomes: how well the score separates each outcome, beside a baseline.

:func:`validate` scores each of the 136 ILACS inspections from January 2018 to March 2022 from
the profile known at its start date (:func:`~earlywarning.datasets.inspection_profiles`: the
workforce census of the September before, demand to the March before, the judgement before) and
asks how well the score separates each outcome of :data:`earlywarning.outcomes.OUTCOMES`. Beside
each figure is a baseline that uses no rules at all (:mod:`earlywarning.baseline`), fitted with
cross-validation so that no inspection is predicted by a model that saw its outcome. A ruleset
that cannot beat it is not earning its transparency cheaply.

:class:`ValidationReport` holds the figures; its text and CSV layouts are separate functions of
it. The trajectories (:func:`england_scores`, :func:`rising_risk`) and the metrics
(:func:`roc_curve`) are re-exported here from their own modules.

The baseline needs scikit-learn, an optional dependency::

    pip install "earlywarning[validation]"
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.baseline import (
    NATIONAL_MEASURES,
    ValidationDependencyError,
    baseline_inputs,
    cross_validated,
)
from earlywarning.datasets import inspection_profiles
from earlywarning.engine import evaluate, result_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.flags import flag_column
from earlywarning.metrics import auc_or_nan, bootstrap_intervals, roc_curve
from earlywarning.outcomes import OPTIONAL_OUTCOMES, OUTCOME_LABELS, OUTCOME_NAMES, derive_outcomes
from earlywarning.parameters import MAX_FOLDS, MAX_RESAMPLES, MAX_SEED, check_whole
from earlywarning.profile import FIELD_NAMES
from earlywarning.rules import Ruleset, load_ruleset
from earlywarning.trajectories import england_scores, rising_risk
from earlywarning.validation._report import ValidationReport
from earlywarning.validation._tables import KnownOutcome, band_table, indicator_table

__all__ = [
    "NATIONAL_MEASURES",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "ValidationDependencyError",
    "ValidationReport",
    "baseline_inputs",
    "england_scores",
    "rising_risk",
    "roc_curve",
    "validate",
    "validate_profiles",
]

OUTCOMES: tuple[str, ...] = OUTCOME_NAMES
"""The outcomes validated, as columns of :func:`~earlywarning.datasets.inspection_profiles`."""

# Reports of the bundled inspections kept for reuse: the data never change, so a report depends
# only on the ruleset's content and the settings. A few entries cover a session's rulesets.
_MEMO: dict[tuple[str, int, int, bool], ValidationReport] = {}
_MEMO_SIZE = 8


def _read_outcomes(frame: pd.DataFrame, score: np.ndarray) -> list[KnownOutcome]:
    """Each outcome of the table, from its column or else from the judgements.

    A column is read with :func:`~earlywarning.flags.flag_column`, so text such as "no" is
    False and a value that is not yes/no is refused; a missing value means unknown.
    """
    derived: pd.DataFrame | None = None
    if {"new_rating", "prev_rating"} <= set(frame.columns):
        derived = derive_outcomes(frame["new_rating"], frame["prev_rating"])
    read, missing = [], []
    for name in OUTCOMES:
        if name in frame.columns:
            raw = frame[name]
        elif derived is not None:
            raw = derived[name]
        elif name in OPTIONAL_OUTCOMES:
            continue  # a frame from before this outcome existed: report the others
        else:
            missing.append(name)
            continue
        present = raw.notna().to_numpy()
        value = np.zeros(len(frame), dtype=bool)
        value[present] = flag_column(raw[present], name)
        read.append(KnownOutcome(name, present & ~np.isnan(score), value))
    if missing:
        raise EarlyWarningError(f"validate: outcome column(s) missing: {missing}")
    return read


def _outcome_row(
    outcome: KnownOutcome,
    k: int,
    score: np.ndarray,
    prob: np.ndarray | None,
    seed: int,
    resamples: int,
) -> dict[str, Any]:
    """One row of the AUC table: the two AUCs and their bootstrap intervals."""
    known, y = outcome.known, outcome.value
    positives = int(y[known].sum())
    theirs = auc_or_nan(prob[known], y[known]) if prob is not None else float("nan")
    if resamples > 0:
        rng = np.random.default_rng([seed, k])
        base = prob[known] if prob is not None else None
        ci = bootstrap_intervals(score[known], base, y[known], resamples, rng)
    else:
        nan2 = (float("nan"), float("nan"))
        ci = {"ruleset": nan2, "baseline": nan2, "difference": nan2}
    return {
        "outcome": outcome.name,
        "n": int(known.sum()),
        "positives": positives,
        "ruleset_auc": auc_or_nan(score[known], y[known]),
        "ruleset_low": ci["ruleset"][0],
        "ruleset_high": ci["ruleset"][1],
        "baseline_auc": theirs,
        "baseline_low": ci["baseline"][0],
        "baseline_high": ci["baseline"][1],
        "difference_low": ci["difference"][0],
        "difference_high": ci["difference"][1],
    }


def _baseline(
    outcome: KnownOutcome, design: np.ndarray | None, folds: int, seed: int
) -> np.ndarray | None:
    """The cross-validated probability of the outcome for each row (NaN where unknown)."""
    if design is None:
        return None
    known, y = outcome.known, outcome.value
    positives = int(y[known].sum())
    negatives = int(known.sum()) - positives
    if min(positives, negatives) < folds:
        raise EarlyWarningError(
            f"validate: {folds}-fold cross-validation of {outcome.name!r} needs at least {folds} "
            f"cases with and without it (there are {positives} and {negatives}); "
            "use fewer folds"
        )
    prob = np.full(len(known), np.nan)
    prob[known] = cross_validated(design[known], y[known], folds, seed)
    return prob


def _scores(
    frame: pd.DataFrame, scored: pd.DataFrame, outcomes: list[KnownOutcome]
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for col in ("council", "la_code", "inspection_start", "year"):
        if col in frame.columns:
            out[col] = frame[col]
    for col in ("score", "band", "coverage", "reasons"):
        out[col] = scored[col]
    for col in ("prev_rating", "new_rating"):
        if col in frame.columns:
            out[col] = frame[col]
    for o in outcomes:
        values = [bool(v) if k else None for v, k in zip(o.value, o.known, strict=True)]
        out[o.name] = pd.Series(values, index=frame.index, dtype=object)
    return out


def _checked(folds: object, seed: object, resamples: object) -> tuple[int, int, int]:
    """The numeric arguments of a validation, checked as the command line checks them."""
    return (
        check_whole(folds, "validate: folds", 2, MAX_FOLDS),
        check_whole(seed, "validate: seed", 0, MAX_SEED),
        check_whole(resamples, "validate: resamples", 0, MAX_RESAMPLES),
    )


def validate_profiles(
    frame: pd.DataFrame,
    ruleset: Ruleset | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    resamples: int = 1000,
    baseline: bool = True,
) -> ValidationReport:
    """Validate a ruleset on any frame of profiles with outcomes; :func:`validate` uses this.

    Args:
        frame: profile columns (:class:`~earlywarning.CouncilProfile` fields) and a column per
            outcome of :data:`~earlywarning.outcomes.OUTCOMES` (``below_good``, ``inadequate``,
            ``declined`` and, optionally, ``declined_from_good``: yes/no values as
            :func:`~earlywarning.flags.parse_flag` reads them, or missing where unknown). An
            outcome column that is absent is derived from ``new_rating`` and ``prev_rating``
            when the frame has them. ``inspection_start``, ``new_rating`` and ``prev_rating``
            are carried into the scores if present; other columns are ignored.
        ruleset: the ruleset to validate; ``None`` is the bundled default.
        folds: folds of the stratified cross-validation of the baseline (at least 2, and no more
            than the smaller class of each outcome).
        seed: fixes the folds and the bootstrap, so the report is the same on every run.
        resamples: bootstrap resamples for each interval (0 for none).
        baseline: fit the logistic-regression baseline (needs scikit-learn).

    Returns:
        A :class:`ValidationReport`.

    Raises:
        EarlyWarningError: an outcome column is missing, or too few cases for the folds.
        OutcomeError: an outcome value is not yes/no (naming the column, row and value).
        ValidationDependencyError: ``baseline`` is True and scikit-learn is not installed.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.validation import validate_profiles
        >>> # three councils with 5% agency staff, three with 40%: 6 of 9 pairs (ties count half)
        >>> frame = pd.DataFrame({"council": list("ABCDEF"), "year": 2020,
        ...                       "agency_rate_pct": [5, 5, 5, 40, 40, 40],
        ...                       "below_good": ["no", "no", "yes", "yes", "yes", "no"],
        ...                       "inadequate": [False] * 5 + [True],
        ...                       "declined": [None, False, True, False, True, True]})
        >>> report = validate_profiles(frame, baseline=False, resamples=0)
        >>> float(report.table().loc["below_good", "ruleset_auc"])
        0.6666666666666666
    """
    folds, seed, resamples = _checked(folds, seed, resamples)
    profiles = frame.loc[:, [c for c in frame.columns if c in FIELD_NAMES]]
    ev = evaluate(profiles, ruleset)
    rules = ev.ruleset
    scored = result_frame(ev, profiles.index)
    score = scored["score"].to_numpy(dtype=float)
    outcomes = _read_outcomes(frame, score)
    inputs_used = baseline_inputs(rules) if baseline else ()
    design = np.column_stack([ev.columns.measures[m] for m in inputs_used]) if inputs_used else None
    out = _scores(frame, scored, outcomes)
    rows = []
    for k, outcome in enumerate(outcomes):
        prob = _baseline(outcome, design, folds, seed)
        if prob is not None:
            out[f"baseline_{outcome.name}"] = prob
        rows.append(_outcome_row(outcome, k, score, prob, seed, resamples))
    return ValidationReport(
        ruleset_id=rules.id,
        ruleset_version=rules.version,
        ruleset_hash=rules.content_hash,
        folds=folds,
        seed=seed,
        resamples=resamples,
        baseline_inputs=inputs_used,
        scores=out,
        _table=pd.DataFrame(rows).set_index("outcome"),
        _bands=band_table(out["band"], outcomes),
        _indicators={o.name: indicator_table(ev, o) for o in outcomes},
    )


def validate(
    ruleset: Ruleset | None = None, *, folds: int = 5, seed: int = 0, baseline: bool = True
) -> ValidationReport:
    """Check a ruleset against the 136 ILACS inspections from January 2018 to March 2022.

    Each inspection is scored from its council's profile as at the inspection's start
    (:func:`~earlywarning.datasets.inspection_profiles`), so no input postdates the judgement.
    For each outcome of :data:`~earlywarning.outcomes.OUTCOMES` (judged below good, judged
    inadequate, declined from the previous judgement where there was one, and declined among
    the inspections whose previous judgement was good or outstanding) the report gives the AUC
    of the score with a 95% bootstrap interval (1,000 resamples), and the AUC of a baseline
    logistic regression on the same inputs (:func:`baseline_inputs`) with stratified
    ``folds``-fold cross-validated predictions. It also counts, band by band, how many
    inspections had each outcome.

    The bundled inspections never change, so a report is computed once per ruleset content,
    ``folds``, ``seed`` and ``baseline`` and reused; each call returns its own copy of the
    scores.

    Args:
        ruleset: the ruleset to validate; ``None`` is the bundled default.
        folds: folds of the baseline's cross-validation.
        seed: fixes the folds and the bootstrap.
        baseline: fit the baseline (needs scikit-learn); False reports the ruleset alone.

    Returns:
        A :class:`ValidationReport`; ``print(report.to_text())`` shows it.

    Raises:
        ValidationDependencyError: scikit-learn is not installed
            (``pip install "earlywarning[validation]"``).

    Example:
        >>> import earlywarning as ew
        >>> report = ew.validate()
        >>> report.table().loc["below_good", ["n", "positives"]].tolist()
        [136, 62]
    """
    folds, seed, _ = _checked(folds, seed, 0)
    rules = ruleset if ruleset is not None else load_ruleset()
    key = (rules.content_hash, folds, seed, baseline)
    report = _MEMO.get(key)
    if report is None:
        report = validate_profiles(
            inspection_profiles(), rules, folds=folds, seed=seed, baseline=baseline
        )
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = report
    return dataclasses.replace(report, scores=report.scores.copy())
