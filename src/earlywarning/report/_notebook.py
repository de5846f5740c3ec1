"""What a notebook shows for a council's report and a batch of them (their ``_repr_html_``).

Private machinery of :mod:`earlywarning.report`; its names are public within the package. The
page itself is drawn by ``report/_html.py``; here it is framed for a notebook cell.
"""

from __future__ import annotations

from earlywarning._display import Html, band_badge, card, cells, framed_page, join, note
from earlywarning.errors import ReportDependencyError
from earlywarning.explain import assessment_html
from earlywarning.report._html import (
    CouncilPage,
    IndexPage,
    render_council,
    show_number,
    show_value,
)

__all__ = ["notebook_council", "notebook_index"]


def notebook_council(page: CouncilPage) -> str:
    """One council's page as a notebook shows it: the whole page inside an ``<iframe srcdoc>``,
    so that its stylesheet applies to the page alone and not to the notebook around it.

    Without the ``report`` extra the page cannot be drawn: the notebook shows the assessment
    instead, under a line saying what to install.

    Example:
        >>> import earlywarning as ew
        >>> html = notebook_council(ew.report(profile={"council": "Example", "year": 2020}))
        >>> html.startswith("<iframe") and "<style" not in html and "&lt;style&gt;" in html
        True
    """
    a = page.assessment
    title = f"{a.council}, {a.year}: early-warning report"
    try:
        document = render_council(page)
    except ReportDependencyError as exc:
        return join([note(str(exc)), Html(assessment_html(a))])
    return framed_page(document, title)


def notebook_index(batch: IndexPage) -> str:
    """A batch's index as a notebook shows it: each council's score, band, previous judgement
    and whether it is sliding, without the charts (the index page has them: ``write``).

    Example:
        >>> import earlywarning as ew
        >>> html = notebook_index(ew.watchlist_report(2020, councils=["Derby", "Derbyshire"]))
        >>> "Watch list, 2020" in html and "Derbyshire" in html
        True
    """
    rows = [
        [
            r["council"],
            show_number(r["score"], 0),
            band_badge(r["band"] if isinstance(r["band"], str) else None),
            show_value(r.get("previous_rating")),
            "yes" if r.get("sliding") is True else "no",
        ]
        for r in batch.table.to_dict("records")
    ]
    count = f"{len(rows)} {'council' if len(rows) == 1 else 'councils'}"
    return card(
        f"{batch.title} ({count})",
        cells(["council", "score", "band", "previous judgement", "sliding"], rows),
        note(batch.note) if batch.note else "",
        note("write(folder) writes the index page and one page per council."),
        kind="watchlist-report",
    )
