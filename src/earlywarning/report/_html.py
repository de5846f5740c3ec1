"""Rendering of :mod:`earlywarning.report`: templates, formatting filters and inline charts.

The figures are computed in ``report.py``; this module only draws them. Every chart is a
matplotlib figure saved as SVG and inlined in the page, labelled (``role="img"``, an
``aria-label`` and a ``<title>``) with text that states the numbers the chart shows, so the page
stays one file, prints sharply and reads as well without the chart. The names here are public
within the package's private rendering machinery.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from earlywarning._optional import require
from earlywarning._version import __version__
from earlywarning.errors import ReportDependencyError
from earlywarning.explain import Assessment
from earlywarning.plots import plot_contributions, plot_trajectory
from earlywarning.profile import FIELDS, FLAG_MEASURES
from earlywarning.report._files import page_name
from earlywarning.rules import Indicator, Ruleset
from earlywarning.vocabulary import BAND_COLOURS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Chart",
    "CouncilPage",
    "IndexPage",
    "band_word",
    "contributions_chart",
    "environment",
    "neighbours_chart",
    "render_council",
    "render_index",
    "show_measure",
    "show_number",
    "show_points",
    "show_value",
    "trajectory_chart",
    "watchlist_chart",
]


class CouncilPage(Protocol):
    """What the council page's code reads of a :class:`~earlywarning.CouncilReport` (the
    template reads more): the renderer depends on this shape, not on the report module."""

    @property
    def assessment(self) -> Assessment: ...
    @property
    def ruleset(self) -> Ruleset: ...
    @property
    def trajectory(self) -> pd.DataFrame | None: ...
    @property
    def comparison(self) -> pd.DataFrame | None: ...


class IndexPage(Protocol):
    """What the index page's code reads of a :class:`~earlywarning.WatchlistReport`."""

    @property
    def table(self) -> pd.DataFrame: ...
    @property
    def title(self) -> str: ...
    @property
    def note(self) -> str: ...


# Measures that are codes for words: a judgement as a grade, yes/no as 1/0.
_WORDED = FLAG_MEASURES | {"previous_rating_grade"}

# Hatching per band, so that bars read apart in grey print and for colour-blind readers.
BAND_HATCHES = {"low": "", "moderate": "..", "high": "//", "severe": "xx"}


def _jinja() -> Any:
    return require("jinja2", ReportDependencyError, "reports need", "report")


def environment() -> Any:
    """The jinja2 environment of the bundled templates, escaping every value.

    jinja2 is looked for on every call (it costs nothing once imported), so that a missing
    install is reported as :class:`~earlywarning.ReportDependencyError` however it came about.

    Example:
        >>> environment().get_template("council.html.j2").name
        'council.html.j2'
    """
    return _environment(_jinja())


@cache
def _environment(jinja2: Any) -> Any:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("earlywarning.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        points=show_points,
        value=show_value,
        band=band_word,
        number=show_number,
        measure=show_measure,
    )
    env.globals.update(version=__version__, band_colours=BAND_COLOURS)
    return env


def show_points(points: float) -> str:
    """Points with their sign, as the explanations write them.

    Example:
        >>> show_points(10.0), show_points(-4.0), show_points(0.0)
        ('+10', '−4', '0')
    """
    if not points:
        return "0"
    return f"+{points:g}" if points > 0 else f"−{abs(points):g}"


def show_value(value: Any) -> str:
    """A profile value as a reader would write it: yes/no, a number without trailing zeros.

    Example:
        >>> show_value(True), show_value(31.25), show_value(2), show_value("good"), show_value(None)
        ('yes', '31.2', '2', 'good', 'none known')
    """
    if value is None or (isinstance(value, float) and value != value):
        return "none known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value).replace("_", " ")


