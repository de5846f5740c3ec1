"""Calibration: agreement with the documented cases, and fitting rules within declared bounds.

Three jobs, each through the one evaluation path of :mod:`earlywarning.engine`:

* :func:`calibration_report` scores the documented cases and says, case by case, whether the band
  is one the case expects; :func:`check_bar` states the bar the default ruleset must meet.
* :func:`auc` and :func:`rank_agreement` measure how well scores order an outcome.
* :func:`fit` moves thresholds and points inside the bounds the rule files declare
  (``from_range``, ``points_range``), keeping every indicator's direction and every level
  monotone, to separate a labelled outcome better; it says what moved and why, and how well the
  fit holds up on profiles it did not see (leave-one-out), so that overfitting shows.

Example:
    >>> from earlywarning.calibrate import calibration_report
    >>> report = calibration_report()
    >>> list(report.columns)[:4]
    ['council', 'snapshot', 'expected_bands', 'score']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from earlywarning.cases import Case, cases_frame, load_cases
from earlywarning.engine import evaluate, evaluate_columns, result_frame
from earlywarning.errors import EarlyWarningError, RuleFileError
from earlywarning.profile import ProfileColumns, profile_columns
from earlywarning.rules import BAND_NAMES, Ruleset, load_ruleset, ruleset_from_data

__all__ = [
    "Change",
    "FitResult",
    "LeaveOneOut",
    "auc",
    "calibration_report",
    "check_bar",
    "fit",
    "rank_agreement",
]

# How many reason codes the report shows per case.
_MAIN_REASONS = 3

# The bar of the default ruleset (issue part 3): the bands each named snapshot must reach.
_BAR_BANDS: dict[str, tuple[str, ...]] = {
    "oxfordshire-2018": ("low",),
    "derbyshire-2019": ("moderate",),
    "oxfordshire-2016": ("moderate", "high", "severe"),
    "derbyshire-2016": ("high", "severe"),
    "durham-2016": ("high", "severe"),
    "kirklees-2016": ("high", "severe"),
}
_BAR_LOWEST = "oxfordshire-2018"

# Two AUCs closer than this are equal (floating-point noise, not a difference in ranking).
_TIE = 1e-12


# ----------------------------------------------------------------------------------------------
# The documented cases


def calibration_report(
    ruleset: Ruleset | None = None, cases: Sequence[Case] | None = None
) -> pd.DataFrame:
    """Score the documented cases and say whether each lands in a band it expects.

    The cases are scored as one frame through :func:`~earlywarning.engine.score_frame`, the same
    path as every other score, so the report cannot disagree with ``ew.score`` on a case.

    Args:
        ruleset: the ruleset to check; ``None`` uses the bundled default.
        cases: the cases to score; ``None`` loads the bundled documented cases.

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
    frame = cases_frame(cases)
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

    The bar: Oxfordshire 2018 is low and scores lowest of all snapshots; Derbyshire 2019 is
    moderate; Oxfordshire 2016 is moderate or above; Derbyshire 2016, Durham 2016 and Kirklees
    2016 are high or severe; every snapshot that preceded a decline scores above every snapshot
    of a council that held its rating; and every case reports how complete its data is.

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

    for case, bands in _BAR_BANDS.items():
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
# Measures of agreement


