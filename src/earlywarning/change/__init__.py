"""What would it take: the smallest change to a profile that brings it into a lower band.

Points are step functions of the measures, so between two thresholds (a level edge or a
combination's condition) nothing changes: the only values worth trying for a variable are one per
interval between its thresholds, each taken at the edge nearest to where the council is now.
The search is exact over those values. It looks for the fewest variables changed (a variable is
a profile field, or the budget cut), then the fewest thresholds crossed in all, then the lowest
score; candidates are scored in batches by the vectorised engine.

A variable moves the derived measures that follow it, as :func:`earlywarning.what_if` does
(:mod:`earlywarning.profile.derived`): the caseload moves the caseload against target, and a
vacancy or agency rate moves the gap to the neighbours and the two-year change when the profile
gives them with the rate, the neighbours' median and the earlier rate fixed. So a gap is lowered
by lowering the rate, one change, never by moving the median; given without its rate, the gap
is a variable of its own. A rate moves no further than keeps such a gap within its range.

The score and band never fall as a measure gets worse in its declared direction, so a variable
only ever moves the better way, and a set of variables can reach the target only if moving each
of them as far as it goes does. That prunes whole sets at once; the tests check the result
against brute force over every value of every variable, both ways.

The search is bounded by the points still reachable: a set of variables whose rules cannot fall
far enough to bring the total under the target band's upper edge, or that leaves a red flag
above the target alone, is never enumerated, and the same bound move by move skips candidates
within a set (:mod:`earlywarning.change._bound` says why the bound is sound). It scores at most
:data:`BUDGET` candidates; past it, the answer is the best found, with ``proven`` False when
the search had not yet proved it the smallest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from earlywarning.change._bound import bound_of
from earlywarning.change._candidates import (
    BUDGET,
    Candidate,
    Search,
    Var,
    allowed_variables,
    check_fixed,
    furthest,
    moved_measures,
    search,
)
from earlywarning.engine import evaluate_columns, score
from earlywarning.engine import space as _space
from earlywarning.errors import EarlyWarningError
from earlywarning.explain import Assessment
from earlywarning.profile import FIELDS, CouncilProfile, profile_measures
from earlywarning.profile.derived import BUDGET_CUT
from earlywarning.rules import BAND_NAMES, BandName, Indicator, Ruleset
from earlywarning.whatif import apply_changes

__all__ = ["BUDGET", "ChangeOption", "SmallestChange", "Step", "smallest_change"]


class Step(BaseModel):
    """One variable moved: from what to what, the thresholds crossed, and in words.

    ``after`` is the value used; ``edge`` is the threshold it sits at or under.

    Example:
        >>> import earlywarning as ew
        >>> step = ew.smallest_change({"council": "A", "year": 2020, "agency_rate_pct": 30,
        ...                             "vacancy_rate_pct": 25, "avg_caseload": 19}).steps[0]
        >>> step.variable, step.before, step.after, step.edge, step.levels
        ('vacancy_rate_pct', 25.0, 19.9, 20.0, 1)
    """

    model_config = ConfigDict(frozen=True)

    variable: str
    indicators: list[str]
    before: float | None
    after: float
    edge: float
    levels: int
    text: str


class ChangeOption(BaseModel):
    """A set of field changes, the steps behind them and the assessment they give.

    Example:
        >>> import earlywarning as ew
        >>> r = ew.smallest_change({"council": "A", "year": 2020, "agency_rate_pct": 30,
        ...                          "vacancy_rate_pct": 25, "avg_caseload": 19})
        >>> alt = r.alternatives[0]
        >>> alt.changes, alt.levels, alt.after.band
        ({'avg_caseload': 17.9}, 1, 'moderate')
    """

    model_config = ConfigDict(frozen=True)

    changes: dict[str, Any]
    steps: list[Step]
    after: Assessment

    @property
    def levels(self) -> int:
        """Thresholds crossed in all."""
        return sum(s.levels for s in self.steps)


class SmallestChange(BaseModel):
    """The smallest change that brings a profile into ``target_band`` (or lower).

    ``changes`` maps profile fields to new values (empty when nothing is needed or nothing
    allowed reaches the target); ``after`` is the assessment of the changed profile;
    ``reachable`` is False when no allowed change reaches the target, and ``reason`` says why;
    ``alternatives`` are the next best few, none of which merely adds to a better one.

    ``proven`` is False when the search stopped at its budget (:data:`BUDGET` candidates)
    before it could prove its best change the smallest: ``changes`` is then the best it found,
    which does bring the profile into ``target_band`` (so ``reachable`` is True: whether the
    target can be reached is known before the search, from every variable moved as far as it
    goes), but a smaller one may exist, and ``reason`` says the search stopped.

    Example:
        >>> import earlywarning as ew
        >>> r = ew.smallest_change({"council": "A", "year": 2020, "practice_concerns_raised": 1})
        >>> r.reachable
        False
        >>> print(r.reason)  # doctest: +ELLIPSIS
        a red flag on Serious practice concerns already raised (not among ...) keeps the band ...
    """

    model_config = ConfigDict(frozen=True)

    target_band: BandName
    reachable: bool
    reason: str
    before: Assessment
    changes: dict[str, Any]
    steps: list[Step]
    after: Assessment
    alternatives: list[ChangeOption]
    proven: bool = True

    def text(self) -> str:
        """The answer in a few lines, as the command line prints it.

        Example:
            >>> import earlywarning as ew
            >>> r = ew.smallest_change({"council": "A", "year": 2020, "agency_rate_pct": 30,
            ...                          "vacancy_rate_pct": 25, "avg_caseload": 19})
            >>> print(r.text().splitlines()[0])
            A (2020) scores 28, high. To reach moderate:
        """
        b = self.before
        lines = [
            f"{b.council} ({b.year}) scores {b.score:.0f}, {b.band}. To reach {self.target_band}:"
        ]
        if not self.reachable or not self.steps:
            return "\n".join([*lines, f"  {self.reason}"])
        if not self.proven:  # stopped at the budget: say so before the best found
            lines.append(f"  {self.reason}.")
        lines += [f"  {s.text}" for s in self.steps]
        lines.append(f"  -> scores {self.after.score:.0f}, {self.after.band}.")
        for i, alt in enumerate(self.alternatives, 1):
            steps = "; ".join(s.text for s in alt.steps)
            lines.append(f"  or ({i}) {steps} -> {alt.after.score:.0f}, {alt.after.band}.")
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# From a candidate back to profile fields and words


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _level_label(ind: Indicator, value: float) -> str | None:
    edges = [lv.from_ for lv in ind.levels[1:] if lv.from_ is not None]
    return ind.levels[int(np.searchsorted(edges, value, side="right"))].label


def _words(var: Var, value: float, edge: float, up: bool) -> str:
    """ "Agency social workers from 18.2% to under 15%", or in the levels' own words."""
    own = _space.measures_fed(var.name)[0]
    ind = next((i for i in var.indicators if i.measure == own), None)
    if ind is None:  # only a measure derived from it reads it (the caseload against target)
        label, unit = _field_words(var.name)
    else:
        label, unit = ind.label, ind.unit
        old_label = None if math.isnan(var.current) else _level_label(ind, var.current)
        new_label = _level_label(ind, value)
        if new_label is not None and (old_label is not None or math.isnan(var.current)):
            return f"{label}: from {old_label or 'not recorded'} to {new_label}"
    old = "not recorded" if math.isnan(var.current) else f"{_fmt(var.current)}{unit}"
    new = f"{_fmt(edge)}{unit} or more" if up else f"under {_fmt(edge)}{unit}"
    return f"{label} from {old} to {new}"