def show_number(value: Any, digits: int = 1) -> str:
    """A figure to at most ``digits`` decimals, or "no figure" when there is none.

    Example:
        >>> show_number(14.25), show_number(3.0), show_number(-0.04), show_number(None)
        ('14.2', '3', '0', 'no figure')
    """
    if value is None or value != value:
        return "no figure"
    text = f"{float(value):.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def show_measure(value: Any, indicator: Indicator | None = None) -> str:
    """An indicator's figure as a reader wants it: a judgement or a yes/no in words (the label of
    the level it falls in), anything else as the number with the indicator's unit.

    Example:
        >>> import earlywarning as ew
        >>> rules = ew.load_ruleset()
        >>> show_measure(2.0, rules.indicator("previous_rating"))
        'good'
        >>> show_measure(18.25, rules.indicator("agency_rate")), show_measure(float("nan"))
        ('18.2%', 'no figure')
    """
    if value is None or value != value:
        return "no figure"
    if indicator is None:
        return show_number(value)
    if indicator.measure not in _WORDED:
        return show_number(value) + indicator.unit
    for level in indicator.levels:
        low = -math.inf if level.from_ is None else level.from_
        high = math.inf if level.below is None else level.below
        if low <= value < high and level.label:
            return str(level.label)
    return show_number(value) + indicator.unit


def band_word(band: str | None) -> str:
    """A band written as a word for the page, never left to a colour.

    Example:
        >>> band_word("high"), band_word(None), band_word(float("nan"))
        ('High', 'not known', 'not known')
    """
    return band.capitalize() if isinstance(band, str) and band else "not known"


class Chart:
    """One chart of a page: inline SVG markup and the text stating what it shows.

    ``alt`` is the chart's text alternative (its ``aria-label`` and ``<title>``): it states the
    numbers the chart shows, so a reader who cannot see it loses nothing.

    Example:
        >>> Chart("<svg></svg>", "No data").alt
        'No data'
    """

    def __init__(self, svg: str, alt: str) -> None:
        self.svg = svg
        self.alt = alt


@contextmanager
def _figures() -> Iterator[Any]:
    """pyplot with a fixed SVG id salt (the same page twice is the same bytes), closed after."""
    require("matplotlib", ReportDependencyError, "reports need", "report").use("Agg")
    plt: Any = require("matplotlib.pyplot", ReportDependencyError, "reports need", "report")
    # Text stays text (searchable, selectable in a PDF, a third of the size), in DejaVu Sans
    # as laid out, with matplotlib's list of sans-serif fallbacks where that font is missing.
    with plt.rc_context({"svg.hashsalt": "earlywarning", "svg.fonttype": "none"}):
        try:
            yield plt
        finally:
            plt.close("all")


