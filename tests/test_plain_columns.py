"""The shortcuts for plain columns read exactly what the general readers read.

A column of numpy numbers, or of text alone, is checked without pandas' per-column work
(profile._columns, profile._cells): here each shortcut is compared with the general path the
same cells take when they arrive as Python objects, which is how every other column is read.
Text held in Arrow in a small frame is read a string per cell, not by codes (_frames): the
two are compared too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from earlywarning._frames import _SHARE_FROM, shared_text
from earlywarning.profile import profile_columns
from earlywarning.profile._cells import is_missing, text_column

# a number field of each kind: whole (year, dcs_changes), bounded (agency_rate_pct), exclusive
# minimum (avg_caseload), yes/no (interim_dcs), and the two budgets a cut is derived from
NUMBER_FIELDS = (
    "year",
    "dcs_changes",
    "agency_rate_pct",
    "avg_caseload",
    "interim_dcs",
    "budget_baseline_gbp_m",
    "budget_current_gbp_m",
)
DTYPES = ("float64", "float32", "int64", "uint64", "int8", "bool")

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 2015.0, 2020.5, 140.0, 1e300]),
)


def _column(values: list[float], dtype: str) -> np.ndarray:
    x = np.array(values, dtype=float)
    if dtype == "bool":
        return x > 0.5  # a yes/no column, or a number field given yes/no (refused)
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        # in the type's range: the shortcut for integers is about reading them, not casting
        x = np.clip(np.nan_to_num(np.trunc(x), nan=0.0), info.min, info.max // 2)
    with np.errstate(over="ignore"):  # float32: a large float becomes an infinity, as it would
        return x.astype(dtype)


@st.composite
def plain_frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(1, 6))
    names = draw(st.lists(st.sampled_from(NUMBER_FIELDS), min_size=1, max_size=4, unique=True))
    data: dict[str, np.ndarray] = {"council": np.array(["A"] * rows, dtype=object)}
    for name in names:
        values = draw(st.lists(cells, min_size=rows, max_size=rows))
        data[name] = _column(values, draw(st.sampled_from(DTYPES)))
    return pd.DataFrame(data)


@settings(max_examples=examples(150), deadline=None)
@given(plain_frames())
def test_numpy_number_columns_read_as_their_python_objects(frame: pd.DataFrame) -> None:
    fast = profile_columns(frame)
    # astype(object) makes each cell a Python number (NaN a float NaN), which the general
    # reader (number_column, or the yes/no parser) takes cell by cell
    general = profile_columns(frame.astype(object))
    assert fast.error.tolist() == general.error.tolist()
    assert fast.measures.keys() == general.measures.keys()
    for name, column in fast.measures.items():
        assert column.dtype == general.measures[name].dtype
        np.testing.assert_array_equal(column, general.measures[name], err_msg=name)


texts = st.lists(
    st.one_of(st.text(alphabet=" \t\nKentBury-'", max_size=6), st.sampled_from(["", "  ", "A"])),
    min_size=1,
    max_size=8,
)


@settings(max_examples=examples(150), deadline=None)
@given(texts)
def test_a_column_of_text_reads_as_each_cell_does(values: list[str]) -> None:
    text, missing, not_text = text_column(pd.Series(values, dtype=object))
    # each cell on its own, by the one-value rule
    assert missing.tolist() == [is_missing(v) for v in values]
    assert text.tolist() == [None if is_missing(v) else v.strip() for v in values]
    assert not not_text.any()
    assert text.dtype == object


arrow_texts = st.lists(
    st.one_of(st.none(), st.text(alphabet=" Kent\u00e9-", max_size=4)), min_size=1, max_size=6
)


@settings(max_examples=examples(100), deadline=None)
@given(arrow_texts, st.sampled_from(["str", "string", "large_string[pyarrow]"]))
def test_small_arrow_text_reads_as_by_codes(values: list[str | None], dtype: str) -> None:
    small = pd.DataFrame({"council": pd.array(values, dtype=dtype)})
    # the same rows repeated past the size from which the distinct values are shared
    copies = _SHARE_FROM // len(values) + 1
    large = pd.DataFrame({"council": pd.array(values * copies, dtype=dtype)})
    by_cell = shared_text(small, {"council"})["council"]
    by_code = shared_text(large, {"council"})["council"].iloc[: len(values)]
    assert len(large) >= _SHARE_FROM
    assert by_cell.dtype == by_code.dtype == object
    assert by_cell.index.equals(by_code.index)
    for a, b in zip(by_cell.tolist(), by_code.tolist(), strict=True):
        # a missing cell is the float NaN in both (so that quoting it in a message agrees)
        assert type(a) is type(b)
        assert a == b or (isinstance(a, float) and np.isnan(a) and np.isnan(b))