# How a field is named in a step when no rule reads it itself, only a measure derived from it.
_FIELD_WORDS = {"avg_caseload": ("Average caseload", " cases")}


def _field_words(name: str) -> tuple[str, str]:
    """The label and unit of a field, from its description ("social worker vacancies, % of
    posts" is "Social worker vacancies", in %)."""
    if name in _FIELD_WORDS:
        return _FIELD_WORDS[name]
    words = next(f.description for f in FIELDS if f.name == name).split(",")[0]
    return words[:1].upper() + words[1:], "%" if name.endswith("_pct") else ""


def _budget_fields(
    given: Mapping[str, Any], cut: float, edges: Sequence[float]
) -> tuple[dict[str, Any], str]:
    """A new cut written as a current budget where both budgets are known."""
    current_field, baseline_field = BUDGET_CUT.inputs
    if not all(given.get(b) is not None for b in BUDGET_CUT.inputs):
        return {BUDGET_CUT.name: cut}, ""
    baseline = float(given[baseline_field])
    current = BUDGET_CUT.inverse(cut, baseline)
    rounded = math.ceil(current * 10) / 10  # to £0.1m up: a larger budget is a smaller cut
    level = np.searchsorted(edges, [cut, BUDGET_CUT.forward(rounded, baseline)], side="right")
    if level[0] == level[1]:
        current = rounded
    was = float(given[current_field])
    return {current_field: current}, f" (a budget of £{_fmt(current)}m, not £{_fmt(was)}m)"