def _svg(figure: Any, alt: str, name: str) -> Chart:
    """The figure as SVG to inline in HTML: no XML prolog, no metadata, no namespace URIs.

    Inline SVG in HTML needs no namespace declarations, and leaving them (and matplotlib's
    metadata) out keeps every address out of the page. Ids get the chart's name as a prefix, so
    that two charts on one page never share an id.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    # matplotlib's one style rule would apply to the whole page; the page's stylesheet has it,
    # scoped to the charts
    text = re.sub(r'\s*<style type="text/css">.*?</style>', "", text, flags=re.DOTALL)
    text = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", text)
    text = text.replace('xlink:href="#', 'href="#')
    text = text.replace('id="', f'id="{name}-').replace("url(#", f"url(#{name}-")
    text = text.replace('href="#', f'href="#{name}-')
    label = html.escape(alt, quote=True)
    opening = text.index(">") + 1
    text = (
        f'<svg role="img" aria-label="{label}" class="chart"'
        + text[len("<svg") : opening]
        + f"\n <title>{label}</title>"
        + text[opening:]
    )
    return Chart(text.strip(), alt)


def contributions_chart(assessment: Assessment) -> Chart:
    """The points rule by rule (:func:`earlywarning.plots.plot_contributions`), with alt text.

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "Example", "year": 2020, "budget_cut_pct": 20})
        >>> contributions_chart(a).alt  # doctest: +ELLIPSIS
        "Bar chart of the points each rule gave Example (2020), 6 of 100 in all, low band: ..."
    """
    items = sorted(assessment.contributions, key=lambda c: -c.points)
    parts = [
        f"{assessment.labels.get(c.indicator, c.indicator)} {show_points(c.points)}"
        + (f" (red flag: {c.red_flag})" if c.red_flag else "")
        for c in items
    ]
    alt = (
        f"Bar chart of the points each rule gave {assessment.council} ({assessment.year}), "
        f"{assessment.score:.0f} of 100 in all, {assessment.band} band: "
        + ("; ".join(parts) if parts else "no rule had data")
        + "."
    )
    with _figures():
        ax = plot_contributions(assessment)
        return _svg(ax.figure, alt, "contributions")


def trajectory_chart(trajectory: pd.DataFrame, council: str) -> Chart:
    """The national score by year over the bands (:func:`earlywarning.plots.plot_trajectory`).

    Example:
        >>> import earlywarning as ew
        >>> t = ew.england_scores([2020, 2021], councils=["Derby"])
        >>> trajectory_chart(t, "Derby").alt  # doctest: +ELLIPSIS
        "Line chart of Derby's early-warning score by year over the shaded bands: 2020 ..."
    """
    points = [
        f"{int(r['year'])} {r['score']:.0f} ({r['band']}"
        + (", rising)" if r["rising"] is True else ")")
        for r in trajectory.to_dict("records")
    ]
    alt = (
        f"Line chart of {council}'s early-warning score by year over the shaded bands: "
        + "; ".join(points)
        + "."
    )
    with _figures():
        frame = trajectory.assign(council=council)
        ax = plot_trajectory(frame, council)
        return _svg(ax.figure, alt, "trajectory")


def watchlist_chart(table: pd.DataFrame, title: str) -> Chart:
    """Each council's score as a bar, labelled with its score and band, hatched by band.

    Example:
        >>> import pandas as pd
        >>> t = pd.DataFrame({"council": ["A"], "score": [40.0], "band": ["high"]})
        >>> print(watchlist_chart(t, "Watch list").alt)
        Bar chart of the watch list, each council’s score of 100, highest first: A 40 (high).
    """
    rows = table[["council", "score", "band"]].to_dict("records")
    alt = (
        f"Bar chart of the {title.lower()}, each council’s score of 100, highest first: "
        + "; ".join(f"{r['council']} {r['score']:.0f} ({r['band']})" for r in rows)
        + "."
    )
    with _figures() as plt:
        figure, ax = plt.subplots(
            figsize=(8.0, 1.2 + 0.36 * max(len(rows), 1)), layout="constrained"
        )
        positions, bars = _band_bars(ax, rows)
        ax.bar_label(bars, labels=[f"{r['score']:.0f} {r['band']}" for r in rows], padding=3)
        ax.set_yticks(positions, [r["council"] for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Score (0 to 100)")
        ax.set_title(title, loc="left")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        return _svg(figure, alt, "watchlist")


def neighbours_chart(comparison: pd.DataFrame) -> Chart:
    """The council's score beside each statistical neighbour's, with the region's and England's
    medians as labelled lines; bars hatched by band and labelled with score and band.

    Example:
        >>> import earlywarning as ew
        >>> chart = neighbours_chart(ew.compare("Derby", 2020))
        >>> chart.alt.startswith("Bar chart of Derby's score beside its ten statistical")
        True
    """
    attrs = comparison.attrs
    score = comparison.loc["score"]
    rows = [
        {
            "council": f"{attrs['council']} (this council)",
            "score": score["value"],
            "band": attrs["band"],
        }
    ]
    rows += [r for r in attrs["neighbours"].to_dict("records") if r["score"] == r["score"]]
    medians = (
        (attrs["region"] + " median", score["region_median"], ":"),
        ("England median", score["england_median"], "--"),
    )
    alt = (
        f"Bar chart of {attrs['council']}'s score beside its ten statistical neighbours' in "
        f"{attrs['year']}: "
        + "; ".join(f"{r['council']} {r['score']:.0f} ({r['band']})" for r in rows)
        + "; "
        + "; ".join(f"{name} {value:.0f}" for name, value, _ in medians)
        + "."
    )
    with _figures() as plt:
        figure, ax = plt.subplots(figsize=(8.0, 1.2 + 0.36 * len(rows)), layout="constrained")
        positions, bars = _band_bars(ax, rows)
        bars[0].set_linewidth(2.0)
        ax.bar_label(bars, labels=[f"{r['score']:.0f} {r['band']}" for r in rows], padding=3)
        for name, value, style in medians:
            ax.axvline(
                value, color="#333333", linestyle=style, linewidth=1.2, label=f"{name} {value:.0f}"
            )
        ax.legend(loc="lower right", fontsize="small", frameon=False)
        ax.set_yticks(positions, [r["council"] for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Score (0 to 100)")
        ax.set_title(
            f"{attrs['council']} beside its statistical neighbours, {attrs['year']}", loc="left"
        )
        return _svg(figure, alt, "peers")


def render_council(page: CouncilPage) -> str:
    """One council's page as HTML.

    Example:
        >>> import earlywarning as ew
        >>> html = render_council(ew.report(profile={"council": "Example", "year": 2020}))
        >>> "<caption>" in html and "<script" not in html
        True
    """
    charts = {"contributions": contributions_chart(page.assessment)}
    if page.trajectory is not None:
        charts["trajectory"] = trajectory_chart(page.trajectory, page.assessment.council)
    if page.comparison is not None:
        charts["peers"] = neighbours_chart(page.comparison)
    template = environment().get_template("council.html.j2")
    descriptions = {f.name: f.description for f in FIELDS}
    indicators = {ind.id: ind for ind in page.ruleset.indicators}
    return str(
        template.render(
            page=page,
            a=page.assessment,
            charts=charts,
            descriptions=descriptions,
            indicators=indicators,
        )
    )


def render_index(batch: IndexPage) -> str:
    """A batch's index page as HTML, linking to each council's page.

    Example:
        >>> import pandas as pd, earlywarning as ew
        >>> from earlywarning.report.batch import WatchlistReport
        >>> table = pd.DataFrame({"council": ["A"], "la_code": ["E1"], "score": [30.0],
        ...     "band": ["high"], "previous_rating": ["good"], "rising": [None], "sliding": [True]})
        >>> batch = WatchlistReport(2020, "Watch list, 2020", table, "", ew.load_ruleset())
        >>> html = render_index(batch)
        >>> html.count("<h1>"), 'href="a.html"' in html
        (1, True)
    """
    chart = watchlist_chart(batch.table, batch.title) if len(batch.table) else None
    columns = ("region", "score_2y_before", "band_2y_before", "neighbours_median_score")
    table = batch.table.assign(**{c: None for c in columns if c not in batch.table})
    rows = [(page_name(str(r["council"])), r) for r in table.to_dict("records")]
    template = environment().get_template("index.html.j2")
    return str(template.render(batch=batch, rows=rows, chart=chart))


def _band_bars(ax: Any, rows: Sequence[Mapping[Any, Any]]) -> tuple[list[int], Any]:
    """One bar per row, as long as its score, coloured and hatched by its band."""

    positions = list(range(len(rows)))
    bars = ax.barh(
        positions,
        [r["score"] for r in rows],
        color=[BAND_COLOURS[r["band"]] for r in rows],
        edgecolor="#333333",
        linewidth=0.6,
    )
    for bar, r in zip(bars, rows, strict=True):
        bar.set_hatch(BAND_HATCHES[r["band"]])
    return positions, bars
