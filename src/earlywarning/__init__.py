"""earlywarning: early warning that English councils' children's services are sliding.

Example:
    >>> import earlywarning as ew
    >>> a = ew.score({"council": "Derbyshire", "year": 2016, "budget_baseline_gbp_m": 131,
    ...               "budget_current_gbp_m": 90, "dcs_changes": 2})
    >>> a.band in ("low", "moderate", "high", "severe")
    True
"""

from earlywarning.engine import score, score_frame
from earlywarning.errors import EarlyWarningError, ProfileError, RuleFileError, RuleProblem
from earlywarning.explain import Assessment, Contribution
from earlywarning.profile import CouncilProfile
from earlywarning.rules import Ruleset, load_ruleset

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "Contribution",
    "CouncilProfile",
    "EarlyWarningError",
    "ProfileError",
    "RuleFileError",
    "RuleProblem",
    "Ruleset",
    "__version__",
    "load_ruleset",
    "score",
    "score_frame",
]
