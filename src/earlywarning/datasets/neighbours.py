"""Statistical neighbours and regions: the councils each council is read against.

Two bundled files (see ``earlywarning/data/england/README.md``): the DfE's statistical neighbour
groupings of April 2021, which list for each council its ten most similar councils nearest first,
and the DfE's table of council numbers, ONS codes and regions.

* :func:`statistical_neighbours` gives a council's ten neighbours, by name or ONS code.
* :func:`regions` gives every council's region (the nine English regions; London is one).
* :func:`neighbour_median` is the median of a measure over each council's neighbours, as the
  profile builder uses it for the peer-relative measures.

The groupings are of councils as they stood in April 2021. A council abolished before then
(Bournemouth, Poole and the old Dorset in 2019) keeps the DfE's "Pre LG" row. A council created
after April 2021 has no row of its own: Cumberland and Westmorland and Furness (April 2023) take
the neighbours of Cumbria, the council they replaced, and every result says so. The groupings
rest on the councils' socio-economic make-up, not on their outcomes, so the one set is used for
every year; a neighbour with no figure for a year (one not yet created, or since abolished)
simply drops out of that year's median.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from earlywarning.datasets._england import (
    ALIASES,
    CODES_FILE,
    NEIGHBOURS_FILE,
    council_names,
    read_csv,
    resolve_council,
)
from earlywarning.errors import EarlyWarningError

__all__ = [
    "FALLBACK_GROUPINGS",
    "MIN_NEIGHBOURS_WITH_DATA",
    "REGIONS",
    "neighbour_codes",
    "neighbour_median",
    "regions",
    "statistical_neighbours",
]

REGIONS: tuple[str, ...] = (
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "South East",
    "South West",
    "West Midlands",
    "Yorkshire and The Humber",
)
"""The nine English regions, as :func:`regions` names them (Inner and Outer London are London)."""

FALLBACK_GROUPINGS: dict[str, str] = {
    "E06000063": "E10000006",  # Cumberland <- Cumbria
    "E06000064": "E10000006",  # Westmorland and Furness <- Cumbria
}
"""Councils created after the April 2021 groupings, and the council whose row they take."""

MIN_NEIGHBOURS_WITH_DATA = 5
"""A neighbours' median needs at least this many of the ten neighbours with a figure."""

_SN = tuple(f"sn{i}" for i in range(1, 11))


@cache
def _number_codes() -> dict[str, str]:
    """Each DfE council number as the council's current ONS code (joint rows left out)."""
    codes = read_csv(CODES_FILE)
    codes = codes[~codes["la_code"].str.contains("/", regex=False)]
    return {n: ALIASES.get(c, c) for n, c in zip(codes["la_number"], codes["la_code"], strict=True)}


@cache
def _regions() -> pd.DataFrame:
    codes = read_csv(CODES_FILE)
    codes = codes[~codes["la_code"].str.contains("/", regex=False)].copy()
    codes["la_code"] = [ALIASES.get(c, c) for c in codes["la_code"]]
    codes["region"] = codes["region_name"].replace(
        {"Inner London": "London", "Outer London": "London"}
    )
    codes = codes.drop_duplicates("la_code", keep="last").set_index("la_code")
    names = council_names()
    out = pd.DataFrame(
        {
            "la_code": sorted(names),
            "council": [names[c] for c in sorted(names)],
        }
    )
    out["la_number"] = codes["la_number"].reindex(out["la_code"]).to_numpy()
    out["region"] = codes["region"].reindex(out["la_code"]).to_numpy()
    out["region_detail"] = codes["region_name"].reindex(out["la_code"]).to_numpy()
    return out


def regions() -> pd.DataFrame:
    """Every council in the bundled panel with its DfE number and region.

    Returns:
        One row per council (ONS code), sorted by ``la_code``: ``la_code``, ``council``,
        ``la_number`` (the DfE three-digit number, text), ``region`` (one of :data:`REGIONS`) and
        ``region_detail`` (the DfE's own label, which splits London into Inner and Outer London).

    Example:
        >>> from earlywarning.datasets.neighbours import regions
        >>> r = regions().set_index("council")
        >>> r.loc["Derbyshire", "region"], r.loc["Camden", "region_detail"]
        ('East Midlands', 'Inner London')
    """
    return _regions().copy()


@cache
def _groupings() -> dict[str, tuple[tuple[str, str], ...]]:
    """Each council code's ten (neighbour code, closeness), nearest first."""
    numbers = _number_codes()
    rows = read_csv(NEIGHBOURS_FILE)
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for row in rows.to_dict("records"):
        out[numbers[str(row["la_number"])]] = tuple(
            (numbers[str(row[sn])], str(row[f"{sn}_closeness"])) for sn in _SN
        )
    return out


