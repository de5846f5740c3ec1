"""Kept so that ``earlywarning.validate`` keeps working.

The code lives in :mod:`earlywarning.validation`. The package exports the function
``validate`` under this module's name, so ``import earlywarning.validate as v`` gives the
function; ``import earlywarning.validation as v`` gives the module.
"""

from earlywarning.validation import *  # noqa: F403  (every public name)
from earlywarning.validation import __all__ as __all__
