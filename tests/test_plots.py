"""The charts: bars that match the contributions, band shading that matches the ruleset."""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import run_docs_script

import earlywarning as ew
from earlywarning.errors import EarlyWarningError
from earlywarning.plots import (
    MITIGATION_COLOUR,
    RED_FLAG_COLOUR,
    RISK_COLOUR,
    PlotDependencyError,
    plot_band_edges,
    plot_contributions,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
from matplotlib.colors import to_rgba  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "profiles" / "derbyshire-2016.yaml"
DOCS_IMG = ROOT / "docs" / "img"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def derbyshire() -> ew.Assessment:
    return ew.score(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))


def bars(ax: plt.Axes) -> list[Any]:
    assert len(ax.containers) == 1
    return list(ax.containers[0])


def test_one_bar_per_contribution_with_its_points_as_width() -> None:
    a = derbyshire()
    ax = plot_contributions(a)
    drawn = bars(ax)
    assert len(drawn) == len(a.contributions)
    assert {b.get_gid(): b.get_width() for b in drawn} == {
        c.indicator: c.points for c in a.contributions
    }
    widths = [b.get_width() for b in drawn]
    assert widths == sorted(widths, reverse=True)  # largest at the top


def test_title_names_council_year_score_band_and_coverage() -> None:
    ax = plot_contributions(derbyshire())
    assert ax.get_title(loc="left") == (
        "Derbyshire (2016): score 46 of 100, high band\ndata for 42% of the ruleset's weight"
    )


def test_risks_and_mitigations_have_their_own_colours() -> None:
    a = ew.score({"council": "Example", "year": 2021, "budget_cut_pct": 30, "reinvestment_pct": 2})
    colour = {b.get_gid(): b.get_facecolor() for b in bars(plot_contributions(a))}
    assert colour["budget_cut"] == to_rgba(RISK_COLOUR)
    assert colour["reinvestment"] == to_rgba(MITIGATION_COLOUR)
    points = {c.indicator: c.points for c in a.contributions}
    assert points["budget_cut"] > 0 > points["reinvestment"]


def test_red_flagged_rules_are_marked() -> None:
    a = ew.score(
        {
            "council": "Example",
            "year": 2021,
            "previous_rating": "good",
            "practice_concerns_raised": True,
        }
    )
    ax = plot_contributions(a)
    flagged = {b.get_gid(): b for b in bars(ax)}
    assert flagged["practice_concerns"].get_edgecolor() == to_rgba(RED_FLAG_COLOUR)
    assert flagged["previous_rating"].get_edgecolor() != to_rgba(RED_FLAG_COLOUR)
    labels = [t.get_text() for t in ax.texts]
    assert "+15  red flag: high" in labels
    assert ax.get_title(loc="left").startswith(
        "Example (2021): score 15 of 100, high band (lifted by a red flag)"
    )


def test_no_data_draws_no_bars_and_says_so() -> None:
    ax = plot_contributions(ew.score({"council": "Example", "year": 2021}))
    assert not ax.containers
    assert [t.get_text() for t in ax.texts] == ["No indicator had data"]


def test_draws_on_the_axes_given() -> None:
    _, (left, right) = plt.subplots(1, 2)
    assert plot_contributions(derbyshire(), ax=right) is right
    assert not left.containers and right.containers


def band_strips(ax: plt.Axes) -> dict[str, tuple[float, float, float, float]]:
    """Each band patch as (x, width, y, height): x in axes units, y in score units."""
    return {
        p.get_gid().removeprefix("band-"): (p.get_x(), p.get_width(), p.get_y(), p.get_height())
        for p in ax.patches
        if (p.get_gid() or "").startswith("band-")
    }


@pytest.mark.parametrize("edges", [None, (0, 20, 40, 60)])
def test_band_shading_spans_the_ruleset_band_edges(edges: tuple[float, ...] | None) -> None:
    rules = ew.load_ruleset()
    if edges is not None:
        names = ("low", "moderate", "high", "severe")
        bands = [
            {"name": n, "from": lo, **({"below": hi} if hi is not None else {})}
            for n, lo, hi in zip(names, edges, [*edges[1:], None], strict=True)
        ]
        rules = rules.replace(bands=bands)
    _, ax = plt.subplots()
    assert plot_band_edges(ax, rules) is ax
    strips = band_strips(ax)
    assert list(strips) == [b.name for b in rules.bands]
    for band in rules.bands:
        x, width, y, height = strips[band.name]
        top = band.below if band.below is not None else 100.0
        assert (x, width) == (0.0, 1.0)  # the full width of the axes
        assert (y, y + height) == (band.from_, top)
    assert tuple(float(v) for v in ax.get_ylim()) == (0.0, 100.0)
    assert ax.get_ylabel() == "Score (0 to 100)"


def test_band_shading_uses_the_default_ruleset_when_none_is_given() -> None:
    _, ax = plt.subplots()
    plot_band_edges(ax)
    edges = [(y, y + h) for _, _, y, h in band_strips(ax).values()]
    bands = ew.load_ruleset().bands
    assert edges == [(b.from_, b.below if b.below is not None else 100.0) for b in bands]


def test_without_matplotlib_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # None in sys.modules makes an import fail as if the package were not installed
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(PlotDependencyError, match=r'pip install "earlywarning\[plot\]"') as caught:
        plot_contributions(derbyshire())
    assert isinstance(caught.value, EarlyWarningError)
    assert isinstance(caught.value, ImportError)
    with pytest.raises(PlotDependencyError):
        plot_band_edges(None)  # type: ignore[arg-type]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_make_figures_draws_the_images_the_docs_show(tmp_path: Path) -> None:
    made, _ = run_docs_script("make_figures.py", tmp_path)
    committed = sorted(p.name for p in DOCS_IMG.glob("*.png"))
    assert made and made == committed, "run python docs/make_figures.py and commit docs/img"
    page = (ROOT / "docs" / "plots.md").read_text(encoding="utf-8")
    for name in made:
        assert f"img/{name}" in page
        assert png_size(tmp_path / name) == png_size(DOCS_IMG / name)


@pytest.mark.slow
def test_make_case_figures_draws_the_images_the_cases_page_shows(tmp_path: Path) -> None:
    made, _ = run_docs_script("make_case_figures.py", tmp_path)
    committed = sorted(p.name for p in (DOCS_IMG / "cases").glob("*.png"))
    assert made == sorted(f"{case.id}.png" for case in ew.load_cases())
    assert made == committed, "run python docs/make_case_figures.py and commit docs/img/cases"
    page = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8")
    for name in made:
        assert f"img/cases/{name}" in page
        assert png_size(tmp_path / name) == png_size(DOCS_IMG / "cases" / name)
