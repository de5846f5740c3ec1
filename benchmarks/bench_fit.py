"""Speed of the fit's coordinate search, in CPU seconds (process_time). Not a test.

    python benchmarks/bench_fit.py [--repeats N]   # default: best of 3

Times three calls that together are most of the search's use:

* ``ew.fit`` on the training period's inspections (outcome: below good), default settings;
* ``ew.fit`` on the documented cases (outcome: preceded a decline), default settings;
* the cases' fit with ``loo=True`` (leave-one-out, one refit per case), as the calibration
  tests and ``earlywarning fit --cases --loo`` run it.

Each line gives the least CPU time of the repeats and, as a floor measured in the same run,
its ratio to one ``evaluate_columns`` of the same rows (what scoring one candidate costs): the
machine is shared and noisy, so compare ratios between runs, not absolute times.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import earlywarning as ew
from earlywarning import datasets
from earlywarning.calibrate import case_outcomes
from earlywarning.engine import evaluate_columns
from earlywarning.profile import profile_columns


def best(call: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: list[str]) -> None:
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 3
    training = datasets.inspection_profiles()
    cases, declined = case_outcomes()
    rules = ew.load_ruleset()
    jobs: list[tuple[str, Callable[[], Any], Any]] = [
        (
            "fit, training inspections",
            lambda: ew.fit(None, training, training["below_good"]),
            training,
        ),
        ("fit, documented cases", lambda: ew.fit(None, cases, declined), cases),
        ("fit, cases, leave-one-out", lambda: ew.fit(None, cases, declined, loo=True), cases),
    ]
    for name, call, frame in jobs:
        cols = profile_columns(frame)
        floor = best(lambda cols=cols: evaluate_columns(cols, rules), 20)
        took = best(call, repeats)
        print(f"{name:28} {took:8.3f} s  ({took / floor:8.0f} evaluations of its rows)")


if __name__ == "__main__":
    main(sys.argv[1:])
