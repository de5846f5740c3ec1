"""Validation on real Ofsted outcomes, and every council's score over the years.

:func:`validate` scores each of the 136 ILACS inspections from January 2018 to March 2022 from
the profile known at its start date (:func:`~earlywarning.datasets.inspection_profiles`: the
workforce census of the September before, demand to the March before, the judgement before) and
asks how well the score separates three outcomes: judged below good, judged inadequate, and
declined from the previous judgement. Beside each figure is a baseline that uses no rules at all:
a logistic regression on the same inputs, fitted with cross-validation so that no inspection is
predicted by a model that saw its outcome. A ruleset that cannot beat it is not earning its
transparency cheaply.

:func:`england_scores` scores every council for every year, with a flag for rising risk.

The baseline needs scikit-learn, an optional dependency::

    pip install "earlywarning[validation]"
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.calibrate import auc
from earlywarning.datasets import PROFILE_COLUMNS, england_profiles, inspection_profiles
from earlywarning.engine import Evaluation, evaluate, result_frame, score_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.profile import FIELD_NAMES
from earlywarning.rules import BAND_NAMES, Condition, Ruleset, load_ruleset

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

OUTCOMES: tuple[str, ...] = ("below_good", "inadequate", "declined")
"""The outcomes validated, as columns of :func:`~earlywarning.datasets.inspection_profiles`."""

OUTCOME_LABELS: dict[str, str] = {
    "below_good": "judged below good",
    "inadequate": "judged inadequate",
    "declined": "declined from the previous judgement",
}
"""How each outcome is named in reports."""

NATIONAL_MEASURES: tuple[str, ...] = tuple(
    "previous_rating_grade" if c == "previous_rating" else c
    for c in PROFILE_COLUMNS
    if c not in ("council", "year", "la_code")
)
"""The measures the bundled national data can fill (the previous rating as its grade, 1 to 4)."""

# Close enough to call two scores equal: the engine rounds scores to 6 decimal places.
_EPSILON = 1e-9


def _auc(scores: np.ndarray, outcome: np.ndarray) -> float:
    """:func:`earlywarning.calibrate.auc`, or NaN when there is no positive or no negative."""
    known = ~np.isnan(scores)
    positives = int(outcome[known].sum())
    if positives == 0 or positives == int(known.sum()):
        return float("nan")
    return auc(scores, outcome)


def roc_curve(scores: Iterable[Any], outcomes: Iterable[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve: false and true positive rates as the threshold falls through the scores.

    One point per distinct score, from (0, 0) to (1, 1); tied scores move both rates at once,
    so the area under the curve (by trapezoids) is the AUC with ties counted half. Rows with a
    missing score or outcome are left out.

    Returns:
        ``(false_positive_rate, true_positive_rate)``, two arrays of equal length; empty when
        there is no positive or no negative.

    Example:
        >>> from earlywarning.validate import roc_curve
        >>> fpr, tpr = roc_curve([1, 2, 2, 3], [False, False, True, True])
        >>> fpr.tolist(), tpr.tolist()
        ([0.0, 0.0, 0.5, 1.0], [0.0, 0.5, 1.0, 1.0])
    """
    s = pd.to_numeric(pd.Series(list(scores), dtype=object), errors="coerce").to_numpy(float)
    raw = pd.Series(list(outcomes), dtype=object)
    if len(s) != len(raw):
        raise EarlyWarningError(f"{len(s)} scores but {len(raw)} outcomes; give one of each")
    keep = ~np.isnan(s) & raw.notna().to_numpy()
    s, y = s[keep], raw[keep].astype(bool).to_numpy()
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return np.array([]), np.array([])
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last_of_tie = np.append(s[1:] != s[:-1], True)
    true_pos = np.cumsum(y)[last_of_tie]
    false_pos = np.cumsum(~y)[last_of_tie]
    fpr = np.concatenate([[0.0], false_pos / negatives])
    tpr = np.concatenate([[0.0], true_pos / positives])
    return fpr, tpr


