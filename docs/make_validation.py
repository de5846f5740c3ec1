"""Draw the figures of docs/validation.md and print the tables it shows.

    python docs/make_validation.py [OUTPUT_DIR]

Writes the ROC chart and a trajectory example as PNG files to OUTPUT_DIR (default:
docs/img/validation beside this script), then prints the validation report and the AUC of each
rule alone: the same figures the page's code blocks print. The tests run this script into a
temporary directory; after a change to the rules, run it with no argument, commit the images,
and copy the new figures into the page (its tests say which blocks differ).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no window: this script only writes files

import matplotlib.pyplot as plt

import earlywarning as ew
from earlywarning.plots import plot_roc, plot_trajectory

# The documented case the trajectory example follows.
TRAJECTORY_COUNCIL = "Derbyshire"

# Without this, every PNG would record the matplotlib version and differ after any upgrade.
_METADATA = {"Software": None}


def roc_figure(report: ew.ValidationReport, out_dir: Path) -> Path:
    """ROC curves of the ruleset and the baseline for "judged below good"."""
    ax = plot_roc(report, "below_good")
    path = out_dir / "roc.png"
    ax.figure.savefig(path, dpi=100, metadata=_METADATA)
    plt.close(ax.figure)
    return path


def trajectory_figure(out_dir: Path) -> Path:
    """One council's score by year, 2017-2025, over the bands."""
    scores = ew.england_scores(councils=[TRAJECTORY_COUNCIL])
    ax = plot_trajectory(scores, TRAJECTORY_COUNCIL)
    path = out_dir / f"trajectory-{TRAJECTORY_COUNCIL.lower()}.png"
    ax.figure.savefig(path, dpi=100, metadata=_METADATA)
    plt.close(ax.figure)
    return path


def main(argv: list[str]) -> int:
    """Write the figures, then print the tables."""
    out_dir = (
        Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "img" / "validation"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    report = ew.validate()
    for path in (roc_figure(report, out_dir), trajectory_figure(out_dir)):
        print(f"wrote {path}", file=sys.stderr)
    print(report.to_text())
    print()
    rules = report.indicators()
    print(rules.loc[rules["with_data"] > 0, ["with_data", "auc_points", "auc_value"]].round(2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
