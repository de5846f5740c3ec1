"""Kept so that ``earlywarning.neighbours`` keeps working.

The code lives in :mod:`earlywarning.datasets.neighbours`."""

from earlywarning.datasets.neighbours import (
    FALLBACK_GROUPINGS,
    MIN_NEIGHBOURS_WITH_DATA,
    REGIONS,
    Grouping,
    NeighboursLike,
    grouping,
    neighbour_codes,
    neighbour_median,
    neighbour_models,
    regions,
    statistical_neighbours,
)

__all__ = [
    "FALLBACK_GROUPINGS",
    "MIN_NEIGHBOURS_WITH_DATA",
    "REGIONS",
    "Grouping",
    "NeighboursLike",
    "grouping",
    "neighbour_codes",
    "neighbour_median",
    "neighbour_models",
    "regions",
    "statistical_neighbours",
]
