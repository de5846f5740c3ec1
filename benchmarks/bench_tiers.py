"""The fast test tier's time: wall and CPU, against a floor measured in the same run.

The tier is README's command (``EARLYWARNING_EXAMPLES=0.2 pytest -q -n auto -m "not slow"``).
A shared or virtual machine's speed can vary by half from one hour to the next, so a time alone
says little: each run is printed beside the CPU time of a fixed Python loop run just before it,
and with ``--against REV`` the tier of another commit runs alternately with this one (in a
temporary git worktree, with this environment's packages), so the two are compared side by side.

    python benchmarks/bench_tiers.py                      # this tree, twice
    python benchmarks/bench_tiers.py --against 278259c    # alternately with that commit
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIER = ["-m", "pytest", "-q", "-n", "auto", "-m", "not slow", "-p", "no:cacheprovider"]


def loop_seconds() -> float:
    """CPU time of a fixed loop: how fast the machine is right now."""
    start = time.process_time()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.process_time() - start


def run_tier(tree: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds (every process of the run) of the tier in ``tree``, and its summary."""
    env = dict(os.environ, EARLYWARNING_EXAMPLES="0.2", PYTHONPATH=str(tree / "src"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *TIER], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    return wall, cpu, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="another commit to run alternately")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each tree (default 2)")
    args = parser.parse_args()
    trees = {"this tree": ROOT}
    scratch = None
    if args.against:
        scratch = Path(tempfile.mkdtemp(prefix="bench_tiers_"))
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(scratch / "tree"), args.against],
            cwd=ROOT,
            check=True,
        )
        trees[args.against] = scratch / "tree"
    try:
        results: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                floor = loop_seconds()
                wall, cpu, summary = run_tier(tree)
                results[name].append(wall)
                print(
                    f"{name:>12}: {wall:5.1f} s wall, {cpu:6.1f} s CPU "
                    f"({cpu / floor:4.0f} x the loop's {floor:.2f} s)  {summary}"
                )
        if scratch is not None:
            ours, theirs = (sorted(v)[len(v) // 2] for v in results.values())
            print(f"median wall, this tree over {args.against}: {ours / theirs:.2f}")
    finally:
        if scratch is not None:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(scratch / "tree")],
                cwd=ROOT,
                check=False,
            )
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
