"""The load-time check that makes the score monotone in each measure.

Apart from the other checks because it is what the decision calls rest on (the exact
smallest change and the score range of missing data), not a matter of a rule file's form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models import the checks, so the import runs one way only
    from earlywarning.rules import Indicator, Ruleset

__all__ = ["check_one_direction"]

# Measures that rise together: the caseload against target is the caseload over a fixed target.
_RISE_TOGETHER = {"caseload_above_target_pct": "avg_caseload"}


def check_one_direction(rules: Ruleset) -> list[tuple[tuple[str | int, ...], str]]:
    """Every indicator on a measure (risks and mitigations alike) declares the same direction.

    With one direction per measure, and the caseload against target read the same way as the
    caseload, the score never falls as a measure gets worse: what lets the smallest change and
    the score range of missing data be found exactly, from the level edges and the extremes.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> rules = load_ruleset()
        >>> check_one_direction(rules)
        []
        >>> growth = rules.indicator("management_growth")
        >>> flipped = growth.model_copy(update={"direction": "higher_is_better"})
        >>> bad = rules.model_copy(update={"indicators": (*rules.indicators, flipped)})
        >>> check_one_direction(bad)[0][1]  # doctest: +ELLIPSIS
        'management_reduction_pct is read higher_is_worse by management_reduction; ...'
    """
    first: dict[str, Indicator] = {}
    out: list[tuple[tuple[str | int, ...], str]] = []
    for i, ind in enumerate(rules.indicators):
        measure = _RISE_TOGETHER.get(ind.measure, ind.measure)
        seen = first.setdefault(measure, ind)
        if seen.direction != ind.direction:
            what = (
                measure if ind.measure == measure else f"{ind.measure} rises with {measure}, which"
            )
            out.append(
                (
                    ("indicators", i, "direction"),
                    f"{what} is read {seen.direction} by {seen.id}; every rule on a measure "
                    "must agree, so that the score never falls as the measure gets worse",
                )
            )
    return out
