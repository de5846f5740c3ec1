"""Hypothesis strategies built from the rules and the field table, shared by the test modules.

Nothing here states a threshold: every edge comes from a loaded :class:`Ruleset` and every range
from :data:`earlywarning.profile.FIELDS`, so the strategies follow the rules when they change.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable
from typing import Any

from helpers import TEST_BANDS, run_docs_script  # noqa: F401  (kept importable from here)
from hypothesis import strategies as st

from earlywarning.profile import FIELDS, RATINGS, FieldSpec
from earlywarning.rules import Ruleset

SPEC: dict[str, FieldSpec] = {f.name: f for f in FIELDS}

# Measures the engine derives from fields, and the fields each is derived from. Every other
# measure is a field of the same name.
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "budget_cut_pct": ("budget_baseline_gbp_m", "budget_current_gbp_m", "budget_cut_pct"),
    "caseload_above_target_pct": ("avg_caseload", "caseload_target"),
    "previous_rating_grade": ("previous_rating",),
}

# Ofsted's spellings of the four judgements (and the pre-2013 "Adequate"), grade by grade.
RATING_SPELLINGS: dict[str, tuple[str, ...]] = {
    "outstanding": ("outstanding", "Outstanding", "OUTSTANDING", "1"),
    "good": ("good", "Good", " good ", "2"),
    "requires_improvement": (
        "requires_improvement",
        "Requires improvement to be good",
        "Requires improvement",
        "RI",
        "ri",
        "requires-improvement",
        "Adequate",
        "3",
    ),
    "inadequate": ("inadequate", "Inadequate", "4"),
}
TRUE_SPELLINGS: tuple[Any, ...] = (True, "yes", "Yes", "true", "TRUE", "1", 1, "y")
FALSE_SPELLINGS: tuple[Any, ...] = (False, "no", "No", "false", "FALSE", "0", 0, "n")

OPTIONAL_FIELDS: tuple[str, ...] = tuple(
    f.name for f in FIELDS if f.name not in ("council", "year")
)
BUDGET_FIELDS = DERIVED_FROM["budget_cut_pct"]
CASELOAD_FIELDS = DERIVED_FROM["caseload_above_target_pct"]


def input_fields(measure: str) -> tuple[str, ...]:
    """The profile fields a measure is computed from."""
    return DERIVED_FROM.get(measure, (measure,))


def thresholds(ruleset: Ruleset, measure: str) -> list[float]:
    """Every value at which some rule's result changes for ``measure``: level edges and the
    thresholds of combination conditions."""
    out: set[float] = set()
    for ind in ruleset.indicators:
        if ind.measure == measure:
            out.update(lv.from_ for lv in ind.levels[1:] if lv.from_ is not None)
    for combo in ruleset.combinations:
        for cond in combo.conditions:
            if cond.measure == measure:
                out.update(x for x in (cond.from_, cond.below) if x is not None)
    return sorted(out)


def in_range(spec: FieldSpec, x: float) -> bool:
    """Whether a number is accepted by the field ``spec``."""
    if not math.isfinite(x):
        return False
    if spec.kind == "integer" and x != int(x):
        return False
    if spec.minimum is not None and (
        x <= spec.minimum if spec.exclusive_minimum else x < spec.minimum
    ):
        return False
    return spec.maximum is None or x <= spec.maximum


def near(edges: Iterable[float], integer: bool) -> list[float]:
    """The edges themselves and the values right next to them on both sides."""
    out: set[float] = set()
    for e in edges:
        if integer:
            out.update((e - 1, e, e + 1))
        else:
            out.update(
                (e, math.nextafter(e, -math.inf), math.nextafter(e, math.inf), e - 0.5, e + 0.5)
            )
    return sorted(out)


def numbers(spec: FieldSpec, edges: Iterable[float] = ()) -> st.SearchStrategy[float]:
    """Accepted values of a number or integer field, weighted towards ``edges``."""
    special = [x for x in near(edges, spec.kind == "integer") if in_range(spec, x)]
    if spec.kind == "integer":
        lo = int(spec.minimum) if spec.minimum is not None else -1000
        hi = int(spec.maximum) if spec.maximum is not None else 1000
        anywhere: st.SearchStrategy[Any] = st.integers(lo, hi)
        special = [int(x) for x in special]
    else:
        anywhere = st.floats(
            min_value=spec.minimum,
            max_value=spec.maximum,
            exclude_min=spec.exclusive_minimum,
            allow_nan=False,
            allow_infinity=False,
        )
    if not special:
        return anywhere
    # half of the draws sit on or beside an edge, where an off-by-one would show
    return st.one_of(st.sampled_from(special), anywhere)


def measure_value(ruleset: Ruleset, measure: str) -> st.SearchStrategy[float]:
    """Values of a measure, weighted towards the ruleset's edges for it."""
    if measure == "budget_cut_pct":
        return numbers(SPEC["budget_cut_pct"], thresholds(ruleset, measure))
    if measure == "caseload_above_target_pct":
        return numbers(FieldSpec("x", "number", "", -100, 1000), thresholds(ruleset, measure))
    if measure == "previous_rating_grade":
        return st.integers(1, len(RATINGS)).map(float)
    if SPEC[measure].kind == "flag":
        return st.sampled_from([0.0, 1.0])
    return numbers(SPEC[measure], thresholds(ruleset, measure))


