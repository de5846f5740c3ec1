"""One root error for everything earlywarning refuses.

Every error subclasses :class:`EarlyWarningError`, which is a :class:`ValueError`, so code that
already catches ``ValueError`` around its data handling keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass


class EarlyWarningError(ValueError):
    """Root of every error raised by earlywarning.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.EarlyWarningError, ValueError)
        True
    """


class ProfileError(EarlyWarningError):
    """A council profile holds a value that cannot be scored.

    ``field`` names the profile field and ``value`` is the value that was refused, so a
    spreadsheet user can find the cell.

    Example:
        >>> import earlywarning as ew
        >>> try:
        ...     ew.CouncilProfile(council="X", year=2020, agency_rate_pct=140)
        ... except ew.ProfileError as e:
        ...     print(e.field, e.value)
        agency_rate_pct 140
    """

    def __init__(self, field: str, value: object, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field}: {value!r} {problem}")


@dataclass(frozen=True)
class RuleProblem:
    """One problem found in a rule file: where it is and what is wrong.

    ``location`` is the YAML path within the file and ``line`` the 1-based line it starts on.

    Example:
        >>> import earlywarning as ew
        >>> p = ew.RuleProblem("rules/workforce.yaml", "indicators[0].levels[2]", "gap", 12)
        >>> print(p)
        rules/workforce.yaml:12 at indicators[0].levels[2]: gap
    """

    file: str
    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} at {self.location or '<top>'}: {self.message}"


class RuleFileError(EarlyWarningError):
    """One or more rule files are broken; ``problems`` lists every problem found, not the first.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.RuleFileError, ew.EarlyWarningError)
        True
    """

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{len(self.problems)} {noun} in the rule files:\n{lines}")


class ReportDependencyError(EarlyWarningError, ImportError):
    """A report needs jinja2 and matplotlib (the ``report`` extra), and one is not installed.

    It is both an :class:`EarlyWarningError` and an :class:`ImportError`, so either kind of
    ``except`` catches it.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.ReportDependencyError, ImportError)
        True
    """
