"""Fuzzing: generated inputs by the thousand against the rule loader, ``score`` and ``score_frame``,
and against the guards on every other surface a user's text reaches: YAML and JSON documents,
workbooks, the cells and text written out, and the report's charts.

Every outcome is a result or one of the library's own errors (an ``EarlyWarningError``), never
anything else: valid inputs always succeed, broken rule documents are always refused, and a
frame and its rows scored one by one agree on every row, hostile ones included. The inputs come
from :mod:`earlywarning.strategies`; their number is printed at the end of the run ("fuzz: N
inputs"). Frames carry most of the volume cheaply: one ``score_frame`` call scores hundreds of
rows mixed from a few drawn profiles.

The examples are derandomized, so the same suite draws the same inputs on every run and a
failure reproduces (hypothesis also mixes in constants from the modules loaded, so running this
file alone draws somewhat different inputs from the whole suite). Set
``EARLYWARNING_FUZZ_SCALE=10`` to run ten times as many, freshly random.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import json
import re
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pytest
import yaml
from fuzzcount import COUNTS, LONGEST_MESSAGE, fuzz
from hypothesis import given
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning._yaml import dump
from earlywarning.profile import FIELD_NAMES, check_value
from earlywarning.rules import BAND_NAMES, ruleset_from_data
from earlywarning.strategies import (
    BREAKAGES,
    hostile_profiles,
    profile_frames,
    profiles,
    rule_documents,
)

RULES = ew.load_ruleset()


# ---------------------------------------------------------------------------------------------
# Checks shared by the tests


def check_assessment(a: ew.Assessment) -> None:
    assert 0 <= a.score <= 100 and a.band in BAND_NAMES and 0 <= a.coverage <= 1


def score_or_refuse(p: Any, ruleset: ew.Ruleset | None = None) -> ew.Assessment | str:
    """The assessment of ``p``, or the message of the library's error refusing it."""
    try:
        a = ew.score(p, ruleset)
    except ew.ProfileError as exc:
        names = {str(k) for k in p} | {"council", "year"}
        assert str(exc.field) in names, (exc.field, p)
        return str(exc)
    except ew.EarlyWarningError as exc:
        return str(exc)
    check_assessment(a)
    return a


def check_frame(frame: pd.DataFrame, ruleset: ew.Ruleset | None = None) -> pd.DataFrame | None:
    """Score ``frame``: every row kept, in order, with a score or an error but never both."""
    try:
        out = ew.score_frame(frame, ruleset)
    except ew.EarlyWarningError:
        return None  # refused as a whole (a column the library cannot read)
    assert len(out) == len(frame) and out.index.equals(frame.index)
    failed = out["error"].notna().to_numpy()
    assert out["score"].isna().to_numpy()[failed].all() and out["band"].isna()[failed].all()
    scored = out[~failed]
    assert scored["score"].between(0, 100).all(), scored["score"].describe()
    assert scored["band"].isin(BAND_NAMES).all() and scored["coverage"].between(0, 1).all()
    return out


def check_rows_agree(frame: pd.DataFrame, out: pd.DataFrame, ruleset: ew.Ruleset | None) -> None:
    """Each row scored on its own gives what the frame gave it: the same score, or an error.

    A row with several bad values may be refused for a different one of them by each path,
    so the messages are compared only when the row has a single problem: then they match.
    """
    for i, record in enumerate(frame.to_dict("records")):
        # a frame carries columns of its own (identifiers) to its output; a dict has none
        row = {k: v for k, v in record.items() if k in FIELD_NAMES}
        alone = score_or_refuse(row, ruleset)
        error = out["error"].iloc[i]
        if isinstance(alone, str):
            assert isinstance(error, str), f"row {i}: the frame scores it, score() {alone!r}"
            assert error.split(":")[0] in row, f"row {i}: {error!r} names no column"
            if len(bad_fields(row)) == 1:
                assert error == alone, f"row {i}: the frame says {error!r}, score() {alone!r}"
        else:
            assert pd.isna(error), f"row {i}: the frame says {error!r}, score() scores it"
            got = (out["score"].iloc[i], out["band"].iloc[i])
            assert got == (alone.score, alone.band), f"row {i}: {got} in the frame, {alone}"


def bad_fields(row: dict[str, Any]) -> list[str]:
    """The fields of ``row`` whose values are refused on their own."""
    bad = []
    for name, value in row.items():
        try:
            check_value(name, value)
        except ew.ProfileError:
            bad.append(name)
    return bad


