"""Time to build a council's report page, first in a fresh process and then warm, against a
floor measured in the same run.

    python benchmarks/bench_report.py [COUNCIL] [YEAR] [--rounds N]

Not a test; run it by hand. A page costs two things: gathering its figures (``ew.report``: the
national profile, the trajectory, the comparison with every council that year, the smallest
change) and rendering them (``CouncilReport.to_html``, mostly drawing three charts).

* **First page, fresh process**: ``import earlywarning``, then one page, timed in a child
  process, as ``earlywarning report COUNCIL YEAR`` pays them. The England-wide years a page
  reads are built here and kept for the process.
* **Warm page**: the next council of a batch (the use case that makes speed matter: a region's
  or England's 150 councils in one run). Each round gathers and renders a different council of
  the same year; the median is the figure the 0.3 s target applies to.
* **Floor**: the same page rendered with empty charts, which is what a page would cost if drawing
  were free (a lower bound on rendering, measured in the same run).

The machine this runs on is shared and noisy: quote the medians and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from unittest import mock

import earlywarning as ew
from earlywarning.datasets import england_profiles
from earlywarning.report import _html  # noqa: F401  (makes the module importable below)

html = sys.modules["earlywarning.report._html"]

TARGET_SECONDS = 0.3

_FRESH = """
import json, sys, time
start = time.perf_counter()
import earlywarning as ew
imported = time.perf_counter()
page = ew.report(sys.argv[1], int(sys.argv[2]))
gathered = time.perf_counter()
page.to_html()
rendered = time.perf_counter()
print(json.dumps({"import": imported - start, "figures": gathered - imported,
                  "page": rendered - gathered}))
"""


def fresh_process(council: str, year: int) -> dict[str, float]:
    """The first page's times in a new Python process."""
    out = subprocess.run(
        [sys.executable, "-c", _FRESH, council, str(year)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def median_time(job: Callable[[], object], rounds: int) -> float:
    job()  # the first call imports and caches; it is not what a batch pays per page
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def warm_pages(councils: list[str], year: int) -> tuple[list[float], list[float]]:
    """Each council's time to gather its figures and to render its page, in turn."""
    figures, pages = [], []
    for council in councils:
        start = time.perf_counter()
        page = ew.report(council, year)
        middle = time.perf_counter()
        page.to_html()
        figures.append(middle - start)
        pages.append(time.perf_counter() - middle)
    return figures, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("council", nargs="?", default="Derby")
    parser.add_argument("year", nargs="?", type=int, default=2020)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    first = fresh_process(args.council, args.year)

    page = ew.report(args.council, args.year)
    page.to_html()  # this process's first page: imports, fonts, the England-wide years
    others = [c for c in england_profiles(args.year)["council"] if c != args.council]
    figures, pages = warm_pages(others[: args.rounds], args.year)
    whole = [f + p for f, p in zip(figures, pages, strict=True)]

    empty = html.Chart("<svg></svg>", "")
    with (
        mock.patch.object(html, "contributions_chart", lambda *a: empty),
        mock.patch.object(html, "trajectory_chart", lambda *a: empty),
        mock.patch.object(html, "neighbours_chart", lambda *a: empty),
    ):
        floor = median_time(page.to_html, args.rounds)
    render = statistics.median(pages)

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:7.1f} ms"

    print(f"{args.council} {args.year}")
    print("first page, fresh process:")
    print(f"  import earlywarning:            {ms(first['import'])}")
    print(f"  figures (ew.report):            {ms(first['figures'])}")
    print(f"  page (to_html, three charts):   {ms(first['page'])}")
    print(f"  the page in all:                {ms(first['figures'] + first['page'])}")
    print(f"warm page, median of {len(whole)} other councils of {args.year}:")
    print(f"  figures (ew.report):            {ms(statistics.median(figures))}")
    print(f"  page (to_html, three charts):   {ms(render)}")
    print(
        f"  the page in all:                {ms(statistics.median(whole))} "
        f"(target {TARGET_SECONDS * 1000:.0f} ms; slowest {max(whole) * 1000:.0f} ms)"
    )
    print(f"  floor (same page, no charts):   {ms(floor)}")
    print(
        f"  the charts:                     {ms(render - floor)} "
        f"({render / max(floor, 1e-9):.0f}x the floor)"
    )


if __name__ == "__main__":
    main()
