"""Time to build a council's report page, against a floor measured in the same run.

    python benchmarks/bench_report.py [COUNCIL] [YEAR] [--rounds N]

Not a test; run it by hand. The report's figures (``ew.report``) are computed once; then the
page is rendered ``--rounds`` times (default 15), and so is the floor: the same template with the
same figures but empty charts, which is what the page would cost if drawing were free. It prints
the median time per page, the floor, and the charts' share. The machine this runs on is shared
and noisy: the median of several rounds, and the ratio to the floor, are what to quote.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from unittest import mock

import earlywarning as ew
from earlywarning.report import _html  # noqa: F401  (makes the module importable below)

html = sys.modules["earlywarning.report._html"]


def median_time(job: Callable[[], object], rounds: int) -> float:
    job()  # the first call imports and caches; it is not what a batch pays per page
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("council", nargs="?", default="Derby")
    parser.add_argument("year", nargs="?", type=int, default=2020)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    start = time.perf_counter()
    page = ew.report(args.council, args.year)
    figures = time.perf_counter() - start
    empty = html.Chart("<svg></svg>", "")
    with (
        mock.patch.object(html, "contributions_chart", lambda *a: empty),
        mock.patch.object(html, "trajectory_chart", lambda *a: empty),
        mock.patch.object(html, "neighbours_chart", lambda *a: empty),
    ):
        floor = median_time(page.to_html, args.rounds)
    whole = median_time(page.to_html, args.rounds)
    print(f"{args.council} {args.year}, median of {args.rounds} rounds:")
    print(f"  figures (ew.report, once):      {figures * 1000:7.1f} ms")
    print(f"  page with its three charts:     {whole * 1000:7.1f} ms")
    print(f"  floor (same page, no charts):   {floor * 1000:7.1f} ms")
    print(
        f"  the charts:                     {(whole - floor) * 1000:7.1f} ms "
        f"({whole / max(floor, 1e-9):.0f}x the floor)"
    )


if __name__ == "__main__":
    main()
