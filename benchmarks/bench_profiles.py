"""Processor time of building council profiles, against a floor measured in the same run.

    python benchmarks/bench_profiles.py [--rounds N]

Not a test; run it by hand. The profile builder (``datasets.profiles_at``) is behind the watch
list, the backtest, ``compare``, reports and the England scores; ``freshness`` notes the age of
each profile's judgement and figures. Each line is the least processor time
(``time.process_time``) of N rounds (default 5):

* **floor**: reading the data files a cold build reads (the panel, the judgements, the council
  codes and the neighbour models), with nothing built from them: what every fresh data
  directory costs before the builder starts;
* **cold**: ``england_profiles`` for 2016, 2020 and 2026 with every cache of the data emptied
  first (the files read again, the inputs, the neighbour models and the years built again);
* **builder cold**: the same three years with the files still read, only the builder's own
  caches emptied (the per-council inputs and the years built);
* **inspections**: ``profiles_at`` for the 271 ILACS inspections of both periods, warm;
* **freshness**: ``freshness`` of the 153 profiles of 2026, warm.

The machine this runs on is shared and noisy: quote the ratios to the floor.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from earlywarning import datasets
from earlywarning.datasets import _england, _inputs
from earlywarning.datasets.freshness import freshness
from earlywarning.datasets.neighbours import neighbour_models


def least(work: Callable[[], object], rounds: int) -> float:
    """The least processor time of ``rounds`` runs of ``work``, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def empty_every_cache() -> None:
    for clear in _england._CACHES:
        clear()


def read_files() -> None:
    empty_every_cache()
    _england.panel()
    _england.judgements()
    _england.read_csv(_england.CODES_FILE)
    for model in neighbour_models():
        _england.read_csv(f"statistical_neighbours_{model}.csv")


def three_years() -> None:
    for year in (2016, 2020, 2026):
        datasets.england_profiles(year)


def cold() -> None:
    empty_every_cache()
    three_years()


def builder_cold() -> None:
    _inputs.council_inputs.cache_clear()
    datasets._built_years.cache_clear()
    three_years()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    cold()  # imports and first-call costs out of the way
    inspections = datasets.ilacs_inspections("all")
    codes, starts = list(inspections["la_code"]), inspections["inspection_start"]
    profiles = datasets.england_profiles(2026, provenance=True)
    floor = least(read_files, rounds)
    print(f"floor (reading the data files)        {floor * 1000:8.1f} ms")
    for label, work in (
        ("cold: 3 years of england_profiles", cold),
        ("builder cold: the same 3 years", builder_cold),
        ("profiles_at: 271 inspections, warm", lambda: datasets.profiles_at(codes, starts)),
        ("freshness: 153 profiles of 2026", lambda: freshness(profiles)),
    ):
        spent = least(work, rounds)
        print(f"{label:38} {spent * 1000:8.1f} ms  {spent / floor:5.2f} x floor")


if __name__ == "__main__":
    main()