def field_value(ruleset: Ruleset, name: str) -> st.SearchStrategy[Any]:
    """Accepted values of one field, in any spelling the field accepts."""
    spec = SPEC[name]
    if spec.kind == "flag":
        return st.sampled_from(TRUE_SPELLINGS + FALSE_SPELLINGS)
    if spec.kind == "rating":
        return st.sampled_from([s for spellings in RATING_SPELLINGS.values() for s in spellings])
    if name == "council":
        return st.one_of(
            st.sampled_from(["Derbyshire", "Kirklees", "Durham", "Oxfordshire"]),
            st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""),
        )
    if name == "la_code":
        return st.from_regex(r"E(06|08|09|10)[0-9]{6}", fullmatch=True)
    if name == "region":
        return st.sampled_from(["East Midlands", "London", "North West", " South West "])
    return numbers(spec, thresholds(ruleset, name))


def fields_for(measure: str, value: float) -> dict[str, Any]:
    """Profile fields that give ``measure`` the value ``value`` (for a derived measure, the
    fields it is derived from)."""
    if measure == "caseload_above_target_pct":
        return {"avg_caseload": 100.0 + value, "caseload_target": 100.0}
    if measure == "previous_rating_grade":
        return {"previous_rating": RATINGS[int(value) - 1]}
    spec = SPEC[measure]
    if spec.kind == "flag":
        return {measure: bool(value)}
    if spec.kind == "integer":
        return {measure: int(value)}
    return {measure: float(value)}


# Budgets of any council in England, in £m: wide enough for every cut, narrow enough that the
# derived cut stays a finite number.
BASELINE = FieldSpec("budget_baseline_gbp_m", "number", "", 0, 10_000, True)
CURRENT = FieldSpec("budget_current_gbp_m", "number", "", 0, 10_000)


def worst_profile(ruleset: Ruleset) -> dict[str, Any]:
    """Profile fields with every risk measure at its worst level and every combination firing.

    Read from the rules: a higher-is-worse measure takes the highest edge or threshold any rule
    gives it, a higher-is-better one a value under the lowest. Mitigation measures are left out
    unless a risk uses them too.
    """
    worse: dict[str, str] = {i.measure: i.direction for i in ruleset.indicators if i.kind == "risk"}
    values: dict[str, float] = {}
    for measure, direction in worse.items():
        edges = thresholds(ruleset, measure)
        if direction == "higher_is_worse":
            values[measure] = max(edges)
        else:
            values[measure] = min(edges) - 1
    out: dict[str, Any] = {}
    for measure, value in values.items():
        if measure == "caseload_above_target_pct":
            continue  # set below from the caseload, which another rule may need high
        out.update(fields_for(measure, value))
    if "caseload_above_target_pct" in values:
        avg = out.get("avg_caseload", 100.0)
        out["caseload_target"] = avg / (1 + values["caseload_above_target_pct"] / 100)
    return out


def offset_points(a: Any, mitigation: Any) -> float:
    """What the risks a mitigation offsets scored in the assessment ``a``."""
    return sum(c.points for c in a.contributions if c.indicator in mitigation.offsets)


