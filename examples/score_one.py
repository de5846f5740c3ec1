"""Score the bundled example profile (Derbyshire, mid-2016) and explain the result.

Run it from anywhere:

    python examples/score_one.py

It prints the score, the band and the coverage, the paragraph a director would read, and the
points rule by rule.
"""

from __future__ import annotations

from pathlib import Path

import earlywarning as ew

PROFILE = Path(__file__).resolve().parent / "profiles" / "derbyshire-2016.yaml"


def main() -> None:
    """Load the profile, score it against the bundled rules and print why."""
    # one reader for every profile file; a row's blanks are missing fields, so leave them out
    fields = ew.io.read_profiles(PROFILE).iloc[0].dropna().to_dict()
    profile = ew.CouncilProfile(**fields)
    a = ew.score(profile)

    print(f"{a.council} {a.year}: score {a.score:.0f} of 100, band {a.band}")
    print(f"Coverage: {a.coverage:.0%} of the ruleset's weight had data")
    print()
    print(a.explain())
    print()
    print("Points rule by rule:")
    for c in sorted(a.contributions, key=lambda c: -c.points):
        print(f"  {c.reason}")


if __name__ == "__main__":
    main()
