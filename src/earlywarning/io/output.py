"""One path for every file the library writes: scores, reports, batches and charts.

A file is written to a temporary file made in the target's own folder (:func:`tempfile.mkstemp`:
an unpredictable name, created exclusively, so a planted symlink is never followed) and renamed
over the target at the end, so a run that fails or is interrupted leaves neither a partial file
nor its temporary. A target whose folder is missing, that is a folder, or whose name does not
say the format asked for is refused before anything is computed into it.

Cells bound for a spreadsheet or a CSV file pass :class:`CellGuard`: a text that Excel would run
as a formula (starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading
single quote, as OWASP recommends against CSV injection, unless it is a plain number (``-3.5``
stays ``-3.5``); control characters are written as ``\\xNN`` escapes; and a cell longer than
Excel holds is refused in a workbook and noted in a CSV file, never cut. Text shown on a terminal
passes :func:`terminal_text`, so no escape sequence in a council's name reaches the terminal.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from earlywarning._names import excerpt
from earlywarning.errors import EarlyWarningWarning, OutputFileError
from earlywarning.io._arrow import ParquetTableWriter

__all__ = [
    "EXCEL_CELL_CHARACTERS",
    "FORMULA_STARTS",
    "IMAGE_FORMATS",
    "CellGuard",
    "ParquetTableWriter",
    "check_output_folder",
    "check_output_path",
    "image_format",
    "json_text",
    "plain_json",
    "terminal_text",
    "write_file",
    "writing",
]

EXCEL_CELL_CHARACTERS = 32_767
"""The most characters one Excel cell holds; Excel cuts a longer CSV cell when it opens it."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP's list)."""

