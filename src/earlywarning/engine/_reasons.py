"""Reasons: rows of points ranked and their reason codes joined, a whole block at a time.

Private machinery behind :meth:`earlywarning.engine.Evaluation.reason_codes`; its names are
public within the package. The order is fixed by the rules of ranking alone: risks by points,
most first, then mitigations by the size of their credit, zeros left out, ties in ruleset order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np

from earlywarning.engine._kernel import BLOCK_ROWS, INT16_MAX

__all__ = [
    "joined_codes",
    "joined_utf8",
    "rank_order",
    "ranked_codes",
    "ranked_row",
    "text_blocks",
]

# the most entries of the table of runs of reason codes
_RUN_TABLE = 20_000


def rank_order(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows of points: the column order of their reasons, and how many columns count.

    Risks by points descending, then mitigations by the size of their credit, zeros left out;
    ties keep the ruleset's order.
    """
    width = points.shape[1]
    top = float(np.abs(points).max(initial=0))
    big = 2 * top + 1
    # int32 keys sort fastest, when they fit (they do for every ruleset in hundredths)
    small = points.dtype != np.float64 and (3 * big + 1) * (width + 1) < 2**31
    p: Any = points.astype(np.int32 if small else np.float64)
    key = np.where(p > 0, -p, np.where(p < 0, p + p.dtype.type(big), p.dtype.type(3 * big)))
    # the column number breaks ties, so every key is distinct and any sort keeps ruleset order
    # (a short row sorts fastest by the default sort, not by a stable one)
    key = key * p.dtype.type(width) + np.arange(width, dtype=p.dtype)
    return np.argsort(key, axis=1), np.count_nonzero(points, axis=1)


def ranked_row(points: list[float], codes: tuple[str, ...]) -> list[str]:
    """The reason codes of one row of points, in the order :func:`rank_order` gives.

    For one profile a sort of the few nonzero points in Python costs less than numpy's calls.
    It is one plain loop, zeros (most of a row) passed over by one test, because it runs for
    every profile scored one at a time: that costs less than one comprehension per sign.
    """
    risks: list[int] = []
    credits: list[int] = []
    for j, p in enumerate(points):
        if p:
            if p > 0:
                risks.append(j)
            elif p < 0:
                credits.append(j)
    # sorts are stable, reversed ones too: ties keep the ruleset's order
    at = points.__getitem__
    risks.sort(key=at, reverse=True)
    if credits:
        credits.sort(key=at)
        risks += credits
    return [codes[j] for j in risks]


