"""Draw the contributions chart of every documented case, for docs/cases.md.

    python docs/make_case_figures.py [OUTPUT_DIR]

Writes one PNG per case, named after the case id (``derbyshire-2016.png`` and so on), to
OUTPUT_DIR (default: docs/img/cases beside this script). Each chart is the case's encoded profile
scored with the bundled rules, exactly as the page's code blocks score it. The tests run this
script into a temporary directory; after a change to the rules, the cases or the plots, run it
with no argument and commit the new images.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no window: this script only writes files

import matplotlib.pyplot as plt

import earlywarning as ew
from earlywarning.plots import plot_contributions

# Without this, every PNG would record the matplotlib version and differ after any upgrade.
_METADATA = {"Software": None}


def case_figure(case_id: str, profile: dict[str, object], out_dir: Path) -> Path:
    """One case's points, rule by rule."""
    ax = plot_contributions(ew.score(profile))
    path = out_dir / f"{case_id}.png"
    ax.figure.savefig(path, dpi=100, metadata=_METADATA)
    plt.close(ax.figure)
    return path


def main(argv: list[str]) -> int:
    """Write a figure for every bundled case and print where each went."""
    out_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "img" / "cases"
    out_dir.mkdir(parents=True, exist_ok=True)
    for case in ew.load_cases():
        print(f"wrote {case_figure(case.id, case.profile, out_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
