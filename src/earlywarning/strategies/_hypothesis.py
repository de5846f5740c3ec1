"""hypothesis, imported once for :mod:`earlywarning.strategies`, or an error saying what to install.

Example:
    >>> from earlywarning.strategies._hypothesis import st
    >>> st.integers(0, 3).validate()
"""

from __future__ import annotations

from earlywarning.errors import StrategiesDependencyError

try:
    from hypothesis import strategies as st
except ImportError as exc:
    missing = StrategiesDependencyError(
        "earlywarning.strategies needs hypothesis, which is not installed: "
        'pip install "earlywarning[strategies]"'
    )
    missing.name = "hypothesis"
    raise missing from exc

__all__ = ["st"]
