"""Lint, format and type checks, run as the developer would run them."""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "earlywarning"


def _name(path: Path) -> str:
    return str(path.relative_to(SRC))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        # ruff takes a fraction of a second; mypy, without a warm cache, takes many seconds
        pytest.param(("mypy",), marks=pytest.mark.slow),
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_passes(command):
    result = _run(*command)
    assert result.returncode == 0, (
        f"`{' '.join(command)}` exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: _name(p))
def test_no_private_name_is_imported_across_modules(path):
    """Shared machinery lives in private modules with public names, never ``_name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("earlywarning.")
        for alias in node.names
        if alias.name.startswith("_")
        and not (alias.name.startswith("__") and alias.name.endswith("__"))
    ]
    assert not private, f"{path.name} imports private names: {private}"


# Short, simple functions, so that every function can be read in one screen. A module's length
# only prompts a look (issue 21): modules are sized by concept.
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
MAX_COMPLEXITY = 20  # radon's grade C ends at 20
SOURCES = sorted(SRC.rglob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _body_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function from its signature to its end, without its docstring."""
    assert fn.end_lineno is not None
    lines = fn.end_lineno - fn.lineno + 1
    first = fn.body[0]
    is_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if is_docstring and isinstance(first.value.value, str) and first.end_lineno is not None:
        lines -= first.end_lineno - first.lineno + 1
    return lines


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: _name(p))
def test_a_long_module_is_noted(path):
    """Length is a prompt to look, not a failure: a module holds one concept, however long."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if lines > MAX_MODULE_LINES:
        warnings.warn(
            f"{_name(path)} has {lines} lines: does it still hold one concept?", stacklevel=1
        )


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: _name(p))
def test_functions_are_short_and_simple(path):
    from radon.complexity import cc_visit

    text = path.read_text(encoding="utf-8")
    long = [
        f"{fn.name} (line {fn.lineno}): {_body_lines(fn)} lines"
        for fn in _functions(ast.parse(text))
        if _body_lines(fn) > MAX_FUNCTION_LINES
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines in {path.name}: {long}"
    complex_ = [
        f"{block.fullname} (line {block.lineno}): {block.complexity}"
        for block in cc_visit(text)
        if block.complexity > MAX_COMPLEXITY
    ]
    assert not complex_, f"blocks above complexity {MAX_COMPLEXITY} in {path.name}: {complex_}"
