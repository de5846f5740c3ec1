"""Reports for directors: one self-contained HTML page per council, and an index for a batch.

:func:`report` gathers what a director's page shows into a :class:`CouncilReport`: the
assessment, every rule that fired with its rationale and evidence, the score range the missing
data allow and what to collect first, the smallest change that would lower the band, the
comparison with statistical neighbours, region and England, the trajectory over the years, the
data sources and their dates, and the ruleset's identity. It computes; it does not draw.
:meth:`CouncilReport.to_html` renders it through the templates in ``earlywarning/templates``
(jinja2, from the ``report`` extra), with the charts drawn by matplotlib and inlined, so the page
needs nothing else: no network, no fonts, no JavaScript.

:func:`~earlywarning.watchlist_report` (in :mod:`earlywarning.report.batch`) does the same for
many councils at once, for example one region's watch list, with an index page.

Install the extra with ``pip install "earlywarning[report]"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from earlywarning.backtesting import band_frequencies, band_sentence
from earlywarning.change import SmallestChange
from earlywarning.datasets import LocalLike, as_local, local_note
from earlywarning.datasets.neighbours import NeighboursLike
from earlywarning.datasets.user_judgements import JudgementsLike, as_judgements
from earlywarning.engine import score
from earlywarning.errors import EarlyWarningError
from earlywarning.explain import Assessment
from earlywarning.local import LocalFacts
from earlywarning.profile import FIELD_NAMES, CouncilProfile
from earlywarning.report._files import write_text
from earlywarning.report._html import render_council
from earlywarning.report._notebook import notebook_council
from earlywarning.report._parts import (
    RuleRow,
    SourceRow,
    collect_first,
    comparison,
    given_marks,
    local_advice,
    lower_band,
    national_profile,
    rule_rows,
    trajectory,
)
from earlywarning.rules import Band, Ruleset, load_ruleset

__all__ = ["CouncilReport", "RuleRow", "SourceRow", "report"]


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
        ruleset: the ruleset that scored the profile (its id, version and hash are on the page).
        sources: the sources of the figures and the dates they describe.
        trajectory: the council's national score by year (``year``, ``score``, ``band``,
            ``coverage``, ``rising``), or ``None`` with ``trajectory_note`` saying why.
        trajectory_note: what the trajectory rests on, or why there is none.
        score_range: the lowest and highest score any filling of the missing data could give.
        band_range: the lowest and highest band those scores (and red flags) could give.
        collect_first: the missing items ranked by how far each alone could move the band
            (``label``, ``score_min``, ``score_max``, ``band_min``, ``band_max``), or ``None``
            when nothing is missing.
        change: the smallest change on what the council controls that would lower the band
            (a :class:`~earlywarning.change.SmallestChange`), or ``None`` in the lowest band.
        comparison: the council beside its statistical neighbours, region and England
            (:func:`earlywarning.compare`), or ``None`` with ``comparison_note`` saying why.
        comparison_note: what the comparison rests on, or why there is none.
        band_observed: what the band has meant: how often inspections of councils in it in the
            test period judged them below good or worse than before, in one sentence
            (:func:`~earlywarning.backtesting.band_sentence`).
        marks: where each profile field's figure came from: ``national``, ``local`` (the
            council's own facts) or ``missing``; ``given`` for a profile given whole.
        local_advice: the first screen's word on the leadership and budget indicators that
            have no figure and how to add them (``""`` when every one has a figure).

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
    ruleset: Ruleset
    sources: tuple[SourceRow, ...]
    trajectory: pd.DataFrame | None
    trajectory_note: str
    score_range: tuple[float, float] | None
    band_range: tuple[str, str] | None
    collect_first: pd.DataFrame | None
    change: SmallestChange | None
    comparison: pd.DataFrame | None
    comparison_note: str
    band_observed: str
    marks: Mapping[str, str] = field(default_factory=dict)
    local_advice: str = ""

    @property
    def title(self) -> str:
        """The page's title: council and year.

        Example:
            >>> import earlywarning as ew
            >>> ew.report(profile={"council": "Example", "year": 2020}).title
            'Example, 2020: early-warning report'
        """
        return f"{self.assessment.council}, {self.assessment.year}: early-warning report"

    def __repr__(self) -> str:
        # the dataclass's own repr would print every table and the whole ruleset
        a = self.assessment
        return (
            f"CouncilReport(council={a.council!r}, year={a.year}, la_code={self.la_code!r}, "
            f"score={a.score:g}, band={a.band!r})"
        )

    def _repr_html_(self) -> str:
        """The page as a notebook shows it: inline, in a frame of its own (its stylesheet
        applies to the page alone), or the assessment alone without the ``report`` extra."""
        return notebook_council(self)

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
        return write_text(Path(path), self.to_html())


def report(
    council: str | None = None,
    year: int | None = None,
    *,
    profile: CouncilProfile | Mapping[str, Any] | None = None,
    ruleset: Ruleset | None = None,
    origin: str | None = None,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
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
        judgements: the user's own Ofsted judgements, beyond the data's (a table or a file, see
            :mod:`earlywarning.datasets.user_judgements`), for the national profiles, the
            trajectory and the comparison.
        neighbours: the statistical-neighbour model for the same (``"2021"``, ``"2025"`` or a
            file, see :data:`~earlywarning.datasets.neighbours.NeighboursLike`); the newest by
            default.
        local: the council's own facts (:class:`~earlywarning.local.LocalFacts`, or the path
            of a facts file), read as on 1 January of ``year`` in place of the national figures
            for the same fields, in the profile, the trajectory and the comparison (see
            :func:`~earlywarning.datasets.profiles_at`). Not with ``profile``.

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
    user = as_judgements(judgements)
    facts = as_local(local)
    fields, sources, said, marks = _profile(council, year, profile, user, neighbours, facts)
    assessment = score(fields, rules)
    who = str(fields.get("la_code") or assessment.council)
    scores, note = trajectory(who, assessment.year, rules, user, neighbours, facts)
    peers, peers_note = comparison(who, assessment.year, rules, user, neighbours, facts)
    if peers is not None and profile is not None:
        peers_note += " The profile scored above may hold other figures than these."
    return CouncilReport(
        assessment=assessment,
        origin=origin or said,
        la_code=fields.get("la_code"),
        profile={name: fields[name] for name in FIELD_NAMES if name in fields},
        rules=rule_rows(assessment, rules),
        bands=rules.bands,
        ruleset=rules,
        sources=sources,
        trajectory=scores,
        trajectory_note=note,
        score_range=assessment.score_range,
        band_range=assessment.band_range,
        collect_first=collect_first(assessment, fields, rules),
        change=lower_band(fields, assessment, rules),
        comparison=peers,
        comparison_note=peers_note,
        band_observed=band_sentence(band_frequencies(rules), assessment.band),
        marks=marks,
        local_advice=local_advice(
            marks, rules, assessment.council, assessment.year, given=profile is not None
        ),
    )


def _profile(
    council: str | None,
    year: int | None,
    profile: CouncilProfile | Mapping[str, Any] | None,
    user: pd.DataFrame | None,
    neighbours: NeighboursLike = None,
    local: LocalFacts | None = None,
) -> tuple[dict[str, Any], tuple[SourceRow, ...], str, dict[str, str]]:
    """The fields to score, their sources, a sentence saying where they came from, and each
    field's mark."""
    if profile is not None:
        if council is not None or year is not None:
            raise EarlyWarningError("report: give a council and a year, or a profile, not both")
        if local is not None:
            raise EarlyWarningError(
                "report: local facts are read into a council's national profile: give a "
                "council and a year with them, not a profile"
            )
        checked = profile if isinstance(profile, CouncilProfile) else CouncilProfile(**profile)
        fields = checked.model_dump(exclude_none=True)
        given = SourceRow("The profile given", "as stated in it", tuple(fields))
        said = "From the profile given; no figure was added to it."
        return fields, (given,), said, given_marks(fields)
    if council is None or year is None:
        raise EarlyWarningError("report: give a council and a year, or a profile")
    fields, sources, marks = national_profile(council, year, user, neighbours, local)
    said = (
        f"From the national statistics as known on 1 January {year}: the latest "
        "published figures before that day, nothing later."
    )
    if local is not None:
        said += f" {local_note(local, dt.date(year, 1, 1))}"
    for row in (s for s in sources if "previous_rating" in s.fields):
        # the source row names the judgements used (the user's file, where given)
        whose = row.source.removeprefix("Ofsted judgement of children’s services")
        said += f" Previous Ofsted judgement: {fields['previous_rating']}, {row.as_at}{whose}."
    return fields, sources, said, marks
