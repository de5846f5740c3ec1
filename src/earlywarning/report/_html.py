"""Rendering of :mod:`earlywarning.report`: templates, formatting filters and inline charts.

The figures are computed in ``report.py``; this module only draws them. Every chart is a
matplotlib figure saved as SVG and inlined in the page, labelled (``role="img"``, an
``aria-label`` and a ``<title>``) with text that states the numbers the chart shows, so the page
stays one file, prints sharply and reads as well without the chart. The names here are public
within the package's private rendering machinery.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol
from xml.etree import ElementTree

from earlywarning._display import signed
from earlywarning._matplotlib import literal
from earlywarning._optional import require
from earlywarning._version import __version__
from earlywarning.errors import ReportDependencyError
from earlywarning.explain import Assessment, range_sentence
from earlywarning.io.output import terminal_text
from earlywarning.plots import contributions_size, plot_contributions, plot_trajectory
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
        finalize=_shown,
    )
    env.filters.update(
        points=show_points,
        value=show_value,
        band=band_word,
        number=show_number,
        measure=show_measure,
        commands=_commands,
    )
    env.globals.update(
        version=__version__, band_colours=BAND_COLOURS, range_sentence=range_sentence
    )
    return env


def _commands(text: str) -> Any:
    """Text whose `backticked` spans are commands to type: escaped first, then each span set
    in ``<code>``, so the page shows the command as code and never its backticks.

    Example:
        >>> str(_commands("run `earlywarning local template A&B --year 2016` <now>"))
        'run <code>earlywarning local template A&amp;B --year 2016</code> &lt;now&gt;'
    """
    import markupsafe  # jinja2's own escaping: present wherever a template is rendered

    escaped = str(markupsafe.escape(terminal_text(text)))
    parts = escaped.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no span can be told apart, so none is made
        return markupsafe.Markup(escaped)
    spans = (f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))
    return markupsafe.Markup("".join(spans))


def _shown(value: Any) -> Any:
    """Every value a template prints: plain text with its control characters written out as
    ``\\xNN`` (they would act, or break the page's markup), anything else (numbers, markup
    made by the renderer) as it is."""
    return terminal_text(value) if type(value) is str else value


def show_points(points: float) -> str:
    """Points with their sign, as the explanations write them.

    Example:
        >>> show_points(10.0), show_points(-4.0), show_points(0.0)
        ('+10', '−4', '0')
    """
    return signed(points)


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


# matplotlib's settings live in one process-wide dict (rcParams) that a context changes for
# every thread at once, so charts are drawn one at a time: pages rendered from several threads
# are then the same bytes as pages rendered one after another.
_DRAWING = threading.Lock()

# Text stays text (searchable, selectable in a PDF, a third of the size), in DejaVu Sans as laid
# out, with matplotlib's list of sans-serif fallbacks where that font is missing; never TeX,
# whatever the user's own settings, since TeX would read a council's name as markup.
_SETTINGS = {"svg.fonttype": "none", "text.usetex": False}

# Settings that change what drawing costs, never what it draws (tests/test_report_speed.py draws
# each chart with and without them and compares the bytes). A title placed by hand at the top of
# the axes (1.0, where matplotlib's placement starts) spares the measuring of the y axis's tick
# labels that matplotlib's placement does for every title on every draw, to move a title clear of
# tick labels above the axes; no chart here has any.
_SPEED = {"axes.titley": 1.0}


@contextmanager
def _figures() -> Iterator[Any]:
    """A function making ``matplotlib.figure.Figure`` objects (no pyplot, so no state shared
    with the user's figures or another thread's), under the drawing lock and the settings."""
    matplotlib = require("matplotlib", ReportDependencyError, "reports need", "report")
    require("matplotlib.figure", ReportDependencyError, "reports need", "report")
    require("matplotlib.textpath", ReportDependencyError, "reports need", "report")
    figure = _figure_class(matplotlib)
    with _DRAWING, matplotlib.rc_context({**_SETTINGS, **_SPEED}):
        figure.measure.fonts = _font_settings(matplotlib)
        yield figure


# The settings that decide which font a text is measured in, and at what size and kerning.
_FONT_SETTINGS = ("font.", "text.", "mathtext.")


def _font_settings(matplotlib: Any) -> tuple[object, ...]:
    """What a text's measured size depends on besides the text and its font properties: the font
    settings in force (a generic family such as sans-serif is resolved through them) and the
    fonts matplotlib knows."""
    rc = matplotlib.rcParams
    keys = sorted(k for k in rc if k.startswith(_FONT_SETTINGS))
    fonts = matplotlib.font_manager.fontManager.ttflist
    return (*(repr(rc[k]) for k in keys), len(fonts))


@cache
def _figure_class(matplotlib: Any) -> Any:
    """``matplotlib.figure.Figure`` whose drawing measures text through one shared
    :class:`TextToPath` that remembers each text's size.

    matplotlib measures a text afresh for each new renderer, and ``savefig`` makes a new one for
    every chart, so the same tick labels, titles and names were measured on every page: that was
    about an eighth of a page's time. The sizes are the ones matplotlib computes, so the SVG is the
    same bytes (tests/test_report_speed.py). Sharing one TextToPath between renderers is what
    matplotlib itself does for its text paths (``matplotlib.textpath.text_to_path``).
    """

    class Measure(matplotlib.textpath.TextToPath):  # type: ignore[misc]
        LIMIT = 4096  # sizes remembered before all are forgotten: a bound on the memory held

        def __init__(self) -> None:
            super().__init__()
            self.fonts: tuple[object, ...] = ()
            self.sizes: dict[tuple[object, ...], tuple[float, float, float]] = {}

        def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> Any:
            # a copy of the properties: they are mutable, and their hash follows their state
            key = (self.fonts, s, prop.copy(), ismath)
            size = self.sizes.get(key)
            if size is None:
                if len(self.sizes) >= self.LIMIT:
                    self.sizes.clear()
                size = super().get_text_width_height_descent(s, prop, ismath)
                self.sizes[key] = size
            return size

    class Figure(matplotlib.figure.Figure):  # type: ignore[misc]
        measure = Measure()

        def draw(self, renderer: Any) -> None:
            # savefig draws through a MixedModeRenderer holding the SVG renderer as _renderer
            target = getattr(renderer, "_renderer", renderer)
            if isinstance(getattr(target, "_text2path", None), matplotlib.textpath.TextToPath):
                target._text2path = self.measure
            super().draw(renderer)

    return Figure


_SVG = "{http://www.w3.org/2000/svg}"
_XLINK = "{http://www.w3.org/1999/xlink}href"
_URL = re.compile(r"url\(#([^)]*)\)")


# The width of an average character of DejaVu Sans, in ems, and the room in inches for a line
# of the title, for the x axis (its tick labels and label), and beside the axes.
_EM_WIDTH = 0.6
_LINE = 0.24
_X_AXIS = 0.6
_EDGE = 0.15


def _fit(
    figure: Any, labels: Sequence[str], size: float, *, title_lines: int, y_label: bool = False
) -> None:
    """Margins around the axes from the length of the y tick labels (``size`` in points) and
    the lines of the title.

    matplotlib's constrained layout measures every text twice to place the axes, and was most
    of the time a page took; an estimate from the character count serves as well, since the
    page shows the text in the reader's browser font, not the one matplotlib would measure.
    """
    width, height = figure.get_size_inches()
    longest = max((len(line) for label in labels for line in str(label).split("\n")), default=0)
    left = _EDGE + longest * size * _EM_WIDTH / 72 + 0.1 + (_LINE if y_label else 0.0)
    figure.subplots_adjust(
        left=min(left / width, 0.6),
        right=1 - _EDGE / width,
        top=1 - (_EDGE + title_lines * _LINE) / height,
        bottom=_X_AXIS / height,
    )


def _svg(figure: Any, alt: str, name: str) -> Chart:
    """The figure as SVG to inline in HTML: no XML prolog, no metadata, no namespace URIs.

    The SVG is read as XML and only its attributes are rewritten, never its text, so a
    council's name or a rule's label is shown as it is whatever it looks like. Inline SVG in
    HTML needs no namespace declarations, and leaving them (and matplotlib's metadata) out keeps
    every address out of the page. Ids are numbered in document order with the chart's name as a
    prefix, so that two charts on one page never share an id and the same chart is the same
    bytes (matplotlib's own ids are salted at random).
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    root = ElementTree.fromstring(buffer.getvalue())
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{_SVG}metadata", f"{_SVG}style"):
                # matplotlib's one style rule would apply to the whole page; the page's
                # stylesheet has it, scoped to the charts
                parent.remove(child)
    ids = {e.attrib["id"]: f"{name}-{n}" for n, e in enumerate(root.iter()) if "id" in e.attrib}
    for element in root.iter():
        element.tag = element.tag.removeprefix(_SVG)
        _rename(element.attrib, ids)
    alt = terminal_text(alt)  # a control character in a name is not allowed in XML
    root.attrib = {"role": "img", "aria-label": alt, "class": "chart", **root.attrib}
    title = ElementTree.Element("title")
    title.text = alt
    title.tail = "\n "
    root.insert(0, title)
    return Chart(ElementTree.tostring(root, encoding="unicode").strip(), alt)


def _rename(attrib: dict[str, str], ids: dict[str, str]) -> None:
    """One element's references to ids renamed, in place: ``id``, ``href`` and ``url(#...)``."""
    if "id" in attrib:
        attrib["id"] = ids[attrib["id"]]
    href = attrib.pop(_XLINK, None) or attrib.pop("href", None)
    if href is not None:
        attrib["href"] = "#" + ids.get(href[1:], href[1:]) if href.startswith("#") else href
    for key, value in attrib.items():
        if "url(#" in value:
            attrib[key] = _URL.sub(lambda m: f"url(#{ids.get(m.group(1), m.group(1))})", value)


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
    with _figures() as new:
        figure = new(figsize=contributions_size(assessment))
        ax = plot_contributions(assessment, ax=figure.subplots())
        _fit(figure, [t.get_text() for t in ax.get_yticklabels()], 8.33, title_lines=2)
        return _svg(figure, alt, "contributions")


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
    with _figures() as new:
        figure = new(figsize=(8.0, 4.0))
        plot_trajectory(trajectory.assign(council=council), council, ax=figure.subplots())
        _fit(figure, ["100"], 10, title_lines=1, y_label=True)
        return _svg(figure, alt, "trajectory")


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
    with _figures() as new:
        figure = new(figsize=(8.0, 1.2 + 0.36 * max(len(rows), 1)))
        _fit(figure, [r["council"] for r in rows], 10, title_lines=1)
        ax = figure.subplots()
        positions, bars = _band_bars(ax, rows)
        ax.bar_label(bars, labels=[f"{r['score']:.0f} {r['band']}" for r in rows], padding=3)
        ax.set_yticks(positions, [literal(r["council"]) for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Score (0 to 100)")
        ax.set_title(literal(title), loc="left")
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
    with _figures() as new:
        figure = new(figsize=(8.0, 1.2 + 0.36 * len(rows)))
        _fit(figure, [r["council"] for r in rows], 10, title_lines=1)
        ax = figure.subplots()
        positions, bars = _band_bars(ax, rows)
        bars[0].set_linewidth(2.0)
        ax.bar_label(bars, labels=[f"{r['score']:.0f} {r['band']}" for r in rows], padding=3)
        for name, value, style in medians:
            ax.axvline(
                value,
                color="#333333",
                linestyle=style,
                linewidth=1.2,
                label=literal(f"{name} {value:.0f}"),
            )
        ax.legend(loc="lower right", fontsize="small", frameon=False)
        ax.set_yticks(positions, [literal(r["council"]) for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Score (0 to 100)")
        ax.set_title(
            literal(f"{attrs['council']} beside its statistical neighbours, {attrs['year']}"),
            loc="left",
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
