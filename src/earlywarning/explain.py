"""The result models of scoring and every word they are explained in.

:class:`Contribution` is what one rule did for one profile and :class:`Assessment` the whole
result. The engine computes numbers only; this module turns them into text: :func:`rule_texts`
writes each level's reason once per ruleset, :func:`assessment` builds the result of one profile
from the engine's numbers, and :meth:`Assessment.explain` turns the ranked reasons into a
paragraph a director can read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from earlywarning._display import Html, band_badge, card, cells, figures, note, signed
from earlywarning.profile import FLAG_MEASURES, RATINGS
from earlywarning.rules import BAND_NAMES, BandName, Indicator, Level, Ruleset, per_ruleset

__all__ = [
    "Assessment",
    "Contribution",
    "LevelText",
    "RuleTexts",
    "assessment",
    "assessment_html",
    "describe_level",
    "headline_figures",
    "range_sentence",
    "rule_texts",
]


def _num(x: float) -> str:
    return f"{x:g}" if abs(x) >= 1 or x == 0 else f"{x:.2g}"


def describe_level(ind: Indicator, level: Level, value: float) -> str:
    """The reason text for one indicator at one level: label, value, the band of values, points.

    Example:
        >>> import earlywarning as ew
        >>> ind = ew.load_ruleset().indicator("agency_rate")
        >>> lv = ind.levels[-1]
        >>> describe_level(ind, lv, 31.0)  # doctest: +ELLIPSIS
        'Agency social workers 31%...'
    """
    return LevelText.of(ind, level).text(value)


@dataclass(frozen=True)
class LevelText:
    """The reason of one indicator's level, written once: fixed text, or text around the value.

    Example:
        >>> import earlywarning as ew
        >>> ind = ew.load_ruleset().indicator("agency_rate")
        >>> LevelText.of(ind, ind.levels[-1]).text(31.0)  # doctest: +ELLIPSIS
        'Agency social workers 31%...'
    """

    head: str
    tail: str = ""
    unit: str = ""
    shows_value: bool = False
    when_no: str | None = None  # a yes/no measure: the text for no (``head`` is for yes)

    @classmethod
    def of(cls, ind: Indicator, level: Level) -> LevelText:
        """The text of ``level`` of ``ind``."""
        unit = ind.unit
        sign = "+" if level.points >= 0 else "−"
        points = f"{sign}{abs(level.points):g}"
        if level.label:
            # a labelled level (a judgement, a count in words) reads better than its code number
            return cls(f"{ind.label}: {level.label}, {points}")
        if ind.measure in FLAG_MEASURES:
            return cls(f"{ind.label}: yes, {points}", when_no=f"{ind.label}: no, {points}")
        if level.from_ is None and level.below is not None:
            where = f"below {_num(level.below)}{unit}"
        elif level.below is None and level.from_ is not None:
            where = f"{_num(level.from_)}{unit} or more"
        elif level.from_ is not None and level.below is not None:
            where = f"{_num(level.from_)}{unit} to under {_num(level.below)}{unit}"
        else:
            where = "any value"
        return cls(f"{ind.label} ", f" ({where}), {points}", unit, shows_value=True)

    def text(self, value: float) -> str:
        """The reason for ``value`` at this level."""
        if self.shows_value:
            shown = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{self.head}{shown}{self.unit}{self.tail}"
        if self.when_no is not None and not value:
            return self.when_no
        return self.head


class Contribution(BaseModel):
    """What one rule did for one profile: the value it saw, the level reached and the points.

    ``reason`` states the value, the band of values it fell in and the points. Combinations
    have no single value or level.

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "Derbyshire", "year": 2016, "budget_baseline_gbp_m": 131,
        ...               "budget_current_gbp_m": 90})
        >>> c = a.contributions[0]
        >>> c.indicator, round(c.value, 1), c.points
        ('budget_cut', 31.3, 10.0)
        >>> c.reason
        "Children's services budget cut 31.3% (25% to under 35%), +10"
    """

    # A derived measure can be infinite (a caseload against a target of almost zero); write it
    # as Infinity so that the JSON reads back to the same value rather than to null.
    model_config = ConfigDict(frozen=True, ser_json_inf_nan="constants")

    indicator: str
    value: float | None
    points: float
    reason: str
    measure: str | None = None
    kind: Literal["risk", "mitigation", "combination"] = "risk"
    level: int | None = None
    red_flag: BandName | None = None


class Assessment(BaseModel):
    """The result of scoring one profile.

    ``score_range`` and ``band_range`` are the lowest and highest score and band that any
    filling-in of the missing fields could give, and ``collect_first`` the indicators without
    data ranked by how far each alone could move the band (see :mod:`earlywarning.ranges`).

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "Example", "year": 2020, "agency_rate_pct": 28})
        >>> 0 <= a.score <= 100 and 0 < a.coverage < 1
        True
        >>> ew.Assessment.model_validate_json(a.model_dump_json()) == a
        True
    """

    model_config = ConfigDict(frozen=True)

    council: str
    year: int
    score: float
    band: BandName
    band_from_score: BandName
    coverage: float
    contributions: list[Contribution]
    reasons: list[str]
    missing: list[str]
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    labels: dict[str, str]
    # What the missing data could make of the score (earlywarning.ranges); None when not computed.
    score_range: tuple[float, float] | None = None
    band_range: tuple[BandName, BandName] | None = None
    collect_first: list[str] = []

    @property
    def red_flags(self) -> list[Contribution]:
        """The contributions that raised a red flag.

        Example:
            >>> import earlywarning as ew
            >>> a = ew.score({"council": "Example", "year": 2020, "dcs_changes": 3})
            >>> [(c.indicator, c.red_flag) for c in a.red_flags]
            [('dcs_turnover', 'high')]
            >>> a.band
            'high'
            >>> ew.score({"council": "Example", "year": 2020}).red_flags
            []
        """
        return [c for c in self.contributions if c.red_flag]

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # repr and str show who was scored and the headline figures; explain() and the notebook
        # display show the rest (the contributions alone run to dozens of lines)
        for name in ("council", "year", "score", "band", "coverage"):
            yield name, getattr(self, name)

    def _repr_html_(self) -> str:
        """The assessment as a notebook shows it (:func:`assessment_html`)."""
        return assessment_html(self)

    def explain(self) -> str:
        """A short paragraph: the score and band, the main drivers, mitigations and missing data.

        Example:
            >>> import earlywarning as ew
            >>> a = ew.score({"council": "Example", "year": 2020, "dcs_changes": 3})
            >>> print(a.explain().splitlines()[0])  # doctest: +ELLIPSIS
            Example (2020) scores ...
        """
        by_id = {c.indicator: c for c in self.contributions}
        lines = [
            f"{self.council} ({self.year}) scores {self.score:.0f} out of 100: {self.band} risk."
        ]
        drivers = [by_id[r] for r in self.reasons if by_id[r].points > 0]
        if drivers:
            top = drivers[:4]
            parts = [f"{c.reason}" for c in top]
            more = f" and {len(drivers) - 4} smaller signals" if len(drivers) > 4 else ""
            lines.append("The main drivers are: " + "; ".join(parts) + more + ".")
        else:
            lines.append("No risk indicator reached a scoring level.")
        mitigations = [by_id[r] for r in self.reasons if by_id[r].points < 0]
        if mitigations:
            lines.append("Offsetting this: " + "; ".join(c.reason for c in mitigations) + ".")
        if self.band != self.band_from_score:
            flags = [c for c in self.red_flags if c.red_flag == self.band]
            names = ", ".join(self.labels.get(c.indicator, c.indicator) for c in flags)
            lines.append(
                f"The points alone give {self.band_from_score}; a red flag on {names} lifts the "
                f"band to {self.band} on its own."
            )
        if self.missing:
            names = ", ".join(self.labels.get(m, m) for m in self.missing)
            lines.append(
                f"No data for: {names}. The score covers {self.coverage:.0%} of the ruleset's "
                "weight and counts only what is known."
            )
            if self.score_range is not None and self.band_range is not None:
                lines.append(self._range_sentence(self.score_range, self.band_range))
        else:
            lines.append("Every indicator had data (coverage 100%).")
        lines.append(f"Ruleset {self.ruleset_id} {self.ruleset_version} ({self.ruleset_hash}).")
        return "\n".join(lines)

    def _range_sentence(self, scores: tuple[float, float], bands: tuple[str, str]) -> str:
        """What the missing data could do to the score, and the item that matters most."""
        text = range_sentence(scores, bands)
        if self.collect_first:
            first = self.labels.get(self.collect_first[0], self.collect_first[0])
            text += f"; the item that matters most is {first[0].lower() + first[1:]}"
        return text + "."


def range_sentence(scores: tuple[float, float], bands: tuple[str, str]) -> str:
    """What a score's range is, in the one sentence every output says it in (no full stop).

    The range is what the score could be if the missing figures were known: its low end has
    every missing figure at its best (a mitigation's included, so it may be below the score),
    its high end every one at its worst.

    Example:
        >>> text = range_sentence((22, 100), ("moderate", "severe"))
        >>> print(text)  # doctest: +NORMALIZE_WHITESPACE
        If the missing figures were known, the score could be anywhere from 22, every one at its
        best, to 100, every one at its worst (moderate to severe)
    """
    low, high = bands
    where = f"{low}" if low == high else f"{low} to {high}"
    return (
        f"If the missing figures were known, the score could be anywhere from {scores[0]:.0f}, "
        f"every one at its best, to {scores[1]:.0f}, every one at its worst ({where})"
    )


@dataclass(frozen=True)
class RuleTexts:
    """Every text of a ruleset that does not depend on the profile, written once.

    Example:
        >>> import earlywarning as ew
        >>> texts = rule_texts(ew.load_ruleset())
        >>> texts.labels["agency_rate"]
        'Agency social workers'
    """

    ruleset: Ruleset
    levels: tuple[tuple[LevelText, ...], ...]  # per indicator, per level
    labels: dict[str, str]
    combinations: tuple[str, ...]  # the reason of each combination when it fires
    content_hash: str

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """The id of each indicator, in ruleset order."""
        return tuple(ind.id for ind in self.ruleset.indicators)

    @cached_property
    def parts(self) -> tuple[tuple[_Part, ...], ...]:
        """Per indicator, per level: what its contribution holds whatever the value."""
        parts = _parts(self.ruleset)
        self.__dict__["parts"] = parts  # so that _fill_ready's loop reads them
        _fill_ready(self)
        return parts

    @cached_property
    def assessment_fields(self) -> dict[str, Any]:
        """Every field of an Assessment in order, those of the ruleset filled in (no ranges)."""
        rules = self.ruleset
        return {
            "council": "",
            "year": 0,
            "score": 0.0,
            "band": BAND_NAMES[0],
            "band_from_score": BAND_NAMES[0],
            "coverage": 0.0,
            "contributions": [],
            "reasons": [],
            "missing": [],
            "ruleset_id": rules.id,
            "ruleset_version": rules.version,
            "ruleset_hash": self.content_hash,
            "labels": {},
            # filled in by score() (its range) or earlywarning.ranges.with_ranges
            "score_range": None,
            "band_range": None,
            "collect_first": [],
        }

    @cached_property
    def combination_fields(self) -> tuple[dict[str, Any], ...]:
        """The fields of each combination's contribution when it fires (points aside)."""
        return tuple(
            {
                "indicator": combo.id,
                "value": None,
                "points": 0.0,
                "reason": text,
                "measure": None,
                "kind": "combination",
                "level": None,
                "red_flag": combo.red_flag,
            }
            for combo, text in zip(self.ruleset.combinations, self.combinations, strict=True)
        )

    @cached_property
    def combination_contributions(self) -> tuple[Contribution, ...]:
        """Each combination's contribution when it fires: always its own points (a mitigation
        caps its own credit, never a combination's), so built once and shared, being frozen."""
        return tuple(
            _built(Contribution, dict(fields, points=float(combo.points)), _CONTRIBUTION_SET)
            for fields, combo in zip(
                self.combination_fields, self.ruleset.combinations, strict=True
            )
        )


@per_ruleset
def rule_texts(rules: Ruleset) -> RuleTexts:
    """The texts of ``rules``: each level's reason, every label, each combination's reason.

    Built once per ruleset: a score reads them for the reasons it explains.

    Example:
        >>> import earlywarning as ew
        >>> rules = ew.load_ruleset()
        >>> len(rule_texts(rules).levels) == len(rules.indicators)
        True
    """
    return RuleTexts(
        ruleset=rules,
        levels=tuple(tuple(LevelText.of(i, lv) for lv in i.levels) for i in rules.indicators),
        labels={i.id: i.label for i in rules.indicators}
        | {c.id: c.label for c in rules.combinations},
        combinations=tuple(f"{c.label}, +{c.points:g}" for c in rules.combinations),
        content_hash=rules.content_hash,
    )


_M = TypeVar("_M", bound=BaseModel)


def _setter(name: str) -> Any:
    """The setter of a model's ``__dict__`` or one of its slots, found as ``object.__setattr__``
    finds it (the first class along the MRO that defines it): called directly it does the
    same, without the attribute lookup that cost half of each setting (a third of building a
    contribution)."""
    for klass in BaseModel.__mro__:
        if name in vars(klass):
            return vars(klass)[name].__set__
    raise AttributeError(name)  # pragma: no cover - BaseModel defines all four


_SET_DICT = _setter("__dict__")
_SET_FIELDS_SET = _setter("__pydantic_fields_set__")
_SET_EXTRA = _setter("__pydantic_extra__")
_SET_PRIVATE = _setter("__pydantic_private__")


def _built(cls: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """A model from values the engine has already typed, without validating them again.

    What ``model_construct`` does, without its per-field default handling: every field is
    given, so ``fields_set`` is every field name. The tests check that the result equals, and
    serialises as, a validated model.
    """
    obj = cls.__new__(cls)
    _SET_DICT(obj, values)
    _SET_FIELDS_SET(obj, fields_set)
    _SET_EXTRA(obj, None)
    _SET_PRIVATE(obj, None)
    return obj


# Every field of a built model is set, so the models of one class share one set of every field
# name instead of building a set each (a set per contribution was a tenth of its cost). It must
# be a set, not a frozenset: pydantic adds to a copy's set and serialises only a set. pydantic
# never changes a frozen model's set in place: model_copy, copy, deepcopy and pickle give the
# copy a set of its own before adding to it, and assignment and deletion are refused before
# they would add (tests/test_explain.py checks each of these).
_CONTRIBUTION_SET = set(Contribution.model_fields)
_ASSESSMENT_SET = set(Assessment.model_fields)


# What a contribution at one level of one indicator holds whatever the value: every field of
# the Contribution in order (value, points and reason are placeholders), the level's text as
# (head, tail, shows the value?, text for 'no'), the level's points before any cap, the risks a
# mitigation offsets (for the text of a capped credit), and the whole contribution at those
# points for each value of a measure that has only a few (see _FEW_VALUES). A tuple: unpacked
# once a rule.
_Part = tuple[dict[str, Any], str, str, bool, str | None, float, str, dict[float, Contribution]]

# The values a flag or a previous rating can take, as the engine reads them. A contribution is
# frozen, so one at each of these values is built once per ruleset and shared.
_FEW_VALUES: dict[str, tuple[float, ...]] = {m: (0.0, 1.0) for m in FLAG_MEASURES} | {
    "previous_rating_grade": tuple(float(g) for g in range(1, len(RATINGS) + 1))
}


def _parts(rules: Ruleset) -> tuple[tuple[_Part, ...], ...]:
    out = []
    for ind in rules.indicators:
        row: list[_Part] = []
        for lv, level in enumerate(ind.levels):
            fields = {
                "indicator": ind.id,
                "value": None,
                "points": 0.0,
                "reason": "",
                "measure": ind.measure,
                "kind": ind.kind,
                "level": lv,
                "red_flag": level.red_flag,
            }
            t = LevelText.of(ind, level)
            offsets = ", ".join(ind.offsets)
            entry = (fields, t.head, t.unit + t.tail, t.shows_value, t.when_no, level.points)
            row.append((*entry, offsets, {}))
        out.append(tuple(row))
    return tuple(out)


def _fill_ready(texts: RuleTexts) -> None:
    """Build each contribution at full points for the few values of a flag or a rating, by the
    same loop as every other (the dicts are empty while it runs)."""
    rules = texts.ruleset
    k, j = len(rules.indicators), len(rules.combinations)
    for i, ind in enumerate(rules.indicators):
        for lv, part in enumerate(texts.parts[i]):
            for value in _FEW_VALUES.get(ind.measure, ()):
                levels, values, points = [-1] * k, [math.nan] * k, [0.0] * (k + j)
                levels[i], values[i], points[i] = lv, value, part[5]
                part[7][value] = _contributions(texts, levels, values, points)[0][0]


def _contributions(
    texts: RuleTexts, levels: Sequence[int], values: Sequence[float], points: Sequence[float]
) -> tuple[list[Contribution], list[str]]:
    """The contributions of one profile's rules, and the indicators it had no data for.

    The reason is :meth:`LevelText.text` and each contribution :func:`_built`, both written
    out, with every name bound to a local first: this loop runs for every rule of every profile
    scored one at a time, and the objects it builds are most of the cost of :func:`assessment`.
    """
    contributions: list[Contribution] = []
    missing: list[str] = []
    add, lack = contributions.append, missing.append
    cls, new, fields_set = Contribution, Contribution.__new__, _CONTRIBUTION_SET
    set_dict, set_fields, set_extra, set_private = (
        _SET_DICT,
        _SET_FIELDS_SET,
        _SET_EXTRA,
        _SET_PRIVATE,
    )
    # points has the combinations after the indicators: zip stops at the last indicator
    rules = zip(levels, values, points, texts.ids, texts.parts, strict=False)
    for lv, value, pts, ident, part in rules:
        if lv < 0:
            lack(ident)
            continue
        template, head, tail, shows_value, when_no, full, offsets, ready = part[lv]
        if ready and pts == full and value in ready:
            add(ready[value])  # a flag or a rating: built once (see _fill_ready)
            continue
        if shows_value:
            shown = f"{value:.1f}"
            # exactly one decimal, so dropping '.0' is LevelText's rstrip("0").rstrip("."), in
            # one call
            reason = f"{head}{shown.removesuffix('.0')}{tail}"
        elif when_no is not None and not value:
            reason = when_no
        else:
            reason = head
        if pts != full:
            reason += (
                f", limited to −{abs(pts):g} because the risks it offsets "
                f"({offsets}) scored {abs(pts):g}"
            )
        obj = new(cls)
        # the template with three values replaced, in its order (the fields'): one call, where a
        # copy and three stores were four steps
        set_dict(obj, dict(template, value=value, points=pts, reason=reason))
        set_fields(obj, fields_set)
        set_extra(obj, None)
        set_private(obj, None)
        add(obj)
    k = len(levels)
    for c, fired in enumerate(texts.combination_contributions):
        if points[k + c]:  # it fired, so it scored its own points (tests/test_reference.py)
            add(fired)
    return contributions, missing


def assessment(
    texts: RuleTexts,
    *,
    council: str,
    year: int,
    levels: Sequence[int],
    values: Sequence[float],
    points: Sequence[float],
    numbers: tuple[float, int, int, float],
    reasons: list[str],
    ranges: Mapping[str, Any] | None = None,
) -> Assessment:
    """The :class:`Assessment` of one profile from the engine's numbers for it.

    ``levels`` and ``values`` have one entry per indicator (level -1 where there was no data),
    ``points`` one per indicator then one per combination, and ``numbers`` is the score, the
    band index, the band index of the points alone and the coverage. ``ranges``, when given,
    holds ``score_range``, ``band_range`` and ``collect_first`` (:mod:`earlywarning.ranges`).

    Example:
        >>> import earlywarning as ew
        >>> rules = ew.load_ruleset()
        >>> k, j = len(rules.indicators), len(rules.combinations)
        >>> a = assessment(rule_texts(rules), council="A", year=2020, levels=[-1] * k,
        ...                values=[float("nan")] * k, points=[0.0] * (k + j),
        ...                numbers=(0.0, 0, 0, 0.0), reasons=[])
        >>> a.band, len(a.missing) == k
        ('low', True)
    """
    contributions, missing = _contributions(texts, levels, values, points)
    score, band, score_band, coverage = numbers
    # the fields that do not depend on the profile come from the template, in the fields' order;
    # the labels and the list to collect first are the assessment's own, as a validated one's
    fields = dict(
        texts.assessment_fields,
        council=council,
        year=year,
        score=score,
        band=BAND_NAMES[band],
        band_from_score=BAND_NAMES[score_band],
        coverage=coverage,
        contributions=contributions,
        reasons=reasons,
        missing=missing,
        labels=texts.labels.copy(),
        collect_first=[],
    )
    if ranges is not None:
        fields.update(ranges)
    return _built(Assessment, fields, _ASSESSMENT_SET)


def _range_text(a: Assessment) -> str | None:
    if a.score_range is None or a.band_range is None:
        return None
    low, high = a.band_range
    bands = low if low == high else f"{low} to {high}"
    return f"{a.score_range[0]:.0f} to {a.score_range[1]:.0f} ({bands})"


def headline_figures(a: Assessment) -> list[tuple[str, Any]]:
    """The headline figures of an assessment as label and value, for the notebook displays of
    it and of the results built on it (what if, the smallest change).

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "A", "year": 2020, "dcs_changes": 3})
        >>> [label for label, _ in headline_figures(a)]
        ['score', 'band', 'coverage', 'what the missing data allow']
    """
    band = band_badge(a.band)
    if a.band != a.band_from_score:
        band = Html(f"{band} (points alone: {band_badge(a.band_from_score)}; red flag)")
    out: list[tuple[str, Any]] = [
        ("score", f"{a.score:.0f} of 100"),
        ("band", band),
        ("coverage", f"{a.coverage:.0%}"),
    ]
    shown = _range_text(a)
    if shown is not None:
        out.append(("what the missing data allow", shown))
    return out


def assessment_html(a: Assessment) -> str:
    """An assessment as HTML for a notebook: the headline figures, every rule that gave points
    or raised a red flag (largest first, as :attr:`Assessment.reasons` ranks them), what had no
    data, and the ruleset. Every text is escaped.

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "Bath & <NE>", "year": 2020, "agency_rate_pct": 30})
        >>> html = assessment_html(a)
        >>> "Bath &amp; &lt;NE&gt; (2020)" in html, "Agency social workers 30%" in html
        (True, True)
    """
    by_id = {c.indicator: c for c in a.contributions}
    label = a.labels.get
    shown = [by_id[r] for r in a.reasons] + [
        c for c in a.contributions if c.red_flag and not c.points
    ]
    rows = [
        [label(c.indicator, c.indicator), c.reason, signed(c.points), c.red_flag or ""]
        for c in shown
    ]
    parts: list[Any] = [figures(headline_figures(a))]
    if rows:
        parts.append(cells(["rule", "reason", "points", "red flag"], rows))
    else:
        parts.append(note("No rule gave points."))
    quiet = len(a.contributions) - len(shown)
    if quiet:
        rules = "rule" if quiet == 1 else "rules"
        parts.append(note(f"{quiet} more {rules} had data and gave no points."))
    if a.missing:
        parts.append(note("No data for: " + ", ".join(label(m, m) for m in a.missing) + "."))
    if a.collect_first:
        parts.append(note(f"Collect first: {label(a.collect_first[0], a.collect_first[0])}."))
    parts.append(note(f"Ruleset {a.ruleset_id} {a.ruleset_version} ({a.ruleset_hash})."))
    return card(f"{a.council} ({a.year})", *parts, kind="assessment")
