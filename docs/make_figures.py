"""Draw the figures shown in docs/plots.md.

    python docs/make_figures.py [OUTPUT_DIR]

Writes PNG files to OUTPUT_DIR (default: docs/img beside this script). The tests run this script
into a temporary directory, so the figures can always be regenerated from the code; after a
change to the rules or the plots, run it with no argument and commit the new images.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no window: this script only writes files

import matplotlib.pyplot as plt
import yaml

import earlywarning as ew
from earlywarning.plots import plot_band_edges, plot_contributions

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "examples" / "profiles" / "derbyshire-2016.yaml"

# The same one-field changes as examples/what_if.py, a few of them
WHAT_IF = [
    ("as reported", {}),
    ("no restructure", {"restructure": False}),
    ("5% reinvested", {"reinvestment_pct": 5}),
    ("budget £120m", {"budget_current_gbp_m": 120}),
    ("interim director", {"interim_dcs": True}),
    ("caseload 21", {"avg_caseload": 21}),
]

# Without this, every PNG would record the matplotlib version and differ after any upgrade.
_METADATA = {"Software": None}


def contributions_figure(out_dir: Path) -> Path:
    """The bundled example's points, rule by rule."""
    fields = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    ax = plot_contributions(ew.score(fields))
    path = out_dir / "derbyshire-2016-contributions.png"
    ax.figure.savefig(path, dpi=100, metadata=_METADATA)
    plt.close(ax.figure)
    return path


def what_if_figure(out_dir: Path) -> Path:
    """The bundled example and one-field changes to it, over the four bands."""
    fields = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    scores = [ew.score({**fields, **change}).score for _, change in WHAT_IF]
    fig, ax = plt.subplots(figsize=(8.0, 4.0), layout="constrained")
    plot_band_edges(ax)
    positions = range(len(WHAT_IF))
    ax.scatter(positions, scores, color="#222222", zorder=3)
    for x, y in zip(positions, scores, strict=True):
        ax.annotate(f"{y:.0f}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center")
    ax.set_xticks(list(positions), [label for label, _ in WHAT_IF], fontsize="small")
    ax.set_xlim(-0.5, len(WHAT_IF) - 0.5)
    ax.set_title("Derbyshire 2016: what if one thing had been different?", loc="left")
    path = out_dir / "derbyshire-2016-what-if.png"
    fig.savefig(path, dpi=100, metadata=_METADATA)
    plt.close(fig)
    return path


def main(argv: list[str]) -> int:
    """Write every figure and print where each went."""
    out_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "img"
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in (contributions_figure(out_dir), what_if_figure(out_dir)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
