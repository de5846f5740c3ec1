"""The ruleset as data: pydantic models of the rule files, and the loader.

Rule files are YAML read by PyYAML's safe loader (``earlywarning._yaml``), never run as code. A
directory holds ``ruleset.yaml`` (id, version, bands) and one file per indicator family, or one
file holds a whole ruleset (as :meth:`Ruleset.to_yaml` writes it). The checks, in
``_checks``, report every problem in every file at once, with file, path and line.

The bundled default ruleset is read once per process: :func:`load_ruleset` with no path and
:func:`default_ruleset` return the same object (the models are frozen, so sharing it is safe).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool, ValidationError

from earlywarning._names import excerpt, model_keys, unknown_key
from earlywarning._yaml import dump
from earlywarning.errors import RuleFileError, RuleProblem
from earlywarning.rules._checks import (
    BAND_NAMES,
    KNOCK_ON,
    POINTS_LIMIT,
    BandName,
    Direction,
    Location,
    check_ruleset,
)
from earlywarning.rules._sources import SECTIONS, Locator, RuleSources, read_sources

__all__ = [
    "BAND_NAMES",
    "POINTS_LIMIT",
    "Band",
    "BandName",
    "Combination",
    "Condition",
    "Direction",
    "Indicator",
    "Level",
    "Ruleset",
    "check_ruleset",
    "default_rules_dir",
    "default_ruleset",
    "load_ruleset",
    "ruleset_from_data",
]


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
            >>> data = load_ruleset().to_data()
            >>> data["id"], sorted(data["bands"][0])
            ('earlywarning-default', ['below', 'from', 'meaning', 'name'])
        """
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_yaml(self) -> str:
        """The whole ruleset as one YAML document that :func:`load_ruleset` reads back.

        Example:
            >>> import tempfile
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


def default_rules_dir() -> Path:
    """Where the bundled default ruleset lives: inside the installed package, or in a checkout.

    The documented cases are in its ``cases`` folder.

    Example:
        >>> folder = default_rules_dir()
        >>> (folder / "ruleset.yaml").is_file(), (folder / "cases").is_dir()
        (True, True)
    """
    bundled = Path(str(resources.files("earlywarning"))) / "_rules"
    if (bundled / "ruleset.yaml").is_file():
        return bundled
    return Path(__file__).resolve().parents[3] / "rules"


def default_ruleset() -> Ruleset:
    """The bundled default ruleset, read and checked once per process and then shared.

    Every caller gets the same object, so modules may call it (or ``load_ruleset()``) freely;
    the models are frozen, and a changed copy is made with :meth:`Ruleset.replace`.

    Example:
        >>> default_ruleset() is default_ruleset() is load_ruleset()
        True
    """
    return _cached_default()


@cache
def _cached_default() -> Ruleset:
    return _load(default_rules_dir())


def load_ruleset(path: str | Path | None = None) -> Ruleset:
    """Load and check a ruleset: the bundled default, a directory of rule files, or one file.

    Args:
        path: a directory holding ``ruleset.yaml`` and family files, or one YAML file holding a
            whole ruleset. ``None`` gives the bundled default, read once and then shared (see
            :func:`default_ruleset`); a path is read afresh on every call.

    Raises:
        RuleFileError: listing every problem in every file, each with file, YAML path and line.

    Example:
        >>> import earlywarning as ew
        >>> rules = ew.load_ruleset()
        >>> rules.id
        'earlywarning-default'
    """
    if path is None:
        return default_ruleset()
    return _load(Path(path))


def _load(root: Path) -> Ruleset:
    sources = read_sources(root)
    if sources.problems and not any(sources.data[s] for s in SECTIONS):
        raise RuleFileError(sources.problems)
    return _check_merged(sources)


def _check_merged(sources: RuleSources) -> Ruleset:
    """Check what could be read even when some file could not, so every problem shows at once."""
    try:
        ruleset = ruleset_from_data(
            sources.data,
            str(sources.header),
            origin=sources.origin,
            header_node=sources.header_node,
        )
    except RuleFileError as exc:
        later = exc.problems
        if not sources.header_read:
            # the id, version and bands are missing only because the header could not be read
            later = [p for p in later if p.file != str(sources.header)]
        if sources.problems:
            # the rule declaring a direction or being offset may be in a file not read
            later = [p for p in later if not _is_knock_on(p.message)]
        raise RuleFileError(sources.problems + later) from None
    if sources.problems:
        raise RuleFileError(sources.problems)
    return ruleset


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
        if (loc[0] == "bands" and not bands_ok) or (dropped and _is_knock_on(message)):
            continue  # about a part left out, or a rule that may be among those left out
        out.append((_in_data(loc, kept), message))
    return out


def _is_knock_on(message: str) -> bool:
    return any(k in message for k in KNOCK_ON)


def _in_data(loc: Location, kept: dict[str, list[int]]) -> Location:
    """A location in the partial ruleset, given in the indices of the data it was made from."""
    # a problem about a whole section (no risk indicator at all) has no index to translate
    if loc[0] in SECTIONS and len(loc) > 1 and isinstance(loc[1], int):
        return (loc[0], kept[str(loc[0])][loc[1]], *loc[2:])
    return loc


def _alias(step: Any) -> str | int:
    return "from" if step == "from_" else step if isinstance(step, int) else str(step)
