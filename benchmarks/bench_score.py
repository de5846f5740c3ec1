"""Speed of the scoring engine against a plain numpy floor. Not a test; run it by hand.

    python benchmarks/bench_score.py [ROWS] [--frame KIND] [--no-pyarrow] [--no-cli]

``--frame`` is the kind of table scored (the same profiles in each):

* ``pandas`` (the default): a pandas DataFrame with its text as Python objects, as pandas holds
  it without pyarrow: pyarrow is hidden from this run, as if it were not installed;
* ``pandas-arrow``: a pandas DataFrame with its text held in Arrow, as pandas 3 holds it when
  pyarrow is installed (needs pyarrow);
* ``polars``: a polars DataFrame (needs polars), scored into a polars DataFrame;
* ``arrow``: a pyarrow Table, scored into a pyarrow Table.

``--no-pyarrow`` hides pyarrow from any run (``polars --no-pyarrow``: polars without pyarrow).

In one run, on ROWS random what-if profiles (default 1,000,000; 10% missing in each measure)
drawn within each field's range, it prints:

* the numpy floor: a hand-written pass doing the same arithmetic for the same ruleset (a
  searchsorted per indicator, points taken and summed, combinations as boolean ANDs, mitigation
  caps, bands and coverage), checked to give the same scores and bands as ``score_frame``;
* ``score_frame`` with and without reasons, each as a ratio to that floor;
* the median time of ``score()`` on one profile, in µs, with and without the score range;
* the fixed cost of ``score_frame`` on small frames (1, 10 and 150 rows, as the tests, notebooks
  and commands score them): CPU time per call (``time.process_time``, best of several rounds),
  as a ratio to one deep ``DataFrame.copy`` of the same rows in pandas, timed in the same run;
* the peak memory ``score_frame`` allocates (tracemalloc, plus the peak of pyarrow's own
  memory pool, which tracemalloc cannot see), as a ratio to the input table's size; polars'
  own allocations (the text of a polars result) are seen by neither;
* so also, on Linux, how far one ``score_frame`` raises a fresh process's resident memory
  (its high-water mark reset before the call), as a ratio to the input table's size: it sees
  every allocator, and also counts memory a freed array left to one allocator (numpy's) that
  another (polars', Arrow's) cannot reuse;
* the CLI on a CSV of the same rows: wall time and peak RSS (skip it with ``--no-cli``), and
  on a Parquet file of them when pyarrow is there. Its floor is pandas reading the file and
  writing the very table the CLI writes (every input column, then the scores and the ruleset,
  these taken from the CLI's output before the clock starts), so that the ratio is the CLI's
  overhead, not the cost of its extra columns; the old floor (reading the file and writing
  the input back) is printed beside it.

The floor reads the same table as ``score_frame`` does, each kind by its own fastest calls.

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
from functools import partial
from pathlib import Path
from typing import Any

FRAMES = ("pandas", "pandas-arrow", "polars", "arrow")


def options(argv: list[str]) -> tuple[str, bool]:
    """The kind of table to score (``--frame KIND``) and whether to hide pyarrow."""
    frame = next((a.split("=", 1)[1] for a in argv if a.startswith("--frame=")), None)
    if frame is None and "--frame" in argv:
        frame = argv[argv.index("--frame") + 1]
    frame = frame or "pandas"
    if frame not in FRAMES:
        sys.exit(f"--frame is one of {', '.join(FRAMES)}, not {frame!r}")
    return frame, frame == "pandas" or "--no-pyarrow" in argv


# Imported by the tests for random_profiles: then nothing is hidden.
FRAME, HIDE_PYARROW = options(sys.argv[1:]) if __name__ == "__main__" else ("pandas", False)
if HIDE_PYARROW:
    # before pandas is imported, so that pandas (and polars) find no pyarrow, as if it were
    # not installed
    sys.modules["pyarrow"] = None  # type: ignore[assignment]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import earlywarning as ew  # noqa: E402
from earlywarning.profile import RATINGS  # noqa: E402
from earlywarning.profile.derived import CASELOAD_ABOVE_TARGET  # noqa: E402
from earlywarning.rules import BAND_NAMES  # noqa: E402


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


def as_kind(frame: pd.DataFrame, kind: str) -> Any:
    """The profiles as the kind of table scored."""
    text = ("council", "previous_rating")
    if kind in ("pandas", "pandas-arrow"):
        storage = getattr(frame["council"].dtype, "storage", "python")
        wanted = "pyarrow" if kind == "pandas-arrow" else "python"
        assert storage == wanted, f"--frame {kind}: pandas holds text as {storage}"
        return frame
    if kind == "polars":
        import polars as pl

        columns = [
            pl.Series(c, frame[c].tolist()) if c in text else pl.Series(c, frame[c].to_numpy())
            for c in frame.columns
        ]
        return pl.DataFrame(columns).fill_nan(None)
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


def size_of(table: Any) -> int:
    """Bytes the table holds."""
    if isinstance(table, pd.DataFrame):
        return int(table.memory_usage(deep=True, index=True).sum())
    if hasattr(table, "estimated_size"):  # polars
        return int(table.estimated_size())
    return int(table.nbytes)  # pyarrow


def measures_of(table: Any) -> tuple[dict[str, np.ndarray], int]:
    """Every numeric column as float64 and the rating as its grade, each kind by its own
    fastest calls, and the row count."""
    text = ("council", "previous_rating")
    grade = {r: i + 1.0 for i, r in enumerate(RATINGS)}
    if isinstance(table, pd.DataFrame):
        measures = {c: table[c].to_numpy(dtype=float) for c in table.columns if c not in text}
        measures["previous_rating_grade"] = table["previous_rating"].map(grade).to_numpy(float)
        return measures, len(table)
    if hasattr(table, "estimated_size"):  # polars
        import polars as pl

        measures = {c: table[c].cast(pl.Float64).to_numpy() for c in table.columns if c not in text}
        ratings = table["previous_rating"].replace_strict(grade, return_dtype=pl.Float64)
        measures["previous_rating_grade"] = ratings.to_numpy()
        return measures, table.height
    import pyarrow as pa
    import pyarrow.compute as pc

    names = [c for c in table.column_names if c not in text]
    measures = {c: table.column(c).cast(pa.float64()).to_numpy(zero_copy_only=False) for c in names}
    at = pc.index_in(table.column("previous_rating"), value_set=pa.array(list(grade)))
    measures["previous_rating_grade"] = pc.add(at, 1).cast(pa.float64()).to_numpy(False)
    return measures, table.num_rows


def floor(frame: Any, rules: ew.Ruleset) -> tuple[np.ndarray, np.ndarray]:
    """Scores and band indices by the plainest numpy pass: no checks, no reasons, no text.

    It reads the table's columns as they are (the benchmark's profiles are valid), derives the
    caseload excess and the rating grade, and applies each rule with whole-column operations.
    """
    measures, n = measures_of(frame)
    avg, target = (measures[name] for name in CASELOAD_ABOVE_TARGET.inputs)
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


def best_of(repeats: int, *fns: Callable[[], object]) -> list[float]:
    """The best time of each function over ``repeats`` rounds, the functions taking turns in
    each round: a burst of load on the shared machine then slows all of them alike, rather
    than the repeats of one."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


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


