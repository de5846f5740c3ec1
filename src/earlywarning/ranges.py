"""What the missing data could hide: the lowest and highest score over every way to fill it in.

Every rule is a step function that never falls as its measure gets worse in its declared
direction (the loader proves it), combinations fire on the worse side of each condition, a
mitigation's credit is capped by the risks it offsets so that their net never falls as a risk
worsens, and red flags stay raised as a measure worsens. So the score and the band are monotone
in each measure, and the two extreme completions bound them: every missing measure at the worst
value its field allows gives the highest score, every one at the best value the lowest. The tests
check this against brute force rather than taking it on trust.

:func:`range_columns` does this for a whole evaluation at once (two more evaluations; it lives
in the engine, with the rest of the range arithmetic, and is re-exported here);
:func:`missing_impact` ranks the missing items of one profile by how far each alone could move
the band, which says what to collect first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from earlywarning.engine import (
    evaluate_columns,
    fill_missing,
    impact,
    range_arrays,
    range_columns,
    with_ranges,
)
from earlywarning.engine import space as _space
from earlywarning.profile import (
    DERIVED,
    FLAG_MEASURES,
    RATINGS,
    CouncilProfile,
    profile_measures,
)
from earlywarning.profile.derived import BUDGET_CUT
from earlywarning.rules import BAND_NAMES, Ruleset, default_ruleset

__all__ = [
    "extreme_completion",
    "fill_missing",
    "missing_impact",
    "range_arrays",
    "range_columns",
    "with_ranges",
]


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
    rows = impact(rules, profile_measures(_checked(profile))).rows
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
        if variable in given or variable in _THROUGH_FIELDS:
            continue
        value = float(filled.measures[_space.measures_fed(variable)[0]][0])
        out[variable] = _as_field(variable, value)
    out.update(_budget_completion(given, float(filled.measures[BUDGET_CUT.name][0]), rules))
    for name in _FILLED_AS_FIELDS:
        if name not in given and not math.isnan(filled.measures[name][0]):
            out[name] = float(filled.measures[name][0])
    return out


# the fields of the measures no profile gives (the caseload and its target), filled as fields
_FILLED_AS_FIELDS = tuple(n for d in DERIVED if not d.given for n in d.inputs)
# the variables completed through other fields: the budget cut (written as a budget where the
# baseline is known) and the fields above
_THROUGH_FIELDS = frozenset({BUDGET_CUT.variable, *_FILLED_AS_FIELDS})


def _as_field(variable: str, value: float) -> Any:
    """A measure value written as the field's value."""
    if variable == "previous_rating":
        return RATINGS[int(value) - 1]
    if variable in FLAG_MEASURES:
        return bool(value)
    return int(value) if _space.bounds(variable)[2] else value


def _budget_completion(given: dict[str, Any], cut: float, rules: Ruleset) -> dict[str, Any]:
    """The budget fields to add for a missing cut of ``cut`` %, or nothing when it is known."""
    if BUDGET_CUT.name in given or math.isnan(cut):
        return {}
    if math.isinf(cut):
        # no lowest cut exists: any cut below every threshold scores the same
        edges = _space.thresholds(rules, BUDGET_CUT.name)
        cut = (min(edges) - 1.0) if edges else 0.0
    current, baseline = BUDGET_CUT.inputs
    if baseline in given:
        return {current: BUDGET_CUT.inverse(cut, given[baseline])}
    return {BUDGET_CUT.name: cut}
