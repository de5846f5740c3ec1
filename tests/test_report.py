"""Reports for directors: what the page holds, that it is accessible and printable, and how a
real browser renders it.

The structure is read with the standard library's HTML parser. The rendering is checked in
headless Chromium (Debian's ``chromium``; ``.ci/run`` installs it): a screenshot that is not
blank, no console errors, no request beyond the page itself, and a PDF on A4 pages. Without
Chromium those tests are skipped, except in CI, where they fail.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import chromium
import numpy as np
import pytest

import earlywarning as ew
from earlywarning.cli import main
from earlywarning.io import read_profiles
from earlywarning.report_batch import page_name

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "examples" / "profiles" / "derbyshire-2016.yaml"
BATCH = ["Derby", "Rutland"]  # two councils keep the batch quick


# ----------------------------------------------------------------------------------------------
# Reading a page's structure


@dataclass
class Structure:
    """What the parser found in a page."""

    headings: list[tuple[int, str]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    addresses: list[str] = field(default_factory=list)  # every href and src
    text: str = ""
    styles: str = ""
    lang: str | None = None


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Structure()
        self._stack: list[str] = []
        self._heading: tuple[int, list[str]] | None = None
        self._table: dict[str, Any] | None = None
        self._in_style = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        f = self.found
        f.tags.add(tag)
        if "id" in a:
            f.ids.append(a["id"])
        f.addresses += [a[k] for k in ("href", "src") if k in a]
        if tag == "html":
            f.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = (int(tag[1]), [])
        if tag == "style":
            self._in_style = True
        if tag == "table":
            self._table = {"first": None, "caption": "", "th": [], "rows": 0}
            f.tables.append(self._table)
        elif self._table is not None:
            if self._table["first"] is None:
                self._table["first"] = tag
            if tag == "th":
                self._table["th"].append(a.get("scope"))
            if tag == "tr":
                self._table["rows"] += 1
        if tag == "svg" and "svg" not in self._stack:
            f.charts.append({"role": a.get("role", ""), "label": a.get("aria-label", "")})
        if tag not in ("meta", "link", "br", "img", "input", "path", "use", "rect"):
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass
        if re.fullmatch(r"h[1-6]", tag) and self._heading:
            level, words = self._heading
            self.found.headings.append((level, " ".join("".join(words).split())))
            self._heading = None
        if tag == "style":
            self._in_style = False
        if tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.styles += data
            return
        if self._heading:
            self._heading[1].append(data)
        if self._table is not None and "caption" in self._stack:
            self._table["caption"] += data
        if "svg" not in self._stack:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.found.text = " ".join(" ".join(self._text).split())


def structure(html: str) -> Structure:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found


# ----------------------------------------------------------------------------------------------
# Fixtures: each page is built and rendered once


def _profile() -> dict[str, Any]:
    """The Derbyshire 2016 example profile, as the command line reads it."""
    return read_profiles(PROFILE).iloc[0].to_dict()


@pytest.fixture(scope="module")
def derbyshire() -> ew.CouncilReport:
    return ew.report(profile=_profile(), origin="From examples/profiles/derbyshire-2016.yaml.")


@pytest.fixture(scope="module")
def national() -> ew.CouncilReport:
    return ew.report("Derbyshire", 2016)


@pytest.fixture(scope="module")
def batch() -> ew.WatchlistReport:
    return ew.watchlist_report(2020, councils=BATCH)


@pytest.fixture(scope="module")
def pages(
    tmp_path_factory: pytest.TempPathFactory,
    derbyshire: ew.CouncilReport,
    batch: ew.WatchlistReport,
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    written = batch.write(folder / "watchlist")
    return {
        "council": derbyshire.write(folder / "derbyshire-2016.html"),
        "index": written[0],
        **{p.stem: p for p in written[1:]},
    }


def _all_pages(pages: dict[str, Path]) -> list[tuple[str, str]]:
    return [(name, path.read_text(encoding="utf-8")) for name, path in pages.items()]


# ----------------------------------------------------------------------------------------------
# What the page shows


def test_the_figures_are_those_of_the_assessment(derbyshire: ew.CouncilReport) -> None:
    a = derbyshire.assessment
    assert a == ew.score(_profile())
    assert derbyshire.la_code == "E10000007"
    fired = {r.id for r in derbyshire.rules}
    assert fired == {c.indicator for c in a.contributions if c.points or c.red_flag}
    rules = ew.load_ruleset()
    for row in derbyshire.rules:
        declared = next(x for x in (*rules.indicators, *rules.combinations) if x.id == row.id)
        assert row.rationale == " ".join(declared.rationale.split())
        assert len(row.evidence) == len(declared.evidence) > 0
    assert [abs(r.points) for r in derbyshire.rules] == sorted(
        (abs(r.points) for r in derbyshire.rules), reverse=True
    )


def test_a_national_report_dates_its_sources(national: ew.CouncilReport) -> None:
    sources = {s.source: s for s in national.sources}
    census_free = "DfE children’s social work workforce census" not in sources
    assert census_free, "the census starts in September 2017, so a 2016 profile has none"
    assert sources["DfE children in need and looked-after children"].as_at == (
        "year to 31 March 2015"
    )
    assert sources["Ofsted judgement of children’s services"].fields == ("previous_rating",)
    covered = {f for s in national.sources for f in s.fields}
    assert covered == set(national.profile) - {"council", "year", "la_code"}
    assert national.trajectory is not None
    assert list(national.trajectory["year"]) == list(range(2011, 2017))


def test_the_page_says_what_it_shows(derbyshire: ew.CouncilReport, pages: dict[str, Path]) -> None:
    s = structure(pages["council"].read_text(encoding="utf-8"))
    a = derbyshire.assessment
    assert s.headings[0] == (1, "Derbyshire, 2016: early-warning report")
    assert f"{a.score:.0f} of 100" in s.text
    assert "High" in s.text and a.band == "high"
    assert f"{a.coverage:.0%}" in s.text
    for line in a.explain().splitlines():
        assert " ".join(line.split()) in s.text
    for row in derbyshire.rules:
        assert (3, f"{row.label} ({'+' if row.points > 0 else '−'}{abs(row.points):g})") in (
            s.headings
        )
        assert row.rationale in s.text
        for item in row.evidence:
            assert item in s.text
    for name in (a.ruleset_id, a.ruleset_version, a.ruleset_hash):
        assert name in s.text
    for label in (a.labels[m] for m in a.missing):
        assert label in s.text


def test_the_missing_data_section_gives_the_range_and_what_to_collect_first(
    derbyshire: ew.CouncilReport, pages: dict[str, Path]
) -> None:
    a = derbyshire.assessment
    assert derbyshire.score_range == a.score_range and derbyshire.band_range == a.band_range
    low, high = a.score_range
    assert low <= a.score < high  # a missing mitigation could take points away
    table = derbyshire.collect_first
    assert table is not None
    expected = ew.missing_impact(_profile())
    assert list(table["label"]) == list(expected["label"])
    s = structure(pages["council"].read_text(encoding="utf-8"))
    assert f"anywhere from {low:.0f}, every one at its best, to {high:.0f}" in s.text
    caption = next(t for t in s.tables if t["caption"].startswith("What to collect first"))
    assert caption["rows"] == len(table) + 1  # a header row, then one per missing item
    section = s.text[s.text.index("What to collect first") :]
    order = [section.index(f" {label} ") for label in table["label"]]
    assert order == sorted(order), "the items appear in the order to collect them"


def test_the_smallest_change_section(derbyshire: ew.CouncilReport, pages: dict[str, Path]) -> None:
    change = derbyshire.change
    assert change is not None and change.reachable
    assert change == ew.smallest_change(_profile())
    bands = [b.name for b in derbyshire.bands]
    assert bands.index(change.after.band) < bands.index(derbyshire.assessment.band)
    s = structure(pages["council"].read_text(encoding="utf-8"))
    for step in change.steps:
        assert step.text in s.text
    assert f"would score {change.after.score:.0f} of 100" in s.text
    for alt in change.alternatives:
        assert "; ".join(step.text for step in alt.steps) in s.text


def test_in_the_lowest_band_there_is_no_smaller_change() -> None:
    page = ew.report(profile={"council": "Calm", "year": 2020, "agency_rate_pct": 5})
    assert page.assessment.band == "low" and page.change is None
    assert "already in the lowest band" in structure(page.to_html()).text


def test_the_comparison_section(
    derbyshire: ew.CouncilReport, national: ew.CouncilReport, pages: dict[str, Path]
) -> None:
    peers = derbyshire.comparison
    assert peers is not None
    expected = ew.compare("E10000007", 2016)
    assert peers.drop(columns=[]).equals(expected)
    assert "may hold other figures" in derbyshire.comparison_note
    assert "may hold other figures" not in national.comparison_note
    s = structure(pages["council"].read_text(encoding="utf-8"))
    for label in peers["label"]:
        assert label in s.text
    for council in peers.attrs["neighbours"]["council"]:
        assert council in s.text
    captions = [t["caption"] for t in s.tables]
    assert any(c.startswith("Derbyshire beside its statistical neighbours") for c in captions)
    assert any("ten statistical neighbours" in c for c in captions)
    labels = [c["label"] for c in s.charts]
    assert any("beside its ten statistical neighbours" in label for label in labels)


def test_the_batch_narrows_to_a_region_or_to_the_sliding() -> None:
    region = ew.watchlist_report(2020, region="east midlands")
    assert region.title == "Watch list, East Midlands, 2020"
    assert set(region.table["region"]) == {"East Midlands"} and len(region.table) >= 9
    sliding = ew.watchlist_report(2020, sliding_only=True)
    assert len(sliding.table) and bool(sliding.table["sliding"].all())
    assert sliding.title == "Sliding councils, 2020"
    with pytest.raises(ew.EarlyWarningError, match="not an English region"):
        ew.watchlist_report(2020, region="Atlantis")


def test_newer_judgements_from_the_user_reach_every_part(tmp_path: Path) -> None:
    given = tmp_path / "judgements.csv"
    given.write_text(
        "council,date,overall\nDerbyshire,2025-05-12,Requires improvement\n", encoding="utf-8"
    )
    bundled = ew.report("Derbyshire", 2026)
    page = ew.report("Derbyshire", 2026, judgements=given)
    # the data's last judgement of Derbyshire is good (30 October 2023)
    assert bundled.profile["previous_rating"] == "good"
    assert bundled.sources[0].as_at == "30 October 2023, 2.2 years before"
    assert page.profile["previous_rating"] == "requires_improvement"
    ofsted = page.sources[0]
    assert ofsted.as_at == "12 May 2025, 0.6 years before" and "judgements.csv" in ofsted.source
    assert "1 judgement(s) from judgements.csv" in page.comparison_note
    assert page.comparison is not None and page.comparison.loc["previous_rating", "value"] == 3
    assert page.trajectory is not None and bundled.trajectory is not None
    assert "known to 31 March 2025" in bundled.trajectory_note
    assert "known to 12 May 2025" in page.trajectory_note
    batch = ew.watchlist_report(2026, councils=["Derbyshire"], judgements=given)
    assert "from judgements.csv" in batch.note
    assert list(batch.table["previous_rating"]) == ["requires_improvement"]
    assert batch.judgements is not None and len(batch.judgements) == 1  # and so every page
    out = io.StringIO()
    argv = ["report", "Derbyshire", "--year", "2026", "--judgements", str(given)]
    assert main([*argv, "--output", str(tmp_path / "d.html")], out) == 0
    html = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert "12 May 2025" in html and "judgements.csv" in html


def test_the_same_report_renders_to_the_same_bytes() -> None:
    page = ew.report(profile={"council": "Example", "year": 2020, "agency_rate_pct": 20})
    assert page.to_html() == page.to_html()


def test_profile_text_is_escaped() -> None:
    page = ew.report(profile={"council": "<script>alert(1)</script> & Co", "year": 2020})
    html = page.to_html()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_a_report_needs_a_council_and_year_or_a_profile() -> None:
    with pytest.raises(ew.EarlyWarningError, match="not both"):
        ew.report("Derbyshire", 2016, profile={"council": "X", "year": 2016})
    with pytest.raises(ew.EarlyWarningError, match="give a council and a year"):
        ew.report("Derbyshire")
    with pytest.raises(ew.EarlyWarningError, match="not in the panel"):
        ew.report("Narnia", 2016)
    with pytest.raises(ew.ProfileError, match="agency_rate_pct"):
        ew.report(profile={"council": "X", "year": 2016, "agency_rate_pct": 140})


def test_a_council_outside_the_national_data_still_gets_a_page() -> None:
    page = ew.report(profile={"council": "Hypothetical", "year": 2020, "dcs_changes": 3})
    assert page.trajectory is None
    assert "not in the panel" in page.trajectory_note
    assert page.trajectory_note in structure(page.to_html()).text


def test_without_jinja2_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, national: ew.CouncilReport
) -> None:
    national.to_html()  # jinja2 imported and the templates loaded: the check must still run
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(ew.ReportDependencyError, match=r"earlywarning\[report\]"):
        national.to_html()


def test_the_batch_writes_an_index_linking_every_page(
    batch: ew.WatchlistReport, pages: dict[str, Path]
) -> None:
    assert list(batch.table["score"]) == sorted(batch.table["score"], reverse=True)
    assert sorted(batch.table["council"]) == sorted(BATCH)
    index = structure(pages["index"].read_text(encoding="utf-8"))
    links = [a for a in index.addresses if a.endswith(".html")]
    assert links == [page_name(str(c)) for c in batch.table["council"]]
    for link in links:
        assert (pages["index"].parent / link).is_file()
    for row in batch.table.itertuples():
        assert f"{row.score:.0f}" in index.text and str(row.band).capitalize() in index.text


# ----------------------------------------------------------------------------------------------
# Accessible, self-contained and printable (every page, council and index alike)


def test_headings_are_in_order(pages: dict[str, Path]) -> None:
    for name, html in _all_pages(pages):
        levels = [level for level, _ in structure(html).headings]
        assert levels[0] == 1 and levels.count(1) == 1, name
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"{name}: h{before} followed by h{after}"


def test_tables_have_captions_and_scoped_header_cells(pages: dict[str, Path]) -> None:
    for name, html in _all_pages(pages):
        tables = structure(html).tables
        assert tables, name
        for t in tables:
            assert t["first"] == "caption" and t["caption"].strip(), f"{name}: {t}"
            assert t["th"] and all(scope in ("col", "row") for scope in t["th"]), f"{name}: {t}"
            assert t["rows"] >= 1, name


def test_every_chart_states_what_it_shows_in_numbers(pages: dict[str, Path]) -> None:
    for name, html in _all_pages(pages):
        charts = structure(html).charts
        assert charts, name
        for chart in charts:
            assert chart["role"] == "img", name
            label = chart["label"]
            assert len(re.findall(r"\d+", label)) >= 3, f"{name}: {label!r}"
            assert "chart" in label.casefold() and ":" in label


def test_bands_are_written_in_words_not_only_coloured(pages: dict[str, Path]) -> None:
    for name, html in _all_pages(pages):
        s = structure(html)
        bands = re.findall(r'class="band band-(\w+)">([^<]*)<', html)
        for band, word in bands:
            assert word == band.capitalize(), name
        assert any(w.capitalize() in s.text for w in ("low", "moderate", "high", "severe"))


def test_pages_are_self_contained(pages: dict[str, Path]) -> None:
    for name, html in _all_pages(pages):
        s = structure(html)
        assert "http" not in html and "//" not in "".join(s.addresses), name
        assert not s.tags & {"script", "link", "iframe", "object", "embed", "img"}, name
        assert all(a.startswith("#") or re.fullmatch(r"[a-z0-9-]+\.html", a) for a in s.addresses)
        assert "@import" not in s.styles and "url(" not in s.styles and "@font-face" not in s.styles
        assert len(s.ids) == len(set(s.ids)), f"{name}: an id is used twice"
        assert s.lang == "en-GB" and "title" in s.tags


def test_the_print_stylesheet_fits_a4(pages: dict[str, Path]) -> None:
    styles = structure(pages["council"].read_text(encoding="utf-8")).styles
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", styles)
    media = styles[styles.index("@media print") :]
    assert re.search(r"table, figure[^{]*\{[^}]*break-inside:\s*avoid", media)


# ----------------------------------------------------------------------------------------------
# The command line


def test_cli_writes_a_council_report(tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "derbyshire.html"
    assert main(["report", "Derbyshire", "--year", "2016", "--output", str(target)], out) == 0
    assert out.getvalue() == f"wrote {target}: Derbyshire (2016) scores 6, low\n"
    assert (
        structure(target.read_text(encoding="utf-8")).headings[0][1].startswith("Derbyshire, 2016")
    )


def test_cli_writes_a_report_from_a_profile_and_a_batch(tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "mine.html"
    assert main(["report", "--profile", str(PROFILE), "--output", str(target)], out) == 0
    assert "scores 46, high" in out.getvalue()
    assert f"From the profile in {PROFILE}" in target.read_text(encoding="utf-8")
    argv = ["report", "--watchlist", "--year", "2020", "--council", "Rutland"]
    assert main([*argv, "--output", str(tmp_path / "batch")], out) == 0
    assert sorted(p.name for p in (tmp_path / "batch").iterdir()) == ["index.html", "rutland.html"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Derbyshire", "--year", "2016", "--profile", str(PROFILE)], "not both"),
        (["Derbyshire"], "no such file; for the council, give --year YEAR"),
        (["--watchlist"], "needs --year"),
        (["Narnia", "--year", "2016"], "'Narnia' is not a council in the data"),
    ],
)
def test_cli_refuses_what_it_cannot_report(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.html"
    assert main(["report", *argv, "--output", str(target)], io.StringIO()) == 1
    assert message in capsys.readouterr().err
    assert not target.exists()


# ----------------------------------------------------------------------------------------------
# In a real browser


# Launching Chromium takes seconds: the tests that read what it rendered are marked slow.
@pytest.fixture(scope="module")
def rendered(pages: dict[str, Path]) -> dict[str, chromium.Rendered]:
    if chromium.executable() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run should have installed it")
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs these")
    names = ("council", "index")
    return dict(zip(names, chromium.render(*(pages[n] for n in names)), strict=True))


def _pixels(png: bytes) -> np.ndarray:
    from matplotlib import image

    return np.asarray(image.imread(io.BytesIO(png), format="png"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["council", "index"])
def test_the_browser_draws_a_page_that_is_not_blank(
    rendered: dict[str, chromium.Rendered], pages: dict[str, Path], name: str
) -> None:
    pixels = _pixels(rendered[name].screenshot_png)
    assert pixels.shape[:2] == (chromium.HEIGHT, chromium.WIDTH)
    rgb = pixels[..., :3]
    ink = (rgb.min(axis=2) < 0.9).mean()  # share of pixels that are not near white
    assert 0.02 < ink < 0.6, ink
    rgb8 = (rgb[::2, ::2] * 255).astype(np.uint32)
    colours = np.unique(rgb8[..., 0] << 16 | rgb8[..., 1] << 8 | rgb8[..., 2])
    assert len(colours) > 50, "text, charts and band fills give many colours"
    probes = rendered[name].probes
    assert probes["scripts"] == 0 and probes["unresolved_uses"] == 0
    assert probes["charts"] == len(structure(pages[name].read_text(encoding="utf-8")).charts)
    assert all(width >= 600 for width in probes["chart_widths"]), probes
    assert probes["h1"].endswith("early-warning report" if name == "council" else "2020")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["council", "index"])
def test_the_browser_logs_no_error_and_fetches_nothing(
    rendered: dict[str, chromium.Rendered], pages: dict[str, Path], name: str
) -> None:
    assert rendered[name].errors == []
    assert rendered[name].requests == [pages[name].resolve().as_uri()]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["council", "index"])
def test_the_page_prints_to_a4(rendered: dict[str, chromium.Rendered], name: str) -> None:
    pdf = rendered[name].pdf
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert 1 <= pages <= 20, pages  # tables and charts are kept whole, so a page runs long
    if name == "council":
        assert pages >= 3, "the council page is longer than two sheets"
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes
    for width, height in boxes:
        # A4 is 595.28 by 841.89 points
        assert abs(float(width) - 595.28) < 2 and abs(float(height) - 841.89) < 2


def test_a_report_reads_the_neighbour_model_it_is_given(tmp_path: Path) -> None:
    newest, older = ew.report("Barnsley", 2024), ew.report("Barnsley", 2024, neighbours="2021")

    def peers_source(page: ew.CouncilReport) -> str:
        return next(s.source for s in page.sources if "statistical neighbours" in s.source)

    assert peers_source(newest).endswith("(2025 model)")
    assert peers_source(older).endswith("(2021 model)")
    assert newest.comparison is not None and older.comparison is not None
    codes = [set(p.comparison.attrs["neighbours"]["la_code"]) for p in (newest, older)]
    assert codes[0] != codes[1]
    # the command line passes the model through, to the page as to the batch
    page = tmp_path / "barnsley.html"
    assert (
        main(
            ["report", "Barnsley", "--year", "2024", "--neighbours", "2021", "--output", str(page)],
            out=io.StringIO(),
        )
        == 0
    )
    assert "(2021 model)" in page.read_text(encoding="utf-8")
    batch = ew.watchlist_report(2024, councils=["Barnsley"], neighbours="2021")
    assert peers_source(batch.pages[0]).endswith("(2021 model)")
