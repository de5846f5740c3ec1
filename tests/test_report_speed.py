"""Settings that make the report's charts cheaper to draw must not change what is drawn.

``earlywarning.report._html._SPEED`` holds matplotlib settings chosen only for what they save
(see docs/performance.md). Each chart a page or an index shows is drawn here with them and
without them, and the SVG must be the same bytes: a setting that moved a single element would
fail here, however the picture looked.
"""

from __future__ import annotations

import pandas as pd
import pytest

import earlywarning as ew

pytest.importorskip("matplotlib")
pytest.importorskip("jinja2")

from earlywarning.report import _html


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


def test_the_speed_settings_draw_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _html._SPEED, "there are settings to check"
    page = ew.report("Derby", 2020)
    fast = _charts(page)
    monkeypatch.setattr(_html, "_SPEED", {})
    plain = _charts(page)
    assert [len(svg) for svg in fast] == [len(svg) for svg in plain]
    for drawn, reference in zip(fast, plain, strict=True):
        assert drawn == reference
