"""Checking local facts as read from a file: private machinery of :mod:`earlywarning.local`.

The readers (YAML and CSV) hand over each council's sections as items of keyed values, each
value with its :class:`~earlywarning.local._place.Place`; the checks here read every value,
refuse what cannot be used with the file, the line and the value, and build the frozen models.
Every problem in the file is collected, so one run reports them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from earlywarning._names import did_you_mean
from earlywarning.errors import ProfileError
from earlywarning.flags import parse_flag
from earlywarning.local._councils import council_code
from earlywarning.local._model import (
    Appointment,
    CouncilFacts,
    Event,
    FieldValue,
    PostCount,
    Provenance,
    YearAmount,
)
from earlywarning.local._place import Place, Problems
from earlywarning.local._sections import SECTIONS, Section
from earlywarning.local._years import fy_start, parse_day, parse_financial_year
from earlywarning.profile import FIELD_NAMES, check_value

__all__ = ["BUDGET_LIMIT_GBP_M", "UNIT_RATIO", "Item", "RawCouncil", "check_councils"]

_NOTES = ("source", "note")
_YEARS_CSV = {"date": "year", "value": "value"}

Item = dict[str, tuple[Any, Place]]
"""One fact as read: each key's value and where it is."""


@dataclass
class RawCouncil:
    """One council's facts as read, before any check: the name, and the items of each section.

    A CSV file gives one per row (the checks join the rows of one council); a YAML file one per
    council block.
    """

    council: tuple[Any, Place]
    la_code: tuple[Any, Place] | None
    place: Place
    sections: dict[str, list[tuple[Item, Place]]] = field(default_factory=dict)


BUDGET_LIMIT_GBP_M = 5000.0
"""The largest figure read as £m. England's largest children's services budgets, schools'
grant included, are under £2,000m; a larger figure is almost certainly in £ or £k."""

UNIT_RATIO = 10.0
"""A budget under a tenth of the same council's largest budget is refused as a different unit
(£bn, or a single line of the budget): no council's budget moves tenfold in a few years."""


def _text_of(value: Any) -> str | None:
    """Text as YAML may have read it: a source "2016" comes back as a number or a date."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return None


class _Reader:
    """Reads one council's items into models, noting each problem with its place."""

    def __init__(self, problems: Problems, today: dt.date) -> None:
        self.problems = problems
        self.today = today

    def keys(self, item: Item, place: Place, section: Section) -> bool:
        """False (problems noted) when the item has an unknown key or lacks a required one."""
        ok = True
        for key, (_, where) in item.items():
            if key not in section.keys:
                hint = did_you_mean(key, section.keys) or "keys: " + ", ".join(section.keys)
                if where.in_csv:
                    fact = (
                        "a value given directly"
                        if section.name == "fields"
                        else f"a {section.name} fact"
                    )
                    message = f"is not used by {fact}: leave the {key} cell empty"
                else:
                    message = f"is not a key of {section.name} ({hint})"
                self.problems.add(where, None if where.in_csv else key, message)
                ok = False
        for key in section.required:
            if key not in item:
                # a CSV row names the column to fill, not the key it fills
                column = {k: c for c, k in {**section.csv, "fact": "field"}.items()}.get(key, key)
                named = column if place.in_csv else key
                self.problems.add(place, None, f"has no {named}: {section.name} facts need one")
                ok = False
        return ok

    def text(self, item: Item, key: str) -> str | None:
        value, where = item[key]
        text = value.strip() if isinstance(value, str) else None
        if not text:
            self.problems.add(where, value, "must be text")
        return text

    def day(self, item: Item, key: str) -> dt.date | None:
        value, where = item[key]
        day, problem = parse_day(value)
        if day is not None and day > self.today:
            day, problem = (
                None,
                f"is after today ({self.today}): record a fact once it has happened",
            )
        if day is None:
            self.problems.add(where, value, problem)
        return day

    def year(self, value: Any, where: Place) -> int | None:
        year, problem = parse_financial_year(value)
        if year is not None and fy_start(year) > self.today:
            year, problem = (
                None,
                f"has not begun (it starts on 1 April {year}): record an amount once its year "
                "has begun",
            )
        if year is None:
            self.problems.add(where, value, problem)
        return year

    def flag(self, item: Item, key: str) -> bool | None:
        value, where = item[key]
        flag = parse_flag(value)
        if flag is None:
            self.problems.add(where, value, "is not yes/no (true/false, 1/0)")
        return flag

    def amount(self, item: Item, key: str, *, above_zero: bool) -> float | None:
        """A non-negative number, read by the profile's one number parser."""
        value, where = item[key]
        try:
            # a budget field's check reads any non-negative amount, with the profile's messages
            x: float | None = check_value("budget_baseline_gbp_m", value)
        except ProfileError as exc:
            self.problems.add(where, value, exc.problem)
            return None
        if x is None:
            self.problems.add(where, value, "is missing")
        elif above_zero and x <= 0:
            self.problems.add(where, value, "must be above 0")
            return None
        return x

    def provenance(self, item: Item, place: Place) -> Provenance:
        said = {}
        for key in ("source", "note"):
            if key in item:
                value, where = item[key]
                said[key] = _text_of(value)
                if said[key] is None:
                    self.problems.add(where, value, "must be text")
        return Provenance(file=place.file, line=place.line, **said)


