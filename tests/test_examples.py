"""Every script in examples/ runs, from any directory, and prints what it should."""

from __future__ import annotations

import re
import runpy
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

# Lines (regular expressions) each script must print. A new example needs an entry here.
EXPECTED: dict[str, list[str]] = {
    "score_one.py": [
        r"^Derbyshire 2016: score 46 of 100, band high$",
        r"^Coverage: 42% of the ruleset's weight had data$",
        r"^Derbyshire \(2016\) scores 46 out of 100: high risk\.$",
        r"^  Children's services budget cut 31\.3% \(25% to under 35%\), \+10$",
    ],
    "score_many.py": [
        r"^Council A\s+3\s+low\s+44%\s*$",
        r"^Council B\s+32\s+high\s+35%\s*$",
        r"^Council C\s+28\s+high\s+32%\s*$",
        r"^Council D\s*$",
        r"^Council E\s+18\s+high\s+25%\s+high$",
        r"^Not scored: Council D: agency_rate_pct: 140(\.0)? is above the maximum of 100$",
        r"^Wrote 5 rows to .+scores\.csv$",
    ],
    "what_if.py": [
        r"^Derbyshire 2016 as reported: score 46, band high$",
        r"^no major restructure\s+34\s+-12\s+high$",
        r"^a 2016 budget of £120m, not £90m\s+25\s+-21\s+high -> moderate$",
        r"^new recurrent investment of 5% of budget\s+34\s+-12\s+high$",
        r"^an interim director in post\s+50\s+\+4\s+high -> severe$",
        r"^serious practice concerns already raised\s+61\s+\+15\s+high -> severe$",
    ],
}


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """``run(script, *args, cwd=...)``: the script as ``python script ARGS`` runs it, from
    ``cwd``, but in this process (an interpreter's start costs more than the script): its exit
    code, what it printed, and what it wrote to stderr or warned, which should be nothing.

    The examples use only names that a plain ``import earlywarning`` binds (test_api checks
    them), so nothing this process imported before can stand in for a missing import.
    """

    def run_script(script: Path, *args: str, cwd: Path) -> tuple[int, str, str]:
        capsys.readouterr()
        with monkeypatch.context() as patch, warnings.catch_warnings(record=True) as caught:
            patch.chdir(cwd)
            patch.setattr(sys, "argv", [str(script), *args])
            warnings.simplefilter("always")
            try:
                runpy.run_path(str(script), run_name="__main__")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        out, err = capsys.readouterr()
        return code, out, err + "".join(f"{w.category.__name__}: {w.message}\n" for w in caught)

    return run_script


def test_every_example_has_expectations() -> None:
    assert EXAMPLES, "no examples found"
    assert sorted(EXPECTED) == [p.name for p in EXAMPLES]


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_and_prints_its_key_lines(script: Path, tmp_path: Path, run: Any) -> None:
    # run from an empty directory: the scripts must not depend on the working directory
    code, stdout, stderr = run(script, cwd=tmp_path)
    assert code == 0, stderr
    assert not stderr, stderr  # no warnings either
    for pattern in EXPECTED[script.name]:
        assert re.search(pattern, stdout, flags=re.MULTILINE), (
            f"{script.name} did not print a line matching {pattern!r}:\n{stdout}"
        )
    assert not list(tmp_path.iterdir()), "an example wrote into its working directory"


def test_score_many_writes_every_row_to_the_path_given(tmp_path: Path, run: Any) -> None:
    out = tmp_path / "scores.csv"
    code, _, stderr = run(ROOT / "examples" / "score_many.py", str(out), cwd=tmp_path)
    assert code == 0, stderr
    table = pd.read_csv(out)
    assert list(table["council"]) == [f"Council {c}" for c in "ABCDE"]
    assert list(table.columns[:2]) == ["council", "year"]
    assert {"score", "band", "coverage", "reasons", "error", "red_flag"} <= set(table.columns)
    failed = table[table["error"].notna()]
    assert list(failed["council"]) == ["Council D"]
    assert table["score"].isna().sum() == 1
