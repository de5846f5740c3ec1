"""hypothesis, imported once for :mod:`earlywarning.strategies`, or the error saying what to install.

Example:
    >>> from earlywarning._hypothesis import st
    >>> st.integers(0, 3).validate()
"""

from __future__ import annotations

from earlywarning.errors import MissingDependencyError

try:
    from hypothesis import strategies as st
except ImportError as exc:
    raise MissingDependencyError("hypothesis", "strategies", "earlywarning.strategies") from exc

__all__ = ["st"]
