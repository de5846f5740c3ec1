"""What if: score a profile as it is and with some of its fields changed.

:func:`what_if` compares one change with the profile as it is, rule by rule; :func:`what_if_frame`
scores many alternative changes to one profile in one call to :func:`~earlywarning.score_frame`.
A change is a mapping of profile fields to new values, written as a profile would write them;
``None`` removes a field (what if this were not known?). A change to either budget re-derives the
cut, and a new cut on a profile that gives both budgets is written as a new current budget.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from earlywarning._display import band_badge, card, cells, figures, join, note, signed
from earlywarning._frames import frame_kind, from_pandas, to_pandas
from earlywarning.engine import score, score_frame
from earlywarning.explain import Assessment, Contribution
from earlywarning.profile import CouncilProfile, check_value
from earlywarning.rules import Ruleset

__all__ = ["Move", "WhatIf", "apply_changes", "what_if", "what_if_frame", "what_if_html"]

_BUDGETS = ("budget_baseline_gbp_m", "budget_current_gbp_m")


def apply_changes(
    profile: CouncilProfile | Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The profile's fields with ``changes`` applied, unchecked (scoring checks them).

    Example:
        >>> p = {"council": "A", "year": 2016, "budget_baseline_gbp_m": 100,
        ...      "budget_current_gbp_m": 70}
        >>> apply_changes(p, {"budget_cut_pct": 10})["budget_current_gbp_m"]
        90.0
        >>> "restructure" in apply_changes({**p, "restructure": True}, {"restructure": None})
        False
    """
    fields, both = _base_fields(profile)
    if both and any(b in changes for b in _BUDGETS):
        fields.pop("budget_cut_pct", None)  # derived from the budgets that are changing
    out = {**fields, **changes}
    cut = changes.get("budget_cut_pct")
    budgets_kept = not any(b in changes for b in _BUDGETS)
    if cut is not None and both and budgets_kept:
        # a new cut on known budgets: keep the baseline and move the current budget
        baseline = float(fields["budget_baseline_gbp_m"])
        out["budget_current_gbp_m"] = baseline * (1 - check_value("budget_cut_pct", cut) / 100)
    return {k: v for k, v in out.items() if v is not None}


def _base_fields(profile: CouncilProfile | Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The profile's fields given, and whether both budgets are (then the cut is derived)."""
    if isinstance(profile, CouncilProfile):
        fields = profile.model_dump(exclude_none=True)
    else:
        fields = {str(k): v for k, v in profile.items() if v is not None}
    both = all(fields.get(b) is not None for b in _BUDGETS)
    if both and isinstance(profile, CouncilProfile):
        fields.pop("budget_cut_pct", None)  # the model stores the cut it derived
    return fields, both


def _apply_frame(
    profile: CouncilProfile | Mapping[str, Any], changes: pd.DataFrame
) -> pd.DataFrame:
    """:func:`apply_changes` for every row of a frame of changes at once (NaN: unchanged)."""
    fields, both = _base_fields(profile)
    out = changes.rename(columns=str).copy()
    given = [b for b in _BUDGETS if b in out.columns]
    if both and given:
        fields.pop("budget_cut_pct", None)  # rows that move a budget derive the cut again
    for name, value in fields.items():
        if name not in out.columns:
            out[name] = value
        else:
            out[name] = out[name].astype(object).where(out[name].notna(), value)
    if both and "budget_cut_pct" in changes.columns:
        # a new cut on known budgets moves the current budget, where the row gives no budget
        moves = changes["budget_cut_pct"].notna().to_numpy().copy()
        for b in given:
            moves &= changes[b].isna().to_numpy()
        cut = pd.to_numeric(changes["budget_cut_pct"], errors="coerce").to_numpy(dtype=float)
        current = float(fields["budget_baseline_gbp_m"]) * (1 - cut / 100)
        out["budget_current_gbp_m"] = (
            out["budget_current_gbp_m"].astype(object).where(~(moves & ~np.isnan(cut)), current)
        )
    return out


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

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # the two assessments in full would run to pages: who, the change and the two scores
        b, a = self.before, self.after
        yield "council", b.council
        yield "year", b.year
        yield "changes", self.changes
        yield "before", f"{b.score:g} {b.band}"
        yield "after", f"{a.score:g} {a.band}"
        yield "moved", [m.indicator for m in self.moved]

    def _repr_html_(self) -> str:
        """The comparison as a notebook shows it (:func:`what_if_html`)."""
        return what_if_html(self)

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


@overload
def what_if_frame(
    profile: CouncilProfile | Mapping[str, Any],
    alternatives: Sequence[Mapping[str, Any]] | pd.DataFrame,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
) -> pd.DataFrame: ...
@overload
def what_if_frame(
    profile: CouncilProfile | Mapping[str, Any],
    alternatives: Any,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
) -> Any: ...
def what_if_frame(
    profile: CouncilProfile | Mapping[str, Any],
    alternatives: Any,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
) -> Any:
    """Score many alternative changes to one profile, in one call to ``score_frame``.

    Args:
        profile: the profile as it is.
        alternatives: one change per row: a list of mappings, or a table (pandas, polars or
            Arrow) whose columns are profile fields (a missing value leaves the field as it is;
            use a list of mappings with ``None`` to remove a field). A polars or Arrow table
            gives the same kind back.
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
    """
    before = score(profile, ruleset)
    kind = frame_kind(alternatives)
    if kind is not None:
        table, kind = to_pandas(alternatives, "what_if_frame")
        frame = _apply_frame(profile, table)
    else:
        frame = pd.DataFrame([apply_changes(profile, alt) for alt in alternatives])
    out = score_frame(frame, ruleset, reasons=reasons)
    out["score_change"] = out["score"] - before.score
    out["band_before"] = before.band
    return from_pandas(out, kind or "pandas")


def _changes_text(changes: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {'removed' if v is None else v}" for k, v in changes.items())


def what_if_html(result: WhatIf) -> str:
    """A what-if comparison as HTML for a notebook: the change, the score and band before and
    after, and each rule that moved. Every text is escaped.

    Example:
        >>> import earlywarning as ew
        >>> r = ew.what_if({"council": "A & B", "year": 2020, "agency_rate_pct": 18},
        ...                {"agency_rate_pct": 9})
        >>> html = what_if_html(r)
        >>> "A &amp; B (2020)" in html, "agency_rate_pct = 9" in html, "−5" in html
        (True, True, True)
    """
    b, a = result.before, result.after
    head = figures(
        [
            ("before", join([f"{b.score:.0f} ", band_badge(b.band)])),
            ("after", join([f"{a.score:.0f} ", band_badge(a.band)])),
            ("change", f"{signed(round(result.score_change))} points"),
            ("coverage after", f"{a.coverage:.0%}"),
        ]
    )
    rows = [
        [
            m.label,
            m.before.reason if m.before else "no points",
            m.after.reason if m.after else "no points",
            signed(m.points_after - m.points_before),
        ]
        for m in result.moved
    ]
    table = cells(["rule", "before", "after", "points"], rows) if rows else note("No rule moved.")
    return card(
        f"{b.council} ({b.year}) with {_changes_text(result.changes) or 'no change'}",
        head,
        table,
        note(f"Ruleset {a.ruleset_id} {a.ruleset_version} ({a.ruleset_hash})."),
        kind="what-if",
    )
