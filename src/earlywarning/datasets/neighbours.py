"""Statistical neighbours and regions: the councils each council is read against.

The data hold DfE's statistical neighbour models (see ``earlywarning/data/england/README.md``):
the April 2021 groupings and the 2025 model DfE's dashboard moved to in June 2025. Each lists for
each council its ten most similar councils, nearest first. The newest model is the default
everywhere; ``neighbours="2021"`` (``--neighbours 2021`` on the command line) asks for the older
one, and the path of a DfE neighbour file uses that file.

* :func:`statistical_neighbours` gives a council's ten neighbours, by name or ONS code.
* :func:`regions` gives every council's region (the nine English regions; London is one).
* :func:`neighbour_median` is the median of a measure over each council's neighbours, as the
  profile builder uses it for the peer-relative measures.

DfE lists councils by its three-digit number; each number is read as the council's current ONS
code, so councils recoded since (Barnsley and Sheffield in 2025) and reorganised ones (North
Yorkshire, Somerset) are found under the code they have today. A council a model does not list
takes another row, and every result says which: one created after the model (Cumberland and
Westmorland and Furness under the 2021 model) takes the council it replaced (Cumbria), and one
abolished before it (Northamptonshire, Cumbria, Bournemouth, Poole, the old Dorset under the 2025
model) keeps its row in the older model. The models rest on the councils' socio-economic
make-up, not on their outcomes, so one model is used for every year; a neighbour with no figure
for a year (one not yet created, or since abolished) drops out of that year's median.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.datasets._england import (
    ALIASES,
    CODES_FILE,
    cached,
    council_names,
    data_files,
    read_csv,
    resolve_council,
)
from earlywarning.errors import EarlyWarningError

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
"""Councils created after the April 2021 groupings, and the council whose row they take there."""

MIN_NEIGHBOURS_WITH_DATA = 5
"""A neighbours' median needs at least this many of the ten neighbours with a figure."""

NeighboursLike = str | Path | None
"""Which neighbours: None (the newest model in the data), a model year (``"2021"``,
``"2025"``) or the path of a DfE neighbour file in either of DfE's layouts."""

_SN = tuple(f"sn{i}" for i in range(1, 11))
_Rows = dict[str, tuple[tuple[str, str], ...]]
_PREFIX = "statistical_neighbours_"


@dataclass(frozen=True)
class Grouping:
    """One neighbour model resolved to current ONS codes.

    ``rows`` maps each council to its ten (neighbour code, closeness), nearest first;
    ``borrowed`` maps a council the model does not list to (the council whose row it takes, the
    model that row comes from).
    """

    model: str
    rows: dict[str, tuple[tuple[str, str], ...]]
    borrowed: dict[str, tuple[str, str]]

    def of(self, code: str) -> tuple[tuple[str, str], ...] | None:
        """A council's ten neighbours, or None when it has no row."""
        return self.rows.get(ALIASES.get(code, code))


def neighbour_models() -> tuple[str, ...]:
    """The neighbour models in the data in use, oldest first.

    Example:
        >>> from earlywarning.datasets.neighbours import neighbour_models
        >>> neighbour_models()
        ('2021', '2025')
    """
    names = [n for n in data_files() if n.startswith(_PREFIX) and n.endswith(".csv")]
    return tuple(sorted(n[len(_PREFIX) : -len(".csv")] for n in names))


@cached
def _number_codes() -> dict[str, str]:
    """Each DfE council number as the council's current ONS code (joint rows left out)."""
    codes = read_csv(CODES_FILE)
    codes = codes[~codes["la_code"].str.contains("/", regex=False)]
    # a number with two codes (a recoded council) means the code it was given last
    codes = codes.sort_values(["last_year", "first_year"], kind="stable")
    return {n: ALIASES.get(c, c) for n, c in zip(codes["la_number"], codes["la_code"], strict=True)}


def _rows(table: pd.DataFrame, what: str) -> dict[str, tuple[tuple[str, str], ...]]:
    numbers = _number_codes()
    # each column read as text once (a frame's records, cell by cell, were most of the reading)
    own = [str(n) for n in table["la_number"].tolist()]
    near = [[str(n) for n in table[sn].tolist()] for sn in _SN]
    closeness = [[str(c) for c in table[f"{sn}_closeness"].tolist()] for sn in _SN]
    unknown = sorted({*own, *(n for column in near for n in column)} - set(numbers))
    if unknown:
        raise EarlyWarningError(f"{what}: DfE council numbers not in the data: {unknown}")
    return {
        numbers[number]: tuple((numbers[near[k][row]], closeness[k][row]) for k in range(len(_SN)))
        for row, number in enumerate(own)
    }


@cached
def _models() -> dict[str, dict[str, tuple[tuple[str, str], ...]]]:
    """Every model of the data in use, resolved to current codes (a cache per data directory)."""
    return {
        m: _rows(read_csv(f"{_PREFIX}{m}.csv"), f"neighbour model {m}") for m in neighbour_models()
    }