def unique_text_columns(frame: pd.DataFrame) -> bool:
    return frame.columns.is_unique and all(isinstance(c, str) for c in frame.columns)


# ---------------------------------------------------------------------------------------------
# Profiles and frames against the default ruleset


@fuzz(40)
@given(profile_frames(RULES, min_rows=200, max_rows=600))
def test_valid_frames_score_every_row(frame):
    out = check_frame(frame)
    assert out is not None
    assert out["error"].isna().all(), out["error"].dropna().head(3).tolist()
    COUNTS["valid profiles in frames"] += len(frame)


@fuzz(25)
@given(profile_frames(RULES, max_rows=150, hostile=True))
def test_hostile_frames_give_a_result_or_an_error_per_row_and_agree_with_score(frame):
    out = check_frame(frame)
    if out is not None and unique_text_columns(frame):
        check_rows_agree(frame, out, None)
    COUNTS["hostile profiles in frames"] += len(frame)


@fuzz(500)
@given(hostile_profiles(RULES))
def test_hostile_profiles_score_or_are_refused(p):
    score_or_refuse(p)
    COUNTS["hostile single profiles"] += 1


@fuzz(150)
@given(profiles(RULES))
def test_valid_profiles_score(p):
    a = score_or_refuse(p)
    assert isinstance(a, ew.Assessment), a
    COUNTS["valid single profiles"] += 1


# ---------------------------------------------------------------------------------------------
# Rule documents through the loader, and profiles against the rulesets they define

_folder = tempfile.TemporaryDirectory()
RULE_FILE = Path(_folder.name) / "rules.yaml"


def load(text: str) -> ew.Ruleset:
    RULE_FILE.write_text(text, encoding="utf-8")
    return ew.load_ruleset(RULE_FILE)


def check_refusal(exc: ew.RuleFileError) -> None:
    assert exc.problems, "a refusal names at least one problem"
    for problem in exc.problems:
        assert problem.file == str(RULE_FILE), problem
        assert len(problem.message) <= LONGEST_MESSAGE, problem.message[:2000]


@fuzz(40)
@given(rule_documents(), st.data())
def test_valid_rule_documents_load_and_score_profiles_around_their_edges(text, data):
    rules = load(text)
    assert ew.load_ruleset(RULE_FILE) == rules  # loading is a pure function of the file
    frame = data.draw(profile_frames(rules, max_rows=100), label="frame")
    out = check_frame(frame, rules)
    assert out is not None and out["error"].isna().all(), out["error"].dropna().head(3).tolist()
    check_rows_agree(frame.head(5), out.head(5), rules)
    COUNTS["valid rule documents"] += 1
    COUNTS["profiles in frames against generated rules"] += len(frame)


@fuzz(100)
@given(rule_documents(valid=False))
def test_broken_rule_documents_are_refused(text):
    try:
        load(text)
    except ew.RuleFileError as exc:
        check_refusal(exc)
    else:
        raise AssertionError(f"loaded a broken rule document:\n{text[:3000]}")
    COUNTS["broken rule documents"] += 1


@fuzz(60)
@given(rule_documents(valid=None))
def test_any_rule_document_loads_or_is_refused(text):
    try:
        load(text)
    except ew.RuleFileError as exc:
        check_refusal(exc)
    COUNTS["rule documents, valid or not"] += 1


@fuzz(100)
@given(rule_documents(valid=None, text=False))
def test_rule_data_is_checked_like_rule_files(data):
    try:
        rules = ruleset_from_data(data, "<fuzz>")
    except ew.RuleFileError as exc:
        assert exc.problems and all(len(p.message) <= LONGEST_MESSAGE for p in exc.problems)
    else:
        assert ruleset_from_data(rules.to_data(), "<again>") == rules
    COUNTS["rule data"] += 1


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_each_breakage_is_refused(breakage):
    @fuzz(5)
    @given(rule_documents(valid=False, breakages=[breakage]))
    def refused(text: str) -> None:
        test_broken_rule_documents_are_refused.hypothesis.inner_test(text)

    refused()


RULE_DIR = Path(_folder.name) / "ruleset"


