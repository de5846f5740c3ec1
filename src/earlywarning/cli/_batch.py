"""A profile file as the command line scores it: chunks, carried columns, one council, notices."""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd
from tqdm import tqdm

from earlywarning.cli._output import Writer, result_table, write_assessment
from earlywarning.engine import score, score_frame
from earlywarning.errors import EarlyWarningError, ProfileError
from earlywarning.io import ProfileReader, iter_profiles
from earlywarning.io.output import terminal_text
from earlywarning.profile import FIELD_NAMES, check_columns
from earlywarning.rules import Ruleset

__all__ = [
    "STDIN",
    "STDIN_NAME",
    "ProfileSource",
    "columns_of",
    "contributions",
    "input_file",
    "note",
    "profile_of",
    "rows",
    "sniff_format",
]

STDIN = "-"
"""The file name that means standard input."""

STDIN_NAME = "standard input"
"""What messages call standard input, in place of the temporary file it is read from."""

# the temporary files standing for standard input, by the name messages give them
_SHOWN_AS: dict[str, str] = {}


def note(message: object) -> None:
    """A one-line notice on standard error."""
    text = str(message)
    for path, name in _SHOWN_AS.items():
        text = text.replace(path, name)
    print(terminal_text(f"earlywarning: note: {text}"), file=sys.stderr)


# The first bytes of the binary formats; anything else is text.
_MAGIC = {b"PK\x03\x04": "xlsx", b"PAR1": "parquet", b"ARROW1": "feather"}
# A YAML document's first line: a document marker, a list item, or a key and a colon, before
# any delimiter a CSV header would hold.
_YAML_START = re.compile(r"(---|-\s|[^,\t;|]+:(\s|$))")
_SNIFF_BYTES = 1 << 16


