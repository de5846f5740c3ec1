"""What a valid ruleset is: the models, the checks field types cannot express, data made into one.

The models are frozen pydantic models: what a rule file may say, field by field. The checks are
small functions of one part of a ruleset that return ``(location, message)`` pairs, the location
a YAML path in the merged ruleset; :func:`check_ruleset` runs them all. :func:`ruleset_from_data`
makes plain data into a checked ruleset, every problem at once with its location. They live
together because each needs the others: :meth:`Ruleset.replace` is data made into a ruleset.
Reading rule files is the loader's (``_loader``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool, ValidationError

from earlywarning._names import did_you_mean, excerpt, model_keys, unknown_key
from earlywarning._yaml import dump
from earlywarning.errors import RuleFileError, RuleProblem
from earlywarning.profile import MEASURES
from earlywarning.profile.derived import linked_direction
from earlywarning.rules._sources import SECTIONS, Locator
from earlywarning.vocabulary import BAND_NAMES, BandName, Direction, Location

__all__ = [
    "KNOCK_ON",
    "NOT_A_RISK",
    "NO_DIRECTION",
    "NO_RISKS",
    "POINTS_LIMIT",
    "Band",
    "Combination",
    "Condition",
    "Found",
    "Indicator",
    "Level",
    "Ruleset",
    "check_bands",
    "check_combination",
    "check_conditions",
    "check_direction",
    "check_has_risks",
    "check_ids",
    "check_kind_signs",
    "check_level_ranges",
    "check_levels_tile",
    "check_measure",
    "check_offsets",
    "check_one_direction",
    "check_range",
    "check_red_flags",
    "check_ruleset",
    "check_text",
    "check_weight",
    "is_knock_on",
    "ruleset_from_data",
]

POINTS_LIMIT = 100.0
"""The most points one level or combination may give or take away: a sane bound for one rule
in a 0..100 score (and far inside what the engine's reason ranking can hold)."""


class _Model(BaseModel):
    # no NaN or infinity anywhere: a NaN edge would silently put values in the wrong level
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False
    )


# Strict: a number, never yes/no (which YAML reads as a boolean) nor text that looks like one.
_Number = Annotated[float, Strict()]
_Points = Annotated[float, Strict(), Field(ge=-POINTS_LIMIT, le=POINTS_LIMIT)]


class Level(_Model):
    """One level of an indicator: a half-open interval ``from <= value < below`` and its points.

    The first level has no ``from`` and the last no ``below``, so every value falls in exactly
    one level. ``red_flag`` names the band a profile is lifted to (at least) when it reaches this
    level, whatever its total. ``from_range`` and ``points_range`` bound what fitting may change.

    Example:
        >>> level = Level.model_validate({"from": 20, "below": 30, "points": 4})
        >>> level.from_, level.below, level.points, level.red_flag
        (20.0, 30.0, 4.0, None)
    """

    from_: _Number | None = Field(default=None, alias="from")
    below: _Number | None = None
    points: _Points
    label: str | None = None
    red_flag: BandName | None = None
    from_range: tuple[_Number, _Number] | None = None
    points_range: tuple[_Points, _Points] | None = None


class Indicator(_Model):
    """One measure scored by levels, with the reasons and evidence for its thresholds.

    ``kind: risk`` indicators add points (never negative); ``kind: mitigation`` indicators take
    points away (never positive). ``direction`` says which way the measure gets worse, and the
    loader proves the points move that way.

    A mitigation names the risks it ``offsets`` (indicator or combination ids): it can take away
    at most the points those risks scored for the same profile, because new money cancels the
    cuts it reverses, not a vacancy rate it has not yet filled.

    Example:
        >>> ind = Indicator(id="agency", measure="agency_rate_pct", label="Agency staff",
        ...                 direction="higher_is_worse",
        ...                 levels=(Level(below=15, points=0), Level(from_=15, points=5)),
        ...                 rationale="Agency staff come and go.", evidence=("DfE census",))
        >>> ind.kind, [lv.points for lv in ind.levels], ind.weight
        ('risk', [0.0, 5.0], 5.0)
    """

    id: str
    measure: str
    label: str
    unit: str = ""
    kind: Literal["risk", "mitigation"] = "risk"
    direction: Direction
    levels: tuple[Level, ...]
    rationale: str
    evidence: tuple[str, ...]
    offsets: tuple[str, ...] = ()
    controllable: StrictBool = False  # the council can act on it (what smallest_change moves)

    @property
    def weight(self) -> float:
        """The most points this indicator can move a score, used to weigh coverage."""
        return max(abs(level.points) for level in self.levels)


