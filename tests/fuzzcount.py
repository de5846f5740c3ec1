"""How many generated inputs the fuzz tests fed the library, printed at the end of the run.

The fuzz tests add to :data:`COUNTS`; ``conftest.py`` registers :func:`pytest_terminal_summary`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

COUNTS: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print ``fuzz: N inputs (...)`` when any fuzz test ran."""
    if COUNTS:
        detail = ", ".join(f"{n} {what}" for what, n in sorted(COUNTS.items()))
        terminalreporter.write_line(f"fuzz: {sum(COUNTS.values())} inputs ({detail})")
