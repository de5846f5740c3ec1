"""One guarded reader for every YAML or JSON document a user gives the library.

:func:`read_document` reads profiles today, and is the reader for judgements and local facts
too: it reads a file with the protections of the rule loader (:mod:`earlywarning._yaml`) and
refuses, with the file and the line, whatever would be read wrongly or at great cost:

* a file over :data:`MAX_DOCUMENT_BYTES`, or in no encoding that fits (UTF-8, or Windows-1252
  with a :class:`~earlywarning.FileEncodingWarning`);
* YAML anchors and aliases (an alias bomb costs no more than its text), nesting deeper than
  :data:`~earlywarning._yaml.MAX_NESTING`, and a key written twice in one mapping (which would
  silently replace the first);
* in JSON the same nesting and repeated keys, and ``NaN`` and ``Infinity``, which are not JSON.

YAML numbers are read as written (YAML 1.2's core schema): ``017`` is seventeen, not octal
fifteen, and ``1:30`` is the text ``1:30``, not ninety.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from earlywarning._names import excerpt
from earlywarning._yaml import MAX_NESTING, parse_yaml
from earlywarning.errors import (
    EarlyWarningWarning,
    FileEncodingWarning,
    InputFileError,
    RuleProblem,
)

__all__ = ["DOCUMENT_FORMATS", "MAX_DOCUMENT_BYTES", "load_document", "read_document"]

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""The largest YAML or JSON document read (64 MiB): far more than any profile, judgements or
facts file needs, and a bound on what a malformed one can cost."""

DOCUMENT_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
"""The document format read for each file suffix."""

_EXCEL_HINT = "save it as UTF-8 (in Excel: Save As, 'CSV UTF-8')"
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def read_document(
    path: str | Path,
    *,
    what: str = "document",
    error: type[InputFileError] = InputFileError,
) -> Any:
    """The data of a YAML or JSON file (by its suffix), read with every guard; any notice (an
    encoding guessed) given as a warning.

    Args:
        path: the file.
        what: what the file holds, as messages name it (``"profile"``, ``"judgements"``).
        error: the error class raised, :class:`~earlywarning.InputFileError` or a subclass
            (the profile reader raises :class:`~earlywarning.ProfileFileError`).

    Raises:
        InputFileError: (or ``error``) for anything refused, with the file and, where there is
            one, the line.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "facts.yaml"
        >>> _ = f.write_text("council: Derby\\ncode: 017\\nstarts: 1:30\\n")
        >>> read_document(f)
        {'council': 'Derby', 'code': 17, 'starts': '1:30'}
        >>> _ = f.write_text("council: Derby\\ncouncil: Leeds\\n")
        >>> try:
        ...     read_document(f, what="judgements")
        ... except InputFileError as e:
        ...     print(e.line, e.message)  # doctest: +ELLIPSIS
        2 judgements file at council: key 'council' is written twice in one mapping (first ...
    """
    data, notices = load_document(path, what=what, error=error)
    for notice in notices:
        warnings.warn(notice, stacklevel=2)
    return data


def load_document(
    path: str | Path,
    *,
    what: str = "document",
    error: type[InputFileError] = InputFileError,
    fmt: str | None = None,
) -> tuple[Any, list[EarlyWarningWarning]]:
    """:func:`read_document`'s data and its notices, for a caller that shows them itself.

    ``fmt`` (``"yaml"`` or ``"json"``) overrides the suffix. An empty document is ``None``.
    """
    file = Path(path)
    fmt = fmt or DOCUMENT_FORMATS.get(file.suffix.lower())
    if fmt not in ("yaml", "json"):
        raise error(file, f"a {what} document is YAML (.yaml, .yml) or JSON (.json)")
    raw = _read_bytes(file, what, error)
    notices: list[EarlyWarningWarning] = []
    text = _decode(file, raw, error, notices)
    if fmt == "json":
        return _json(file, text, what, error), notices
    problems: list[RuleProblem] = []
    data, _ = parse_yaml(text, str(file), problems, kind=f"{what} files", mapping=False)
    if problems:
        _refuse_problems(file, problems, what, error)
    return data, notices


