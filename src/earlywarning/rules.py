"""The ruleset as data: pydantic models of the rule files, the loader and its load-time checks.

Rule files are YAML read with ``yaml.safe_load``; nothing in them is ever evaluated as code. A
directory holds ``ruleset.yaml`` (id, version, bands) and one file per indicator family; a single
file may also hold a whole ruleset (the form :meth:`Ruleset.to_yaml` writes). Every problem in
every file is collected and reported at once, each with its file, YAML path and line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from earlywarning.errors import RuleFileError, RuleProblem
from earlywarning.profile import MEASURES

# Problems that follow from another rule being absent: not reported when that rule was left
# out because its file or its entry could not be read (the real problem is reported instead).
_NO_DIRECTION = "no risk indicator declares a direction"
_NOT_A_RISK = "is not a risk indicator or combination id"
_KNOCK_ON = (_NO_DIRECTION, _NOT_A_RISK)

BandName = Literal["low", "moderate", "high", "severe"]
"""The name of a band, as a type; the only definition of the four names."""

BAND_NAMES: tuple[str, ...] = get_args(BandName)
"""The four bands, least to most at risk."""

Direction = Literal["higher_is_worse", "higher_is_better"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


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

    from_: float | None = Field(default=None, alias="from")
    below: float | None = None
    points: float
    label: str | None = None
    red_flag: BandName | None = None
    from_range: tuple[float, float] | None = None
    points_range: tuple[float, float] | None = None


class Indicator(_Model):
    """One measure scored by levels, with the reasons and evidence for its thresholds.

    ``kind: risk`` indicators add points (never negative); ``kind: mitigation`` indicators take
    points away (never positive). ``direction`` says which way the measure gets worse, and the
    loader proves the points move that way.

    A mitigation names the risks it ``offsets`` (indicator or combination ids): it can take away
    at most the points those risks scored for the same profile, because new money cancels the
    cuts it reverses, not a vacancy rate it has not yet filled.

    ``controllable`` says whether the council itself can act on the measure (its caseloads, its
    agency use) or not (its demand, its last judgement); :func:`earlywarning.smallest_change`
    moves only controllable indicators unless told otherwise. It defaults to False.

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
    # Whether the council can act on the measure (smallest_change moves only these by default).
    controllable: StrictBool = False

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
    from_: float | None = Field(default=None, alias="from")
    below: float | None = None


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
    points: float
    red_flag: BandName | None = None
    rationale: str
    evidence: tuple[str, ...]
    points_range: tuple[float, float] | None = None

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
    from_: float = Field(alias="from")
    below: float | None = None
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
        return yaml.safe_dump(self.to_data(), sort_keys=False, allow_unicode=True, width=100)

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
        data = self.to_data()
        data.update(
            {
                k: (
                    v.model_dump(mode="json", by_alias=True, exclude_none=True)
                    if isinstance(v, BaseModel)
                    else v
                )
                for k, v in changes.items()
            }
        )
        return ruleset_from_data(data, "<replace>")


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
    return Path(__file__).resolve().parents[2] / "rules"


