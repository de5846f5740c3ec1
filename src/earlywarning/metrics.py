"""Measures of how well scores order an outcome: AUC, rank agreement, ROC curves, intervals.

Also the small statistics of counts: a proportion's Wilson interval, a ratio of two proportions
(a risk ratio) with its Katz interval or a bootstrap over clusters, and the Brier score.

Calibration, fitting and validation all measure agreement with these functions, so a figure in
one report means the same as in another.

Example:
    >>> from earlywarning.metrics import auc
    >>> auc([10, 20, 30, 40], [False, False, True, True])
    1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.errors import EarlyWarningError
from earlywarning.flags import flag_column

__all__ = [
    "Z95",
    "auc",
    "auc_or_nan",
    "bootstrap_intervals",
    "brier_score",
    "cluster_ratio_interval",
    "percentile_interval",
    "rank_agreement",
    "risk_ratio_interval",
    "roc_curve",
    "wilson_interval",
]

Z95 = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""


def auc(scores: Sequence[float] | np.ndarray | pd.Series, labels: Sequence[Any] | Any) -> float:
    """The area under the ROC curve: the chance a positive scores above a negative.

    Computed as the Mann-Whitney statistic from mid-ranks, so tied scores count half. Rows whose
    score is missing (NaN, as for a profile that could not be scored) are left out.

    Args:
        scores: one score per row.
        labels: one outcome per row, yes/no as :func:`~earlywarning.flags.parse_flag` reads it
            (true for the outcome to warn of).

    Raises:
        EarlyWarningError: when the lengths differ, a label is not true/false (an
            :class:`~earlywarning.errors.OutcomeError`), or the rows left hold no positive or
            no negative.

    Example:
        >>> from earlywarning.metrics import auc
        >>> auc([10, 20, 30, 40], [False, False, True, True])
        1.0
        >>> auc([10, 20, 20, 40], ["no", "yes", "no", "yes"])
        0.875
    """
    s, y = _scores_and_labels(scores, labels)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise EarlyWarningError(
            f"AUC needs at least one positive and one negative outcome "
            f"(got {n_pos} positive and {n_neg} negative)"
        )
    ranks = _midranks(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auc_or_nan(scores: np.ndarray, labels: np.ndarray) -> float:
    """:func:`auc`, or NaN when the rows with a score hold no positive or no negative.

    Example:
        >>> import numpy as np
        >>> from earlywarning.metrics import auc_or_nan
        >>> auc_or_nan(np.array([1.0, 2.0]), np.array([True, True]))
        nan
    """
    known = ~np.isnan(scores)
    positives = int(labels[known].sum())
    if positives == 0 or positives == int(known.sum()):
        return float("nan")
    return auc(scores, labels)


def rank_agreement(
    scores: Sequence[float] | np.ndarray | pd.Series,
    outcomes: Sequence[float] | np.ndarray | pd.Series,
) -> float:
    """The share of pairs with different outcomes that the scores put in the same order.

    A pair counts 1 when the row with the worse (higher) outcome scores higher, a half when the
    two score the same, and 0 otherwise; pairs with the same outcome are not counted. For a
    true/false outcome this is :func:`auc`. Rows with a missing score or outcome are left out.

    Args:
        scores: one score per row.
        outcomes: an ordinal outcome per row, higher is worse (e.g. the index of a case's lowest
            expected band in ``("low", "moderate", "high", "severe")``).

    Raises:
        EarlyWarningError: when the lengths differ or no pair has different outcomes.

    Example:
        >>> from earlywarning.metrics import rank_agreement
        >>> rank_agreement([5, 20, 35, 60], [0, 1, 2, 3])
        1.0
        >>> rank_agreement([5, 40, 35, 60], [0, 1, 2, 3])
        0.8333333333333334
    """
    s = np.asarray(scores, dtype=float)
    o = np.asarray(outcomes, dtype=float)
    if s.shape != o.shape or s.ndim != 1:
        raise EarlyWarningError(f"{len(s)} scores but {len(o)} outcomes; give one of each per row")
    keep = ~(np.isnan(s) | np.isnan(o))
    s, o = s[keep], o[keep]
    concordant = 0.0
    pairs = 0
    lower = np.empty(0)
    # Walk the outcome levels upwards; each row is compared with every row of a lower level
    # through two binary searches, so a few levels cost O(n log n) rather than all n^2 pairs.
    for level in np.unique(o):
        here = s[o == level]
        if len(lower):
            below = np.searchsorted(lower, here, side="left")
            at_or_below = np.searchsorted(lower, here, side="right")
            concordant += float(below.sum() + 0.5 * (at_or_below - below).sum())
            pairs += len(here) * len(lower)
        lower = np.sort(np.concatenate([lower, here]))
    if pairs == 0:
        raise EarlyWarningError("rank agreement needs at least two rows with different outcomes")
    return concordant / pairs


def roc_curve(scores: Iterable[Any], outcomes: Iterable[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve: false and true positive rates as the threshold falls through the scores.

    One point per distinct score, from (0, 0) to (1, 1); tied scores move both rates at once,
    so the area under the curve (by trapezoids) is the AUC with ties counted half. Rows with a
    missing score or outcome are left out; every other outcome must be yes/no.

    Returns:
        ``(false_positive_rate, true_positive_rate)``, two arrays of equal length; empty when
        there is no positive or no negative.

    Raises:
        EarlyWarningError: the lengths differ, or an outcome is not yes/no.

    Example:
        >>> from earlywarning.metrics import roc_curve
        >>> fpr, tpr = roc_curve([1, 2, 2, 3], [False, False, True, True])
        >>> fpr.tolist(), tpr.tolist()
        ([0.0, 0.0, 0.5, 1.0], [0.0, 0.5, 1.0, 1.0])
    """
    s = pd.to_numeric(pd.Series(list(scores), dtype=object), errors="coerce").to_numpy(float)
    raw = pd.Series(list(outcomes), dtype=object)
    if len(s) != len(raw):
        raise EarlyWarningError(f"{len(s)} scores but {len(raw)} outcomes; give one of each")
    keep = ~np.isnan(s) & raw.notna().to_numpy()
    s, y = s[keep], flag_column(raw[keep], "outcomes")
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


