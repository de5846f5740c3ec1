"""The outcomes a ruleset is validated on, as a table: one entry per outcome.

Each :class:`OutcomeSpec` says what the outcome is called, which judgement it reads (the
overall grade, one inspection area, or the worst of the areas), how it is read from an
inspection's new and previous judgements, and which inspections it applies to. Validation, its
AUC and band tables, the baseline, the text report and the command line all iterate
:data:`OUTCOMES`, so a new outcome is one entry here.

The outcomes per area read only the sub-judgements (:data:`AREAS`), so they work for a
judgement without an overall grade, as Ofsted gives from April 2026. "Any area" reads the worst
of the areas judged: below good when any area is, and declined from good when every area was
good or outstanding at the previous inspection and the worst area now is worse than the worst
was then. Care leavers were first judged in January 2023; before that "any area" reads three.

Example:
    >>> from earlywarning.outcomes import OUTCOME_NAMES
    >>> OUTCOME_NAMES[:4]
    ('below_good', 'inadequate', 'declined', 'declined_from_good')
    >>> OUTCOME_NAMES[4:]  # doctest: +NORMALIZE_WHITESPACE
    ('any_area_below_good', 'leadership_below_good', 'help_protection_below_good',
     'any_area_declined_from_good', 'leadership_declined_from_good',
     'help_protection_declined_from_good')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from earlywarning.vocabulary import RATINGS

__all__ = [
    "ANY_AREA",
    "AREAS",
    "AREA_LABELS",
    "OPTIONAL_OUTCOMES",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "OUTCOME_NAMES",
    "OutcomeSpec",
    "derive_outcomes",
    "grade",
]

AREAS: tuple[str, ...] = ("leadership", "help_protection", "children_in_care", "care_leavers")
"""The inspection areas Ofsted judges, as columns of
:func:`~earlywarning.datasets.ofsted_judgements` (care leavers from January 2023)."""

AREA_LABELS: dict[str, str] = {
    "leadership": "the impact of leaders",
    "help_protection": "help and protection",
    "children_in_care": "children in care",
    "care_leavers": "care leavers",
}
"""How reports name each area."""

ANY_AREA = "any_area"
"""The judgement an outcome reads when it reads the worst of the areas judged."""

OVERALL = "overall"


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
    inspection and says whether the outcome happened. ``area`` names the judgement both grades
    are read from: ``"overall"``, an area of :data:`AREAS`, or :data:`ANY_AREA` (the worst of
    the areas judged). ``derivation`` and ``eligibility`` say the same in words, for the docs
    and the reports.

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
    area: str = OVERALL


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
    *(
        OutcomeSpec(
            f"{area}_below_good",
            f"{label} judged below good",
            f"{short} below good",
            f"{label} judged requires improvement or inadequate",
            "every inspection judging it",
            _below_good,
            _any,
            required=False,
            area=area,
        )
        for area, label, short in (
            (ANY_AREA, "any area", "any area"),
            ("leadership", "leadership", "leaders"),
            ("help_protection", "help and protection", "help & protection"),
        )
    ),
    *(
        OutcomeSpec(
            f"{area}_declined_from_good",
            f"{label} declined from good",
            f"{short} declined",
            f"{label} judged worse than at the previous inspection, which was good or outstanding",
            f"inspections whose previous judgement of {label} was good or outstanding",
            _declined,
            _was_good,
            required=False,
            area=area,
        )
        for area, label, short in (
            (ANY_AREA, "the worst area", "any area"),
            ("leadership", "leadership", "leaders"),
            ("help_protection", "help and protection", "help & protection"),
        )
    ),
)
"""Every outcome validated, in report order: the overall judgement's four, then by area."""

OUTCOME_NAMES: tuple[str, ...] = tuple(o.name for o in OUTCOMES)
"""The outcomes' column names, in report order."""

OUTCOME_LABELS: dict[str, str] = {o.name: o.label for o in OUTCOMES}
"""How each outcome is named in reports."""

OPTIONAL_OUTCOMES: frozenset[str] = frozenset(o.name for o in OUTCOMES if not o.required)
"""Outcomes a frame may lack: validation then reports the others."""


def _area_grades(areas: pd.DataFrame | None, area: str, n: int) -> list[int | None]:
    """Each inspection's grade in one area, or the worst of its areas judged (None if none)."""
    if areas is None:
        return [None] * n
    if area != ANY_AREA:
        return [grade(r) for r in areas[area]] if area in areas else [None] * n
    per_area = [[grade(r) for r in areas[a]] for a in AREAS if a in areas]
    worst = []
    for grades in zip(*per_area, strict=True):
        judged = [g for g in grades if g is not None]
        worst.append(max(judged) if judged else None)
    return worst if per_area else [None] * n


def derive_outcomes(
    new_rating: pd.Series,
    prev_rating: pd.Series,
    *,
    new_areas: pd.DataFrame | None = None,
    prev_areas: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every outcome of :data:`OUTCOMES` from the new and previous judgements of inspections.

    Args:
        new_rating: each inspection's overall judgement, in canonical spelling (None where the
            judgement has no overall grade).
        prev_rating: the judgement before it, None where there was none.
        new_areas: each inspection's judgement of each area, a column per area of
            :data:`AREAS` (canonical spelling, None where not judged), row for row with
            ``new_rating``; without it the outcomes per area are None (unknown).
        prev_areas: the same for the judgement before.

    Returns:
        One column per outcome on the index of ``new_rating``: True, False, or None where the
        outcome does not apply or its judgement is unknown (object dtype, so None stays None).

    Example:
        >>> import pandas as pd
        >>> from earlywarning.outcomes import derive_outcomes
        >>> new = pd.Series(["inadequate", "good"])
        >>> prev = pd.Series(["good", None], dtype=object)
        >>> derive_outcomes(new, prev)["declined"].tolist()
        [True, None]
        >>> # a judgement without an overall grade still has its outcomes by area
        >>> areas = pd.DataFrame({"leadership": ["good"], "help_protection": ["inadequate"],
        ...                       "children_in_care": ["good"], "care_leavers": ["good"]})
        >>> out = derive_outcomes(pd.Series([None]), pd.Series([None]), new_areas=areas)
        >>> out.loc[0, ["below_good", "any_area_below_good", "leadership_below_good"]].tolist()
        [None, True, False]
    """
    n = len(new_rating)
    grades = {OVERALL: ([grade(r) for r in new_rating], [grade(r) for r in prev_rating])}
    for area in (ANY_AREA, *AREAS):
        grades[area] = (_area_grades(new_areas, area, n), _area_grades(prev_areas, area, n))
    columns = {}
    for spec in OUTCOMES:
        new, previous = grades[spec.area]
        values = [
            None if g is None or not spec.eligible(p) else spec.judged(g, p)
            for g, p in zip(new, previous, strict=True)
        ]
        columns[spec.name] = pd.Series(values, index=new_rating.index, dtype=object)
    return pd.DataFrame(columns, index=new_rating.index)
