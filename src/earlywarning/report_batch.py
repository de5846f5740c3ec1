"""Kept so that ``earlywarning.report_batch`` keeps working.

The code lives in :mod:`earlywarning.report.batch`."""

from earlywarning.report.batch import *  # noqa: F403  (every public name)
from earlywarning.report.batch import __all__ as __all__