def percentile_interval(values: np.ndarray) -> tuple[float, float]:
    """The central 95% of ``values`` (NaN left out); NaN to NaN when nothing is left.

    Example:
        >>> import numpy as np
        >>> from earlywarning.metrics import percentile_interval
        >>> percentile_interval(np.arange(201.0))
        (5.0, 195.0)
    """
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def bootstrap_intervals(
    score: np.ndarray,
    baseline: np.ndarray | None,
    outcome: np.ndarray,
    resamples: int,
    rng: np.random.Generator,
) -> dict[str, tuple[float, float]]:
    """95% percentile intervals for the AUC of ``score``, of ``baseline`` and their difference.

    Both AUCs are computed on the same resamples of the rows, so the difference is paired. A
    resample with no positive or no negative gives no AUC and is left out of the interval.

    Args:
        score: one score per row (NaN rows take no part in an AUC).
        baseline: a second score per row, or None.
        outcome: one true/false per row.
        resamples: how many resamples, drawn with replacement.
        rng: the random generator; the same seed gives the same intervals.

    Returns:
        ``{"ruleset": ..., "baseline": ..., "difference": ...}``, each a ``(low, high)`` pair
        (NaN to NaN for the baseline and the difference when there is no baseline).

    Example:
        >>> import numpy as np
        >>> from earlywarning.metrics import bootstrap_intervals
        >>> s = np.array([1.0, 2, 3, 4, 5, 6])
        >>> y = np.array([False, False, True, False, True, True])
        >>> ci = bootstrap_intervals(s, None, y, 200, np.random.default_rng(0))
        >>> low, high = ci["ruleset"]
        >>> 0 <= low <= high <= 1
        True
    """
    n = len(outcome)
    # one row of draws per resample, drawn one after the other as a resampling loop would
    picks = np.stack([rng.integers(0, n, size=n) for _ in range(resamples)]) if n else None
    if picks is None or not resamples:
        ours = theirs = np.full(resamples, np.nan)
    else:
        counts = np.stack([np.bincount(row, minlength=n) for row in picks]).astype(float)
        ours = _resampled_auc(score, outcome, counts)
        theirs = (
            _resampled_auc(baseline, outcome, counts)
            if baseline is not None
            else np.full(resamples, np.nan)
        )
    return {
        "ruleset": percentile_interval(ours),
        "baseline": percentile_interval(theirs),
        "difference": percentile_interval(ours - theirs),
    }


