"""CPU time to render a council's page with the report's drawing shortcuts and without them.

    python benchmarks/bench_report_drawing.py [--rounds N] [--pages N]

Not a test; run it by hand. The report draws its charts with two shortcuts that change what
drawing costs and never what it draws (``earlywarning.report._html``: the ``_SPEED`` settings
and the figure class sharing one text measurer). This renders the same pages of 2020 in one
process, alternately with plain matplotlib (no settings, matplotlib's own ``Figure``: what the
report did before) and with the shortcuts, and prints each one's CPU time per page
(``time.process_time``, best and median of the rounds) and whether the pages are the same bytes.
The machine is shared and noisy: alternating in one process keeps the two under the same load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import types

import earlywarning as ew
from earlywarning.datasets import england_profiles
from earlywarning.report import _html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args()

    import matplotlib.figure

    class Plain(matplotlib.figure.Figure):  # type: ignore[misc]
        measure = types.SimpleNamespace(fonts=())

    ways = {
        "plain matplotlib": ((lambda _: Plain), {}),
        "with the shortcuts": (_html._figure_class, dict(_html._SPEED)),
    }
    councils = list(england_profiles(2020)["council"])[: args.pages]
    pages = [ew.report(council, 2020) for council in councils]
    pages[0].to_html()  # imports, fonts
    times: dict[str, list[float]] = {name: [] for name in ways}
    html: dict[str, list[str]] = {}
    for _ in range(args.rounds):
        for name, (figures, settings) in ways.items():
            _html._figure_class, _html._SPEED = figures, settings  # type: ignore[assignment]
            start = time.process_time()
            html[name] = [page.to_html() for page in pages]
            times[name].append((time.process_time() - start) / len(pages))
    for name, seconds in times.items():
        print(
            f"{name:20} best {min(seconds) * 1000:6.1f} ms a page, "
            f"median {statistics.median(seconds) * 1000:6.1f} ms"
        )
    same = len({tuple(pages) for pages in html.values()}) == 1
    print("the same bytes" if same else "DIFFERENT BYTES")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