class Condition(_Model):
    """A test on one measure: ``from`` (value at least) or ``below`` (value under), not both.

    Example:
        >>> cond = Condition.model_validate({"measure": "avg_caseload", "from": 18})
        >>> cond.measure, cond.from_, cond.below
        ('avg_caseload', 18.0, None)
    """

    measure: str
    from_: _Number | None = Field(default=None, alias="from")
    below: _Number | None = None


class Combination(_Model):
    """Extra points when signals occur together.

    The combination fires when every condition in ``all`` holds and, if ``any`` is given, at
    least one condition in ``any`` holds. A condition on a missing measure does not hold.

    Example:
        >>> combo = Combination.model_validate({
        ...     "id": "strain", "label": "Vacancies with heavy caseloads", "points": 8,
        ...     "all": [{"measure": "vacancy_rate_pct", "from": 20}],
        ...     "any": [{"measure": "avg_caseload", "from": 17}],
        ...     "rationale": "Vacancies load the staff who stay.", "evidence": ["a case"]})
        >>> [cond.measure for cond in combo.conditions]
        ['vacancy_rate_pct', 'avg_caseload']
    """

    id: str
    label: str
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    points: _Points
    red_flag: BandName | None = None
    rationale: str
    evidence: tuple[str, ...]
    points_range: tuple[_Points, _Points] | None = None

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition, those of ``all`` then those of ``any``."""
        return (self.all or ()) + (self.any or ())


class Band(_Model):
    """A band of the 0..100 score: ``from <= score < below`` (the last band includes 100).

    Example:
        >>> band = Band.model_validate({"name": "high", "from": 27, "below": 50})
        >>> band.name, band.from_, band.below
        ('high', 27.0, 50.0)
    """

    name: BandName
    from_: _Number = Field(alias="from")
    below: _Number | None = None
    meaning: str = ""


class Ruleset(_Model):
    """A complete, checked ruleset. Load one with :func:`load_ruleset`.

    Example:
        >>> import earlywarning as ew
        >>> rules = ew.load_ruleset()
        >>> [b.name for b in rules.bands]
        ['low', 'moderate', 'high', 'severe']
    """

    id: str
    version: str
    title: str = ""
    description: str = ""
    bands: tuple[Band, ...]
    indicators: tuple[Indicator, ...] = ()
    combinations: tuple[Combination, ...] = ()

    @property
    def content_hash(self) -> str:
        """A short SHA-256 of the ruleset's content: two rulesets with the same hash score alike.

        Example:
            >>> from earlywarning.rules import load_ruleset
            >>> rules = load_ruleset()
            >>> len(rules.content_hash), rules.content_hash == load_ruleset().content_hash
            (12, True)
            >>> rules.replace(version="2.0.0").content_hash == rules.content_hash
            False
        """
        text = json.dumps(self.to_data(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id.

        Raises:
            KeyError: if there is none.

        Example:
            >>> from earlywarning.rules import load_ruleset
            >>> rules = load_ruleset()
            >>> rules.indicator("agency_rate").measure
            'agency_rate_pct'
            >>> rules.indicator("no_such_rule")
            Traceback (most recent call last):
            ...
            KeyError: 'no_such_rule'
        """
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def to_data(self) -> dict[str, Any]:
        """The ruleset as plain data, in rule-file spelling (``from``, not ``from_``).

        Example:
            >>> from earlywarning.rules import load_ruleset
            >>> data = load_ruleset().to_data()
            >>> data["id"], sorted(data["bands"][0])
            ('earlywarning-default', ['below', 'from', 'meaning', 'name'])
        """
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_yaml(self) -> str:
        """The whole ruleset as one YAML document that :func:`load_ruleset` reads back.

        Example:
            >>> from pathlib import Path
            >>> from earlywarning.rules import load_ruleset
            >>> import tempfile
            >>> from earlywarning.rules import load_ruleset
            >>> rules = load_ruleset()
            >>> rules.to_yaml().splitlines()[0]
            'id: earlywarning-default'
            >>> with tempfile.TemporaryDirectory() as folder:
            ...     path = Path(folder) / "rules.yaml"
            ...     _ = path.write_text(rules.to_yaml(), encoding="utf-8")
            ...     load_ruleset(path) == rules
            True
        """
        return dump(self.to_data())

    def replace(self, **changes: Any) -> Ruleset:
        """A copy with some top-level fields changed, checked like a loaded ruleset.

        Example:
            >>> from earlywarning.rules import load_ruleset
            >>> rules = load_ruleset()
            >>> rules.replace(version="2.0.0").version
            '2.0.0'
            >>> try:
            ...     rules.replace(bands=rules.bands[:3])
            ... except RuleFileError as exc:
            ...     print(exc.problems[0].location)
            bands
        """
        plain = {k: _plain(v) for k, v in changes.items()}
        return ruleset_from_data({**self.to_data(), **plain}, "<replace>")


