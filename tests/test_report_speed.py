"""What makes the report's charts cheaper to draw must not change what is drawn.

Two things only save time (see ``earlywarning.report._html``): matplotlib settings kept in
``_SPEED``, and one shared text measurer that remembers each text's size across charts. Each chart
a page or an index shows is drawn here with them and with plain matplotlib, and the SVG must be
the same bytes: a change that moved a single element would fail here, however the picture looked.
"""

from __future__ import annotations

import types

import pandas as pd
import pytest

import earlywarning as ew

matplotlib = pytest.importorskip("matplotlib")
figure = pytest.importorskip("matplotlib.figure")
pytest.importorskip("jinja2")

from earlywarning.report import _html  # noqa: E402  (only once matplotlib is known to be there)


class _PlainFigure(figure.Figure):  # type: ignore[misc]
    """matplotlib's own figure, measuring text afresh for every chart."""

    measure = types.SimpleNamespace(fonts=())


def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_html, "_SPEED", {})
    monkeypatch.setattr(_html, "_figure_class", lambda _: _PlainFigure)


@pytest.fixture(scope="module")
def derby() -> ew.CouncilReport:
    return ew.report("Derby", 2020)


def _charts(page: ew.CouncilReport) -> list[str]:
    assert page.trajectory is not None and page.comparison is not None
    table = pd.DataFrame(
        {"council": ["A", "B $2$ (longer name)"], "score": [40.0, 12.0], "band": ["high", "low"]}
    )
    return [
        _html.contributions_chart(page.assessment).svg,
        _html.trajectory_chart(page.trajectory, page.assessment.council).svg,
        _html.neighbours_chart(page.comparison).svg,
        _html.watchlist_chart(table, "Watch list, 2020").svg,
    ]


def test_the_fast_charts_are_the_plain_charts_bytes(
    derby: ew.CouncilReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _html._SPEED, "there are settings to check"
    fast = _charts(derby)
    _plain(monkeypatch)
    plain = _charts(derby)
    assert [len(svg) for svg in fast] == [len(svg) for svg in plain]
    for drawn, reference in zip(fast, plain, strict=True):
        assert drawn == reference


def test_remembered_sizes_follow_the_font_settings(
    derby: ew.CouncilReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generic family is resolved through the user's settings: a size measured in one font is
    never reused for another."""
    assert derby.comparison is not None
    sans = _html.neighbours_chart(derby.comparison).svg  # the sizes in DejaVu Sans remembered
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Serif"]}):
        serif = _html.neighbours_chart(derby.comparison).svg
        _plain(monkeypatch)
        reference = _html.neighbours_chart(derby.comparison).svg
    assert serif != sans, "the other font moves the labels"
    assert serif == reference
