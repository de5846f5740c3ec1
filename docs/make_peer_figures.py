"""Draw the figure shown in docs/neighbours.md.

    python docs/make_peer_figures.py [OUTPUT_DIR]

Writes PNG files to OUTPUT_DIR (default: docs/img/peers beside this script). The tests run this
script into a temporary directory; after a change to the rules or the chart, run it with no
argument and commit the new image.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no window: this script only writes files

import matplotlib.pyplot as plt

from earlywarning.compare import peer_trajectory
from earlywarning.peer_plots import plot_peers

# Without this, every PNG would record the matplotlib version and differ after any upgrade.
_METADATA = {"Software": None}


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    ax = plot_peers(peer_trajectory("Derbyshire", range(2018, 2027)))
    path = out_dir / "derbyshire-peers.png"
    ax.figure.savefig(path, dpi=100, metadata=_METADATA)
    plt.close(ax.figure)
    print(path)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "img" / "peers")