def _plain(value: Any) -> Any:
    # models given to replace() are checked again as the data they stand for, like a file
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return [_plain(v) for v in value] if isinstance(value, tuple | list) else value


# ----------------------------------------------------------------------------------------------
# Loading


# ----------------------------------------------------------------------------------------------
# The checks

Found = list[tuple[Location, str]]
"""What a check returns: (location, message) pairs, empty when all is well."""

# Problems that follow from another rule being absent: the loader leaves them out when that
# rule could not be read, since the real problem is reported instead.
NO_DIRECTION = "no risk indicator declares a direction"
NOT_A_RISK = "is not a risk indicator or combination id"
NO_RISKS = "a ruleset needs at least one risk indicator"
KNOCK_ON = (NO_DIRECTION, NOT_A_RISK, NO_RISKS)


def check_ruleset(rules: Ruleset) -> Found:
    """Every problem in a ruleset that its field types cannot express, as (location, message).

    Bands must run low to severe and tile 0..100; each indicator's levels must tile the number
    line with no gap or overlap, and their points must move in the declared direction; measures
    must exist; ids must be unique; every rule needs a rationale and evidence; the rules on one
    measure agree on its direction.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> from earlywarning.rules import load_ruleset
        >>> rules = load_ruleset()
        >>> check_ruleset(rules)
        []
        >>> unchecked = rules.model_copy(update={"bands": rules.bands[::-1]})
        >>> [(loc, message.split(" (got")[0]) for loc, message in check_ruleset(unchecked)]
        [(('bands',), "bands must be ['low', 'moderate', 'high', 'severe'] in that order")]
    """
    out = check_bands(rules.bands) + check_has_risks(rules)
    duplicates = check_ids(rules)
    for i, ind in enumerate(rules.indicators):
        at: Location = ("indicators", i)
        out += duplicates.get(at, [])
        for check in _INDICATOR_CHECKS:
            out += check(ind, at)
    out += check_offsets(rules)
    out += check_one_direction(rules)
    # reversed, so that the first risk indicator on a measure sets its direction
    directions = {i.measure: i.direction for i in reversed(rules.indicators) if i.kind == "risk"}
    for i, combo in enumerate(rules.combinations):
        at = ("combinations", i)
        out += duplicates.get(at, [])
        out += check_combination(combo, at)
        out += check_conditions(combo, at, directions)
    return out


def check_bands(bands: Sequence[Band]) -> Found:
    """The bands are the four names in order, start from 0 and tile 0..100.

    Example:
        >>> from earlywarning.rules import Band
        >>> [(loc, m) for loc, m in check_bands([Band.model_validate({"name": "low", "from": 0})])]
        ... # doctest: +ELLIPSIS
        [(('bands',), "bands must be ['low', 'moderate', 'high', 'severe'] in that order ...")]
    """
    names = tuple(b.name for b in bands)
    if names != BAND_NAMES:
        return [(("bands",), f"bands must be {list(BAND_NAMES)} in that order (got {list(names)})")]
    out: Found = []
    if bands[0].from_ != 0:
        message = f"the first band must start from 0 (got {bands[0].from_:g})"
        out.append((("bands", 0, "from"), message))
    if bands[-1].below is not None:
        out.append((("bands", len(bands) - 1, "below"), "the last band must have no 'below'"))
    for j, (lo, hi) in enumerate(itertools.pairwise(bands)):
        if lo.below is None or lo.below != hi.from_:
            message = f"band {hi.name!r} must start where {lo.name!r} ends (below {lo.below})"
            out.append((("bands", j + 1, "from"), message + ", with no gap or overlap"))
        elif not lo.from_ < lo.below <= 100:
            message = f"band {lo.name!r} must be non-empty and within 0..100"
            out.append((("bands", j, "below"), message))
    return out


