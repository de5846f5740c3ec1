"""Every file the library writes goes one way: checked target, safe temporary file, safe cells.

Issue 19, item 2. Each test names what main did before: a traceback, a file under another name,
a live formula, a crash on a control character, a symlink followed, a ``.part`` file left.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
from pathlib import Path

import pandas as pd
import pytest

import earlywarning as ew
from earlywarning.cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED, main
from earlywarning.io.output import (
    EXCEL_CELL_CHARACTERS,
    CellGuard,
    json_text,
    terminal_text,
    write_file,
    writing,
)

openpyxl = pytest.importorskip("openpyxl")


def run(*argv: str, out: io.StringIO | None = None) -> tuple[int, str]:
    out = out if out is not None else io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def profiles_csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    f = tmp_path / "in.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return f


HOSTILE = [
    {
        "council": '=HYPERLINK("http://x","click")',
        "year": "2020",
        "agency_rate_pct": "12",
        "change": "-3.5",
    },
    {"council": "@SUM(A1)", "year": "2020", "agency_rate_pct": "14", "change": "+cmd|x"},
    {"council": "Bell\x07\x1b[2J", "year": "2020", "agency_rate_pct": "9", "change": "-"},
]


# ---------------------------------------------------------------------------------------------
# Targets


@pytest.mark.parametrize("command", ["trajectories", "compare"])
def test_a_plot_named_without_an_image_suffix_is_refused_before_any_work(tmp_path, capsys, command):
    # main wrote chart.png and said "wrote chart"
    argv = (
        ["--council", "Derby", "--years", "2020-2021"]
        if command == "trajectories"
        else ["Derby", "--year", "2020"]
    )
    code, _ = run(command, *argv, "--plot", str(tmp_path / "chart"))
    assert code == EXIT_BAD_INPUT
    assert "chart.png, .svg or .pdf" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_plot_is_written_under_exactly_its_name_and_said_so(tmp_path, capsys):
    target = tmp_path / "derby.SVG"
    code, _ = run(
        "trajectories", "--council", "Derby", "--years", "2020-2021", "--plot", str(target)
    )
    assert code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["derby.SVG"]
    assert target.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert f"wrote {target}" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["missing", "folder", "under_a_file"])
def test_a_plot_into_a_missing_folder_onto_a_folder_or_under_a_file_is_refused(
    tmp_path, capsys, where
):
    # main: a FileNotFoundError / IsADirectoryError traceback after the scoring
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "a_folder.png").mkdir()
    target = {
        "missing": tmp_path / "no" / "such.png",
        "folder": tmp_path / "a_folder.png",
        "under_a_file": tmp_path / "a_file" / "x.png",
    }[where]
    code, _ = run("trajectories", "--council", "Derby", "--years", "2020", "--plot", str(target))
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("earlywarning: error: ") and "Traceback" not in err


def test_a_report_into_a_missing_folder_is_refused_before_it_is_built(tmp_path, capsys):
    code, _ = run("report", "Derby", "--year", "2020", "--output", str(tmp_path / "no/r.html"))
    assert code == EXIT_BAD_INPUT
    assert "no folder" in capsys.readouterr().err


def test_a_batch_onto_an_existing_file_is_refused(tmp_path, capsys):
    # main: FileExistsError from mkdir, a traceback
    target = tmp_path / "pages"
    target.write_text("not a folder")
    code, _ = run(
        "report", "--watchlist", "--year", "2020", "--council", "Derby", "--output", str(target)
    )
    assert code == EXIT_BAD_INPUT
    assert "is a file; a batch is written into a folder" in capsys.readouterr().err
    assert target.read_text() == "not a folder"


def test_an_existing_file_is_replaced_whole(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    write_file(target, "new\n")
    assert target.read_text() == "new\n"


def test_a_page_is_not_written_through_a_planted_symlink(tmp_path):
    # main wrote through ".NAME.PID.tmp", a name anyone could predict and plant a link at
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "page.html"
    (tmp_path / f".{target.name}.{os.getpid()}.tmp").symlink_to(victim)
    page = ew.report(profile={"council": "Example", "year": 2020})
    page.write(target)
    assert victim.read_text() == "precious"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not target.is_symlink()


def test_an_interrupted_write_leaves_nothing_behind(tmp_path):
    with pytest.raises(KeyboardInterrupt), writing(tmp_path / "x.csv") as fh:
        fh.write("half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_sigterm_during_a_run_exits_quietly_and_removes_the_temporary_file(
    tmp_path, monkeypatch, capsys
):
    # main: Python's default SIGTERM ended the process and left ".out.csv.XXXX.part"
    from earlywarning.cli import _output

    def write_then_stop(self, table, contributions=None):
        self.stream.write("half a row")
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(_output.CsvWriter, "write", write_then_stop)
    source = profiles_csv(tmp_path, HOSTILE[:1])
    code, _ = run("score", str(source), "--format", "csv", "--output", str(tmp_path / "out.csv"))
    assert code == EXIT_TERMINATED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    assert "Traceback" not in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL or callable(
        signal.getsignal(signal.SIGTERM)
    )


def test_ctrl_c_exits_quietly(tmp_path, monkeypatch, capsys):
    from earlywarning.cli import _output

    def interrupted(self, table, contributions=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(_output.CsvWriter, "write", interrupted)
    source = profiles_csv(tmp_path, HOSTILE[:1])
    code, _ = run("score", str(source), "--format", "csv", "--output", str(tmp_path / "o.csv"))
    assert code == EXIT_INTERRUPTED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


# ---------------------------------------------------------------------------------------------
# Cells


def test_csv_output_neutralises_formulas_but_keeps_numbers(tmp_path, capsys):
    # main wrote =HYPERLINK(...) as it was: a live formula when the file is opened
    source = profiles_csv(tmp_path, HOSTILE)
    code, _ = run("score", str(source), "--format", "csv", "--output", str(tmp_path / "o.csv"))
    assert code == 0
    rows = list(csv.DictReader((tmp_path / "o.csv").open(encoding="utf-8")))
    assert [r["council"] for r in rows] == [
        '\'=HYPERLINK("http://x","click")',
        "'@SUM(A1)",
        "Bell\\x07\\x1b[2J",
    ]
    assert [r["change"] for r in rows] == ["-3.5", "'+cmd|x", "'-"]
    err = capsys.readouterr().err
    assert "leading single quote" in err and "control characters" in err


def test_xlsx_output_has_no_live_formula_and_survives_control_characters(tmp_path):
    # main: openpyxl wrote "=..." as a formula, and raised IllegalCharacterError on "\x07"
    source = profiles_csv(tmp_path, HOSTILE)
    target = tmp_path / "o.xlsx"
    code, _ = run("score", str(source), "--format", "xlsx", "--output", str(target))
    assert code == 0
    sheet = openpyxl.load_workbook(target)["scores"]
    cells = [c.value for c in next(sheet.iter_cols(min_col=1, max_col=1, min_row=2))]
    assert cells == ['\'=HYPERLINK("http://x","click")', "'@SUM(A1)", "Bell\\x07\\x1b[2J"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_a_cell_too_long_for_excel_is_refused_in_a_workbook_and_noted_in_csv(tmp_path, capsys):
    # main: openpyxl wrote it, and Excel cut it to 32,767 characters without a word
    rows = [{"council": "A", "year": "2020", "note": "x" * (EXCEL_CELL_CHARACTERS + 1)}]
    source = profiles_csv(tmp_path, rows)
    code, _ = run("score", str(source), "--format", "xlsx", "--output", str(tmp_path / "o.xlsx"))
    assert code == EXIT_BAD_INPUT
    assert "row 2, column 'note'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    code, _ = run("score", str(source), "--format", "csv", "--output", str(tmp_path / "o.csv"))
    assert code == 0
    assert "Excel cuts it on opening" in capsys.readouterr().err
    assert len((tmp_path / "o.csv").read_text()) > EXCEL_CELL_CHARACTERS


def test_json_output_is_strict_json():
    text = json_text({"auc": float("nan"), "upper": float("-inf"), "when": pd.Timestamp(0)})
    assert json.loads(text, parse_constant=lambda c: pytest.fail(c)) == {
        "auc": None,
        "upper": None,
        "when": "1970-01-01 00:00:00",
    }


def test_validate_json_has_no_nan_token(capsys):
    # main: json.dumps wrote NaN for an AUC with too few outcomes, which strict readers refuse
    code, text = run("validate", "--format", "json")
    assert code == 0
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))


def test_guard_leaves_numbers_and_missing_cells_alone():
    guard = CellGuard(excel=True)
    values = [-3.5, 7, None, "-3.5", "1e5", "+44", ".5", "Derby", ""]
    assert [guard.cell(v) for v in values] == values
    assert guard.notices("x") == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_escape_sequences_in_names_do_not_reach_the_terminal(tmp_path):
    # main printed "\x1b[2J" raw: a council's name could clear the screen or retitle it
    source = profiles_csv(tmp_path, HOSTILE)
    code, text = run("score", str(source), out=Terminal())
    assert code == 0
    assert "\x1b" not in text and "\x07" not in text and "Bell\\x07\\x1b[2J" in text


def test_terminal_text_escapes_what_acts_and_keeps_what_reads():
    assert terminal_text("a\tb\nc — £5") == "a\tb\nc — £5"
    assert terminal_text("\x1b]0;title\x07x\u202ey") == "\\x1b]0;title\\x07x\\u202ey"


def test_a_carriage_return_in_a_csv_cell_cannot_start_a_row_with_a_formula():
    # found by the fuzz suite: the CSV writer quotes line feeds but not a lone carriage return,
    # which a spreadsheet reads as the end of a row, so "x\r=1+1" put a live formula in the next
    guard = CellGuard(excel=False)
    assert guard.cell("x\r=1+1") == "x\\x0d=1+1"
    assert CellGuard(excel=True).cell("x\r\n=1") == "x\r\n=1"  # a workbook holds it as text
