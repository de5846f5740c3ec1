"""A local facts file for a council to fill in: private machinery of :mod:`earlywarning.local`.

The template is a YAML file that reads as it stands (every section empty), so a council can fill
in one section at a time and check the file as it goes. The national figures, when given, are
written as comments for checking the local figures against; they are not read back.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import Any

from earlywarning.errors import EarlyWarningError
from earlywarning.local._councils import council_code, council_name
from earlywarning.local._derive import DIRECTOR_WINDOW_YEARS, LOOKBACK_YEARS
from earlywarning.local._sections import SECTIONS
from earlywarning.local._years import fy_text
from earlywarning.profile import FIELDS

__all__ = ["local_template"]

# What each section's entries look like, written as commented lines under it.
_EXAMPLES: dict[str, list[str]] = {
    "directors": [
        "- {name: , start: YYYY-MM-DD, end: YYYY-MM-DD, interim: no, source: , note: }",
    ],
    "management_posts": ["- {date: YYYY-MM-DD, posts: , source: , note: }"],
    "restructures": ["- {start: YYYY-MM-DD, end: YYYY-MM-DD, source: , note: }"],
    "practice_concerns": ["- {date: YYYY-MM-DD, source: , note: }"],
    "fields": ["- {field: , value: , date: YYYY-MM-DD, source: , note: }"],
}


def _comment(text: str, indent: str = "") -> list[str]:
    """``text`` as comment lines of at most 100 characters."""
    return textwrap.wrap(text, 100, initial_indent=f"# {indent}", subsequent_indent=f"# {indent}  ")


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _national(national: Mapping[str, Any] | None) -> list[str]:
    """The national figures as comments, with what each field means."""
    if not national:
        return ["# No national figures were given to check against."]
    lines = ["# National figures, for checking (not read from this file):"]
    for spec in FIELDS:
        value = national.get(spec.name)
        if spec.name not in ("council", "year", "la_code") and _present(value):
            # two decimals are enough to check a figure against one's own records
            shown = f"{round(value, 2):g}" if isinstance(value, float) else str(value)
            lines.append(f"#   {spec.name}: {shown}  ({spec.description})")
    return lines


def _missing(national: Mapping[str, Any] | None) -> list[str]:
    """The fields the sections below give, where the national figures lack them."""
    lines = ["# Missing from the national figures, and where councils usually hold them:"]
    for section in SECTIONS.values():
        lacking = [f for f in section.fields if not _present((national or {}).get(f))]
        if section.shape != "day" and section.name != "fields" and lacking:
            said = f"{', '.join(lacking)}: from {section.name}, {section.meaning}. Held by"
            lines += _comment(f"{said} {section.held_by}.", "  ")
    return lines


def _section(name: str, year: int, lookback_years: int) -> list[str]:
    section = SECTIONS[name]
    said = f"{name}: {section.meaning}."
    if section.held_by:
        said += f" Held by {section.held_by}."
    if name == "directors":
        since = year - DIRECTOR_WINDOW_YEARS
        said += f" List every appointment since 1 January {since} and the director then in post."
    if section.shape == "years":
        first, last = year - 1 - lookback_years, year - 1
        said += (
            f" A profile of 1 January {year} reads these years ({lookback_years}-year "
            f"lookback); one dated from 1 April {year} also reads {fy_text(year)}."
        )
    lines = ["", *_comment(said)]
    if section.shape == "years":
        lines += [f"{name}:"] + [f'#  "{fy_text(y)}":' for y in range(first, last + 1)]
    elif section.shape == "day":
        lines.append(f"# {name}: YYYY-MM-DD")
    else:
        lines += [f"{name}:"] + [f"#  {example}" for example in _EXAMPLES[name]]
    return lines


def local_template(
    council: str,
    year: int,
    national_profile: Mapping[str, Any] | None = None,
    *,
    lookback_years: int = LOOKBACK_YEARS,
) -> str:
    """A local facts file (YAML) for ``council`` to fill in for profiles of ``year``.

    The file reads as it stands, every section empty. It lists each kind of fact with what it
    means and where councils usually hold it (finance: the budget book and section 251 returns;
    HR: establishment lists; democratic services: appointments of directors), the financial
    years a profile of ``year`` reads, and, when ``national_profile`` is given (a profile's
    fields from the national data), those figures as comments for checking, with the fields
    they lack.

    Raises:
        EarlyWarningError: for a council the bundled data do not know.

    Example:
        >>> text = local_template("Derbyshire", 2016, {"agency_rate_pct": 4.3})
        >>> print(text.splitlines()[0])
        # Local facts for Derbyshire (E10000007), for profiles of 2016.
        >>> "#   agency_rate_pct: 4.3  (agency social workers, % of FTE)" in text
        True
        >>> '#  "2012-13":' in text and '#  "2015-16":' in text
        True
    """
    code, problem = council_code(council, None)
    if code is None:
        raise EarlyWarningError(f"local template: council {council!r} {problem}")
    name = council_name(code)
    lines = [
        f"# Local facts for {name} ({code}), for profiles of {year}.",
        "# Fill in what the council's own records show, each value with its source (a value may",
        "# be a mapping: {value: 95.0, source: budget book 2016-17, note: ...}). Amounts are in £m",
        "# (131 for £131m), dates YYYY-MM-DD, financial years 2015-16. Give the file to a command",
        "# with --local FILE (in Python, local=FILE); every problem is reported with its line.",
        "#",
        *_national(national_profile),
        "#",
        *_missing(national_profile),
        "",
        f"council: {name}",
        f"la_code: {code}",
    ]
    for section in SECTIONS:
        lines += _section(section, year, lookback_years)
    return "\n".join(lines) + "\n"