def check_has_risks(rules: Ruleset) -> Found:
    """A ruleset has a risk indicator: with none, every council would score 0 at full coverage.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> check_has_risks(load_ruleset().model_copy(update={"indicators": ()}))[0][0]
        ('indicators',)
    """
    if any(ind.kind == "risk" for ind in rules.indicators):
        return []
    return [(("indicators",), f"{NO_RISKS}; with none, every council would score 0")]


def check_ids(rules: Ruleset) -> dict[Location, Found]:
    """Ids are unique across indicators and combinations: each repeat, by the rule that repeats.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> from earlywarning.rules import load_ruleset
        >>> rules = load_ruleset()
        >>> twice = rules.model_copy(update={"indicators": rules.indicators[:1] * 2})
        >>> check_ids(twice)
        {('indicators', 1): [(('indicators', 1, 'id'), "duplicate id 'budget_cut'")]}
    """
    seen: set[str] = set()
    out: dict[Location, Found] = {}
    rules_in_order = [("indicators", i, r.id) for i, r in enumerate(rules.indicators)]
    rules_in_order += [("combinations", i, r.id) for i, r in enumerate(rules.combinations)]
    for section, i, rule_id in rules_in_order:
        if rule_id in seen:
            out[(section, i)] = [((section, i, "id"), f"duplicate id {excerpt(rule_id)}")]
        seen.add(rule_id)
    return out


def check_measure(measure: str, at: Location) -> Found:
    """The measure is one the profile provides, with a suggestion when it is close to one.

    Example:
        >>> check_measure("dcs_change", ("measure",))
        [(('measure',), "unknown measure 'dcs_change'; did you mean 'dcs_changes'?")]
    """
    if measure in MEASURES:
        return []
    hint = did_you_mean(measure, MEASURES)
    return [(at, f"unknown measure {excerpt(measure)}" + (f"; {hint}" if hint else ""))]


def check_text(rationale: str, evidence: Sequence[str], at: Location) -> Found:
    """A rule has a rationale and at least one piece of evidence, none of them blank.

    Example:
        >>> check_text("Because.", [], ())
        [(('evidence',), 'at least one piece of evidence (a case or source) is required')]
    """
    out: Found = []
    if not rationale.strip():
        out.append(((*at, "rationale"), "a rationale is required"))
    if not evidence or not all(e.strip() for e in evidence):
        out.append(
            ((*at, "evidence"), "at least one piece of evidence (a case or source) is required")
        )
    return out


def check_range(value: float, bounds: tuple[float, float] | None, at: Location) -> Found:
    """A fitting range is ordered and holds the current value.

    Example:
        >>> check_range(5, (6, 9), ("x",))
        [(('x',), 'the current value 5 is outside [6, 9]')]
    """
    if bounds is None:
        return []
    lo, hi = bounds
    if lo > hi:
        return [(at, f"lower bound {lo:g} is above upper bound {hi:g}")]
    if not lo <= value <= hi:
        return [(at, f"the current value {value:g} is outside [{lo:g}, {hi:g}]")]
    return []


def check_levels_tile(ind: Indicator, at: Location) -> Found:
    """The levels cover the number line once: open at both ends, no gap, overlap or empty level.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> ind = load_ruleset().indicator("agency_rate")
        >>> gapped = ind.model_copy(update={"levels": (ind.levels[0], *ind.levels[2:])})
        >>> [m.split(":")[0] for _, m in check_levels_tile(gapped, ())]
        ['gap']
    """
    levels = ind.levels
    if not levels:
        return [((*at, "levels"), "at least one level is required")]
    out: Found = []
    if levels[0].from_ is not None:
        message = "the first level must have no 'from', so that every low value falls in a level"
        out.append(((*at, "levels", 0, "from"), message))
    if levels[-1].below is not None:
        message = "the last level must have no 'below', so that every high value falls in a level"
        out.append(((*at, "levels", len(levels) - 1, "below"), message))
    for j, (lo, hi) in enumerate(itertools.pairwise(levels)):
        out += _check_pair(lo, hi, j, (*at, "levels", j + 1))
    return out


