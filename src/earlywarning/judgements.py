"""Kept so that ``earlywarning.judgements`` keeps working.

The code lives in :mod:`earlywarning.datasets.user_judgements`."""

from earlywarning.datasets.user_judgements import *  # noqa: F403  (every public name)
from earlywarning.datasets.user_judgements import __all__ as __all__
