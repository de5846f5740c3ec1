"""The England data: per-council statistics, Ofsted judgements and neighbours, as tidy DataFrames.

The data in use are the bundled data (see ``earlywarning/data/england/README.md`` for sources and
licence), or a newer build written by ``earlywarning data import`` (:func:`import_data`) that
``EARLYWARNING_DATA=DIR`` or :func:`use` points at; :func:`data_status` says which. They hold a
council-by-year panel of DfE, ONS and section 251 statistics, every Ofsted judgement of a
council's children's services from 2009 with its sub-judgements (to 31 March 2025 in the bundled
data), the ILACS inspections of the frozen split's two periods with the inputs known before
each one (the 136 of the training period to March 2022 and the 135 of the test period, April
2022 to March 2025; :mod:`earlywarning.datasets.periods`), and the DfE's statistical neighbour
models and council codes with regions (:func:`statistical_neighbours`, :func:`regions`, from
:mod:`earlywarning.datasets.neighbours`). Every file is built from the publishers' files by one
import path (:mod:`earlywarning.datasets.sources`).

On top of the loaders, one builder turns the panel into :class:`~earlywarning.CouncilProfile`
fields *as known at a point in time* (:func:`profiles_at`). :func:`england_profiles` uses it for
1 January of each year and :func:`inspection_profiles` for the start date of each inspection, so
the two cannot drift apart.

Conventions of the builder, for a point in time ``t`` in calendar year ``T``:

* workforce (caseload, agency, turnover, vacancy, absence): the DfE census of 30 September
  ``T-1``;
* demand (children in need and looked-after rates): the year to 31 March ``T-1``; rates are DfE
  figures, falling back to the Webb compilation where DfE has none;
* ``demand_change_pct``: the % change in referrals per 10,000 children over the three years to
  31 March ``T-1``, computed within one source (DfE, else the Webb compilation), never mixing them;
* ``early_help_spend_change_pct``: the % change in real preventative spend per child from 2011-12
  to the latest year available no later than ``T-1``;
* ``region``: the council's English region (London as one);
* ``vacancy_rate_vs_neighbours_pp``, ``agency_rate_vs_neighbours_pp``: the council's rate in the
  census of 30 September ``T-1`` minus the median of its ten statistical neighbours' rates in the
  same census (percentage points; missing when fewer than five neighbours have a figure). The
  neighbours are DfE's newest model (2025) unless ``neighbours=`` asks for another;
* ``vacancy_rate_change_2y_pp``, ``agency_rate_change_2y_pp``: the rate in the census of
  30 September ``T-1`` minus the rate two censuses earlier (percentage points);
* ``cla_rate_change_2y_per_10k``: the looked-after rate at 31 March ``T-1`` minus the rate at
  31 March ``T-3`` (per 10,000 children), within one source (DfE, else the Webb compilation);
* ``previous_rating``: the overall judgement of the council's last Ofsted inspection (any
  framework) dated strictly before ``t``. SLAC and SIF judgements are dated by publication, ILACS
  by the start of the inspection, as in the Ofsted release. A judgement without an overall grade
  (Ofsted gives none from April 2026) is read from its sub-judgements by one rule
  (:mod:`earlywarning.datasets.judgement_rule`).

A figure the sources do not give stays missing (NaN, or None for ratings); nothing is filled with
zero.

Ofsted outcomes run to the date the data stand at (31 March 2025 in the bundled data,
:data:`OUTCOMES_CUTOFF`): for a later point in time, ``previous_rating`` is the last judgement the
data know and may have been superseded by an inspection they do not hold. A user who knows later
judgements can pass them (``judgements=``, see :mod:`earlywarning.datasets.user_judgements`): a
table, Ofsted's outcomes workbook or Data to Insight's overview.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from earlywarning.datasets._england import (
    ALIASES,
    DATA_ENV,
    OUTCOMES_CUTOFF,
    PANEL_FILE,
    cached,
    canonical_ratings,
    council_names,
    data_location,
    exists,
    ilacs,
    judgements,
    outcomes_as_at,
    panel,
    resolve_council,
    resolve_councils,
    use_data,
)
from earlywarning.datasets._inputs import fill_measures, rows_around
from earlywarning.datasets._local import (
    FIELD_SOURCES,
    LOCAL_COLUMN,
    OVERRIDE_COLUMNS,
    LocalLike,
    as_local,
    field_source,
    field_sources,
    local_columns,
    local_note,
    merge_local,
)
from earlywarning.datasets.importing import data_status, import_data
from earlywarning.datasets.neighbours import (
    NeighboursLike,
    neighbour_models,
    regions,
    statistical_neighbours,
)
from earlywarning.datasets.periods import (
    PERIOD_CHOICES,
    PERIODS,
    TRAINING_CUTOFF,
    PeriodChoice,
    periods_named,
)
from earlywarning.datasets.user_judgements import JudgementsLike, all_judgements, as_judgements
from earlywarning.errors import EarlyWarningError
from earlywarning.outcomes import AREAS, OUTCOME_NAMES, derive_outcomes

__all__ = [
    "AREA_COLUMNS",
    "DATA_ENV",
    "FIELD_SOURCES",
    "FIRST_PROFILE_YEAR",
    "LAST_PROFILE_YEAR",
    "LOCAL_COLUMN",
    "OUTCOMES_CUTOFF",
    "OUTCOME_COLUMNS",
    "OVERRIDE_COLUMNS",
    "PANEL_FILE",
    "PERIODS",
    "PERIOD_CHOICES",
    "PROFILE_COLUMNS",
    "TRAINING_CUTOFF",
    "LocalLike",
    "area_judgements",
    "as_local",
    "data_location",
    "data_status",
    "england_panel",
    "england_profiles",
    "field_source",
    "field_sources",
    "ilacs_inspections",
    "import_data",
    "inspection_profiles",
    "local_note",
    "neighbour_models",
    "ofsted_judgements",
    "outcomes_as_at",
    "profile_years",
    "profiles_at",
    "regions",
    "resolve_council",
    "resolve_councils",
    "statistical_neighbours",
    "use",
]

PROFILE_COLUMNS: tuple[str, ...] = (
    "council",
    "year",
    "la_code",
    "region",
    "previous_rating",
    "avg_caseload",
    "agency_rate_pct",
    "turnover_rate_pct",
    "vacancy_rate_pct",
    "absence_rate_pct",
    "demand_change_pct",
    "cla_rate_per_10k",
    "cin_rate_per_10k",
    "early_help_spend_change_pct",
    "vacancy_rate_vs_neighbours_pp",
    "agency_rate_vs_neighbours_pp",
    "vacancy_rate_change_2y_pp",
    "agency_rate_change_2y_pp",
    "cla_rate_change_2y_per_10k",
)
"""The :class:`~earlywarning.CouncilProfile` fields the bundled data can fill, in output order."""

_PROVENANCE = (
    "profile_date",
    "previous_rating_date",
    "previous_rating_basis",
    "census_year",
    "demand_year",
    "spend_year",
)  # the columns profiles_at(provenance=True) adds, in its order

AREA_COLUMNS: tuple[str, ...] = tuple(f"{when}_{a}" for a in AREAS for when in ("new", "prev"))
"""The judgement of each area at an inspection and at the one before, as
:func:`inspection_profiles` gives them."""

OUTCOME_COLUMNS: tuple[str, ...] = (
    "inspection_start",
    "new_rating",
    "prev_rating",
    *AREA_COLUMNS,
    *OUTCOME_NAMES,
)
"""The columns :func:`inspection_profiles` adds after the profile fields."""

FIRST_PROFILE_YEAR = 2011
"""The first year of profiles from the bundled data (1 January 2011, from the 2010 figures);
:func:`profile_years` gives the range of the data in use."""

LAST_PROFILE_YEAR = 2026
"""The newest year of profiles from the bundled data (1 January 2026, from the census of
30 September 2025); :func:`profile_years` gives the range of the data in use."""


def use(directory: str | Path | None) -> None:
    """Point every function and command at a data directory written by :func:`import_data`.

    ``use(None)`` goes back to ``EARLYWARNING_DATA`` if it is set, else the bundled data. Cached
    tables are read afresh from the new directory.

    Raises:
        EarlyWarningError: the directory is not a data directory (no ``sources.json``).

    Example:
        >>> import earlywarning as ew
        >>> ew.datasets.use(None)
        >>> ew.datasets.data_location() is None
        True
    """
    use_data(directory)
    if directory is not None:
        try:
            data_status()
        except EarlyWarningError:
            use_data(None)
            raise


def profile_years() -> tuple[int, int]:
    """The first and last year of profiles the data in use support.

    Year Y is each council as known on 1 January Y, from the figures of Y-1: the first is the
    year after the panel's first year, the last the year after the newest workforce census.

    Example:
        >>> from earlywarning.datasets import profile_years
        >>> profile_years()
        (2011, 2026)
    """
    return _profile_years()


@cached
def _profile_years() -> tuple[int, int]:
    # every call of england_profiles checks its years against these: read the panel once
    rows = panel()
    census = rows.loc[rows["csww_caseload_fte"].notna(), "year"]
    last = int(census.max()) if len(census) else int(rows["year"].max())
    return int(rows["year"].min()) + 1, last + 1


# ----------------------------------------------------------------------------------------------
# Loaders


def england_panel() -> pd.DataFrame:
    """The council-by-year panel of DfE, ONS, Webb (section 251) and MHCLG statistics.

    One row per ONS council code and year (2,491 rows in the bundled data, 2010-2025). ``la_code``
    and ``la_name`` are text, ``year`` is an integer and every other column is a float; cells the
    source suppressed or marked (``x``, ``u``, ``c``, ``z``, ``k``, ``low``) are NaN. A few rows
    describe two councils that share a workforce (codes such as ``"E09000021 / E09000027"``).
    See the data README for each column.

    Returns:
        A fresh copy, sorted by ``la_code`` and ``year``; changing it does not change later calls.

    Example:
        >>> from earlywarning.datasets import england_panel
        >>> panel = england_panel()
        >>> len(panel), int(panel["year"].min()), int(panel["year"].max())
        (2491, 2010, 2025)
    """
    return panel().copy()


def ofsted_judgements() -> pd.DataFrame:
    """Every Ofsted judgement of a council's children's services in the data in use.

    One row per inspection (596 rows in the bundled data, 2009 to 31 March 2025) from three
    frameworks: SLAC (2009-12), SIF (2013-17) and ILACS (2018 on). ``date`` is a datetime: the
    publication date for SLAC and SIF, the start of the inspection for ILACS (``date_kind`` says
    which). The file's grades keep Ofsted's spelling: ``overall`` and the sub-judgements
    ``sub_leadership``, ``sub_help_protection``, ``sub_cla`` (children in care) and
    ``sub_care_leavers`` (judged from January 2023). Columns added to the file's: ``la_code`` is
    the council's current code (``ofsted_code`` the one Ofsted gives), ``published`` (the
    publication date, for every framework), the sub-judgements spelt as ratings (``leadership``,
    ``help_protection``, ``children_in_care``, ``care_leavers``), and ``rating``, the previous
    rating the judgement gives: the overall grade spelt as a profile's ``previous_rating``, or,
    for a judgement without one, the rule of :mod:`~earlywarning.datasets.judgement_rule` applied
    to its sub-judgements (``rating_basis`` says which).

    Returns:
        A fresh copy, sorted by ``la_code`` and ``date``.

    Example:
        >>> from earlywarning.datasets import ofsted_judgements
        >>> j = ofsted_judgements()
        >>> len(j), sorted(j["rating"].unique()), str(j["date"].max().date())
        (596, ['good', 'inadequate', 'outstanding', 'requires_improvement'], '2025-03-24')
    """
    return judgements().copy()


def ilacs_inspections(period: PeriodChoice = "training") -> pd.DataFrame:
    """The ILACS inspections of a period of the frozen split, with the inputs known before each.

    ``period`` is ``"training"`` (the default: the 136 inspections to 31 March 2022, the ones
    rules are chosen on), ``"test"`` (the 135 from April 2022 to March 2025, measured and never
    tuned on) or ``"all"`` (both, training first); see :mod:`earlywarning.datasets.periods`.
    ``la_code`` is the council's current code (Barnsley's is E08000038 since 2025);
    ``inspection_start`` and ``prev_date`` are datetimes; ratings keep the file's spelling
    (Outstanding, Good, RI, Inadequate). Workforce inputs are from the census of 30 September of
    the year before the inspection, demand from the year to 31 March before that, spend changes
    since 2011-12 (see the data README). The two files share their columns; the revenue outturn
    change (``ro_csc_*``, 2011-12 to 2017-18) is empty in the test period's, and the library
    reads neither file's inputs (profiles are built from the panel, :func:`profiles_at`).

    Returns:
        A fresh copy, in the files' order (by inspection start), indexed from 0.

    Raises:
        EarlyWarningError: ``period`` is not one of the three, or the data in use lack the file.

    Example:
        >>> from earlywarning.datasets import ilacs_inspections
        >>> ilacs = ilacs_inspections()
        >>> len(ilacs), str(ilacs["inspection_start"].min().date())
        (136, '2018-01-29')
        >>> len(ilacs_inspections("test")), len(ilacs_inspections("all"))
        (135, 271)
    """
    named = periods_named(period, "ilacs_inspections")
    return pd.concat([ilacs(p.file) for p in named], ignore_index=True)


# ----------------------------------------------------------------------------------------------
# The builder: profile fields as known at a point in time


def _previous(codes: np.ndarray, points: pd.Series, user: pd.DataFrame | None) -> pd.DataFrame:
    """The last judgement of each council dated strictly before each point in time."""
    known = all_judgements(user)
    dates = known["date"]
    # compared at the judgements' own resolution, as the points are read at it
    at = points.astype(dates.dtype).to_numpy(dtype="datetime64[ns]")
    row = rows_around(
        known["la_code"].to_numpy(dtype=object), dates.to_numpy(dtype="datetime64[ns]"), codes, at
    )[0]
    # row -1 (no judgement before) is no row of the judgements: missing in every column
    found = known.reset_index(drop=True).reindex(row).reset_index(drop=True)
    return found.rename(
        columns={
            "date": "previous_rating_date",
            "rating": "previous_rating",
            "rating_basis": "previous_rating_basis",
        }
    )


def _nanoseconds(dates: Sequence[dt.date] | pd.Series) -> Any:
    """The points in time as datetime64[ns]: plain days and datetime columns read directly,
    anything else (datetimes, text, a mixture) parsed one by one."""
    if (
        isinstance(dates, pd.Series)
        and isinstance(dates.dtype, np.dtype)
        and dates.dtype.kind == "M"
    ):
        return dates.to_numpy(dtype="datetime64[ns]")
    given = list(dates)
    if all(type(d) is dt.date for d in given):  # not datetimes, a subclass with a time of day
        return np.array(given, dtype="datetime64[D]").astype("datetime64[ns]")
    return pd.to_datetime(pd.Series(given, dtype=object)).astype("datetime64[ns]").to_numpy()


def _checked_pairs(la_codes: Sequence[str], dates: Sequence[dt.date] | pd.Series) -> Any:
    codes = np.array([ALIASES.get(str(c), str(c)) for c in la_codes], dtype=object)
    points = pd.Series(_nanoseconds(dates))
    if len(points) != len(codes):
        raise EarlyWarningError(
            f"profiles_at: {len(codes)} council codes but {len(points)} dates; pair them one to one"
        )
    unknown = sorted({c for c in codes if c not in council_names()})
    if unknown:
        raise EarlyWarningError(f"profiles_at: council code(s) not in the panel: {unknown}")
    if points.isna().any():
        raise EarlyWarningError("profiles_at: a date is missing")
    return codes, points


def profiles_at(
    la_codes: Sequence[str],
    dates: Sequence[dt.date] | pd.Series,
    *,
    provenance: bool = False,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
) -> pd.DataFrame:
    """Profile fields for each council as known at each point in time.

    The builder behind :func:`england_profiles` and :func:`inspection_profiles`; the conventions
    are in the module docstring. ``la_codes`` and ``dates`` are paired element by element. A code
    the panel lists under another code (for example North Yorkshire's former county code
    ``E10000023``) is read as the council's current code.

    Args:
        la_codes: ONS codes of the councils.
        dates: the points in time, one per code (dates, datetimes or a datetime Series).
        provenance: also return ``profile_date`` (the point in time),
            ``previous_rating_date`` (the date of the judgement used),
            ``previous_rating_basis`` (``overall``, or ``sub-judgements`` for a judgement without
            an overall grade), ``census_year`` (census of 30 September of that year),
            ``demand_year`` (year to 31 March) and ``spend_year`` (the end of the spend change;
            NaN when there is none).
        judgements: the user's own judgements, beside those of the data: a table or the path of
            a file, Ofsted's outcomes workbook or Data to Insight's overview included (see
            :mod:`earlywarning.datasets.user_judgements`). ``previous_rating`` is then the last
            judgement of either kind before each point in time.
        neighbours: the statistical neighbour model of the peer-relative measures (see
            :data:`~earlywarning.datasets.neighbours.NeighboursLike`); the newest by default.
        local: the councils' own facts (:class:`~earlywarning.local.LocalFacts`, or the path
            of a facts file): for each row, the fields its council's facts settle as on its
            point in time (:meth:`~earlywarning.local.LocalFacts.at`: only facts dated on or
            before it, over the rules' lookback of
            :data:`~earlywarning.local.LOOKBACK_YEARS` years) replace the national figures for
            the same fields.

    Returns:
        One row per pair, in order, with the columns of :data:`PROFILE_COLUMNS` (``year`` is the
        year of the point in time) and, with ``provenance``, the six columns above. With
        ``local``, the fields the facts added (budgets, directors, ...) follow, then
        ``local_fields`` (:data:`LOCAL_COLUMN`): the fields each row took from local facts,
        the one record :func:`field_sources` reads to mark each figure national, local or
        missing; ``attrs["local_overrides"]`` lists each national figure a local fact replaced
        (:data:`OVERRIDE_COLUMNS`).

    Raises:
        EarlyWarningError: when the two sequences differ in length, a code is not in the panel,
            or the judgements table has a bad row.
        LocalFactsError: for a facts file with a bad fact, or a derived value the profile
            refuses, naming the facts.

    Example:
        >>> import datetime as dt
        >>> from earlywarning.datasets import profiles_at
        >>> # Derbyshire's ILACS inspection started on 8 July 2019 and was judged RI
        >>> p = profiles_at(["E10000007"] * 2, [dt.date(2019, 7, 8), dt.date(2019, 7, 9)])
        >>> p["previous_rating"].tolist()
        ['good', 'requires_improvement']
    """
    codes, points = _checked_pairs(la_codes, dates)
    facts = as_local(local)
    names = council_names()
    data_years = points.dt.year.to_numpy(dtype=int) - 1
    region = regions().set_index("la_code")["region"]
    previous = _previous(codes, points, as_judgements(judgements))
    fields: dict[str, Any] = {
        "council": pd.Series([names[c] for c in codes], dtype=object),
        "year": points.dt.year.to_numpy(dtype="int64"),
        "la_code": pd.Series(codes, dtype=object),
        "region": pd.Series(region.reindex(codes).to_numpy(), dtype=object),
        "previous_rating": previous["previous_rating"]
        .astype(object)
        .where(previous["previous_rating"].notna(), None),
        **fill_measures(codes, data_years, neighbours),
    }
    columns = {name: fields[name] for name in PROFILE_COLUMNS}
    if provenance:
        basis = previous["previous_rating_basis"]
        columns |= {
            "profile_date": points.to_numpy(),
            "previous_rating_date": previous["previous_rating_date"].to_numpy(),
            # object whatever the rows hold (pandas 3 would read a column of text alone as str),
            # so that one council's rows and every council's agree
            "previous_rating_basis": pd.Series(
                basis.astype(object).where(basis.notna(), None).to_numpy(), dtype=object
            ),
            "census_year": data_years,
            "demand_year": data_years,
            "spend_year": fields["spend_year"],
        }
    out = pd.DataFrame(columns)
    if facts is not None:
        first = list(out.columns)
        overrides = merge_local(out, codes, points, facts)
        out = out.loc[:, local_columns(out, first)]
        out.attrs["local_overrides"] = overrides
    return out


# ----------------------------------------------------------------------------------------------
# Profiles by year and by inspection


def _check_years(year: int | Sequence[int]) -> list[int]:
    """The distinct years asked for, sorted, each checked against the panel's range."""
    years: list[object] = [year] if isinstance(year, int | np.integer | str) else list(year)
    first, last = profile_years()
    good: set[int] = set()
    bad: list[object] = []
    for y in years:
        if isinstance(y, int | np.integer) and not isinstance(y, bool) and first <= y <= last:
            good.add(int(y))
        else:
            bad.append(y)
    if bad:
        raise EarlyWarningError(
            f"england_profiles: year(s) {bad} not in the data (whole years {first} to {last})"
        )
    return sorted(good)


