"""Validation on real Ofsted outcomes: how well the score separates each outcome, beside a baseline.

:func:`validate` scores each ILACS inspection of both periods of the frozen split
(:mod:`earlywarning.datasets.periods`: the 136 of the training period, January 2018 to March
2022, on which the rules were chosen, and the 135 of the test period, April 2022 to March 2025,
measured and never tuned on) from the profile known at its start date
(:func:`~earlywarning.datasets.inspection_profiles`: the workforce census of the September
before, demand to the March before, the judgement before) and asks how well the score separates
each outcome of :data:`earlywarning.outcomes.OUTCOMES`, period by period, through one path
(:func:`validate_profiles`). Beside each figure is a baseline that uses no rules at all
(:mod:`earlywarning.baseline`): cross-validated on the training period, so that no inspection
is predicted by a model that saw its outcome, and fitted on the training period and applied
unchanged to the test period. A ruleset that cannot beat it is not earning its transparency
cheaply.

:class:`ValidationReport` holds the figures; its text and CSV layouts are separate functions of
it. The trajectories (:func:`england_scores`, :func:`rising_risk`) and the metrics
(:func:`roc_curve`) are re-exported here from their own modules.

The baseline needs scikit-learn, an optional dependency::

    pip install "earlywarning[validation]"
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.baseline import (
    NATIONAL_MEASURES,
    ValidationDependencyError,
    baseline_inputs,
    cross_validated,
    fitted_and_applied,
)
from earlywarning.datasets import PERIODS, data_location, inspection_profiles
from earlywarning.drift import drift_notes
from earlywarning.engine import evaluate, result_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.flags import flag_column
from earlywarning.metrics import auc_or_nan, bootstrap_intervals, roc_curve
from earlywarning.outcomes import AREAS, OUTCOME_LABELS, OUTCOME_NAMES, derive_outcomes
from earlywarning.outcomes import OUTCOMES as OUTCOME_SPECS
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

# Reports kept for reuse: the inspections of a data directory never change, so a report depends
# only on the data in use, the ruleset's content and the settings. A few entries cover a
# session's rulesets.
_MEMO: dict[tuple[str, int, int, bool, str], ValidationReport] = {}
_MEMO_SIZE = 8


def _derived(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Every outcome derived from the frame's judgements, where it has them: the overall
    ``new_rating``/``prev_rating`` and the areas' ``new_<area>``/``prev_<area>``."""
    has_overall = {"new_rating", "prev_rating"} <= set(frame.columns)
    has_areas = any(f"new_{a}" in frame.columns for a in AREAS)
    if not has_overall and not has_areas:
        return None

    def areas(when: str) -> pd.DataFrame | None:
        named = {a: frame[f"{when}_{a}"] for a in AREAS if f"{when}_{a}" in frame.columns}
        return pd.DataFrame(named, index=frame.index, dtype=object) if named else None

    none = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return derive_outcomes(
        frame["new_rating"] if has_overall else none,
        frame["prev_rating"] if has_overall else none,
        new_areas=areas("new"),
        prev_areas=areas("prev"),
    )


def _read_outcomes(frame: pd.DataFrame, score: np.ndarray) -> list[KnownOutcome]:
    """Each outcome of the table, from its column or else from the judgements.

    A column is read with :func:`~earlywarning.flags.flag_column`, so text such as "no" is
    False and a value that is not yes/no is refused; a missing value means unknown. An optional
    outcome the frame cannot give (no column, and no judgement it is read from) is left out.
    """
    derived = _derived(frame)
    read, missing = [], []
    for spec in OUTCOME_SPECS:
        name = spec.name
        if name in frame.columns:
            raw = frame[name]
        elif derived is not None and (spec.required or derived[name].notna().any()):
            raw = derived[name]
        elif not spec.required:
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


@dataclass(frozen=True)
class _Training:
    """The rows a baseline is fitted on when it is applied to other rows: their inputs and
    outcomes."""

    design: np.ndarray
    outcomes: dict[str, KnownOutcome]


def _baseline(
    outcome: KnownOutcome,
    design: np.ndarray | None,
    folds: int,
    seed: int,
    training: _Training | None,
) -> np.ndarray | None:
    """The probability of the outcome for each row (NaN where unknown): cross-validated within
    the rows, or from the model fitted on ``training`` when it is given."""
    if design is None:
        return None
    known, y = outcome.known, outcome.value
    prob = np.full(len(known), np.nan)
    if training is not None:
        fitted = training.outcomes.get(outcome.name)
        if (
            fitted is None
            or fitted.value[fitted.known].all()
            or not fitted.value[fitted.known].any()
        ):
            raise EarlyWarningError(
                f"validate: the baseline of {outcome.name!r} is fitted on the training rows, "
                "which need inspections with and without it"
            )
        on = fitted.known
        prob[known] = fitted_and_applied(training.design[on], fitted.value[on], design[known])
        return prob
    positives = int(y[known].sum())
    negatives = int(known.sum()) - positives
    if min(positives, negatives) < folds:
        raise EarlyWarningError(
            f"validate: {folds}-fold cross-validation of {outcome.name!r} needs at least {folds} "
            f"cases with and without it (there are {positives} and {negatives}); "
            "use fewer folds"
        )
    prob[known] = cross_validated(design[known], y[known], folds, seed)
    return prob


