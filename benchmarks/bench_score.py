"""Throughput of the scoring engine: prints rows per second. Not a test; run it by hand.

    python benchmarks/bench_score.py [ROWS]

It times three things on random what-if profiles drawn within each field's range:
score_frame on ROWS rows (default 1,000,000), a Python loop of score() over 2,000 profiles,
and score() per call.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

import earlywarning as ew


def random_profiles(n: int, seed: int = 0) -> pd.DataFrame:
    """Random but valid profiles, with about a tenth of each measure missing."""
    rng = np.random.default_rng(seed)

    def col(lo: float, hi: float) -> np.ndarray:
        x = rng.uniform(lo, hi, n).round(1)
        x[rng.random(n) < 0.1] = np.nan
        return x

    return pd.DataFrame(
        {
            "council": np.full(n, "What-if"),
            "year": np.full(n, 2024),
            "previous_rating": rng.choice(
                ["outstanding", "good", "requires_improvement", "inadequate"], n
            ),
            "budget_cut_pct": col(-10, 50),
            "management_reduction_pct": col(-20, 50),
            "dcs_changes": rng.integers(0, 5, n),
            "interim_dcs": rng.random(n) < 0.2,
            "avg_caseload": col(10, 28),
            "caseload_target": col(14, 20),
            "agency_rate_pct": col(0, 45),
            "turnover_rate_pct": col(5, 35),
            "vacancy_rate_pct": col(0, 40),
            "absence_rate_pct": col(0, 8),
            "demand_change_pct": col(-30, 60),
            "cla_rate_per_10k": col(30, 150),
            "early_help_spend_change_pct": col(-80, 20),
            "restructure": rng.random(n) < 0.3,
            "reinvestment_pct": col(0, 8),
        }
    )


def best_of(repeats: int, fn: object) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rules = ew.load_ruleset()
    frame = random_profiles(rows)
    ew.score_frame(frame.head(10), rules)  # warm the compiled-ruleset cache
    t = best_of(3, lambda: ew.score_frame(frame, rules))
    print(f"score_frame: {rows:,} rows in {t:.2f} s = {rows / t:,.0f} rows/s")
    t_bare = best_of(3, lambda: ew.score_frame(frame, rules, reasons=False))
    print(
        f"score_frame(reasons=False): {rows:,} rows in {t_bare:.2f} s = {rows / t_bare:,.0f} rows/s"
    )

    loop_n = 2_000
    records = frame.head(loop_n).to_dict("records")
    t_loop = best_of(1, lambda: [ew.score(r, ruleset=rules) for r in records])
    per_call = t_loop / loop_n
    print(
        f"score() loop: {loop_n:,} profiles in {t_loop:.2f} s = {loop_n / t_loop:,.0f} rows/s "
        f"({per_call * 1e6:,.0f} µs per call)"
    )
    print(f"score_frame is {(rows / t) / (loop_n / t_loop):,.0f} times a loop of score()")


if __name__ == "__main__":
    main()
