"""Reports for directors: one self-contained HTML page per council, and an index for a batch.

:func:`report` gathers what a director's page shows into a :class:`CouncilReport`: the
assessment, every rule that fired with its rationale and evidence, the score range the missing
data allow and what to collect first, the smallest change that would lower the band, the
comparison with statistical neighbours, region and England, the trajectory over the years, the
data sources and their dates, and the ruleset's identity. It computes; it does not draw.
:meth:`CouncilReport.to_html` renders it through the templates in ``earlywarning/templates``
(jinja2, from the ``report`` extra), with the charts drawn by matplotlib and inlined, so the page
needs nothing else: no network, no fonts, no JavaScript.

:func:`watchlist_report` does the same for many councils at once (for example one region's
watch list) and :meth:`WatchlistReport.write` writes one page per council and an index page.

Install the extra with ``pip install "earlywarning[report]"``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from earlywarning.datasets import OUTCOMES_CUTOFF, england_profiles, profiles_at
from earlywarning.engine import score
from earlywarning.errors import EarlyWarningError
from earlywarning.explain import Assessment
from earlywarning.profile import FIELDS, CouncilProfile
from earlywarning.rules import Band, Ruleset, load_ruleset
from earlywarning.validate import england_scores

__all__ = [
    "CouncilReport",
    "RuleRow",
    "SourceRow",
    "WatchlistReport",
    "page_name",
    "report",
    "watchlist_report",
]

# How many years of national scores the trajectory shows, ending with the report's year: enough
# to see a slide build up, few enough to read at a glance.
TRAJECTORY_YEARS = 6

_DESCRIPTIONS = {f.name: f.description for f in FIELDS}
_CENSUS = (
    "avg_caseload",
    "agency_rate_pct",
    "turnover_rate_pct",
    "vacancy_rate_pct",
    "absence_rate_pct",
)
_DEMAND = ("demand_change_pct", "cla_rate_per_10k", "cin_rate_per_10k")


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
        [('Ofsted judgement of children’s services', '11 February 2014')]
    """

    source: str
    as_at: str
    fields: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class CouncilReport:
    """What one council's page shows, computed and kept apart from how it is drawn.

    Build one with :func:`report`; render it with :meth:`to_html` or :meth:`write`.

    Attributes:
        assessment: the score, band, coverage, contributions and explanation.
        origin: one sentence saying where the profile came from.
        la_code: the council's ONS code, when known.
        profile: the profile's fields that had a value, in field-table order.
        rules: every rule that fired (points or a red flag), largest first.
        bands: the ruleset's bands with their meanings.
        sources: the sources of the figures and the dates they describe.
        trajectory: the council's national score by year (``year``, ``score``, ``band``,
            ``coverage``, ``rising``), or ``None`` with ``trajectory_note`` saying why.
        trajectory_note: what the trajectory rests on, or why there is none.

    Example:
        >>> import earlywarning as ew
        >>> r = ew.report("Derbyshire", 2016)
        >>> r.assessment.band, r.la_code, list(r.trajectory["year"])
        ('low', 'E10000007', [2011, 2012, 2013, 2014, 2015, 2016])
    """

    assessment: Assessment
    origin: str
    la_code: str | None
    profile: dict[str, Any]
    rules: tuple[RuleRow, ...]
    bands: tuple[Band, ...]
    sources: tuple[SourceRow, ...]
    trajectory: pd.DataFrame | None
    trajectory_note: str

    @property
    def title(self) -> str:
        """The page's title: council and year.

        Example:
            >>> import earlywarning as ew
            >>> ew.report(profile={"council": "Example", "year": 2020}).title
            'Example, 2020: early-warning report'
        """
        return f"{self.assessment.council}, {self.assessment.year}: early-warning report"

    def to_html(self) -> str:
        """The whole page as one self-contained HTML document.

        Raises:
            ReportDependencyError: if jinja2 or matplotlib is not installed.

        Example:
            >>> import earlywarning as ew
            >>> html = ew.report(profile={"council": "Example", "year": 2020}).to_html()
            >>> html.startswith("<!DOCTYPE html>"), "<h1>Example, 2020" in html
            (True, True)
        """
        from earlywarning._report_html import render_council

        return render_council(self)

    def write(self, path: str | Path) -> Path:
        """Write the page to ``path`` (replacing it whole, never leaving half a file).

        Example:
            >>> import tempfile, earlywarning as ew
            >>> with tempfile.TemporaryDirectory() as folder:
            ...     out = ew.report(profile={"council": "Example", "year": 2020}).write(
            ...         Path(folder) / "example.html")
            ...     out.read_text(encoding="utf-8").count("<h1>")
            1
        """
        return _write_text(Path(path), self.to_html())