def _check_pair(lo: Level, hi: Level, j: int, at: Location) -> Found:
    if lo.below is None or hi.from_ is None:
        return [
            (at, "levels between the first and last need 'from', and all but the last need 'below'")
        ]
    out: Found = []
    then = f"level {j + 1} starts from {hi.from_:g}"
    if hi.from_ > lo.below:
        out.append((at, f"gap: level {j} ends below {lo.below:g} but {then}"))
    elif hi.from_ < lo.below:
        out.append((at, f"overlap: level {j} runs below {lo.below:g} but {then}"))
    if hi.below is not None and hi.below <= hi.from_:
        out.append((at, f"empty level: from {hi.from_:g} below {hi.below:g}"))
    return out


def check_direction(ind: Indicator, at: Location) -> Found:
    """The points move in the declared direction: never fewer points for a worse value.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> ind = load_ruleset().indicator("agency_rate")
        >>> turned = ind.model_copy(update={"direction": "higher_is_better"})
        >>> check_direction(turned, ("indicators", 0))[0][1]
        'points go 0 then 3, against the declared direction higher_is_better'
    """
    out: Found = []
    for j in range(len(ind.levels) - 1):
        lo, hi = ind.levels[j], ind.levels[j + 1]
        rising = hi.points >= lo.points
        falling = hi.points <= lo.points
        if not (rising if ind.direction == "higher_is_worse" else falling):
            message = (
                f"points go {lo.points:g} then {hi.points:g}, against "
                f"the declared direction {ind.direction}"
            )
            out.append(((*at, "levels", j + 1, "points"), message))
    return out


def check_kind_signs(ind: Indicator, at: Location) -> Found:
    """Risks never give negative points; mitigations never add points or raise red flags.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> ind = load_ruleset().indicator("agency_rate")
        >>> check_kind_signs(ind.model_copy(update={"kind": "mitigation"}), ())[0][1]
        'a mitigation cannot add points (3)'
    """
    out: Found = []
    for j, level in enumerate(ind.levels):
        lat: Location = (*at, "levels", j, "points")
        if ind.kind == "risk" and level.points < 0:
            message = (
                f"a risk indicator cannot give negative points ({level.points:g}); "
                "use kind: mitigation"
            )
            out.append((lat, message))
        if ind.kind == "mitigation" and level.points > 0:
            out.append((lat, f"a mitigation cannot add points ({level.points:g})"))
        if ind.kind == "mitigation" and level.red_flag:
            out.append(((*at, "levels", j, "red_flag"), "a mitigation cannot raise a red flag"))
    return out


def check_level_ranges(ind: Indicator, at: Location) -> Found:
    """Each level's fitting ranges are ordered and hold its current edge and points.

    Example:
        >>> from earlywarning.rules import Indicator, Level
        >>> ind = Indicator(id="a", measure="agency_rate_pct", label="A",
        ...     direction="higher_is_worse",
        ...     levels=(Level(points=0, from_range=(1, 2)), Level(from_=5, points=1)),
        ...     rationale="r", evidence=("e",))
        >>> check_level_ranges(ind, ())
        [(('levels', 0, 'from_range'), "the first level has no 'from' to bound")]
    """
    out: Found = []
    for j, level in enumerate(ind.levels):
        lat: Location = (*at, "levels", j)
        if level.from_ is not None:
            out += check_range(level.from_, level.from_range, (*lat, "from_range"))
        elif level.from_range is not None:
            out.append(((*lat, "from_range"), "the first level has no 'from' to bound"))
        out += check_range(level.points, level.points_range, (*lat, "points_range"))
    return out


def check_red_flags(ind: Indicator, at: Location) -> Found:
    """A red flag never switches off as the measure gets worse.

    Example:
        >>> from earlywarning.rules import Indicator, Level
        >>> ind = Indicator(id="a", measure="agency_rate_pct", label="A",
        ...     direction="higher_is_worse",
        ...     levels=(Level(below=5, points=0, red_flag="high"), Level(from_=5, points=1)),
        ...     rationale="r", evidence=("e",))
        >>> check_red_flags(ind, ())
        [(('levels',), 'red flags must stay raised (or rise) as the measure gets worse')]
    """
    flags = [BAND_NAMES.index(lv.red_flag) if lv.red_flag else -1 for lv in ind.levels]
    if ind.direction == "higher_is_better":
        flags = flags[::-1]
    if any(later < earlier for earlier, later in itertools.pairwise(flags)):
        return [((*at, "levels"), "red flags must stay raised (or rise) as the measure gets worse")]
    return []


