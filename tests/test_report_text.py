"""Report pages treat user text as text, and draw without shared state (issue 19, item 3).

On main a council's name reached matplotlib's mathematics parser (``$x^2$`` typeset, a stray
``$^$`` a traceback), the SVG post-processing rewrote text that looked like markup attributes,
and pages drawn from several threads differed (pyplot's state and its rc settings are shared).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pytest

import earlywarning as ew

pytest.importorskip("jinja2")
matplotlib = pytest.importorskip("matplotlib")

DOLLARS = "Costs $x^2$ and $^$"
MARKUP = 'Shire id="a" href="#b" url(#c) xmlns="d"'


def svg_texts(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", html)]


def page_of(council: str, **fields: object) -> str:
    profile = {"council": council, "year": 2020, "budget_cut_pct": 20, **fields}
    return ew.report(profile=profile).to_html()


@pytest.mark.parametrize("council", [DOLLARS, MARKUP, "Bury \\$ and \\", "a_b^c %&{}"])
def test_a_council_name_is_drawn_as_written(council):
    texts = svg_texts(page_of(council))
    assert any(t.startswith(f"{council} (2020): score") for t in texts), texts[:3]


def test_dollars_in_the_name_are_never_mathematics_even_with_tex_on():
    with matplotlib.rc_context({"text.usetex": True}):  # a user's own setting stays theirs
        html = page_of(DOLLARS)
    assert any(t.startswith(DOLLARS) for t in svg_texts(html))
    assert matplotlib.rcParams["text.usetex"] is False


def test_markup_in_user_text_is_not_rewritten():
    html = page_of(MARKUP)
    assert f"{MARKUP} (2020)" in unescape(html)
    assert "contributions-a" not in html


def test_every_chart_id_is_unique_and_every_reference_resolves():
    html = ew.report("Derby", 2020).to_html()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    refs = re.findall(r'href="#([^"]+)"', html) + re.findall(r"url\(#([^)]+)\)", html)
    assert refs and set(refs) <= set(ids)
    assert "xmlns" not in html and "<metadata" not in html


def test_pages_from_threads_are_the_pages_drawn_one_by_one():
    reports = [ew.report(c, 2020) for c in ("Derby", "Leeds", "Kent")]
    serial = [r.to_html() for r in reports]
    with ThreadPoolExecutor(max_workers=6) as pool:
        threaded = list(pool.map(lambda r: r.to_html(), reports * 2))
    assert threaded == serial * 2


def test_drawing_a_page_leaves_pyplot_alone():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    page_of("Anywhere")
    assert plt.get_fignums() == before


def test_a_control_character_in_a_name_neither_breaks_the_chart_nor_reaches_the_page():
    # found by the fuzz suite: "\x1b" went raw into the SVG's XML, which then failed to parse
    html = page_of("Bury\x1b[2J\x07")
    assert "\x1b" not in html and "\x07" not in html
    assert any(t.startswith("Bury\\x1b[2J\\x07 (2020)") for t in svg_texts(html))