def ranked_codes(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows of points: their column numbers in reason order, and how many count.

    The order is :func:`rank_order`'s; past a row's count the column number is the width of
    the matrix, standing for 'nothing'.
    """
    width = points.shape[1]
    counts = np.count_nonzero(points, axis=1)
    if points.dtype != np.int16 or not points.flags.c_contiguous or width >= INT16_MAX:
        order, counts = rank_order(points)
        return np.where(np.arange(width) < counts[:, None], order, width), counts
    # Each point's sort key from a table of every int16 value: rank * (width + 1) + column.
    # Sorting the keys (cheaper than sorting their positions) leaves each column number as
    # the key modulo width + 1.
    key = _keys16(width).take(points.view(np.uint16)) + np.arange(width, dtype=np.int32)
    key.sort(axis=1)
    base = width + 1
    return np.where(key < _ZERO_RANK * base, key % base, width), counts


_ZERO_RANK = 65_536


@lru_cache(maxsize=16)
def _keys16(width: int) -> np.ndarray:
    """Sort keys of the int16 points, indexed by their bits: risks first (most points
    first), then mitigations (largest credit first), zeros last; times ``width + 1``."""
    p = np.arange(65_536, dtype=np.int64)
    p = np.where(p >= 32_768, p - 65_536, p)  # the int16 each index's bits stand for
    rank = np.where(p > 0, 32_768 - p, np.where(p < 0, 65_536 + p, _ZERO_RANK))
    out: np.ndarray = (rank * (width + 1)).astype(np.int32)
    return out


def joined_codes(
    points: np.ndarray, codes: tuple[str, ...], out: np.ndarray | None = None
) -> np.ndarray:
    """The ranked reason codes of each row of scaled points, joined by '; ', as an object
    array (written into ``out`` when given).

    The text of a block of rows is joined in C and cut into rows by one ``str.split``, instead
    of one ``join`` per row. Codes are joined in runs of up to three, from a table of every run,
    so a row is a handful of pieces: a million distinct rows cost a few numpy calls per block
    and about two C-level steps per row.
    """
    if any("\n" in c for c in codes):  # pragma: no cover - ids are names, not text
        order, counts = rank_order(points)
        rows = zip(order.tolist(), counts.tolist(), strict=True)
        texts = np.empty(len(points), dtype=object)
        texts[:] = ["; ".join(codes[j] for j in row[:c]) for row, c in rows]
        return texts
    if out is None:
        out = np.empty(len(points), dtype=object)
    for begin, text in text_blocks(points, codes):
        cut = text.split("\n")[:-1]
        out[begin : begin + len(cut)] = cut
    return out


def joined_utf8(points: np.ndarray, codes: tuple[str, ...]) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`joined_codes` as UTF-8 in Arrow's layout, with no Python string per row: for each
    block of rows, the offsets of each row's text (one more than the rows) and the bytes.

    Each block's text is encoded once and its row ends found by numpy, so a table of text
    (Arrow, polars, pandas' ``str`` held in Arrow) is built from the blocks alone, one chunk
    each, without a copy of the whole.

    Example:
        >>> import numpy as np
        >>> [(offsets, data)] = joined_utf8(np.array([[3, 0, 5], [0, 0, 0]]), ("a", "b", "c"))
        >>> offsets.tolist(), data.tobytes()
        ([0, 4, 4], b'c; a')
    """
    if any("\n" in c for c in codes):  # pragma: no cover - ids are names, not text
        texts = [t.encode() for t in joined_codes(points, codes).tolist()]
        lengths = np.fromiter(map(len, texts), np.int64, len(texts))
        joined = np.frombuffer(b"".join(texts), np.uint8)
        return [(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), joined)]
    out = []
    for _, text in text_blocks(points, codes):
        raw = np.frombuffer(text.encode(), np.uint8)
        newline = raw == 10
        breaks = np.flatnonzero(newline)  # each row's text ends at its newline
        ends = breaks - np.arange(len(breaks))  # where it ends once the newlines are out
        out.append((np.concatenate([np.zeros(1, np.int64), ends]), raw[~newline]))
    return out


def text_blocks(points: np.ndarray, codes: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """The reason texts of the rows, a block at a time: the first row's number, and the rows'
    texts each followed by a newline, joined in C from the table of runs of codes (which hold
    no newline)."""
    # columns that are zero in every row (rules without data) cannot be a reason: leave them out
    scoring = np.flatnonzero(points.any(axis=0))
    codes = tuple(codes[j] for j in scoring)
    width = len(scoring)
    run, table = _runs(codes)
    base = width + 1  # code ``width`` stands for 'nothing', past the end of a row
    end_of_row = len(table) - 1
    step = BLOCK_ROWS // 2
    for begin in range(0, len(points), step):
        block = points[begin : begin + step]
        ranked, counts = ranked_codes(
            block if width == points.shape[1] else block.take(scoring, axis=1)
        )
        used = -(-counts // run)  # runs in each row
        slots = int(used.max(initial=0))
        if slots * run > width:
            ranked = np.hstack([ranked, np.full((len(ranked), slots * run - width), width)])
        ids = ranked[:, 0 : slots * run : run].astype(np.intp)
        for k in range(1, run):
            ids = ids * base + ranked[:, k : slots * run : run]
        pieces = np.empty((len(ranked), slots + 1), dtype=np.intp)
        pieces[:, :slots] = ids
        pieces[:, 1:slots] += base**run  # runs after the first start with '; '
        pieces[:, slots] = end_of_row
        keep = np.arange(slots + 1) < used[:, None]
        keep[:, slots] = True
        yield begin, "".join(table[pieces[keep]].tolist())


@lru_cache(maxsize=16)
def _runs(codes: tuple[str, ...]) -> tuple[int, np.ndarray]:
    """Every run of up to ``run`` codes as text: first in a row, then after another code.

    The table has ``2 * (width + 1) ** run`` entries and a last one, the end of a row.
    """
    width = len(codes)
    run = 3 if (width + 1) ** 3 <= _RUN_TABLE else 2 if (width + 1) ** 2 <= _RUN_TABLE else 1
    names = [*codes, ""]
    first: list[str] = []
    for combo in itertools.product(range(width + 1), repeat=run):
        first.append("; ".join(names[c] for c in combo if c < width))
    later = ["; " + t if t else "" for t in first]
    table = np.empty(2 * len(first) + 1, dtype=object)
    table[:] = [*first, *later, "\n"]
    return run, table
