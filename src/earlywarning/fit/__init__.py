"""Fitting a ruleset within the bounds its rule files declare, and checking the fit held out.

:func:`fit` moves thresholds and points inside the bounds the rule files declare
(``from_range``, ``points_range``), keeping every indicator's direction and every level
monotone, to separate a labelled outcome better; it says what moved and why
(:class:`FitResult`, :class:`Change`), and how well the fit holds up on profiles it did not see
(:class:`LeaveOneOut`), so that overfitting shows.

Example:
    >>> import pandas as pd, earlywarning as ew
    >>> profiles = pd.DataFrame({"council": list("ABCD"), "year": 2020,
    ...                          "agency_rate_pct": [5.0, 9.0, 13.0, 30.0]})
    >>> ew.fit(None, profiles, ["no", "no", "yes", "yes"]).auc_after
    1.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from earlywarning.datasets.periods import PeriodChoice, check_in_period, periods_named
from earlywarning.engine import evaluate_columns
from earlywarning.errors import EarlyWarningError
from earlywarning.fit._search import search
from earlywarning.flags import flag_column
from earlywarning.metrics import auc
from earlywarning.parameters import MAX_FOLDS, MAX_ROUNDS, MAX_SEED, check_margin, check_whole
from earlywarning.profile import ProfileColumns, profile_columns
from earlywarning.rules import BAND_NAMES, Ruleset, load_ruleset, ruleset_from_data

__all__ = ["Change", "FitResult", "LeaveOneOut", "fit", "split_outcome"]


@dataclass(frozen=True)
class Change:
    """One accepted move of the search: which number moved, from what to what, and the gain.

    ``level`` is the level index for an indicator and ``None`` for a combination; ``field`` is
    ``"from"`` (the level's lower edge; the level below's ``below`` moves with it) or
    ``"points"``.

    Example:
        >>> from earlywarning.fit import Change
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
        >>> from earlywarning.fit import LeaveOneOut
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
    period: PeriodChoice = "training",
) -> FitResult:
    """Search inside the rule files' declared bounds for the ruleset that best separates outcomes.

    Every level ``from`` with a ``from_range`` and every ``points`` with a ``points_range`` (on
    indicator levels and on combinations) is a number the search may move. A coordinate search
    tries, for one number at a time, ``grid_points`` values evenly spread across its bounds,
    keeping the level edges strictly increasing (a level's ``from`` and the previous level's
    ``below`` move together, so no gap or overlap can open) and the points monotone in the
    declared direction. Each candidate is scored on the profiles as the engine scores them
    (working out again only the points of the rule it moves), and a candidate that could be
    chosen is rebuilt through the loader's checks, so one it refuses is never kept. A move is
    kept only when it raises the AUC by more than ``min_gain``; among equally good values the
    smallest change wins. Rounds repeat until no move helps or ``max_rounds`` is reached.
    Thresholds of combination conditions and the bands are not moved.

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
        period: the period of the frozen split the rows may come from when they are dated
            inspections (an ``inspection_start`` column): ``"training"`` by default, so that no
            row of the test period reaches the search unless the caller names ``"test"`` or
            ``"all"`` (:mod:`earlywarning.datasets.periods`). Rows without that column (the
            documented cases, a council's own profiles) are the caller's choice and not checked.

    Returns:
        A :class:`FitResult`.

    Raises:
        EarlyWarningError: when outcomes and profiles do not match row for row, the outcomes
            are all one way, or an inspection lies outside ``period``.

    Example:
        >>> import pandas as pd, earlywarning as ew
        >>> profiles = pd.DataFrame({"council": list("ABCD"), "year": 2020,
        ...                          "agency_rate_pct": [5.0, 9.0, 13.0, 30.0]})
        >>> result = ew.fit(None, profiles, [False, False, True, True])
        >>> result.auc_after
        1.0
    """
    max_rounds = check_whole(max_rounds, "fit: max_rounds", 1, MAX_ROUNDS)
    grid_points = check_whole(grid_points, "fit: grid_points", 2, 1000)
    min_gain = check_margin(min_gain, "fit: min_gain", 0, 1)
    loo_rounds = check_whole(loo_rounds, "fit: loo_rounds", 1, MAX_ROUNDS)
    folds = None if folds is None else check_whole(folds, "fit: folds", 2, MAX_FOLDS)
    seed = None if seed is None else check_whole(seed, "fit: seed", 0, MAX_SEED)
    if "inspection_start" in profiles.columns:
        check_in_period(profiles["inspection_start"], period, "fit")
    else:
        periods_named(period, "fit")
    start = ruleset if ruleset is not None else load_ruleset()
    y = _outcomes(profiles, outcomes)
    cols = profile_columns(profiles)
    fitted, before, after, moves, used = search(
        start, cols, y, max_rounds, grid_points, min_gain, seed
    )
    changes = [
        Change(m.knob.rule, m.knob.level, m.knob.field, m.old, m.new, m.gain, m.round)
        for m in moves
    ]
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
    y = flag_column(pd.Series(values, index=profiles.index, dtype=object), "outcomes")
    if y.all() or not y.any():
        raise EarlyWarningError("the outcomes are all the same; a fit needs both kinds of row")
    return y


def _next_version(version: str) -> str:
    m = re.fullmatch(r"(.*)\+fit\.(\d+)", version)
    if m:
        return f"{m.group(1)}+fit.{int(m.group(2)) + 1}"
    return f"{version}+fit.1"


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
            rules = search(start, cols.take(train), y[train], rounds, grid_points, min_gain, seed)[
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


def split_outcome(frame: pd.DataFrame, column: str) -> tuple[pd.DataFrame, pd.Series]:
    """Split a table of profiles with an outcome column into profiles and outcomes, for :func:`fit`.

    The outcome is read with :func:`~earlywarning.flags.flag_column`: yes/no, true/false, 1/0.

    Raises:
        EarlyWarningError: there is no such column.
        OutcomeError: a value of it is not yes/no (naming the column, row and value).

    Example:
        >>> import pandas as pd
        >>> from earlywarning.fit import split_outcome
        >>> frame = pd.DataFrame({"council": ["A", "B"], "year": 2020, "declined": ["no", "yes"]})
        >>> profiles, outcomes = split_outcome(frame, "declined")
        >>> list(profiles.columns), outcomes.tolist()
        (['council', 'year'], [False, True])
    """
    if column not in frame.columns:
        raise EarlyWarningError(f"no column {column!r}; the columns are {list(frame.columns)}")
    outcomes = pd.Series(flag_column(frame[column], column), index=frame.index, name=column)
    return frame.drop(columns=[column]), outcomes
