"""Rule documents for hypothesis: whole rulesets drawn from scratch, valid or broken on purpose.

Re-exported by :mod:`earlywarning.strategies`, which documents it.

A valid document obeys every load-time check: bands tile 0..100, levels tile the number line
with points moving the declared way, mitigations offset risks, combinations fire on the worse
side of their measures. A broken one is a valid one with one thing wrong that a careful loader
must refuse: a gap, an overlap, points against the declared direction, an unknown, missing or
mistyped key, a non-finite number, a boolean where a number belongs, points beyond any sane
bound, no indicators at all, a YAML alias (rule files may not use them) or an alias bomb, nesting
thousands deep, a key given twice, YAML that does not parse, or a document that is not a mapping.

Example:
    >>> sorted(BREAKAGES)[:3]
    ['a risk that offsets', 'alias', 'alias bomb']
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from typing import Any

from earlywarning._yaml import dump
from earlywarning.profile import MEASURES
from earlywarning.profile.derived import linked_direction
from earlywarning.rules import BAND_NAMES
from earlywarning.strategies._hypothesis import st

__all__ = ["BREAKAGES", "rule_documents"]

_WORDS = ("Because staff leave.", "Documented in two cases.", "DfE census 2020", "Ofsted, 2019")
_TEXT = st.one_of(
    st.sampled_from(_WORDS),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12).map(
        lambda s: "Why: " + s  # never blank: blank text is a problem of its own
    ),
)


@st.composite
def _levels(draw: st.DrawFn, kind: str, direction: str, least: int) -> list[dict[str, Any]]:
    """Levels that tile the number line, with points that never improve as the measure worsens."""
    m = draw(st.integers(least, 4))
    cuts = draw(st.lists(st.integers(-200, 2000), min_size=m - 1, max_size=m - 1, unique=True))
    scale = draw(st.sampled_from([1, 2, 10]))
    at = [c / scale if scale != 1 else c for c in sorted(cuts)]
    steps = draw(st.lists(st.integers(1, 6), min_size=m, max_size=m))
    if kind == "risk":  # from nothing up: 0, 3, 5
        worse = [0, *(sum(steps[1 : j + 1]) for j in range(1, m))] if m > 1 else [steps[0]]
    else:  # credit shrinking to nothing: -5, -2, 0
        worse = [-sum(steps[j + 1 :]) for j in range(m)] if m > 1 else [-steps[0]]
    points = worse if direction == "higher_is_worse" else worse[::-1]
    levels: list[dict[str, Any]] = []
    for j in range(m):
        level: dict[str, Any] = {}
        if j > 0:
            level["from"] = at[j - 1]
        if j < m - 1:
            level["below"] = at[j]
        level["points"] = points[j]
        levels.append(level)
    if kind == "risk" and m > 1 and draw(st.integers(0, 3)) == 0:
        worst = levels[-1] if direction == "higher_is_worse" else levels[0]
        worst["red_flag"] = draw(st.sampled_from(BAND_NAMES[1:]))
    return levels


# The loader requires one direction per measure, and a derived measure to be read the way of
# the field it moves with (the caseload against target the caseload's way, the caseload target
# the other way), so each set of linked measures shares one drawn direction.
_OTHER_WAY = {"higher_is_worse": "higher_is_better", "higher_is_better": "higher_is_worse"}


def _rule(
    draw: st.DrawFn, i: int, measure: str, kind: str, least: int, directions: dict[str, str]
) -> dict[str, Any]:
    key, sign = linked_direction(measure)
    if key not in directions:
        directions[key] = draw(st.sampled_from(["higher_is_worse", "higher_is_better"]))
    direction = directions[key] if sign > 0 else _OTHER_WAY[directions[key]]
    rule: dict[str, Any] = {"id": f"{kind[0]}{i}", "measure": measure, "label": draw(_TEXT)}
    if kind == "mitigation":
        rule["kind"] = kind
    rule["direction"] = direction
    rule["levels"] = draw(_levels(kind, direction, least))
    rule["rationale"] = draw(_TEXT)
    rule["evidence"] = draw(st.lists(_TEXT, min_size=1, max_size=2))
    return rule


def _condition(draw: st.DrawFn, rule: dict[str, Any]) -> dict[str, Any]:
    """A condition on a risk's measure that fires on its worse side."""
    edges = [lv["from"] for lv in rule["levels"][1:]]
    at = draw(st.sampled_from(edges)) if edges else draw(st.integers(0, 100))
    side = "from" if rule["direction"] == "higher_is_worse" else "below"
    return {"measure": rule["measure"], side: at}


