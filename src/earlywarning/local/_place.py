"""Where a value was read, and the problems found there: private machinery of
:mod:`earlywarning.local`.

A YAML file and a CSV file say where a value is differently (a path in a node tree; a row's line
and a column), so the checks ask a :class:`Place` for the file, the line and the location and
never need to know which format they read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from earlywarning._yaml import format_path, line_of
from earlywarning.errors import LocalFactProblem

__all__ = ["Place", "Problems"]


@dataclass(frozen=True)
class Place:
    """Where a value is: a YAML path in a node tree, or a CSV row's line and a column.

    Example:
        >>> row = Place("facts.csv", ("council",), row_line=3)
        >>> row.at("date").location, row.at("date").line
        ('date', 3)
    """

    file: str
    path: tuple[str | int, ...] = ()
    node: yaml.Node | None = None  # the YAML tree, for line numbers
    row_line: int | None = None  # a CSV row: every column is on this line

    def at(self, *steps: str | int) -> Place:
        """The place of a key (or index) within this one; in a CSV row, of a column."""
        if self.row_line is not None:
            return Place(self.file, (str(steps[-1]),), row_line=self.row_line)
        return Place(self.file, (*self.path, *steps), self.node)

    @property
    def in_csv(self) -> bool:
        return self.row_line is not None

    @property
    def line(self) -> int | None:
        if self.row_line is not None:
            return self.row_line
        return line_of(self.node, self.path)

    @property
    def location(self) -> str:
        return format_path(self.path)


@dataclass
class Problems:
    """Every problem found so far, so that one run reports them all."""

    found: list[LocalFactProblem] = field(default_factory=list)

    def add(self, place: Place, value: Any, message: str) -> None:
        self.found.append(LocalFactProblem(place.file, place.line, place.location, value, message))

    def __bool__(self) -> bool:
        return bool(self.found)
