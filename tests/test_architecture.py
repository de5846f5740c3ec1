"""The architecture ARCHITECTURE.md states, held against the code's own imports.

The layer table is read from ARCHITECTURE.md, so the document and the check cannot drift apart.
Every import counts: at the top, inside functions, and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
import types
from pathlib import Path

import pytest

import earlywarning as ew

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "earlywarning"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports: ``from a import b`` is ``a.b`` when that is
    a module, else ``a``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """Each module's imports of the package's modules (parsed when a test asks: collection on
    every worker need not pay for it)."""
    return {name: _imports(name, path) for name, path in MODULES.items()}


def _unit(module: str) -> str:
    """The name under src/earlywarning/ that a module belongs to (its top package or itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layers() -> list[list[str]]:
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"```layers\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md has no ```layers block"
    lines = [line.split("#")[0].split() for line in block.group(1).splitlines()]
    return [line for line in reversed(lines) if line]  # bottom first


LAYERS = _layers()
LAYER_OF = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}


def test_every_module_is_placed_in_exactly_one_layer():
    placed = [unit for layer in LAYERS for unit in layer]
    assert len(placed) == len(set(placed)), "a name is in two layers of ARCHITECTURE.md"
    units = {_unit(m) for m in MODULES}
    assert units - set(placed) == set(), "modules in no layer of ARCHITECTURE.md"
    assert set(placed) - units == set(), "layers name modules that do not exist"


def test_no_import_runs_back_up_the_layers(graph: dict[str, set[str]]) -> None:
    upward = sorted(
        f"{a} ({LAYERS[LAYER_OF[_unit(a)]][0]}...) imports {b} ({LAYERS[LAYER_OF[_unit(b)]][0]}...)"
        for a, targets in graph.items()
        for b in targets
        if LAYER_OF[_unit(b)] > LAYER_OF[_unit(a)]
    )
    assert not upward, "imports that run back up the layers:\n" + "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_planted_cycle(graph: dict[str, set[str]]) -> None:
    planted = {name: set(targets) for name, targets in graph.items()}
    planted["earlywarning.errors"].add("earlywarning.rules._models")
    assert any("earlywarning.errors" in cycle for cycle in _cycles(planted))


def test_no_private_module_is_imported_from_another_package(graph: dict[str, set[str]]) -> None:
    """A package's ``_private`` modules are its own; the top level's are everyone's."""
    crossing = sorted(
        f"{a} imports {b}"
        for a, targets in graph.items()
        for b in targets
        if any(part.startswith("_") for part in b.split(".")[2:]) and _unit(a) != _unit(b)
    )
    assert not crossing, "\n".join(crossing)


def test_a_frame_goes_down_into_the_engine_and_stays_there(graph: dict[str, set[str]]) -> None:
    """score_frame's path: the engine package imports nothing above it, and nothing of the
    decisions, data or reports (the issue's 24 moves with 12 steps back up)."""
    engine = {m for m in MODULES if _unit(m) == "engine"}
    leaves = {_unit(b) for a in engine for b in graph[a]} - {"engine"}
    shared = {"errors", "vocabulary", "_names", "_frames"}  # _frames: tables of any kind in and out
    assert leaves <= {"explain", "rules", "profile", *shared}, leaves


MOVED = {
    "neighbours": "datasets.neighbours",
    "judgements": "datasets.user_judgements",
    "report_batch": "report.batch",
    "validate": "validation",
}


@pytest.mark.parametrize(("old", "new"), MOVED.items())
def test_moved_modules_keep_their_import_paths(old, new):
    before = importlib.import_module(f"earlywarning.{old}")
    after = importlib.import_module(f"earlywarning.{new}")
    assert before.__all__ == after.__all__
    for name in after.__all__:
        assert getattr(before, name) is getattr(after, name), name


def test_the_validation_module_has_a_name_no_function_shadows():
    import earlywarning.validation as validation

    assert isinstance(validation, types.ModuleType)
    assert validation.validate is ew.validate and callable(ew.validate)
    assert validation.ValidationReport is ew.ValidationReport
    shadowed = [
        name
        for name in ew.__all__
        if isinstance(sys.modules.get(f"earlywarning.{name}"), types.ModuleType)
        and not isinstance(getattr(ew, name), types.ModuleType)
    ]
    # the old names kept for the contract: any other module named like a function is new
    assert set(shadowed) <= {"validate", "fit", "compare", "watchlist", "report"}, shadowed


def test_python_dash_m_runs_the_command_line(capsys):
    import runpy

    with pytest.raises(SystemExit) as exit_:
        sys.argv = ["earlywarning", "rules", "check"]
        runpy.run_module("earlywarning", run_name="__main__")
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("ok: ")
