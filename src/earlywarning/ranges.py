"""What the missing data could hide: the lowest and highest score over every way to fill it in.

Every rule is a step function that never falls as its measure gets worse in its declared
direction (the loader proves it), combinations fire on the worse side of each condition, a
mitigation's credit is capped by the risks it offsets so that their net never falls as a risk
worsens, and red flags stay raised as a measure worsens. So the score and the band are monotone
in each measure, and the two extreme completions bound them: every missing measure at the worst
value its field allows gives the highest score, every one at the best value the lowest. The tests
check this against brute force rather than taking it on trust.

:func:`range_columns` does this for a whole evaluation at once (two more evaluations);
:func:`missing_impact` ranks the missing items of one profile by how far each alone could move
the band, which says what to collect first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from earlywarning import _space
from earlywarning._fill import CASELOAD_FIELDS, Impact, exact, fill_plan, scored_fills
from earlywarning._kernel import compiled
from earlywarning.engine import Evaluation, evaluate_columns
from earlywarning.explain import Assessment
from earlywarning.profile import (
    FLAG_MEASURES,
    RATINGS,
    CouncilProfile,
    ProfileColumns,
    profile_measures,
)
from earlywarning.rules import BAND_NAMES, Ruleset, default_ruleset

__all__ = [
    "extreme_completion",
    "fill_missing",
    "missing_impact",
    "range_arrays",
    "range_columns",
    "with_ranges",
]


def fill_missing(
    cols: ProfileColumns,
    rules: Ruleset,
    side: int | np.ndarray,
    only: Mapping[str, np.ndarray] | None = None,
) -> ProfileColumns:
    """The measures with every missing one at its worst (``side=1``) or best (``side=-1``) value.

    ``side`` may also be an array, one side per row, and ``only`` limits the filling to the
    variables it names (see :mod:`earlywarning._space`), each in the rows where its mask is
    true. A missing caseload or caseload target is filled as a field and the caseload against
    target derived from the filled pair, so every result is what some profile would give.

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
    if plan.caseload:
        _fill_caseload(
            out, plan.caseload_ends, worse, rows("avg_caseload") | rows("caseload_target")
        )
    return ProfileColumns(measures=out, error=cols.error)


def _fill_caseload(
    out: dict[str, np.ndarray], ends: tuple[float, ...], worse: np.ndarray, rows: np.ndarray
) -> None:
    """Fill the caseload and its target as fields, then derive the caseload against target."""
    nan = np.full(len(worse), np.nan)
    avg = out.get("avg_caseload", nan)
    target = out.get("caseload_target", nan)
    avg_filled = np.where(np.isnan(avg) & rows, np.where(worse, ends[0], ends[1]), avg)
    target_filled = np.where(np.isnan(target) & rows, np.where(worse, ends[2], ends[3]), target)
    # a target just above 0 makes the excess infinite, which is the top level of any rule
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        derived = (avg_filled / target_filled - 1.0) * 100.0
    above = out.get(_space.CASELOAD_ABOVE, nan)
    out[_space.CASELOAD_ABOVE] = np.where(np.isnan(above), derived, above)
    out["avg_caseload"] = avg_filled
    out["caseload_target"] = target_filled


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


def _impact(rules: Ruleset, measures: ProfileColumns | Mapping[str, float]) -> Impact:
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


def missing_impact(
    profile: CouncilProfile | Mapping[str, Any], ruleset: Ruleset | None = None
) -> pd.DataFrame:
    """The missing items of a profile, ranked by how far each alone could move the band.

    Each item is a variable (a field, or the budget cut) with no data. It is filled alone at its
    best and at its worst value, the others left missing: the first row is what to collect first.

    Returns:
        One row per missing item: ``variable``, the first ``indicator`` it feeds, its ``label``,
        ``score_min``, ``score_max``, ``band_min``, ``band_max`` (band names), ``band_spread``
        (bands between the two) and ``score_spread``.

    Example:
        >>> import earlywarning as ew
        >>> table = missing_impact({"council": "A", "year": 2020, "agency_rate_pct": 12})
        >>> table.loc[0, "indicator"]
        'practice_concerns'
    """
    rules = ruleset if ruleset is not None else default_ruleset()
    rows = _impact(rules, profile_measures(_checked(profile))).rows
    columns = ["variable", "indicator", "score_min", "score_max", "band_min", "band_max"]
    table = pd.DataFrame(rows, columns=columns)
    labels = {ind.id: ind.label for ind in rules.indicators}
    table.insert(2, "label", [labels[i] for i in table["indicator"]])
    table["band_spread"] = table["band_max"] - table["band_min"]
    table["score_spread"] = table["score_max"] - table["score_min"]
    for col in ("band_min", "band_max"):
        table[col] = [BAND_NAMES[b] for b in table[col]]
    return table


def _checked(profile: CouncilProfile | Mapping[str, Any]) -> CouncilProfile:
    if isinstance(profile, CouncilProfile):
        return profile
    return CouncilProfile.model_validate(dict(profile))


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
    found = _impact(rules, measures)
    return a.model_copy(update=found.fields())


def extreme_completion(
    profile: CouncilProfile | Mapping[str, Any], side: int, ruleset: Ruleset | None = None
) -> dict[str, Any]:
    """Field values for every missing field that give the worst (``side=1``) or best (-1) score.

    Merged into the profile, they score the top (or bottom) of its score range: the proof that
    each end of the range is reached by some completion, and the profile to show for it.

    Example:
        >>> import earlywarning as ew
        >>> p = {"council": "A", "year": 2020, "agency_rate_pct": 12}
        >>> worst = ew.score({**p, **extreme_completion(p, 1)})
        >>> worst.score == ew.score(p).score_range[1]
        True
    """
    checked = _checked(profile)
    rules = evaluate_columns(profile_measures(checked), ruleset).ruleset
    given = checked.model_dump(exclude_none=True)
    filled = fill_missing(profile_measures(checked), rules, side)
    out: dict[str, Any] = {}
    for variable in _space.variables(rules):
        if variable in given or variable in ("budget_cut_pct", "caseload_target", "avg_caseload"):
            continue
        value = float(filled.measures[_space.measures_fed(variable)[0]][0])
        out[variable] = _as_field(variable, value)
    out.update(_budget_completion(given, float(filled.measures["budget_cut_pct"][0]), rules))
    for name in CASELOAD_FIELDS:
        if name not in given and not math.isnan(filled.measures[name][0]):
            out[name] = float(filled.measures[name][0])
    return out


def _as_field(variable: str, value: float) -> Any:
    """A measure value written as the field's value."""
    if variable == "previous_rating":
        return RATINGS[int(value) - 1]
    if variable in FLAG_MEASURES:
        return bool(value)
    return int(value) if _space.bounds(variable)[2] else value


def _budget_completion(given: dict[str, Any], cut: float, rules: Ruleset) -> dict[str, Any]:
    """The budget fields to add for a missing cut of ``cut`` %, or nothing when it is known."""
    if "budget_cut_pct" in given or math.isnan(cut):
        return {}
    if math.isinf(cut):
        # no lowest cut exists: any cut below every threshold scores the same
        edges = _space.thresholds(rules, "budget_cut_pct")
        cut = (min(edges) - 1.0) if edges else 0.0
    if "budget_baseline_gbp_m" in given:
        return {"budget_current_gbp_m": given["budget_baseline_gbp_m"] * (1 - cut / 100)}
    return {"budget_cut_pct": cut}
