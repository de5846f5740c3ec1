"""mkdocs hooks: the version in the header, and tables built from the code itself.

The API page's table lists every public module of ``src/earlywarning`` with the first line of its
docstring, so the page cannot drift from the code when a module is added or reworded.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

MARKER = "<!-- module-table -->"
FIELDS_MARKER = "<!-- profile-fields -->"
SOURCE = Path(__file__).resolve().parents[1] / "src" / "earlywarning"


def _is_re_export(tree: ast.Module) -> bool:
    """A module kept only so an old import path works: a docstring, imports and ``__all__``."""

    def allowed(node: ast.stmt) -> bool:
        if isinstance(node, ast.Assign):
            return [getattr(t, "id", None) for t in node.targets] == ["__all__"]
        return isinstance(node, ast.Expr | ast.ImportFrom)

    return all(allowed(node) for node in tree.body)


def public_modules() -> dict[str, Path]:
    """Every public module, by dotted name without ``earlywarning.``: each has a reference page.

    A module is public when no part of its path starts with ``_``. Modules kept only so that an
    old import path still works re-export another module's names and have no page of their own.
    """
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts or any(part.startswith("_") for part in parts):
            continue
        if not _is_re_export(ast.parse(path.read_text(encoding="utf-8"))):
            found[".".join(parts)] = path
    return found


def module_table() -> str:
    """A Markdown table: one row per public module, linking to its reference page."""
    rows = ["| module | what it holds |", "|---|---|"]
    for name, path in public_modules().items():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        rows.append(f"| [`earlywarning.{name}`](reference/{name}.md) | {first} |")
    return "\n".join(rows)


def _bounds(spec: Any) -> str:
    if spec.minimum is None and spec.maximum is None:
        return ""
    low = "" if spec.minimum is None else f"{spec.minimum:g}"
    high = "" if spec.maximum is None else f"{spec.maximum:g}"
    return f"{'above ' if spec.exclusive_minimum else ''}{low} to {high}".strip()


def field_table() -> str:
    """A Markdown table of every profile field, from the field table that drives the checks."""
    from earlywarning.profile import FIELDS

    kinds = {"text": "text", "integer": "whole number", "number": "number", "flag": "yes/no"}
    rows = ["| field | kind | accepted range | meaning |", "|---|---|---|---|"]
    for spec in FIELDS:
        kind = kinds.get(spec.kind, "Ofsted judgement")
        rows.append(f"| `{spec.name}` | {kind} | {_bounds(spec)} | {spec.description} |")
    return "\n".join(rows)


def on_config(config: Any, **kwargs: Any) -> Any:
    """Put the package's version beside the site's name in the header (mkdocs-material shows
    the site's name there), so that a reader knows which release the pages describe."""
    from earlywarning import __version__

    config["site_name"] = f"{config['site_name']} {__version__}"
    return config


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the markers with the table of modules and the table of profile fields."""
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, module_table())
    if FIELDS_MARKER in markdown:
        markdown = markdown.replace(FIELDS_MARKER, field_table())
    return markdown
