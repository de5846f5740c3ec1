"""The rule files of one ruleset: which files, read and merged into one document, and where each
rule came from, so that a problem found in the merged whole is reported in the file the user
edited, with its own index and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from earlywarning._names import unknown_key
from earlywarning._yaml import problem, read_yaml
from earlywarning.errors import RuleFileError, RuleProblem
from earlywarning.vocabulary import Location

__all__ = [
    "FAMILY_KEYS",
    "HEADER_COPIED",
    "HEADER_KEYS",
    "SECTIONS",
    "Locator",
    "RuleSources",
    "merge_file",
    "read_sources",
    "rule_files",
]

SECTIONS = ("indicators", "combinations")
"""The lists of rules a file may hold, in the order they are merged."""

FAMILY_KEYS = ("combinations", "description", "family", "indicators")
"""The top-level keys of a family file."""

HEADER_KEYS = ("bands", "id", "title", "version")
"""The top-level keys the header (``ruleset.yaml``) may hold besides those of a family file."""

HEADER_COPIED = ("bands", "description", "id", "title", "version")
"""What the header contributes to the merged ruleset (a family's description stays its own)."""


@dataclass
class RuleSources:
    """The rule files of one ruleset merged into one document, with where each rule came from.

    Example:
        >>> from earlywarning.rules import default_rules_dir
        >>> sources = read_sources(default_rules_dir())
        >>> sources.header.name, sources.problems, sources.data["id"]
        ('ruleset.yaml', [], 'earlywarning-default')
    """

    header: Path
    data: dict[str, Any] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    # (section, merged index) -> (file, that file's node tree, index within the file)
    origin: dict[tuple[str, int], tuple[str, Any, int]] = field(default_factory=dict)
    header_node: Any = None
    header_read: bool = True
    problems: list[RuleProblem] = field(default_factory=list)


def read_sources(root: Path) -> RuleSources:
    """Read every rule file under ``root`` (a directory or one file) into one merged document.

    Raises:
        RuleFileError: when ``root`` is neither a file nor a directory. Problems in the files
            are collected in the result's ``problems`` instead, so that every one is reported.

    Example:
        >>> from earlywarning.rules import default_rules_dir
        >>> len(read_sources(default_rules_dir()).data["indicators"]) > 0
        True
    """
    files = rule_files(root)
    sources = RuleSources(files[0])
    for file in files:
        merge_file(sources, file)
    return sources


def rule_files(root: Path) -> list[Path]:
    """The header first, then the family files in name order; or the one file given.

    Example:
        >>> from earlywarning.rules import default_rules_dir
        >>> [p.name for p in rule_files(default_rules_dir())][:2]
        ['ruleset.yaml', 'budget.yaml']
    """
    if root.is_dir():
        families = sorted(p for p in root.glob("*.yaml") if p.name != "ruleset.yaml")
        return [root / "ruleset.yaml", *families]
    if root.is_file():
        return [root]
    raise RuleFileError([RuleProblem(str(root), "", "no such file or directory")])


def merge_file(sources: RuleSources, file: Path) -> None:
    """Read one file into ``sources``: its rules, and for the header its id, version and bands.

    Problems (an unreadable file, an unknown top-level key, a section that is not a list) are
    added to ``sources.problems``.
    """
    doc, node = read_yaml(file, sources.problems)
    is_header = file == sources.header
    if doc is None:
        sources.header_read = sources.header_read and not is_header
        return
    allowed = (*FAMILY_KEYS, *HEADER_KEYS) if is_header else FAMILY_KEYS
    for key in doc:
        if key not in allowed:
            sources.problems.append(problem(file, node, [key], unknown_key(key, allowed)))
    if is_header:
        sources.header_node = node
        sources.data.update({k: doc[k] for k in HEADER_COPIED if k in doc})
    for section in SECTIONS:
        items = doc.get(section) or []
        if not isinstance(items, list):
            sources.problems.append(problem(file, node, [section], "must be a list"))
            continue
        for i, item in enumerate(items):
            sources.origin[(section, len(sources.data[section]))] = (str(file), node, i)
            sources.data[section].append(item)


@dataclass(frozen=True)
class Locator:
    """Turns a location in the merged ruleset into a problem in the file the user edited.

    Example:
        >>> Locator("<data>", None, {}).problem(("bands", 0), "wrong")
        RuleProblem(file='<data>', location='bands[0]', message='wrong', line=None)
    """

    source: str
    header_node: Any
    origin: dict[tuple[str, int], tuple[str, Any, int]]

    def problem(self, loc: Location, message: str) -> RuleProblem:
        """The problem ``message`` at ``loc``, named in the file that holds it."""
        if len(loc) >= 2 and isinstance(loc[1], int) and (str(loc[0]), loc[1]) in self.origin:
            # translate the merged index back to the index within its own file
            file, node, own_index = self.origin[(str(loc[0]), loc[1])]
            return problem(file, node, [loc[0], own_index, *loc[2:]], message)
        return problem(self.source, self.header_node, list(loc), message)
