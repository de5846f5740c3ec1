"""The bundled England data: per-council statistics and Ofsted outcomes, as tidy DataFrames.

Three files ship with the package (see ``earlywarning/data/england/README.md`` for sources and
licence): a council-by-year panel of DfE and section 251 statistics, every Ofsted judgement of a
council's children's services from 2009 to March 2022, and the 136 ILACS inspections to March 2022
with the inputs known before each one.

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
* ``previous_rating``: the overall judgement of the council's last Ofsted inspection (any
  framework) dated strictly before ``t``.  SLAC and SIF judgements are dated by publication, ILACS
  by the start of the inspection, as in the Ofsted release.

These are the conventions of the bundled ILACS file, which the builder reproduces. A figure the
sources do not give stays missing (NaN, or None for ratings); nothing is filled with zero.

Ofsted outcomes are cut at 31 March 2022 on purpose (see the data README): for a point in time
after :data:`OUTCOMES_CUTOFF`, ``previous_rating`` is the last judgement up to the cutoff and may
have been superseded by an inspection that is withheld.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from earlywarning.errors import EarlyWarningError
from earlywarning.profile import RATINGS, check_value

__all__ = [
    "OUTCOMES_CUTOFF",
    "OUTCOME_COLUMNS",
    "PROFILE_COLUMNS",
    "england_panel",
    "england_profiles",
    "ilacs_inspections",
    "inspection_profiles",
    "ofsted_judgements",
    "profiles_at",
]

PANEL_FILE = "la_year_panel.csv"
JUDGEMENTS_FILE = "ofsted_judgements_2009_to_2022-03.csv"
ILACS_FILE = "ilacs_inspections_with_inputs_2018_to_2022-03.csv"

OUTCOMES_CUTOFF = dt.date(2022, 3, 31)
"""The last date of the bundled Ofsted outcomes; later inspections are withheld on purpose."""

PROFILE_COLUMNS: tuple[str, ...] = (
    "council",
    "year",
    "la_code",
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
)
"""The :class:`~earlywarning.CouncilProfile` fields the bundled data can fill, in output order."""

OUTCOME_COLUMNS: tuple[str, ...] = (
    "inspection_start",
    "new_rating",
    "prev_rating",
    "below_good",
    "inadequate",
    "declined",
)
"""The columns :func:`inspection_profiles` adds after the profile fields."""

# Markers the DfE and Ofsted releases put in place of a number: x suppressed, u low reliability,
# c confidential, z not applicable, low a positive value that rounds to zero. All are missing here:
# "low" is known to be small but not known to be zero, so it is not read as 0.
_MISSING_MARKERS = ("x", "u", "c", "z", "low")

_PANEL_TEXT = ("la_code", "la_name")

# The workforce census measures, as the profile field each one fills.
_CENSUS_FIELDS = {
    "avg_caseload": "csww_caseload_fte",
    "agency_rate_pct": "csww_agency_rate_fte",
    "turnover_rate_pct": "csww_turnover_rate_fte",
    "vacancy_rate_pct": "csww_vacancy_rate_fte",
    "absence_rate_pct": "csww_absence_rate_fte",
}

# Councils whose panel rows sit under more than one code. The first code is the one Ofsted uses
# for the council throughout the judgements file; the others are read, in order, for any figure
# the first lacks. North Yorkshire, Somerset and Buckinghamshire became unitary councils with new
# codes, Dorset's new council takes the former county's workforce census (the data README's
# "mapped to their former county codes"), and Barnsley and Sheffield were recoded in 2025.
_INPUT_SOURCES: dict[str, tuple[str, ...]] = {
    "E06000059": ("E06000059", "E10000009"),  # Dorset (council from 2019) <- Dorset County
    "E06000060": ("E06000060", "E10000002"),  # Buckinghamshire <- Buckinghamshire County
    "E06000065": ("E06000065", "E10000023"),  # North Yorkshire <- North Yorkshire County
    "E06000066": ("E06000066", "E10000027"),  # Somerset <- Somerset County
    "E08000016": ("E08000016", "E08000038"),  # Barnsley (recoded 2025)
    "E08000019": ("E08000019", "E08000039"),  # Sheffield (recoded 2025)
}
# Codes that are only another name for a council listed above (not councils in their own right).
# Dorset County (E10000009) is not here: it was a different council, abolished in 2019.
_ALIASES: dict[str, str] = {
    "E10000002": "E06000060",
    "E10000023": "E06000065",
    "E10000027": "E06000066",
    "E08000038": "E08000016",
    "E08000039": "E08000019",
}
# Councils created or abolished by reorganisation: (first day, day abolished); None = open.
_LIFETIMES: dict[str, tuple[dt.date | None, dt.date | None]] = {
    "E06000028": (None, dt.date(2019, 4, 1)),  # Bournemouth
    "E06000029": (None, dt.date(2019, 4, 1)),  # Poole
    "E10000009": (None, dt.date(2019, 4, 1)),  # Dorset County
    "E06000058": (dt.date(2019, 4, 1), None),  # Bournemouth, Christchurch and Poole
    "E06000059": (dt.date(2019, 4, 1), None),  # Dorset
    "E10000021": (None, dt.date(2021, 4, 1)),  # Northamptonshire
    "E06000061": (dt.date(2021, 4, 1), None),  # North Northamptonshire
    "E06000062": (dt.date(2021, 4, 1), None),  # West Northamptonshire
    "E10000006": (None, dt.date(2023, 4, 1)),  # Cumbria
    "E06000063": (dt.date(2023, 4, 1), None),  # Cumberland
    "E06000064": (dt.date(2023, 4, 1), None),  # Westmorland and Furness
}

_SPEND_BASE_YEAR = 2011
_DEMAND_LOOKBACK_YEARS = 3


# ----------------------------------------------------------------------------------------------
# Loaders


def _read_csv(name: str) -> pd.DataFrame:
    source = resources.files("earlywarning") / "data" / "england" / name
    with source.open("rb") as fh:
        return pd.read_csv(
            fh,
            na_values=list(_MISSING_MARKERS),
            keep_default_na=True,
            dtype={c: str for c in (*_PANEL_TEXT, "framework", "inspection_type", "overall")},
        )


@cache
def _panel() -> pd.DataFrame:
    raw = _read_csv(PANEL_FILE)
    out = raw.astype({c: "float64" for c in raw.columns if c not in (*_PANEL_TEXT, "year")})
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["la_code", "year"], ignore_index=True)


@cache
def _judgements() -> pd.DataFrame:
    out = _read_csv(JUDGEMENTS_FILE)
    out["date"] = pd.to_datetime(out["date"], format="%Y-%m-%d")
    published = out["date_kind"].str.extract(r"published (\d{4}-\d{2}-\d{2})", expand=False)
    out["published"] = pd.to_datetime(published, format="%Y-%m-%d").where(
        published.notna(), out["date"].where(out["date_kind"] == "publication")
    )
    out["rating"] = _canonical_ratings(out["overall"])
    return out.sort_values(["la_code", "date"], ignore_index=True)


@cache
def _ilacs() -> pd.DataFrame:
    out = _read_csv(ILACS_FILE)
    for col in ("inspection_start", "prev_date"):
        out[col] = pd.to_datetime(out[col], format="%Y-%m-%d")
    return out


def _canonical_ratings(values: pd.Series) -> pd.Series:
    table = {v: check_value("previous_rating", v) for v in values.dropna().unique()}
    return pd.Series(
        [None if pd.isna(v) else table[v] for v in values], index=values.index, dtype=object
    )


def england_panel() -> pd.DataFrame:
    """The council-by-year panel of DfE, Webb (section 251) and MHCLG statistics, 2010-2025.

    One row per ONS council code and year (2,491 rows). ``la_code`` and ``la_name`` are text,
    ``year`` is an integer and every other column is a float; cells the source suppressed or marked
    (``x``, ``u``, ``c``, ``z``, ``low``) are NaN. A few rows describe two councils that share a
    workforce (codes such as ``"E09000021 / E09000027"``). See the data README for each column.

    Returns:
        A fresh copy, sorted by ``la_code`` and ``year``; changing it does not change later calls.

    Example:
        >>> from earlywarning.datasets import england_panel
        >>> panel = england_panel()
        >>> len(panel), int(panel["year"].min()), int(panel["year"].max())
        (2491, 2010, 2025)
    """
    return _panel().copy()


def ofsted_judgements() -> pd.DataFrame:
    """Every Ofsted judgement of a council's children's services, 2009 to 31 March 2022.

    One row per inspection (461 rows) from three frameworks: SLAC (2009-12), SIF (2013-17) and
    ILACS (2018 on). ``date`` is a datetime: the publication date for SLAC and SIF, the start of
    the inspection for ILACS (``date_kind`` says which). Two columns are added to the file's:
    ``published`` (the publication date, for every framework) and ``rating``, the overall judgement
    spelt as a profile's ``previous_rating``: outstanding, good, requires_improvement, inadequate.

    Returns:
        A fresh copy, sorted by ``la_code`` and ``date``.

    Example:
        >>> from earlywarning.datasets import ofsted_judgements
        >>> j = ofsted_judgements()
        >>> sorted(j["rating"].unique())
        ['good', 'inadequate', 'outstanding', 'requires_improvement']
    """
    return _judgements().copy()


def ilacs_inspections() -> pd.DataFrame:
    """The 136 ILACS inspections to 31 March 2022, with the inputs known before each one.

    ``inspection_start`` and ``prev_date`` are datetimes; ratings keep the file's spelling
    (Outstanding, Good, RI, Inadequate). Workforce inputs are from the census of 30 September of
    the year before the inspection, demand from the year to 31 March before that, spend changes
    since 2011-12 (see the data README).

    Returns:
        A fresh copy, in the file's order (by inspection start).

    Example:
        >>> from earlywarning.datasets import ilacs_inspections
        >>> ilacs = ilacs_inspections()
        >>> len(ilacs), str(ilacs["inspection_start"].min().date())
        (136, '2018-01-29')
    """
    return _ilacs().copy()


# ----------------------------------------------------------------------------------------------
# The builder: profile fields as known at a point in time


@cache
def _inputs() -> pd.DataFrame:
    """Per (council, year) inputs, indexed by (la_code, year), other codes' rows merged in."""
    panel = _panel()
    panel = panel[~panel["la_code"].str.contains("/", regex=False)]
    codes = sorted(set(panel["la_code"]) - set(_ALIASES))
    frames = []
    for code in codes:
        for rank, source in enumerate(_INPUT_SOURCES.get(code, (code,))):
            rows = panel[panel["la_code"] == source].copy()
            rows["la_code"] = code
            rows["_rank"] = rank
            frames.append(rows)
    merged = pd.concat(frames, ignore_index=True).sort_values("_rank", kind="stable")
    # first() takes, column by column, the first non-missing value in rank order
    merged = merged.groupby(["la_code", "year"]).first()
    out = pd.DataFrame(index=merged.index)
    for field, column in _CENSUS_FIELDS.items():
        out[field] = merged[column]
    out["referrals_dfe"] = merged["referrals_rate_10k_calc"]
    out["referrals_webb"] = merged["cjw_referrals_rate_10k"]
    out["cin_rate_per_10k"] = merged["cin_at31_rate_10k_calc"].fillna(merged["cjw_cin_rate_10k"])
    out["cla_rate_per_10k"] = merged["cla_31mar_rate_10k"].fillna(merged["cjw_cla_rate_10k"])
    out["prevent_per_child"] = merged["cjw_s251_prevent_per_child_gbp"]
    return out


