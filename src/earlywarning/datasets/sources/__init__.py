"""Every source of the England data, read in its publisher's layout by one import path.

:data:`SOURCES` is the table of sources: one entry per publisher's layout, each knowing how to
recognise a file of it and how to read one. A new source is one module and one entry. The
bundled data are built from the raw files by the same code (:mod:`.build`), and
``earlywarning data import`` reads a user's newer files with it.

Example:
    >>> from earlywarning.datasets.sources import SOURCES
    >>> [s.name for s in SOURCES][:3]
    ['dfe_workforce', 'dfe_children_in_need', 'dfe_referrals']
"""

from __future__ import annotations

from pathlib import Path

from earlywarning._names import excerpt
from earlywarning.datasets.sources import (
    compiled,
    d2i,
    dfe_neighbours,
    dfe_statistics,
    ofsted_outcomes,
    ofsted_underlying,
)
from earlywarning.datasets.sources.types import Source, SourceTable, Where, read_text_table
from earlywarning.io.spreadsheet import WORKBOOK_SUFFIXES, read_workbook, sheet_names

__all__ = ["SOURCES", "Source", "SourceTable", "read_source", "recognise"]

SOURCES: tuple[Source, ...] = (
    *dfe_statistics.SOURCES,
    *dfe_neighbours.SOURCES,
    ofsted_outcomes.SOURCE,
    ofsted_underlying.SOURCE,
    d2i.SOURCE,
    *compiled.SOURCES,
)
"""The table of sources, one entry per publisher's layout."""

_HEADER_ROWS = 10  # how far down a workbook's sheets to look for a header


def _workbook_matches(file: Path) -> list[Source]:
    names = set(sheet_names(file))
    workbooks = [s for s in SOURCES if s.workbook]
    # most layouts are known by their sheets, found without reading a cell
    found = [s for s in workbooks if set(s.signature) <= names]
    if found:
        return found
    book = read_workbook(file, head=_HEADER_ROWS)
    for source in workbooks:
        for sheet in book.values():
            heads = [{str(c).strip() for c in cells} for _, cells in sheet.rows]
            if any(set(source.signature) <= head for head in heads):
                found.append(source)
                break
    return found


def recognise(path: str | Path) -> Source:
    """The source whose layout a file has, from its columns (CSV) or sheets (workbook).

    Raises:
        DataSourceError: the file is missing, or its layout is none of :data:`SOURCES` (the
            message lists them), or more than one.

    Example:
        >>> import tempfile, pathlib
        >>> from earlywarning.datasets.sources import recognise
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
        >>> _ = f.write_text("council,year\\nDerby,2020\\n")
        >>> recognise(f)
        Traceback (most recent call last):
        ...
        earlywarning.errors.DataSourceError: ...mine.csv:1: the columns ['council', 'year'] ...
    """
    file = Path(path)
    if not file.is_file():
        raise Where(file).error("no such file")
    if file.suffix.lower() in WORKBOOK_SUFFIXES:
        found = _workbook_matches(file)
        what = "the sheets and headers"
    else:
        header, _ = read_text_table(file)
        found = [s for s in SOURCES if not s.workbook and set(s.signature) <= set(header)]
        shown = ", ".join(excerpt(h) for h in header[:8])
        what = f"the columns [{shown}{', ...' if len(header) > 8 else ''}]"
    if len(found) == 1:
        return found[0]
    if not found:
        known = "; ".join(f"{s.name} ({s.title})" for s in SOURCES)
        raise Where(file, line=None if file.suffix.lower() in WORKBOOK_SUFFIXES else 1).error(
            f"{what} are no known source's layout; the sources known are: {known}"
        )
    raise Where(file).error(f"matches several layouts: {[s.name for s in found]}")


def read_source(path: str | Path) -> SourceTable:
    """Recognise a file's layout and read it, checked (see :func:`recognise`).

    Raises:
        DataSourceError: the layout is not recognised, or the file breaks it, with the file,
            line (or sheet and row) and reason.
    """
    file = Path(path)
    return recognise(file).read(file)