def _grouping_of(code: str) -> str:
    return FALLBACK_GROUPINGS.get(code, code)


def neighbour_codes(la_code: str) -> tuple[str, ...]:
    """The ONS codes of a council's ten statistical neighbours, nearest first.

    A council created after April 2021 takes the neighbours of the council it replaced
    (:data:`FALLBACK_GROUPINGS`).

    Raises:
        EarlyWarningError: when the code has no grouping.

    Example:
        >>> from earlywarning.datasets.neighbours import neighbour_codes
        >>> neighbour_codes("E06000063") == neighbour_codes("E10000006")
        True
    """
    code = ALIASES.get(la_code, la_code)
    found = _groupings().get(_grouping_of(code))
    if found is None:
        raise EarlyWarningError(f"statistical_neighbours: no grouping for council code {la_code!r}")
    return tuple(c for c, _ in found)


def statistical_neighbours(council: str) -> pd.DataFrame:
    """A council's ten DfE statistical neighbours (April 2021 groupings), nearest first.

    Args:
        council: a name (panel, Ofsted or DfE spelling, any case) or ONS code. A reorganised
            council resolves as elsewhere in :mod:`earlywarning.datasets` (North Yorkshire's
            former county code reads as the council's current code); a name two councils have
            borne means today's council (Dorset: the council since 2019; give ``E10000009`` for
            the former county).

    Returns:
        Ten rows, ``rank`` 1 (nearest) to 10, with ``la_code``, ``council``, ``la_number``,
        ``region`` and ``closeness`` (the DfE's label: Extremely Close, Very Close, Close,
        Somewhat close, Not Close), and ``grouping_of``: the council whose 2021 row was used.
        That is the council itself, except for a council created after April 2021, which takes
        its predecessor's row; ``attrs["note"]`` then says so (else it is empty).

    Raises:
        EarlyWarningError: when the council is not known.

    Example:
        >>> from earlywarning.datasets import statistical_neighbours
        >>> sn = statistical_neighbours("Derbyshire")
        >>> sn.loc[0, ["council", "closeness"]].tolist(), len(sn)
        (['Nottinghamshire', 'Extremely Close'], 10)
        >>> print(statistical_neighbours("Cumberland").attrs["note"])  # doctest: +ELLIPSIS
        Cumberland was created in April 2023, after the DfE's April 2021 groupings: ...
    """
    code = resolve_council(council, "statistical_neighbours")
    source = _grouping_of(code)
    found = _groupings().get(source)
    if found is None:
        raise EarlyWarningError(f"statistical_neighbours: no grouping for {council!r} ({code})")
    table = _regions().set_index("la_code")
    names = council_names()
    out = pd.DataFrame(
        {
            "rank": np.arange(1, 11),
            "la_code": [c for c, _ in found],
            "council": [names[c] for c, _ in found],
            "la_number": [table.loc[c, "la_number"] for c, _ in found],
            "region": [table.loc[c, "region"] for c, _ in found],
            "closeness": [label for _, label in found],
            "grouping_of": names[source],
        }
    )
    out.attrs["council"] = names[code]
    out.attrs["la_code"] = code
    out.attrs["note"] = (
        f"{names[code]} was created in April 2023, after the DfE's April 2021 groupings: "
        f"these are the neighbours of {names[source]}, the council it replaced."
        if source != code
        else ""
    )
    return out


def neighbour_median(
    values: pd.Series,
    la_codes: Sequence[str] | np.ndarray,
    years: Sequence[int] | np.ndarray,
    *,
    minimum: int = MIN_NEIGHBOURS_WITH_DATA,
) -> np.ndarray:
    """The median of a measure over each council's statistical neighbours in the same year.

    Args:
        values: the measure, indexed by (``la_code``, ``year``).
        la_codes: the councils, paired with ``years`` element by element.
        years: the year of the measure to read for each council's neighbours.
        minimum: fewer neighbours than this with a figure gives NaN.

    Returns:
        One float per pair; NaN when too few neighbours have a figure or the council has no
        grouping.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.datasets.neighbours import neighbour_codes, neighbour_median
        >>> near = neighbour_codes("E10000007")
        >>> v = pd.Series(range(10), index=pd.MultiIndex.from_arrays([near, [2020] * 10]))
        >>> neighbour_median(v, ["E10000007"], [2020]).tolist()
        [4.5]
    """
    lookup = values.dropna().to_dict()
    groupings = _groupings()
    out = np.full(len(la_codes), np.nan)
    for i, (code, year) in enumerate(zip(la_codes, years, strict=True)):
        near = groupings.get(_grouping_of(ALIASES.get(str(code), str(code))))
        if near is None:
            continue
        found = [lookup[(c, int(year))] for c, _ in near if (c, int(year)) in lookup]
        if len(found) >= minimum:
            out[i] = float(np.median(found))
    return out