Found = tuple[Any, Place]  # a model read, and the place its checks across items point at


class _Sections(_Reader):
    """The readers of each section's items, each giving the model and the place of its key
    value (an overlap is reported at the later appointment's start, a unit at the amount)."""

    def appointment(self, item: Item, place: Place) -> Found | None:
        if not self.keys(item, place, SECTIONS["directors"]):
            return None
        name, start = self.text(item, "name"), self.day(item, "start")
        end = self.day(item, "end") if "end" in item else None
        interim = self.flag(item, "interim")
        if name is None or start is None or interim is None or ("end" in item and end is None):
            return None
        if end is not None and end < start:
            self.problems.add(item["end"][1], end, f"is before the start ({start})")
            return None
        said = self.provenance(item, place)
        model = Appointment(name=name, start=start, end=end, interim=interim, provenance=said)
        return model, item["start"][1]

    def year_amount(self, section: str) -> Callable[[Item, Place], Found | None]:
        def read(item: Item, place: Place) -> Found | None:
            if not self.keys(item, place, _by_year_ITEM[section]):
                return None
            year = self.year(*item["year"])
            amount = self.amount(item, "value", above_zero=section == "budget_gbp_m")
            if year is None or amount is None:
                return None
            if amount > BUDGET_LIMIT_GBP_M:
                self.problems.add(
                    item["value"][1],
                    item["value"][0],
                    f"is over £{BUDGET_LIMIT_GBP_M:,.0f}m: a figure in £ or £k? Give £m "
                    "(131 for £131m)",
                )
                return None
            model = YearAmount(year=year, gbp_m=amount, provenance=self.provenance(item, place))
            return model, item["value"][1]

        return read

    def post_count(self, item: Item, place: Place) -> Found | None:
        if not self.keys(item, place, SECTIONS["management_posts"]):
            return None
        day, posts = self.day(item, "date"), self.amount(item, "posts", above_zero=True)
        if day is None or posts is None:
            return None
        model = PostCount(date=day, posts=posts, provenance=self.provenance(item, place))
        return model, item["date"][1]

    def event(self, section: str) -> Callable[[Item, Place], Found | None]:
        start_key = "start" if "start" in SECTIONS[section].keys else "date"

        def read(item: Item, place: Place) -> Found | None:
            if not self.keys(item, place, SECTIONS[section]):
                return None
            start = self.day(item, start_key)
            end = self.day(item, "end") if "end" in item else None
            if start is None or ("end" in item and end is None):
                return None
            if end is not None and end < start:
                self.problems.add(item["end"][1], end, f"is before the start ({start})")
                return None
            return Event(start=start, end=end, provenance=self.provenance(item, place)), place

        return read

    def field_value(self, item: Item, place: Place) -> Found | None:
        if not self.keys(item, place, SECTIONS["fields"]):
            return None
        name, day = self.field_name(*item["field"]), self.day(item, "date")
        if name is None or day is None:
            return None
        value, where = item["value"]
        try:
            checked = check_value(name, value)
        except ProfileError as exc:
            self.problems.add(where, value, exc.problem)
            return None
        if checked is None:
            self.problems.add(where, value, "is missing")
            return None
        said = self.provenance(item, place)
        return FieldValue(field=name, value=checked, date=day, provenance=said), place

    def field_name(self, value: Any, where: Place) -> str | None:
        if isinstance(value, str) and value in NOT_GIVEN_DIRECTLY:
            self.problems.add(where, value, NOT_GIVEN_DIRECTLY[value])
        elif isinstance(value, str) and value in FIELD_NAMES:
            return value
        else:
            hint = did_you_mean(value, [f for f in FIELD_NAMES if f not in NOT_GIVEN_DIRECTLY])
            problem = "is not a profile field" + (f" ({hint})" if hint else "")
            self.problems.add(where, value, problem)
        return None

    def listed_from(self, section: str) -> Callable[[Item, Place], Found | None]:
        def read(item: Item, place: Place) -> Found | None:
            if not self.keys(item, place, _DAY_ITEM):
                return None
            day = self.day(item, "date")
            return None if day is None else (day, item["date"][1])

        return read

    def section(self, name: str) -> Callable[[Item, Place], Found | None]:
        """The reader of one section's items."""
        shape = SECTIONS[name].shape
        if name == "directors":
            return self.appointment
        if name == "management_posts":
            return self.post_count
        if name == "fields":
            return self.field_value
        if shape == "years":
            return self.year_amount(name)
        if shape == "day":
            return self.listed_from(name)
        return self.event(name)


