"""What if one thing had been different? Change one field at a time and watch the band move.

    python examples/what_if.py

Starting from the bundled Derbyshire 2016 profile, each line changes a single field and scores
the result against the bundled rules. Some changes are things the council controls (keeping
its managers, reinvesting); others show what data that is missing from the profile could do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import earlywarning as ew

PROFILE = Path(__file__).resolve().parent / "profiles" / "derbyshire-2016.yaml"

# (what changed, the fields changed); one idea per line
CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("no major restructure", {"restructure": False}),
    ("one change of director, not two", {"dcs_changes": 1}),
    ("management posts cut by 10%, not 30%", {"management_reduction_pct": 10}),
    ("a 2016 budget of £120m, not £90m", {"budget_current_gbp_m": 120}),
    ("new recurrent investment of 5% of budget", {"reinvestment_pct": 5}),
    ("an interim director in post", {"interim_dcs": True}),
    ("average caseload of 21 (not in the profile)", {"avg_caseload": 21}),
    ("serious practice concerns already raised", {"practice_concerns_raised": True}),
]


def main() -> None:
    """Score the profile as reported, then once per change."""
    # Start from the fields as written, so that a changed budget derives a new cut.
    base = ew.io.read_profiles(PROFILE).iloc[0].dropna().to_dict()
    before = ew.score(base)
    print(
        f"{before.council} {before.year} as reported: score {before.score:.0f}, band {before.band}"
    )
    print()
    print(f"{'What if...':<46} {'score':>5}  {'move':>5}  band")
    for label, change in CHANGES:
        after = ew.score({**base, **change})
        move = after.score - before.score
        band = after.band if after.band == before.band else f"{before.band} -> {after.band}"
        print(f"{label:<46} {after.score:5.0f}  {move:+5.0f}  {band}")


if __name__ == "__main__":
    main()
