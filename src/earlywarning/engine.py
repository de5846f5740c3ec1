"""Evaluation: rules applied to whole blocks of rows by one kernel.

There is one path. :func:`evaluate_columns` runs the kernel of :mod:`earlywarning._kernel` over
checked measure columns; :func:`evaluate` checks a DataFrame first, :func:`score_frame` formats
the result as a DataFrame and :func:`score` is the one-row case, so a single profile and the same
profile inside a frame can never disagree. The engine computes numbers; the words are written by
:mod:`earlywarning.explain`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from earlywarning._fill import exact, scored_fills
from earlywarning._kernel import BLOCK_ROWS, Compiled, compiled, patterns, run, unscaled
from earlywarning._reasons import joined_codes, ranked_row
from earlywarning.explain import Assessment, assessment
from earlywarning.profile import (
    CouncilProfile,
    ProfileColumns,
    check_profile,
    measure_values,
    profile_columns,
)
from earlywarning.rules import BAND_NAMES, Ruleset, load_ruleset

__all__ = ["Evaluation", "evaluate", "evaluate_columns", "result_frame", "score", "score_frame"]

_BANDS = np.array(BAND_NAMES, dtype=object)


@dataclass(frozen=True)
class Evaluation:
    """Everything one evaluation computed, row by row, before any text is built.

    ``points`` has one column per indicator then one per combination (``scaled_points`` holds
    the same as the kernel's integers: hundredths for the usual rulesets); ``level`` is the
    level index of each indicator (-1 where the measure is missing). ``band`` is the band index
    after red flags, ``score_band`` the band of the points alone. Failed rows have ``error``
    set, NaN score and band index -1. The measures themselves are in ``columns.measures``.

    Example:
        >>> import pandas as pd
        >>> ev = evaluate(pd.DataFrame([{"council": "A", "year": 2020, "dcs_changes": 3}]))
        >>> int(ev.score_band[0]) < int(ev.band[0])  # three changes of director: a red flag
        True
    """

    ruleset: Ruleset
    columns: ProfileColumns
    level: np.ndarray
    scaled_points: np.ndarray
    score: np.ndarray
    band: np.ndarray
    score_band: np.ndarray
    coverage: np.ndarray

    @cached_property
    def points(self) -> np.ndarray:
        """The points of every rule for every row, as floats."""
        return unscaled(compiled(self.ruleset), self.scaled_points)

    @property
    def error(self) -> np.ndarray:
        """The error message of each row, or None."""
        return self.columns.error

    def reason_codes(self) -> np.ndarray:
        """For each row, its reason codes joined by '; ', most points first, mitigations last.

        Failed rows get None. Rows are grouped by their pattern of levels and combinations
        first, so each distinct pattern is ranked and joined once, and rows with the same
        pattern share one string.

        Example:
            >>> import pandas as pd
            >>> df = pd.DataFrame([{"council": "A", "year": 2020, "dcs_changes": 3}] * 2)
            >>> evaluate(df).reason_codes().tolist()
            ['dcs_turnover', 'dcs_turnover']
        """
        comp = compiled(self.ruleset)
        failed = ~pd.isna(self.error)
        if _mostly_distinct(comp, self.level, self.scaled_points):
            # what-if sweeps: nearly every row differs, so grouping would only cost time
            out = joined_codes(self.scaled_points, comp.codes)
            out[failed] = None
            return out
        which = _factorize_rows(patterns(comp, self.level, self.scaled_points))
        n_patterns = int(which.max(initial=-1)) + 1
        first = np.empty(n_patterns, dtype=np.intp)
        first[which] = np.arange(len(which))  # any row of a pattern stands for all of them
        texts = np.empty(n_patterns + 1, dtype=object)  # the last, None, for failed rows
        joined_codes(self.scaled_points[first], comp.codes, out=texts[:n_patterns])
        which[failed] = n_patterns
        grouped: np.ndarray = texts[which]
        return grouped


_SAMPLE = 4096


def _mostly_distinct(comp: Compiled, level: np.ndarray, points: np.ndarray) -> bool:
    """Whether a sample of rows is more than half distinct patterns (for a large frame)."""
    if len(level) <= 4 * _SAMPLE:
        return False
    sample = slice(None, None, len(level) // _SAMPLE)
    codes = patterns(comp, level[sample], points[sample])
    return len(np.unique(codes, axis=0)) > len(codes) // 2


def _factorize_rows(pattern: np.ndarray) -> np.ndarray:
    """One code per distinct row of ``pattern`` (one or more float64 code columns)."""
    if pattern.shape[1] == 0:
        return np.zeros(len(pattern), dtype=np.intp)
    which, _ = pd.factorize(pattern[:, 0])
    for g in range(1, pattern.shape[1]):
        part, uniques = pd.factorize(pattern[:, g])
        # both codes are below the row count, so the pair fits in an int64
        which, _ = pd.factorize(which.astype(np.int64) * len(uniques) + part)
    return which


def evaluate(frame: pd.DataFrame, ruleset: Ruleset | None = None) -> Evaluation:
    """Score every row of ``frame`` against ``ruleset`` (the bundled default if None)."""
    return evaluate_columns(profile_columns(frame), ruleset)


def evaluate_columns(cols: ProfileColumns, ruleset: Ruleset | None = None) -> Evaluation:
    """Score checked measure columns: the one evaluation path behind every public call.

    Rules whose measure has no data in any row are not evaluated (they score nothing), and the
    rows go through the kernel in blocks, so temporaries stay small whatever the frame's size.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.profile import profile_columns
        >>> cols = profile_columns(pd.DataFrame([{"council": "A", "year": 2020,
        ...                                       "agency_rate_pct": 30}]))
        >>> float(evaluate_columns(cols).score[0]) > 0
        True
    """
    rules = ruleset if ruleset is not None else _default()
    comp = compiled(rules)
    n = len(cols.error)
    have = frozenset(m for m, col in cols.measures.items() if n and not np.isnan(col).all())
    plan = comp.plan(have)
    k, width = len(rules.indicators), len(comp.codes)
    partial = len(plan.ind) < k
    level = np.full((n, k), -1, dtype=np.int8) if partial else np.empty((n, k), dtype=np.int8)
    points = (np.zeros if partial else np.empty)((n, width), dtype=comp.dtype)
    score, coverage = np.empty(n), np.empty(n)
    band, score_band = np.empty(n, dtype=np.int8), np.empty(n, dtype=np.int8)
    for start in range(0, n, BLOCK_ROWS):
        rows = slice(start, min(n, start + BLOCK_ROWS))
        r = run(comp, plan, _block(cols, plan.measures, rows))
        r.scatter(plan, level, points, rows)
        score[rows], coverage[rows] = r.score, r.coverage
        band[rows], score_band[rows] = r.band, r.score_band
    failed = ~pd.isna(cols.error)
    if failed.any():
        score[failed] = np.nan
        coverage[failed] = np.nan
        band[failed] = -1
        score_band[failed] = -1
    return Evaluation(rules, cols, level, points, score, band, score_band, coverage)


def _block(cols: ProfileColumns, measures: tuple[str, ...], rows: slice) -> np.ndarray:
    """Some rows of some measure columns as one block: a row per measure, a column per
    profile (the kernel's layout)."""
    out = np.empty((len(measures), rows.stop - rows.start))
    for i, m in enumerate(measures):
        out[i] = cols.measures[m][rows]
    return out


@lru_cache(maxsize=1)
def _default() -> Ruleset:
    return load_ruleset()


def score_frame(
    frame: pd.DataFrame,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
    ranges: bool = False,
) -> pd.DataFrame:
    """Score every row of a DataFrame of profiles.

    Set ``reasons=False`` to leave out the ``reasons`` column: on a million distinct what-if
    profiles, ranking and joining each row's reason codes takes most of the time. Set
    ``ranges=True`` to add ``score_min``, ``score_max``, ``band_min`` and ``band_max``: what
    the missing data could make of each row (two more evaluations; see
    :mod:`earlywarning.ranges`).

    Columns that are not :class:`CouncilProfile` fields (identifiers such as ``la_name``) are
    ignored, and join back by the index; a column named like a misspelt field is refused
    (:class:`ColumnNameError`, every such column at once), so that it cannot silently read as
    missing. A row with a bad value is kept: it gets an ``error`` naming the field and value and
    no score, and the other rows are scored as usual.

    Returns:
        A DataFrame with the same index and row count and the columns ``score``, ``band``,
        ``coverage``, ``reasons`` (reason codes, most points first, joined by '; '), ``error``,
        and ``red_flag`` (the band a red flag lifted the row to, if any). ``attrs`` records
        the ``ruleset_id``, ``ruleset_version`` and ``ruleset_hash`` the rows were scored with.

    Example:
        >>> import pandas as pd, earlywarning as ew
        >>> df = pd.DataFrame({"council": ["A", "B"], "year": [2020, 2020],
        ...                    "agency_rate_pct": [30.0, 140.0]})
        >>> out = ew.score_frame(df)
        >>> out.loc[1, "error"]
        'agency_rate_pct: 140.0 is above the maximum of 100'
    """
    ev = evaluate(frame, ruleset)
    out = result_frame(ev, frame.index, reasons=reasons)
    if ranges:
        from earlywarning.ranges import range_columns  # ranges builds on this module

        out = out.join(range_columns(ev, frame.index))
    return out


def result_frame(ev: Evaluation, index: pd.Index, *, reasons: bool = True) -> pd.DataFrame:
    """The :func:`score_frame` table of an evaluation, for callers that also need its detail.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame([{"council": "A", "year": 2020, "agency_rate_pct": 30.0}])
        >>> ev = evaluate(df)
        >>> result_frame(ev, df.index).equals(score_frame(df))
        True
    """
    named = _BANDS[np.maximum(ev.band, 0)]
    band = np.where(ev.band >= 0, named, np.array(None))
    # a red flag lifted the row when its band is above the band of its points alone
    red = np.where(ev.band > ev.score_band, named, np.array(None))
    out = pd.DataFrame(
        {
            "score": ev.score,
            "band": band,
            "coverage": ev.coverage,
            "reasons": ev.reason_codes() if reasons else None,
            "error": ev.error,
            "red_flag": red,
        },
        index=index,
    )
    if not reasons:
        out = out.drop(columns="reasons")
    out.attrs.update(
        ruleset_id=ev.ruleset.id,
        ruleset_version=ev.ruleset.version,
        ruleset_hash=compiled(ev.ruleset).content_hash,
    )
    return out


def score(
    profile: CouncilProfile | Mapping[str, Any],
    ruleset: Ruleset | None = None,
    *,
    ranges: bool = True,
) -> Assessment:
    """Score one council profile (a :class:`CouncilProfile` or a plain dict).

    ``ranges=False`` leaves out ``score_range``, ``band_range`` and ``collect_first`` (what the
    missing data could do, :mod:`earlywarning.ranges`). When a rule has no data they need the
    profile filled in every way, and cost about half as much again as the score itself
    (benchmarks/bench_score.py times both).

    A dict is checked by the same field checks as :class:`CouncilProfile` (once), then the
    profile is evaluated by the same kernel as :func:`score_frame`, so the two can never
    disagree: as a one-row block, or with its range as one block of the profile and every way
    of filling it in (:mod:`earlywarning._fill`), whose first column is the profile as it is.
    The row's detail is kept as an :class:`Assessment` with its contributions and explanation.

    Raises:
        ProfileError: naming the field and the refused value.

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "Derbyshire", "year": 2016, "budget_baseline_gbp_m": 131,
        ...               "budget_current_gbp_m": 90, "dcs_changes": 2})
        >>> a.band in ("low", "moderate", "high", "severe")
        True
    """
    rules = ruleset if ruleset is not None else _default()
    comp = compiled(rules)
    data = dict(profile) if isinstance(profile, CouncilProfile) else check_profile(profile)
    return _one(comp, data, ranges)


def _one(comp: Compiled, data: dict[str, Any], ranges: bool) -> Assessment:
    """The Assessment of one checked profile: the kernel on a one-row block or, with
    ``ranges`` and a rule without data, on the block of the profile filled in every way
    (:mod:`earlywarning._fill`), whose first column is the profile as it is."""
    plan = comp.plan()
    known = measure_values(data)
    # map calls get in C, where a comprehension runs a loop of bytecode
    row_values = list(map(known.get, plan.measures, repeat(math.nan)))
    values = row_values[: plan.n_ind]
    filling = ranges and any(map(math.isnan, values))  # a rule has no data
    found: dict[str, Any] | None = None
    if filling:
        r, hidden = scored_fills(comp, row_values, known)
        found = hidden.fields()
    else:
        # fromiter: the list's items are floats, so no element type to infer from them
        r = run(comp, plan, np.fromiter(row_values, float, len(row_values))[:, None])
    row = _unscaled_column(comp, r.points[:, 0])
    # item(0): the first column's (the profile's) as a Python number, with no numpy scalar
    score, band = r.score.item(0), r.band.item(0)
    if ranges and not filling:
        found = exact(score, BAND_NAMES[band])
    return assessment(
        comp.texts,
        council=data["council"],
        year=data["year"],
        levels=r.level[:, 0].tolist(),
        values=values,
        points=row,
        numbers=(score, band, r.score_band.item(0), r.coverage.item(0)),
        reasons=ranked_row(row, comp.codes),
        ranges=found,
    )


def _unscaled_column(comp: Compiled, points: np.ndarray) -> list[float]:
    """The points of one profile as float points: on a few dozen, a take from the table of
    every total (:attr:`Compiled.points_of`) costs a third less than a division."""
    table = comp.points_of
    out: list[float] = (
        unscaled(comp, points) if table is None else table.take(points, mode="wrap")
    ).tolist()
    return out