NOT_GIVEN_DIRECTLY: dict[str, str] = {
    "council": "is the council the facts are about: give it once, as council",
    "year": "is the year asked for: a fact gives the day it describes as its date",
    "la_code": "is given once, as la_code beside council",
    "region": "comes from the national data",
}
"""Profile fields a file may not give, and why."""

_by_year_ITEM = {
    name: Section(name, "list", (), "", "", ("year", "value", "source", "note"), ("year", "value"))
    for name in ("budget_gbp_m", "reinvestment_gbp_m")
}
_DAY_ITEM = Section("listed_from", "list", (), "", "", ("date", "source", "note"), ("date",))


# ----------------------------------------------------------------------------------------------
# Checks across the items of one council


def _overlaps(found: list[Found], problems: Problems) -> list[Found]:
    """Directors in date order; two whose tenures overlap are refused, the later one dropped."""
    kept: list[Found] = []
    for model, where in sorted(found, key=lambda f: f[0].start):
        if kept:
            before: Appointment = kept[-1][0]
            if before.start == model.start:
                problems.add(
                    where,
                    model.start,
                    f"is also the start of {before.name}'s appointment (line "
                    f"{before.provenance.line}): two directors cannot start on one day",
                )
                continue
            if before.end is not None and before.end >= model.start:
                problems.add(
                    where,
                    model.start,
                    f"overlaps {before.name}'s tenure, which ends on {before.end} (line "
                    f"{before.provenance.line}): one tenure must end before the next begins",
                )
                continue
        kept.append((model, where))
    return kept


def _once(
    found: list[Found], key: Callable[[Any], Any], what: str, problems: Problems
) -> list[Found]:
    """Each key once: a second fact for the same year, day or field and day is refused."""
    first: dict[Any, Any] = {}
    kept: list[Found] = []
    for model, where in found:
        k = key(model)
        if k in first:
            problems.add(where, None, f"gives {what} a second time (first at line {first[k]})")
            continue
        first[k] = where.line
        kept.append((model, where))
    return kept


def _units(budgets: list[Found], problems: Problems) -> list[Found]:
    """Budgets in one unit: one under a tenth of the council's largest is refused."""
    if not budgets:
        return budgets
    largest: YearAmount = max((m for m, _ in budgets), key=lambda m: m.gbp_m)
    kept = []
    for model, where in budgets:
        if model.gbp_m * UNIT_RATIO < largest.gbp_m:
            problems.add(
                where,
                model.gbp_m,
                f"is under a tenth of the {largest.financial_year} budget ({largest.gbp_m:g}, "
                f"line {largest.provenance.line}): a figure in £bn, or a different line of the "
                "budget? Give the whole children's services budget in £m",
            )
            continue
        kept.append((model, where))
    return kept


def _within_budget(
    investments: list[Found], budgets: list[Found], problems: Problems
) -> list[Found]:
    """New investment in a year cannot exceed that year's whole budget."""
    budget = {m.year: m for m, _ in budgets}
    kept = []
    for model, where in investments:
        whole = budget.get(model.year)
        if whole is not None and model.gbp_m > whole.gbp_m:
            problems.add(
                where,
                model.gbp_m,
                f"is more than the whole {model.financial_year} budget ({whole.gbp_m:g}, line "
                f"{whole.provenance.line}): a different unit?",
            )
            continue
        kept.append((model, where))
    return kept


