"""mkdocs hooks: the version in the header, and tables built from the code itself.

The API page's table lists every public module of ``src/earlywarning`` with the first line of its
docstring, so the page cannot drift from the code when a module is added or reworded.
"""

from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path
from typing import Any

MARKER = "<!-- module-table -->"
# A python block with this title is a notebook cell: the page shows what Jupyter would show
# for its last expression (the value's _repr_html_) right after it.
CELL_TITLE = 'title="In"'

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


def _last_value(code: str, namespace: dict[str, Any], where: str) -> Any:
    """Run ``code``; the value of its last statement when that is an expression, else None."""
    tree = ast.parse(code, filename=where)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    # what a block prints is shown in its Output block, which the tests check; not in the log
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(tree, where, "exec"), namespace)
        if last is None:
            return None
        return eval(compile(ast.Expression(last.value), where, "eval"), namespace)


def notebook_cells(markdown: str, page: str) -> str:
    """Run a page's python blocks in order, in one namespace (as tests/test_docs.py does), and
    after each notebook cell (a block titled ``In``) put the HTML its last value displays.

    The HTML goes in as one line inside a ``<div>``, which Markdown passes through as it is.
    """
    namespace: dict[str, Any] = {"__name__": f"docs_{page}"}
    out: list[str] = []
    lines = iter(markdown.splitlines())
    for line in lines:
        out.append(line)
        if not line.startswith("```python"):
            continue
        body = []
        for inner in lines:
            out.append(inner)
            if inner.strip() == "```":
                break
            body.append(inner)
        value = _last_value("\n".join(body), namespace, f"docs/{page}")
        if CELL_TITLE in line and hasattr(value, "_repr_html_"):
            shown = " ".join(str(value._repr_html_()).splitlines())
            out += ["", f'<div class="notebook-output">{shown}</div>', ""]
    return "\n".join(out) + "\n"


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the markers with the table of modules and the table of profile fields, and show
    the output of the notebook cells of a page that has them."""
    page = kwargs.get("page")
    if page is not None and CELL_TITLE in markdown:
        markdown = notebook_cells(markdown, Path(page.file.src_uri).name)
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, module_table())
    if FIELDS_MARKER in markdown:
        markdown = markdown.replace(FIELDS_MARKER, field_table())
    return markdown