def _write_text(path: Path, text: str) -> Path:
    """Write through a temporary file renamed at the end, so a failure leaves no partial page."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _national_profile(council: str, year: int) -> tuple[dict[str, Any], tuple[SourceRow, ...]]:
    """The England profile of one council on 1 January of ``year``, and its sources."""
    rows = england_profiles(year, [council])
    if len(rows) != 1:
        found = ", ".join(f"{r.council} ({r.la_code})" for r in rows.itertuples())
        raise EarlyWarningError(
            f"report: {council!r} names {len(rows)} councils in {year} ({found or 'none'}); "
            "give one ONS code"
        )
    day = dt.date(year, 1, 1)
    known = profiles_at([rows["la_code"].iloc[0]], [day], provenance=True).iloc[0]
    profile = {str(k): v for k, v in rows.iloc[0].to_dict().items() if not _missing(v)}
    return profile, _national_sources(profile, known)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _date_text(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _national_sources(profile: Mapping[str, Any], known: pd.Series) -> tuple[SourceRow, ...]:
    """Which bundled statistics each field of a national profile came from, and their dates."""

    def have(names: Sequence[str]) -> tuple[str, ...]:
        return tuple(n for n in names if n in profile)

    out: list[SourceRow] = []
    if "previous_rating" in profile:
        when = pd.Timestamp(known["previous_rating_date"]).date()
        out.append(
            SourceRow(
                "Ofsted judgement of children’s services", _date_text(when), ("previous_rating",)
            )
        )
    census = have(_CENSUS)
    if census:
        out.append(
            SourceRow(
                "DfE children’s social work workforce census",
                f"30 September {int(known['census_year'])}",
                census,
            )
        )
    demand = have(_DEMAND)
    if demand:
        end = int(known["demand_year"])
        out.append(
            SourceRow(
                "DfE children in need and looked-after children", f"year to 31 March {end}", demand
            )
        )
    if "early_help_spend_change_pct" in profile and known["spend_year"] == known["spend_year"]:
        end = int(known["spend_year"])
        out.append(
            SourceRow(
                "Section 251 outturn, real terms (Webb compilation)",
                f"2011-12 to {end}-{(end + 1) % 100:02d}",
                ("early_help_spend_change_pct",),
            )
        )
    return tuple(out)


def _rule_rows(assessment: Assessment, rules: Ruleset) -> tuple[RuleRow, ...]:
    """Every contribution that moved the score or raised a red flag, with its rule's reasons."""
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


def _trajectory(council: str, year: int, rules: Ruleset) -> tuple[pd.DataFrame | None, str]:
    """The council's national scores for the years up to the report's, or why there are none."""
    first = max(2011, year - TRAJECTORY_YEARS + 1)
    try:
        scores = england_scores(range(first, year + 1), rules, councils=[council])
    except EarlyWarningError as exc:
        return None, f"No national scores to draw: {exc}."
    if scores.empty:
        return None, f"No national scores for {council} from {first} to {year}."
    table = scores[["year", "score", "band", "coverage", "rising"]].reset_index(drop=True)
    note = (
        "Scores from the bundled national statistics as known on 1 January of each year, so "
        "every point was knowable at the time; budgets, management posts and directors are not "
        "in the national data, so these scores cover less of the ruleset than a full profile."
    )
    if year > OUTCOMES_CUTOFF.year:
        note += (
            f" Ofsted judgements after {_date_text(OUTCOMES_CUTOFF)} are withheld from the "
            "bundled data, so later previous ratings may be stale."
        )
    return table, note


def report(
    council: str | None = None,
    year: int | None = None,
    *,
    profile: CouncilProfile | Mapping[str, Any] | None = None,
    ruleset: Ruleset | None = None,
    origin: str | None = None,
) -> CouncilReport:
    """Gather a council's page: from the national data for a year, or from a given profile.

    Give either ``council`` and ``year`` (the council's England profile as known on 1 January
    of that year, from the bundled statistics) or ``profile`` (the user's own; its council and
    year are the report's). Scoring, ranges, the smallest change and the comparison all use
    ``ruleset``.

    Args:
        council: a council's name (any case) or ONS code.
        year: the year of the national profile (2011 to 2026).
        profile: a profile to report on instead of the national one.
        ruleset: the ruleset; ``None`` is the bundled default.
        origin: the sentence saying where a given profile came from (for example its file).

    Returns:
        The figures of the page; render them with :meth:`CouncilReport.to_html`.

    Raises:
        EarlyWarningError: for an unknown council or year, or both a council and a profile.
        ProfileError: for a profile value that cannot be scored.

    Example:
        >>> import earlywarning as ew
        >>> r = ew.report("Derbyshire", 2016)
        >>> r.assessment.council, r.la_code, "demand_change" in [row.id for row in r.rules]
        ('Derbyshire', 'E10000007', True)
    """
    rules = ruleset if ruleset is not None else load_ruleset()
    if profile is not None:
        if council is not None or year is not None:
            raise EarlyWarningError("report: give a council and a year, or a profile, not both")
        checked = profile if isinstance(profile, CouncilProfile) else CouncilProfile(**profile)
        fields = checked.model_dump(exclude_none=True)
        sources: tuple[SourceRow, ...] = (
            SourceRow("The profile given", "as stated in it", tuple(fields)),
        )
        said = origin or "From the profile given; no figure was added to it."
    elif council is None or year is None:
        raise EarlyWarningError("report: give a council and a year, or a profile")
    else:
        fields, sources = _national_profile(council, year)
        said = origin or (
            f"From the bundled national statistics as known on 1 January {year}: the latest "
            "published figures before that day, nothing later."
        )
    assessment = score(fields, rules)
    trajectory, note = _trajectory(
        str(fields.get("la_code") or assessment.council), assessment.year, rules
    )
    return CouncilReport(
        assessment=assessment,
        origin=said,
        la_code=fields.get("la_code"),
        profile={name: fields[name] for name in _DESCRIPTIONS if name in fields},
        rules=_rule_rows(assessment, rules),
        bands=rules.bands,
        sources=sources,
        trajectory=trajectory,
        trajectory_note=note,
    )