@cache
def _council_names() -> dict[str, str]:
    """The latest panel name of each council code (aliases resolved, joint rows left out)."""
    panel = _panel().sort_values("year", kind="stable")
    panel = panel[~panel["la_code"].str.contains("/", regex=False)]
    names: dict[str, str] = {}
    for code, name in zip(panel["la_code"], panel["la_name"], strict=True):
        names[_ALIASES.get(code, code)] = name
    return names


def _pct_change(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (new / old - 1.0) * 100.0
    return np.where(np.isfinite(change), change, np.nan)


def _lookup(inputs: pd.DataFrame, column: str, codes: np.ndarray, years: np.ndarray) -> np.ndarray:
    index = pd.MultiIndex.from_arrays([codes, years])
    return inputs[column].reindex(index).to_numpy(dtype=float, na_value=np.nan)


def _latest_spend(
    inputs: pd.DataFrame, codes: np.ndarray, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Preventative spend per child, and its year, in the latest year with data up to ``years``."""
    spend = inputs["prevent_per_child"].dropna().reset_index()
    spend = spend.rename(columns={"year": "_data_year"}).sort_values("_data_year")
    keys = pd.DataFrame({"la_code": codes, "_year": years, "_row": np.arange(len(codes))})
    # merge_asof needs one key type on both sides (pandas 2 reads text as object, 3 as str)
    keys["la_code"] = keys["la_code"].astype(spend["la_code"].dtype)
    found = pd.merge_asof(
        keys.sort_values("_year"),
        spend,
        left_on="_year",
        right_on="_data_year",
        by="la_code",
        direction="backward",
    ).sort_values("_row")
    # a change from the base year to itself is no change measured: leave it missing
    spend_year = found["_data_year"].to_numpy(dtype=float, na_value=np.nan)
    later = spend_year > _SPEND_BASE_YEAR
    latest = found["prevent_per_child"].to_numpy(dtype=float, na_value=np.nan)
    return np.where(later, latest, np.nan), np.where(later, spend_year, np.nan)


def _previous(codes: np.ndarray, points: pd.Series) -> pd.DataFrame:
    """The last judgement of each council dated strictly before each point in time."""
    judgements = _judgements()[["la_code", "date", "rating"]].rename(
        columns={"date": "previous_rating_date", "rating": "previous_rating"}
    )
    judgements = judgements.sort_values("previous_rating_date")
    keys = pd.DataFrame({"la_code": codes, "_at": points.to_numpy(), "_row": np.arange(len(codes))})
    # merge_asof needs one key type on both sides (pandas 2 reads text as object, 3 as str)
    keys["la_code"] = keys["la_code"].astype(judgements["la_code"].dtype)
    keys["_at"] = keys["_at"].astype(judgements["previous_rating_date"].dtype)
    found = pd.merge_asof(
        keys.sort_values("_at"),
        judgements,
        left_on="_at",
        right_on="previous_rating_date",
        by="la_code",
        direction="backward",
        allow_exact_matches=False,
    ).sort_values("_row")
    return found.reset_index(drop=True)


def profiles_at(
    la_codes: Sequence[str],
    dates: Sequence[dt.date] | pd.Series,
    *,
    provenance: bool = False,
) -> pd.DataFrame:
    """Profile fields for each council as known at each point in time.

    The builder behind :func:`england_profiles` and :func:`inspection_profiles`; the conventions
    are in the module docstring. ``la_codes`` and ``dates`` are paired element by element. A code
    the panel lists under another code (for example North Yorkshire's former county code
    ``E10000023``) is read as the council's current code.

    Args:
        la_codes: ONS codes of the councils.
        dates: the points in time, one per code (dates, datetimes or a datetime Series).
        provenance: also return ``previous_rating_date`` (the date of the judgement used),
            ``census_year`` (census of 30 September of that year), ``demand_year`` (year to 31
            March) and ``spend_year`` (the end of the spend change; NaN when there is none).

    Returns:
        One row per pair, in order, with the columns of :data:`PROFILE_COLUMNS` (``year`` is the
        year of the point in time) and, with ``provenance``, the four columns above.

    Raises:
        EarlyWarningError: when the two sequences differ in length or a code is not in the panel.

    Example:
        >>> import datetime as dt
        >>> from earlywarning.datasets import profiles_at
        >>> # Derbyshire's ILACS inspection started on 8 July 2019 and was judged RI
        >>> p = profiles_at(["E10000007"] * 2, [dt.date(2019, 7, 8), dt.date(2019, 7, 9)])
        >>> p["previous_rating"].tolist()
        ['good', 'requires_improvement']
    """
    codes = np.array([_ALIASES.get(str(c), str(c)) for c in la_codes], dtype=object)
    points = pd.to_datetime(pd.Series(list(dates), dtype=object)).astype("datetime64[ns]")
    if len(points) != len(codes):
        raise EarlyWarningError(
            f"profiles_at: {len(codes)} council codes but {len(points)} dates; pair them one to one"
        )
    names = _council_names()
    unknown = sorted({c for c in codes if c not in names})
    if unknown:
        raise EarlyWarningError(f"profiles_at: council code(s) not in the panel: {unknown}")
    if points.isna().any():
        raise EarlyWarningError("profiles_at: a date is missing")

    inputs = _inputs()
    data_years = points.dt.year.to_numpy(dtype=int) - 1
    out = pd.DataFrame(
        {
            "council": pd.Series([names[c] for c in codes], dtype=object),
            "year": points.dt.year.to_numpy(dtype="int64"),
            "la_code": pd.Series(codes, dtype=object),
        }
    )
    previous = _previous(codes, points)
    out["previous_rating"] = (
        previous["previous_rating"].astype(object).where(previous["previous_rating"].notna(), None)
    )
    for field in _CENSUS_FIELDS:
        out[field] = _lookup(inputs, field, codes, data_years)

    changes = []
    for source in ("referrals_dfe", "referrals_webb"):
        now = _lookup(inputs, source, codes, data_years)
        then = _lookup(inputs, source, codes, data_years - _DEMAND_LOOKBACK_YEARS)
        changes.append(_pct_change(now, then))
    out["demand_change_pct"] = np.where(np.isnan(changes[0]), changes[1], changes[0])
    out["cla_rate_per_10k"] = _lookup(inputs, "cla_rate_per_10k", codes, data_years)
    out["cin_rate_per_10k"] = _lookup(inputs, "cin_rate_per_10k", codes, data_years)
    base = _lookup(inputs, "prevent_per_child", codes, np.full(len(codes), _SPEND_BASE_YEAR))
    latest, spend_years = _latest_spend(inputs, codes, data_years)
    out["early_help_spend_change_pct"] = _pct_change(latest, base)

    if provenance:
        out["previous_rating_date"] = previous["previous_rating_date"].to_numpy()
        out["census_year"] = data_years
        out["demand_year"] = data_years
        out["spend_year"] = spend_years
    return out


# ----------------------------------------------------------------------------------------------
# Profiles by year and by inspection


def _exists(code: str, day: dt.date) -> bool:
    start, end = _LIFETIMES.get(code, (None, None))
    return (start is None or start <= day) and (end is None or day < end)


def _resolve_councils(councils: Iterable[str]) -> set[str]:
    """ONS codes for council names (panel or Ofsted spelling, any case) and codes."""
    lookup: dict[str, set[str]] = {}

    def add(key: str, code: str) -> None:
        code = _ALIASES.get(code, code)
        lookup.setdefault(key.strip().casefold(), set()).add(code)

    for code, name in _council_names().items():
        add(code, code)
        add(name, code)
    for frame in (_judgements(), _ilacs()):
        for code, name in zip(frame["la_code"], frame["la_name"], strict=True):
            add(name, code)
    for alias, code in _ALIASES.items():
        add(alias, code)
    wanted: set[str] = set()
    unknown = []
    for council in councils:
        found = lookup.get(str(council).strip().casefold())
        if found is None:
            unknown.append(council)
        else:
            wanted |= found
    if unknown:
        raise EarlyWarningError(f"england_profiles: council(s) not in the panel: {unknown}")
    return wanted


def _check_years(year: int | Sequence[int]) -> list[int]:
    """The distinct years asked for, sorted, each checked against the panel's range."""
    years: list[object] = [year] if isinstance(year, int | np.integer | str) else list(year)
    panel_years = _panel()["year"]
    first, last = int(panel_years.min()) + 1, int(panel_years.max()) + 1
    good: set[int] = set()
    bad: list[object] = []
    for y in years:
        if isinstance(y, int | np.integer) and not isinstance(y, bool) and first <= y <= last:
            good.add(int(y))
        else:
            bad.append(y)
    if bad:
        raise EarlyWarningError(
            f"england_profiles: year(s) {bad} not in the bundled data "
            f"(whole years {first} to {last})"
        )
    return sorted(good)


def england_profiles(
    year: int | Sequence[int], councils: Sequence[str] | None = None
) -> pd.DataFrame:
    """Profiles of every English council as known on 1 January of each year.

    For ``year`` Y the profile uses the workforce census of 30 September Y-1, demand in the year
    to 31 March Y-1, spend to Y-1 and the last Ofsted judgement before 1 January Y (details in the
    module docstring). Councils are those in existence on that day: councils abolished by
    reorganisation drop out and their successors appear. Missing figures stay NaN (None for
    ``previous_rating``); the frame can go straight to ``score_frame``.

    Args:
        year: one year or several. The panel supports 2011 to 2026.
        councils: keep only these councils, by name (the panel's or Ofsted's spelling, any case)
            or ONS code. Unknown names raise, so a typo cannot silently return nothing.

    Returns:
        One row per council and year, sorted by year and ``la_code``, with the columns of
        :data:`PROFILE_COLUMNS` (each a :class:`~earlywarning.CouncilProfile` field).

    Raises:
        EarlyWarningError: for a year outside the panel or a council not in it.

    Example:
        >>> from earlywarning.datasets import england_profiles
        >>> df = england_profiles(2020, councils=["Derbyshire"])
        >>> row = df.iloc[0]
        >>> row["council"], row["previous_rating"], float(row["avg_caseload"])
        ('Derbyshire', 'requires_improvement', 19.6)
    """
    years = _check_years(year)
    wanted = None
    if councils is not None:
        wanted = _resolve_councils([councils] if isinstance(councils, str) else councils)
    known = sorted(_council_names())
    codes: list[str] = []
    points: list[dt.date] = []
    for y in years:
        day = dt.date(y, 1, 1)
        for code in known:
            if _exists(code, day) and (wanted is None or code in wanted):
                codes.append(code)
                points.append(day)
    out = profiles_at(codes, points)
    return out.loc[:, list(PROFILE_COLUMNS)].reset_index(drop=True)


def inspection_profiles() -> pd.DataFrame:
    """The profile of each council as at the start of each of its 136 ILACS inspections.

    Built by :func:`profiles_at` with the inspection start as the point in time, so the census is
    that of 30 September of the year before the inspection and ``previous_rating`` is the last
    judgement before the inspection (never the inspection itself). Use it to check a ruleset
    against outcomes it has not seen.

    Returns:
        One row per inspection in the ILACS file's order: the columns of :data:`PROFILE_COLUMNS`,
        then ``inspection_start`` (datetime), ``new_rating`` and ``prev_rating`` (canonical
        spelling; ``prev_rating`` None for a new council with no earlier inspection),
        ``below_good`` and ``inadequate`` (bool, of the new rating) and ``declined`` (bool, None
        when there is no earlier rating). ``new_rating`` and ``prev_rating`` are the ILACS file's
        own record; ``prev_rating`` is kept apart from the builder's ``previous_rating`` (which
        agrees with it) so that each can be checked against the other.

    Example:
        >>> from earlywarning.datasets import inspection_profiles
        >>> ip = inspection_profiles()
        >>> len(ip), int(ip["inadequate"].sum())
        (136, 19)
    """
    ilacs = _ilacs()
    out = profiles_at(list(ilacs["la_code"]), ilacs["inspection_start"])
    out = out.loc[:, list(PROFILE_COLUMNS)]
    out["inspection_start"] = ilacs["inspection_start"].to_numpy()
    new = _canonical_ratings(ilacs["new_overall"])
    out["new_rating"] = new.to_numpy()
    # object dtype keeps None for "no earlier inspection" (a str column would turn it into NaN)
    out["prev_rating"] = pd.Series(
        _canonical_ratings(ilacs["prev_overall"]).to_numpy(), index=out.index, dtype=object
    )
    grade = {r: i for i, r in enumerate(RATINGS)}
    new_grade = np.array([grade[r] for r in new])
    out["below_good"] = new_grade >= grade["requires_improvement"]
    out["inadequate"] = new_grade == grade["inadequate"]
    out["declined"] = pd.Series(
        [
            None if p is None else bool(n > grade[p])
            for n, p in zip(new_grade, out["prev_rating"], strict=True)
        ],
        dtype=object,
    )
    return out
