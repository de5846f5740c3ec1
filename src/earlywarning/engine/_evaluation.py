"""One evaluation: checked measure columns through the kernel, block by block, into arrays.

Everything in the package reads an :class:`Evaluation`: the public calls turn it into tables
and Assessments, the ranges fill it in and evaluate again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from earlywarning._frames import missing_last
from earlywarning.engine._kernel import BLOCK_ROWS, Compiled, compiled, patterns, run, unscaled
from earlywarning.engine._reasons import joined_codes, joined_utf8, text_blocks
from earlywarning.profile import ProfileColumns, profile_columns
from earlywarning.rules import Ruleset, default_ruleset

__all__ = ["Evaluation", "evaluate", "evaluate_columns"]


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
        which, texts = self.reason_groups()
        out: np.ndarray = missing_last(texts)[which]  # code -1, a failed row, takes None
        return out

    def reason_groups(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`reason_codes` as a code per row into an object array of distinct texts (code
        -1 for a failed row), so that a table can be built from the few texts, not per row.

        In what-if sweeps nearly every row differs, and grouping would only cost time: then
        each row has a text of its own (the texts are as many as the rows).

        Example:
            >>> import pandas as pd
            >>> df = pd.DataFrame([{"council": "A", "year": 2020, "dcs_changes": d}
            ...                    for d in (3, 3, 0)])
            >>> which, texts = evaluate(df).reason_groups()
            >>> which.tolist(), texts.tolist()
            ([0, 0, 1], ['dcs_turnover', ''])
        """
        comp = compiled(self.ruleset)
        failed = ~pd.isna(self.error)
        if _mostly_distinct(comp, self.level, self.scaled_points):
            texts = joined_codes(self.scaled_points, comp.codes)
            which = np.arange(len(texts), dtype=np.intp)
        else:
            which = _factorize_rows(patterns(comp, self.level, self.scaled_points))
            n_patterns = int(which.max(initial=-1)) + 1
            first = np.empty(n_patterns, dtype=np.intp)
            first[which] = np.arange(len(which))  # any row of a pattern stands for all of them
            texts = joined_codes(self.scaled_points[first], comp.codes)
        which[failed] = -1
        return which, texts

    def reason_utf8(self) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """:meth:`reason_codes` as UTF-8 in Arrow's layout, a block of rows at a time (each
        row's offsets, then the bytes) when nearly every row differs, so that a table of text
        in Arrow is built without a Python string per row; None when rows repeat (then
        :meth:`reason_groups` costs less).

        A failed row's text is empty: the caller marks it missing.

        Example:
            >>> import pandas as pd
            >>> df = pd.DataFrame([{"council": "A", "year": 2020, "dcs_changes": 3}])
            >>> evaluate(df).reason_utf8() is None  # one row: nothing to gain
            True
        """
        comp = compiled(self.ruleset)
        if not _mostly_distinct(comp, self.level, self.scaled_points):
            return None
        return joined_utf8(self.scaled_points, comp.codes)

    def reason_blocks(self) -> Iterator[str] | None:
        """:meth:`reason_codes` a block of rows at a time, each row's text followed by a newline,
        when nearly every row differs (else None, as :meth:`reason_utf8`): for a table that cuts
        the rows itself (polars), so that no Python string is made per row. Made as they are
        read: the whole text is never held at once.

        A failed row's text is empty: the caller marks it missing.

        Example:
            >>> import pandas as pd
            >>> df = pd.DataFrame([{"council": "A", "year": 2020, "dcs_changes": 3}])
            >>> evaluate(df).reason_blocks() is None  # one row: nothing to gain
            True
        """
        comp = compiled(self.ruleset)
        if any("\n" in c for c in comp.codes):  # pragma: no cover - ids are names, not text
            return None
        if not _mostly_distinct(comp, self.level, self.scaled_points):
            return None
        return (text for _, text in text_blocks(self.scaled_points, comp.codes))


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
    rules = ruleset if ruleset is not None else default_ruleset()
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