class ValidationDependencyError(EarlyWarningError, ImportError):
    """scikit-learn is not installed, so the logistic-regression baseline cannot be fitted.

    Example:
        >>> from earlywarning.validate import ValidationDependencyError
        >>> issubclass(ValidationDependencyError, ImportError)
        True
    """


def _sklearn() -> dict[str, Any]:
    """The scikit-learn pieces of the baseline, imported on first use."""
    try:
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError as exc:
        raise ValidationDependencyError(
            "the logistic-regression baseline needs scikit-learn, which is not installed: "
            'pip install "earlywarning[validation]"'
        ) from exc
    return {
        "SimpleImputer": SimpleImputer,
        "LogisticRegression": LogisticRegression,
        "StratifiedKFold": StratifiedKFold,
        "cross_val_predict": cross_val_predict,
        "make_pipeline": make_pipeline,
        "StandardScaler": StandardScaler,
    }


def baseline_inputs(ruleset: Ruleset | None = None) -> tuple[str, ...]:
    """The measures the baseline uses: those the ruleset reads that the national data provides.

    Every measure an indicator or a combination condition of the ruleset reads, kept if it is
    in :data:`NATIONAL_MEASURES`, in that order. So the baseline and the ruleset see the same
    facts about each inspection, and only the way they weigh them differs.

    Example:
        >>> from earlywarning.validate import baseline_inputs
        >>> "previous_rating_grade" in baseline_inputs()
        True
    """
    rules = ruleset if ruleset is not None else load_ruleset()
    used = {ind.measure for ind in rules.indicators}
    used |= {cond.measure for combo in rules.combinations for cond in combo.conditions}
    return tuple(m for m in NATIONAL_MEASURES if m in used)