def england_profiles(
    year: int | Sequence[int],
    councils: Sequence[str] | None = None,
    *,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    provenance: bool = False,
    local: LocalLike = None,
) -> pd.DataFrame:
    """Profiles of every English council as known on 1 January of each year.

    ``year`` Y means the council as known on 1 January Y: the workforce census of 30 September
    Y-1, demand in the year to 31 March Y-1, spend to Y-1 and the last Ofsted judgement before
    1 January Y (details in the module docstring). Councils are those in existence on that day:
    councils abolished by reorganisation drop out and their successors appear. Missing figures
    stay NaN (None for ``previous_rating``); the frame can go straight to ``score_frame``.

    Args:
        year: one year or several, in the range of :func:`profile_years` (2011 to 2026 in the
            bundled data, 2026 from the census of September 2025).
        councils: keep only these councils, by name (the panel's or Ofsted's spelling, any case)
            or ONS code. Unknown names raise, so a typo cannot silently return nothing.
        judgements: the user's own judgements (see :func:`profiles_at`).
        neighbours: the neighbour model (see :func:`profiles_at`); the newest by default.
        provenance: also return the dates behind each profile (see :func:`profiles_at`).
        local: the councils' own facts, or the path of a facts file (see :func:`profiles_at`).

    Returns:
        One row per council and year, sorted by year and ``la_code``, with the columns of
        :data:`PROFILE_COLUMNS` (each a :class:`~earlywarning.CouncilProfile` field), and with
        ``local`` the columns and overrides :func:`profiles_at` adds.

    Raises:
        EarlyWarningError: for a year outside the panel or a council not in it.

    Example:
        >>> from earlywarning.datasets import england_profiles
        >>> df = england_profiles(2020, councils=["Derbyshire"])
        >>> row = df.iloc[0]
        >>> row["council"], row["region"], row["previous_rating"], float(row["avg_caseload"])
        ('Derbyshire', 'East Midlands', 'requires_improvement', 19.6)
    """
    years = _check_years(year)
    wanted = None
    if councils is not None:
        wanted = resolve_councils(
            [councils] if isinstance(councils, str) else councils, "england_profiles"
        )
    user = as_judgements(judgements)
    facts = as_local(local)
    if (
        user is None
        and facts is None
        and (neighbours is None or str(neighbours) in neighbour_models())
    ):
        # the data's own judgements and neighbours make the same year for every caller: a batch
        # of report pages asks for each year again and again, so each is built once
        frames = _every_council(years, None if neighbours is None else str(neighbours))
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if wanted is not None:
            out = out[out["la_code"].isin(wanted)]
        columns = [*PROFILE_COLUMNS, *(_PROVENANCE if provenance else ())]
        return out.loc[:, columns].reset_index(drop=True)  # a copy: the cache stays as built
    codes, points = _councils_on(years, wanted)
    out = profiles_at(
        codes,
        points,
        judgements=user,
        neighbours=neighbours,
        provenance=provenance,
        local=facts,
    )
    return out.reset_index(drop=True)


