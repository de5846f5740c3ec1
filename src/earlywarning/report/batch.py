"""A batch of council reports with an index page, for example one region's watch list.

:func:`watchlist_report` builds a :class:`~earlywarning.CouncilReport` for every council of a
year's watch list (or of one region, or of the councils named) and :meth:`WatchlistReport.write`
writes one page per council, named by :func:`page_name`, beside an ``index.html`` that links to
them. Every page is self-contained, as in :mod:`earlywarning.report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from earlywarning.datasets import LocalLike, as_local, resolve_councils
from earlywarning.datasets.neighbours import NeighboursLike
from earlywarning.datasets.user_judgements import JudgementsLike, as_judgements, judgements_note
from earlywarning.io.output import check_output_folder
from earlywarning.local import LocalFacts
from earlywarning.report import CouncilReport, report
from earlywarning.report._files import page_name, write_text
from earlywarning.report._html import render_index
from earlywarning.report._notebook import notebook_index
from earlywarning.rules import Ruleset, load_ruleset
from earlywarning.watchlist import watchlist

__all__ = ["WatchlistReport", "page_name", "watchlist_report"]


@dataclass(frozen=True, eq=False)
class WatchlistReport:
    """A batch of council pages with an index page, for example one region's watch list.

    The index needs only the table; each council's page is built when :attr:`pages` is first
    read (by :meth:`write`, for example), so looking at the table costs little.

    Attributes:
        year: the year of every profile.
        title: the index page's heading.
        table: one row per council, in the order shown: the columns of
            :func:`earlywarning.watchlist`.
        note: what the previous ratings rest on.
        ruleset: the ruleset of every page.
        judgements: the user's own Ofsted judgements, if any, for every page.
        neighbours: the statistical-neighbour model of the list and every page.
        local: the councils' own facts, for the list and every page.

    Example:
        >>> import earlywarning as ew
        >>> w = ew.watchlist_report(2020, councils=["Derbyshire", "Derby"])
        >>> sorted(w.table["council"]), w.title
        (['Derby', 'Derbyshire'], 'Watch list, 2020')
    """

    year: int
    title: str
    table: pd.DataFrame
    note: str
    ruleset: Ruleset
    judgements: pd.DataFrame | None = None
    neighbours: NeighboursLike = None
    local: LocalFacts | None = None

    @cached_property
    def pages(self) -> tuple[CouncilReport, ...]:
        """Each council's report, in the table's order.

        Example:
            >>> import earlywarning as ew
            >>> [p.title for p in ew.watchlist_report(2020, councils=["Derby"]).pages]
            ['Derby, 2020: early-warning report']
        """
        return tuple(
            report(
                code,
                self.year,
                ruleset=self.ruleset,
                judgements=self.judgements,
                neighbours=self.neighbours,
                local=self.local,
            )
            for code in self.table["la_code"]
        )

    def __repr__(self) -> str:
        # the dataclass's own repr would print the whole table and the ruleset
        return (
            f"WatchlistReport(year={self.year}, title={self.title!r}, councils={len(self.table)})"
        )

    def _repr_html_(self) -> str:
        """The index as a notebook shows it: a table of the councils, without the charts."""
        return notebook_index(self)

    def to_html(self) -> str:
        """The index page as one self-contained HTML document, linking to each council's page.

        Example:
            >>> import earlywarning as ew
            >>> html = ew.watchlist_report(2020, councils=["Derby"]).to_html()
            >>> 'href="derby.html"' in html
            True
        """
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
        out = check_output_folder(folder)
        written = [write_text(out / "index.html", self.to_html())]
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
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
) -> WatchlistReport:
    """The watch list of a year as a batch of pages: an index and one report per council.

    The index is :func:`earlywarning.watchlist` (the sliding councils first, then by score),
    narrowed to a region, to named councils or to the sliding ones; each council gets its own
    :func:`~earlywarning.report` page.

    Args:
        year: the year of the national profiles (as known on 1 January).
        region: keep only the councils of this English region (any case).
        councils: keep only these councils (names or ONS codes).
        sliding_only: keep only the councils flagged as sliding.
        ruleset: the ruleset; ``None`` is the bundled default.
        judgements: the user's own Ofsted judgements, beyond the data's (a table or a file, see
            :mod:`earlywarning.datasets.user_judgements`), for the watch list and every page.
        neighbours: the statistical-neighbour model (``"2021"``, ``"2025"`` or a file); the
            newest by default.
        local: the councils' own facts, or the path of a facts file, for the watch list and
            every page (see :func:`~earlywarning.datasets.profiles_at`).

    Returns:
        The index table and the pages, in watch-list order.

    Raises:
        EarlyWarningError: for a year outside the bundled data, or an unknown council or region.

    Example:
        >>> import earlywarning as ew
        >>> w = ew.watchlist_report(2020, region="East Midlands", sliding_only=True)
        >>> w.title, bool(w.table["sliding"].all())
        ('Sliding councils, East Midlands, 2020', True)
    """
    rules = ruleset if ruleset is not None else load_ruleset()
    user = as_judgements(judgements)
    facts = as_local(local)
    table = watchlist(
        year,
        rules,
        judgements=user,
        region=region,
        sliding_only=sliding_only,
        neighbours=neighbours,
        local=facts,
    ).reset_index(drop=True)
    title = "Sliding councils" if sliding_only else "Watch list"
    if table.attrs.get("region"):
        title += f", {table.attrs['region']}"
    if councils is not None:
        named = [councils] if isinstance(councils, str) else list(councils)
        table = table[table["la_code"].isin(resolve_councils(named, "watchlist_report"))]
    return WatchlistReport(
        year=year,
        title=f"{title}, {year}",
        table=table.reset_index(drop=True),
        note=judgements_note(user),
        ruleset=rules,
        judgements=user,
        neighbours=neighbours,
        local=facts,
    )
