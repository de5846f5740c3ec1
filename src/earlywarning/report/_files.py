"""The files of a report: each council's page name, and pages written whole or not at all."""

from __future__ import annotations

import re
from pathlib import Path

from earlywarning.io.output import write_file

__all__ = ["page_name", "write_text"]


def page_name(council: str) -> str:
    """The file name of a council's page in a batch: its name in lower case, words joined by -.

    Example:
        >>> page_name("Bath and North East Somerset")
        'bath-and-north-east-somerset.html'
        >>> page_name("St. Helens")
        'st-helens.html'
    """
    return re.sub(r"[^a-z0-9]+", "-", council.casefold()).strip("-") + ".html"


def write_text(path: Path, text: str) -> Path:
    """Write a page through :func:`earlywarning.io.output.write_file`: a temporary file in the
    same folder with a name no one can predict, renamed at the end, so a failure leaves no
    partial page and a planted symlink is never followed.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_text(Path(folder) / "a.html", "<p>a</p>").read_text(encoding="utf-8")
        '<p>a</p>'
    """
    return write_file(path, text, what="report page")