def _councils_on(
    years: Sequence[int], wanted: set[str] | None = None
) -> tuple[list[str], list[dt.date]]:
    """The councils in existence on 1 January of each year (of ``wanted``, if given), paired
    with the day, year by year in code order."""
    codes: list[str] = []
    points: list[dt.date] = []
    for y in years:
        day = dt.date(y, 1, 1)
        for code in sorted(council_names()):
            if exists(code, day) and (wanted is None or code in wanted):
                codes.append(code)
                points.append(day)
    return codes, points


@cached
def _built_years() -> dict[tuple[int, str | None], pd.DataFrame]:
    return {}  # every council's profile, with provenance, by (year, neighbour model asked for)


def _every_council(years: Sequence[int], model: str | None) -> list[pd.DataFrame]:
    """Every council's profile on 1 January of each year, with provenance, from the data's own
    judgements and the neighbour model ``model`` (None: the newest); built once per data
    directory, the years not yet built in one call. Shared: callers take copies."""
    built = _built_years()
    missing = [y for y in years if (y, model) not in built]
    if missing:
        codes, points = _councils_on(missing)
        made = profiles_at(codes, points, neighbours=model, provenance=True)
        by_year = dict(iter(made.groupby("year", sort=False)))
        for y in missing:
            built[(y, model)] = by_year.get(y, made.iloc[:0]).reset_index(drop=True)
    return [built[(y, model)] for y in years]


