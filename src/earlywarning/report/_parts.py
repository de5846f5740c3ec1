"""The parts of a council report, each computed on its own: used by :mod:`earlywarning.report`.

Each function here builds one section's figures (sources and dates, the rules that fired, the
trajectory, the score range and what to collect first, the smallest change, the comparison with
neighbours) and says in a sentence why a section is empty when it is. Nothing is drawn here.
The names are public within the package's private report machinery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from earlywarning.change import SmallestChange, smallest_change
from earlywarning.compare import compare
from earlywarning.datasets import (
    england_profiles,
    field_source,
    field_sources,
    local_note,
)
from earlywarning.datasets.freshness import age_years, outcomes_note
from earlywarning.datasets.neighbours import NeighboursLike, grouping
from earlywarning.datasets.user_judgements import JudgementsLike, as_judgements
from earlywarning.engine import score_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.explain import Assessment
from earlywarning.local import LEADERSHIP_AND_BUDGET, LocalFacts
from earlywarning.profile import FIELD_NAMES
from earlywarning.ranges import missing_impact
from earlywarning.rules import Ruleset
from earlywarning.trajectories import rising_risk

__all__ = [
    "TRAJECTORY_YEARS",
    "RuleRow",
    "SourceRow",
    "collect_first",
    "comparison",
    "date_text",
    "given_marks",
    "local_advice",
    "lower_band",
    "national_profile",
    "rule_rows",
    "trajectory",
]

TRAJECTORY_YEARS = 6
"""How many years of national scores a report shows, ending with its own year: enough to see
a slide build up, few enough to read at a glance."""

# The bundled statistics behind each profile field, in the order a reader meets them.
_CENSUS = (
    "avg_caseload",
    "agency_rate_pct",
    "turnover_rate_pct",
    "vacancy_rate_pct",
    "absence_rate_pct",
)
_CENSUS_TREND = ("vacancy_rate_change_2y_pp", "agency_rate_change_2y_pp")
_CENSUS_PEERS = ("vacancy_rate_vs_neighbours_pp", "agency_rate_vs_neighbours_pp")
_DEMAND = ("demand_change_pct", "cla_rate_per_10k", "cin_rate_per_10k")
_DEMAND_TREND = ("cla_rate_change_2y_per_10k",)
_IDENTITY = ("council", "year", "la_code")


@dataclass(frozen=True)
class RuleRow:
    """One rule that fired for the profile: what it saw, its points, and why it exists.

    Example:
        >>> import earlywarning as ew
        >>> r = ew.report(profile={"council": "Example", "year": 2020, "dcs_changes": 3})
        >>> row = r.rules[0]
        >>> row.id, row.points > 0, row.red_flag, bool(row.rationale and row.evidence)
        ('dcs_turnover', True, 'high', True)
    """

    id: str
    label: str
    kind: str
    reason: str
    points: float
    red_flag: str | None
    rationale: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class SourceRow:
    """One source of the profile's figures, the date they describe, and the fields taken from it.

    Example:
        >>> import earlywarning as ew
        >>> r = ew.report("Derbyshire", 2016)
        >>> [(s.source, s.as_at) for s in r.sources][:1]
        [('Ofsted judgement of children’s services', '11 February 2014, 1.9 years before')]
    """

    source: str
    as_at: str
    fields: tuple[str, ...]


def date_text(day: dt.date) -> str:
    """A date as a reader writes it.

    Example:
        >>> date_text(dt.date(2022, 3, 31))
        '31 March 2022'
    """
    return f"{day.day} {day:%B %Y}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def national_profile(
    council: str,
    year: int,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalFacts | None = None,
) -> tuple[dict[str, Any], tuple[SourceRow, ...], dict[str, str]]:
    """The England profile of one council on 1 January of ``year``, its sources and where each
    figure came from.

    ``judgements`` are the user's own Ofsted judgements beyond the data's, as for
    :func:`earlywarning.datasets.england_profiles`; ``local`` the councils' own facts, which
    replace national figures for the same fields.

    Returns:
        The fields with a value, the sources and their dates, and each profile field's mark
        (``national``, ``local`` or ``missing``, from
        :func:`~earlywarning.datasets.field_sources`).

    Raises:
        EarlyWarningError: for an unknown council or year, or a name of two councils.

    Example:
        >>> profile, sources, marks = national_profile("Derbyshire", 2020)
        >>> profile["la_code"], sources[1].as_at, marks["agency_rate_pct"], marks["dcs_changes"]
        ('E10000007', '30 September 2019', 'national', 'missing')
    """
    user = as_judgements(judgements)
    rows = england_profiles(
        year, [council], judgements=user, neighbours=neighbours, provenance=True, local=local
    )
    if len(rows) != 1:
        found = ", ".join(f"{r.council} ({r.la_code})" for r in rows.itertuples())
        raise EarlyWarningError(
            f"report: {council!r} names {len(rows)} councils in {year} ({found or 'none'}); "
            "give one ONS code"
        )
    day = dt.date(year, 1, 1)
    known = rows.iloc[0]
    profile = {
        str(k): v
        for k, v in rows.iloc[0].to_dict().items()
        if str(k) in FIELD_NAMES and not _missing(v)
    }
    marks = {str(k): str(v) for k, v in field_sources(rows).iloc[0].items()}
    sources = _national_sources(profile, known, user, grouping(neighbours).model, marks)
    if local is not None:
        mine = tuple(f for f in FIELD_NAMES if marks.get(f) == "local")
        said = local_note(local).removesuffix(".")
        overrides = rows.attrs.get("local_overrides")
        if overrides is not None and len(overrides):
            said += "; replacing the national " + ", ".join(overrides["field"])
        sources += (SourceRow(said, f"dated on or before {date_text(day)}", mine),)
    return profile, tuple(s for s in sources if s.fields), marks


def given_marks(profile: Mapping[str, Any]) -> dict[str, str]:
    """Each field of a profile given whole: ``given`` where it has a value, else ``missing``.

    Example:
        >>> given_marks({"council": "A", "year": 2020, "dcs_changes": 2})["dcs_changes"]
        'given'
    """
    wanted = [f for f in FIELD_NAMES if f not in _IDENTITY]
    return {f: "missing" if field_source(profile, f) == "missing" else "given" for f in wanted}


def local_advice(
    marks: Mapping[str, str], rules: Ruleset, council: str, year: int, *, given: bool = False
) -> str:
    """The first screen's plain word on the leadership and budget indicators that have no
    figure, and how to add them (to the profile, for a profile ``given`` whole); ``""`` when
    every one has a figure.

    Example:
        >>> import earlywarning as ew
        >>> _, _, marks = national_profile("Derbyshire", 2020)
        >>> print(local_advice(marks, ew.load_ruleset(), "Derbyshire", 2020))  # doctest: +ELLIPSIS
        The leadership and budget indicators have no figures here: ... National statistics ...
    """
    labels = {ind.measure: ind.label for ind in reversed(rules.indicators)}
    missing = [labels.get(m, m) for m in LEADERSHIP_AND_BUDGET if marks.get(m) == "missing"]
    if not missing:
        return ""
    which = "Some" if len(missing) < len(LEADERSHIP_AND_BUDGET) else "The"
    names = "; ".join(m[0].lower() + m[1:] for m in missing)
    said = (
        f"{which} leadership and budget indicators have no figures here: {names}. National "
        "statistics do not hold them, so the score leaves out these headline warning signs."
    )
    if given:
        return f"{said} Add them to the profile from the council's own records."
    return (
        f"{said} Add them from the council's own records: `earlywarning local template "
        f"{council} --year {year}` writes a facts file to fill in, and `--local FILE` (or "
        "`local=`) reads it."
    )


def _national_sources(
    profile: Mapping[str, Any],
    known: pd.Series,
    user: pd.DataFrame | None,
    model: str,
    marks: Mapping[str, str],
) -> tuple[SourceRow, ...]:
    """Which statistics each field of a national profile came from, and their dates."""
    rows: list[tuple[str, str, Sequence[str]]] = []
    if "previous_rating" in profile:
        judged = pd.Timestamp(known["previous_rating_date"]).date()
        age = age_years(judged, known["profile_date"])
        when = f"{date_text(judged)}, {age:.1f} years before"
        ofsted = "Ofsted judgement of children’s services"
        if user is not None:
            mine = user.attrs.get("source") or "the judgements given"
            ofsted += f" (the data’s judgements and {mine})"
        if known.get("previous_rating_basis") == "sub-judgements":
            ofsted += ", read from its sub-judgements (no overall grade)"
        rows.append((ofsted, when, ("previous_rating",)))
    census, demand = int(known["census_year"]), int(known["demand_year"])
    workforce = "DfE children’s social work workforce census"
    looked_after = "DfE children in need and looked-after children"
    rows += [
        (workforce, f"30 September {census}", _CENSUS),
        (f"{workforce}, two censuses", f"30 September {census - 2} and {census}", _CENSUS_TREND),
        (
            f"{workforce}, against the DfE statistical neighbours ({model} model)",
            f"30 September {census}",
            _CENSUS_PEERS,
        ),
        (looked_after, f"year to 31 March {demand}", _DEMAND),
        (
            "DfE looked-after children, two years apart",
            f"31 March {demand - 2} and {demand}",
            _DEMAND_TREND,
        ),
        ("ONS local authority codes and regions", "as bundled", ("region",)),
    ]
    if known["spend_year"] == known["spend_year"]:  # not NaN: there is a spend series
        end = int(known["spend_year"])
        spend = f"2011-12 to {end}-{(end + 1) % 100:02d}"
        rows.append(
            (
                "Section 251 outturn, real terms (Webb compilation)",
                spend,
                ("early_help_spend_change_pct",),
            )
        )
    national = [f for f in profile if marks.get(f, "national") == "national"]
    out = [SourceRow(s, at, tuple(f for f in fields if f in national)) for s, at, fields in rows]
    listed = {f for row in out for f in row.fields} | set(_IDENTITY)
    rest = tuple(f for f in national if f not in listed)
    if rest:
        out.append(SourceRow("Derived from the bundled statistics above", "as above", rest))
    return tuple(row for row in out if row.fields)


def rule_rows(assessment: Assessment, rules: Ruleset) -> tuple[RuleRow, ...]:
    """Every contribution that moved the score or raised a red flag, with its rule's reasons.

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "A", "year": 2020, "dcs_changes": 3})
        >>> [r.id for r in rule_rows(a, ew.load_ruleset())]
        ['dcs_turnover']
    """
    by_id: dict[str, Any] = {ind.id: ind for ind in rules.indicators}
    by_id |= {combo.id: combo for combo in rules.combinations}
    fired = [c for c in assessment.contributions if c.points or c.red_flag]
    fired.sort(key=lambda c: -abs(c.points))
    return tuple(
        RuleRow(
            id=c.indicator,
            label=assessment.labels.get(c.indicator, c.indicator),
            kind=c.kind,
            reason=c.reason,
            points=c.points,
            red_flag=c.red_flag,
            rationale=" ".join(by_id[c.indicator].rationale.split()),
            evidence=tuple(" ".join(e.split()) for e in by_id[c.indicator].evidence),
        )
        for c in fired
    )


def trajectory(
    council: str,
    year: int,
    rules: Ruleset,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalFacts | None = None,
) -> tuple[pd.DataFrame | None, str]:
    """The council's national scores for the years up to ``year``, or why there are none.

    Each year is scored as :func:`earlywarning.england_scores` scores it, with ``rising`` from
    :func:`~earlywarning.trajectories.rising_risk`, and the previous ratings from ``judgements``
    where they are given.

    Example:
        >>> import earlywarning as ew
        >>> table, note = trajectory("Derby", 2020, ew.load_ruleset())
        >>> list(table["year"]), note.startswith("Scores from the bundled")
        ([2015, 2016, 2017, 2018, 2019, 2020], True)
    """
    first = max(2011, year - TRAJECTORY_YEARS + 1)
    try:
        profiles = england_profiles(
            range(first, year + 1),
            [council],
            judgements=judgements,
            neighbours=neighbours,
            local=local,
        )
    except EarlyWarningError as exc:
        return None, f"No national scores to draw: {exc}."
    if profiles.empty:
        return None, f"No national scores for {council} from {first} to {year}."
    scored = score_frame(profiles, rules)
    table = pd.concat(
        [profiles[["la_code", "year"]], scored[["score", "band", "coverage"]]], axis=1
    )
    table["rising"] = rising_risk(table, by="la_code")
    table = table.drop(columns="la_code").reset_index(drop=True)
    note = (
        "Scores from the bundled national statistics as known on 1 January of each year, so "
        "every point was knowable at the time; budgets, management posts and directors are not "
        "in the national data, so these scores cover less of the ruleset than a full profile."
    )
    if local is not None:
        note += (
            f" {local_note(local).removesuffix('.')}, each year's as known on its 1 January, "
            "are read in place of the national figures for the same fields."
        )
    late = outcomes_note(dt.date(year, 1, 1), as_judgements(judgements))
    if late:
        note += f" {late}"
    return table, note


def collect_first(
    assessment: Assessment, profile: Mapping[str, Any], rules: Ruleset
) -> pd.DataFrame | None:
    """The missing items, ranked by how far each alone could move the band; None if none.

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "A", "year": 2020, "agency_rate_pct": 12})
        >>> table = collect_first(a, {"council": "A", "year": 2020, "agency_rate_pct": 12},
        ...                       ew.load_ruleset())
        >>> {"label", "score_min", "score_max", "band_min", "band_max"} <= set(table.columns)
        True
    """
    if not assessment.missing:
        return None
    return missing_impact(dict(profile), rules)


_LOWEST_BAND_NOTE = "It is already in the lowest band, so there is no lower band to reach."


def lower_band(
    profile: Mapping[str, Any], assessment: Assessment, rules: Ruleset
) -> SmallestChange | None:
    """The smallest change on what the council controls that lowers the band by one, or None.

    Example:
        >>> import earlywarning as ew
        >>> p = {"council": "A", "year": 2020, "agency_rate_pct": 30, "vacancy_rate_pct": 25,
        ...      "avg_caseload": 19}
        >>> found = lower_band(p, ew.score(p), ew.load_ruleset())
        >>> found.target_band, found.after.band
        ('moderate', 'moderate')
    """
    if assessment.band == rules.bands[0].name:
        return None
    return smallest_change(dict(profile), ruleset=rules)


def comparison(
    council: str,
    year: int,
    rules: Ruleset,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalFacts | None = None,
) -> tuple[pd.DataFrame | None, str]:
    """The council beside its statistical neighbours, its region and England, or why not.

    Example:
        >>> import earlywarning as ew
        >>> table, note = comparison("Derbyshire", 2020, ew.load_ruleset())
        >>> len(table.attrs["neighbours"]), table.index[-1]
        (10, 'score')
    """
    try:
        table = compare(
            council, year, rules, judgements=judgements, neighbours=neighbours, local=local
        )
    except EarlyWarningError as exc:
        return None, f"No comparison with neighbours: {exc}."
    ratings = str(table.attrs["judgements"]).rstrip(".")
    note = (
        f"Figures from the bundled national statistics for {table.attrs['council']} as known on "
        f"1 January {year}; medians over the councils with a figure. {ratings}."
    )
    if table.attrs.get("local_note"):
        note += f" {table.attrs['local_note']}"
    return table, note
