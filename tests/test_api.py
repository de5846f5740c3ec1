"""The public API: the names ARCHITECTURE.md promises, their docstrings, every module's doctests."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import types

import pytest

import earlywarning as ew

# Optional extras (the `validation` and `plot` extras): a module that needs them may be skipped
# when they are not installed; any other import failure is a bug.
OPTIONAL_DEPENDENCIES = {"sklearn", "matplotlib", "scipy"}


def _public_names(module: types.ModuleType) -> set[str]:
    """Names bound in the package namespace that are not private and not submodules."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }


def test_all_is_sorted():
    assert list(ew.__all__) == sorted(ew.__all__)
    assert len(set(ew.__all__)) == len(ew.__all__)


def test_all_matches_the_exported_names():
    declared = {n for n in ew.__all__ if not (n.startswith("__") and n.endswith("__"))}
    exported = _public_names(ew)
    assert declared - exported == set(), "in __all__ but not exported"
    assert exported - declared == set(), "exported but missing from __all__"
    for name in ew.__all__:
        assert hasattr(ew, name), name


def test_star_import_gives_exactly_all():
    namespace: dict[str, object] = {}
    exec("from earlywarning import *", namespace)
    namespace.pop("__builtins__")
    assert set(namespace) == set(ew.__all__)


def test_contract_names_exist():
    # the contract in ARCHITECTURE.md
    for name in ("load_ruleset", "CouncilProfile", "score", "score_frame", "Assessment"):
        assert name in ew.__all__, name
    a = ew.score(
        ew.CouncilProfile(
            council="Derbyshire",
            year=2016,
            budget_baseline_gbp_m=131,
            budget_current_gbp_m=90,
            dcs_changes=2,
        )
    )
    assert isinstance(a.score, float) and 0 <= a.score <= 100
    assert a.band in ("low", "moderate", "high", "severe")
    assert isinstance(a.coverage, float) and 0 <= a.coverage <= 1
    assert all(isinstance(c, ew.Contribution) for c in a.contributions)
    for c in a.contributions:
        assert {"indicator", "value", "points", "reason"} <= set(type(c).model_fields)
    assert isinstance(a.reasons, list)
    assert isinstance(a.explain(), str)
    assert a.ruleset_version == ew.load_ruleset().version
    assert isinstance(a.model_dump_json(), str)
    for field in ("score", "band", "coverage", "contributions", "reasons", "ruleset_version"):
        assert field in ew.Assessment.model_fields, field
    assert callable(ew.Assessment.explain) and callable(ew.Assessment.model_dump_json)
    assert set(inspect.signature(ew.load_ruleset).parameters) == {"path"}
    assert "ruleset" in inspect.signature(ew.score).parameters
    assert "ruleset" in inspect.signature(ew.score_frame).parameters


def test_errors_share_one_root():
    for name in ("ProfileError", "RuleFileError"):
        assert issubclass(getattr(ew, name), ew.EarlyWarningError)
    assert issubclass(ew.EarlyWarningError, ValueError)


_DOCUMENTED = [
    n for n in ew.__all__ if inspect.isclass(getattr(ew, n)) or inspect.isfunction(getattr(ew, n))
]


@pytest.mark.parametrize("name", _DOCUMENTED)
def test_public_names_have_a_docstring_with_an_example(name):
    doc = inspect.getdoc(getattr(ew, name)) or ""
    assert doc.strip(), f"{name} has no docstring"
    assert "Example" in doc, f"{name}'s docstring has no example"
    assert ">>>" in doc, f"{name}'s example is not a doctest"


def _modules() -> list[str]:
    names = [ew.__name__]
    for info in pkgutil.walk_packages(ew.__path__, prefix=ew.__name__ + "."):
        names.append(info.name)
    return sorted(names)


def test_the_package_has_the_core_modules():
    assert {
        f"earlywarning.{m}" for m in ("errors", "profile", "rules", "engine", "explain", "cli")
    } <= (set(_modules()))


@pytest.mark.parametrize("module_name", _modules())
def test_doctests(module_name):
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = (getattr(exc, "name", None) or "").split(".")[0]
        if missing in OPTIONAL_DEPENDENCIES:
            pytest.skip(
                f"{module_name} needs the optional dependency {missing!r} "
                "(install the 'validation' or 'plot' extra)"
            )
        raise
    result = doctest.testmod(
        module,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
        report=True,
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed"


@pytest.mark.parametrize("module_name", _modules())
def test_every_name_in_a_modules_all_imports(module_name):
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = (getattr(exc, "name", None) or "").split(".")[0]
        if missing in OPTIONAL_DEPENDENCIES:
            pytest.skip(f"{module_name} needs the optional dependency {missing!r}")
        raise
    names = getattr(module, "__all__", None)
    assert names is not None, f"{module_name} declares no __all__"
    assert len(set(names)) == len(names), f"{module_name}.__all__ repeats a name"
    for name in names:
        namespace: dict[str, object] = {}
        exec(f"from {module_name} import {name}", namespace)
        assert namespace[name] is getattr(module, name), name


def test_moved_names_still_import_from_where_they_were():
    # the package's fit and validate are the functions, so the modules are fetched by name
    calibrate, errors, fit, metrics, plots, trajectories, validate = (
        importlib.import_module(f"earlywarning.{m}")
        for m in ("calibrate", "errors", "fit", "metrics", "plots", "trajectories", "validate")
    )
    assert calibrate.fit is fit.fit is ew.fit
    assert calibrate.FitResult is fit.FitResult is ew.FitResult
    assert calibrate.Change is fit.Change and calibrate.LeaveOneOut is fit.LeaveOneOut
    assert calibrate.auc is metrics.auc and calibrate.rank_agreement is metrics.rank_agreement
    assert validate.roc_curve is metrics.roc_curve
    assert validate.england_scores is trajectories.england_scores is ew.england_scores
    assert validate.rising_risk is trajectories.rising_risk
    assert validate.ValidationDependencyError is errors.ValidationDependencyError
    assert plots.PlotDependencyError is errors.PlotDependencyError
    for error in (errors.OutcomeError, errors.ValidationDependencyError, plots.PlotDependencyError):
        assert issubclass(error, ew.EarlyWarningError)


def test_council_profile_fields_and_the_field_table_agree():
    from earlywarning.profile import FIELD_NAMES, FIELDS

    assert tuple(f.name for f in FIELDS) == FIELD_NAMES
    assert len(set(FIELD_NAMES)) == len(FIELD_NAMES)
    assert list(ew.CouncilProfile.model_fields) == list(FIELD_NAMES)
    required = {n for n, f in ew.CouncilProfile.model_fields.items() if f.is_required()}
    assert required == {"council", "year"}