def check_weight(ind: Indicator, at: Location) -> Found:
    """A risk indicator has at least one level that gives points.

    Example:
        >>> from earlywarning.rules import Indicator, Level
        >>> ind = Indicator(id="a", measure="agency_rate_pct", label="A",
        ...     direction="higher_is_worse",
        ...     levels=(Level(points=0),), rationale="r", evidence=("e",))
        >>> check_weight(ind, ())
        [(('levels',), 'every level scores 0, so the indicator can never matter')]
    """
    if ind.kind == "risk" and ind.levels and not ind.weight:
        return [((*at, "levels"), "every level scores 0, so the indicator can never matter")]
    return []


def _check_indicator_measure(ind: Indicator, at: Location) -> Found:
    return check_measure(ind.measure, (*at, "measure"))


def _check_indicator_text(ind: Indicator, at: Location) -> Found:
    return check_text(ind.rationale, ind.evidence, at)


_INDICATOR_CHECKS: tuple[Callable[[Indicator, Location], Found], ...] = (
    _check_indicator_measure,
    _check_indicator_text,
    check_levels_tile,
    check_direction,
    check_kind_signs,
    check_level_ranges,
    check_red_flags,
    check_weight,
)


def check_offsets(rules: Ruleset) -> Found:
    """A mitigation names the risks it offsets; no risk is offset twice; risks offset nothing.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> check_offsets(load_ruleset())
        []
    """
    out: Found = []
    risks = {ind.id for ind in rules.indicators if ind.kind == "risk"}
    risks |= {c.id for c in rules.combinations}
    claimed: dict[str, str] = {}
    for i, ind in enumerate(rules.indicators):
        at: Location = ("indicators", i, "offsets")
        if ind.kind == "risk":
            if ind.offsets:
                out.append((at, "only a mitigation offsets other rules"))
            continue
        if not ind.offsets:
            message = (
                "a mitigation must list the risk indicators or combinations it "
                "offsets; it can take away no more than they scored"
            )
            out.append((at, message))
        for rid in ind.offsets:
            if rid not in risks:
                out.append((at, f"{excerpt(rid)} {NOT_A_RISK}"))
            elif rid in claimed:
                message = (
                    f"{excerpt(rid)} is already offset by {excerpt(claimed[rid])}; each risk may "
                    "be offset by one mitigation only, so credit is never counted twice"
                )
                out.append((at, message))
            else:
                claimed[rid] = ind.id
    return out


def check_combination(combo: Combination, at: Location) -> Found:
    """A combination has a condition, adds points, has its reasons, and a range holding its points.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> combo = load_ruleset().combinations[0]
        >>> check_combination(combo.model_copy(update={"all": None, "any": None}), ("c",))
        [(('c',), "needs at least one condition, under 'all' or 'any'")]
    """
    out: Found = []
    if not combo.conditions:
        out.append((at, "needs at least one condition, under 'all' or 'any'"))
    if combo.points <= 0:
        message = (
            f"must be above 0 (got {combo.points:g}); a combination adds risk, "
            "mitigations are indicators of kind mitigation"
        )
        out.append(((*at, "points"), message))
    out += check_text(combo.rationale, combo.evidence, at)
    out += check_range(combo.points, combo.points_range, (*at, "points_range"))
    return out


