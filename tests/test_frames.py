"""Tables of any kind: pandas (text as Python objects or in Arrow), polars and Arrow go into
score_frame, what_if_frame and read_profiles, give the same figures, and come back as the kind
that went in; Parquet and Feather files read like any other profile file."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import run_cli

import earlywarning as ew
from earlywarning._frames import shared_text
from earlywarning.engine import evaluate
from earlywarning.engine._reasons import joined_codes, joined_utf8

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "profiles" / "hypothetical-councils.csv"


def profiles() -> pd.DataFrame:
    """Good rows, a refused value, a missing council, a red flag, text for numbers and flags."""
    return pd.DataFrame(
        {
            "council": ["Derby", "Kent", None, "Bath & <NE>", "Hull", "Leeds"],
            "la_code": ["E06000015", None, "E1", "E06000022", "E06000010", "E08000035"],
            "year": [2020, 2020, 2020, 2021, 2021, 2021],
            "previous_rating": ["Good", "inadequate", "good", None, "requires improvement", "x"],
            "agency_rate_pct": [30.0, 140.0, 12.0, None, 18.0, 9.0],
            "dcs_changes": [3, 0, 1, 2, None, 0],
            "interim_dcs": ["yes", "no", None, "Y", "no", "no"],
            "budget_cut_pct": ["12.5", "1,310", None, "", "30", "maybe"],
            "la_name": ["kept", "as", "it", "is", "by", "index"],
        }
    )


def plain(out: Any) -> pd.DataFrame:
    """A result of any kind as a pandas frame of Python objects, missing as None."""
    if isinstance(out, pd.DataFrame):
        frame = out.reset_index(drop=True)
    elif isinstance(out, pl.DataFrame):
        frame = pd.DataFrame(out.to_dict(as_series=False))
    else:
        frame = pd.DataFrame(out.to_pydict())
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def test_polars_and_arrow_give_the_figures_pandas_gives_in_their_own_kind() -> None:
    df = profiles()
    pandas_out = ew.score_frame(df, ranges=True)
    assert pandas_out.attrs["ruleset_id"] == ew.load_ruleset().id  # kept across the ranges
    expected = plain(pandas_out)
    assert expected["error"].notna().sum() >= 3  # the refused rows are there to compare
    as_polars = ew.score_frame(pl.from_pandas(df), ranges=True)
    as_arrow = ew.score_frame(pa.Table.from_pandas(df, preserve_index=False), ranges=True)
    assert isinstance(as_polars, pl.DataFrame) and isinstance(as_arrow, pa.Table)
    pd.testing.assert_frame_equal(plain(as_polars), expected)
    pd.testing.assert_frame_equal(plain(as_arrow), expected)
    # a failed row has no score: a null, not a NaN, in polars and Arrow
    failed = int(np.flatnonzero(expected["error"].notna())[0])
    assert as_polars["score"][failed] is None
    assert as_arrow.column("score")[failed].as_py() is None
    assert as_polars.schema["red_flag"] == pl.String  # text, even with no flag in any row
    ruleset = ew.load_ruleset()
    assert as_arrow.schema.metadata[b"ruleset_id"] == ruleset.id.encode()


def test_anything_that_gives_an_arrow_stream_is_read_and_given_back_as_arrow() -> None:
    table = pa.Table.from_pandas(profiles(), preserve_index=False)

    class Stream:  # a producer known only by the Arrow PyCapsule protocol
        def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
            return table.__arrow_c_stream__(requested_schema)

    out = ew.score_frame(Stream())
    assert isinstance(out, pa.Table)
    pd.testing.assert_frame_equal(plain(out), plain(ew.score_frame(profiles())))


@pytest.mark.parametrize(
    "dtype",
    [
        pd.StringDtype("pyarrow", na_value=np.nan),
        pd.StringDtype("pyarrow"),
        pd.ArrowDtype(pa.string()),
        pd.ArrowDtype(pa.large_string()),
        "category",
        object,
    ],
    ids=["str-arrow", "string-arrow", "arrow-string", "arrow-large-string", "category", "object"],
)
def test_text_held_any_way_gives_the_same_result(dtype: Any) -> None:
    df = profiles()
    text = ["council", "la_code", "previous_rating", "interim_dcs", "budget_cut_pct", "la_name"]
    held = df.astype({c: dtype for c in text})
    pd.testing.assert_frame_equal(ew.score_frame(held), ew.score_frame(df))


def test_arrow_text_is_shared_not_copied_per_cell_and_the_callers_frame_is_untouched() -> None:
    df = pd.DataFrame({"council": pd.array(["A", "A", None, "B"], dtype="string[pyarrow]")})
    before = df.copy()
    out = shared_text(df, {"council"})
    assert out["council"].dtype == object
    assert out["council"][0] is out["council"][1]  # one Python string for both cells
    assert out["council"].isna().tolist() == [False, False, True, False]
    pd.testing.assert_frame_equal(df, before)


def test_a_text_column_of_the_result_is_held_as_pandas_holds_text() -> None:
    out = ew.score_frame(profiles())
    inferred = pd.Series(np.array(["a"], dtype=object)).dtype
    assert out["band"].dtype == inferred and out["reasons"].dtype == inferred
    # nothing but None stays object, as pandas infers it
    clean = ew.score_frame(profiles().iloc[[0]])
    assert clean["error"].dtype == object and clean.loc[0, "error"] is None


def test_joined_utf8_holds_the_same_texts_as_joined_codes() -> None:
    rng = np.random.default_rng(7)
    points = rng.integers(-4, 5, (70_000, 9)).astype(np.int16)
    points[rng.random(points.shape) < 0.6] = 0
    codes = tuple(f"rule_{i}_é" for i in range(9))  # not ASCII: offsets count bytes
    expected = joined_codes(points, codes).tolist()
    got = []
    for offsets, data in joined_utf8(points, codes):
        raw = data.tobytes()
        got += [raw[a:b].decode() for a, b in itertools.pairwise(offsets.tolist())]
    assert got == expected


def test_reasons_of_distinct_rows_in_arrow_are_those_of_the_rows() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_score import random_profiles

    df = random_profiles(20_000, seed=5)
    df.loc[3, "agency_rate_pct"] = 200.0  # a failed row among them
    ev = evaluate(df)
    assert ev.reason_utf8() is not None  # the rows are distinct enough for the bytes path
    out = ew.score_frame(pl.from_pandas(df))
    assert out["reasons"].to_list() == ev.reason_codes().tolist()
    assert out["reasons"][3] is None and out["error"][3] is not None


def test_a_nan_in_a_polars_or_arrow_column_is_missing_as_in_pandas() -> None:
    # the engine reads their decimal columns in Arrow, where a NaN is a value, not a null
    df = profiles().drop(columns=["budget_cut_pct"])
    df["vacancy_rate_pct"] = [np.nan, 20.0, np.nan, 35.0, np.nan, 5.0]
    expected = plain(ew.score_frame(df))
    as_polars = pl.from_pandas(df, nan_to_null=False)
    assert as_polars["vacancy_rate_pct"].is_nan().sum() == 3  # NaN, not null, going in
    at = df.columns.get_loc("vacancy_rate_pct")
    as_arrow = pa.Table.from_pandas(df, preserve_index=False).set_column(
        at, "vacancy_rate_pct", pa.array(df["vacancy_rate_pct"], from_pandas=False)
    )
    assert as_arrow.column("vacancy_rate_pct").null_count == 0
    pd.testing.assert_frame_equal(plain(ew.score_frame(as_polars)), expected)
    pd.testing.assert_frame_equal(plain(ew.score_frame(as_arrow)), expected)


@pytest.fixture(scope="module")
def without_pyarrow(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Frames scored in one interpreter that cannot find pyarrow: as polars, the six profiles
    and 20,000 distinct random ones (with a failed row and a missing council), and what was
    shown of how the text of the big one was read; as pandas, the six profiles read from CSV,
    how pandas held their text, and their scores with ranges. Also the sources.

    pandas decides how it holds text when it is imported, so pyarrow is hidden from a fresh
    interpreter before anything imports pandas, as if it were not installed; one interpreter
    serves the three tests (starting one costs more than what each of them scores)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_score import random_profiles

    folder = tmp_path_factory.mktemp("without_pyarrow")
    small = folder / "profiles.json"
    profiles().to_json(small, orient="records")
    df = random_profiles(20_000, seed=3)
    df.loc[7, "agency_rate_pct"] = 200.0
    df.loc[9, "council"] = None
    big = folder / "distinct.csv"
    df.to_csv(big, index=False)
    source = folder / "profiles.csv"
    profiles().to_csv(source, index=False)
    script = (
        "import sys, json\n"
        "sys.modules['pyarrow'] = None\n"
        "import polars as pl, earlywarning as ew\n"
        "from earlywarning._frames import to_pandas\n"
        f"small = ew.score_frame(pl.read_json({str(small)!r}))\n"
        "assert isinstance(small, pl.DataFrame), type(small)\n"
        f"frame = pl.read_csv({str(big)!r})\n"
        "read, _ = to_pandas(frame, 'test')\n"
        "shared = read['council'][0] is read['council'][1] and read['council'][9] is None\n"
        f"table = ew.io.read_profiles({str(source)!r})\n"
        "storage = getattr(table['council'].dtype, 'storage', 'python')\n"
        "out = ew.score_frame(table, ranges=True)\n"
        "print(json.dumps({'schema': {k: str(v) for k, v in small.schema.items()},\n"
        "                  'rows': small.to_dict(as_series=False), 'shared': shared,\n"
        "                  'scored': ew.score_frame(frame).to_dict(as_series=False),\n"
        "                  'pandas_storage': storage,\n"
        "                  'pandas_table': out.astype(object).where(out.notna(), None)\n"
        "                                  .to_json(orient='split')}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return {"small": small, "big": big, "source": source, **json.loads(result.stdout)}


def test_distinct_rows_without_pyarrow_give_polars_what_they_give_with_it(
    without_pyarrow: dict[str, Any],
) -> None:
    # many distinct rows: polars cuts the reasons from blocks of text itself, and the text
    # going in is read as Python objects, one per distinct value
    got = without_pyarrow["scored"]
    assert without_pyarrow["shared"]
    expected = ew.score_frame(pl.read_csv(without_pyarrow["big"]))
    assert got == expected.to_dict(as_series=False)
    assert got["reasons"][7] is None and got["error"][7] is not None
    assert got["error"][9] is not None  # the council is required
    assert len(set(got["reasons"])) > 10_000  # the rows are as distinct as the test needs


def test_polars_without_pyarrow_gives_the_same_figures(without_pyarrow: dict[str, Any]) -> None:
    expected = ew.score_frame(pl.read_json(without_pyarrow["small"]))
    schema, rows = without_pyarrow["schema"], without_pyarrow["rows"]
    assert schema == {k: str(v) for k, v in expected.schema.items()}
    assert rows == expected.to_dict(as_series=False)
    assert schema["red_flag"] == "String" and rows["score"].count(None) >= 3


def test_pandas_without_pyarrow_gives_the_same_table(without_pyarrow: dict[str, Any]) -> None:
    # pandas holds text as Python objects without pyarrow: the result is built from objects
    # (the test extra installs pyarrow, so this runs in an interpreter that cannot find it)
    assert without_pyarrow["pandas_storage"] == "python"
    with pytest.warns(ew.SuppressedValuesWarning):  # the judgement "x", read as missing
        expected = ew.score_frame(ew.io.read_profiles(without_pyarrow["source"]), ranges=True)
    expected = expected.astype(object).where(expected.notna(), None)
    got = json.loads(without_pyarrow["pandas_table"])
    assert got == json.loads(expected.to_json(orient="split"))


def test_what_if_frame_takes_polars_and_arrow_alternatives() -> None:
    profile = {"council": "A", "year": 2020, "agency_rate_pct": 18, "vacancy_rate_pct": 22}
    changes = pd.DataFrame({"agency_rate_pct": [9.0, None], "vacancy_rate_pct": [None, 120.0]})
    expected = plain(ew.what_if_frame(profile, changes))
    as_polars = ew.what_if_frame(profile, pl.from_pandas(changes))
    as_arrow = ew.what_if_frame(profile, pa.Table.from_pandas(changes, preserve_index=False))
    assert isinstance(as_polars, pl.DataFrame) and isinstance(as_arrow, pa.Table)
    pd.testing.assert_frame_equal(plain(as_polars), expected)
    pd.testing.assert_frame_equal(plain(as_arrow), expected)
    assert expected.loc[0, "score_change"] == -5.0 and expected.loc[1, "error"]


def test_what_is_not_a_table_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="collect"):
        ew.score_frame(pl.from_pandas(profiles()).lazy())
    with pytest.raises(TypeError, match=r"score_frame needs a table .* not dict"):
        ew.score_frame({"council": ["A"]})


@pytest.mark.parametrize("suffix", [".parquet", ".feather", ".arrow"])
def test_parquet_and_feather_files_read_like_a_csv(tmp_path: Path, suffix: str) -> None:
    from_csv = ew.io.read_profiles(EXAMPLE)
    path = tmp_path / f"councils{suffix}"
    table = pa.Table.from_pandas(from_csv, preserve_index=False)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        import pyarrow.feather as feather

        feather.write_feather(table, path)
    read = ew.io.read_profiles(path)
    assert read.attrs["source"] == str(path)
    pd.testing.assert_frame_equal(ew.score_frame(read), ew.score_frame(from_csv))


def test_parquet_keeps_numbers_and_reads_codes_in_text_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "dfe.parquet"
    frame = pd.DataFrame(
        {
            "council": ["Derby", "Kent"],
            "year": [2021, 2021],
            "agency_rate_pct": ["12.4", "[c]"],  # published as text, with a code
            "vacancy_rate_pct": [9.5, None],
            "previous_rating": pd.Categorical(["good", "x"]),  # a dictionary column
        }
    )
    frame.to_parquet(path)
    with pytest.warns(ew.SuppressedValuesWarning, match="agency_rate_pct 1, previous_rating 1"):
        read = ew.io.read_profiles(path)
    assert read["vacancy_rate_pct"].dtype == np.float64
    out = ew.score_frame(read)
    assert out["error"].isna().all()
    with pytest.raises(ew.ProfileError, match="suppression code"):
        ew.io.read_profiles(path, suppressed="refuse")


def test_a_broken_or_repeating_table_file_is_refused_with_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not a table")
    with pytest.raises(ew.ProfileFileError, match=r"broken\.parquet: cannot be read as Parquet"):
        ew.io.read_profiles(broken)
    twice = tmp_path / "twice.feather"
    import pyarrow.feather as feather

    feather.write_feather(pa.table([pa.array(["A"]), pa.array(["B"])], ["council"] * 2), twice)
    with pytest.raises(ew.ProfileFileError, match="'council' appears twice"):
        ew.io.read_profiles(twice)


def test_without_pyarrow_a_parquet_file_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "councils.parquet"
    pd.DataFrame({"council": ["A"], "year": [2020]}).to_parquet(path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ew.ArrowDependencyError, match=r'pip install "earlywarning\[arrow\]"'):
        ew.io.read_profiles(path)


def test_read_profiles_tidies_a_table_in_memory_and_gives_back_its_kind() -> None:
    frame = pd.DataFrame(
        {"council": ["A", "B"], "year": [2020, 2020], "agency_rate_pct": ["x", "12"]}
    )
    before = frame.copy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tidied = ew.io.read_profiles(pl.from_pandas(frame))
    assert isinstance(tidied, pl.DataFrame)
    assert tidied["agency_rate_pct"].to_list() == [None, "12"]
    assert [str(w.message) for w in caught] == [
        "the table given: 1 cell holds a suppression code, read as missing: agency_rate_pct 1"
    ]
    pd.testing.assert_frame_equal(frame, before)
    with pytest.warns(ew.SuppressedValuesWarning):
        as_pandas = ew.io.read_profiles(frame)
    assert as_pandas.attrs["suppressed"] == {"agency_rate_pct": 1}
    assert pd.isna(as_pandas.loc[0, "agency_rate_pct"])


def test_the_command_line_scores_a_parquet_file_as_it_scores_the_csv(tmp_path: Path) -> None:
    path = tmp_path / "councils.parquet"
    ew.io.read_profiles(EXAMPLE).to_parquet(path, index=False)
    code, from_parquet = run_cli("score", str(path), "--format", "csv")
    assert (code, from_parquet) == run_cli("score", str(EXAMPLE), "--format", "csv")
    assert from_parquet.count("\n") == 6  # a header and the five councils


@pytest.mark.parametrize("backend", ["pyarrow", "numpy_nullable"])
def test_a_csv_read_by_pandas_with_any_dtype_backend_scores_the_same(backend: Any) -> None:
    plain_read = pd.read_csv(EXAMPLE)
    held = pd.read_csv(EXAMPLE, dtype_backend=backend)
    pd.testing.assert_frame_equal(ew.score_frame(held), ew.score_frame(plain_read))


@pytest.mark.parametrize(
    ("arrow_type", "cells"),
    [
        (pa.list_(pa.string()), [["Derby"], ["Kent"]]),
        (pa.struct([("name", pa.string())]), [{"name": "Derby"}, {"name": "Kent"}]),
    ],
)
def test_text_inside_an_arrow_list_or_struct_is_refused_row_by_row(
    arrow_type: Any, cells: list[Any]
) -> None:
    # Arrow cannot find the distinct values of such a column: it ended in a bare
    # ArrowNotImplementedError; now each row is refused, naming the field and its value
    frame = pd.DataFrame({"council": pd.array(cells, dtype=pd.ArrowDtype(arrow_type))})
    frame["year"] = 2020
    out = ew.score_frame(frame)
    assert out["score"].isna().all()
    assert [e.split(":")[0] for e in out["error"]] == ["council", "council"]
    assert "Derby" in out["error"][0]
    # a dictionary of text is text: read as its values
    words = pa.array(["Derby", "Kent"]).dictionary_encode()
    plain = ew.score_frame(
        pd.DataFrame({"council": pd.array(words, dtype=pd.ArrowDtype(words.type)), "year": 2020})
    )
    assert plain["error"].isna().all()