def write_split(data: dict[str, Any]) -> None:
    """``data`` as a directory: the header in ruleset.yaml, each rule in a family file."""
    shutil.rmtree(RULE_DIR, ignore_errors=True)
    RULE_DIR.mkdir()
    header = {k: v for k, v in data.items() if k not in ("indicators", "combinations")}
    files: dict[str, Any] = {"ruleset.yaml": header}
    for section in ("indicators", "combinations"):
        items = data.get(section)
        if isinstance(items, list):
            for i, item in enumerate(items):  # zero-padded, so files load in the rules' order
                files[f"{section}-{i:02d}.yaml"] = {"family": section, section: [item]}
        elif section in data:
            header[section] = items
    for name, content in files.items():
        # the library's writer: PyYAML's own folds a NEL or a line separator into a space
        (RULE_DIR / name).write_text(dump(content), encoding="utf-8", newline="")


@fuzz(30)
@given(rule_documents(text=False))
def test_a_ruleset_split_across_files_loads_as_in_one_file_and_round_trips(data):
    write_split(data)
    rules = ew.load_ruleset(RULE_DIR)
    assert rules == ruleset_from_data(data, "<one document>")
    assert load(rules.to_yaml()) == rules
    COUNTS["rule directories"] += 1


@fuzz(40)
@given(rule_documents(valid=False, text=False))
def test_a_broken_ruleset_split_across_files_is_refused_naming_its_files(data):
    write_split(data)
    try:
        ew.load_ruleset(RULE_DIR)
    except ew.RuleFileError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert Path(problem.file).parent == RULE_DIR, problem
            assert len(problem.message) <= LONGEST_MESSAGE, problem.message[:2000]
    else:
        raise AssertionError(f"loaded a broken ruleset: {data}")
    COUNTS["broken rule directories"] += 1


# ---------------------------------------------------------------------------------------------
# Profile files through the reader, then scored

HAS_IO = importlib.util.find_spec("earlywarning.io") is not None
PROFILE_FILE = Path(_folder.name) / "profiles"


def file_content(frame: pd.DataFrame, fmt: str) -> str:
    """``frame`` written as a user's tool would write it."""
    if fmt in ("csv", "tsv"):
        return frame.to_csv(index=False, sep="," if fmt == "csv" else "\t")
    # JSON and YAML records hold each key once: a column given twice is written once
    unique = frame.loc[:, ~frame.columns.duplicated()]
    records = unique.astype(object).where(unique.notna(), None).to_dict("records")
    text = json.dumps([{str(k): v for k, v in r.items()} for r in records], default=str)
    return text if fmt == "json" else yaml.safe_dump(json.loads(text), allow_unicode=True)


def mangled(content: bytes, how: str, at: int) -> bytes:
    """The bytes of a file as they arrive after a careless copy, or as they were."""
    cut = at % (len(content) + 1)
    if how == "cut short":
        return content[:cut]
    if how == "a NUL byte":
        return content[:cut] + b"\x00" + content[cut:]
    if how == "a ragged row":
        return content + b"Rutland,2016,1,2,3,4,5,6\n"
    return content


