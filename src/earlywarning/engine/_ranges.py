"""The range arithmetic: a whole evaluation filled in at its best and worst, and one profile
filled in every way at once.

Why the two extreme completions bound the score is said in :mod:`earlywarning.ranges`, which
builds the public answers (what to collect first, the completion that reaches each end) on this.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from earlywarning.engine._evaluation import Evaluation, evaluate_columns
from earlywarning.engine._fill import DerivedFill, Impact, exact, fill_plan, scored_fills
from earlywarning.engine._kernel import compiled
from earlywarning.explain import Assessment
from earlywarning.profile import ProfileColumns
from earlywarning.rules import BAND_NAMES, Ruleset

__all__ = ["fill_missing", "impact", "range_arrays", "range_columns", "with_ranges"]


def fill_missing(
    cols: ProfileColumns,
    rules: Ruleset,
    side: int | np.ndarray,
    only: Mapping[str, np.ndarray] | None = None,
) -> ProfileColumns:
    """The measures with every missing one at its worst (``side=1``) or best (``side=-1``) value.

    ``side`` may also be an array, one side per row, and ``only`` limits the filling to the
    variables it names (see :mod:`earlywarning.engine.space`), each in the rows where its mask is
    true. A missing caseload or caseload target is filled as a field and the caseload against
    target derived from the filled pair (as every measure no profile gives, see
    :mod:`earlywarning.profile.derived`), so every result is what some profile would give.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.profile import profile_measures
        >>> p = ew.CouncilProfile(council="A", year=2020)
        >>> worst = fill_missing(profile_measures(p), ew.load_ruleset(), side=1)
        >>> float(worst.measures["agency_rate_pct"][0]), float(worst.measures["dcs_changes"][0])
        (100.0, 50.0)
    """
    plan = fill_plan(rules)
    n = len(cols.error)
    sides = np.broadcast_to(np.asarray(side), (n,))
    worse = sides > 0
    every = np.ones(n, dtype=bool)
    nan = np.full(n, np.nan)
    out = dict(cols.measures)

    def rows(variable: str) -> np.ndarray:
        return every if only is None else only.get(variable, ~every)

    for measure, variable, worst, best in plan.plain:
        col = out.get(measure, nan)
        out[measure] = np.where(np.isnan(col) & rows(variable), np.where(worse, worst, best), col)
    for d in plan.derived:
        _fill_derived(out, d, worse, rows(d.lever) | rows(d.held))
    return ProfileColumns(measures=out, error=cols.error)


def _fill_derived(
    out: dict[str, np.ndarray], d: DerivedFill, worse: np.ndarray, rows: np.ndarray
) -> None:
    """Fill the two fields of a measure no profile gives (the caseload and its target) as
    fields, then derive the measure from the filled pair."""
    nan = np.full(len(worse), np.nan)
    lever = out.get(d.lever, nan)
    held = out.get(d.held, nan)
    ends = d.ends
    lever_filled = np.where(np.isnan(lever) & rows, np.where(worse, ends[0], ends[1]), lever)
    held_filled = np.where(np.isnan(held) & rows, np.where(worse, ends[2], ends[3]), held)
    # a target just above 0 makes the excess infinite, which is the top level of any rule
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        derived = d.forward(lever_filled, held_filled)
    measure = out.get(d.name, nan)
    out[d.name] = np.where(np.isnan(measure), derived, measure)
    out[d.lever] = lever_filled
    out[d.held] = held_filled


def range_arrays(ev: Evaluation) -> dict[str, np.ndarray]:
    """The lowest and highest score and band index of every row of an evaluation.

    Returns ``score_min``, ``score_max`` (NaN for failed rows), ``band_min`` and ``band_max``
    (band indices, -1 for failed rows).

    Example:
        >>> import pandas as pd
        >>> from earlywarning.engine import evaluate
        >>> ev = evaluate(pd.DataFrame([{"council": "A", "year": 2020, "dcs_changes": 3}]))
        >>> r = range_arrays(ev)
        >>> float(r["score_min"][0]) <= float(ev.score[0]) <= float(r["score_max"][0])
        True
    """
    best = evaluate_columns(fill_missing(ev.columns, ev.ruleset, -1), ev.ruleset)
    worst = evaluate_columns(fill_missing(ev.columns, ev.ruleset, 1), ev.ruleset)
    return {
        "score_min": best.score,
        "score_max": worst.score,
        "band_min": best.band,
        "band_max": worst.band,
    }


def range_columns(ev: Evaluation, index: pd.Index | None = None) -> pd.DataFrame:
    """:func:`range_arrays` as columns ``score_min``, ``score_max``, ``band_min``, ``band_max``.

    These are the columns ``score_frame(..., ranges=True)`` adds.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.engine import evaluate
        >>> ev = evaluate(pd.DataFrame([{"council": "A", "year": 2020, "dcs_changes": 3}]))
        >>> range_columns(ev).loc[0, ["band_min", "band_max"]].tolist()
        ['high', 'severe']
    """
    r = range_arrays(ev)
    names = np.array(BAND_NAMES, dtype=object)

    def named(band: np.ndarray) -> np.ndarray:
        return np.where(band >= 0, names[np.maximum(band, 0)], np.array(None))

    return pd.DataFrame(
        {
            "score_min": r["score_min"],
            "score_max": r["score_max"],
            "band_min": named(r["band_min"]),
            "band_max": named(r["band_max"]),
        },
        index=index,
    )


def impact(rules: Ruleset, measures: ProfileColumns | Mapping[str, float]) -> Impact:
    """One profile filled every way at once and scored in one run of the kernel.

    ``measures`` are its measures: one-row columns, or a mapping of measure names to values
    (a measure left out, or NaN, is missing).
    """
    if isinstance(measures, ProfileColumns):
        known = {m: float(col[0]) for m, col in measures.measures.items()}
    else:
        known = {m: float(v) for m, v in measures.items()}
    comp = compiled(rules)
    row = [known.get(m, math.nan) for m in comp.plan().measures]
    return scored_fills(comp, row, known)[1]


def with_ranges(
    a: Assessment, measures: ProfileColumns | Mapping[str, float], rules: Ruleset
) -> Assessment:
    """``a`` with its score range, band range and the missing items to collect first (those
    that could move the score, biggest effect first).

    ``measures`` are the profile's measures scored by ``rules``: one-row columns, or a mapping of
    measure names to values (a measure left out, or NaN, is missing).

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "A", "year": 2020, "dcs_changes": 3})
        >>> a.score_range[0] <= a.score <= a.score_range[1], a.band_range
        (True, ('high', 'severe'))
    """
    if not a.missing:
        return a.model_copy(update=exact(a.score, a.band))
    found = impact(rules, measures)
    return a.model_copy(update=found.fields())
