"""Kept so that ``earlywarning.validate`` keeps working.

The code lives in :mod:`earlywarning.validation`. The package exports the function
``validate`` under this module's name, so ``import earlywarning.validate as v`` gives the
function; ``import earlywarning.validation as v`` gives the module.
"""

from earlywarning.validation import (
    NATIONAL_MEASURES,
    OUTCOME_LABELS,
    OUTCOMES,
    ValidationDependencyError,
    ValidationReport,
    baseline_inputs,
    england_scores,
    rising_risk,
    roc_curve,
    validate,
    validate_profiles,
)

__all__ = [
    "NATIONAL_MEASURES",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "ValidationDependencyError",
    "ValidationReport",
    "baseline_inputs",
    "england_scores",
    "rising_risk",
    "roc_curve",
    "validate",
    "validate_profiles",
]
