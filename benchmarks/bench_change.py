"""Speed of the smallest change on rulesets with many controllable rules. Not a test.

    python benchmarks/bench_change.py [RULES ...] [--repeats N]   # default: 20 30, best of 3

For each count of controllable rules (the default ruleset has 14) it adds controllable risk
indicators to the default ruleset, each on a measure a council can act on with edges of its own
(so several rules share a measure, and each variable has more thresholds to cross), and asks for
the smallest change that takes a stretched council from severe to moderate, which needs several
changes. It prints:

* the time of ``smallest_change`` (the best of a few runs), the candidates it scored and what it
  found;
* the floor, measured in the same run: one ``score_frame(reasons=False)`` of as many rows as the
  search scored (what scoring those candidates costs with no search around it), and one
  ``score()`` of the profile, each with the search's time as a ratio to it.

The machine this runs on is shared and noisy: quote the ratios, not the absolute times.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import earlywarning as ew
import earlywarning.change as change
from earlywarning.rules import Ruleset

# A stretched council: a deep cut, a restructure, an interim director, heavy caseloads and a
# thin, churning workforce. It scores severe; moderate takes several changes together.
PROFILE: dict[str, Any] = {
    "council": "Stretched",
    "year": 2024,
    "previous_rating": "good",
    "budget_cut_pct": 38.0,
    "management_reduction_pct": 32.0,
    "dcs_changes": 1,
    "interim_dcs": True,
    "avg_caseload": 23.0,
    "caseload_target": 17.0,
    "agency_rate_pct": 33.0,
    "agency_rate_vs_neighbours_pp": 14.0,
    "agency_rate_change_2y_pp": 9.0,
    "turnover_rate_pct": 27.0,
    "vacancy_rate_pct": 26.0,
    "vacancy_rate_vs_neighbours_pp": 12.0,
    "vacancy_rate_change_2y_pp": 7.0,
    "absence_rate_pct": 5.5,
    "demand_change_pct": 4.0,
    "cla_rate_per_10k": 55.0,
    "cin_rate_per_10k": 420.0,
    "early_help_spend_change_pct": -40.0,
    "restructure": True,
    "reinvestment_pct": 0.0,
}

# measure, its edges (from the least bad), points at each edge: every rule added is a risk read
# higher-is-worse, a step of points at each edge. Measures repeat, with edges of their own.
EXTRA: list[tuple[str, tuple[float, ...], tuple[float, ...]]] = [
    ("agency_rate_vs_neighbours_pp", (0.0, 5.0, 10.0), (1.0, 2.0, 3.0)),
    ("vacancy_rate_change_2y_pp", (0.0, 5.0), (1.0, 2.0)),
    ("cin_rate_per_10k", (300.0, 350.0, 400.0), (1.0, 2.0, 3.0)),
    ("agency_rate_change_2y_pp", (0.0, 5.0), (1.0, 2.0)),
    ("turnover_rate_pct", (12.0, 18.0, 24.0), (1.0, 2.0, 3.0)),
    ("absence_rate_pct", (3.5, 4.5), (1.0, 2.0)),
    ("avg_caseload", (17.0, 19.0, 21.0), (1.0, 2.0, 3.0)),
    ("agency_rate_pct", (12.0, 20.0, 30.0), (1.0, 2.0, 3.0)),
    ("vacancy_rate_pct", (12.0, 18.0, 24.0), (1.0, 2.0, 3.0)),
    ("management_reduction_pct", (15.0, 25.0), (1.0, 2.0)),
    ("budget_cut_pct", (10.0, 20.0, 30.0), (1.0, 2.0, 3.0)),
    ("cin_rate_per_10k", (320.0, 380.0), (1.0, 2.0)),
    ("turnover_rate_pct", (16.0, 22.0), (1.0, 2.0)),
    ("agency_rate_pct", (18.0, 28.0), (1.0, 2.0)),
    ("vacancy_rate_pct", (16.0, 22.0), (1.0, 2.0)),
    ("avg_caseload", (18.5, 22.0), (1.0, 2.0)),
]


def _indicator(n: int, measure: str, edges: tuple[float, ...], points: tuple[float, ...]) -> Any:
    levels: list[dict[str, Any]] = [{"below": edges[0], "points": 0.0}]
    for i, (edge, p) in enumerate(zip(edges, points, strict=True)):
        level: dict[str, Any] = {"from": edge, "points": p}
        if i + 1 < len(edges):
            level["below"] = edges[i + 1]
        levels.append(level)
    return {
        "id": f"bench_{n}_{measure}",
        "measure": measure,
        "label": f"Benchmark rule {n} on {measure}",
        "direction": "higher_is_worse",
        "controllable": True,
        "levels": levels,
        "rationale": "A rule added by the benchmark.",
        "evidence": ["benchmarks/bench_change.py"],
    }


def ruleset_with(controllable: int) -> Ruleset:
    """The default ruleset with controllable rules added until ``controllable`` are."""
    rules = ew.load_ruleset()
    have = sum(i.controllable for i in rules.indicators)
    if not have <= controllable <= have + len(EXTRA):
        raise SystemExit(f"between {have} and {have + len(EXTRA)} controllable rules")
    added = [_indicator(n, *EXTRA[n]) for n in range(controllable - have)]
    return rules.replace(indicators=[*rules.to_data()["indicators"], *added])


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = [math.inf]
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def rows_scored(rules: Ruleset) -> tuple[int, Any]:
    """The candidates one search scores (what its batch scoring counts), and its result."""
    counted = [0]
    hits = change.Search.hits

    def counting(self: Any, cands: Any) -> Any:
        before = self.scored
        out = hits(self, cands)
        counted[0] += self.scored - before
        return out

    change.Search.hits = counting  # type: ignore[method-assign]
    try:
        result = ew.smallest_change(PROFILE, "moderate", rules)
    finally:
        change.Search.hits = hits  # type: ignore[method-assign]
    return counted[0], result


def run(n: int, repeats: int) -> None:
    """Time the search on the ruleset with ``n`` controllable rules, and its floor."""
    rules = ruleset_with(n)
    ew.score(PROFILE, rules)  # warm the compiled-ruleset cache
    start = time.perf_counter()
    rows, r = rows_scored(rules)
    t_first = time.perf_counter() - start
    again = best_of(repeats - 1, lambda: ew.smallest_change(PROFILE, "moderate", rules))
    t_search = min(t_first, again)
    frame = pd.DataFrame([PROFILE] * max(rows, 1))
    frame["agency_rate_pct"] = np.linspace(0, 60, len(frame))  # rows that differ
    t_frame = best_of(3, lambda: ew.score_frame(frame, rules, reasons=False))
    t_score = best_of(20, lambda: ew.score(PROFILE, rules))
    print(
        f"{n} controllable rules ({len(rules.indicators)} indicators, "
        f"{len(rules.combinations)} combinations): {r.before.score:.0f} {r.before.band} -> "
        f"{r.after.score:.0f} {r.after.band}, {len(r.steps)} changes, "
        f"{len(r.alternatives)} alternatives, reachable={r.reachable}"
    )
    print(f"  smallest_change                 {t_search:8.3f} s   {rows:,} candidates scored")
    print(
        f"  score_frame of the same rows    {t_frame:8.3f} s   search = {t_search / t_frame:.1f}x"
    )
    print(
        f"  score() of the profile          {t_score * 1e3:8.2f} ms  search = "
        f"{t_search / t_score:.0f}x"
    )


def main() -> None:
    args = sys.argv[1:]
    repeats = 3
    if "--repeats" in args:
        at = args.index("--repeats")
        repeats = int(args[at + 1])
        del args[at : at + 2]
    for n in [int(a) for a in args] or [20, 30]:
        run(n, repeats)


if __name__ == "__main__":
    main()
