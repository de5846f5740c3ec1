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
from hypothesis import settings

import earlywarning as ew
from earlywarning.datasets import inspection_profiles

# No deadline for any example, the docstrings' examples (run by tests/test_api.py) included: on
# two cores shared by the test workers, a first example that builds a cache can take longer than
# hypothesis's 200 ms, pass when replayed, and fail the run as flaky. Speed is measured by the
# scripts in benchmarks/, not by the tests.
settings.register_profile("earlywarning", deadline=None)
settings.load_profile("earlywarning")


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