def area_judgements(codes: pd.Series, dates: pd.Series, *, before: bool) -> pd.DataFrame:
    """Each row's Ofsted judgement of each area of :data:`~earlywarning.outcomes.AREAS`.

    With ``before=False``, the council's judgement dated on the row's date (the inspection
    itself); with ``before=True``, its last judgement dated before it (the one an inspection, or
    a watch list on that day, looks back to). None where there is none, or the row has no date.
    The outcomes by area read these, for the inspections validated and those backtested alike.

    Args:
        codes: each row's council, by ONS code.
        dates: each row's day (NaT: no judgement to find).
        before: the judgement before the day, rather than the one on it.

    Returns:
        A column per area, object dtype, on the index of ``codes``.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.datasets import area_judgements
        >>> codes, days = pd.Series(["E10000007"]), pd.Series([pd.Timestamp("2016-01-01")])
        >>> area_judgements(codes, days, before=True)["leadership"].tolist()  # February 2014's
        ['good']
    """
    known = _dated_judgements()
    asked = pd.Series(pd.to_datetime(dates).to_numpy()).astype(known.unit).to_numpy()
    day = asked.astype("datetime64[ns]")
    # the last judgement before the day; on the day itself, the last before the next instant
    # that is the day's own, if there is one
    last = day if before else day + np.timedelta64(1, "ns")
    at = rows_around(known.codes, known.dates, codes.to_numpy(dtype=object), last)[0]
    hit = ~np.isnat(day) & (at >= 0)
    if not before:  # only the judgement of that very day, never an older one
        hit[hit] &= known.dates[at[hit]] == day[hit]
    found = {}
    for area in AREAS:
        found[area] = np.full(len(codes), None, dtype=object)
        found[area][hit] = known.areas[area][at[hit]]
    return pd.DataFrame(found, index=codes.index, dtype=object)


