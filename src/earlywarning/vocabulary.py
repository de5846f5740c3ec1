"""The shared words: band names and colours, directions, Ofsted ratings, locations in a ruleset.

A leaf module: it imports nothing of the package, so every layer may use it. Each name is
defined here once; :mod:`earlywarning.rules` and :mod:`earlywarning.profile` re-export the ones
they have always exported.

Example:
    >>> from earlywarning.vocabulary import BAND_COLOURS, BAND_NAMES, RATINGS
    >>> BAND_NAMES
    ('low', 'moderate', 'high', 'severe')
    >>> [BAND_COLOURS[b] for b in BAND_NAMES][0], RATINGS.index("good") + 1
    ('#d8f3dc', 2)
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "BAND_COLOURS",
    "BAND_NAMES",
    "RATINGS",
    "BandName",
    "Direction",
    "Location",
    "Rating",
    "rating_words",
]

BandName = Literal["low", "moderate", "high", "severe"]
"""The name of a band, as a type; the only definition of the four names."""

BAND_NAMES: tuple[str, ...] = get_args(BandName)
"""The four bands, least to most at risk."""

BAND_COLOURS: dict[str, str] = {
    "low": "#d8f3dc",
    "moderate": "#fff3b0",
    "high": "#ffd6a5",
    "severe": "#ffadad",
}
"""The fill of each band in charts and report pages: pale, so that dark text reads on each."""

Direction = Literal["higher_is_worse", "higher_is_better"]
"""Which way an indicator's measure gets worse."""

Location = tuple[str | int, ...]
"""A YAML path in the merged ruleset, such as ``("indicators", 0, "levels", 2)``."""

Rating = Literal["outstanding", "good", "requires_improvement", "inadequate"]
"""An Ofsted overall judgement in canonical spelling, as a type (the values of :data:`RATINGS`)."""

RATINGS: tuple[str, ...] = get_args(Rating)
"""Ofsted overall judgements, best first. Their position + 1 is the grade used by the rules."""


def rating_words(rating: object) -> str:
    """An Ofsted judgement as people write it, from its canonical spelling or its grade (1 to
    4, as the rules score it; a median half-way between two grades names both). Anything else
    is given back as text, and a missing judgement as ``""``.

    Example:
        >>> [rating_words(r) for r in ("requires_improvement", 4, 2.0, 2.5, None, "good")]
        ['requires improvement', 'inadequate', 'good', 'good to requires improvement', '', 'good']
    """
    if rating is None or (isinstance(rating, float) and rating != rating):
        return ""
    if isinstance(rating, int | float) and not isinstance(rating, bool):
        grade = float(rating)
        low, high = int(grade // 1), int(-(-grade // 1))
        if 1 <= low <= high <= len(RATINGS) and grade * 2 == int(grade * 2):
            if low == high:
                return rating_words(RATINGS[low - 1])
            return f"{rating_words(RATINGS[low - 1])} to {rating_words(RATINGS[high - 1])}"
        return f"{grade:g}"
    text = str(rating)
    return text.replace("_", " ") if text in RATINGS else text
