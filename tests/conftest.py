"""Fixtures shared by the whole suite, built once per test session.

The expensive objects (the default ruleset, the inspection profiles, the validation report, the
England scores) are session-scoped: tests read them and must not change them. Each of them is
built from bundled data that never change, so sharing them hides nothing.
"""

from __future__ import annotations

import pandas as pd
import pytest

# the fuzz tests' count of generated inputs, printed at the end of the run
from fuzzcount import (  # noqa: F401
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

import earlywarning as ew
from earlywarning.datasets import inspection_profiles

# The tests that need the default validation report (ew.validate(), a few seconds and the import
# of scikit-learn) without asking for the fixture: doctests, documentation pages, the command.
VALIDATING = {
    "test_api.py::test_doctests[earlywarning.plots]",
    "test_api.py::test_doctests[earlywarning.validation]",
    "test_api.py::test_doctests[earlywarning.validation._report]",
    "test_docs.py::test_page_examples_run_and_print_what_they_show[notebooks.md]",
    "test_docs.py::test_page_examples_run_and_print_what_they_show[trust.md]",
    "test_docs.py::test_page_examples_run_and_print_what_they_show[validation.md]",
    "test_output.py::test_validate_json_has_no_nan_token",
    "test_split.py::test_the_command_prints_both_periods_for_every_outcome",
    "test_validate.py::test_cli_validate_prints_both_tables",
    "test_validate.py::test_validate_is_reused_but_each_caller_gets_its_own_scores",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Send every test that needs the default validation report to one worker.

    Each pytest-xdist worker is a process of its own, so each worker that meets such a test
    computes the report once. The group (``--dist loadgroup``, set in pyproject.toml) lets one
    worker compute it while the other runs the rest; without xdist the mark does nothing.
    """
    for item in items:
        name = item.nodeid.rsplit("/", 1)[-1]
        if "validation_report" in getattr(item, "fixturenames", ()) or name in VALIDATING:
            item.add_marker(pytest.mark.xdist_group("validation_report"))


@pytest.fixture(scope="session")
def default_ruleset() -> ew.Ruleset:
    """The bundled default ruleset."""
    return ew.load_ruleset()


@pytest.fixture(scope="session")
def inspections() -> pd.DataFrame:
    """The profile of each council at the start of each of its ILACS inspections, with outcomes."""
    return inspection_profiles()


@pytest.fixture(scope="session")
def validation_report() -> ew.ValidationReport:
    """The one validation report of the default ruleset on the bundled inspections."""
    pytest.importorskip("sklearn")
    return ew.validate()


@pytest.fixture(scope="session")
def england() -> pd.DataFrame:
    """Every council's score for every year 2017-2025 under the default ruleset."""
    return ew.england_scores()


@pytest.fixture(scope="session")
def raw_tables() -> list:
    """Every raw publisher file of the repository's data/raw and data/compiled, read and checked
    once per session (the bundled data are built from these)."""
    from helpers import BUNDLE_FILES

    from earlywarning.datasets.sources import read_source

    return [read_source(f) for f in BUNDLE_FILES]
