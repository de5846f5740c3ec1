"""How many generated inputs the fuzz tests fed the library, printed at the end of the run.

The fuzz tests add to :data:`COUNTS`; ``conftest.py`` registers the hooks below. When the suite
runs in several processes (pytest-xdist), each worker hands its counts to the controller as it
finishes, and the controller prints the total.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
from helpers import EXAMPLES
from hypothesis import HealthCheck, Phase, settings

COUNTS: Counter[str] = Counter()

SCALE = int(os.environ.get("EARLYWARNING_FUZZ_SCALE", "1"))
"""``EARLYWARNING_FUZZ_SCALE=10`` runs ten times as many inputs, freshly random."""

LONGEST_MESSAGE = 1000
"""A refused value is quoted as a short excerpt at most, so no message runs to pages."""


def fuzz(examples: int) -> Any:
    """The settings of a fuzz test drawing ``examples`` inputs (scaled for the fast tier and by
    :data:`SCALE`): derandomized, so the same suite draws the same inputs on every run."""
    return settings(
        max_examples=max(1, round(examples * SCALE * EXAMPLES)),
        derandomize=SCALE == 1,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        # no explain phase: it reruns a failure many times to say which lines it ran
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    )


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