def page_name(council: str) -> str:
    """The file name of a council's page in a batch: its name in lower case, words joined by -.

    Example:
        >>> page_name("Bath and North East Somerset")
        'bath-and-north-east-somerset.html'
        >>> page_name("St. Helens")
        'st-helens.html'
    """
    return re.sub(r"[^a-z0-9]+", "-", council.casefold()).strip("-") + ".html"


@dataclass(frozen=True, eq=False)
class WatchlistReport:
    """A batch of council pages with an index page, for example one region's watch list.

    Attributes:
        year: the year of every profile.
        title: the index page's heading.
        table: one row per council, in the order shown (columns ``council``, ``la_code``,
            ``score``, ``band``, ``previous_rating`` and, where known, ``region``,
            ``score_before``, ``band_before``, ``neighbours_median`` and ``sliding``).
        pages: each council's report, in the table's order.

    Example:
        >>> import earlywarning as ew
        >>> w = ew.watchlist_report(2020, councils=["Derbyshire", "Derby"])
        >>> list(w.table["council"]) == [p.assessment.council for p in w.pages]
        True
    """

    year: int
    title: str
    table: pd.DataFrame
    pages: tuple[CouncilReport, ...]

    def to_html(self) -> str:
        """The index page as one self-contained HTML document, linking to each council's page.

        Example:
            >>> import earlywarning as ew
            >>> html = ew.watchlist_report(2020, councils=["Derby"]).to_html()
            >>> 'href="derby.html"' in html
            True
        """
        from earlywarning._report_html import render_index

        return render_index(self)

    def write(self, folder: str | Path) -> list[Path]:
        """Write ``index.html`` and one page per council (:func:`page_name`) into ``folder``.

        Returns:
            The files written, the index first.

        Example:
            >>> import tempfile, earlywarning as ew
            >>> with tempfile.TemporaryDirectory() as folder:
            ...     paths = ew.watchlist_report(2020, councils=["Derby"]).write(folder)
            ...     [p.name for p in paths]
            ['index.html', 'derby.html']
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = [_write_text(out / "index.html", self.to_html())]
        for page in self.pages:
            written.append(page.write(out / page_name(page.assessment.council)))
        return written


def watchlist_report(
    year: int,
    *,
    region: str | None = None,
    councils: Sequence[str] | None = None,
    sliding_only: bool = False,
    ruleset: Ruleset | None = None,
) -> WatchlistReport:
    """The watch list of a year as a batch of pages: an index and one report per council.

    Args:
        year: the year of the national profiles (as known on 1 January).
        region: keep only the councils of this region.
        councils: keep only these councils (names or ONS codes).
        sliding_only: keep only the councils flagged as sliding.
        ruleset: the ruleset; ``None`` is the bundled default.

    Returns:
        The index table and the pages, in watch-list order.

    Raises:
        EarlyWarningError: for a year outside the bundled data, or an unknown council or region.

    Example:
        >>> import earlywarning as ew
        >>> w = ew.watchlist_report(2020, councils=["Derby"])
        >>> w.title, len(w.pages)
        ('Watch list, 2020', 1)
    """
    rules = ruleset if ruleset is not None else load_ruleset()
    table = england_scores([year], rules, councils=councils).sort_values(
        "score", ascending=False, kind="stable"
    )
    del region, sliding_only
    known = england_profiles(year, councils)[["la_code", "previous_rating"]]
    table = table.merge(known, on="la_code", how="left").reset_index(drop=True)
    pages = tuple(report(code, year, ruleset=rules) for code in table["la_code"])
    return WatchlistReport(year=year, title=f"Watch list, {year}", table=table, pages=pages)