@cached
def _files() -> dict[tuple[str, int], Grouping]:
    return {}  # groupings read from users' files, by path and modification time


def _from_file(path: Path) -> dict[str, tuple[tuple[str, str], ...]]:
    from earlywarning.datasets.sources import read_source

    table = read_source(path)
    if table.source.kind != "neighbours":
        raise EarlyWarningError(f"{path}: is {table.source.title}, not a DfE neighbour model")
    return _rows(table.frame, str(path))


def _resolve(
    rows: dict[str, tuple[tuple[str, str], ...]], model: str, others: dict[str, _Rows]
) -> Grouping:
    """A model with a row for every council of the data: borrowed where the model has none."""
    full = dict(rows)
    borrowed: dict[str, tuple[str, str]] = {}
    for code in council_names():
        if code in full:
            continue
        predecessor = FALLBACK_GROUPINGS.get(code)
        if predecessor in rows:
            full[code], borrowed[code] = rows[predecessor], (predecessor, model)
            continue
        for other in sorted(others, reverse=True):
            if code in others[other]:
                full[code], borrowed[code] = others[other][code], (code, other)
                break
    return Grouping(model, full, borrowed)


def grouping(neighbours: NeighboursLike = None) -> Grouping:
    """The neighbour model asked for, resolved to current codes (see :data:`NeighboursLike`).

    Raises:
        EarlyWarningError: a model year the data do not have (naming those they have), or a
            file that is not a DfE neighbour model.
    """
    models = _models()
    if neighbours is None or str(neighbours) in models:
        model = str(neighbours) if neighbours is not None else max(models)
        others = {m: r for m, r in models.items() if m != model}
        return _cached_resolve(model, models[model], others)
    path = Path(neighbours)
    if not path.is_file():
        raise EarlyWarningError(
            f"neighbours: {str(neighbours)!r} is neither a model of the data "
            f"({', '.join(models)}) nor a file"
        )
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _files():
        _files()[key] = _resolve(_from_file(path), path.name, models)
    return _files()[key]


@cached
def _resolved() -> dict[str, Grouping]:
    return {}


def _cached_resolve(model: str, rows: _Rows, others: dict[str, _Rows]) -> Grouping:
    if model not in _resolved():
        _resolved()[model] = _resolve(rows, model, others)
    return _resolved()[model]


@cached
def _regions() -> pd.DataFrame:
    codes = read_csv(CODES_FILE)
    codes = codes[~codes["la_code"].str.contains("/", regex=False)].copy()
    codes["la_code"] = [ALIASES.get(c, c) for c in codes["la_code"]]
    codes["region"] = codes["region_name"].replace(
        {"Inner London": "London", "Outer London": "London"}
    )
    codes = codes.sort_values(["last_year", "first_year"], kind="stable")
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


@cached
def _places() -> dict[str, tuple[Any, Any]]:
    """Each council's DfE number and region, as :func:`regions` gives them."""
    table = _regions()
    return dict(
        zip(table["la_code"], zip(table["la_number"], table["region"], strict=True), strict=True)
    )