def _as_field(var: Var, value: float) -> Any:
    from earlywarning.profile import FLAG_MEASURES, RATINGS

    if var.name == "previous_rating":
        return RATINGS[int(value) - 1]
    if var.name in FLAG_MEASURES:
        return bool(value)
    return int(value) if _space.bounds(var.name)[2] else value


def _option(
    profile: CouncilProfile, rules: Ruleset, variables: Sequence[Var], cand: Candidate
) -> ChangeOption:
    given = profile.model_dump(exclude_none=True)
    changes: dict[str, Any] = {}
    steps = []
    for v, m in cand:
        var = variables[v]
        value, levels, edge = var.moves[m]
        up = value >= edge
        text = _words(var, value, edge, up)
        if var.name == BUDGET_CUT.variable:
            fields, extra = _budget_fields(given, value, var.edges)
            changes.update(fields)
            text += extra
        else:
            changes[var.name] = _as_field(var, value)
        before = None if math.isnan(var.current) else var.current
        steps.append(
            Step(
                variable=var.name,
                indicators=[i.id for i in var.indicators],
                before=before,
                after=value,
                edge=edge,
                levels=levels,
                text=text,
            )
        )
    after = score(apply_changes(profile, changes), rules)
    return ChangeOption(changes=changes, steps=steps, after=after)


def _unreachable(before: Assessment, best: Assessment, target: int, allowed: Sequence[Var]) -> str:
    """Why no allowed change reaches the target: a red flag, or too many points out of reach."""
    moved = {i.id for var in allowed for i in var.indicators}
    flags = [c for c in best.red_flags if BAND_NAMES.index(c.red_flag or "low") > target]
    if flags:
        names = ", ".join(
            f"{before.labels.get(c.indicator, c.indicator)}"
            + ("" if c.indicator in moved else " (not among the indicators allowed to change)")
            for c in flags
        )
        return f"a red flag on {names} keeps the band at {flags[0].red_flag} or above"
    return (
        f"with every allowed indicator at its best level the score would still be "
        f"{best.score:.0f} ({best.band})"
    )