@st.composite
def _budget(draw: st.DrawFn, ruleset: Ruleset) -> dict[str, Any]:
    """The three budget fields in every combination they may be given, always consistent."""
    mode = draw(st.sampled_from(["none", "cut", "budgets", "budgets+cut", "baseline", "current"]))
    cut = draw(measure_value(ruleset, "budget_cut_pct"))
    if mode == "none":
        return {}
    if mode == "cut":
        return {"budget_cut_pct": cut}
    baseline = draw(numbers(BASELINE))
    out: dict[str, Any]
    if mode in ("budgets", "budgets+cut"):
        # often a current budget that puts the derived cut on or beside an edge
        current = baseline * (1 - cut / 100)
        if not in_range(CURRENT, current) or draw(st.booleans()):
            current = draw(numbers(CURRENT))
        out = {"budget_baseline_gbp_m": baseline, "budget_current_gbp_m": current}
        if mode == "budgets+cut" and math.isfinite((baseline - current) / baseline * 100.0):
            # exactly the derived cut: one off by rounding would score the same only by luck
            out["budget_cut_pct"] = (baseline - current) / baseline * 100.0
        return out
    if mode == "baseline":
        out = {"budget_baseline_gbp_m": baseline}
    else:
        out = {"budget_current_gbp_m": draw(numbers(CURRENT))}
    if draw(st.booleans()):
        out["budget_cut_pct"] = cut
    return out


@st.composite
def _caseload(draw: st.DrawFn, ruleset: Ruleset) -> dict[str, Any]:
    """Caseload and target, often chosen so that the caseload sits on a target edge."""
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["avg_caseload"] = draw(field_value(ruleset, "avg_caseload"))
    if draw(st.booleans()):
        avg = out.get("avg_caseload")
        edges = thresholds(ruleset, "caseload_above_target_pct")
        if avg and edges and draw(st.booleans()):
            above = draw(st.sampled_from(near(edges, integer=False)))
            target = avg / (1 + above / 100) if above > -100 else None
            if target is not None and in_range(SPEC["caseload_target"], target):
                out["caseload_target"] = target
                return out
        out["caseload_target"] = draw(field_value(ruleset, "caseload_target"))
    return out


@st.composite
def profiles(draw: st.DrawFn, ruleset: Ruleset) -> dict[str, Any]:
    """Valid profile dicts: council and year always, every optional field present or absent.

    Numbers are drawn within each field's range, with extra weight on the values at and beside
    every level edge and combination threshold of ``ruleset``.
    """
    p: dict[str, Any] = {
        "council": draw(field_value(ruleset, "council")),
        "year": draw(field_value(ruleset, "year")),
    }
    p.update(draw(_budget(ruleset)))
    p.update(draw(_caseload(ruleset)))
    for name in OPTIONAL_FIELDS:
        if name in BUDGET_FIELDS or name in CASELOAD_FIELDS:
            continue
        if draw(st.booleans()):
            p[name] = draw(field_value(ruleset, name))
    return p


_LETTERS = string.ascii_letters


def bad_values(name: str) -> st.SearchStrategy[Any]:
    """Values the field ``name`` refuses on its own (whatever the rest of the profile holds)."""
    spec = SPEC[name]
    required = name in ("council", "year")
    missing: list[Any] = [None, math.nan, "", "   "] if required else []
    if spec.kind == "text":
        # anything but text, and for a required field anything missing
        return st.one_of(
            st.integers(-5, 5000),
            st.floats(allow_nan=False),
            st.booleans(),
            st.sampled_from(missing or [1]),
        )
    if spec.kind == "rating":
        return st.one_of(
            st.sampled_from(["very good", "satisfactory", "5", "0", "goodish", "requires"]),
            st.text(_LETTERS, min_size=1, max_size=8).filter(
                lambda s: s.lower() not in {"good", "ri", "outstanding", "inadequate", "adequate"}
            ),
            st.integers(-3, 10),
        )
    if spec.kind == "flag":
        return st.one_of(
            st.sampled_from(["maybe", "unknown", "2", "Y/N", "oui", "-1"]),
            st.integers(2, 100),
            st.integers(-100, -1),
            st.floats(0.01, 0.99),
        )
    # numbers and integers
    out: list[st.SearchStrategy[Any]] = [
        # letters never make a finite number ("nan" and "inf" parse, but are not finite)
        st.text(_LETTERS, min_size=1, max_size=10),
        st.sampled_from(["12%", "1.2.3", "£40", "n/a", "-", "1e", "ten"]),
        st.sampled_from([math.inf, -math.inf, "inf", "-Infinity", "nan", True, False]),
    ]
    if missing:
        out.append(st.sampled_from(missing))
    if spec.minimum is not None:
        below = st.floats(max_value=spec.minimum, allow_nan=False, allow_infinity=False)
        if not spec.exclusive_minimum:
            below = below.filter(lambda x: x < spec.minimum)
        out.append(below)
        out.append(below.map(repr))  # as a spreadsheet would give it, as text
    if spec.maximum is not None:
        above = st.floats(min_value=spec.maximum, allow_nan=False, allow_infinity=False).filter(
            lambda x: x > spec.maximum
        )
        out.append(above)
        out.append(above.map(repr))
    if spec.kind == "integer":
        lo = spec.minimum if spec.minimum is not None else -1000.0
        hi = spec.maximum if spec.maximum is not None else 1000.0
        out.append(
            st.floats(lo, hi, allow_nan=False).filter(lambda x: x != int(x)),
        )
    return st.one_of(out)