def sniff_format(head: bytes) -> str:
    """The format of a profile file from its first bytes, as standard input is read.

    Workbooks, Parquet and Feather files by their signatures; text starting ``{`` or ``[`` is
    JSON; text whose first line is a YAML key (``council: Derby``), a list item or ``---`` is
    YAML; any other text is a table, CSV or TSV, its delimiter found as a file's is.

    Example:
        >>> [sniff_format(b) for b in (b"council,year\\nA,2020", b"council: Derby\\n", b"[{}]")]
        ['csv', 'yaml', 'json']
    """
    for magic, fmt in _MAGIC.items():
        if head.startswith(magic):
            return fmt
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 with its mark: Excel's "Unicode text", a tab-separated table
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        return "json"
    lines = (line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    first = next(lines, "")
    return "yaml" if _YAML_START.match(first) else "csv"


@contextmanager
def input_file(name: str | Path) -> Iterator[Path]:
    """The file a command is to read: ``name`` itself, or for ``-`` standard input copied to a
    temporary file (in blocks, so memory stays flat) named for the format its first bytes show.

    While the block runs, errors and notes name it "standard input", never the temporary file,
    which is removed at the end.
    """
    if str(name) != STDIN:
        yield Path(name)
        return
    if sys.stdin.isatty():  # nothing was sent: say so rather than wait for typing
        raise EarlyWarningError(
            f"- reads a file from {STDIN_NAME}, which is a terminal here: send one to it "
            "(< FILE, or a pipe)"
        )
    source = sys.stdin.buffer
    head = source.read(_SNIFF_BYTES)
    fmt = sniff_format(head)
    with tempfile.TemporaryDirectory(prefix="earlywarning-") as folder:
        path = Path(folder) / f"standard-input.{fmt}"
        with path.open("wb") as fh:
            fh.write(head)
            shutil.copyfileobj(source, fh)
        note(f"{STDIN_NAME} read as {fmt.upper()}, from its first bytes")
        _SHOWN_AS[str(path)] = STDIN_NAME
        try:
            yield path
        except EarlyWarningError as exc:
            exc.args = tuple(
                a.replace(str(path), STDIN_NAME) if isinstance(a, str) else a for a in exc.args
            )
            if getattr(exc, "file", None) == str(path):
                setattr(exc, "file", STDIN_NAME)  # noqa: B010 (InputFileError's own attribute)
            raise
        finally:
            del _SHOWN_AS[str(path)]


def profile_of(row: dict[Any, Any]) -> dict[str, Any]:
    """A row's profile fields, for :func:`score` (carried columns and blanks left out)."""
    return {str(k): v for k, v in row.items() if k in FIELD_NAMES and not _blank(v)}


def _blank(v: Any) -> bool:
    return v is None or (not isinstance(v, list | dict) and bool(pd.isna(v)))


def rows(frame: pd.DataFrame) -> list[dict[Any, Any]]:
    """The rows of a frame as dicts."""
    return [dict(r) for r in frame.to_dict("records")]


def contributions(chunk: pd.DataFrame, result: pd.DataFrame, rules: Ruleset) -> Iterator[Any]:
    """Each row's contributions as plain data, None for a row that could not be scored.

    Made one row at a time as the writer asks, so a chunk's contributions are never all held.
    """
    for row, error in zip(rows(chunk), result["error"], strict=True):
        if isinstance(error, str):
            yield None
        else:
            # the contributions do not depend on the score range: leave it out
            a = score(profile_of(row), ruleset=rules, ranges=False)
            yield [c.model_dump() for c in a.contributions]


def columns_of(args: argparse.Namespace) -> str:
    """What ``--columns`` keeps beside the scores: as asked, or by default every input column
    in data and only the identity in text, which is read on a screen."""
    asked = getattr(args, "columns", None)  # explain writes no table, so has no --columns
    if asked is not None:
        return str(asked)
    return "scores" if getattr(args, "format", "text") == "text" else "all"


class ProfileSource:
    """Profiles opened for a command (a file, or a council's national profile): their chunks,
    carried columns and notices."""

    def __init__(
        self, reader: ProfileReader, *, council: str | None, columns: str, one: bool = False
    ) -> None:
        self.reader = reader
        self.carried = check_columns(self.reader.columns)
        self.council = council
        self.columns = columns
        self.one = one  # one profile, to be shown as one assessment
        self.shown = 0
        self.notes()
        if self.carried and columns == "all" and not one:
            names = ", ".join(map(str, self.carried))
            note(f"{reader.path}: columns carried to the output unchanged: {names}")

    @classmethod
    def from_args(cls, args: argparse.Namespace, path: Path) -> ProfileSource:
        """The file at ``path`` (the ``source`` argument, through :func:`input_file`) read as a
        command's ``--chunk-rows``, ``--suppressed``, ``--sheet`` and ``--council`` say."""
        reader = iter_profiles(
            path, chunk_rows=args.chunk_rows, suppressed=args.suppressed, sheet=args.sheet
        )
        return cls(reader, council=args.council, columns=columns_of(args))

    @classmethod
    def national(cls, profile: pd.DataFrame, args: argparse.Namespace) -> ProfileSource:
        """A council's national profile (one row), as a source like a file's."""
        reader = ProfileReader.of_table(profile)
        return cls(reader, council=None, columns=columns_of(args), one=True)

    def write_scores(
        self, chunks: Iterable[pd.DataFrame], writer: Writer, rules: Ruleset, progress: bool
    ) -> tuple[int, int]:
        """Score and write each chunk as it comes; the number of rows, and of rows that failed."""
        total = failed = 0
        bar = tqdm(total=self.reader.rows, unit=" rows", disable=not progress, file=sys.stderr)
        with bar:
            for chunk in chunks:
                result = score_frame(chunk, rules)
                detail = contributions(chunk, result, rules) if writer.contributions else None
                writer.write(result_table(chunk, result, self.columns), detail)
                total += len(chunk)
                failed += int(result["error"].notna().sum())
                bar.update(len(chunk))
        writer.close()
        return total, failed

    def write_explanations(self, stream: IO[Any], rules: Ruleset) -> tuple[int, int]:
        """Write each row's explanation, or why it was not scored; rows, and rows that failed."""
        total = failed = 0
        for chunk in self.chunks():
            for row in rows(chunk):
                if total:
                    stream.write("\n")
                total += 1
                try:
                    assessment = score(profile_of(row), ruleset=rules)
                except ProfileError as exc:
                    # one bad row is reported in its place; the others are still explained
                    failed += 1
                    stream.write(f"Row {total} ({row.get('council')}): not scored: {exc}\n")
                    continue
                write_assessment(assessment, "text", stream)
        return total, failed

    def notes(self) -> None:
        """Print the reader's notices not yet shown."""
        for notice in self.reader.notices[self.shown :]:
            note(notice)
        self.shown = len(self.reader.notices)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The file's rows, chunk by chunk, or with a council named, its rows in one."""
        if self.council is None:
            yield from self.reader
            return
        wanted = self.council.strip().casefold()
        names: set[str] = set()
        picked = []
        for chunk in self.reader:
            council = chunk["council"] if "council" in chunk else pd.Series(dtype=object)
            text = council.dropna().astype(str).str.strip()
            names.update(text)
            picked.append(chunk.loc[text.index[text.str.casefold() == wanted]])
        found = pd.concat(picked)
        if found.empty:
            close = difflib.get_close_matches(self.council, sorted(names), n=3)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise EarlyWarningError(f"{self.reader.path}: no council {self.council!r}{hint}")
        yield found

    def single(self, frame: pd.DataFrame) -> bool:
        """True when the input is one profile, to be shown as one assessment."""
        one_document = self.reader.format in ("yaml", "json") and self.reader.rows == 1
        return len(frame) == 1 and (one_document or self.one or self.council is not None)