@st.composite
def _ruleset(draw: st.DrawFn) -> dict[str, Any]:
    """A whole valid ruleset as plain data, in rule-file spelling."""
    cuts = sorted(draw(st.lists(st.integers(1, 100), min_size=3, max_size=3, unique=True)))
    starts = [0, *cuts]
    bands = [
        {"name": name, "from": starts[j], **({"below": starts[j + 1]} if j < 3 else {})}
        for j, name in enumerate(BAND_NAMES)
    ]
    n_risks = draw(st.integers(1, 4))
    n_mitigations = draw(st.integers(0, min(2, n_risks)))
    measures = draw(
        st.lists(
            st.sampled_from(MEASURES),
            min_size=n_risks + n_mitigations,
            max_size=n_risks + n_mitigations,
            unique=True,
        )
    )
    # the first rule always has two levels or more, so that every breakage has a place to go
    directions: dict[str, str] = {}
    risks = [
        _rule(draw, i, measures[i], "risk", 2 if i == 0 else 1, directions) for i in range(n_risks)
    ]
    mitigations = [
        _rule(draw, i, measures[n_risks + i], "mitigation", 1, directions)
        for i in range(n_mitigations)
    ]
    for i, rule in enumerate(mitigations):
        rule["offsets"] = [risks[i]["id"]]
    combinations = []
    for c in range(draw(st.integers(0, 2))):
        chosen = draw(st.lists(st.sampled_from(risks), min_size=1, max_size=3))
        combo: dict[str, Any] = {"id": f"c{c}", "label": draw(_TEXT)}
        combo["all"] = [_condition(draw, r) for r in chosen[:2]]
        if len(chosen) == 3:
            combo["any"] = [_condition(draw, chosen[2])]
        combo["points"] = draw(st.integers(1, 10))
        combo["rationale"] = draw(_TEXT)
        combo["evidence"] = [draw(_TEXT)]
        combinations.append(combo)
    data: dict[str, Any] = {"id": f"fuzz-{draw(st.integers(0, 99))}", "version": "1.0.0"}
    data["bands"] = bands
    data["indicators"] = risks + mitigations
    if combinations:
        data["combinations"] = combinations
    return data


@st.composite
def _text(draw: st.DrawFn, data: dict[str, Any]) -> str:
    """``data`` written as YAML in one of the styles a person or a tool writes."""
    text = dump(
        data,
        sort_keys=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None, True])),
        allow_unicode=draw(st.booleans()),
        width=draw(st.sampled_from([40, 100, 10_000])),
        indent=draw(st.sampled_from([2, 4])),
    )
    if draw(st.booleans()):
        text = "# rules written for a test\n---\n" + text + "...\n"
    if draw(st.integers(0, 3)) == 0:
        text = text.replace("\n", "\r\n")
    return text


# ----------------------------------------------------------------------------------------------
# Breakages: each takes a deep copy of valid data and returns it (or text) broken in one way.