def load_ruleset(path: str | Path | None = None) -> Ruleset:
    """Load and check a ruleset: the bundled default, a directory of rule files, or one file.

    Args:
        path: a directory holding ``ruleset.yaml`` and family files, or one YAML file holding a
            whole ruleset. ``None`` loads the bundled default.

    Raises:
        RuleFileError: listing every problem in every file, each with file, YAML path and line.

    Example:
        >>> import earlywarning as ew
        >>> rules = ew.load_ruleset()
        >>> rules.id
        'earlywarning-default'
    """
    root = Path(path) if path is not None else default_rules_dir()
    if root.is_dir():
        header = root / "ruleset.yaml"
        families = sorted(p for p in root.glob("*.yaml") if p.name != "ruleset.yaml")
        files = [header, *families]
    elif root.is_file():
        files = [root]
    else:
        raise RuleFileError([RuleProblem(str(root), "", "no such file or directory")])

    problems: list[RuleProblem] = []
    data: dict[str, Any] = {"indicators": [], "combinations": []}
    origin: dict[tuple[str, int], tuple[str, Any, int]] = {}
    header_read = True
    header_node: Any = None
    for file in files:
        doc, node = _read_yaml(file, problems)
        if doc is None:
            header_read = header_read and file != files[0]
            continue
        is_header = file == files[0]
        if is_header:
            header_node = node
        allowed = {"indicators", "combinations", "family", "description"}
        if is_header:
            allowed |= {"id", "version", "title", "bands"}
        for key in doc:
            if key not in allowed:
                problems.append(
                    _problem(
                        file, node, [key], f"unknown key {key!r}; expected one of {sorted(allowed)}"
                    )
                )
        for key in ("id", "version", "title", "description", "bands"):
            if is_header and key in doc:
                data[key] = doc[key]
        for section in ("indicators", "combinations"):
            items = doc.get(section) or []
            if not isinstance(items, list):
                problems.append(_problem(file, node, [section], "must be a list"))
                continue
            for i, item in enumerate(items):
                origin[(section, len(data[section]))] = (str(file), node, i)
                data[section].append(item)
    if problems and not data["indicators"] and not data["combinations"]:
        raise RuleFileError(problems)
    # Check what could be read even when some file could not, so that every problem in every
    # file is reported at once rather than one file per run.
    try:
        ruleset = ruleset_from_data(data, str(files[0]), origin=origin, header_node=header_node)
    except RuleFileError as exc:
        later = exc.problems
        if not header_read:
            # the id, version and bands are missing only because the header could not be read
            later = [p for p in later if p.file != str(files[0])]
        if problems:
            # the rule declaring a direction or being offset may be in a file not read
            later = [p for p in later if not any(k in p.message for k in _KNOCK_ON)]
        raise RuleFileError(problems + later) from None
    if problems:
        raise RuleFileError(problems)
    return ruleset


def _read_yaml(file: Path, problems: list[RuleProblem]) -> tuple[dict[str, Any] | None, Any]:
    """A YAML mapping and its node tree (for line numbers), or a problem added and (None, None).

    Shared with the case loader (``earlywarning.cases``).
    """
    if not file.is_file():
        problems.append(RuleProblem(str(file), "", "file not found"))
        return None, None
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(RuleProblem(str(file), "", f"cannot be read as UTF-8 text: {exc}"))
        return None, None
    try:
        doc = yaml.safe_load(text)
        # compose builds the node tree (with line marks) without constructing any object
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(RuleProblem(str(file), "", f"not valid YAML: {exc}", line))
        return None, None
    if not isinstance(doc, dict):
        problems.append(RuleProblem(str(file), "", "must be a mapping of keys to values", 1))
        return None, None
    return doc, node


