"""Score several council profiles at once with a DataFrame, keeping a row that cannot be scored.

    python examples/score_many.py [OUTPUT.csv]

The profiles are hypothetical: they show the mechanics, not any real council. One row has a
typing mistake (an agency rate of 140%); it keeps its place in the result with an error naming
the field and the value, and every other row is scored as usual. The results are written as CSV
to the path given, or to a temporary directory.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

import earlywarning as ew


def profiles() -> pd.DataFrame:
    """Five hypothetical councils; Council D's agency rate was mistyped as 140 (meant 14.0)."""
    return pd.DataFrame(
        [
            {
                "council": "Council A",
                "year": 2021,
                "previous_rating": "good",
                "budget_cut_pct": 3,
                "dcs_changes": 0,
                "avg_caseload": 15,
                "agency_rate_pct": 11,
                "vacancy_rate_pct": 9,
                "turnover_rate_pct": 12,
            },
            {
                "council": "Council B",
                "year": 2021,
                "previous_rating": "requires improvement",
                "dcs_changes": 1,
                "avg_caseload": 19,
                "agency_rate_pct": 18,
                "vacancy_rate_pct": 16,
                "turnover_rate_pct": 22,
            },
            {
                "council": "Council C",
                "year": 2021,
                "previous_rating": "good",
                "budget_cut_pct": 28,
                "dcs_changes": 1,
                "demand_change_pct": 25,
                "early_help_spend_change_pct": -40,
            },
            {
                "council": "Council D",
                "year": 2021,
                "previous_rating": "good",
                "avg_caseload": 17,
                "agency_rate_pct": 140,
            },
            {
                "council": "Council E",
                "year": 2021,
                "previous_rating": "good",
                "avg_caseload": 16.5,
                "practice_concerns_raised": True,
            },
        ]
    )


def main(argv: list[str]) -> int:
    """Score the frame, print the table and the failed row, and write the CSV."""
    frame = profiles()
    result = ew.score_frame(frame)
    table = pd.concat([frame[["council", "year"]], result], axis=1)

    def text(column: str, fmt: str) -> pd.Series:
        return table[column].map(lambda x: "" if pd.isna(x) else format(x, fmt))

    shown = pd.DataFrame(
        {
            "council": table["council"],
            "score": text("score", ".0f"),
            "band": text("band", ""),
            "coverage": text("coverage", ".0%"),
            "red flag": text("red_flag", ""),
        }
    )
    print(shown.to_string(index=False))
    print()
    failed = table[table["error"].notna()]
    for _, row in failed.iterrows():
        print(f"Not scored: {row['council']}: {row['error']}")

    if len(argv) > 1:
        out = Path(argv[1])
    else:
        out = Path(tempfile.mkdtemp(prefix="earlywarning-")) / "scores.csv"
    table.to_csv(out, index=False)
    print(f"Wrote {len(table)} rows to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
