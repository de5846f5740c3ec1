"""Helpers shared by the test modules (the hypothesis strategies live apart, in strategies.py)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from earlywarning.cli import main

ROOT = Path(__file__).resolve().parents[1]

# The fast tier (README: EARLYWARNING_EXAMPLES=0.2 with -m "not slow") draws a fraction of each
# property's examples while you work; the plain command, and so CI, draws them all.
EXAMPLES = float(os.environ.get("EARLYWARNING_EXAMPLES", "1"))


def examples(n: int) -> int:
    """``n`` hypothesis examples, scaled for the fast tier (never fewer than five)."""
    return max(5, round(n * EXAMPLES))


# Four bands for the small hand-written rulesets of the tests, wide enough to count by hand.
TEST_BANDS: list[dict[str, Any]] = [
    {"name": "low", "from": 0, "below": 15},
    {"name": "moderate", "from": 15, "below": 30},
    {"name": "high", "from": 30, "below": 50},
    {"name": "severe", "from": 50},
]


def run_cli(*argv: str) -> tuple[int, str]:
    """Run ``earlywarning ARGV...`` in this process: the exit code and what it printed."""
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def run_docs_script(script: str, out_dir: Any) -> tuple[list[str], str]:
    """Run ``docs/<script>`` into ``out_dir``: the PNG names it drew (sorted), and its output."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / script), str(out_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return sorted(p.name for p in Path(out_dir).glob("*.png")), result.stdout


# The files the bundled data are built from, as data/README.md gives the command:
# earlywarning data import --fresh data/raw/dfe/* data/raw/ofsted/* data/compiled/* -o ...
BUNDLE_FILES: list[Path] = [
    p
    for folder in ("raw/dfe", "raw/ofsted", "compiled")
    for p in sorted((ROOT / "data" / folder).iterdir())
]
D2I_OVERVIEW = ROOT / "data" / "raw" / "d2i" / "ofsted_csc_ilacs_overview_before_2025-04.xlsx"
OUTCOMES_2025 = ROOT / "data" / "raw" / "ofsted" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods"


def write_ods(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A minimal OpenDocument spreadsheet of text and number cells (None is an empty cell)."""
    import zipfile
    from xml.sax.saxutils import escape, quoteattr

    body = []
    for name, rows in sheets.items():
        body.append(f"<table:table table:name={quoteattr(name)}>")
        for row in rows:
            cells = []
            for v in row:
                if v is None:
                    cells.append("<table:table-cell/>")
                elif isinstance(v, int | float):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{v}">'
                        f"<text:p>{v}</text:p></table:table-cell>"
                    )
                else:
                    cells.append(
                        f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}'
                        "</text:p></table:table-cell>"
                    )
            body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        body.append("</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:spreadsheet>{''.join(body)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", content)
    return path
