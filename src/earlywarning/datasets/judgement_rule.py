"""What "previous rating" means for a judgement with no overall effectiveness grade.

From April 2026 Ofsted's ILACS inspections give no overall grade: the four sub-judgements stand
alone (the impact of leaders; help and protection; children in care; care leavers). A council's
``previous_rating`` is then read from them by one rule, chosen on evidence: how Ofsted's own
overall grade relates to its sub-judgements in the 271 ILACS inspections of 2018 to March 2025
(:data:`RULE_EVIDENCE`; a test recomputes every figure from the bundled judgements).

**The rule:** the median of the sub-judgements given (with four, the worse of the middle two),
but inadequate when any sub-judgement is inadequate. It agrees with Ofsted's overall grade in
260 of the 271 inspections (95.9%): 131 of 136 in the training period (to March 2022, where it
was chosen) and 129 of 135 after it. Never more than one grade out. The simpler rules agree
less: the worst sub-judgement 71.6%, the impact of leaders 86.0%, the median alone 94.1%.

A judgement with an overall grade keeps it: the rule is used only where there is none, and
outputs say so (``previous_rating_basis``).

Example:
    >>> from earlywarning.datasets.judgement_rule import overall_from_subjudgements
    >>> overall_from_subjudgements("good", "requires improvement", "good", "outstanding")
    'good'
    >>> overall_from_subjudgements("good", "inadequate", "good", "good")
    'inadequate'
"""

from __future__ import annotations

from typing import Any

from earlywarning.errors import EarlyWarningError
from earlywarning.profile import check_value
from earlywarning.vocabulary import RATINGS

__all__ = [
    "BASIS_OVERALL",
    "BASIS_SUBJUDGEMENTS",
    "RULE",
    "RULE_EVIDENCE",
    "overall_from_subjudgements",
    "rating_and_basis",
]

RULE = (
    "the median of the sub-judgements (with four, the worse of the middle two), "
    "but inadequate when any sub-judgement is inadequate"
)
"""The rule for a judgement without an overall grade, as outputs state it."""

BASIS_OVERALL = "overall"
BASIS_SUBJUDGEMENTS = "sub-judgements"

RULE_EVIDENCE: dict[str, tuple[int, int]] = {
    "median, inadequate if any sub-judgement is inadequate (the rule)": (260, 271),
    "the rule, training period (inspections to 31 March 2022)": (131, 136),
    "the rule, test period (April 2022 to March 2025)": (129, 135),
    "median of the sub-judgements (the worse of the middle two)": (255, 271),
    "median of the sub-judgements (the better of the middle two)": (254, 271),
    "impact of leaders": (233, 271),
    "help and protection": (219, 271),
    "children in care": (207, 271),
    "worst sub-judgement": (194, 271),
    "best sub-judgement": (190, 271),
}
"""How often each candidate rule gives Ofsted's overall grade, in the ILACS inspections of 2018
to March 2025 with their four (before 2023, three) sub-judgements: (agreeing, inspections)."""


def overall_from_subjudgements(*grades: Any) -> str:
    """The overall rating :data:`RULE` reads from the sub-judgements given (in any spelling).

    Missing sub-judgements (None, NaN, empty) are left out; at least one must be given.

    Raises:
        EarlyWarningError: when no sub-judgement is given, or one is not an Ofsted grade.
    """
    ranks = []
    for value in grades:
        rating = check_value("previous_rating", value)
        if rating is not None:
            ranks.append(RATINGS.index(rating))
    if not ranks:
        raise EarlyWarningError("a judgement with no overall grade needs a sub-judgement")
    ranks.sort()
    if ranks[-1] == RATINGS.index("inadequate"):
        return "inadequate"
    return RATINGS[ranks[len(ranks) // 2]]


def rating_and_basis(overall: Any, *subjudgements: Any) -> tuple[str | None, str | None]:
    """The previous rating of one judgement and what it rests on.

    The overall grade where there is one (basis ``"overall"``); else :data:`RULE` applied to the
    sub-judgements (basis ``"sub-judgements"``); ``(None, None)`` when there is neither.

    Example:
        >>> rating_and_basis("Good", "Inadequate")
        ('good', 'overall')
        >>> rating_and_basis(None, "Good", "Good", "Requires improvement to be good")
        ('good', 'sub-judgements')
    """
    rating = check_value("previous_rating", overall)
    if rating is not None:
        return rating, BASIS_OVERALL
    if all(check_value("previous_rating", s) is None for s in subjudgements):
        return None, None
    return overall_from_subjudgements(*subjudgements), BASIS_SUBJUDGEMENTS
