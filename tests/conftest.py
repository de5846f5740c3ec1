"""Shared test configuration."""

from fuzzcount import pytest_terminal_summary  # noqa: F401  (a hook: prints the fuzz count)
