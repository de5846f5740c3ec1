"""hypothesis, imported once for :mod:`earlywarning.strategies`, or an error saying what to install.

Example:
    >>> from earlywarning.strategies._hypothesis import st
    >>> st.integers(0, 3).validate()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from earlywarning._optional import require
from earlywarning.errors import StrategiesDependencyError

if TYPE_CHECKING:
    from hypothesis import strategies as st
else:
    st = require(
        "hypothesis.strategies",
        StrategiesDependencyError,
        "earlywarning.strategies needs",
        "strategies",
    )

__all__ = ["st"]
