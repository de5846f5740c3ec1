"""The sections of a local facts file: private machinery of :mod:`earlywarning.local`.

One table states the format: each section's name (the YAML key, and the CSV ``fact``), its
shape, its keys, the CSV columns that fill them, the profile fields it gives, and who in a
council usually holds the records. The readers, the checks, the derivations and the template
all read it, so a new kind of fact is one entry here and its derivation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "COUNCIL_KEYS",
    "CSV_COLUMNS",
    "CSV_REQUIRED",
    "LEADERSHIP_AND_BUDGET",
    "SECTIONS",
    "Section",
]

Shape = Literal["list", "years", "day"]


@dataclass(frozen=True)
class Section:
    """One kind of local fact: its name in a file, its shape, the fields it gives, what it
    means and who in a council usually holds it.

    Example:
        >>> SECTIONS["directors"].fields, SECTIONS["budget_gbp_m"].shape
        (('dcs_changes', 'interim_dcs'), 'years')
    """

    name: str
    shape: Shape  # a list of items; amounts by financial year; a single day
    fields: tuple[str, ...]  # the profile fields it gives
    meaning: str
    held_by: str
    keys: tuple[str, ...] = ()  # an item's keys (list sections)
    required: tuple[str, ...] = ()
    csv: dict[str, str] = field(default_factory=dict)  # CSV column -> item key


_NOTES = ("source", "note")

SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        Section(
            "directors",
            "list",
            ("dcs_changes", "interim_dcs"),
            "every appointment of a director of children's services, permanent or interim",
            "democratic services (the council's and committees' minutes of appointments) and HR",
            ("name", "start", "end", "interim", *_NOTES),
            ("name", "start", "interim"),
            {"date": "start", "end": "end", "name": "name", "interim": "interim"},
        ),
        Section(
            "budget_gbp_m",
            "years",
            ("budget_baseline_gbp_m", "budget_current_gbp_m", "budget_cut_pct"),
            "the children's services budget set for each financial year, £m",
            "finance: the budget book, or the section 251 budget statement to the DfE",
            csv={"date": "year", "value": "value"},
        ),
        Section(
            "reinvestment_gbp_m",
            "years",
            ("reinvestment_pct",),
            "new recurrent investment in children's services added in each financial year, £m "
            "(0 for a year with none)",
            "finance: the growth or investment lines of the budget book and the medium-term "
            "financial plan",
            csv={"date": "year", "value": "value"},
        ),
        Section(
            "management_posts",
            "list",
            ("management_reduction_pct",),
            "leadership and management posts (FTE, or a count: the same in every entry) on a day",
            "HR: the establishment lists of children's services",
            ("date", "posts", *_NOTES),
            ("date", "posts"),
            {"date": "date", "value": "posts"},
        ),
        Section(
            "restructures",
            "list",
            ("restructure",),
            "each major restructure of children's services, from its start (and to its end)",
            "HR (staff consultations) and the cabinet or committee reports that approved them",
            ("start", "end", *_NOTES),
            ("start",),
            {"date": "start", "end": "end"},
        ),
        Section(
            "practice_concerns",
            "list",
            ("practice_concerns_raised",),
            "each time serious concerns about social work practice were raised (by the "
            "safeguarding partnership, an external review, an audit or an Ofsted visit)",
            "the safeguarding partnership's minutes, audit and review reports, Ofsted letters",
            ("date", *_NOTES),
            ("date",),
            {"date": "date"},
        ),
        Section(
            "restructures_listed_from",
            "day",
            ("restructure",),
            "the day from which every restructure is listed, so that none listed in a lookback "
            "means there was none (before it, none listed means not known)",
            "",
            csv={"date": "date"},
        ),
        Section(
            "practice_concerns_listed_from",
            "day",
            ("practice_concerns_raised",),
            "the day from which every serious practice concern is listed",
            "",
            csv={"date": "date"},
        ),
        Section(
            "fields",
            "list",
            (),
            "any other profile field, with the day its value describes (a value holds for a year)",
            "",
            ("field", "value", "date", *_NOTES),
            ("field", "value", "date"),
            {"date": "date", "value": "value"},
        ),
    )
}
"""Every section of a local facts file, by its name."""

COUNCIL_KEYS: tuple[str, ...] = ("council", "la_code", "note", *SECTIONS)
"""The keys of one council's facts in a YAML file."""

CSV_COLUMNS: tuple[str, ...] = (
    "council",
    "la_code",
    "fact",
    "date",
    "end",
    "value",
    "name",
    "interim",
    "source",
    "note",
)
"""The columns a CSV file of local facts may have, one fact a row."""

CSV_REQUIRED: tuple[str, ...] = ("council", "fact", "date")
"""The columns every CSV file of local facts must have."""

LEADERSHIP_AND_BUDGET: tuple[str, ...] = (
    "budget_cut_pct",
    "management_reduction_pct",
    "dcs_changes",
    "interim_dcs",
    "restructure",
    "reinvestment_pct",
)
"""The measures of the leadership and budget indicators, the headline warning signs that no
national series carries: only a council's own facts give them."""
