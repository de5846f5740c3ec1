"""Every script in examples/ runs, from any directory, and prints what it should."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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


def run(script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def test_every_example_has_expectations() -> None:
    assert EXAMPLES, "no examples found"
    assert sorted(EXPECTED) == [p.name for p in EXAMPLES]


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_and_prints_its_key_lines(script: Path, tmp_path: Path) -> None:
    # run from an empty directory: the scripts must not depend on the working directory
    result = run(script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not result.stderr, result.stderr  # no warnings either
    for pattern in EXPECTED[script.name]:
        assert re.search(pattern, result.stdout, flags=re.MULTILINE), (
            f"{script.name} did not print a line matching {pattern!r}:\n{result.stdout}"
        )
    assert not list(tmp_path.iterdir()), "an example wrote into its working directory"


def test_score_many_writes_every_row_to_the_path_given(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    result = run(ROOT / "examples" / "score_many.py", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out)
    assert list(table["council"]) == [f"Council {c}" for c in "ABCDE"]
    assert list(table.columns[:2]) == ["council", "year"]
    assert {"score", "band", "coverage", "reasons", "error", "red_flag"} <= set(table.columns)
    failed = table[table["error"].notna()]
    assert list(failed["council"]) == ["Council D"]
    assert table["score"].isna().sum() == 1
