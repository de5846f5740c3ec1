"""Evaluation: rules applied to whole blocks of rows by one kernel.

There is one path. :func:`evaluate_columns` runs the kernel of the private ``_kernel`` module over
checked measure columns; :func:`evaluate` checks a DataFrame first, :func:`score_frame` formats
the result as a DataFrame and :func:`score` is the one-row case, so a single profile and the same
profile inside a frame can never disagree. The engine computes numbers; the words are written by
:mod:`earlywarning.explain`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from itertools import repeat
from typing import Any, overload

import numpy as np
import pandas as pd

from earlywarning._frames import (
    coded_text,
    from_pandas,
    missing_last,
    objects_text,
    polars_text,
    shared_text,
    text_in_arrow,
    to_pandas,
    utf8_text,
)
from earlywarning.engine._evaluation import Evaluation, evaluate, evaluate_columns
from earlywarning.engine._fill import exact, scored_fills
from earlywarning.engine._kernel import MAX_SCORE, Compiled, compiled, run, scale_of, unscaled
from earlywarning.engine._ranges import (
    fill_missing,
    impact,
    range_arrays,
    range_columns,
    with_ranges,
)
from earlywarning.engine._reasons import ranked_row
from earlywarning.explain import Assessment, assessment, rule_texts
from earlywarning.profile import (
    FIELDS,
    CouncilProfile,
    ProfileColumns,
    check_profile,
    measure_values,
    profile_columns,
)
from earlywarning.rules import BAND_NAMES, Ruleset, default_ruleset

__all__ = [
    "MAX_SCORE",
    "Evaluation",
    "evaluate",
    "evaluate_columns",
    "fill_missing",
    "impact",
    "range_arrays",
    "range_columns",
    "result_frame",
    "scale_of",
    "score",
    "score_frame",
    "with_ranges",
]

# Fields read as words (names, codes, judgements, yes/no), whose few distinct values are worth
# sharing when they arrive as Arrow text; numbers sent as text are nearly all distinct.
_WORD_FIELDS = frozenset(f.name for f in FIELDS if f.kind in ("text", "rating", "flag"))


@overload
def score_frame(
    frame: pd.DataFrame,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
    ranges: bool = False,
) -> pd.DataFrame: ...
@overload
def score_frame(
    frame: Any,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
    ranges: bool = False,
) -> Any: ...
def score_frame(
    frame: Any,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
    ranges: bool = False,
) -> Any:
    """Score every row of a table of profiles: pandas, polars or Arrow.

    A polars DataFrame gives a polars DataFrame back, and a pyarrow Table (or anything that
    offers an Arrow C stream) a pyarrow Table, with the rows in the same order; a pandas frame
    gives a pandas frame with the same index. Text held in Arrow (pandas' ``str`` dtype with
    pyarrow installed, polars, Arrow) is read and written without a Python string per cell.

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
        the ``ruleset_id``, ``ruleset_version`` and ``ruleset_hash`` the rows were scored with
        (an Arrow table's schema metadata does; a polars frame has no place for them). In
        polars and Arrow a failed row's score and coverage are null.

    Raises:
        TypeError: when ``frame`` is not a table.

    Example:
        >>> import pandas as pd, earlywarning as ew
        >>> df = pd.DataFrame({"council": ["A", "B"], "year": [2020, 2020],
        ...                    "agency_rate_pct": [30.0, 140.0]})
        >>> out = ew.score_frame(df)
        >>> out.loc[1, "error"]
        'agency_rate_pct: 140.0 is above the maximum of 100'
    """
    data, kind = to_pandas(frame, "score_frame", numbers_in_arrow=True)
    index = data.index
    columns = profile_columns(shared_text(data, _WORD_FIELDS))
    # the checked measures are in columns: a pandas copy of a polars or Arrow table (its text
    # shared, its numbers with nulls) can go before the kernel's arrays are made beside them
    del data
    ev = evaluate_columns(columns, ruleset)
    del columns
    if not ranges:
        # and the table needs what the rules gave, not the measures they read (a float column
        # per measure, the largest part of an evaluation): those go too
        ev = replace(ev, columns=ProfileColumns(measures={}, error=ev.error))
    # Where pandas holds text as objects (no pyarrow), polars cuts the reasons of a polars
    # table from the joined blocks itself rather than from a Python string per row. Where it
    # holds text in Arrow, polars reads that Arrow text: memory numpy freed is reused for it,
    # which polars' own allocator cannot do.
    blocks = ev.reason_blocks() if reasons and kind == "polars" and not text_in_arrow() else None
    out = result_frame(ev, index, reasons=reasons and blocks is None)
    if ranges:
        # join keeps no attrs: the ruleset's identity is carried across it
        attrs = dict(out.attrs)
        out = out.join(range_columns(ev, index))
        out.attrs.update(attrs)
    table = from_pandas(out, kind)
    if blocks is not None:
        after = list(out.columns).index("coverage") + 1  # where result_frame puts them
        table = table.insert_column(after, polars_text("reasons", blocks, _failed(ev)))
    return table


def result_frame(ev: Evaluation, index: pd.Index, *, reasons: bool = True) -> pd.DataFrame:
    """The :func:`score_frame` table of an evaluation, for callers that also need its detail.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame([{"council": "A", "year": 2020, "agency_rate_pct": 30.0}])
        >>> ev = evaluate(df)
        >>> result_frame(ev, df.index).equals(score_frame(df))
        True
    """
    # the text columns are built from codes into their few distinct values (see _frames)
    band = coded_text(ev.band, BAND_NAMES)
    # a red flag lifted the row when its band is above the band of its points alone
    red = coded_text(np.where(ev.band > ev.score_band, ev.band, -1), BAND_NAMES)
    columns: dict[str, Any] = {"score": ev.score, "band": band, "coverage": ev.coverage}
    if reasons:
        columns["reasons"] = _reason_column(ev)
    columns["error"] = objects_text(ev.error)
    columns["red_flag"] = red
    out = pd.DataFrame(columns, index=index)
    out.attrs.update(
        ruleset_id=ev.ruleset.id,
        ruleset_version=ev.ruleset.version,
        ruleset_hash=compiled(ev.ruleset).content_hash,
    )
    return out


def _reason_column(ev: Evaluation) -> Any:
    """The reasons column in the form pandas holds text: where rows repeat, from codes into the
    few texts; where nearly every row differs and pandas holds text in Arrow, straight from the
    joined bytes, with no Python string per row."""
    encoded = ev.reason_utf8() if text_in_arrow() else None
    if encoded is not None:
        return utf8_text(encoded, _failed(ev))
    which, texts = ev.reason_groups()
    if len(texts) > len(which) // 2:  # each row has a text of its own
        return objects_text(missing_last(texts)[which])
    return coded_text(which, texts)


def _failed(ev: Evaluation) -> np.ndarray:
    failed: np.ndarray = ev.band < 0  # a failed row has no band
    return failed


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
    of filling it in (:mod:`earlywarning.engine._fill`), whose first column is the profile as it is.
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
    rules = ruleset if ruleset is not None else default_ruleset()
    comp = compiled(rules)
    data = dict(profile) if isinstance(profile, CouncilProfile) else check_profile(profile)
    return _one(comp, data, ranges)


def _one(comp: Compiled, data: dict[str, Any], ranges: bool) -> Assessment:
    """The Assessment of one checked profile: the kernel on a one-row block or, with
    ``ranges`` and a rule without data, on the block of the profile filled in every way
    (:mod:`earlywarning.engine._fill`), whose first column is the profile as it is."""
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
        rule_texts(comp.rules),
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