def regions() -> pd.DataFrame:
    """Every council in the data with its DfE number and region.

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


def neighbour_codes(la_code: str, neighbours: NeighboursLike = None) -> tuple[str, ...]:
    """The ONS codes of a council's ten statistical neighbours, nearest first.

    A council the model does not list takes another row (see the module docstring).

    Raises:
        EarlyWarningError: when the code has no row in any model.

    Example:
        >>> from earlywarning.datasets.neighbours import neighbour_codes
        >>> near = neighbour_codes("E06000063", "2021")  # Cumberland, under the 2021 model
        >>> near == neighbour_codes("E10000006", "2021")  # takes Cumbria's row
        True
    """
    found = grouping(neighbours).of(la_code)
    if found is None:
        raise EarlyWarningError(f"statistical_neighbours: no grouping for council code {la_code!r}")
    return tuple(c for c, _ in found)


def _note(code: str, found: Grouping) -> str:
    names = council_names()
    if code not in found.borrowed:
        return ""
    source, model = found.borrowed[code]
    if source != code:
        return (
            f"{names[code]} was created in April 2023, after the DfE's {found.model} groupings: "
            f"these are the neighbours of {names[source]}, the council it replaced."
        )
    return (
        f"{names[code]} is not in the DfE's {found.model} model (it was abolished before it): "
        f"these are its neighbours in the {model} model."
    )


def statistical_neighbours(council: str, neighbours: NeighboursLike = None) -> pd.DataFrame:
    """A council's ten DfE statistical neighbours, nearest first.

    Args:
        council: a name (panel, Ofsted or DfE spelling, any case) or ONS code. A reorganised or
            recoded council resolves to its current code (North Yorkshire's former county code,
            Barnsley's code before 2025); a name two councils have borne means today's council
            (Dorset: the council since 2019; give ``E10000009`` for the former county).
        neighbours: the model (see :data:`NeighboursLike`); the newest by default.

    Returns:
        Ten rows, ``rank`` 1 (nearest) to 10, with ``la_code``, ``council``, ``la_number``,
        ``region`` and ``closeness`` (the DfE's word), and ``grouping_of``: the council whose row
        was used. That is the council itself unless the model does not list it (see the module
        docstring); ``attrs["note"]`` then says so (else it is empty) and ``attrs["model"]``
        names the model.

    Raises:
        EarlyWarningError: when the council is not known.

    Example:
        >>> from earlywarning.datasets import statistical_neighbours
        >>> sn = statistical_neighbours("Derbyshire")
        >>> sn.attrs["model"], sn.loc[0, ["council", "closeness"]].tolist(), len(sn)
        ('2025', ['Nottinghamshire', 'Extremely close'], 10)
        >>> print(statistical_neighbours("Cumberland", "2021").attrs["note"])  # doctest: +ELLIPSIS
        Cumberland was created in April 2023, after the DfE's 2021 groupings: ...
    """
    code = resolve_council(council, "statistical_neighbours")
    found_model = grouping(neighbours)
    found = found_model.of(code)
    if found is None:
        raise EarlyWarningError(f"statistical_neighbours: no grouping for {council!r} ({code})")
    places = _places()
    names = council_names()
    source = found_model.borrowed.get(code, (code, found_model.model))[0]
    out = pd.DataFrame(
        {
            "rank": np.arange(1, 11),
            "la_code": [c for c, _ in found],
            "council": [names[c] for c, _ in found],
            "la_number": [places[c][0] for c, _ in found],
            "region": [places[c][1] for c, _ in found],
            "closeness": [label for _, label in found],
            "grouping_of": names[source],
        }
    )
    out.attrs.update(
        council=names[code], la_code=code, note=_note(code, found_model), model=found_model.model
    )
    return out


def neighbour_median(
    values: pd.Series,
    la_codes: Sequence[str] | np.ndarray,
    years: Sequence[int] | np.ndarray,
    *,
    minimum: int = MIN_NEIGHBOURS_WITH_DATA,
    neighbours: NeighboursLike = None,
) -> np.ndarray:
    """The median of a measure over each council's statistical neighbours in the same year.

    Args:
        values: the measure, indexed by (``la_code``, ``year``) with current codes.
        la_codes: the councils, paired with ``years`` element by element.
        years: the year of the measure to read for each council's neighbours.
        minimum: fewer neighbours than this with a figure gives NaN.
        neighbours: the model (see :data:`NeighboursLike`); the newest by default.

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
    model = grouping(neighbours)
    pairs = list(zip(la_codes, years, strict=True))
    out = np.full(len(pairs), np.nan)
    listed = [
        (i, near) for i, (code, _) in enumerate(pairs) if (near := model.of(str(code))) is not None
    ]
    if not listed:
        return out
    known = values.dropna()
    known = known[~known.index.duplicated(keep="last")]  # a repeated pair: its last figure counts
    # each listed council's ten neighbours in its year, as one (councils, 10) table of figures,
    # read from a dense table of the figures by the positions of their code and year
    index = known.index
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        return out  # no (code, year) pair to find: as every pair were missing
    code_at = {code: i for i, code in enumerate(index.levels[0])}
    near_at = np.array([code_at.get(c, -1) for _, near in listed for c, _ in near], dtype=np.int64)
    years_at = np.repeat(
        index.levels[1].get_indexer(pd.Index([int(pairs[i][1]) for i, _ in listed])), len(_SN)
    )
    width = len(index.levels[1])
    table = np.full(len(index.levels[0]) * width + 1, np.nan)  # the last: "not found"
    table[index.codes[0].astype(np.int64) * width + index.codes[1]] = known.to_numpy(dtype=float)
    at = np.where((near_at >= 0) & (years_at >= 0), near_at * width + years_at, -1)
    figures = table[at].reshape(-1, len(_SN))
    out[[i for i, _ in listed]] = _median_of_enough(figures, minimum)
    return out


def _median_of_enough(figures: np.ndarray, minimum: int) -> np.ndarray:
    """Each row's median over its figures (NaN: none), NaN where fewer than ``minimum``.

    The median is :func:`numpy.median`'s arithmetic on the row's figures, done for every row at
    once: the middle figure, or the mean of the two middle ones."""
    count = np.count_nonzero(~np.isnan(figures), axis=1)
    ordered = np.sort(figures, axis=1)  # the missing sort last
    rows = np.arange(len(figures))
    low = ordered[rows, np.maximum(count - 1, 0) // 2]
    high = ordered[rows, count // 2 - (count == 0)]
    with np.errstate(invalid="ignore"):
        median = np.where(count % 2 == 1, low, (low + high) / 2.0)
    return np.where((count >= minimum) & (count > 0), median, np.nan)
