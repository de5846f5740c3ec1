"""Helpers shared by the test modules (the hypothesis strategies live apart, in strategies.py)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

from earlywarning.cli import main

ROOT = Path(__file__).resolve().parents[1]

# Four bands for the small hand-written rulesets of the tests, wide enough to count by hand.
TEST_BANDS: list[dict[str, Any]] = [
    {"name": "low", "from": 0, "below": 15},
    {"name": "moderate", "from": 15, "below": 30},
    {"name": "high", "from": 30, "below": 50},
    {"name": "severe", "from": 50},
]


def run_cli(*argv: str) -> tuple[int, str]:
    """Run ``earlywarning ARGV...`` in this process: the exit code and what it printed."""
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def run_docs_script(script: str, out_dir: Any) -> tuple[list[str], str]:
    """Run ``docs/<script>`` into ``out_dir``: the PNG names it drew (sorted), and its output."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / script), str(out_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return sorted(p.name for p in Path(out_dir).glob("*.png")), result.stdout
