"""Lint, format and type checks, run as the developer would run them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_passes(command):
    result = _run(*command)
    assert result.returncode == 0, (
        f"`{' '.join(command)}` exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )


@pytest.mark.parametrize(
    "path", sorted((REPO / "src" / "earlywarning").glob("*.py")), ids=lambda p: p.name
)
def test_no_private_name_is_imported_across_modules(path):
    """Shared machinery lives in private modules with public names, never ``_name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("earlywarning.")
        for alias in node.names
        if alias.name.startswith("_") and alias.name != "__version__"
    ]
    assert not private, f"{path.name} imports private names: {private}"
