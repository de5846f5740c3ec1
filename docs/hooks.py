"""mkdocs hook: the API page's table of modules, built from the modules' own docstrings.

The table lists every public module of ``src/earlywarning`` with the first line of its
docstring, so the page cannot drift from the code when a module is added or reworded.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

MARKER = "<!-- module-table -->"
FIELDS_MARKER = "<!-- profile-fields -->"
SOURCE = Path(__file__).resolve().parents[1] / "src" / "earlywarning"


def module_table() -> str:
    """A Markdown table: one row per public module, linking to its reference page."""
    rows = ["| module | what it holds |", "|---|---|"]
    for path in sorted(SOURCE.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        rows.append(f"| [`earlywarning.{path.stem}`](reference/{path.stem}.md) | {first} |")
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


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the markers with the table of modules and the table of profile fields."""
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, module_table())
    if FIELDS_MARKER in markdown:
        markdown = markdown.replace(FIELDS_MARKER, field_table())
    return markdown