def smallest_change(
    profile: CouncilProfile | Mapping[str, Any],
    target_band: str | None = None,
    ruleset: Ruleset | None = None,
    *,
    controllable_only: bool = True,
    fixed: Iterable[str] = (),
) -> SmallestChange:
    """The smallest change to ``profile`` that brings it into ``target_band`` or lower.

    Smallest means the fewest variables changed (a variable is a profile field, or the budget
    cut), then the fewest thresholds crossed in all (level edges and combination conditions),
    then the lowest score. Each value is the one at the edge of its level nearest to where the
    council is now ("agency social workers from 18.2% to under 15%"). The search is exact for
    the ruleset: it tries one value per interval between thresholds, with combinations,
    mitigation caps and red flags all scored by the engine.

    Args:
        profile: a :class:`CouncilProfile` or a mapping of its fields.
        target_band: the band to reach; by default one band below the profile's.
        ruleset: the rules (the bundled default if None).
        controllable_only: change only indicators the rules declare ``controllable``.
        fixed: fields, measures or indicator ids to hold as they are (one name alone may be
            given as text).

    Raises:
        ProfileError: for a refused profile value.
        EarlyWarningError: for a band name that is not one of the four.

    Example:
        >>> import earlywarning as ew
        >>> r = ew.smallest_change({"council": "A", "year": 2020, "agency_rate_pct": 30,
        ...                          "vacancy_rate_pct": 25, "avg_caseload": 19})
        >>> r.before.band, r.target_band, r.reachable
        ('high', 'moderate', True)
        >>> r.changes, r.after.band
        ({'vacancy_rate_pct': 19.9}, 'moderate')
        >>> r.steps[0].text
        'Social worker vacancies from 25% to under 20%'
    """
    checked = (
        profile
        if isinstance(profile, CouncilProfile)
        else CouncilProfile.model_validate(dict(profile))
    )
    base = profile_measures(checked)
    rules = evaluate_columns(base, ruleset).ruleset
    before = score(checked, rules)
    now = BAND_NAMES.index(before.band)
    if target_band is not None and target_band not in BAND_NAMES:
        raise EarlyWarningError(
            f"target band {target_band!r} is not one of {', '.join(BAND_NAMES)}"
        )
    target = BAND_NAMES.index(target_band) if target_band is not None else max(now - 1, 0)
    if now <= target:
        return _answer(before, target, f"already {before.band}: no change needed", None, [])
    given = {k: float(v[0]) for k, v in base.measures.items()}
    # one name given as text is that one name, not the set of its letters
    held = check_fixed(rules, (fixed,) if isinstance(fixed, str) else fixed)
    variables = allowed_variables(rules, given, controllable_only, held)
    moved = [moved_measures(v.name, v.follows) for v in variables]
    s = Search(rules, base, variables, target, bound_of(rules, before, moved, target))
    every = furthest(variables, range(len(variables)))
    if not variables or not s.hits([every]):
        best = _option(checked, rules, variables, every).after if variables else before
        return _answer(before, target, _unreachable(before, best, target, variables), None, [])
    options = [_option(checked, rules, variables, c) for c in search(s) or [every]]
    n, levels = len(options[0].steps), options[0].levels
    reason = f"{n} {'change' if n == 1 else 'changes'}, {levels} thresholds crossed in all"
    if not s.proven:
        reason = (
            f"the search stopped at its budget of {BUDGET:,} candidates before it could prove "
            f"the smallest change: the best it found has {reason}; a smaller one may exist"
        )
    return _answer(before, target, reason, options[0], options[1:], proven=s.proven)


def _answer(
    before: Assessment,
    target: int,
    reason: str,
    best: ChangeOption | None,
    alternatives: list[ChangeOption],
    *,
    proven: bool = True,
) -> SmallestChange:
    """The result: reachable when there is a best option or nothing needs to change; not
    proven when the search stopped at its budget before it proved its best the smallest."""
    reachable = best is not None or BAND_NAMES.index(before.band) <= target
    return SmallestChange(
        target_band=BAND_NAMES[target],
        reachable=reachable,
        proven=proven,
        reason=reason,
        before=before,
        changes=best.changes if best else {},
        steps=best.steps if best else [],
        after=best.after if best else before,
        alternatives=alternatives,
    )