def cpu_per_call(calls: int, fn: Callable[[], object]) -> float:
    """The CPU time (``time.process_time``) of one call of ``fn``, over ``calls`` calls."""
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls


def small_frame_costs(rules: ew.Ruleset, sizes: tuple[int, ...] = (1, 10, 150)) -> None:
    """Print the CPU time of ``score_frame`` on small frames, against a copy of each."""
    for rows in sizes:
        plain = random_profiles(rows, seed=1)
        table = as_kind(plain, FRAME)
        ew.score_frame(table, rules)
        copies: list[float] = []
        scores: list[float] = []
        for _ in range(7):  # rounds taking turns, as best_of: a burst of load slows both
            copies.append(cpu_per_call(50, plain.copy))
            scores.append(cpu_per_call(50, partial(ew.score_frame, table, rules)))
        best = min(scores)
        print(
            f"score_frame on {rows:>3} rows        {best * 1e3:6.2f} ms  "
            f"{best / min(copies):.0f}x a DataFrame.copy of them (CPU time)"
        )


_POOLS: list[Any] = []


def peak_memory_ratio(table: Any, rules: ew.Ruleset) -> float:
    """Peak memory of one ``score_frame`` over the table's size: what tracemalloc saw (Python
    and numpy), plus the peak of a pyarrow memory pool set up for the call (Arrow's buffers are
    allocated where tracemalloc cannot see them). The two peaks are added, so the ratio is an
    upper bound."""
    pool = None
    if not HIDE_PYARROW:
        import pyarrow as pa

        before = pa.default_memory_pool()
        pool = pa.proxy_memory_pool(before)
        _POOLS.append(pool)  # never freed: a buffer made in it may outlive the call
        pa.set_memory_pool(pool)
    tracemalloc.start()
    out = ew.score_frame(table, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del out
    if pool is not None:
        peak += pool.max_memory()
        pa.set_memory_pool(before)
    return peak / size_of(table)


def rss_growth_ratio(rows: int) -> float | None:
    """Growth of resident memory over one ``score_frame`` in a fresh process (this run's frame
    kind, pyarrow hidden or not), as a ratio to the input table's size; None where Linux's
    ``/proc/self/clear_refs`` cannot reset the high-water mark."""
    args = [sys.executable, __file__, "--rss-child", str(rows), "--frame", FRAME]
    if HIDE_PYARROW:
        args.append("--no-pyarrow")
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    return float(result.stdout) if result.returncode == 0 and result.stdout.strip() else None


def rss_child(rows: int) -> None:
    def kb(key: str) -> int:
        return int(Path("/proc/self/status").read_text().split(key + ":")[1].split()[0])

    rules = ew.load_ruleset()
    table = as_kind(random_profiles(rows), FRAME)
    ew.score_frame(as_kind(random_profiles(10), FRAME), rules)  # warm the ruleset's caches
    try:
        Path("/proc/self/clear_refs").write_text("5")  # the high-water mark := the RSS now
    except OSError:
        return
    before = kb("VmRSS")
    out = ew.score_frame(table, rules)
    print((kb("VmHWM") - before) * 1024 / size_of(table))
    del out


def cli(frame: pd.DataFrame, suffix: str = ".csv") -> tuple[float, float, float, float]:
    """Wall time and peak RSS (MB) of ``earlywarning score`` on a CSV (or Parquet) file of
    ``frame``, and two pandas floors: reading the file and writing the same table the CLI
    writes (every input column, then the scores and the ruleset, these computed beforehand),
    and, as before, reading it and writing the input back."""
    with tempfile.TemporaryDirectory() as folder:
        src, dst = Path(folder) / f"profiles{suffix}", Path(folder) / "scores.csv"
        floor_out = Path(folder) / "floor.csv"
        read = pd.read_csv if suffix == ".csv" else pd.read_parquet
        if suffix == ".csv":
            frame.to_csv(src, index=False)
        else:
            frame.to_parquet(src, index=False)
        start = time.perf_counter()
        read(src).to_csv(floor_out, index=False)
        input_io = time.perf_counter() - start
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
        # the columns the CLI adds to the input, taken from its own output before the clock
        # starts: the floor does no scoring, only the reading, joining and writing
        written = pd.read_csv(dst)
        added = written.iloc[:, len(frame.columns) :]
        del written
        start = time.perf_counter()
        pd.concat([read(src), added], axis=1).to_csv(floor_out, index=False)
        output_io = time.perf_counter() - start
        same = floor_out.open().readline() == dst.open().readline()
        assert same, "the floor writes other columns than the CLI"
    return wall, rss_mb, output_io, input_io


def column(out: Any, name: str) -> np.ndarray:
    """One column of a result of any kind, as numpy (a null as None or NaN)."""
    if isinstance(out, pd.DataFrame):
        return out[name].to_numpy(dtype=object if name == "band" else float)
    if hasattr(out, "get_column"):  # polars
        return out.get_column(name).to_numpy()
    return out.column(name).to_numpy(zero_copy_only=False)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--") and a not in FRAMES]
    rows = int(args[0]) if args else 1_000_000
    if "--rss-child" in sys.argv:
        rss_child(rows)
        return
    rules = ew.load_ruleset()
    frame = as_kind(random_profiles(rows), FRAME)
    ew.score_frame(as_kind(random_profiles(10), FRAME), rules)  # warm the ruleset's caches

    score, band = floor(frame, rules)
    out = ew.score_frame(frame, rules)
    assert np.array_equal(score, column(out, "score")), "the floor and the engine disagree"
    named = np.array(BAND_NAMES, dtype=object)[band]
    assert (named == column(out, "band")).all(), "bands disagree"
    del out

    t_floor, t_full, t_bare = best_of(
        5,
        lambda: floor(frame, rules),
        lambda: ew.score_frame(frame, rules),
        lambda: ew.score_frame(frame, rules, reasons=False),
    )
    pyarrow = "hidden" if HIDE_PYARROW else "installed"
    print(
        f"{rows:,} rows, {len(rules.indicators)} indicators, {len(rules.combinations)} "
        f"combinations; --frame {FRAME}, pyarrow {pyarrow}"
    )
    print(f"numpy floor                   {t_floor:6.2f} s   1.0x")
    print(f"score_frame                   {t_full:6.2f} s   {t_full / t_floor:.1f}x the floor")
    print(f"score_frame(reasons=False)    {t_bare:6.2f} s   {t_bare / t_floor:.1f}x the floor")
    plain = random_profiles(min(rows, 2_000))
    print(f"score() median                {score_median_us(plain, rules):6.0f} µs (with ranges)")
    bare = score_median_us(plain, rules, ranges=False)
    print(f"score(ranges=False) median    {bare:6.0f} µs")
    small_frame_costs(rules)
    print(f"score_frame peak memory       {peak_memory_ratio(frame, rules):6.1f}x the input frame")
    rss = rss_growth_ratio(rows)
    if rss is not None:
        print(f"score_frame RSS growth        {rss:6.1f}x the input frame (a fresh process)")
    if "--no-cli" not in sys.argv:
        plain = random_profiles(rows)
        for suffix, kind in ((".csv", "a CSV"), (".parquet", "a Parquet file")):
            if suffix == ".parquet" and HIDE_PYARROW:
                continue
            wall, rss, output_io, input_io = cli(plain, suffix)
            print(
                f"CLI score on {kind:<15}{wall:7.2f} s   {wall / output_io:.1f}x pandas reading "
                f"it and writing the CLI's table (scores precomputed); peak RSS {rss:,.0f} MB"
            )
            print(
                f"  the same, beside the old floor      {wall / input_io:.1f}x pandas reading it "
                "and writing the input back (fewer columns than the CLI writes)"
            )


if __name__ == "__main__":
    main()
