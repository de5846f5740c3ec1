"""Safe YAML reading for rule and case files: one parse, node locations, problem entries.

Shared by the ruleset loader (``earlywarning.rules``) and the case loader
(``earlywarning.cases``), so that both read files the same way and point at problems the same
way: file, YAML path and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from earlywarning.errors import RuleProblem

__all__ = ["format_path", "line_of", "problem", "read_yaml"]


def read_yaml(
    file: Path, problems: list[RuleProblem]
) -> tuple[dict[str, Any] | None, yaml.Node | None]:
    """A YAML mapping and its node tree (for line numbers), or a problem added and (None, None).

    The text is parsed once: the node tree is composed, and the data built from that tree by
    PyYAML's safe constructor, so no tag can run code.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "a.yaml"
        ...     _ = path.write_text("id: x\\nbands: [1, 2]\\n", encoding="utf-8")
        ...     found: list[RuleProblem] = []
        ...     doc, node = read_yaml(path, found)
        >>> doc, line_of(node, ["bands"]), found
        ({'id': 'x', 'bands': [1, 2]}, 2, [])
    """
    if not file.is_file():
        problems.append(RuleProblem(str(file), "", "file not found"))
        return None, None
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(RuleProblem(str(file), "", f"cannot be read as UTF-8 text: {exc}"))
        return None, None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        doc = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(RuleProblem(str(file), "", f"not valid YAML: {exc}", line))
        return None, None
    finally:
        loader.dispose()
    if not isinstance(doc, dict):
        problems.append(RuleProblem(str(file), "", "must be a mapping of keys to values", 1))
        return None, None
    return doc, node


def line_of(node: yaml.Node | None, path: Iterable[str | int]) -> int | None:
    """The 1-based line of the YAML node at ``path``, or of its nearest ancestor.

    Example:
        >>> tree = yaml.compose("a:\\n  - 1\\n  - {b: 2}\\n", Loader=yaml.SafeLoader)
        >>> line_of(tree, ["a", 1, "b"]), line_of(tree, ["a", 7]), line_of(None, ["a"])
        (3, 1, None)
    """
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(step):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(node.value)
        ):
            child = node.value[step]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def format_path(path: Iterable[str | int]) -> str:
    """A YAML path as written in problems: ``indicators[0].levels[2]``.

    Example:
        >>> format_path(["indicators", 0, "levels", 2])
        'indicators[0].levels[2]'
    """
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def problem(
    file: Path | str, node: yaml.Node | None, path: Sequence[str | int], message: str
) -> RuleProblem:
    """A :class:`~earlywarning.errors.RuleProblem` at ``path`` in ``file``, with its line.

    Example:
        >>> tree = yaml.compose("id: x\\nversion: 1\\n", Loader=yaml.SafeLoader)
        >>> print(problem("r.yaml", tree, ["version"], "must be text"))
        r.yaml:2 at version: must be text
    """
    return RuleProblem(str(file), format_path(path), message, line_of(node, path))