def _line(node: Any, path: Iterable[str | int]) -> int | None:
    """The 1-based line of the YAML node at ``path``, or of its nearest ancestor.

    Shared with the case loader (``earlywarning.cases``), which reports problems the same way.
    """
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(step):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(node.value)
        ):
            child = node.value[step]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def _fmt(path: Iterable[str | int]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _problem(file: Path | str, node: Any, path: Sequence[str | int], message: str) -> RuleProblem:
    return RuleProblem(str(file), _fmt(path), message, _line(node, path))


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
    origin = origin or {}

    def locate(loc: tuple[str | int, ...]) -> tuple[str, Any, list[str | int]]:
        if len(loc) >= 2 and isinstance(loc[1], int) and (str(loc[0]), loc[1]) in origin:
            # translate the merged index back to the index within its own file
            file, node, own_index = origin[(str(loc[0]), loc[1])]
            return file, node, [loc[0], own_index, *loc[2:]]
        return source, header_node, list(loc)

    problems: list[RuleProblem] = []
    try:
        ruleset = Ruleset.model_validate(data)
    except ValidationError as exc:
        broken: set[tuple[str | int, ...]] = set()
        for err in exc.errors():
            loc = tuple(_alias(x) for x in err["loc"])
            broken.add(loc[:2] if loc[0] in ("indicators", "combinations") else loc[:1])
            file, node, path = locate(loc)
            given = (
                f" (got {err['input']!r})" if "input" in err and err["type"] != "missing" else ""
            )
            if err["type"] == "extra_forbidden":
                given = ""
            problems.append(_problem(file, node, path, f"{err['msg']}{given}"))
        # Check the rules that are well formed too, so that one malformed rule does not hide
        # the gaps, overlaps and unknown measures of the others.
        for loc, message in _check_well_formed(data, broken):
            file, node, path = locate(loc)
            problems.append(_problem(file, node, path, message))
        raise RuleFileError(problems) from None

    for loc, message in check_ruleset(ruleset):
        file, node, path = locate(loc)
        problems.append(_problem(file, node, path, message))
    if problems:
        raise RuleFileError(problems)
    return ruleset


def _check_well_formed(
    data: dict[str, Any], broken: set[tuple[str | int, ...]]
) -> list[tuple[tuple[str | int, ...], str]]:
    """:func:`check_ruleset` on the parts of ``data`` that pydantic accepted.

    ``broken`` holds the locations pydantic refused: ``("indicators", i)`` for one rule, or a
    top-level key. Those parts are left out (or stood in for) and the locations of the problems
    found are given in the indices of ``data``.
    """
    sections = ("indicators", "combinations")
    if any(loc[:1] in {(s,) for s in sections} and len(loc) < 2 for loc in broken):
        return []  # a section is not a list of rules: nothing to check item by item
    kept: dict[str, list[int]] = {
        s: [i for i in range(len(data.get(s) or [])) if (s, i) not in broken] for s in sections
    }
    bands_ok = ("bands",) not in broken
    trial = {
        "id": "?",
        "version": "?",
        "bands": data.get("bands") if bands_ok else [{"name": "low", "from": 0}],
        **{s: [(data.get(s) or [])[i] for i in kept[s]] for s in sections},
    }
    try:
        partial = Ruleset.model_validate(trial)
    except ValidationError:  # pragma: no cover - every refused part was left out
        return []
    out: list[tuple[tuple[str | int, ...], str]] = []
    for loc, message in check_ruleset(partial):
        if loc[0] == "bands" and not bands_ok:
            continue
        dropped = any(len(kept[s]) != len(data.get(s) or []) for s in sections)
        if dropped and any(k in message for k in _KNOCK_ON):
            continue  # the rule it refers to may be among those left out
        if loc[0] in sections and isinstance(loc[1], int):
            loc = (loc[0], kept[str(loc[0])][loc[1]], *loc[2:])
        out.append((loc, message))
    return out


def _alias(step: Any) -> str | int:
    if step == "from_":
        return "from"
    return step if isinstance(step, int) else str(step)


def check_ruleset(rules: Ruleset) -> list[tuple[tuple[str | int, ...], str]]:
    """The checks that pydantic's field types cannot express. Returns (location, message) pairs.

    Bands must run low to severe and tile 0..100; each indicator's levels must tile the number
    line with no gap or overlap, and their points must move in the declared direction; measures
    must exist; ids must be unique; every rule needs a rationale and evidence.

    Example:
        >>> rules = load_ruleset()
        >>> check_ruleset(rules)
        []
        >>> unchecked = rules.model_copy(update={"bands": rules.bands[::-1]})
        >>> [(loc, message.split(" (got")[0]) for loc, message in check_ruleset(unchecked)]
        [(('bands',), "bands must be ['low', 'moderate', 'high', 'severe'] in that order")]
    """
    out: list[tuple[tuple[str | int, ...], str]] = []
    out += _check_bands(rules.bands)
    seen: set[str] = set()
    directions: dict[str, str] = {}
    for i, ind in enumerate(rules.indicators):
        at: tuple[str | int, ...] = ("indicators", i)
        if ind.id in seen:
            out.append(((*at, "id"), f"duplicate id {ind.id!r}"))
        seen.add(ind.id)
        out += _check_measure(ind.measure, (*at, "measure"))
        if ind.kind == "risk":
            directions.setdefault(ind.measure, ind.direction)
        out += _check_text(ind.rationale, ind.evidence, at)
        out += _check_levels(ind, at)
    out += _check_offsets(rules)
    for i, combo in enumerate(rules.combinations):
        at = ("combinations", i)
        if combo.id in seen:
            out.append(((*at, "id"), f"duplicate id {combo.id!r}"))
        seen.add(combo.id)
        if not combo.conditions:
            out.append((at, "needs at least one condition, under 'all' or 'any'"))
        if combo.points <= 0:
            out.append(
                (
                    (*at, "points"),
                    f"must be above 0 (got {combo.points:g}); a "
                    "combination adds risk, mitigations are indicators of kind mitigation",
                )
            )
        out += _check_text(combo.rationale, combo.evidence, at)
        out += _check_range(combo.points, combo.points_range, (*at, "points_range"))
        keyed = [("all", j, c) for j, c in enumerate(combo.all or ())]
        keyed += [("any", j, c) for j, c in enumerate(combo.any or ())]
        for key, j, cond in keyed:
            cat: tuple[str | int, ...] = (*at, key, j)
            out += _check_measure(cond.measure, (*cat, "measure"))
            if (cond.from_ is None) == (cond.below is None):
                out.append((cat, "give exactly one of 'from' or 'below'"))
                continue
            # A condition must fire on the worse side of its measure, or a worse value could
            # switch the combination off and lower the score.
            direction = directions.get(cond.measure)
            if direction == "higher_is_worse" and cond.below is not None:
                out.append(
                    (
                        cat,
                        f"{cond.measure} is higher_is_worse, so a condition on it must "
                        "use 'from' (fire when the value is high)",
                    )
                )
            if direction == "higher_is_better" and cond.from_ is not None:
                out.append(
                    (
                        cat,
                        f"{cond.measure} is higher_is_better, so a condition on it must "
                        "use 'below' (fire when the value is low)",
                    )
                )
            if direction is None and cond.measure in MEASURES:
                out.append(
                    (
                        cat,
                        f"{_NO_DIRECTION} for {cond.measure!r}; "
                        "add one so the condition's direction can be checked",
                    )
                )
    return out


def _check_offsets(rules: Ruleset) -> list[tuple[tuple[str | int, ...], str]]:
    """A mitigation must name the risks it offsets; no risk may be offset twice."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    risks = {ind.id for ind in rules.indicators if ind.kind == "risk"}
    risks |= {c.id for c in rules.combinations}
    claimed: dict[str, str] = {}
    for i, ind in enumerate(rules.indicators):
        at: tuple[str | int, ...] = ("indicators", i, "offsets")
        if ind.kind == "risk":
            if ind.offsets:
                out.append((at, "only a mitigation offsets other rules"))
            continue
        if not ind.offsets:
            out.append(
                (
                    at,
                    "a mitigation must list the risk indicators or combinations it "
                    "offsets; it can take away no more than they scored",
                )
            )
        for rid in ind.offsets:
            if rid not in risks:
                out.append((at, f"{rid!r} {_NOT_A_RISK}"))
            elif rid in claimed:
                out.append(
                    (
                        at,
                        f"{rid!r} is already offset by {claimed[rid]!r}; each risk may "
                        "be offset by one mitigation only, so credit is never counted twice",
                    )
                )
            else:
                claimed[rid] = ind.id
    return out


def _check_measure(
    measure: str, at: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    if measure in MEASURES:
        return []
    import difflib

    close = difflib.get_close_matches(measure, MEASURES, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return [(at, f"unknown measure {measure!r}{hint}")]


def _check_text(
    rationale: str, evidence: tuple[str, ...], at: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    if not rationale.strip():
        out.append(((*at, "rationale"), "a rationale is required"))
    if not evidence or not all(e.strip() for e in evidence):
        out.append(
            ((*at, "evidence"), "at least one piece of evidence (a case or source) is required")
        )
    return out


def _check_range(
    value: float, bounds: tuple[float, float] | None, at: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    if bounds is None:
        return []
    lo, hi = bounds
    if lo > hi:
        return [(at, f"lower bound {lo:g} is above upper bound {hi:g}")]
    if not lo <= value <= hi:
        return [(at, f"the current value {value:g} is outside [{lo:g}, {hi:g}]")]
    return []


def _check_levels(
    ind: Indicator, at: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    levels = ind.levels
    if not levels:
        return [((*at, "levels"), "at least one level is required")]
    if levels[0].from_ is not None:
        out.append(
            (
                (*at, "levels", 0, "from"),
                "the first level must have no 'from', so that every low value falls in a level",
            )
        )
    if levels[-1].below is not None:
        out.append(
            (
                (*at, "levels", len(levels) - 1, "below"),
                "the last level must have no 'below', so that every high value falls in a level",
            )
        )
    for j in range(len(levels) - 1):
        lo, hi = levels[j], levels[j + 1]
        lat: tuple[str | int, ...] = (*at, "levels", j + 1)
        if lo.below is None or hi.from_ is None:
            out.append(
                (
                    lat,
                    "levels between the first and last need 'from', and all but the "
                    "last need 'below'",
                )
            )
        elif hi.from_ > lo.below:
            out.append(
                (
                    lat,
                    f"gap: level {j} ends below {lo.below:g} but level {j + 1} starts "
                    f"from {hi.from_:g}",
                )
            )
        elif hi.from_ < lo.below:
            out.append(
                (
                    lat,
                    f"overlap: level {j} runs below {lo.below:g} but level {j + 1} "
                    f"starts from {hi.from_:g}",
                )
            )
        if hi.from_ is not None and hi.below is not None and hi.below <= hi.from_:
            out.append((lat, f"empty level: from {hi.from_:g} below {hi.below:g}"))
        worse = (
            hi.points >= lo.points
            if ind.direction == "higher_is_worse"
            else (hi.points <= lo.points)
        )
        if not worse:
            out.append(
                (
                    (*lat, "points"),
                    f"points go {lo.points:g} then {hi.points:g}, against "
                    f"the declared direction {ind.direction}",
                )
            )
    for j, level in enumerate(levels):
        lat = (*at, "levels", j)
        if ind.kind == "risk" and level.points < 0:
            out.append(
                (
                    (*lat, "points"),
                    f"a risk indicator cannot give negative points "
                    f"({level.points:g}); use kind: mitigation",
                )
            )
        if ind.kind == "mitigation" and level.points > 0:
            out.append(((*lat, "points"), f"a mitigation cannot add points ({level.points:g})"))
        if ind.kind == "mitigation" and level.red_flag:
            out.append(((*lat, "red_flag"), "a mitigation cannot raise a red flag"))
        if level.from_ is not None:
            out += _check_range(level.from_, level.from_range, (*lat, "from_range"))
        elif level.from_range is not None:
            out.append(((*lat, "from_range"), "the first level has no 'from' to bound"))
        out += _check_range(level.points, level.points_range, (*lat, "points_range"))
    # a red flag must not switch off as the measure gets worse
    flags = [BAND_NAMES.index(lv.red_flag) if lv.red_flag else -1 for lv in levels]
    if ind.direction == "higher_is_better":
        flags = flags[::-1]
    for j in range(len(flags) - 1):
        if flags[j + 1] < flags[j]:
            out.append(
                ((*at, "levels"), "red flags must stay raised (or rise) as the measure gets worse")
            )
            break
    if not ind.weight and ind.kind == "risk":
        out.append(((*at, "levels"), "every level scores 0, so the indicator can never matter"))
    return out


def _check_bands(bands: tuple[Band, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    names = tuple(b.name for b in bands)
    if names != BAND_NAMES:
        out.append(
            (("bands",), f"bands must be {list(BAND_NAMES)} in that order (got {list(names)})")
        )
        return out
    if bands[0].from_ != 0:
        out.append(
            (("bands", 0, "from"), f"the first band must start from 0 (got {bands[0].from_:g})")
        )
    if bands[-1].below is not None:
        out.append((("bands", len(bands) - 1, "below"), "the last band must have no 'below'"))
    for j in range(len(bands) - 1):
        lo, hi = bands[j], bands[j + 1]
        if lo.below is None or lo.below != hi.from_:
            out.append(
                (
                    ("bands", j + 1, "from"),
                    f"band {hi.name!r} must start where "
                    f"{lo.name!r} ends (below {lo.below}), with no gap or overlap",
                )
            )
        elif not lo.from_ < lo.below <= 100:
            out.append(
                (("bands", j, "below"), f"band {lo.name!r} must be non-empty and within 0..100")
            )
    return out