def _resampled_auc(score: np.ndarray, outcome: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The AUC on each resample, given how often each row was drawn (one row of counts each).

    A resample's AUC counts every (positive, negative) pair of drawn rows, a tie counting half:
    the weighted sum of a fixed pair table, so every resample costs one matrix product.
    """
    known = ~np.isnan(score)
    pos = known & outcome
    neg = known & ~outcome
    s_pos, s_neg = score[pos], score[neg]
    # twice the pair table, in whole numbers, so the sums are exact
    twice = 2.0 * (s_pos[:, None] > s_neg[None, :]) + 1.0 * (s_pos[:, None] == s_neg[None, :])
    c_pos, c_neg = counts[:, pos], counts[:, neg]
    wins = np.einsum("ri,ij,rj->r", c_pos, twice, c_neg)
    pairs = c_pos.sum(axis=1) * c_neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, wins / (2.0 * pairs), np.nan)


def _scores_and_labels(scores: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=float)
    if isinstance(labels, pd.Series):
        labels = labels.to_numpy()
    # a list is read value by value: as one array, [True, "no"] would turn True into text
    raw = labels if isinstance(labels, np.ndarray) else np.asarray(labels, dtype=object)
    if s.ndim != 1 or s.shape != raw.shape:
        raise EarlyWarningError(f"{s.size} scores but {raw.size} labels; give one of each per row")
    y = flag_column(raw, "labels")
    keep = ~np.isnan(s)
    return s[keep], y[keep]


def _midranks(s: np.ndarray) -> np.ndarray:
    """1-based ranks of ``s``, tied values sharing the mean of their ranks."""
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mid = ends - (counts - 1) / 2.0
    return np.asarray(mid[inverse], dtype=float)


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion ``successes`` of ``n``; NaN to NaN for 0.

    Unlike the normal approximation it stays within 0 and 1 and is not empty at 0 of n, which
    matters for the small counts of a band or a year.

    Raises:
        EarlyWarningError: counts that are not whole numbers with 0 <= successes <= n.

    Example:
        >>> from earlywarning.metrics import wilson_interval
        >>> [round(x, 3) for x in wilson_interval(9, 20)]
        [0.258, 0.658]
        >>> [round(x, 3) for x in wilson_interval(0, 10)]
        [0.0, 0.278]
    """
    k, total = _counts(successes, n)
    if total == 0:
        return float("nan"), float("nan")
    share = k / total
    z2 = Z95 * Z95
    centre = (share + z2 / (2 * total)) / (1 + z2 / total)
    half = Z95 * np.sqrt(share * (1 - share) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    # at 0 or n of n an end is the share itself: rounding must not leave it a hair inside
    return min(share, max(0.0, float(centre - half))), max(share, min(1.0, float(centre + half)))


def risk_ratio_interval(
    events: int, n: int, base_events: int, base_n: int
) -> tuple[float, float, float]:
    """The ratio of two proportions, ``events/n`` over ``base_events/base_n``, with Katz's 95%
    interval (normal on the log scale).

    The interval needs at least one event on each side; with none it is NaN to NaN (a ratio of
    0 or without a finite value says nothing about its own uncertainty). The ratio is NaN when
    either side has no rows or the base has no event.

    Returns:
        ``(ratio, low, high)``.

    Example:
        >>> from earlywarning.metrics import risk_ratio_interval
        >>> [round(x, 2) for x in risk_ratio_interval(6, 20, 10, 100)]
        [3.0, 1.23, 7.31]
    """
    a, n1 = _counts(events, n)
    b, n0 = _counts(base_events, base_n)
    if n1 == 0 or n0 == 0 or b == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = (a / n1) / (b / n0)
    if a == 0:
        return ratio, float("nan"), float("nan")
    spread = Z95 * np.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n0)
    return ratio, float(ratio * np.exp(-spread)), float(ratio * np.exp(spread))


def cluster_ratio_interval(
    counts: np.ndarray, resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """A 95% percentile interval for a risk ratio whose rows come in clusters, by resampling
    whole clusters.

    Rows of one cluster (a council seen in several years) are not independent, so the clusters
    are drawn with replacement, each with all its rows. ``counts`` has one row per cluster and
    four columns: rows and events on the numerator's side, rows and events on the base side.
    A resample whose base has no row or no event, or whose numerator has no row, gives no ratio
    and is left out, as an AUC resample without both outcomes is.

    Example:
        >>> import numpy as np
        >>> from earlywarning.metrics import cluster_ratio_interval
        >>> counts = np.array([[1, 1, 0, 0], [0, 0, 2, 1], [1, 0, 1, 0], [2, 1, 3, 1]] * 5)
        >>> low, high = cluster_ratio_interval(counts, 500, np.random.default_rng(0))
        >>> 0 < low < 1.5 < high
        True
    """
    table = np.asarray(counts, dtype=float)
    if table.ndim != 2 or table.shape[1] != 4:
        raise EarlyWarningError(
            f"cluster_ratio_interval: counts must have four columns, not shape {table.shape}"
        )
    k = len(table)
    if k == 0 or resamples == 0:
        return float("nan"), float("nan")
    draws = rng.integers(0, k, size=(resamples, k))
    weights = np.stack([np.bincount(row, minlength=k) for row in draws]).astype(float)
    n1, a, n0, b = (weights @ table).T
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where((n1 > 0) & (n0 > 0) & (b > 0), (a / n1) / (b / n0), np.nan)
    return percentile_interval(ratio)


def brier_score(
    probabilities: Sequence[float] | np.ndarray, outcomes: Sequence[Any] | np.ndarray
) -> float:
    """The mean squared gap between forecast probabilities and what happened (0 is perfect).

    Rows with a missing probability or outcome are left out; NaN when none is left.

    Raises:
        EarlyWarningError: lengths that differ, a probability outside 0 to 1, or an outcome
            that is not yes/no.

    Example:
        >>> from earlywarning.metrics import brier_score
        >>> brier_score([0.5, 0.5, 0.25, 0.75], [True, False, False, True])
        0.15625
    """
    p = np.asarray(probabilities, dtype=float)
    raw = pd.Series(list(outcomes), dtype=object)
    if p.ndim != 1 or len(p) != len(raw):
        raise EarlyWarningError(f"{p.size} probabilities but {len(raw)} outcomes; give one of each")
    outside = p[~np.isnan(p) & ((p < 0) | (p > 1))]
    if len(outside):
        raise EarlyWarningError(
            f"brier_score: probability {float(outside[0])!r} is not from 0 to 1"
        )
    keep = ~np.isnan(p) & raw.notna().to_numpy()
    if not keep.any():
        return float("nan")
    y = flag_column(raw[keep], "outcomes").astype(float)
    return float(np.mean((p[keep] - y) ** 2))


def _counts(events: object, n: object) -> tuple[int, int]:
    """Two counts as whole numbers with 0 <= events <= n, or an error saying which is wrong."""
    k, total = _whole(events), _whole(n)
    if k is None or total is None or not 0 <= k <= total:
        raise EarlyWarningError(f"counts: {events!r} of {n!r} is not a count of events out of n")
    return k, total


def _whole(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float | np.floating):
        return None
    number = float(value)
    return int(number) if np.isfinite(number) and number.is_integer() else None