def _cross_validated(inputs: np.ndarray, outcome: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Out-of-fold probabilities of a median-imputed, standardised logistic regression."""
    sk = _sklearn()
    model = sk["make_pipeline"](
        sk["SimpleImputer"](strategy="median"),
        sk["StandardScaler"](),
        sk["LogisticRegression"](max_iter=1000),
    )
    splitter = sk["StratifiedKFold"](n_splits=folds, shuffle=True, random_state=seed)
    proba = sk["cross_val_predict"](model, inputs, outcome, cv=splitter, method="predict_proba")
    return np.asarray(proba, dtype=float)[:, 1]


def _interval(values: np.ndarray) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def _bootstrap(
    score: np.ndarray,
    baseline: np.ndarray | None,
    outcome: np.ndarray,
    resamples: int,
    rng: np.random.Generator,
) -> dict[str, tuple[float, float]]:
    """95% percentile intervals for the ruleset AUC, the baseline AUC and their difference.

    Both AUCs are computed on the same resamples, so the difference is paired.
    """
    n = len(outcome)
    ours = np.full(resamples, np.nan)
    theirs = np.full(resamples, np.nan)
    for r in range(resamples):
        pick = rng.integers(0, n, size=n)
        ours[r] = _auc(score[pick], outcome[pick])
        if baseline is not None:
            theirs[r] = _auc(baseline[pick], outcome[pick])
    return {
        "ruleset": _interval(ours),
        "baseline": _interval(theirs),
        "difference": _interval(ours - theirs),
    }


def _indicator_table(ev: Evaluation, outcome: np.ndarray, known: np.ndarray) -> pd.DataFrame:
    """The AUC of each rule's points alone, and of its raw measure where it had data."""
    rules: Ruleset = ev.ruleset
    rows = []
    k = len(rules.indicators)
    y = outcome[known]
    for j, ind in enumerate(rules.indicators):
        points = ev.points[known, j]
        has_data = ev.level[known, j] >= 0
        value = ev.columns.measures[ind.measure][known]
        sign = -1.0 if ind.direction == "higher_is_better" else 1.0
        rows.append(
            {
                "rule": ind.id,
                "kind": ind.kind,
                "measure": ind.measure,
                "with_data": int(has_data.sum()),
                "scored": int(np.count_nonzero(points)),
                "auc_points": _auc(points, y) if np.ptp(points) > 0 else float("nan"),
                "auc_value": _auc(sign * value[has_data], y[has_data])
                if has_data.any()
                else float("nan"),
            }
        )
    for c, combo in enumerate(rules.combinations):
        points = ev.points[known, k + c]

        # with data: every 'all' condition measured, and at least one 'any' condition
        def measured(conds: tuple[Condition, ...]) -> list[np.ndarray]:
            return [~np.isnan(ev.columns.measures[c.measure][known]) for c in conds]

        with_data = np.ones(int(known.sum()), dtype=bool)
        for measured_all in measured(combo.all or ()):
            with_data &= measured_all
        names = [c.measure for c in combo.all or ()]
        if combo.any:
            with_data &= np.logical_or.reduce(measured(combo.any))
            alternatives = " or ".join(c.measure for c in combo.any)
            names.append(f"({alternatives})" if names else alternatives)
        rows.append(
            {
                "rule": combo.id,
                "kind": "combination",
                "measure": " and ".join(names),
                "with_data": int(with_data.sum()),
                "scored": int(np.count_nonzero(points)),
                "auc_points": _auc(points, y) if np.ptp(points) > 0 else float("nan"),
                "auc_value": float("nan"),
            }
        )
    return pd.DataFrame(rows).set_index("rule")


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """The result of :func:`validate`: AUCs beside a baseline, outcomes by band, the scores.

    Attributes:
        ruleset_id: the id of the ruleset validated.
        ruleset_version: its version.
        ruleset_hash: its content hash.
        folds: folds of the baseline's cross-validation.
        seed: the seed of the folds and of the bootstrap.
        resamples: bootstrap resamples behind each interval.
        baseline_inputs: the measures the baseline was fitted on (empty if it was not fitted).
        scores: one row per inspection: ``council``, ``la_code``, ``inspection_start``,
            ``year``, ``score``, ``band``, ``coverage``, ``reasons``, the ratings and outcome
            columns, and ``baseline_<outcome>``, the cross-validated probability of each outcome.

    Example:
        >>> import earlywarning as ew
        >>> report = ew.validate()
        >>> int(report.table().loc["below_good", "n"])
        136
    """

    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    folds: int
    seed: int
    resamples: int
    baseline_inputs: tuple[str, ...]
    scores: pd.DataFrame = field(repr=False)
    _table: pd.DataFrame = field(repr=False)
    _bands: pd.DataFrame = field(repr=False)
    _indicators: dict[str, pd.DataFrame] = field(repr=False)

    def table(self) -> pd.DataFrame:
        """One row per outcome: the ruleset's AUC and the baseline's, side by side.

        Columns: ``n`` (inspections with the outcome known), ``positives``, ``ruleset_auc`` and
        its 95% bootstrap interval ``ruleset_low``/``ruleset_high``, ``baseline_auc`` with
        ``baseline_low``/``baseline_high``, and the paired interval of ruleset minus baseline,
        ``difference_low``/``difference_high``. Baseline columns are NaN if it was not fitted.

        Example:
            >>> import earlywarning as ew
            >>> list(ew.validate().table().index)
            ['below_good', 'inadequate', 'declined']
        """
        return self._table.copy()

    def bands(self) -> pd.DataFrame:
        """One row per band: inspections in it, how many were judged below good and inadequate.

        Columns: ``inspections``, ``below_good``, ``share_below_good``, ``inadequate``,
        ``share_inadequate`` (shares are NaN for an empty band).

        Example:
            >>> import earlywarning as ew
            >>> int(ew.validate().bands()["inspections"].sum())
            136
        """
        return self._bands.copy()

    def indicators(self, outcome: str = "below_good") -> pd.DataFrame:
        """How much each rule separates ``outcome`` on its own.

        One row per indicator and combination: ``kind``, ``measure``, ``with_data``
        (inspections where its measure was known), ``scored`` (where it gave points),
        ``auc_points`` (the AUC of its points alone, a missing measure scoring 0 as in the
        ruleset; NaN if it gave every inspection the same points) and ``auc_value`` (the AUC of
        the raw measure, turned so that higher is worse, among inspections with data; this shows
        what the thresholds keep or lose).

        Example:
            >>> import earlywarning as ew
            >>> t = ew.validate().indicators()
            >>> "auc_points" in t.columns
            True
        """
        if outcome not in self._indicators:
            raise EarlyWarningError(f"outcome {outcome!r} is not one of {list(OUTCOMES)}")
        return self._indicators[outcome].copy()

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (for JSON): settings, the AUC table and the band table.

        Example:
            >>> import earlywarning as ew
            >>> sorted(ew.validate().to_dict())
            ['auc', 'bands', 'baseline_inputs', 'folds', 'resamples', 'ruleset', 'seed']
        """

        def records(frame: pd.DataFrame, key: str) -> list[dict[str, Any]]:
            out = frame.reset_index().rename(columns={"index": key})
            cleaned = out.astype(object).where(out.notna(), None)
            return [{str(k): v for k, v in r.items()} for r in cleaned.to_dict("records")]

        return {
            "ruleset": {
                "id": self.ruleset_id,
                "version": self.ruleset_version,
                "hash": self.ruleset_hash,
            },
            "folds": self.folds,
            "seed": self.seed,
            "resamples": self.resamples,
            "baseline_inputs": list(self.baseline_inputs),
            "auc": records(self._table, "outcome"),
            "bands": records(self._bands, "band"),
        }

    def to_text(self) -> str:
        """The AUC table and the band table as text, with a line on how each was computed.

        Example:
            >>> import earlywarning as ew
            >>> print(ew.validate().to_text())  # doctest: +ELLIPSIS
            Validation of earlywarning-default ...
        """

        def fig(x: float) -> str:
            return "n/a" if np.isnan(x) else f"{x:.2f}"

        def with_interval(x: float, low: float, high: float, signed: bool = False) -> str:
            if np.isnan(x):
                return "n/a"
            head = f"{x:+.2f}" if signed else f"{x:.2f}"
            tail = f"{low:+.2f} to {high:+.2f}" if signed else f"{fig(low)} to {fig(high)}"
            return f"{head} ({tail})"

        scores = self.scores
        dates = pd.to_datetime(scores["inspection_start"]) if "inspection_start" in scores else None
        span = ""
        if dates is not None and dates.notna().any():
            span = f", {dates.min():%d %b %Y} to {dates.max():%d %b %Y}"
        lines = [
            f"Validation of {self.ruleset_id} {self.ruleset_version} ({self.ruleset_hash}) "
            f"on {len(scores)} inspections{span}",
            "",
            "AUC: the chance that an inspection with the outcome scored higher than one without",
            "(0.5 is chance, 1 is perfect; ties count half). Intervals: 95%, bootstrap of "
            f"{self.resamples:,} resamples.",
        ]
        if self.baseline_inputs:
            lines += textwrap.wrap(
                f"Baseline: logistic regression on the same {len(self.baseline_inputs)} inputs "
                f"({', '.join(self.baseline_inputs)}), median-imputed and standardised, "
                f"{self.folds}-fold cross-validated (seed {self.seed}).",
                width=88,
            )
        else:
            lines.append("Baseline: not fitted.")
        lines.append("")
        header = (
            f"{'outcome':<37} {'n':>4} {'yes':>4}  {'ruleset AUC (95%)':<21} "
            f"{'baseline AUC (95%)':<21} {'ruleset - baseline (95%)'}"
        )
        lines.append(header)
        for name, row in self._table.iterrows():
            ours = with_interval(row["ruleset_auc"], row["ruleset_low"], row["ruleset_high"])
            theirs = with_interval(row["baseline_auc"], row["baseline_low"], row["baseline_high"])
            gap = with_interval(
                row["ruleset_auc"] - row["baseline_auc"],
                row["difference_low"],
                row["difference_high"],
                signed=True,
            )
            lines.append(
                f"{OUTCOME_LABELS.get(str(name), str(name)):<37} {int(row['n']):>4} "
                f"{int(row['positives']):>4}  {ours:<21} {theirs:<21} {gap}"
            )
        lines += [
            "",
            "Outcomes by band",
            f"{'band':<10} {'inspections':>11} {'below good':>11} {'share':>6} "
            f"{'inadequate':>11} {'share':>6}",
        ]
        for band, row in self._bands.iterrows():

            def share(x: float) -> str:
                return "-" if np.isnan(x) else f"{x:.0%}"

            lines.append(
                f"{band!s:<10} {int(row['inspections']):>11} {int(row['below_good']):>11} "
                f"{share(row['share_below_good']):>6} {int(row['inadequate']):>11} "
                f"{share(row['share_inadequate']):>6}"
            )
        return "\n".join(lines)


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
        frame: profile columns (:class:`~earlywarning.CouncilProfile` fields) and the outcome
            columns ``below_good``, ``inadequate`` and ``declined`` (True, False, or None where
            unknown). ``inspection_start``, ``new_rating`` and ``prev_rating`` are carried into
            the scores if present; other columns are ignored.
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
        ValidationDependencyError: ``baseline`` is True and scikit-learn is not installed.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.validate import validate_profiles
        >>> # three councils with 5% agency staff, three with 40%: 6 of 9 pairs (ties count half)
        >>> frame = pd.DataFrame({"council": list("ABCDEF"), "year": 2020,
        ...                       "agency_rate_pct": [5, 5, 5, 40, 40, 40],
        ...                       "below_good": [False, False, True, True, True, False],
        ...                       "inadequate": [False] * 5 + [True],
        ...                       "declined": [None, False, True, False, True, True]})
        >>> report = validate_profiles(frame, baseline=False, resamples=0)
        >>> float(report.table().loc["below_good", "ruleset_auc"])
        0.6666666666666666
    """
    missing = [o for o in OUTCOMES if o not in frame.columns]
    if missing:
        raise EarlyWarningError(f"validate: outcome column(s) missing: {missing}")
    if folds < 2:
        raise EarlyWarningError(f"validate: folds must be 2 or more (got {folds})")
    rules = ruleset if ruleset is not None else load_ruleset()
    profiles = frame.loc[:, [c for c in frame.columns if c in FIELD_NAMES]]
    ev = evaluate(profiles, rules)
    scored = result_frame(ev, profiles.index)
    inputs_used = baseline_inputs(rules) if baseline else ()
    design = np.column_stack([ev.columns.measures[m] for m in inputs_used]) if inputs_used else None

    out = pd.DataFrame(index=frame.index)
    for col in ("council", "la_code", "inspection_start", "year"):
        if col in frame.columns:
            out[col] = frame[col]
    for col in ("score", "band", "coverage", "reasons"):
        out[col] = scored[col]
    for col in ("prev_rating", "new_rating", *OUTCOMES):
        if col in frame.columns:
            out[col] = frame[col]

    score = scored["score"].to_numpy(dtype=float)
    table_rows = []
    indicator_tables = {}
    for k, name in enumerate(OUTCOMES):
        raw = pd.Series(frame[name].to_numpy(dtype=object), dtype=object)
        known = raw.notna().to_numpy() & ~np.isnan(score)
        y = np.zeros(len(frame), dtype=bool)
        y[known] = raw[known].astype(bool).to_numpy()
        positives = int(y[known].sum())
        negatives = int(known.sum()) - positives
        prob = np.full(len(frame), np.nan)
        if design is not None:
            if min(positives, negatives) < folds:
                raise EarlyWarningError(
                    f"validate: {folds}-fold cross-validation of {name!r} needs at least {folds} "
                    f"cases with and without it (there are {positives} and {negatives}); "
                    "use fewer folds"
                )
            prob[known] = _cross_validated(design[known], y[known], folds, seed)
            out[f"baseline_{name}"] = prob
        ours = _auc(score[known], y[known])
        theirs = _auc(prob[known], y[known]) if design is not None else float("nan")
        if resamples > 0:
            rng = np.random.default_rng([seed, k])
            ci = _bootstrap(
                score[known],
                prob[known] if design is not None else None,
                y[known],
                resamples,
                rng,
            )
        else:
            nan2 = (float("nan"), float("nan"))
            ci = {"ruleset": nan2, "baseline": nan2, "difference": nan2}
        table_rows.append(
            {
                "outcome": name,
                "n": int(known.sum()),
                "positives": positives,
                "ruleset_auc": ours,
                "ruleset_low": ci["ruleset"][0],
                "ruleset_high": ci["ruleset"][1],
                "baseline_auc": theirs,
                "baseline_low": ci["baseline"][0],
                "baseline_high": ci["baseline"][1],
                "difference_low": ci["difference"][0],
                "difference_high": ci["difference"][1],
            }
        )
        indicator_tables[name] = _indicator_table(ev, y, known)

    return ValidationReport(
        ruleset_id=rules.id,
        ruleset_version=rules.version,
        ruleset_hash=rules.content_hash,
        folds=folds,
        seed=seed,
        resamples=resamples,
        baseline_inputs=inputs_used,
        scores=out,
        _table=pd.DataFrame(table_rows).set_index("outcome"),
        _bands=_band_table(out),
        _indicators=indicator_tables,
    )


def _band_table(scores: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for band in BAND_NAMES:
        here = scores["band"] == band
        count = int(here.sum())
        below = int(scores.loc[here, "below_good"].astype(bool).sum())
        inadequate = int(scores.loc[here, "inadequate"].astype(bool).sum())
        rows.append(
            {
                "band": band,
                "inspections": count,
                "below_good": below,
                "share_below_good": below / count if count else float("nan"),
                "inadequate": inadequate,
                "share_inadequate": inadequate / count if count else float("nan"),
            }
        )
    return pd.DataFrame(rows).set_index("band")


def validate(ruleset: Ruleset | None = None, *, folds: int = 5, seed: int = 0) -> ValidationReport:
    """Check a ruleset against the 136 ILACS inspections from January 2018 to March 2022.

    Each inspection is scored from its council's profile as at the inspection's start
    (:func:`~earlywarning.datasets.inspection_profiles`), so no input postdates the judgement.
    For three outcomes (judged below good, judged inadequate, declined from the previous
    judgement; the last only where there was a previous judgement) the report gives the AUC of
    the score with a 95% bootstrap interval (1,000 resamples), and the AUC of a baseline
    logistic regression on the same inputs (:func:`baseline_inputs`) with stratified
    ``folds``-fold cross-validated predictions. It also counts, band by band, how many
    inspections were judged below good.

    Args:
        ruleset: the ruleset to validate; ``None`` is the bundled default.
        folds: folds of the baseline's cross-validation.
        seed: fixes the folds and the bootstrap.

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
    return validate_profiles(inspection_profiles(), ruleset, folds=folds, seed=seed)


# ----------------------------------------------------------------------------------------------
# Trajectories


def rising_risk(
    frame: pd.DataFrame,
    *,
    rise_margin: float = 10.0,
    lookback_years: int = 2,
    by: str = "council",
) -> pd.Series:
    """Flag rows whose risk is rising: a higher band, or a score up by ``rise_margin`` or more.

    Each row is compared with the same council's row ``lookback_years`` earlier. The flag is
    True when the band is now higher, or the score is at least ``rise_margin`` points higher;
    False when neither; None when there is no score to compare with (no earlier row, or a
    missing score either side). If the frame has a ``coverage`` column, a row whose coverage is
    higher than the earlier row's is also None: a score that rests on more data is not
    comparable with one that rested on less, since every added indicator can only add points
    (the bundled data have no workforce census before 2018, for example).

    Args:
        frame: columns ``by``, ``year``, ``score`` and ``band`` (and optionally ``coverage``),
            one row per council and year.
        rise_margin: the score rise, in points, that counts as rising on its own.
        lookback_years: how many years back to compare.
        by: the column naming the council.

    Returns:
        A Series of True, False or None, named ``rising``, on the frame's index.

    Raises:
        EarlyWarningError: a column is missing or a council has two rows for one year.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.validate import rising_risk
        >>> f = pd.DataFrame({"council": ["A"] * 3, "year": [2018, 2019, 2020],
        ...                   "score": [10.0, 12.0, 21.0], "band": ["low", "low", "moderate"]})
        >>> rising_risk(f).tolist()
        [None, None, True]
    """
    need = [by, "year", "score", "band"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise EarlyWarningError(f"rising_risk: column(s) missing: {missing}")
    keys = pd.DataFrame(
        {
            "_key": frame[by].to_numpy(dtype=object),
            "_year": frame["year"].to_numpy(dtype="int64"),
        }
    )
    if keys.duplicated().any():
        dupes = keys[keys.duplicated()].head(3).to_records(index=False).tolist()
        raise EarlyWarningError(f"rising_risk: more than one row for council and year: {dupes}")
    rank = {name: float(i) for i, name in enumerate(BAND_NAMES)}
    band = np.array([rank.get(b, np.nan) if isinstance(b, str) else np.nan for b in frame["band"]])
    score = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    has_coverage = "coverage" in frame.columns
    coverage = (
        pd.to_numeric(frame["coverage"], errors="coerce").to_numpy(dtype=float)
        if has_coverage
        else np.full(len(frame), np.nan)
    )
    earlier = keys.assign(
        _year=keys["_year"] + lookback_years, _score=score, _band=band, _coverage=coverage
    )
    then = keys.merge(earlier, on=["_key", "_year"], how="left")  # keeps the left order
    then_score = then["_score"].to_numpy(dtype=float)
    then_band = then["_band"].to_numpy(dtype=float)
    then_coverage = then["_coverage"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        higher_band = band > then_band
        up = score - then_score >= rise_margin - _EPSILON
        unknown = np.isnan(score) | np.isnan(then_score)
        if has_coverage:
            unknown |= coverage > then_coverage + _EPSILON
    flag = higher_band | up
    values = [None if u else bool(f) for u, f in zip(unknown, flag, strict=True)]
    return pd.Series(values, index=frame.index, dtype=object, name="rising")


def england_scores(
    years: Iterable[int] = range(2017, 2026),
    ruleset: Ruleset | None = None,
    *,
    rise_margin: float = 10.0,
    councils: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Score every English council for every year, with a flag for rising risk.

    Profiles are :func:`~earlywarning.datasets.england_profiles` (as known on 1 January of each
    year), scored with :func:`~earlywarning.score_frame`; ``rising`` is :func:`rising_risk`
    against two years earlier.

    Caveats: ``previous_rating`` is the last Ofsted judgement up to 31 March 2022, because later
    outcomes are withheld from the bundled data; from 2023 it may be stale, since a council may
    have been inspected again since. The workforce census starts in September 2017, so profiles
    for 2017 have no workforce measures and lower ``coverage`` (and ``rising`` is None in 2019,
    whose scores rest on more data than 2017's).

    Args:
        years: the years to score (2011 to 2026 are in the data).
        ruleset: the ruleset; ``None`` is the bundled default.
        rise_margin: the score rise over two years, in points, flagged as rising on its own.
        councils: keep only these councils, by name or ONS code (any case).

    Returns:
        One row per council and year, sorted by year and ``la_code``, with the columns
        ``la_code``, ``council``, ``year``, ``score``, ``band``, ``coverage``, ``reasons`` and
        ``rising`` (True, False, or None when there is no comparable score two years earlier).

    Example:
        >>> import earlywarning as ew
        >>> df = ew.england_scores([2020, 2022], councils=["Derbyshire"])
        >>> df[["council", "year", "rising"]].values.tolist()
        [['Derbyshire', 2020, None], ['Derbyshire', 2022, False]]
    """
    wanted = sorted({int(y) for y in years})
    profiles = england_profiles(wanted, councils)
    scored = score_frame(profiles, ruleset)
    out = pd.concat(
        [
            profiles[["la_code", "council", "year"]],
            scored[["score", "band", "coverage", "reasons"]],
        ],
        axis=1,
    )
    out["rising"] = rising_risk(out, rise_margin=rise_margin, by="la_code")
    return out
