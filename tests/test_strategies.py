"""The public strategies: what they draw, what they reach, and the import without hypothesis.

The fuzz suite (test_fuzz.py) checks the library against what they draw; these tests check the
strategies themselves, so that a strategy quietly drawing less would be caught.
"""

from __future__ import annotations

import importlib
import math
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import earlywarning as ew
from earlywarning import strategies as ews
from earlywarning.profile import FIELDS

ROOT = Path(__file__).resolve().parents[1]
RULES = ew.load_ruleset()
SPEC = {f.name: f for f in FIELDS}


class Reached(Exception):
    """Stops the drawing as soon as an example meets the condition."""


def reaches(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool], n: int) -> bool:
    """Whether one of ``n`` examples drawn (without shrinking) meets ``condition``."""

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy)
    def draw(x: Any) -> None:
        if condition(x):
            raise Reached

    try:
        draw()
    except Reached:
        return True
    return False


def test_without_hypothesis_the_import_names_the_extra(monkeypatch):
    for name in ("earlywarning.strategies", "earlywarning.strategies._hypothesis"):
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # as if it were not installed
    with pytest.raises(ew.StrategiesDependencyError) as info:
        importlib.import_module("earlywarning.strategies")
    assert 'pip install "earlywarning[strategies]"' in str(info.value)
    assert isinstance(info.value, ImportError) and isinstance(info.value, ew.EarlyWarningError)
    assert info.value.name == "hypothesis"


def test_the_strategies_extra_installs_hypothesis():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"]["strategies"]
    assert any(req.startswith("hypothesis") for req in extra)


@pytest.mark.parametrize("name", ["agency_rate_pct", "avg_caseload", "dcs_changes"])
def test_field_values_sit_on_beside_and_between_every_edge(name):
    values = ews.field_values(name, RULES)
    integer = SPEC[name].kind == "integer"
    for edge in ews.edges(RULES, name):
        below = edge - 1 if integer else math.nextafter(edge, -math.inf)
        above = edge + 1 if integer else math.nextafter(edge, math.inf)
        for target in (edge, below, above):
            assert reaches(values, lambda x, t=target: x == t, 300), (name, target)
    # and the field's own bounds
    assert reaches(values, lambda x: x == SPEC[name].minimum, 300)
    assert reaches(values, lambda x: x == SPEC[name].maximum, 300)


def test_profiles_put_derived_measures_on_their_edges():
    # the cut is an edge exactly when it comes from two budgets, and the caseload excess too
    cut_edges = ews.edges(RULES, "budget_cut_pct")
    excess_edges = ews.edges(RULES, "caseload_above_target_pct")

    def on(edges: list[float], x: float | None) -> bool:
        return x is not None and any(x == pytest.approx(e, abs=1e-9) for e in edges)

    def cut(p: dict[str, Any]) -> float | None:
        if {"budget_baseline_gbp_m", "budget_current_gbp_m"} <= set(p):
            return ew.CouncilProfile(**p).budget_cut_pct
        return None

    def excess(p: dict[str, Any]) -> float:
        if {"avg_caseload", "caseload_target"} <= set(p):
            return (p["avg_caseload"] / p["caseload_target"] - 1) * 100
        return math.nan

    assert reaches(ews.profiles(RULES), lambda p: on(cut_edges, cut(p)), 1000)
    assert reaches(ews.profiles(RULES), lambda p: on(excess_edges, excess(p)), 1000)


def test_profiles_leave_fields_out_and_give_them_as_missing():
    assert reaches(ews.profiles(), lambda p: "vacancy_rate_pct" not in p, 50)
    assert reaches(ews.profiles(), lambda p: any(v is None or v == "" for v in p.values()), 50)


HOSTILE_KINDS: dict[str, Callable[[Any], bool]] = {
    "complex": lambda v: isinstance(v, complex),
    "too large for a float": lambda v: isinstance(v, int) and abs(v) > 1e308,
    "numpy scalar": lambda v: type(v).__module__ == "numpy",
    "pandas NA": lambda v: v is pd.NA,
    "not finite": lambda v: isinstance(v, float) and not math.isfinite(v),
    "suppression code": lambda v: isinstance(v, str) and v.strip().lower() in ews.SUPPRESSION_CODES,
    "blank text": lambda v: isinstance(v, str) and not v.strip(),
    "a container": lambda v: isinstance(v, list | dict | set | tuple),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_KINDS))
def test_hostile_values_reach_each_kind(kind):
    assert reaches(ews.hostile_values("agency_rate_pct"), HOSTILE_KINDS[kind], 2000), kind


def test_hostile_profiles_have_odd_keys_unless_asked_not_to():
    def odd(p: dict[Any, Any]) -> bool:
        return any(not isinstance(k, str) or k not in SPEC for k in p)

    assert reaches(ews.hostile_profiles(), odd, 100)
    assert not reaches(ews.hostile_profiles(keys=False), odd, 100)


FRAME_KINDS: dict[str, Callable[[pd.DataFrame], bool]] = {
    "a column given twice": lambda f: not f.columns.is_unique,
    "categories": lambda f: any(isinstance(d, pd.CategoricalDtype) for d in f.dtypes),
    "nullable dtypes": lambda f: any(str(d) in ("Float64", "Int64", "string") for d in f.dtypes),
    "a text index": lambda f: len(f) > 0 and isinstance(f.index[0], str),
    "hundreds of rows": lambda f: len(f) >= 200,
}


@pytest.mark.parametrize("kind", sorted(FRAME_KINDS))
def test_hostile_frames_reach_each_kind(kind):
    frames = ews.profile_frames(max_rows=300, hostile=True)
    assert reaches(frames, FRAME_KINDS[kind], 300), kind


DOCUMENT_KINDS: dict[str, Callable[[str], bool]] = {
    "flow style": lambda t: t.lstrip("#- \r\n").startswith("{") or "\n{" in t,
    "Windows line ends": lambda t: "\r\n" in t,
    "a mitigation": lambda t: "mitigation" in t,
    "a combination": lambda t: "combinations" in t,
    "a red flag": lambda t: "red_flag" in t,
}


@pytest.mark.parametrize("kind", sorted(DOCUMENT_KINDS))
def test_valid_rule_documents_reach_each_kind(kind):
    assert reaches(ews.rule_documents(), DOCUMENT_KINDS[kind], 100), kind


def test_rule_documents_refuse_unknown_breakages():
    with pytest.raises(ValueError, match="no such breakage"):
        ews.rule_documents(valid=False, breakages=["a typo"])
    with pytest.raises(ValueError, match="none that data can carry"):
        ews.rule_documents(valid=False, text=False, breakages=["alias bomb"])
