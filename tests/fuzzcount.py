"""How many generated inputs the fuzz tests fed the library, printed at the end of the run.

The fuzz tests add to :data:`COUNTS`; ``conftest.py`` registers the hooks below. When the suite
runs in several processes (pytest-xdist), each worker hands its counts to the controller as it
finishes, and the controller prints the total.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

COUNTS: Counter[str] = Counter()


def pytest_sessionfinish(session: Any) -> None:
    """In a worker process, hand this process's counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fuzz_counts"] = dict(COUNTS)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent when xdist is not installed
def pytest_testnodedown(node: Any, error: Any) -> None:
    """In the controller, add up the counts a worker handed over."""
    COUNTS.update(getattr(node, "workeroutput", {}).get("fuzz_counts", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print ``fuzz: N inputs (...)`` when any fuzz test ran."""
    if COUNTS:
        detail = ", ".join(f"{n} {what}" for what, n in sorted(COUNTS.items()))
        terminalreporter.write_line(f"fuzz: {sum(COUNTS.values())} inputs ({detail})")
