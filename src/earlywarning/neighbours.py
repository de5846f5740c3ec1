"""Kept so that ``earlywarning.neighbours`` keeps working.

The code lives in :mod:`earlywarning.datasets.neighbours`."""

from earlywarning.datasets.neighbours import *  # noqa: F403  (every public name)
from earlywarning.datasets.neighbours import __all__ as __all__