def _underscored(x: float) -> str:
    """``x`` with an underscore between its first two digits, as Python allows: 12.5 -> 1_2.5."""
    text = repr(x)
    for i in range(len(text) - 1):
        if text[i].isdigit() and text[i + 1].isdigit():
            return text[: i + 1] + "_" + text[i + 1 :]
    return text


def _arabic_digits(x: float) -> str:
    """``x`` in Arabic-Indic digits, which Python's float() reads."""
    return repr(x).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def number_texts(spec: FieldSpec) -> st.SearchStrategy[str]:
    """Accepted numbers of a field written as text: by a spreadsheet, a person, or Python."""
    formats = [
        repr,
        "{:,}".format,
        " {} ".format,
        "{:e}".format,
        _underscored,
        _arabic_digits,
    ]
    return st.builds(lambda x, f: f(x), numbers(spec), st.sampled_from(formats))


def hostile_values(name: str) -> st.SearchStrategy[Any]:
    """Anything at all for the field ``name``: good, bad, odd text, odd types, missing."""
    spec = SPEC[name]
    out: list[st.SearchStrategy[Any]] = [
        bad_values(name),
        st.text(max_size=12),
        st.text(alphabet="0123456789.,_ -+eEinfatyINFATY", max_size=8),
        st.floats(),
        st.integers(-(10**20), 10**20),
        st.booleans(),
        st.none(),
    ]
    if spec.kind in ("number", "integer"):
        # half of the draws: a number written as text, where parsers differ most
        return st.one_of(number_texts(spec), st.one_of(out))
    return st.one_of(out)


@st.composite
def hostile_profiles(draw: st.DrawFn, ruleset: Ruleset) -> dict[str, Any]:
    """A valid profile with one field replaced by anything at all."""
    p = draw(profiles(ruleset))
    name = draw(st.sampled_from([f.name for f in FIELDS]))
    p[name] = draw(hostile_values(name))
    return p


@st.composite
def bad_profiles(draw: st.DrawFn, ruleset: Ruleset) -> tuple[dict[str, Any], str]:
    """A profile that is valid but for one value, and the name of the field to blame.

    Besides a bad value in one field, the cross-field errors: a budget cut that contradicts the
    two budgets given, and a zero baseline with a current budget.
    """
    p = draw(profiles(ruleset))
    kind = draw(st.sampled_from(["value", "value", "value", "conflict", "zero_baseline"]))
    if kind == "value":
        name = draw(st.sampled_from([f.name for f in FIELDS]))
        p[name] = draw(bad_values(name))
        return p, name
    for f in BUDGET_FIELDS:
        p.pop(f, None)
    current = draw(numbers(CURRENT))
    if kind == "zero_baseline":
        zero = draw(st.sampled_from([0, 0.0, "0"]))
        p.update({"budget_baseline_gbp_m": zero, "budget_current_gbp_m": current})
        return p, "budget_baseline_gbp_m"
    baseline = draw(numbers(FieldSpec("b", "number", "", 1, 10_000)))
    derived = (baseline - current) / baseline * 100
    gap = draw(st.floats(0.6, 50))
    cut = derived + gap if derived + gap <= 100 else derived - gap
    p.update(
        {"budget_baseline_gbp_m": baseline, "budget_current_gbp_m": current, "budget_cut_pct": cut}
    )
    return p, "budget_cut_pct"
