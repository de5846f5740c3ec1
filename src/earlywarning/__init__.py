"""earlywarning: early warning that English councils' children's services are sliding.

Example:
    >>> import earlywarning as ew
    >>> a = ew.score({"council": "Derbyshire", "year": 2016, "budget_baseline_gbp_m": 131,
    ...               "budget_current_gbp_m": 90, "dcs_changes": 2})
    >>> a.band in ("low", "moderate", "high", "severe")
    True
"""

from earlywarning import datasets as datasets  # ew.datasets.use(...), in the contract
from earlywarning import io as io  # earlywarning.io.read_profiles, in the contract
from earlywarning._version import __version__
from earlywarning.backtesting import Backtest, BandFrequencies, backtest, band_frequencies
from earlywarning.calibrate import calibration_report
from earlywarning.cases import load_cases
from earlywarning.change import SmallestChange, smallest_change
from earlywarning.compare import compare
from earlywarning.engine import score, score_frame
from earlywarning.errors import (
    ArrowDependencyError,
    ColumnNameError,
    DataSourceError,
    EarlyWarningError,
    EarlyWarningWarning,
    ExcelDependencyError,
    FileEncodingWarning,
    ImplausibleValuesWarning,
    InputFileError,
    LocalFactProblem,
    LocalFactsError,
    OutcomeError,
    OutputFileError,
    PlotDependencyError,
    ProfileError,
    ProfileFileError,
    ReportDependencyError,
    RuleFileError,
    RuleProblem,
    StrategiesDependencyError,
    SuppressedValuesWarning,
    ValidationDependencyError,
)
from earlywarning.explain import Assessment, Contribution
from earlywarning.fit import FitResult, fit
from earlywarning.profile import CouncilProfile
from earlywarning.ranges import missing_impact
from earlywarning.report import CouncilReport, report
from earlywarning.report.batch import WatchlistReport, watchlist_report
from earlywarning.rules import Ruleset, load_ruleset
from earlywarning.trajectories import england_scores

# Through the old path: importing earlywarning.validate binds the package's attribute to that
# module, so it is imported here, before the function takes the name.
from earlywarning.validate import ValidationReport, validate
from earlywarning.watchlist import watchlist
from earlywarning.whatif import WhatIf, what_if, what_if_frame

__all__ = [
    "ArrowDependencyError",
    "Assessment",
    "Backtest",
    "BandFrequencies",
    "ColumnNameError",
    "Contribution",
    "CouncilProfile",
    "CouncilReport",
    "DataSourceError",
    "EarlyWarningError",
    "EarlyWarningWarning",
    "ExcelDependencyError",
    "FileEncodingWarning",
    "FitResult",
    "ImplausibleValuesWarning",
    "InputFileError",
    "LocalFactProblem",
    "LocalFactsError",
    "OutcomeError",
    "OutputFileError",
    "PlotDependencyError",
    "ProfileError",
    "ProfileFileError",
    "ReportDependencyError",
    "RuleFileError",
    "RuleProblem",
    "Ruleset",
    "SmallestChange",
    "StrategiesDependencyError",
    "SuppressedValuesWarning",
    "ValidationDependencyError",
    "ValidationReport",
    "WatchlistReport",
    "WhatIf",
    "__version__",
    "backtest",
    "band_frequencies",
    "calibration_report",
    "compare",
    "england_scores",
    "fit",
    "load_cases",
    "load_ruleset",
    "missing_impact",
    "report",
    "score",
    "score_frame",
    "smallest_change",
    "validate",
    "watchlist",
    "watchlist_report",
    "what_if",
    "what_if_frame",
]