def _not_also_derived(
    fields: list[Found], found: dict[str, list[Found]], problems: Problems
) -> list[Found]:
    """A field given directly whose section is also given is refused: which would be meant?"""
    kept = []
    for model, where in fields:
        sources = [
            s.name
            for s in SECTIONS.values()
            if model.field in s.fields and s.name != "fields" and found[s.name]
        ]
        if sources:
            line = found[sources[0]][0][1].line
            problems.add(
                where,
                model.field,
                f"is given directly and also derived from {sources[0]} (line {line}): give one "
                "or the other",
            )
            continue
        kept.append((model, where))
    return kept


def _code(raw: RawCouncil, problems: Problems) -> str | None:
    """The ONS code of the council a block or row names, or None (problems noted)."""
    council, where = raw.council
    if not isinstance(council, str) or not council.strip():
        problems.add(where, council, "must be the council's name or ONS code")
        return None
    la_code = None
    if raw.la_code is not None:
        la_code, la_where = raw.la_code
        if not isinstance(la_code, str) or not la_code.strip():
            problems.add(la_where, la_code, "must be an ONS code, such as E10000007")
            return None
    code, problem = council_code(council, la_code)
    if code is None:
        if raw.la_code is not None and problem.startswith("is not the code"):
            problems.add(raw.la_code[1], la_code, problem)
        else:
            problems.add(where, council, problem)
    return code


def _council(
    code: str, group: list[RawCouncil], problems: Problems, today: dt.date
) -> CouncilFacts:
    """One council's facts, from every block or row that names it."""
    reader = _Sections(problems, today)
    found: dict[str, list[Found]] = {name: [] for name in SECTIONS}
    for raw in group:
        for name, items in raw.sections.items():
            read = reader.section(name)
            found[name] += [f for f in (read(item, place) for item, place in items) if f]
    budgets = _units(
        _once(found["budget_gbp_m"], _by_year, "this year's budget", problems), problems
    )
    invested = _once(found["reinvestment_gbp_m"], _by_year, "this year's investment", problems)
    posts = _once(found["management_posts"], _by_date, "a count for this day", problems)
    fields = _once(found["fields"], _by_field_day, "this field for this day", problems)
    first = group[0]
    return CouncilFacts(
        council=str(first.council[0]).strip(),
        la_code=code,
        directors=_models(_overlaps(found["directors"], problems)),
        budgets=_models(budgets, _by_year),
        reinvestments=_models(_within_budget(invested, budgets, problems), _by_year),
        management_posts=_models(posts, _by_date),
        restructures=_models(found["restructures"], _by_start),
        practice_concerns=_models(found["practice_concerns"], _by_start),
        restructures_listed_from=_day(found["restructures_listed_from"], problems),
        practice_concerns_listed_from=_day(found["practice_concerns_listed_from"], problems),
        fields=_models(_not_also_derived(fields, found, problems), _by_field_day),
        provenance=Provenance(file=first.place.file, line=first.council[1].line),
    )


def _by_year(model: YearAmount) -> int:
    return model.year


def _by_date(model: PostCount) -> dt.date:
    return model.date


def _by_start(model: Event) -> dt.date:
    return model.start


def _by_field_day(model: FieldValue) -> tuple[dt.date, str]:
    return model.date, model.field


def _models(found: list[Found], key: Callable[[Any], Any] | None = None) -> tuple[Any, ...]:
    models = [model for model, _ in found]
    return tuple(sorted(models, key=key) if key else models)


def _day(found: list[Found], problems: Problems) -> dt.date | None:
    """The one day a ``..._listed_from`` fact gives; a second is refused."""
    for _, where in found[1:]:
        first = found[0][1].line
        problems.add(where, None, f"gives this day a second time (first at line {first})")
    return found[0][0] if found else None


def check_councils(
    raws: Iterable[RawCouncil], problems: Problems, today: dt.date
) -> list[CouncilFacts]:
    """Every council's checked facts; the problems found are added to ``problems``.

    A council named in two blocks of a YAML file is refused (its facts belong in one place); the
    rows of a CSV file that name one council, however spelt, are its facts together.
    """
    groups: dict[str, list[RawCouncil]] = {}
    for raw in raws:
        code = _code(raw, problems)
        if code is None:
            _council("", [raw], problems, today)  # its facts are still checked, and reported
            continue
        if code in groups and not raw.place.in_csv:
            first = groups[code][0].council[1].line
            problems.add(
                raw.council[1],
                raw.council[0],
                f"is given twice (first at line {first}): put the council's facts in one place",
            )
            continue
        groups.setdefault(code, []).append(raw)
    return [_council(code, group, problems, today) for code, group in groups.items()]