class _Dated(NamedTuple):
    """The judgements with a date, as arrays for :func:`rows_around`."""

    unit: np.dtype[Any]  # the dtype of the judgements' own dates: a row's day is read as one
    codes: np.ndarray
    dates: np.ndarray  # datetime64[ns]
    areas: dict[str, np.ndarray]  # each area's judgement, None where not judged


@cached
def _dated_judgements() -> _Dated:
    known = judgements().loc[:, ["la_code", "date", *AREAS]].dropna(subset=["date"])
    # in date order (numpy's default sort, as pandas' sort_values): of two judgements of one
    # council on one day the later in this order is found, as pandas.merge_asof found it
    known = known.iloc[np.argsort(known["date"].to_numpy())]
    areas = {}
    for area in AREAS:
        values = np.array(known[area], dtype=object)  # a copy: the cached frame stays
        values[pd.isna(values)] = None
        areas[area] = values
    return _Dated(
        np.dtype(str(known["date"].dtype)),
        known["la_code"].to_numpy(dtype=object),
        known["date"].to_numpy().astype("datetime64[ns]"),
        areas,
    )


def inspection_profiles(
    neighbours: NeighboursLike = None,
    *,
    period: PeriodChoice = "training",
    local: LocalLike = None,
) -> pd.DataFrame:
    """The profile of each council as at the start of each ILACS inspection of a period.

    Built by :func:`profiles_at` with the inspection start as the point in time, so the census is
    that of 30 September of the year before the inspection and ``previous_rating`` is the last
    judgement before the inspection (never the inspection itself). Use it to check a ruleset
    against outcomes it has not seen. ``neighbours`` picks the neighbour model of the
    peer-relative measures (the newest by default; see :func:`profiles_at`). ``period`` picks
    the inspections as :func:`ilacs_inspections` does: the 136 of the training period by
    default, the 135 of the test period, or all; ``local``, the councils' own facts as on each
    inspection's start (see :func:`profiles_at`).

    Returns:
        One row per inspection in the ILACS file's order: the columns of :data:`PROFILE_COLUMNS`,
        then ``inspection_start`` (datetime), ``new_rating`` and ``prev_rating`` (canonical
        spelling; ``prev_rating`` None for a new council with no earlier inspection), the
        judgement of each area at the inspection and at the one before (``new_leadership``,
        ``prev_leadership``, ... for each of :data:`earlywarning.outcomes.AREAS`; None where the
        area was not judged), then one column per outcome of
        :data:`earlywarning.outcomes.OUTCOMES`: ``below_good`` and ``inadequate`` (bool, of the
        new rating), ``declined`` (None when there is no earlier rating),
        ``declined_from_good`` (``declined`` where the earlier rating was good or outstanding,
        else None) and the outcomes by area (None where they do not apply).
        ``new_rating`` and ``prev_rating`` are the ILACS file's own record; ``prev_rating`` is
        kept apart from the builder's ``previous_rating`` (which agrees with it) so that each
        can be checked against the other.

    Example:
        >>> from earlywarning.datasets import inspection_profiles
        >>> ip = inspection_profiles()
        >>> len(ip), int(ip["inadequate"].sum()), int(ip["declined_from_good"].notna().sum())
        (136, 19, 50)
        >>> len(inspection_profiles(period="test"))
        135
    """
    table = ilacs_inspections(period)
    out = profiles_at(
        list(table["la_code"]), table["inspection_start"], neighbours=neighbours, local=local
    )
    out["inspection_start"] = table["inspection_start"].to_numpy()
    new = canonical_ratings(table["new_overall"])
    out["new_rating"] = new.to_numpy()
    # object dtype keeps None for "no earlier inspection" (a str column would turn it into NaN)
    out["prev_rating"] = pd.Series(
        canonical_ratings(table["prev_overall"]).to_numpy(), index=out.index, dtype=object
    )
    codes, starts = table["la_code"], table["inspection_start"]
    new_areas = area_judgements(codes, starts, before=False)
    prev_areas = area_judgements(codes, starts, before=True)
    for area in AREAS:
        for when, areas in (("new", new_areas), ("prev", prev_areas)):
            out[f"{when}_{area}"] = pd.Series(areas[area].to_numpy(), index=out.index, dtype=object)
    outcomes = derive_outcomes(
        out["new_rating"], out["prev_rating"], new_areas=new_areas, prev_areas=prev_areas
    )
    outcomes.index = out.index
    for name in OUTCOME_NAMES:
        column = outcomes[name]
        # outcomes known for every inspection are plain booleans; the others keep None
        out[name] = column.astype(bool) if column.notna().all() else column
    return out