IMAGE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""The chart formats written, by the suffix that names them."""

# A plain number as text: left as it is, since a spreadsheet reads it as the number it is.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# C0 controls but tab, line feed and carriage return (which a workbook holds as text), DEL and
# C1 controls; in a CSV file carriage return too, which the writer does not quote (its lines end
# in line feeds) and a spreadsheet reads as the end of a row: "\r=1+1" would start a formula.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_CSV = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# In values joined by line feeds: a value starting with a sign that is not a plain number.
_SIGNED_TEXT = re.compile(rf"\n(?!{_NUMBER.pattern}(?:\n|\Z))[+-]")


def _needs_change(value: object) -> bool:
    """Whether :meth:`CellGuard.cell` could change a value: text that starts like a formula,
    holds a character that is not printable, or is longer than Excel holds."""
    return isinstance(value, str) and (
        value.startswith(FORMULA_STARTS)
        or not value.isprintable()
        or len(value) > EXCEL_CELL_CHARACTERS
    )


# Everything a terminal could act on: escape sequences (CSI and OSC, with their parameters) and
# any other control character but tab and line feed; bidirectional overrides and isolates too,
# which make text read in another order than it is written.
_TERMINAL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    return _escaped(match.group())


def terminal_text(text: str) -> str:
    """``text`` safe to show on a terminal: escape sequences and control characters (but tab
    and line feed) written out as ``\\xNN``, so they show rather than act.

    Example:
        >>> terminal_text("Derby\\x1b[2J\\x1b]0;pwned\\x07 ok\\n")
        'Derby\\\\x1b[2J\\\\x1b]0;pwned\\\\x07 ok\\n'
    """
    if text.isprintable():
        return text  # the common case, and cheap
    return _TERMINAL.sub(_shown, text)


def _shown(match: re.Match[str]) -> str:
    """A matched sequence with its unprintable characters escaped (ESC, BEL), the rest kept."""
    return "".join(c if c.isprintable() else _escaped(c) for c in match.group())


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class CellGuard:
    """Makes cells safe for a spreadsheet or CSV file, counting what it changed.

    ``excel`` is True for a workbook, where a cell longer than Excel holds is refused (it would
    be cut); in a CSV file it is written whole and noted. :meth:`notices` says what was done.

    Example:
        >>> guard = CellGuard(excel=False)
        >>> [guard.cell(v) for v in ("=1+1", "-3.5", -3.5, "@SUM(A1)", "Derby\\x07", "Bury")]
        ["'=1+1", '-3.5', -3.5, "'@SUM(A1)", 'Derby\\\\x07', 'Bury']
        >>> for n in guard.notices("scores.csv"):
        ...     print(n)  # doctest: +ELLIPSIS
        scores.csv: 2 cells began like a spreadsheet formula (=, +, -, @, tab or ...) and were ...
        scores.csv: 1 cell held control characters, written as \\xNN escapes
    """

    def __init__(self, *, excel: bool) -> None:
        self.excel = excel
        self._control = _CONTROL if excel else _CONTROL_CSV
        self.counts: Counter[str] = Counter()
        self.row = 0  # the row of the file being written, for a refusal to name

    def cell(self, value: Any, column: object = None) -> Any:
        """The value to write in place of ``value``: numbers and missing cells pass as they are."""
        if not isinstance(value, str):
            return value
        if not value.isprintable() and self._control.search(value):
            value = self._control.sub(_escape, value)
            self.counts["control"] += 1
        if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
            value = "'" + value
            self.counts["formula"] += 1
        if len(value) > EXCEL_CELL_CHARACTERS:
            if self.excel:
                raise OutputFileError(
                    f"row {self.row}, column {column!r}: a cell of {len(value):,} characters "
                    f"({excerpt(value)}) is longer than the {EXCEL_CELL_CHARACTERS:,} Excel "
                    "holds; write csv or json instead, which keep it whole"
                )
            self.counts["long"] += 1
        return value

    def column(self, values: pd.Series, name: object) -> pd.Series:
        """A whole column through :meth:`cell`, cheaply: each distinct value is checked once
        (results repeat a band, a council, a ruleset on every row), and only the cells that
        need a change are visited one by one."""
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            return values
        cells = values.to_numpy(dtype=object)
        distinct = pd.unique(cells).tolist()
        if not self._suspect(distinct):
            return values
        changed: dict[str, Any] = {}
        kinds: dict[str, Counter[str]] = {}
        for value in distinct:
            if _needs_change(value):
                before = self.counts.copy()
                changed[value] = self.cell(value, name)
                kinds[value] = self.counts - before  # what this value was changed for
                self.counts = before  # counted below, once per cell holding it
        if not changed:
            return values
        out = cells.copy()
        for at in values.isin(list(changed)).to_numpy().nonzero()[0]:
            out[at] = changed[cells[at]]
            self.counts.update(kinds[cells[at]])
        return pd.Series(out, index=values.index, name=values.name)

    def _suspect(self, distinct: list[Any]) -> bool:
        """Whether any of a column's distinct values might need a change, found by a few scans
        of them all, joined by line feeds, in place of a call per value (a column of a million
        numbers read as text from a CSV file has as many distinct values). It may say yes for a
        value that needs nothing, never no for one that does."""
        strings = [v for v in distinct if isinstance(v, str)]
        if not strings:
            return False
        if max(map(len, strings)) > EXCEL_CELL_CHARACTERS:
            return True
        joined = "\n" + "\n".join(strings)
        if any("\n" + start in joined for start in FORMULA_STARTS if start not in "+-"):
            return True
        signed = "\n-" in joined or "\n+" in joined
        if signed and _SIGNED_TEXT.search(joined):
            return True  # a sign that does not begin a plain number
        return self._control.search(joined) is not None

    def row_cells(self, row: Sequence[Any], columns: Sequence[object]) -> list[Any]:
        """One row's cells, each through :meth:`cell`."""
        self.row += 1
        return [self.cell(v, c) for v, c in zip(row, columns, strict=True)]

    def notices(self, where: object) -> list[EarlyWarningWarning]:
        """One note per kind of change made, with how many cells it touched."""
        out = []
        for kind, (one, many) in _SAID.items():
            n = self.counts[kind]
            if n:
                out.append(EarlyWarningWarning(f"{where}: {n} {one if n == 1 else many}"))
        return out


_FORMULA_NOTE = (
    "began like a spreadsheet formula (=, +, -, @, tab or carriage return) and {} written with "
    "a leading single quote, so no spreadsheet runs {}"
)
_LONG_NOTE = (
    f"longer than the {EXCEL_CELL_CHARACTERS:,} characters Excel holds: written whole, but "
    "Excel cuts {} on opening"
)
_SAID = {
    "formula": (
        "cell " + _FORMULA_NOTE.format("was", "it"),
        "cells " + _FORMULA_NOTE.format("were", "them"),
    ),
    "control": (
        "cell held control characters, written as \\xNN escapes",
        "cells held control characters, written as \\xNN escapes",
    ),
    "long": ("cell is " + _LONG_NOTE.format("it"), "cells are " + _LONG_NOTE.format("them")),
}