def _a_level(draw: st.DrawFn, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """An indicator with two levels or more, and one of its levels after the first."""
    rules = [r for r in data["indicators"] if len(r["levels"]) > 1]
    rule = draw(st.sampled_from(rules))
    return rule, draw(st.integers(1, len(rule["levels"]) - 1))


def _gap(draw: st.DrawFn, data: dict[str, Any], sign: int) -> dict[str, Any]:
    rule, j = _a_level(draw, data)
    rule["levels"][j]["from"] += sign * draw(st.sampled_from([0.5, 1, 7]))
    return data


def _flip(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    rule = data["indicators"][0]  # two levels or more, points strictly moving one way
    rule["direction"] = _OTHER_WAY[rule["direction"]]
    return data


def _places(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mapping of the document that a key may be added to or taken from."""
    out = [data, *data["bands"]]
    for rule in data["indicators"]:
        out += [rule, *rule["levels"]]
    for combo in data.get("combinations", []):
        out += [combo, *combo["all"], *combo.get("any", [])]
    return out


def _unknown_key(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    place = draw(st.sampled_from(_places(data)))
    key = draw(st.sampled_from(["wieght", "point", "rationle", "colour", "Points", "note"]))
    place[key] = draw(st.sampled_from([1, "x", None]))
    return data


_REQUIRED = {"id", "measure", "label", "direction", "levels", "rationale", "evidence", "points"}
_REQUIRED |= {"version", "bands", "name"}


def _missing_key(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    place = draw(st.sampled_from([p for p in _places(data) if set(p) & _REQUIRED]))
    del place[draw(st.sampled_from(sorted(set(place) & _REQUIRED)))]
    return data


def _numbers_at(data: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Every (mapping, key) that holds a number: edges, points and thresholds."""
    out: list[tuple[dict[str, Any], str]] = []
    for place in _places(data):
        out += [(place, k) for k in ("from", "below", "points") if k in place]
    return out


def _replace_number(value: Any) -> Any:
    def breakage(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
        place, key = draw(st.sampled_from(_numbers_at(data)))
        place[key] = draw(value) if isinstance(value, st.SearchStrategy) else value
        return data

    return breakage


def _wrong_type(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    rule = draw(st.sampled_from(data["indicators"]))
    where, value = draw(
        st.sampled_from(
            [(rule, ("levels", "many")), (rule, ("rationale", 12)), (rule, ("evidence", 5)),
             (rule, ("measure", 3)), (data, ("bands", 5)), (data, ("indicators", {"a": 1})),
             (rule["levels"][0], ("points", "lots")), (data, ("version", ["1"]))]
        )
    )  # fmt: skip
    where[value[0]] = value[1]
    return data


def _no_indicators(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    data.pop("combinations", None)
    data["indicators"] = draw(st.sampled_from([[], None]))
    return data


def _huge_points(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    rule = draw(st.sampled_from([r for r in data["indicators"] if r.get("kind") != "mitigation"]))
    worst = rule["levels"][-1] if rule["direction"] == "higher_is_worse" else rule["levels"][0]
    worst["points"] = draw(st.sampled_from([10**6, 1e9, 2**40]))
    return data


def _negative_risk(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    rule = data["indicators"][0]
    least = rule["levels"][0] if rule["direction"] == "higher_is_worse" else rule["levels"][-1]
    least["points"] = -draw(st.integers(1, 5))
    return data


def _band_gap(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    band = data["bands"][draw(st.integers(1, 3))]
    band["from"] += draw(st.sampled_from([-1, 1]))
    return data


def _unknown_measure(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    rule = draw(st.sampled_from(data["indicators"]))
    rule["measure"] = draw(st.sampled_from([rule["measure"] + "s", "agency_rate", "Caseload", ""]))
    return data


def _duplicate_id(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    twin = copy.deepcopy(data["indicators"][0])
    data["indicators"].insert(draw(st.integers(1, len(data["indicators"]))), twin)
    return data


def _flag_falls(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    rule = data["indicators"][0]
    levels = rule["levels"] if rule["direction"] == "higher_is_worse" else rule["levels"][::-1]
    levels[0]["red_flag"] = "severe"  # raised on the least worrying level...
    levels[1].pop("red_flag", None)  # ...and dropped on the next one worse
    return data


def _risk_offsets(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    data["indicators"][0]["offsets"] = [data["indicators"][0]["id"]]
    return data


# Text-level breakages put a marker in the data, which is replaced once the data is YAML text.
_MARK = "FUZZ_MARK"


def _marked(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    rule = draw(st.sampled_from(data["indicators"]))
    place, key = draw(st.sampled_from([(rule, "rationale"), (rule, "label"), (data, "version")]))
    place[key] = _MARK
    return data


def _bomb(draw: st.DrawFn) -> str:
    width, depth = draw(st.integers(8, 10)), draw(st.integers(3, 5))
    layers = ["&a0 [" + ", ".join(["lol"] * width) + "]"]
    for k in range(1, depth):
        layers.append(f"&a{k} [" + ", ".join([f"*a{k - 1}"] * width) + "]")
    return "[" + ", ".join(layers) + "]"


def _nest(draw: st.DrawFn) -> str:
    depth = draw(st.sampled_from([60, 1000, 5000, 20_000]))
    if draw(st.booleans()):
        return "[" * depth + "1" + "]" * depth
    return "{a: " * depth + "1" + "}" * depth


def _in_text(replacement: Any) -> Any:
    def breakage(draw: st.DrawFn, data: dict[str, Any]) -> str:
        text = draw(_text(_marked(draw, data)))
        return text.replace(_MARK, replacement(draw))

    return breakage


def _alias(draw: st.DrawFn, data: dict[str, Any]) -> str:
    """One rule's rationale anchored, and given again by alias as its evidence."""
    rule = draw(st.sampled_from(data["indicators"]))
    rule["rationale"], rule["evidence"] = _MARK, [_MARK + "_AGAIN"]
    text = draw(_text(data)).replace(_MARK + "_AGAIN", "*note")
    return text.replace(_MARK, "&note Staff leave")


def _duplicate_key(draw: st.DrawFn, data: dict[str, Any]) -> str:
    place = draw(st.sampled_from(_places(data)))
    key = draw(st.sampled_from(sorted(place)))
    place[_MARK] = copy.deepcopy(place[key])
    if isinstance(place[key], int | float) and not isinstance(place[key], bool):
        place[_MARK] = place[key] + 1  # the same key twice, with another value
    return draw(_text(data)).replace(_MARK, key)


def _bad_yaml(draw: st.DrawFn, data: dict[str, Any]) -> str:
    text = draw(_text(data))
    junk = draw(st.sampled_from(["\n[unclosed\n", "\nkey: value: other\n", "\n\t- tab\n", "\x00"]))
    at = draw(st.integers(0, len(text)))
    return text[:at] + junk + text[at:] if junk == "\x00" else text + junk


def _not_a_mapping(draw: st.DrawFn, data: dict[str, Any]) -> str:
    return draw(st.sampled_from(["", "~\n", "42\n", "- a\n- b\n", "just text\n", "---\n...\n"]))


BREAKAGES: dict[str, Any] = {
    "gap": lambda draw, data: _gap(draw, data, +1),
    "overlap": lambda draw, data: _gap(draw, data, -1),
    "wrong direction": _flip,
    "unknown key": _unknown_key,
    "missing key": _missing_key,
    "wrong type": _wrong_type,
    "non-finite number": _replace_number(st.sampled_from([math.nan, math.inf, -math.inf])),
    "boolean as number": _replace_number(st.booleans()),
    "no indicators": _no_indicators,
    "points beyond any sane bound": _huge_points,
    "negative risk points": _negative_risk,
    "band gap": _band_gap,
    "unknown measure": _unknown_measure,
    "duplicate id": _duplicate_id,
    "red flag dropped as it worsens": _flag_falls,
    "a risk that offsets": _risk_offsets,
    "alias": _alias,
    "alias bomb": _in_text(_bomb),
    "deep nesting": _in_text(_nest),
    "duplicate key": _duplicate_key,
    "not YAML": _bad_yaml,
    "not a mapping": _not_a_mapping,
}
"""Every way :func:`rule_documents` breaks a document, by name; the last six work on text."""

_TEXT_ONLY = ("alias", "alias bomb", "deep nesting", "duplicate key", "not YAML", "not a mapping")


@st.composite
def _broken(draw: st.DrawFn, text: bool, ways: tuple[str, ...]) -> Any:
    names = [n for n in ways if text or n not in _TEXT_ONLY]
    name = draw(st.sampled_from(names))
    broken = BREAKAGES[name](draw, copy.deepcopy(draw(_ruleset())))
    return broken if isinstance(broken, str) or not text else draw(_text(broken))


@st.composite
def _mangled(draw: st.DrawFn) -> str:
    """A valid document cut short, or with a line lost or doubled: loads or is refused."""
    lines = draw(_text(draw(_ruleset()))).splitlines(keepends=True)
    at = draw(st.integers(0, len(lines)))
    how = draw(st.sampled_from(["cut", "drop", "double"]))
    if how == "cut":
        return "".join(lines[:at])
    if how == "drop":
        return "".join(lines[:at] + lines[at + 1 :])
    return "".join(lines[: at + 1] + lines[at:])


def rule_documents(
    valid: bool | None = True, *, text: bool = True, breakages: Iterable[str] | None = None
) -> st.SearchStrategy[Any]:
    """Whole rule documents (one file holding a ruleset), valid or broken on purpose.

    Args:
        valid: ``True`` for documents every load-time check accepts; ``False`` for documents
            with one thing wrong that the loader must refuse (each way is a key of
            :data:`BREAKAGES`); ``None`` for either, or a valid document cut short or with a
            line lost or doubled, which may load or be refused.
        text: YAML text (in block, flow or mixed style, with or without comments, document
            markers and Windows line ends), or, with ``False``, the plain data YAML would hold.
            As data, the breakages that only text can carry are left out.
        breakages: the ways a broken document may be broken (keys of :data:`BREAKAGES`);
            all of them when None.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from hypothesis import given, settings
        >>> import earlywarning as ew
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = Path(folder.name) / "rules.yaml"
        >>> @settings(max_examples=10, derandomize=True)
        ... @given(rule_documents(valid=False))
        ... def test_broken_rules_are_refused(text):
        ...     _ = path.write_text(text, encoding="utf-8")
        ...     try:
        ...         ew.load_ruleset(path)
        ...     except ew.RuleFileError as exc:
        ...         assert exc.problems and all(p.file == str(path) for p in exc.problems)
        ...     else:
        ...         raise AssertionError("loaded a broken rule file")
        >>> test_broken_rules_are_refused()
        >>> folder.cleanup()
    """
    ways = tuple(BREAKAGES) if breakages is None else tuple(breakages)
    unknown = sorted(set(ways) - set(BREAKAGES))
    if unknown or not [n for n in ways if text or n not in _TEXT_ONLY]:
        raise ValueError(f"no such breakage {unknown} (or none that data can carry)")
    good = _ruleset().flatmap(_text) if text else _ruleset()
    broken = _broken(text, ways)
    if valid is None:
        return st.one_of(good, broken, _mangled()) if text else st.one_of(good, broken)
    return good if valid else broken