def check_conditions(combo: Combination, at: Location, directions: Mapping[str, str]) -> Found:
    """Each condition names a known measure, gives one bound, and tests its measure's worse side.

    A condition must fire on the worse side of its measure, or a worse value could switch the
    combination off and lower the score; ``directions`` maps each measure to the direction its
    risk indicator declares.

    Example:
        >>> from earlywarning.rules import Combination
        >>> combo = Combination.model_validate({"id": "c", "label": "C", "points": 2,
        ...     "all": [{"measure": "vacancy_rate_pct", "below": 20}],
        ...     "rationale": "r", "evidence": ["e"]})
        >>> print(check_conditions(combo, ("c",), {"vacancy_rate_pct": "higher_is_worse"})[0][1])
        ... # doctest: +ELLIPSIS
        vacancy_rate_pct is higher_is_worse, so a condition on it must use 'from' (fire when ...)
    """
    out: Found = []
    keyed = [("all", j, c) for j, c in enumerate(combo.all or ())]
    keyed += [("any", j, c) for j, c in enumerate(combo.any or ())]
    for key, j, cond in keyed:
        cat: Location = (*at, key, j)
        out += check_measure(cond.measure, (*cat, "measure"))
        if (cond.from_ is None) == (cond.below is None):
            out.append((cat, "give exactly one of 'from' or 'below'"))
            continue
        direction = directions.get(cond.measure)
        if direction is None:
            if cond.measure in MEASURES:
                message = (
                    f"{NO_DIRECTION} for {excerpt(cond.measure)}; "
                    "add one so the condition's direction can be checked"
                )
                out.append((cat, message))
            continue
        wrong, want = _WRONG_SIDE[direction]
        if getattr(cond, wrong) is not None:
            out.append((cat, f"{cond.measure} is {direction}, so a condition on it must {want}"))
    return out


# for each direction: the bound a condition must not use, and what to say instead
_WRONG_SIDE = {
    "higher_is_worse": ("below", "use 'from' (fire when the value is high)"),
    "higher_is_better": ("from_", "use 'below' (fire when the value is low)"),
}


_OTHER_WAY: dict[Direction, Direction] = {
    "higher_is_worse": "higher_is_better",
    "higher_is_better": "higher_is_worse",
}


def check_one_direction(rules: Ruleset) -> Found:
    """Every indicator on a measure (risks and mitigations alike) declares the same direction.

    With one direction per measure, and a derived measure read the same way as the inputs it
    moves with (the caseload against target as the caseload, the gap to the neighbours as the
    vacancy rate; the caseload target the other way, since a higher target lowers the excess:
    :func:`earlywarning.profile.derived.linked_direction`), the score never falls as a measure
    gets worse: what lets the smallest change and the score range of missing data be found
    exactly, from the level edges and the extremes.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> from earlywarning.rules import load_ruleset
        >>> rules = load_ruleset()
        >>> check_one_direction(rules)
        []
        >>> growth = rules.indicator("management_growth")
        >>> flipped = growth.model_copy(update={"direction": "higher_is_better"})
        >>> bad = rules.model_copy(update={"indicators": (*rules.indicators, flipped)})
        >>> check_one_direction(bad)[0][1]  # doctest: +ELLIPSIS
        'management_reduction_pct is read higher_is_worse by management_reduction; ...'
    """
    first: dict[str, tuple[Indicator, Direction]] = {}
    out: Found = []
    for i, ind in enumerate(rules.indicators):
        measure, sign = linked_direction(ind.measure)
        # the direction the rule reads the measure it moves with
        read = ind.direction if sign > 0 else _OTHER_WAY[ind.direction]
        seen, seen_read = first.setdefault(measure, (ind, read))
        if seen_read != read:
            if ind.measure == measure:
                what = measure
            else:
                way = "rises with {}" if sign > 0 else "falls as {} rises"
                what = f"{ind.measure} {way.format(measure)}, which"
            out.append(
                (
                    ("indicators", i, "direction"),
                    f"{what} is read {seen_read} by {seen.id}; every rule on a measure "
                    "must agree, so that the score never falls as the measure gets worse",
                )
            )
    return out


# ----------------------------------------------------------------------------------------------
# Data made into a ruleset


def ruleset_from_data(
    data: dict[str, Any],
    source: str,
    origin: dict[tuple[str, int], tuple[str, Any, int]] | None = None,
    header_node: Any = None,
) -> Ruleset:
    """Build and check a ruleset from plain data (as read from YAML).

    Problems are reported against ``source``. :func:`load_ruleset` also passes ``origin``, which
    maps each indicator and combination (section and merged index) back to its file, that file's
    YAML node tree and its index within the file, so problems name the file the user edited
    rather than the merged whole; and ``header_node``, the node tree of ``source``, so problems
    in the header get line numbers. Without them, problems have no line.

    Raises:
        RuleFileError: every problem found.

    Example:
        >>> from earlywarning.rules import load_ruleset
        >>> data = load_ruleset().to_data()
        >>> ruleset_from_data(data, "<copy>") == load_ruleset()
        True
        >>> data["bands"][0]["from"] = 5
        >>> try:
        ...     ruleset_from_data(data, "<copy>")
        ... except RuleFileError as exc:
        ...     print(exc.problems[0])
        <copy> at bands[0].from: the first band must start from 0 (got 5)
    """
    locator = Locator(source, header_node, origin or {})
    try:
        ruleset = Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(_refused(exc, data, locator)) from None
    problems = [locator.problem(loc, message) for loc, message in check_ruleset(ruleset)]
    if problems:
        raise RuleFileError(problems)
    return ruleset