def plain_json(value: Any) -> Any:
    """``value`` with every float that is not finite (NaN, infinity) as ``None``, recursively:
    JSON has no token for them, and ``NaN`` in a file breaks strict readers.

    Example:
        >>> plain_json({"auc": float("nan"), "n": [1.5, float("inf")]})
        {'auc': None, 'n': [1.5, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value


def json_text(value: Any, **options: Any) -> str:
    """``value`` as strict JSON: no ``NaN`` or ``Infinity`` token (written ``null``), and any
    other object (a date) as its text.

    Example:
        >>> json_text({"score": float("nan"), "band": "low"})
        '{"score": null, "band": "low"}'
    """
    return json.dumps(plain_json(value), allow_nan=False, default=str, **options)


def image_format(path: str | Path) -> str:
    """The chart format a file name asks for, from its suffix; other names are refused.

    Raises:
        OutputFileError: for a name without ``.png``, ``.svg`` or ``.pdf``: the file written is
            the file named, so a chart is never written under another name than the one given.

    Example:
        >>> image_format("derby.PNG")
        'png'
    """
    fmt = IMAGE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise OutputFileError(
            f"{path}: a chart is written as PNG, SVG or PDF, by the name's ending: name it "
            f"{Path(path).name or 'chart'}.png, .svg or .pdf"
        )
    return fmt


def check_output_path(path: str | Path, what: str = "output") -> Path:
    """``path`` as a file that can be written: its folder exists, and it is not a folder itself.

    Raises:
        OutputFileError: naming the path and what is wrong with it.

    Example:
        >>> try:
        ...     check_output_path("no/such/folder/scores.csv")
        ... except OutputFileError as e:
        ...     print(e)
        no/such/folder/scores.csv: cannot be written: no folder no/such/folder (make it first)
    """
    target = Path(path)
    if str(path) == "" or target.name in ("", ".", ".."):
        raise OutputFileError(f"{path!r}: the {what} needs a file name")
    if target.is_dir():
        raise OutputFileError(f"{path}: is a folder; the {what} needs a file name")
    folder = target.parent
    if not folder.exists():
        raise OutputFileError(f"{path}: cannot be written: no folder {folder} (make it first)")
    if not folder.is_dir():
        raise OutputFileError(f"{path}: cannot be written: {folder} is a file, not a folder")
    return target


def check_output_folder(path: str | Path) -> Path:
    """A folder to write a batch of files into: made if missing, when its parent exists.

    Raises:
        OutputFileError: when it is a file, or its parent folder is missing.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     check_output_folder(Path(d) / "pages").is_dir()
        True
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputFileError(f"{path}: is a file; a batch is written into a folder")
    if not folder.exists():
        check_output_path(folder, "batch")  # its parent must exist, as for any file written
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot be made: {exc.strerror or exc}") from None
    return folder


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def writing(path: str | Path, *, binary: bool = False, what: str = "output") -> Iterator[IO[Any]]:
    """A stream into a temporary file that becomes ``path`` when the block ends without error.

    On any error or interruption (an exception, Ctrl-C, or SIGTERM under the command line) the
    temporary file is removed and ``path`` is left as it was.

    Raises:
        OutputFileError: when the path is refused by :func:`check_output_path` or the file
            cannot be written; nothing is left behind.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     with writing(Path(d) / "a.txt") as fh:
        ...         _ = fh.write("whole")
        ...     sorted(p.name for p in Path(d).iterdir())
        ['a.txt']
    """
    target = check_output_path(path, what)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    try:
        fh: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputFileError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_file(path: str | Path, content: str | bytes, *, what: str = "output") -> Path:
    """Write ``content`` whole to ``path`` through :func:`writing`; text as UTF-8 with ``\\n``.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     write_file(Path(d) / "a.html", "<p>a</p>").read_text(encoding="utf-8")
        '<p>a</p>'
    """
    with writing(path, binary=isinstance(content, bytes), what=what) as fh:
        fh.write(content)
    return Path(path)
