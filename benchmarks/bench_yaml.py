"""Speed of reading the bundled rule and case files. Not a test.

    python benchmarks/bench_yaml.py [--repeats N]   # default: best of 9

It prints, in CPU time (``time.process_time``, the best of a few runs):

* every bundled YAML file read by ``parse_yaml`` (libyaml's parser where PyYAML has it) and by
  the pure-Python reference alone, and the ratio of the two;
* the bundled ruleset loaded without its process-wide cache (``rules._loader._load``);
* ``load_cases()`` as callers see it (its cache warm) and uncached (``cases._load_all``).

The machine this runs on is shared and noisy: quote the ratios, not the absolute times.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from earlywarning import _yaml
from earlywarning.cases import _default_cases_dir, _load_all, load_cases
from earlywarning.errors import RuleProblem
from earlywarning.rules import default_rules_dir
from earlywarning.rules._loader import _load


def best(run: Callable[[], object], repeats: int, times: int = 5) -> float:
    """The least CPU time of one call, in milliseconds."""
    found = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(times):
            run()
        found.append((time.process_time() - start) / times)
    return min(found) * 1000


def main() -> None:
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 9
    root = default_rules_dir()
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.yaml"))]

    def read(reference: bool) -> None:
        for name, text in texts:
            found: list[RuleProblem] = []
            if reference:
                _yaml._read_reference(text, name, found, "rule and case files", True)
            else:
                _yaml.parse_yaml(text, name, found)

    fast, slow = best(lambda: read(False), repeats), best(lambda: read(True), repeats)
    parser = "libyaml" if _yaml._FastLoader is not None else "none (PyYAML without libyaml)"
    print(f"{len(texts)} bundled YAML files; fast parser: {parser}")
    print(f"  parse_yaml           {fast:8.2f} ms")
    print(f"  reference alone      {slow:8.2f} ms   parse_yaml takes {fast / slow:.2f} of it")
    print(f"ruleset, uncached      {best(lambda: _load(root), repeats):8.2f} ms")
    files = sorted(_default_cases_dir().glob("*.yaml"))
    cached, uncached = best(load_cases, repeats), best(lambda: _load_all(files), repeats)
    print(f"load_cases(), cached   {cached:8.2f} ms")
    print(f"load_cases(), uncached {uncached:8.2f} ms   cached takes {cached / uncached:.2f} of it")


if __name__ == "__main__":
    main()
