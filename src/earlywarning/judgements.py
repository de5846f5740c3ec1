"""Kept so that ``earlywarning.judgements`` keeps working.

The code lives in :mod:`earlywarning.datasets.user_judgements`."""

from earlywarning.datasets.user_judgements import (
    BUNDLED_JUDGEMENTS,
    SUBJUDGEMENT_COLUMNS,
    JudgementsLike,
    all_judgements,
    as_judgements,
    check_judgements,
    judgements_note,
    read_judgements,
)

__all__ = [
    "BUNDLED_JUDGEMENTS",
    "SUBJUDGEMENT_COLUMNS",
    "JudgementsLike",
    "all_judgements",
    "as_judgements",
    "check_judgements",
    "judgements_note",
    "read_judgements",
]
