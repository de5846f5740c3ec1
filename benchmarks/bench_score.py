"""Speed of the scoring engine against a plain numpy floor. Not a test; run it by hand.

    python benchmarks/bench_score.py [ROWS] [--no-cli]

In one run, on ROWS random what-if profiles (default 1,000,000; 10% missing in each measure)
drawn within each field's range, it prints:

* the numpy floor: a hand-written pass doing the same arithmetic for the same ruleset (a
  searchsorted per indicator, points taken and summed, combinations as boolean ANDs, mitigation
  caps, bands and coverage), checked to give the same scores and bands as ``score_frame``;
* ``score_frame`` with and without reasons, each as a ratio to that floor;
* the median time of ``score()`` on one profile, in µs, with and without the score range;
* the peak memory ``score_frame`` allocates (tracemalloc), as a ratio to the input frame;
* the CLI on a CSV of the same rows: wall time and peak RSS (skip it with ``--no-cli``).

The machine this runs on is shared and noisy: quote the ratios, not the absolute times.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import earlywarning as ew
from earlywarning.profile import RATINGS
from earlywarning.profile.derived import CASELOAD_ABOVE_TARGET
from earlywarning.rules import BAND_NAMES


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
            "previous_rating": rng.choice(list(RATINGS), n),
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


def floor(frame: pd.DataFrame, rules: ew.Ruleset) -> tuple[np.ndarray, np.ndarray]:
    """Scores and band indices by the plainest numpy pass: no checks, no reasons, no text.

    It reads the frame's columns as they are (the benchmark's profiles are valid), derives the
    caseload excess and the rating grade, and applies each rule with whole-column operations.
    """
    n = len(frame)
    text = ("council", "previous_rating")
    measures = {c: frame[c].to_numpy(dtype=float) for c in frame.columns if c not in text}
    grade = {r: i + 1.0 for i, r in enumerate(RATINGS)}
    measures["previous_rating_grade"] = frame["previous_rating"].map(grade).to_numpy(float)
    avg, target = (measures[n] for n in CASELOAD_ABOVE_TARGET.inputs)
    with np.errstate(divide="ignore", invalid="ignore"):
        measures[CASELOAD_ABOVE_TARGET.name] = CASELOAD_ABOVE_TARGET.forward(avg, target)
    points: dict[str, np.ndarray] = {}
    flag = np.full(n, -1)
    weight = np.zeros(n)
    for ind in rules.indicators:
        v = measures.get(ind.measure)
        if v is None:
            continue
        edges = np.array([lv.from_ for lv in ind.levels[1:]])
        level = np.minimum(np.searchsorted(edges, v, side="right"), len(ind.levels) - 1)
        missing = np.isnan(v)
        table = np.array([lv.points for lv in ind.levels])
        flags = np.array(
            [BAND_NAMES.index(lv.red_flag) if lv.red_flag else -1 for lv in ind.levels]
        )
        points[ind.id] = np.where(missing, 0.0, table[level])
        flag = np.maximum(flag, np.where(missing, -1, flags[level]))
        weight += np.where(missing, 0.0, ind.weight)
    for combo in rules.combinations:

        def holds(c: ew.rules.Condition) -> np.ndarray:
            v = measures.get(c.measure, np.full(n, np.nan))
            with np.errstate(invalid="ignore"):
                return v >= c.from_ if c.from_ is not None else v < c.below

        fired = np.ones(n, dtype=bool)
        for c in combo.all or ():
            fired &= holds(c)
        if combo.any:
            fired &= np.logical_or.reduce([holds(c) for c in combo.any])
        points[combo.id] = np.where(fired, combo.points, 0.0)
        if combo.red_flag:
            flag = np.maximum(flag, np.where(fired, BAND_NAMES.index(combo.red_flag), -1))
    for ind in rules.indicators:
        if ind.kind == "mitigation" and ind.id in points:
            cap = sum((points[o] for o in ind.offsets if o in points), np.zeros(n))
            points[ind.id] = np.maximum(points[ind.id], -cap)
    total = sum(points.values(), np.zeros(n))
    score = np.round(np.clip(total, 0.0, 100.0), 6)
    edges = np.array([b.from_ for b in rules.bands[1:]])
    band = np.maximum(np.searchsorted(edges, score, side="right"), flag)
    # coverage, as the engine computes it (kept so the floor does all of the same work)
    _ = weight / sum(ind.weight for ind in rules.indicators)
    return score, band


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def score_median_us(
    frame: pd.DataFrame, rules: ew.Ruleset, n: int = 2_000, *, ranges: bool = True
) -> float:
    records = frame.head(n).to_dict("records")
    ew.score(records[0], ruleset=rules, ranges=ranges)
    times = []
    for r in records:
        start = time.perf_counter()
        ew.score(r, ruleset=rules, ranges=ranges)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def peak_memory_ratio(frame: pd.DataFrame, rules: ew.Ruleset) -> float:
    size = frame.memory_usage(deep=True, index=True).sum()
    tracemalloc.start()
    out = ew.score_frame(frame, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del out
    return peak / size


def cli(frame: pd.DataFrame) -> tuple[float, float, float]:
    """Wall time and peak RSS (MB) of ``earlywarning score`` on a CSV of ``frame``, and the
    time pandas takes to read and write the same file."""
    with tempfile.TemporaryDirectory() as folder:
        src, dst = Path(folder) / "profiles.csv", Path(folder) / "scores.csv"
        frame.to_csv(src, index=False)
        start = time.perf_counter()
        pd.read_csv(src).to_csv(dst, index=False)
        pandas_io = time.perf_counter() - start
        # The child reports its own high-water mark (VmHWM, reset when the process image is
        # replaced): getrusage's maxrss for children would count the pages of this process,
        # which holds the whole frame, that the child had before it started the CLI.
        hwm = Path(folder) / "hwm"
        script = (
            "import sys\n"
            "from earlywarning.cli import main\n"
            "try:\n    main(sys.argv[2:])\nexcept SystemExit:\n    pass\n"
            "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
            "open(sys.argv[1], 'w').write(status)\n"
        )
        start = time.perf_counter()
        with open(dst, "w", encoding="utf-8") as out:
            subprocess.run(
                [sys.executable, "-c", script, str(hwm), "score", str(src), "--format", "csv"],
                stdout=out,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        wall = time.perf_counter() - start
        rss_mb = int(hwm.read_text()) / 1024
    return wall, rss_mb, pandas_io


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = int(args[0]) if args else 1_000_000
    rules = ew.load_ruleset()
    frame = random_profiles(rows)
    ew.score_frame(frame.head(10), rules)  # warm the compiled-ruleset cache

    score, band = floor(frame, rules)
    out = ew.score_frame(frame, rules)
    assert np.array_equal(score, out["score"].to_numpy()), "the floor and the engine disagree"
    named = np.array(BAND_NAMES, dtype=object)[band]
    assert (named == out["band"].to_numpy(dtype=object)).all(), "bands disagree"

    t_floor = best_of(3, lambda: floor(frame, rules))
    t_full = best_of(3, lambda: ew.score_frame(frame, rules))
    t_bare = best_of(3, lambda: ew.score_frame(frame, rules, reasons=False))
    print(
        f"{rows:,} rows, {len(rules.indicators)} indicators, {len(rules.combinations)} combinations"
    )
    print(f"numpy floor                   {t_floor:6.2f} s   1.0x")
    print(f"score_frame                   {t_full:6.2f} s   {t_full / t_floor:.1f}x the floor")
    print(f"score_frame(reasons=False)    {t_bare:6.2f} s   {t_bare / t_floor:.1f}x the floor")
    print(f"score() median                {score_median_us(frame, rules):6.0f} µs (with ranges)")
    bare = score_median_us(frame, rules, ranges=False)
    print(f"score(ranges=False) median    {bare:6.0f} µs")
    print(f"score_frame peak memory       {peak_memory_ratio(frame, rules):6.1f}x the input frame")
    if "--no-cli" not in sys.argv:
        wall, rss, pandas_io = cli(frame)
        print(
            f"CLI score on a CSV            {wall:6.2f} s   {wall / pandas_io:.1f}x pandas reading "
            f"and writing it; peak RSS {rss:,.0f} MB"
        )


if __name__ == "__main__":
    main()