def auc(scores: Sequence[float] | np.ndarray | pd.Series, labels: Sequence[Any] | Any) -> float:
    """The area under the ROC curve: the chance a positive scores above a negative.

    Computed as the Mann-Whitney statistic from mid-ranks, so tied scores count half. Rows whose
    score is missing (NaN, as for a profile that could not be scored) are left out.

    Args:
        scores: one score per row.
        labels: one outcome per row: true/false or 1/0 (true for the outcome to warn of).

    Raises:
        EarlyWarningError: when the lengths differ, a label is not true/false, or the rows left
            hold no positive or no negative.

    Example:
        >>> from earlywarning.calibrate import auc
        >>> auc([10, 20, 30, 40], [False, False, True, True])
        1.0
        >>> auc([10, 20, 20, 40], [False, True, False, True])
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
        >>> from earlywarning.calibrate import rank_agreement
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


def _booleans(values: Sequence[Any], where: Callable[[int], str]) -> np.ndarray:
    """True/false outcomes (or 1/0); anything else is refused, naming the row."""
    y = np.empty(len(values), dtype=bool)
    for i, value in enumerate(values):
        if isinstance(value, bool | np.bool_) or value in (0, 1):
            y[i] = bool(value)
        else:
            raise EarlyWarningError(f"{where(i)}: {value!r} is not true/false (or 1/0)")
    return y


def _scores_and_labels(scores: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=float)
    raw = np.asarray(labels, dtype=object)
    if s.ndim != 1 or s.shape != raw.shape:
        raise EarlyWarningError(f"{s.size} scores but {raw.size} labels; give one of each per row")
    y = _booleans(list(raw), lambda i: f"label {i}")
    keep = ~np.isnan(s)
    return s[keep], y[keep]


def _midranks(s: np.ndarray) -> np.ndarray:
    """1-based ranks of ``s``, tied values sharing the mean of their ranks."""
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mid = ends - (counts - 1) / 2.0
    return np.asarray(mid[inverse], dtype=float)


# ----------------------------------------------------------------------------------------------
# Fitting within bounds


@dataclass(frozen=True)
class Change:
    """One accepted move of the search: which number moved, from what to what, and the gain.

    ``level`` is the level index for an indicator and ``None`` for a combination; ``field`` is
    ``"from"`` (the level's lower edge; the level below's ``below`` moves with it) or
    ``"points"``.

    Example:
        >>> from earlywarning.calibrate import Change
        >>> print(Change("agency_rate", 2, "from", 15, 12, 0.013, 1))
        agency_rate level 2: from 15 → 12 (AUC +0.013)
    """

    rule: str
    level: int | None
    field: Literal["from", "points"]
    old: float
    new: float
    auc_gain: float
    round: int

    def __str__(self) -> str:
        where = self.rule if self.level is None else f"{self.rule} level {self.level}"
        return f"{where}: {self.field} {self.old:g} → {self.new:g} (AUC {self.auc_gain:+.3f})"


@dataclass(frozen=True)
class LeaveOneOut:
    """Held-out agreement: each row scored by a ruleset fitted without it.

    With ``folds`` equal to the number of rows this is leave-one-out; with fewer, each fold of
    rows is held out together (k-fold), which costs ``folds`` fits instead of one per row.

    Attributes:
        auc: the AUC of the pooled held-out scores.
        in_sample_auc: the AUC of the ruleset fitted on every row, on those same rows.
        scores: each row's held-out score, indexed like the profiles.
        bands: each row's held-out band.
        folds: how many fits were run.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.calibrate import LeaveOneOut
        >>> loo = LeaveOneOut(0.75, 0.9, pd.Series([1.0]), pd.Series(["low"]), 1)
        >>> print(loo)
        leave-one-out AUC 0.750 (in-sample 0.900, 1 fits)
    """

    auc: float
    in_sample_auc: float
    scores: pd.Series
    bands: pd.Series
    folds: int

    def __str__(self) -> str:
        kind = "leave-one-out" if self.folds == len(self.scores) else f"{self.folds}-fold"
        return f"{kind} AUC {self.auc:.3f} (in-sample {self.in_sample_auc:.3f}, {self.folds} fits)"


@dataclass(frozen=True)
class FitResult:
    """What :func:`fit` found: the fitted ruleset, what moved and why, and how well it holds up.

    Attributes:
        ruleset: the fitted ruleset, checked by the loader, with a new version.
        original: the ruleset the search started from.
        auc_before: the AUC of ``original`` on the profiles.
        auc_after: the AUC of ``ruleset`` on the same profiles (in-sample).
        changes: every accepted move, in the order the search made them.
        rows_used: rows with a score and an outcome (rows that could not be scored are left out).
        loo: held-out agreement, when :func:`fit` was asked for it.

    Example:
        >>> import pandas as pd, earlywarning as ew
        >>> profiles = pd.DataFrame({"council": list("ABCD"), "year": 2020,
        ...                          "agency_rate_pct": [5.0, 9.0, 13.0, 30.0]})
        >>> result = ew.fit(ew.load_ruleset(), profiles, [False, False, True, True])
        >>> result.auc_after >= result.auc_before
        True
        >>> result.ruleset.version.endswith("+fit.1")
        True
    """

    ruleset: Ruleset
    original: Ruleset
    auc_before: float
    auc_after: float
    changes: tuple[Change, ...]
    rows_used: int
    loo: LeaveOneOut | None = field(default=None)

    def diff(self) -> str:
        """A readable account of what moved, why (the AUC each move gained), and the result.

        Example:
            >>> import pandas as pd, earlywarning as ew
            >>> profiles = pd.DataFrame({"council": list("ABCD"), "year": 2020,
            ...                          "agency_rate_pct": [5.0, 9.0, 13.0, 30.0]})
            >>> result = ew.fit(ew.load_ruleset(), profiles, [False, False, True, True])
            >>> print(result.diff())  # doctest: +ELLIPSIS
            earlywarning-default ... → ...+fit.1, fitted on 4 rows
            ...
        """
        lines = [
            f"{self.original.id} {self.original.version} → {self.ruleset.version}, "
            f"fitted on {self.rows_used} rows",
            f"AUC {self.auc_before:.3f} → {self.auc_after:.3f} (in-sample)",
        ]
        if self.loo is not None:
            lines.append(str(self.loo))
        if self.changes:
            lines.append(f"{len(self.changes)} moves, each kept for the AUC it gained:")
            lines += [f"  {c}" for c in self.changes]
        else:
            lines.append("nothing moved: no value inside the bounds separated the outcome better")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Knob:
    """One number the search may move: a level's ``from`` or ``points``, or a combination's."""

    section: Literal["indicators", "combinations"]
    index: int
    level: int | None
    field: Literal["from", "points"]
    low: float
    high: float
    rule: str


def fit(
    ruleset: Ruleset | None,
    profiles: pd.DataFrame,
    outcomes: Sequence[bool] | pd.Series,
    *,
    max_rounds: int = 10,
    grid_points: int = 9,
    min_gain: float = 1e-4,
    loo: bool = False,
    loo_rounds: int = 3,
    folds: int | None = None,
    version: str | None = None,
    seed: int | None = 0,
) -> FitResult:
    """Search inside the rule files' declared bounds for the ruleset that best separates outcomes.

    Every level ``from`` with a ``from_range`` and every ``points`` with a ``points_range`` (on
    indicator levels and on combinations) is a number the search may move. A coordinate search
    tries, for one number at a time, ``grid_points`` values evenly spread across its bounds,
    keeping the level edges strictly increasing (a level's ``from`` and the previous level's
    ``below`` move together, so no gap or overlap can open) and the points monotone in the
    declared direction. Each candidate is rebuilt through the loader's checks, and scored on
    the profiles by the engine. A move is kept only when it raises the AUC by more than
    ``min_gain``; among equally good values the smallest change wins. Rounds repeat until no
    move helps or ``max_rounds`` is reached. Thresholds of combination conditions and the
    bands are not moved.

    With few rows a fit finds patterns that are not there; ``loo=True`` refits without each row
    in turn (with ``loo_rounds`` rounds each) and scores the row it left out, so the held-out
    AUC can be read beside the in-sample one.

    Args:
        ruleset: the starting ruleset; ``None`` uses the bundled default.
        profiles: one profile per row, columns as for :func:`~earlywarning.engine.score_frame`.
        outcomes: one true/false per row (true for the outcome to warn of). A Series is aligned
            to ``profiles`` by index.
        max_rounds: most passes over all the numbers.
        grid_points: candidate values per number, from the lower to the upper bound.
        min_gain: the least AUC gain that justifies a move.
        loo: also report held-out agreement (:class:`LeaveOneOut`).
        loo_rounds: most rounds for each held-out fit.
        folds: held-out fits to run; ``None`` is one per row (leave-one-out).
        version: the fitted ruleset's version; ``None`` appends ``+fit.N`` to the original's.
        seed: shuffles the order numbers are tried in each round; ``None`` keeps rule-file order.

    Returns:
        A :class:`FitResult`.

    Raises:
        EarlyWarningError: when outcomes and profiles do not match row for row, or the outcomes
            are all one way.

    Example:
        >>> import pandas as pd, earlywarning as ew
        >>> profiles = pd.DataFrame({"council": list("ABCD"), "year": 2020,
        ...                          "agency_rate_pct": [5.0, 9.0, 13.0, 30.0]})
        >>> result = ew.fit(None, profiles, [False, False, True, True])
        >>> result.auc_after
        1.0
    """
    start = ruleset if ruleset is not None else load_ruleset()
    y = _outcomes(profiles, outcomes)
    cols = profile_columns(profiles)
    fitted, before, after, changes, used = _search(
        start, cols, y, max_rounds, grid_points, min_gain, seed
    )
    new_version = version if version is not None else _next_version(start.version)
    fitted = ruleset_from_data({**fitted.to_data(), "version": new_version}, "<fit>")
    held_out = None
    if loo:
        held_out = _leave_one_out(
            start, profiles, cols, y, after, loo_rounds, grid_points, min_gain, folds, seed
        )
    return FitResult(fitted, start, before, after, tuple(changes), used, held_out)


def _outcomes(profiles: pd.DataFrame, outcomes: Sequence[bool] | pd.Series) -> np.ndarray:
    if isinstance(outcomes, pd.Series):
        if not outcomes.index.equals(profiles.index):
            if not outcomes.index.is_unique or not set(profiles.index) <= set(outcomes.index):
                raise EarlyWarningError(
                    "the outcomes Series must have one value for each row of profiles, by index"
                )
            outcomes = outcomes.reindex(profiles.index)
        values = list(outcomes.to_numpy())
    else:
        values = list(outcomes)
    if len(values) != len(profiles):
        raise EarlyWarningError(
            f"{len(values)} outcomes for {len(profiles)} profiles; give one outcome per row"
        )
    y = _booleans(values, lambda i: f"outcome for row {profiles.index[i]!r}")
    if y.all() or not y.any():
        raise EarlyWarningError("the outcomes are all the same; a fit needs both kinds of row")
    return y


def _next_version(version: str) -> str:
    m = re.fullmatch(r"(.*)\+fit\.(\d+)", version)
    if m:
        return f"{m.group(1)}+fit.{int(m.group(2)) + 1}"
    return f"{version}+fit.1"


def _knobs(rules: Ruleset) -> list[_Knob]:
    knobs: list[_Knob] = []
    for i, ind in enumerate(rules.indicators):
        for j, level in enumerate(ind.levels):
            if level.from_range is not None and j > 0:
                lo, hi = level.from_range
                knobs.append(_Knob("indicators", i, j, "from", lo, hi, ind.id))
            if level.points_range is not None:
                lo, hi = level.points_range
                knobs.append(_Knob("indicators", i, j, "points", lo, hi, ind.id))
    for i, combo in enumerate(rules.combinations):
        if combo.points_range is not None:
            lo, hi = combo.points_range
            knobs.append(_Knob("combinations", i, None, "points", lo, hi, combo.id))
    return knobs


def _grid(low: float, high: float, n: int) -> list[float]:
    """``n`` values from ``low`` to ``high``, rounded to two significant figures of the step."""
    if high <= low or n < 2:
        return [low]
    step = (high - low) / (n - 1)
    decimals = max(0, 1 - math.floor(math.log10(step)))
    values = [round(low + k * step, decimals) for k in range(n)]
    values[0], values[-1] = low, high
    return sorted(set(values))


def _get(data: dict[str, Any], knob: _Knob) -> float:
    rule = data[knob.section][knob.index]
    if knob.level is None:
        return float(rule[knob.field])
    return float(rule["levels"][knob.level][knob.field])


def _allowed(data: dict[str, Any], knob: _Knob, value: float) -> bool:
    """Whether ``value`` keeps the edges strictly increasing and the points monotone.

    The loader checks this too; checking first saves building candidates it would refuse.
    """
    if knob.level is None:
        return value > 0  # a combination adds risk
    rule = data[knob.section][knob.index]
    levels = rule["levels"]
    j = knob.level
    if knob.field == "from":
        prev_from = levels[j - 1].get("from") if j - 1 >= 1 else None
        next_from = levels[j + 1].get("from") if j + 1 < len(levels) else None
        return (prev_from is None or value > prev_from) and (next_from is None or value < next_from)
    worse_up = rule["direction"] == "higher_is_worse"
    if j > 0:
        prev = levels[j - 1]["points"]
        if (worse_up and value < prev) or (not worse_up and value > prev):
            return False
    if j + 1 < len(levels):
        nxt = levels[j + 1]["points"]
        if (worse_up and value > nxt) or (not worse_up and value < nxt):
            return False
    kind = rule.get("kind", "risk")
    return value >= 0 if kind == "risk" else value <= 0


def _touches(
    data: dict[str, Any],
    knob: _Knob,
    old: float,
    value: float,
    values: np.ndarray,
    fires: np.ndarray,
) -> bool:
    """Whether moving ``knob`` from ``old`` to ``value`` changes the points of any row."""
    if knob.section == "combinations":
        return bool(fires[knob.index])
    v = values[:, knob.index]
    if knob.field == "from":
        low, high = min(old, value), max(old, value)
        return bool(((v >= low) & (v < high)).any())
    assert knob.level is not None
    levels = data["indicators"][knob.index]["levels"]
    start = levels[knob.level].get("from", -math.inf) if knob.level > 0 else -math.inf
    end = levels[knob.level + 1]["from"] if knob.level + 1 < len(levels) else math.inf
    return bool(((v >= start) & (v < end)).any())


def _with(data: dict[str, Any], knob: _Knob, value: float) -> dict[str, Any]:
    """A copy of ``data`` with one number moved; only the path to it is copied."""
    out = dict(data)
    section = list(out[knob.section])
    rule = dict(section[knob.index])
    if knob.level is None:
        rule[knob.field] = value
    else:
        levels = list(rule["levels"])
        level = dict(levels[knob.level])
        level[knob.field] = value
        levels[knob.level] = level
        if knob.field == "from":
            # the level below ends where this one now starts: no gap, no overlap
            below = dict(levels[knob.level - 1])
            below["below"] = value
            levels[knob.level - 1] = below
        rule["levels"] = levels
    section[knob.index] = rule
    out[knob.section] = section
    return out


def _auc_of(rules: Ruleset, cols: ProfileColumns, y: np.ndarray) -> float:
    s = evaluate_columns(cols, rules).score
    keep = ~np.isnan(s)
    if y[keep].all() or not y[keep].any():
        return math.nan
    return auc(s[keep], y[keep])


def _search(
    start: Ruleset,
    cols: ProfileColumns,
    y: np.ndarray,
    max_rounds: int,
    grid_points: int,
    min_gain: float,
    seed: int | None,
) -> tuple[Ruleset, float, float, list[Change], int]:
    # the profiles never change during a search: they are checked once, and every candidate
    # ruleset is evaluated on the same columns
    first = evaluate_columns(cols, start)
    rows_used = int((~np.isnan(first.score)).sum())
    values = np.column_stack([cols.measures[ind.measure] for ind in start.indicators])
    fires = (first.points[:, len(start.indicators) :] != 0).any(axis=0)
    current = start
    data = start.to_data()
    keep = ~np.isnan(first.score)
    before = auc(first.score[keep], y[keep]) if y[keep].any() and not y[keep].all() else math.nan
    score = before
    changes: list[Change] = []
    if math.isnan(before):
        return start, before, before, changes, rows_used
    knobs = _knobs(start)
    rng = np.random.default_rng(seed) if seed is not None else None
    for round_no in range(1, max_rounds + 1):
        moved = False
        order = rng.permutation(len(knobs)) if rng is not None else range(len(knobs))
        for k in order:
            knob = knobs[int(k)]
            old = _get(data, knob)
            best: tuple[float, float, dict[str, Any], Ruleset] | None = None
            for value in _grid(knob.low, knob.high, grid_points):
                if value == old or not _allowed(data, knob, value):
                    continue
                if not _touches(data, knob, old, value, values, fires):
                    continue  # no row changes level or points, so the AUC cannot change
                candidate_data = _with(data, knob, value)
                try:
                    candidate = ruleset_from_data(candidate_data, "<fit>")
                except RuleFileError:
                    continue
                gain = _auc_of(candidate, cols, y) - score
                if (
                    best is None
                    or gain > best[0] + _TIE
                    or (gain >= best[0] - _TIE and abs(value - old) < abs(best[1] - old))
                ):
                    best = (gain, value, candidate_data, candidate)
            if best is not None and best[0] > min_gain:
                gain, value, data, current = best
                score += gain
                changes.append(
                    Change(knob.rule, knob.level, knob.field, old, value, gain, round_no)
                )
                moved = True
        if not moved:
            break
    return current, before, _auc_of(current, cols, y), changes, rows_used


def _leave_one_out(
    start: Ruleset,
    profiles: pd.DataFrame,
    cols: ProfileColumns,
    y: np.ndarray,
    in_sample: float,
    rounds: int,
    grid_points: int,
    min_gain: float,
    folds: int | None,
    seed: int | None,
) -> LeaveOneOut:
    n = len(profiles)
    k = n if folds is None else max(2, min(int(folds), n))
    # leave-one-out needs no shuffling; k folds are drawn at random, reproducibly
    fold_of = np.arange(n) if k == n else np.random.default_rng(seed).permutation(n) % k
    held_scores = np.full(n, np.nan)
    held_bands = np.full(n, None, dtype=object)
    for f in range(k):
        test = fold_of == f
        train = ~test
        rules = start
        if y[train].any() and not y[train].all():
            rules = _search(start, cols.take(train), y[train], rounds, grid_points, min_gain, seed)[
                0
            ]
        ev = evaluate_columns(cols.take(test), rules)
        held_scores[test] = ev.score
        held_bands[test] = [BAND_NAMES[b] if b >= 0 else None for b in ev.band]
    keep = ~np.isnan(held_scores)
    held_auc = auc(held_scores[keep], y[keep]) if y[keep].any() and not y[keep].all() else math.nan
    return LeaveOneOut(
        auc=held_auc,
        in_sample_auc=in_sample,
        scores=pd.Series(held_scores, index=profiles.index, name="held_out_score"),
        bands=pd.Series(held_bands, index=profiles.index, name="held_out_band"),
        folds=k,
    )
