"""The outcomes a ruleset is validated on, as a table: one entry per outcome.

Each :class:`OutcomeSpec` says what the outcome is called, how it is read from an inspection's
new and previous judgements, and which inspections it applies to. Validation, its AUC and band
tables, the baseline, the text report and the command line all iterate :data:`OUTCOMES`, so a
new outcome is one entry here.

Example:
    >>> from earlywarning.outcomes import OUTCOME_NAMES
    >>> OUTCOME_NAMES
    ('below_good', 'inadequate', 'declined', 'declined_from_good')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from earlywarning.vocabulary import RATINGS

__all__ = [
    "OPTIONAL_OUTCOMES",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "OUTCOME_NAMES",
    "OutcomeSpec",
    "derive_outcomes",
    "grade",
]


def grade(rating: object) -> int | None:
    """An Ofsted judgement's grade, 1 (outstanding) to 4 (inadequate); None when there is none.

    Example:
        >>> from earlywarning.outcomes import grade
        >>> grade("good"), grade(None)
        (2, None)
    """
    if not isinstance(rating, str):
        return None
    return RATINGS.index(rating) + 1


@dataclass(frozen=True)
class OutcomeSpec:
    """One outcome: its column name, how reports name it, and how it is derived.

    ``eligible`` takes the previous grade (None when there was no earlier inspection) and says
    whether the outcome applies; ``judged`` takes the new and the previous grade of an eligible
    inspection and says whether the outcome happened. ``derivation`` and ``eligibility`` say
    the same in words, for the docs and the reports.

    Example:
        >>> from earlywarning.outcomes import OUTCOMES
        >>> below_good = OUTCOMES[0]
        >>> below_good.eligible(None), below_good.judged(3, 2)
        (True, True)
    """

    name: str
    label: str
    short: str
    derivation: str
    eligibility: str
    judged: Callable[[int, int | None], bool]
    eligible: Callable[[int | None], bool]
    # False: a frame without this column (and without the judgements to derive it) is still
    # validated, on the other outcomes; True: such a frame is refused.
    required: bool = True


def _any(previous: int | None) -> bool:
    return True


def _has_previous(previous: int | None) -> bool:
    return previous is not None


def _was_good(previous: int | None) -> bool:
    return previous is not None and previous <= 2


def _below_good(new: int, previous: int | None) -> bool:
    return new >= 3


def _inadequate(new: int, previous: int | None) -> bool:
    return new == 4


def _declined(new: int, previous: int | None) -> bool:
    return previous is not None and new > previous


OUTCOMES: tuple[OutcomeSpec, ...] = (
    OutcomeSpec(
        "below_good",
        "judged below good",
        "below good",
        "judged requires improvement or inadequate",
        "every inspection",
        _below_good,
        _any,
    ),
    OutcomeSpec(
        "inadequate",
        "judged inadequate",
        "inadequate",
        "judged inadequate",
        "every inspection",
        _inadequate,
        _any,
    ),
    OutcomeSpec(
        "declined",
        "declined from the previous judgement",
        "declined",
        "judged worse than at the previous inspection",
        "inspections with a previous judgement",
        _declined,
        _has_previous,
    ),
    OutcomeSpec(
        "declined_from_good",
        "declined from good or outstanding",
        "declined from good",
        "judged worse than at the previous inspection, which was good or outstanding",
        "inspections whose previous judgement was good or outstanding",
        _declined,
        _was_good,
        required=False,
    ),
)
"""Every outcome validated, in report order."""

OUTCOME_NAMES: tuple[str, ...] = tuple(o.name for o in OUTCOMES)
"""The outcomes' column names, in report order."""

OUTCOME_LABELS: dict[str, str] = {o.name: o.label for o in OUTCOMES}
"""How each outcome is named in reports."""

OPTIONAL_OUTCOMES: frozenset[str] = frozenset(o.name for o in OUTCOMES if not o.required)
"""Outcomes a frame may lack: validation then reports the others."""


def derive_outcomes(new_rating: pd.Series, prev_rating: pd.Series) -> pd.DataFrame:
    """Every outcome of :data:`OUTCOMES` from the new and previous judgements of inspections.

    Args:
        new_rating: each inspection's judgement, in canonical spelling.
        prev_rating: the judgement before it, None where there was none.

    Returns:
        One column per outcome on the index of ``new_rating``: True, False, or None where the
        outcome does not apply (object dtype, so None stays None).

    Example:
        >>> import pandas as pd
        >>> from earlywarning.outcomes import derive_outcomes
        >>> new = pd.Series(["inadequate", "good"])
        >>> prev = pd.Series(["good", None], dtype=object)
        >>> derive_outcomes(new, prev)["declined"].tolist()
        [True, None]
    """
    new = [grade(r) for r in new_rating]
    previous = [grade(r) for r in prev_rating]
    columns = {}
    for spec in OUTCOMES:
        values = [
            None if n is None or not spec.eligible(p) else spec.judged(n, p)
            for n, p in zip(new, previous, strict=True)
        ]
        columns[spec.name] = pd.Series(values, index=new_rating.index, dtype=object)
    return pd.DataFrame(columns, index=new_rating.index)