@pytest.mark.skipif(not HAS_IO, reason="earlywarning.io is not in this version")
@fuzz(60)
@given(
    profile_frames(RULES, max_rows=40, hostile=True),
    st.sampled_from(["csv", "tsv", "json", "yaml"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    st.sampled_from(["as written", "as written", "cut short", "a NUL byte", "a ragged row"]),
    st.integers(0, 10_000),
)
def test_profile_files_are_read_or_refused_and_then_scored(frame, fmt, encoding, how, at):
    from earlywarning.io import read_profiles

    content = file_content(frame, fmt).encode(encoding, errors="replace")
    path = PROFILE_FILE.with_suffix(f".{fmt}")
    path.write_bytes(mangled(content, how, at))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # notices about the file, not failures
        try:
            read = read_profiles(path)
        except ew.EarlyWarningError:
            read = None
        if read is not None:
            check_frame(read)
    COUNTS["profile files"] += 1


# ---------------------------------------------------------------------------------------------
# The guards of issue 19: documents, workbooks, output cells and report text. Each example
# carries a batch of inputs, so thousands are fed at little cost; each input is counted.

# text as users type and paste it: formula starts, numbers, control and escape sequences,
# dollar signs and markup, over any code point
_TRICKY = st.sampled_from(
    [
        "=",
        "+",
        "-",
        "@",
        "\t",
        "\r",
        "\x1b[",
        "\x1b]0;",
        "\x07",
        "\x00",
        "$",
        "<",
        "&",
        '"',
        "'",
        "\\",
        "\u202e",
        "\x85",
        "1",
        "-3.5",
        "1e5",
        ".",
        'id="',
        "url(#",
    ]
)
USER_TEXT = st.lists(st.one_of(_TRICKY, st.text(max_size=6)), max_size=6).map("".join)
CELLS = st.lists(
    st.one_of(USER_TEXT, st.floats(allow_nan=True), st.integers(-(10**6), 10**6), st.none()),
    min_size=30,
    max_size=60,
)


@fuzz(150)
@given(CELLS)
def test_cells_written_for_a_spreadsheet_never_start_a_formula_and_keep_numbers(cells):
    from earlywarning.io.output import FORMULA_STARTS, CellGuard

    guard = CellGuard(excel=False)
    for value in cells:
        out = guard.cell(value)
        if not isinstance(value, str):
            assert out is value
            continue
        assert out.isprintable() or not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", out)
        if out.startswith(FORMULA_STARTS):
            float(out)  # only a plain number may start like a formula, and it is left alone
            assert out == value
        if not value.startswith(FORMULA_STARTS) and value.isprintable():
            assert out == value  # nothing else is touched
    COUNTS["output cells"] += len(cells)


@fuzz(100)
@given(st.lists(USER_TEXT, min_size=20, max_size=40))
def test_terminal_text_never_holds_a_character_that_acts(texts):
    from earlywarning.io.output import terminal_text

    for text in texts:
        shown = terminal_text(text)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown)
        if text.isprintable():
            assert shown == text
    COUNTS["terminal texts"] += len(texts)


_JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), USER_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(USER_TEXT, inner, max_size=4)
    ),
    max_leaves=12,
)


@fuzz(60)
@given(st.lists(_JSON_VALUES, min_size=5, max_size=15))
def test_json_output_is_always_strict_json(values):
    from earlywarning.io.output import json_text

    for value in values:
        json.loads(json_text(value), parse_constant=lambda c: pytest.fail(f"{c} written"))
    COUNTS["json outputs"] += len(values)


@fuzz(40)
@given(st.lists(st.lists(USER_TEXT, min_size=3, max_size=3), min_size=10, max_size=30))
def test_csv_and_xlsx_output_hold_each_cell_safely_or_refuse(rows):
    import io as _io

    from earlywarning.cli._output import CsvWriter
    from earlywarning.io.excel import ExcelWriter
    from earlywarning.io.output import FORMULA_STARTS

    table = pd.DataFrame(rows, columns=["council", "note", "other"], dtype=object)
    stream = _io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ew.EarlyWarningWarning)
        writer = CsvWriter(stream, {"ruleset_id": "x"})
        writer.write(table)
        writer.close()
    for row in csv.reader(_io.StringIO(stream.getvalue(), newline="")):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"[-+][\d.eE+-]+", cell)
    book = ExcelWriter({"ruleset_id": "x"})
    book.append(table, header=True)
    data = _io.BytesIO()
    book.save(data)
    sheet = openpyxl_module().load_workbook(data)["scores"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    COUNTS["output rows, csv and xlsx"] += len(rows)


def openpyxl_module() -> Any:
    return pytest.importorskip("openpyxl")


DOCUMENT = Path(_folder.name) / "document"
_DOC_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), USER_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(USER_TEXT, inner, max_size=3)
    ),
    max_leaves=10,
)


def _document_text(data: Any, fmt: str, damage: str, at: int) -> str:
    text = (
        json.dumps(data, default=str) if fmt == "json" else yaml.safe_dump(data, allow_unicode=True)
    )
    cut = at % (len(text) + 1)
    inserts = {
        "an alias": "a: &x [1, 2]\nb: *x\n",
        "a repeated key": '{"k": 1, "k": 2}',
        "deep nesting": "[" * 60 + "]" * 60,
        "NaN": "NaN",
        "octal and time": "n: 017\nt: 1:30\n",
        "a control character": "\x00",
    }
    return text if damage == "none" else text[:cut] + inserts[damage] + text[cut:]


