"""What if: score a profile as it is and with some of its fields changed.

:func:`what_if` compares one change with the profile as it is, rule by rule; :func:`what_if_frame`
scores many alternative changes to one profile in one call to :func:`~earlywarning.score_frame`.
A change is a mapping of profile fields to new values, written as a profile would write them;
``None`` removes a field (what if this were not known?).

A derived measure follows its inputs (:mod:`earlywarning.profile.derived` says which and how), so
that the changed profile is one some council could give:

* A change to either budget re-derives the cut, and a new cut on a profile that gives both
  budgets is written as a new current budget.
* A new vacancy or agency rate moves the profile's gap to its statistical neighbours with the
  neighbours' median held fixed (a rate of 12 with a gap of 3 is a median of 9, so a rate of 14
  is a gap of 5), and moves its two-year change with the earlier rate held fixed; a new
  looked-after rate moves its two-year change likewise.
* A new gap (or change), where the profile gives the rate too, is written as a new rate at the
  same median, which moves the rate's other measures with it. A change that takes the rate or
  the gap out of its field's range (a rate below 0%, a gap beyond 100 points) is refused,
  naming the field it takes out.
* A measure given alone, without its rate, has no known median (or earlier rate) to hold: a new
  rate leaves it as given, which takes the median to be whatever the two imply. So adding a
  missing rate never takes a gap's points away, which the smallest change relies on.
* Removing the rate removes the measures derived from it, as removing a budget removes the cut.
* A change that sets both a measure and its inputs is taken as given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from earlywarning.engine import score, score_frame
from earlywarning.errors import ProfileError
from earlywarning.explain import Assessment, Contribution
from earlywarning.profile import (
    DERIVED,
    FIELD_NAMES,
    RANGE_RULES,
    CouncilProfile,
    DerivedMeasure,
    check_profile,
    check_value,
)
from earlywarning.rules import Ruleset

__all__ = ["Move", "WhatIf", "apply_changes", "what_if", "what_if_frame"]

# the derived measures a person may also give: the budget cut, from two fields; the peer and
# trend measures, each its lever less a reference that is no field
_FROM_TWO_FIELDS = tuple(d for d in DERIVED if d.given and d.held is not None)
_AGAINST_REFERENCE = tuple(d for d in DERIVED if d.held is None)


def apply_changes(
    profile: CouncilProfile | Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The profile's fields with ``changes`` applied, unchecked (scoring checks them).

    Derived measures follow their inputs (see the module): a new current budget re-derives the
    cut, and a new vacancy rate moves the gap to the neighbours, their median held fixed.

    Example:
        >>> p = {"council": "A", "year": 2016, "budget_baseline_gbp_m": 100,
        ...      "budget_current_gbp_m": 70}
        >>> apply_changes(p, {"budget_cut_pct": 10})["budget_current_gbp_m"]
        90.0
        >>> "restructure" in apply_changes({**p, "restructure": True}, {"restructure": None})
        False
        >>> q = {"council": "A", "year": 2020, "vacancy_rate_pct": 12,
        ...      "vacancy_rate_vs_neighbours_pp": 3}
        >>> apply_changes(q, {"vacancy_rate_pct": 14})["vacancy_rate_vs_neighbours_pp"]
        5.0
    """
    fields = _base_fields(profile)
    out = {**fields, **changes}
    for d in _FROM_TWO_FIELDS:
        _follow_fields(d, fields, changes, out)
    levers = _levers_moved(fields, changes, out)
    for d in _AGAINST_REFERENCE:
        _follow_lever(d, fields, changes, levers, out)
    return {k: v for k, v in out.items() if v is not None}


def _read(name: str, value: Any) -> tuple[bool, float]:
    """Whether the field accepts ``value``, and the value as a float (NaN when missing or
    refused): a refused value derives nothing and is left for scoring to refuse."""
    try:
        x = check_value(name, value)
    except ProfileError:
        return False, math.nan
    return True, math.nan if x is None else float(x)


def _base_fields(profile: CouncilProfile | Mapping[str, Any]) -> dict[str, Any]:
    """The profile's fields given (a cut the model derived from two budgets left out: it is
    derived again from the budgets as changed)."""
    if isinstance(profile, CouncilProfile):
        fields = profile.model_dump(exclude_none=True)
        for d in _FROM_TWO_FIELDS:
            if all(fields.get(n) is not None for n in d.inputs):
                fields.pop(d.name, None)
        return fields
    return {str(k): v for k, v in profile.items() if v is not None}