def _training(
    fit_on: pd.DataFrame | None, rules: Ruleset, inputs_used: tuple[str, ...]
) -> _Training | None:
    """The baseline's training rows, read as the validated rows are (None: cross-validate)."""
    if fit_on is None or not inputs_used:
        return None
    profiles = fit_on.loc[:, [c for c in fit_on.columns if c in FIELD_NAMES]]
    ev = evaluate(profiles, rules)
    score = result_frame(ev, profiles.index)["score"].to_numpy(dtype=float)
    design = np.column_stack([ev.columns.measures[m] for m in inputs_used])
    return _Training(design, {o.name: o for o in _read_outcomes(fit_on, score)})


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
    fit_on: pd.DataFrame | None = None,
    period: str | None = None,
) -> ValidationReport:
    """Validate a ruleset on any frame of profiles with outcomes; :func:`validate` uses this.

    Args:
        frame: profile columns (:class:`~earlywarning.CouncilProfile` fields) and a column per
            outcome of :data:`~earlywarning.outcomes.OUTCOMES` (``below_good``, ``inadequate``,
            ``declined`` and, optionally, ``declined_from_good`` and the outcomes by area:
            yes/no values as :func:`~earlywarning.flags.parse_flag` reads them, or missing
            where unknown). An outcome column that is absent is derived from ``new_rating`` and
            ``prev_rating``, and an outcome by area from ``new_<area>`` and ``prev_<area>``
            (:data:`earlywarning.datasets.AREA_COLUMNS`), when the frame has them; an optional
            outcome the frame cannot give is left out of the report. ``inspection_start``,
            ``new_rating`` and ``prev_rating`` are carried into the scores if present; other
            columns are ignored.
        ruleset: the ruleset to validate; ``None`` is the bundled default.
        folds: folds of the stratified cross-validation of the baseline (at least 2, and no more
            than the smaller class of each outcome).
        seed: fixes the folds and the bootstrap, so the report is the same on every run.
        resamples: bootstrap resamples for each interval (0 for none).
        baseline: fit the logistic-regression baseline (needs scikit-learn).
        fit_on: rows to fit the baseline on, read as ``frame`` is (profile fields and
            outcomes), when it is to be applied to ``frame`` unchanged rather than
            cross-validated within it: :func:`validate` passes the training period's
            inspections here to measure the test period's.
        period: the name of the period ``frame`` covers (see
            :mod:`earlywarning.datasets.periods`), carried into the report; None for rows of
            no period.

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
    training = _training(fit_on, rules, inputs_used)
    rows = []
    for k, outcome in enumerate(outcomes):
        prob = _baseline(outcome, design, folds, seed, training)
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
        period=period,
        baseline_fitted_on=None if training is None else len(training.design),
    )


def validate(
    ruleset: Ruleset | None = None, *, folds: int = 5, seed: int = 0, baseline: bool = True
) -> ValidationReport:
    """Check a ruleset on the ILACS inspections of both periods of the frozen split.

    The training period (the 136 inspections from January 2018 to March 2022, on which the
    default ruleset was chosen) and the test period (the 135 from April 2022 to March 2025,
    measured and never tuned on; see :mod:`earlywarning.datasets.periods`) are validated
    apart, by the one path :func:`validate_profiles`, and reported side by side. Each
    inspection is scored from its council's profile as at the inspection's start
    (:func:`~earlywarning.datasets.inspection_profiles`), so no input postdates the judgement.
    For each outcome of :data:`~earlywarning.outcomes.OUTCOMES` (judged below good, judged
    inadequate, declined, declined from good or outstanding, and the same by inspection area)
    the report gives the AUC of the score with a 95% bootstrap interval (1,000 resamples), and
    the AUC of a baseline logistic regression on the same inputs (:func:`baseline_inputs`):
    on the training period its predictions are cross-validated in stratified ``folds`` folds;
    on the test period it is fitted on the whole training period and applied unchanged. It also
    counts, band by band, how many inspections had each outcome.

    The returned report is the training period's; its ``test`` attribute holds the test
    period's, and its text, CSV, JSON and notebook layouts show both. ``notes`` names the
    measures whose distribution has drifted from the training period's
    (:mod:`earlywarning.drift`).

    The inspections of a data directory never change, so a report is computed once per data in
    use, ruleset content, ``folds``, ``seed`` and ``baseline`` and reused; each call returns its
    own copy of the scores.

    Args:
        ruleset: the ruleset to validate; ``None`` is the bundled default.
        folds: folds of the baseline's cross-validation on the training period.
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
        >>> report.test.table().loc["below_good", ["n", "positives"]].tolist()
        [135, 47]
    """
    folds, seed, _ = _checked(folds, seed, 0)
    rules = ruleset if ruleset is not None else load_ruleset()
    # the data in use belong in the key: a data directory of the user's has other inspections
    key = (rules.content_hash, folds, seed, baseline, str(data_location()))
    report = _MEMO.get(key)
    if report is None:
        training = inspection_profiles(period="training")
        test = inspection_profiles(period="test")
        settings: dict[str, Any] = {"folds": folds, "seed": seed, "baseline": baseline}
        first = validate_profiles(training, rules, period=PERIODS[0].name, **settings)
        second = validate_profiles(test, rules, fit_on=training, period=PERIODS[1].name, **settings)
        # drift over the years the test period's inspections were scored from
        years = range(PERIODS[1].first.year, PERIODS[1].last.year + 1)
        report = dataclasses.replace(first, test=second, notes=drift_notes(years))
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = report
    return _copied(report)


def _copied(report: ValidationReport) -> ValidationReport:
    """The report with its own copy of the scores (and its test period's)."""
    test = None if report.test is None else _copied(report.test)
    return dataclasses.replace(report, scores=report.scores.copy(), test=test)
