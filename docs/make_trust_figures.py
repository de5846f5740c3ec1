"""Draw the figures of docs/trust.md and print the tables it shows.

    python docs/make_trust_figures.py [OUTPUT_DIR]

Writes the backtest chart and the bands' reliability chart as PNG files to OUTPUT_DIR (default:
docs/img/trust beside this script), then prints the backtest and the band frequencies: the same
figures the page's code blocks print. The tests run this script into a temporary directory;
after a change to the rules or the data, run it with no argument and commit the images.
"""

from __future__ import annotations

import sys
from pathlib import Path

import earlywarning as ew
from earlywarning.trust_plots import backtest_figure, reliability_figure

# Without this, every PNG would record the matplotlib version and differ after any upgrade.
_METADATA = {"Software": None}


def main(argv: list[str]) -> int:
    """Write the figures, then print the tables."""
    here = Path(__file__).resolve().parent
    out_dir = Path(argv[1]) if len(argv) > 1 else here / "img" / "trust"
    out_dir.mkdir(parents=True, exist_ok=True)
    result = ew.backtest()
    frequencies = ew.band_frequencies()
    drawn = {
        "backtest.png": backtest_figure(result),
        "reliability.png": reliability_figure(frequencies),
    }
    for name, figure in drawn.items():
        figure.savefig(out_dir / name, dpi=100, metadata=_METADATA)
        print(f"wrote {out_dir / name}", file=sys.stderr)
    print(result.to_text())
    print()
    print(frequencies.to_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
