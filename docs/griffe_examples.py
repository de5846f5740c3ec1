"""Griffe extension: read a docstring's ``Example:`` section as Google style's ``Examples:``.

The library's docstrings head their doctests ``Example:`` (one example each, as the house style
reads); Google style as griffe parses it knows only the plural, and would render the doctest
lines as Markdown. Renaming the heading here keeps the docstrings as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_SINGULAR = re.compile(r"^(\s*)Example:\s*$", flags=re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` section headings to ``Examples:`` before the docstring is parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Called by griffe for every object it loads."""
        if obj.docstring is not None:
            obj.docstring.value = _SINGULAR.sub(r"\1Examples:", obj.docstring.value)