def _follow_fields(
    d: DerivedMeasure, fields: Mapping[str, Any], changes: Mapping[str, Any], out: dict[str, Any]
) -> None:
    """The budget cut where both budgets are known: derived again when either changes, and a
    new cut written as a new current budget, the baseline kept."""
    if not all(fields.get(n) is not None for n in d.inputs):
        return
    if any(n in changes for n in d.inputs):
        if d.name not in changes:
            out.pop(d.name, None)  # derived from the budgets that are changing
        return
    ok, new = _read(d.name, changes.get(d.name))
    held_ok, held = _read(d.inputs[1], fields[d.inputs[1]])
    if ok and held_ok and not math.isnan(new):
        out[d.lever] = d.inverse(new, held)


def _reference(d: DerivedMeasure, fields: Mapping[str, Any]) -> float:
    """The reference of a peer or trend measure (the neighbours' median, the rate two years
    earlier): NaN unless the profile gives both the measure and its lever."""
    _, lever = _read(d.lever, fields.get(d.lever))
    _, measure = _read(d.name, fields.get(d.name))
    return float(d.held_from(measure, lever))


def _levers_moved(
    fields: Mapping[str, Any], changes: Mapping[str, Any], out: dict[str, Any]
) -> dict[str, tuple[bool, float]]:
    """Each lever of a peer or trend measure that the changes move, as :func:`_read` reads its
    new value: set directly, or through a new value of a measure with a known reference (a gap
    of 0 to the neighbours is a rate at their median), which is then written as the lever."""
    levers = {
        d.lever: _read(d.lever, changes[d.lever]) for d in _AGAINST_REFERENCE if d.lever in changes
    }
    for d in _AGAINST_REFERENCE:
        if d.name not in changes or d.lever in levers:
            continue
        ok, new = _read(d.name, changes[d.name])
        lever = d.inverse(new, _reference(d, fields))
        if ok and not math.isnan(lever):
            out[d.lever] = lever
            levers[d.lever] = (True, lever)
    return levers


def _follow_lever(
    d: DerivedMeasure,
    fields: Mapping[str, Any],
    changes: Mapping[str, Any],
    levers: Mapping[str, tuple[bool, float]],
    out: dict[str, Any],
) -> None:
    """A peer or trend measure the profile gives, once its lever moves: moved with it, the
    reference fixed, or removed with it. Without the lever the reference is unknown, so there is
    nothing to hold: the measure stays as given."""
    if d.name in changes or d.name not in fields or d.lever not in levers:
        return
    ok, new = levers[d.lever]
    reference = _reference(d, fields)
    if ok and not math.isnan(reference):  # a refused lever is left for scoring to refuse
        out[d.name] = None if math.isnan(new) else d.forward(new, reference)


def _apply_frame(
    profile: CouncilProfile | Mapping[str, Any], changes: pd.DataFrame
) -> pd.DataFrame:
    """:func:`apply_changes` for every row of a frame of changes at once (NaN: unchanged)."""
    fields = _base_fields(profile)
    out = changes.rename(columns=str).copy()
    for d in _FROM_TWO_FIELDS:
        given = all(fields.get(n) is not None for n in d.inputs)
        if given and any(n in out.columns for n in d.inputs):
            fields.pop(d.name, None)  # rows that move a budget derive the cut again
    for name, value in fields.items():
        if name not in out.columns:
            out[name] = value
        else:
            out[name] = out[name].astype(object).where(out[name].notna(), value)
    for d in _FROM_TWO_FIELDS:
        _frame_fields(d, fields, changes, out)
    levers = _frame_levers(fields, changes, out)
    for d in _AGAINST_REFERENCE:
        moved = levers.get(d.lever)
        if moved is None or d.name not in fields or math.isnan(_reference(d, fields)):
            continue
        rows, new = moved
        if d.name in changes.columns:
            rows = rows & changes[d.name].isna().to_numpy()
        shifted = d.forward(new, _reference(d, fields))
        out[d.name] = out[d.name].astype(object).where(~rows, shifted)
    return out


