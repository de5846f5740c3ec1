"""Outputs that join: one --format list on every command that writes a table, scored rows that
carry every input column and the ruleset, and workbooks and Parquet files with real types."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import earlywarning as ew
from earlywarning.cli import COMMANDS, build_parser, main
from earlywarning.cli._output import OUTPUT_FORMATS
from earlywarning.io.excel import excel_value

REPO = Path(__file__).resolve().parents[1]
MANY = REPO / "examples" / "profiles" / "hypothetical-councils.csv"
RULES = ew.load_ruleset()
STAMP = {
    "ruleset_id": RULES.id,
    "ruleset_version": RULES.version,
    "ruleset_hash": RULES.content_hash,
}
# the commands whose output is a table; the others write a result, pages or a rules summary
TABLES = {"score", "compare", "watchlist", "trajectories", "calibrate", "validate", "backtest"}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def formats_of(parser: argparse.ArgumentParser) -> tuple[str, ...] | None:
    for action in parser._actions:
        if "--format" in action.option_strings:
            return tuple(action.choices or ())
    return None


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_writing_a_table_takes_the_same_formats():
    parsers = command_parsers()
    assert set(COMMANDS) >= TABLES
    for name in TABLES:
        assert formats_of(parsers[name]) == ("text", "csv", "json", "xlsx", "parquet"), name
        assert formats_of(parsers[name]) == tuple(OUTPUT_FORMATS)
    # a decision is one result, not a table: text, or all of it as JSON
    for name in ("what-if", "smallest-change"):
        assert formats_of(parsers[name]) == ("text", "json")


# --- scored rows carry the input ------------------------------------------------------------


@pytest.fixture
def many_with_extras(tmp_path: Path) -> Path:
    frame = pd.read_csv(MANY, dtype=str, keep_default_na=False)
    frame.insert(1, "team", [f"team {i}" for i in range(len(frame))])
    frame["note"] = ["00123", "", "x", "2021-03-31", "=1+1"]
    path = tmp_path / "many.csv"
    frame.to_csv(path, index=False)
    return path


def test_score_carries_every_input_column_in_order_then_scores_and_the_ruleset(many_with_extras):
    code, out = run("score", str(many_with_extras), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    given = list(csv.DictReader(many_with_extras.open(encoding="utf-8")))
    assert code == 3  # Council D's agency rate is text
    header = list(rows[0])
    assert header[: len(given[0])] == list(given[0])
    assert header[len(given[0]) :] == [*ew.score_frame(pd.DataFrame()).columns, *STAMP]
    for row, source in zip(rows, given, strict=True):
        for column, value in source.items():
            expected = "'=1+1" if value == "=1+1" else value  # the guard's one change
            assert row[column] == expected, column
        assert {k: row[k] for k in STAMP} == STAMP


def test_columns_scores_keeps_only_the_identity(many_with_extras):
    code, out = run("score", str(many_with_extras), "--format", "csv", "--columns", "scores")
    header = out.splitlines()[0].split(",")
    assert code == 3
    assert header == ["council", "year", *ew.score_frame(pd.DataFrame()).columns, *STAMP]


def test_scores_are_the_same_whatever_the_columns_kept(many_with_extras):
    _, every = run("score", str(many_with_extras), "--format", "csv")
    _, lean = run("score", str(many_with_extras), "--format", "csv", "--columns", "scores")
    a = pd.read_csv(io.StringIO(every))
    b = pd.read_csv(io.StringIO(lean))
    assert a[list(b.columns)].equals(b)


# --- xlsx: headers on every sheet, real types ----------------------------------------------


def test_xlsx_scores_keep_numbers_dates_and_text_apart(many_with_extras, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "scores.xlsx"
    assert run("score", str(many_with_extras), "--format", "xlsx", "--output", str(target))[0] == 3
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["scores", "ruleset"]
    rows = list(book["scores"].iter_rows(values_only=True))
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "score" in header and "team" in header
    assert next(iter(book["ruleset"].iter_rows(values_only=True))) == ("key", "value")
    a = body[0]
    assert isinstance(a["year"], int) and a["year"] == 2021
    # a workbook holds numbers, whole or not (openpyxl reads 3.0 back as 3)
    assert isinstance(a["score"], int | float) and isinstance(a["coverage"], float)
    assert isinstance(a["agency_rate_pct"], int | float)  # text in the CSV, a number here
    assert a["note"] == "00123"  # a code with leading zeros stays text
    assert body[1]["note"] is None  # a blank cell stays blank, not zero
    assert body[3]["note"] == dt.datetime(2021, 3, 31)  # openpyxl reads a date as a datetime
    assert body[3]["agency_rate_pct"] == "14%"  # refused text stays as it was given
    assert body[4]["note"] == "'=1+1"
    assert a["ruleset_hash"] == RULES.content_hash


def test_excel_values_keep_their_kind():
    stamp = pd.Timestamp("2024-10-07")
    assert excel_value(stamp) == dt.date(2024, 10, 7)
    assert excel_value(pd.Timestamp("2024-10-07 13:30")) == dt.datetime(2024, 10, 7, 13, 30)
    assert excel_value(True) is True and excel_value(False) is False
    assert excel_value(float("inf")) == "inf"  # Excel holds no infinity: never a number
    assert excel_value("-3.5") == -3.5 and excel_value("12") == 12
    for text in ("1,200", "0123", "1e5", "2021-02-30", "12345678901234567", "+4"):
        assert excel_value(text) == text


def test_a_workbook_of_several_tables_has_a_headed_sheet_for_each(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "compare.xlsx"
    code, _ = run(
        "compare", "Derbyshire", "--year", "2016", "--format", "xlsx", "--output", str(target)
    )
    assert code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["compare", "neighbours", "ruleset"]
    table = ew.compare("Derbyshire", 2016)
    compare = list(book["compare"].iter_rows(values_only=True))
    assert compare[0][:3] == ("indicator", "label", "measure")
    assert [r[0] for r in compare[1:]] == list(table.index)
    neighbours = list(book["neighbours"].iter_rows(values_only=True))
    assert "council" in neighbours[0] and len(neighbours) == 1 + len(table.attrs["neighbours"])


def test_the_watchlist_workbook_has_its_dates_and_booleans(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "watch.xlsx"
    assert run("watchlist", "--year", "2026", "--format", "xlsx", "--output", str(target))[0] == 0
    rows = list(openpyxl.load_workbook(target)["watchlist"].iter_rows(values_only=True))
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    table = ew.watchlist(2026)
    assert len(body) == len(table)
    assert all(isinstance(r["sliding"], bool) for r in body)
    assert sum(r["sliding"] for r in body) == int(table["sliding"].sum())
    dated = [r["previous_rating_date"] for r in body if r["previous_rating_date"] is not None]
    assert dated and all(isinstance(d, dt.datetime) for d in dated)


# --- parquet ---------------------------------------------------------------------------------


def test_parquet_scores_stream_in_chunks_with_types_and_the_ruleset(many_with_extras, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    whole, chunked = tmp_path / "whole.parquet", tmp_path / "chunked.parquet"
    run("score", str(many_with_extras), "--format", "parquet", "--output", str(whole))
    argv = ["--format", "parquet", "--output", str(chunked), "--chunk-rows", "2"]
    assert run("score", str(many_with_extras), *argv)[0] == 3
    table = pq.read_table(chunked)
    assert table.num_rows == 5 and pq.ParquetFile(chunked).num_row_groups == 3
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items() if b"earlyw" in k}
    assert meta == {f"earlywarning.{k}": v for k, v in STAMP.items()}
    frame = table.to_pandas()
    assert frame.equals(pq.read_table(whole).to_pandas())
    _, text = run("score", str(many_with_extras), "--format", "csv")
    from_csv = pd.read_csv(io.StringIO(text))
    assert frame["score"].dtype == "float64" and frame["year"].tolist() == [2021] * 5
    assert frame["score"].equals(from_csv["score"])
    # the error column had no text in the first chunk, and is text all the same
    assert frame["error"].notna().sum() == 1 and frame["team"].tolist() == from_csv["team"].tolist()


@pytest.mark.parametrize(
    "argv",
    [
        ["watchlist", "--year", "2026"],
        ["trajectories", "--council", "Derbyshire", "--years", "2024-2026"],
        ["calibrate"],
        ["compare", "Derbyshire", "--year", "2016"],
    ],
)
def test_every_table_command_writes_parquet_and_csv_of_the_same_rows(argv, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "out.parquet"
    assert run(*argv, "--format", "parquet", "--output", str(target))[0] == 0
    frame = pq.read_table(target).to_pandas()
    assert (frame["ruleset_hash"] == RULES.content_hash).all()
    _, text = run(*argv, "--format", "csv")
    rows = pd.read_csv(io.StringIO(text))
    if argv[0] == "compare":  # two tables in one: each row says which
        assert list(frame["table"].unique()) == ["compare", "neighbours"]
        frame = frame[frame["table"] == "compare"]
    assert len(frame) == len(rows)


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", "Derbyshire", "--year", "2016"],
        ["calibrate"],
        ["validate", "--indicators"],
        ["watchlist", "--year", "2026"],
    ],
)
def test_csv_and_json_of_every_table_command_name_the_ruleset(argv):
    _, text = run(*argv, "--format", "csv")
    # validate writes its tables one after another, a blank line between
    for part in text.split("\n\n"):
        rows = list(csv.DictReader(io.StringIO(part)))
        assert rows and list(rows[0])[-3:] == ["ruleset_id", "ruleset_version", "ruleset_hash"]
        assert {(r["ruleset_id"], r["ruleset_hash"]) for r in rows} == {
            (RULES.id, RULES.content_hash)
        }
    _, text = run(*argv, "--format", "json")
    data = json.loads(text)
    if isinstance(data, list):  # rows: each names the ruleset
        assert {r["ruleset_hash"] for r in data} == {RULES.content_hash}
    elif "ruleset_hash" in data:  # one result: its keys
        assert data["ruleset_version"] == RULES.version
    else:  # validate's report keeps its ruleset object
        assert data["ruleset"]["hash"] == RULES.content_hash


def test_backtest_writes_its_tables_to_parquet_as_its_json_holds_them(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    argv = ["backtest", "--years", "2019-2020", "--resamples", "0"]
    target = tmp_path / "backtest.parquet"
    assert run(*argv, "--format", "parquet", "--output", str(target))[0] == 0
    frame = pq.read_table(target).to_pandas()
    assert (frame["ruleset_hash"] == RULES.content_hash).all()
    data = json.loads(run(*argv, "--format", "json")[1])
    counts = frame["table"].value_counts()
    assert counts["years"] == len(data["years"]) + len(data["pooled"])
    assert counts["bands"] == len(data["bands"]) and counts["councils"] == len(data["councils"])


def test_binary_formats_to_a_terminal_are_refused(capsys):
    code, out = run("calibrate", "--format", "parquet")  # a StringIO has no binary buffer
    assert code == 1 and out == ""
    assert "xlsx and parquet output are binary files" in capsys.readouterr().err


def test_parquet_without_pyarrow_says_which_extra(monkeypatch):
    import sys

    from earlywarning.io.output import ParquetTableWriter

    # pandas itself may use pyarrow once loaded: hide it only around the writer's own import
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ew.ArrowDependencyError) as refused:
        ParquetTableWriter(io.BytesIO(), {})
    assert (
        'Parquet output needs pyarrow, which is not installed: pip install "earlywarning[arrow]"'
        in str(refused.value)
    )


# --- judgements in words ---------------------------------------------------------------------


def test_text_outputs_say_judgements_in_words_never_codes_or_grades():
    _, watch = run("watchlist", "--year", "2026")
    assert "requires improvement" in watch and "requires_improvement" not in watch
    # Derbyshire, 1 January 2016: judged good in 2014, requires improvement in 2019
    _, text = run("compare", "Derbyshire", "--year", "2016")
    row = next(line for line in text.splitlines() if line.startswith("Previous Ofsted judgement "))
    cells = re.split(r"\s{2,}", row.strip())
    # value, points, neighbours, region, England, rank: the table holds grades (good is 2)
    assert cells[1] == "good" and cells[2] == "0.0"
    assert all(
        c in ("good", "requires improvement", "good to requires improvement") for c in cells[3:6]
    )
    assert "A later judgement is known: requires improvement (08 Jul 2019)" in text
    assert "requires_improvement" not in text


def test_rating_words_names_grades_and_halves():
    from earlywarning.vocabulary import RATINGS, rating_words

    assert [rating_words(g) for g in (1, 2, 3, 4)] == [r.replace("_", " ") for r in RATINGS]
    assert rating_words(3.5) == "requires improvement to inadequate"
    assert rating_words(0.5) == "0.5" and rating_words(7) == "7"  # not a grade: shown as it is


def test_text_shows_the_identity_and_data_every_column_unless_asked(many_with_extras):
    _, text = run("score", str(many_with_extras))
    assert text.split("\n")[0].split() == ["council", "year", *ew.score_frame(pd.DataFrame())]
    _, wide = run("score", str(many_with_extras), "--columns", "all")
    assert wide.split("\n")[0].split()[:3] == ["council", "team", "year"]


def test_a_column_mixing_numbers_and_text_is_written_to_parquet_as_text(tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    pq = pytest.importorskip("pyarrow.parquet")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["council", "year", "note"], ["A", 2020, 12], ["B", 2020, "see minutes"]):
        sheet.append(row)
    source, target = tmp_path / "mixed.xlsx", tmp_path / "out.parquet"
    book.save(source)
    assert run("score", str(source), "--format", "parquet", "--output", str(target))[0] == 0
    assert pq.read_table(target).column("note").to_pylist() == ["12", "see minutes"]
    assert "column 'note' holds text and other kinds of value" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["calibrate"], ["trajectories", "--council", "Derbyshire", "--years", "2025-2026"]]
)
def test_json_rows_name_the_ruleset(argv):
    _, out = run(*argv, "--format", "json")
    rows = json.loads(out)
    assert rows and all({k: r[k] for k in STAMP} == STAMP for r in rows)