def _read_bytes(file: Path, what: str, error: type[InputFileError]) -> bytes:
    if file.is_dir():
        raise error(file, f"is a folder, not a {what} file")
    try:
        size = file.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise error(
                file,
                f"is {size:,} bytes, more than the {MAX_DOCUMENT_BYTES:,} a {what} document "
                "may hold",
            )
        raw = file.read_bytes()
    except FileNotFoundError:
        raise error(file, "no such file") from None
    except OSError as exc:
        raise error(file, f"cannot be read: {exc.strerror or exc}") from None
    if not raw.strip():
        raise error(file, "is empty")
    return raw


def _decode(
    file: Path, raw: bytes, error: type[InputFileError], notices: list[EarlyWarningWarning]
) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            problem = f"byte 0x{raw[exc.start]:02x} at byte {exc.start} is not UTF-8"
            raise error(file, f"{problem}; {_EXCEL_HINT}", line=line, byte=exc.start) from None
        notices.append(FileEncodingWarning(f"{file}: not UTF-8 (line {line}); read as cp1252"))
        return text


def _refuse_problems(
    file: Path, problems: list[RuleProblem], what: str, error: type[InputFileError]
) -> NoReturn:
    """The first problem as the error (with its line and YAML path), and how many more."""
    first = problems[0]
    if first.message.startswith(_SYNTAX):
        # PyYAML's message, without the lines that quote the text and point at it
        said = [ln for ln in first.message[len(_SYNTAX) :].splitlines() if ln[:1].strip()]
        raise error(file, "cannot be read as YAML: " + "; ".join(said), line=first.line)
    at = f" at {first.location}" if first.location else ""
    n = len(problems) - 1
    more = f" (and {n} more {'problem' if n == 1 else 'problems'})" if n else ""
    raise error(file, f"{what} file{at}: {first.message}{more}", line=first.line)


_SYNTAX = "not valid YAML: "


def _json(file: Path, text: str, what: str, error: type[InputFileError]) -> Any:
    _check_json_depth(file, text, what, error)
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out and not repeated:
                repeated.append(key)
            out.setdefault(key, value)
        return out

    def constant(name: str) -> NoReturn:
        raise ValueError(f"{name} is not a number JSON allows (write null for a missing value)")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise error(file, f"is not valid JSON: {exc.msg}", line=exc.lineno) from None
    except ValueError as exc:  # a constant refused, or an integer of too many digits
        line = _line_of(text, str(exc).split(" ", 1)[0]) if "JSON allows" in str(exc) else None
        raise error(file, f"is not valid JSON: {exc}", line=line) from None
    if repeated:
        key = repeated[0]
        raise error(
            file,
            f"{what} file: key {excerpt(key)} is written twice in one object; the second "
            "would silently replace the first",
            line=_line_of(text, json.dumps(key), second=True),
        )
    return data


def _check_json_depth(file: Path, text: str, what: str, error: type[InputFileError]) -> None:
    """Refuse nesting beyond MAX_NESTING before json recurses into it (a pile of brackets
    would end in a RecursionError). Strings are blanked first, so brackets in them don't count;
    a JSON string holds no line break, so lines are unchanged."""
    blank = _STRING.sub(b'""', text.encode("utf-8", "surrogatepass"))
    codes = np.frombuffer(blank, dtype=np.uint8)
    step = np.isin(codes, (ord("["), ord("{"))).astype(np.int32)
    step -= np.isin(codes, (ord("]"), ord("}")))
    depth = np.cumsum(step)
    if depth.size and depth.max() > MAX_NESTING:
        at = int(np.argmax(depth > MAX_NESTING))
        raise error(
            file,
            f"{what} file: nested more than {MAX_NESTING} levels deep, far deeper than {what} "
            "files need",
            line=blank.count(b"\n", 0, at) + 1,
        )


def _line_of(text: str, token: str, *, second: bool = False) -> int | None:
    """The line of ``token``'s first (or second) appearance in ``text``, if it appears."""
    at = text.find(token)
    if second and at >= 0:
        at = text.find(token, at + 1)
    return text.count("\n", 0, at) + 1 if at >= 0 else None
