"""Profile fields from local facts as they stood on a day: private machinery of
:mod:`earlywarning.local`.

Only facts dated on or before the day are read: an appointment that starts after it, a budget
for a financial year that begins after it, a count, an event or a value dated after it change
nothing. Each field comes with a :class:`Derivation`: its value (None when the facts do not
settle it), the sentence that says how it was worked out, and the facts it rests on.

The conventions, for a day ``t`` and a lookback of ``L`` years (default :data:`LOOKBACK_YEARS`):

* directors: a change is an appointment, permanent or interim, that starts in the three years
  to ``t`` (after the same day three years earlier, up to and including ``t``); the same person
  continuing (an interim made permanent) is not a change. The count is exact when the record
  has someone in post on every day of those years; otherwise a count of one or more is given as
  what it is, a floor, and no change at all is not known. ``interim_dcs`` is the flag of the
  appointment in post on ``t``.
* budgets: the current budget is the one for the financial year ``t`` falls in (April to
  March), the baseline the one for the financial year ``L`` years before it. Both must be given:
  a year without a figure is not filled from its neighbours.
* management posts: the latest count on or before ``t`` against the latest on or before the
  same day ``L`` years earlier, each no more than a year older than the day it stands for.
* restructures and practice concerns: true when one was under way at any time in the ``L``
  years to ``t``; false only from the day the file says every one is listed.
* reinvestment: the new recurrent investment of the ``L`` financial years after the baseline
  year, up to the current one (every one of them given, 0 for none), as % of the baseline budget.
* any other field given directly: its latest value dated on or before ``t``, for a year.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from pydantic import BaseModel, ConfigDict

from earlywarning.errors import LocalFactProblem, LocalFactsError, ProfileError
from earlywarning.local._model import Appointment, CouncilFacts, Event, PostCount, Provenance
from earlywarning.local._sections import SECTIONS
from earlywarning.local._years import day_text, financial_year, fy_text, years_before
from earlywarning.profile import FIELD_NAMES, check_value

__all__ = [
    "DIRECTOR_WINDOW_YEARS",
    "HOLD_YEARS",
    "LOOKBACK_YEARS",
    "Derivation",
    "derive",
]

LOOKBACK_YEARS = 3
"""The rules' lookback: ``dcs_changes`` counts three years, ``demand_change_pct`` (built from
the national data) measures three years, and the budget cut, the management reduction, a
restructure and reinvestment are read over the same span unless asked otherwise."""

DIRECTOR_WINDOW_YEARS = 3
"""``dcs_changes`` is defined as the changes in three years, whatever the lookback."""

HOLD_YEARS = 1
"""A count of posts or a value given for a day stands for at most a year after it."""

_DAY = dt.timedelta(days=1)


class Derivation(BaseModel):
    """One profile field from local facts: its value, how it was worked out, and from what.

    ``value`` is None when the facts do not settle the field; ``reason`` then says why.

    Example:
        >>> d = Derivation(field="interim_dcs", value=False, reason="a permanent director")
        >>> d.value, d.facts
        (False, ())
    """

    model_config = ConfigDict(frozen=True)

    field: str
    value: Any
    reason: str
    facts: tuple[Provenance, ...] = ()


def _tenures(directors: tuple[Appointment, ...]) -> list[tuple[Appointment, dt.date | None]]:
    """Each appointment with its last day in post: its end, else the day before the next one
    starts, else None (still in post)."""
    out = []
    for i, a in enumerate(directors):
        following = directors[i + 1].start - _DAY if i + 1 < len(directors) else None
        out.append((a, a.end if a.end is not None else following))
    return out


def _confirms(known: list[tuple[Appointment, dt.date | None]], i: int) -> bool:
    """True when appointment ``i`` continues the same person's tenure (an interim made
    permanent): not a change of director."""
    if i == 0:
        return False
    (before, last), now = known[i - 1], known[i][0]
    same = before.name.casefold() == now.name.casefold()
    return same and (last is None or last + _DAY >= now.start)


def _gap(known: list[tuple[Appointment, dt.date | None]], opens: dt.date, day: dt.date) -> str:
    """Why the record cannot show every change after ``opens`` up to ``day``, or ''."""
    first = known[0][0]
    if first.start > opens + _DAY:
        return f"the record of directors starts on {day_text(first.start)}"
    for (_, last), (after, _) in itertools.pairwise(known):
        if last is not None and last + _DAY < after.start and after.start > opens + _DAY:
            gap = f"{day_text(last + _DAY)} to {day_text(after.start - _DAY)}"
            return f"no director is recorded from {gap}"
    last = known[-1][1]
    if last is not None and last < day:
        return f"no director is recorded after {day_text(last)}"
    return ""


def _directors(facts: CouncilFacts, day: dt.date) -> list[Derivation]:
    if not facts.directors:
        return []
    known = [(a, last) for a, last in _tenures(facts.directors) if a.start <= day]
    if not known:
        first = facts.directors[0].start
        why = f"the record of directors starts on {day_text(first)}, after {day_text(day)}"
        return [Derivation(field=f, value=None, reason=why) for f in SECTIONS["directors"].fields]
    return [_changes(known, day), _interim(known, day)]


def _changes(known: list[tuple[Appointment, dt.date | None]], day: dt.date) -> Derivation:
    opens = years_before(day, DIRECTOR_WINDOW_YEARS)
    window = f"in the three years to {day_text(day)} (from {day_text(opens + _DAY)})"
    changes = [a for i, (a, _) in enumerate(known) if a.start > opens and not _confirms(known, i)]
    said = "; ".join(
        f"{a.name}{', interim,' if a.interim else ''} from {day_text(a.start)}" for a in changes
    )
    facts = tuple(a.provenance for a in changes)
    gap = _gap(known, opens, day)
    n = len(changes)
    noun = "change" if n == 1 else "changes"
    if not gap:
        held = [a for a, last in known if a.start <= opens + _DAY][-1:]
        said = said or f"{held[0].name} was in post throughout"
        reason = f"{n} {noun} of director {window}: {said}"
        return Derivation(
            field="dcs_changes",
            value=n,
            reason=reason,
            facts=(*(h.provenance for h in held), *facts),
        )
    if n:
        reason = f"at least {n} {noun} of director {window}: {said}; {gap}, so there may be more"
        return Derivation(field="dcs_changes", value=n, reason=reason, facts=facts)
    reason = f"no change of director is recorded {window}, but {gap}"
    return Derivation(field="dcs_changes", value=None, reason=reason)


def _interim(known: list[tuple[Appointment, dt.date | None]], day: dt.date) -> Derivation:
    in_post = [a for a, last in known if last is None or last >= day]
    if not in_post:
        a, last = known[-1]
        left = f"{a.name} left on {day_text(last or day)}"
        reason = f"no director is recorded in post on {day_text(day)} ({left})"
        return Derivation(field="interim_dcs", value=None, reason=reason)
    a = in_post[-1]
    kind = "an interim" if a.interim else "a permanent"
    reason = f"{a.name}, {kind} director, in post from {day_text(a.start)}"
    return Derivation(field="interim_dcs", value=a.interim, reason=reason, facts=(a.provenance,))


def _budget(facts: CouncilFacts, day: dt.date, lookback: int) -> list[Derivation]:
    if not facts.budgets:
        return []
    now = financial_year(day)
    then = now - lookback
    by_year = {b.year: b for b in facts.budgets}
    base, current = by_year.get(then), by_year.get(now)
    if base is None or current is None:
        missing = " or ".join(fy_text(y) for y, b in ((then, base), (now, current)) if b is None)
        why = (
            f"no budget is given for {missing}: the cut from {fy_text(then)} to {fy_text(now)} "
            f"(the financial year {day_text(day)} falls in) needs both"
        )
        kept = tuple(b.provenance for b in (base, current) if b is not None)
        return [
            Derivation(field=f, value=None, reason=why, facts=kept)
            for f in ("budget_baseline_gbp_m", "budget_current_gbp_m")
        ]
    return [
        Derivation(
            field="budget_baseline_gbp_m",
            value=base.gbp_m,
            reason=f"the budget for {fy_text(then)}, {lookback} financial years before "
            f"{fy_text(now)}",
            facts=(base.provenance,),
        ),
        Derivation(
            field="budget_current_gbp_m",
            value=current.gbp_m,
            reason=f"the budget for {fy_text(now)}, the financial year {day_text(day)} falls in",
            facts=(current.provenance,),
        ),
    ]


def _latest(counts: tuple[PostCount, ...], day: dt.date) -> PostCount | None:
    """The latest count on or before ``day``, if it is no more than a year older."""
    oldest = years_before(day, HOLD_YEARS)
    within = [c for c in counts if oldest < c.date <= day]
    return within[-1] if within else None


def _management(facts: CouncilFacts, day: dt.date, lookback: int) -> list[Derivation]:
    counts = facts.management_posts
    if not counts:
        return []
    opens = years_before(day, lookback)
    then, now = _latest(counts, opens), _latest(counts, day)
    if then is None or now is None:
        missing = " and ".join(
            f"in the year to {day_text(d)}" for d, c in ((opens, then), (day, now)) if c is None
        )
        reason = f"no count of management posts is given {missing}"
        return [Derivation(field="management_reduction_pct", value=None, reason=reason)]
    pct = (then.posts - now.posts) / then.posts * 100.0
    change = "a reduction" if pct >= 0 else "an increase"
    reason = (
        f"{then.posts:g} posts on {day_text(then.date)}, {now.posts:g} on {day_text(now.date)}: "
        f"{change} of {abs(pct):.1f}%"
    )
    facts_used = (then.provenance, now.provenance)
    return [
        Derivation(field="management_reduction_pct", value=pct, reason=reason, facts=facts_used)
    ]


_EVENT_WORDS = {"restructures": "restructure", "practice_concerns": "serious practice concern"}


def _events(section: str, facts: CouncilFacts, day: dt.date, lookback: int) -> list[Derivation]:
    events: tuple[Event, ...] = getattr(facts, section)
    listed: dt.date | None = getattr(facts, f"{section}_listed_from")
    if not events and listed is None:
        return []
    field = SECTIONS[section].fields[0]
    word = _EVENT_WORDS[section]
    opens = years_before(day, lookback)
    span = f"the {lookback} years to {day_text(day)}"
    hits = [e for e in events if e.start <= day and (e.end is None or e.end > opens)]
    if hits:
        said = "; ".join(
            f"from {day_text(e.start)}" + (f" to {day_text(e.end)}" if e.end else "") for e in hits
        )
        reason = f"a {word} in {span}: {said}"
        return [
            Derivation(
                field=field, value=True, reason=reason, facts=tuple(e.provenance for e in hits)
            )
        ]
    if listed is not None and listed <= opens + _DAY:
        reason = f"no {word} in {span}; every one is listed from {day_text(listed)}"
        return [Derivation(field=field, value=False, reason=reason)]
    reason = (
        f"no {word} is listed in {span}, but the file does not say every one is listed from "
        f"{day_text(opens + _DAY)} ({section}_listed_from)"
    )
    return [Derivation(field=field, value=None, reason=reason)]


def _reinvestment(facts: CouncilFacts, day: dt.date, lookback: int) -> list[Derivation]:
    if not facts.reinvestments:
        return []
    now = financial_year(day)
    then = now - lookback
    years = range(then + 1, now + 1)
    by_year = {r.year: r for r in facts.reinvestments}
    base = next((b for b in facts.budgets if b.year == then), None)
    missing = [fy_text(y) for y in years if y not in by_year]
    reason = ""
    if missing:
        reason = f"no investment figure for {', '.join(missing)} (write 0 for a year with none)"
    elif base is None:
        reason = f"no budget for {fy_text(then)} to measure the investment against"
    if reason:
        return [Derivation(field="reinvestment_pct", value=None, reason=reason)]
    assert base is not None
    total = sum(by_year[y].gbp_m for y in years)
    pct = total / base.gbp_m * 100.0
    reason = (
        f"£{total:g}m of new recurrent investment from {fy_text(then + 1)} to {fy_text(now)}: "
        f"{pct:.1f}% of the {fy_text(then)} budget of £{base.gbp_m:g}m"
    )
    used = (*(by_year[y].provenance for y in years), base.provenance)
    return [Derivation(field="reinvestment_pct", value=pct, reason=reason, facts=used)]


def _given(facts: CouncilFacts, day: dt.date) -> list[Derivation]:
    oldest = years_before(day, HOLD_YEARS)
    out: dict[str, Derivation] = {}
    for v in facts.fields:  # in date order, so the latest is kept
        if v.date > day:
            continue
        if v.date > oldest:
            reason = f"given for {day_text(v.date)}"
            out[v.field] = Derivation(
                field=v.field, value=v.value, reason=reason, facts=(v.provenance,)
            )
        elif v.field not in out or out[v.field].value is None:
            reason = f"the latest value given, for {day_text(v.date)}, is more than a year old"
            out[v.field] = Derivation(field=v.field, value=None, reason=reason)
    return list(out.values())


def _checked(d: Derivation) -> Derivation:
    """A derived value the profile would refuse is refused here, with the facts it came from."""
    if d.value is None:
        return d
    try:
        check_value(d.field, d.value)
    except ProfileError as exc:
        where = d.facts[-1] if d.facts else Provenance(file="")
        problem = LocalFactProblem(
            where.file, where.line, d.field, d.value, f"{exc.problem} ({d.reason})"
        )
        raise LocalFactsError([problem]) from None
    return d


def derive(facts: CouncilFacts, day: dt.date, lookback_years: int) -> dict[str, Derivation]:
    """Every field the council's facts speak to on ``day``, in the profile's field order.

    Raises:
        LocalFactsError: when a derived value is one the profile refuses (a count of posts
            that more than doubled gives a reduction below -100%), naming the facts.
    """
    found = [
        *_directors(facts, day),
        *_budget(facts, day, lookback_years),
        *_management(facts, day, lookback_years),
        *_events("restructures", facts, day, lookback_years),
        *_events("practice_concerns", facts, day, lookback_years),
        *_reinvestment(facts, day, lookback_years),
        *_given(facts, day),
    ]
    by_field = {d.field: _checked(d) for d in found}
    return {f: by_field[f] for f in FIELD_NAMES if f in by_field}