def _column(changes: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The rows of a column of changes that give an accepted number, and the numbers."""
    x = pd.to_numeric(changes[name], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(x)
    for _, refused in RANGE_RULES[name]:
        with np.errstate(invalid="ignore"):
            ok &= ~refused(x)
    return ok, x


def _frame_fields(
    d: DerivedMeasure, fields: Mapping[str, Any], changes: pd.DataFrame, out: pd.DataFrame
) -> None:
    """A new cut on known budgets moves the current budget, where the row gives no budget."""
    if d.name not in changes.columns or not all(fields.get(n) is not None for n in d.inputs):
        return
    moves, cut = _column(changes, d.name)
    for n in d.inputs:
        if n in changes.columns:
            moves &= changes[n].isna().to_numpy()
    held_ok, held = _read(d.inputs[1], fields[d.inputs[1]])
    if held_ok:
        with np.errstate(over="ignore", invalid="ignore"):  # refused rows: never taken
            current = d.inverse(cut, held)
        out[d.lever] = out[d.lever].astype(object).where(~moves, current)


def _frame_levers(
    fields: Mapping[str, Any], changes: pd.DataFrame, out: pd.DataFrame
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`_levers_moved` for a frame: each lever moved, as the rows it moves in and its
    new value in each."""
    levers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for d in _AGAINST_REFERENCE:
        if d.lever in changes.columns and d.lever not in levers:
            levers[d.lever] = _column(changes, d.lever)
    for d in _AGAINST_REFERENCE:
        reference = _reference(d, fields)
        if d.name not in changes.columns or math.isnan(reference):
            continue
        rows, new = _column(changes, d.name)
        lever = d.inverse(new, reference)
        moved, before = levers.get(d.lever, (np.zeros(len(out), dtype=bool), lever))
        rows &= ~moved
        if d.lever in changes.columns:
            rows &= changes[d.lever].isna().to_numpy()
        out[d.lever] = out[d.lever].astype(object).where(~rows, lever)
        levers[d.lever] = (moved | rows, np.where(rows, lever, before))
    return levers


class Move(BaseModel):
    """One rule whose points or level a change moved.

    ``before`` and ``after`` are the rule's contributions (None where it had no data or, for a
    combination, did not fire).

    Example:
        >>> import earlywarning as ew
        >>> r = ew.what_if({"council": "A", "year": 2020, "dcs_changes": 2}, {"dcs_changes": 0})
        >>> m = r.moved[0]
        >>> m.indicator, m.points_before, m.points_after
        ('dcs_turnover', 8.0, 0.0)
    """

    model_config = ConfigDict(frozen=True)

    indicator: str
    label: str
    points_before: float
    points_after: float
    before: Contribution | None
    after: Contribution | None

    @property
    def text(self) -> str:
        """The move in words.

        Example:
            >>> import earlywarning as ew
            >>> p = {"council": "A", "year": 2020, "agency_rate_pct": 18}
            >>> r = ew.what_if(p, {"agency_rate_pct": 9})
            >>> print(r.moved[0].text)  # doctest: +ELLIPSIS
            Agency social workers 18% (15% to under 25%), +5 -> Agency social workers 9% ..., +0
        """
        old = self.before.reason if self.before else f"{self.label}: no points"
        new = self.after.reason if self.after else f"{self.label}: no points"
        return f"{old} -> {new}"


class WhatIf(BaseModel):
    """A profile scored as it is (``before``) and changed (``after``), and the rules that moved.

    Example:
        >>> import earlywarning as ew
        >>> p = {"council": "A", "year": 2020, "agency_rate_pct": 18}
        >>> r = ew.what_if(p, {"agency_rate_pct": 9})
        >>> r.before.score, r.after.score, [m.indicator for m in r.moved]
        (5.0, 0.0, ['agency_rate'])
    """

    model_config = ConfigDict(frozen=True)

    changes: dict[str, Any]
    before: Assessment
    after: Assessment
    moved: list[Move]

    @property
    def score_change(self) -> float:
        """``after.score - before.score``."""
        return self.after.score - self.before.score

    def text(self) -> str:
        """A few lines: the change, the score and band before and after, and each rule moved.

        Example:
            >>> import earlywarning as ew
            >>> p = {"council": "A", "year": 2020, "agency_rate_pct": 18}
            >>> print(ew.what_if(p, {"agency_rate_pct": 9}).text().splitlines()[1])
            Before: 5, low. After: 0, low (-5 points).
        """
        shown = ", ".join(f"{k}={v}" for k, v in self.changes.items()) or "nothing"
        b, a = self.before, self.after
        lines = [
            f"{b.council} ({b.year}) with {shown}",
            f"Before: {b.score:.0f}, {b.band}. After: {a.score:.0f}, {a.band} "
            f"({self.score_change:+.0f} points).",
        ]
        lines += [f"  {m.text}" for m in self.moved] or ["  No rule moved."]
        return "\n".join(lines)


def _moves(before: Assessment, after: Assessment) -> list[Move]:
    """The rules whose points or level differ, in the order the ruleset lists them."""
    old = {c.indicator: c for c in before.contributions}
    new = {c.indicator: c for c in after.contributions}
    out = []
    for rid, label in before.labels.items():
        b, a = old.get(rid), new.get(rid)
        pb = b.points if b else 0.0
        pa = a.points if a else 0.0
        same_level = (b.level if b else None) == (a.level if a else None)
        if pb == pa and same_level and (b is None) == (a is None):
            continue
        out.append(
            Move(indicator=rid, label=label, points_before=pb, points_after=pa, before=b, after=a)
        )
    return out


def what_if(
    profile: CouncilProfile | Mapping[str, Any],
    changes: Mapping[str, Any],
    ruleset: Ruleset | None = None,
) -> WhatIf:
    """Score ``profile`` as it is and with ``changes`` applied.

    Args:
        profile: a :class:`CouncilProfile` or a mapping of its fields.
        changes: profile fields and their new values; ``None`` removes a field.
        ruleset: the rules to score with (the bundled default if None).

    Raises:
        ProfileError: when the profile, or the profile as changed, has a refused value.

    Example:
        >>> import earlywarning as ew
        >>> p = ew.CouncilProfile(council="Derbyshire", year=2016, budget_baseline_gbp_m=131,
        ...                       budget_current_gbp_m=90, dcs_changes=2)
        >>> r = ew.what_if(p, {"budget_current_gbp_m": 120})
        >>> r.before.band, r.after.band
        ('moderate', 'low')
    """
    before = score(profile, ruleset)
    after = score(apply_changes(profile, changes), ruleset)
    return WhatIf(changes=dict(changes), before=before, after=after, moved=_moves(before, after))


def _check_names(alternatives: Sequence[Mapping[str, Any]] | pd.DataFrame) -> None:
    """Refuse the first change to a name that is not a profile field, with its value."""
    if isinstance(alternatives, pd.DataFrame):
        named = [(c, alternatives[c].iloc[0] if len(alternatives) else None) for c in alternatives]
    else:
        named = [(k, v) for alternative in alternatives for k, v in alternative.items()]
    for name, value in named:
        if name not in FIELD_NAMES:
            # the profile's own check refuses it, in the words score() and what_if() use
            check_profile({name: value.item() if isinstance(value, np.generic) else value})


def what_if_frame(
    profile: CouncilProfile | Mapping[str, Any],
    alternatives: Sequence[Mapping[str, Any]] | pd.DataFrame,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
) -> pd.DataFrame:
    """Score many alternative changes to one profile, in one call to ``score_frame``.

    Args:
        profile: the profile as it is.
        alternatives: one change per row: a list of mappings, or a DataFrame whose columns are
            profile fields (NaN leaves the field as it is; use a list of mappings with ``None``
            to remove a field).
        ruleset: the rules to score with (the bundled default if None).
        reasons: passed to ``score_frame``.

    Returns:
        The ``score_frame`` table of the changed profiles (index of ``alternatives`` kept, a row
        whose change is refused kept with its ``error``), with ``score_change`` (against the
        profile as it is) and ``band_before``.

    Example:
        >>> import earlywarning as ew
        >>> p = {"council": "A", "year": 2020, "agency_rate_pct": 18, "vacancy_rate_pct": 22}
        >>> out = ew.what_if_frame(p, [{"agency_rate_pct": 9}, {"vacancy_rate_pct": 120}])
        >>> row = out.iloc[0]
        >>> float(row["score"]), float(row["score_change"]), row["band"]
        (6.0, -5.0, 'low')
        >>> out.loc[1, "error"]
        'vacancy_rate_pct: 120 is above the maximum of 100'

    Raises:
        ProfileError: for a change to a name that is not a profile field, as :func:`what_if`
            refuses it (a frame would otherwise carry the column unread, and every row would
            score as if the change had not been asked for).
    """
    _check_names(alternatives)
    before = score(profile, ruleset)
    if isinstance(alternatives, pd.DataFrame):
        frame = _apply_frame(profile, alternatives)
    else:
        frame = pd.DataFrame([apply_changes(profile, alt) for alt in alternatives])
    out = score_frame(frame, ruleset, reasons=reasons)
    out["score_change"] = out["score"] - before.score
    out["band_before"] = before.band
    return out