def _refused(exc: ValidationError, data: dict[str, Any], locator: Locator) -> list[RuleProblem]:
    """What pydantic refused, and then the checks of the parts it accepted."""
    problems: list[RuleProblem] = []
    broken: set[Location] = set()
    for err in exc.errors():
        loc = tuple(_alias(x) for x in err["loc"])
        broken.add(loc[:2] if loc[0] in SECTIONS else loc[:1])
        problems.append(locator.problem(loc, _pydantic_message(err, loc)))
    # Check the rules that are well formed too, so that one malformed rule does not hide
    # the gaps, overlaps and unknown measures of the others.
    problems += [locator.problem(loc, message) for loc, message in _check_well_formed(data, broken)]
    return problems


def _pydantic_message(err: Any, loc: Location) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return unknown_key(loc[-1], model_keys(Ruleset, loc[:-1]))
    if kind == "missing" or "input" not in err:
        return str(err["msg"])
    given = err["input"]
    if kind == "float_type" and isinstance(given, bool):
        # YAML reads yes, no, on, off, true and false as booleans; a 1 must be written as 1
        return f"Input should be a number, not yes/no or true/false (got {given!r})"
    if kind in ("less_than_equal", "greater_than_equal"):  # only points are bounded
        return (
            f"points must lie between {-POINTS_LIMIT:g} and {POINTS_LIMIT:g}, the most one rule "
            f"may move a 0..100 score (got {excerpt(given)})"
        )
    return f"{err['msg']} (got {excerpt(given)})"


def _items(data: dict[str, Any], section: str) -> list[Any]:
    items = data.get(section) or []
    return list(items) if isinstance(items, list | tuple) else []


def _check_well_formed(data: dict[str, Any], broken: set[Location]) -> list[tuple[Location, str]]:
    """:func:`check_ruleset` on the parts of ``data`` that pydantic accepted.

    ``broken`` holds the locations pydantic refused: ``("indicators", i)`` for one rule, or a
    top-level key. Those parts are left out (or stood in for) and the locations of the problems
    found are given in the indices of ``data``.
    """
    if any(loc[0] in SECTIONS and len(loc) < 2 for loc in broken):
        return []  # a section is not a list of rules: nothing to check item by item
    kept = {s: [i for i in range(len(_items(data, s))) if (s, i) not in broken] for s in SECTIONS}
    bands_ok = ("bands",) not in broken
    trial = {
        "id": "?",
        "version": "?",
        "bands": data.get("bands") if bands_ok else [{"name": "low", "from": 0}],
        **{s: [_items(data, s)[i] for i in kept[s]] for s in SECTIONS},
    }
    try:
        partial = Ruleset.model_validate(trial)
    except ValidationError:  # pragma: no cover - every refused part was left out
        return []
    dropped = any(len(kept[s]) != len(_items(data, s)) for s in SECTIONS)
    out: list[tuple[Location, str]] = []
    for loc, message in check_ruleset(partial):
        if (loc[0] == "bands" and not bands_ok) or (dropped and is_knock_on(message)):
            continue  # about a part left out, or a rule that may be among those left out
        out.append((_in_data(loc, kept), message))
    return out


def is_knock_on(message: str) -> bool:
    return any(k in message for k in KNOCK_ON)


def _in_data(loc: Location, kept: dict[str, list[int]]) -> Location:
    """A location in the partial ruleset, given in the indices of the data it was made from."""
    # a problem about a whole section (no risk indicator at all) has no index to translate
    if loc[0] in SECTIONS and len(loc) > 1 and isinstance(loc[1], int):
        return (loc[0], kept[str(loc[0])][loc[1]], *loc[2:])
    return loc


def _alias(step: Any) -> str | int:
    return "from" if step == "from_" else step if isinstance(step, int) else str(step)