@fuzz(150)
@given(
    _DOC_VALUES,
    st.sampled_from(["yaml", "json"]),
    st.sampled_from(
        [
            "none",
            "none",
            "an alias",
            "a repeated key",
            "deep nesting",
            "NaN",
            "octal and time",
            "a control character",
        ]
    ),
    st.integers(0, 10_000),
)
def test_any_document_is_read_or_refused_with_an_input_file_error(data, fmt, damage, at):
    from earlywarning.io.documents import load_document

    path = DOCUMENT.with_suffix(f".{fmt}")
    path.write_text(_document_text(data, fmt, damage, at), encoding="utf-8")
    try:
        read, _ = load_document(path, what="fuzz")
    except ew.InputFileError as exc:
        assert exc.file == str(path) and len(str(exc)) < 2 * LONGEST_MESSAGE
    else:
        if damage == "none" and data is not None and fmt == "json":
            assert read == json.loads(json.dumps(data, default=str))
    COUNTS["documents"] += 1


SHEET_PARTS = st.lists(
    st.sampled_from(
        [
            '<row r="1"><c r="A1" t="inlineStr"><is><t>council</t></is></c></row>',
            '<row r="2"><c r="A2" t="inlineStr"><is><t>Derby</t></is></c></row>',
            '<row r="2"><c r="B2"><f>1+1</f></c></row>',
            '<row r="3"><c r="A3" t="n"><v>x</v></c></row>',
            "<row/>",
            "<c>",
            "</row>",
            "<!DOCTYPE x>",
            "&lol;",
            '<dimension ref="A1:ZZ99999"/>',
            "\x00",
            "<sheetData>",
            "</sheetData>",
        ]
    ),
    max_size=12,
)


@fuzz(40)
@given(SHEET_PARTS)
def test_any_workbook_is_read_or_refused_with_a_profile_file_error(parts):
    from earlywarning.io.excel import read_sheet

    xl = openpyxl_module()
    base = DOCUMENT.with_name("base.xlsx")
    if not base.exists():
        xl.Workbook().save(base)
    path = DOCUMENT.with_suffix(".xlsx")
    head = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            body = head + "".join(parts) + "</worksheet>"
            sheet = item.filename == "xl/worksheets/sheet1.xml"
            dst.writestr(item.filename, body.encode("utf-8") if sheet else src.read(item))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ew.EarlyWarningWarning)
        with contextlib.suppress(ew.ProfileFileError):
            read_sheet(path, None)
    COUNTS["workbooks"] += 1


@fuzz(12)
@given(st.lists(USER_TEXT.filter(lambda t: t.strip()), min_size=15, max_size=25))
def test_report_charts_show_user_text_as_written(names):
    pytest.importorskip("matplotlib")
    from html import unescape

    from earlywarning.report._html import watchlist_chart

    bands = ["low", "moderate", "high", "severe"]
    table = pd.DataFrame(
        {
            "council": names,
            "score": [float(7 * i % 100) for i in range(len(names))],
            "band": [bands[i % 4] for i in range(len(names))],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # matplotlib: a glyph no font has
        chart = watchlist_chart(table, "Watch list")
    shown = {unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg)}
    drawable = [n for n in names if n.isprintable() and "\n" not in n]
    # every name is drawn as written (matplotlib drops what no font can draw, so only printable
    # names are compared), and the chart is well-formed XML
    assert {n.strip() for n in drawable} <= {t.strip() for t in shown} | {""}
    ElementTree.fromstring(chart.svg.replace("<svg ", '<svg xmlns:x="y" ', 1))
    COUNTS["report texts"] += len(names)


# ---------------------------------------------------------------------------------------------
# Regressions: bugs the fuzzing found, each kept as a plain test


def test_a_header_alone_is_refused_with_every_problem():
    # found by test_any_rule_document_loads_or_is_refused: a file holding only an id made the
    # loader fail with an IndexError while it reported the missing indicators
    try:
        load("id: fuzz-0\r\n")
    except ew.RuleFileError as exc:
        check_refusal(exc)
        messages = " ".join(str(p) for p in exc.problems)
        assert "version" in messages and "bands" in messages and "risk indicator" in messages
    else:
        raise AssertionError("loaded a ruleset with no version, bands or indicators")


def test_a_control_character_in_a_rule_file_is_refused_with_its_line():
    # found by test_broken_rule_documents_are_refused: PyYAML's reader refuses a NUL byte as the
    # loader is made, which happened outside the loader's handling of YAML errors
    try:
        load("id: fuzz-0\nversion: 1.0.0\x00\nbands: []\n")
    except ew.RuleFileError as exc:
        check_refusal(exc)
        assert [(p.line, p.message.split(":")[0]) for p in exc.problems] == [(2, "not valid YAML")]
    else:
        raise AssertionError("loaded a rule file holding a NUL byte")
