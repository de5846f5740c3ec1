"""One root error for everything earlywarning refuses.

Every error subclasses :class:`EarlyWarningError`, which is a :class:`ValueError`, so code that
already catches ``ValueError`` around its data handling keeps working.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from earlywarning._names import excerpt

__all__ = [
    "ArrowDependencyError",
    "ColumnNameError",
    "DataSourceError",
    "EarlyWarningError",
    "EarlyWarningWarning",
    "ExcelDependencyError",
    "FileEncodingWarning",
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
    "StrategiesDependencyError",
    "SuppressedValuesWarning",
    "ValidationDependencyError",
    "quoted",
]


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
        super().__init__(f"{field}: {quoted(value)} {problem}")


def quoted(value: object) -> str:
    """A refused value as an error message shows it: its ``repr``, or a description of an
    integer too long for Python to print.

    Example:
        >>> quoted("twelve"), quoted(10**5000)
        ("'twelve'", '<an integer of about 5001 digits>')
    """
    try:
        return repr(value)
    except ValueError:  # Python refuses to print an integer of more than 4,300 digits
        assert isinstance(value, int)
        return f"<an integer of about {int(value.bit_length() * 0.30103) + 1} digits>"


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


class OutcomeError(EarlyWarningError):
    """An outcome or flag column holds a value that is not yes/no.

    ``column`` names the column, ``row`` the row (its index label) and ``value`` the value that
    was refused, so the cell can be found.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.flags import flag_column
        >>> try:
        ...     flag_column(["yes", "maybe"], "below_good")
        ... except ew.OutcomeError as e:
        ...     print(e.column, e.row, e.value)
        below_good 1 maybe
    """

    def __init__(self, column: str, row: object, value: object) -> None:
        self.column = column
        self.row = row
        self.value = value
        problem = "is not true/false (yes/no, 1/0)"
        if _is_missing(value):
            problem = "is missing (give yes or no)"
        super().__init__(f"column {column!r}, row {row!r}: {value!r} {problem}")


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        # NaN is the one value not equal to itself: a blank cell read by pandas
        return bool(value != value)
    except (TypeError, ValueError):
        return True  # pandas' NA, which refuses to be a bool, is missing too


class ValidationDependencyError(EarlyWarningError, ImportError):
    """scikit-learn is not installed, so the logistic-regression baseline cannot be fitted.

    Example:
        >>> from earlywarning.errors import ValidationDependencyError
        >>> issubclass(ValidationDependencyError, ImportError)
        True
    """


class PlotDependencyError(EarlyWarningError, ImportError):
    """matplotlib is not installed, so no chart can be drawn.

    It is both an :class:`EarlyWarningError` and an :class:`ImportError`, so either kind of
    ``except`` catches it.

    Example:
        >>> from earlywarning.errors import PlotDependencyError
        >>> issubclass(PlotDependencyError, ImportError)
        True
    """


class ColumnNameError(ProfileError):
    """Columns named like misspelt profile fields; ``suggestions`` maps each to its field.

    Every such column is named at once. Columns that resemble no field are not an error: they
    are carried through to the output unchanged. ``field`` and ``value`` name the first column.

    Example:
        >>> import earlywarning as ew
        >>> e = ew.ColumnNameError({"agency_rate": "agency_rate_pct", "Year": "year"})
        >>> print(e)  # doctest: +NORMALIZE_WHITESPACE
        2 columns look like misspelt profile fields: 'agency_rate' (did you mean
        'agency_rate_pct'?), 'Year' (did you mean 'year'?)
    """

    def __init__(self, suggestions: dict[str, str]) -> None:
        self.suggestions = dict(suggestions)
        parts = [f"{c!r} (did you mean {f!r}?)" for c, f in self.suggestions.items()]
        n = len(parts)
        noun = (
            "column looks like a misspelt profile field"
            if n == 1
            else "columns look like misspelt profile fields"
        )
        first = next(iter(self.suggestions), "")
        self.field = first
        self.value = first
        self.problem = f"{n} {noun}: " + ", ".join(parts)
        EarlyWarningError.__init__(self, self.problem)


class InputFileError(EarlyWarningError):
    """A file given to read cannot be read: missing, empty, too big, badly encoded, not valid
    YAML, JSON, CSV or Excel, or holding what a safe reader refuses (an alias, a key written
    twice, a workbook that expands far beyond its size).

    ``file`` is the path as given; ``line`` (1-based) and ``byte`` (0-based offset in the file)
    say where, when the problem has a place. :class:`ProfileFileError` is the one raised for a
    profile file.

    Example:
        >>> import earlywarning as ew
        >>> print(ew.InputFileError("judgements.yaml", "key 'date' is written twice", line=4))
        judgements.yaml:4: key 'date' is written twice
    """

    def __init__(
        self, file: object, message: str, *, line: int | None = None, byte: int | None = None
    ) -> None:
        self.file = str(file)
        self.line = line
        self.byte = byte
        self.message = message
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {message}")


class ProfileFileError(InputFileError):
    """A profile file cannot be read: missing, empty, a directory, badly encoded or ragged.

    ``file`` is the path as given; ``line`` (1-based) and ``byte`` (0-based offset in the file)
    say where, when the problem has a place.

    Example:
        >>> import earlywarning as ew
        >>> print(ew.ProfileFileError("councils.csv", "row has 4 fields, the header 3", line=7))
        councils.csv:7: row has 4 fields, the header 3
    """


class DataSourceError(InputFileError):
    """A publisher's file (DfE, ONS, Ofsted, Data to Insight) is not in the layout it should be.

    An :class:`InputFileError`, so that one ``except`` catches every file that cannot be read.

    ``file`` is the path as given; ``line`` (1-based, for a CSV) or ``sheet`` and ``row`` (for a
    workbook) say where, when the problem has a place; ``reason`` says what is wrong.

    Example:
        >>> import earlywarning as ew
        >>> print(ew.DataSourceError("csww.csv", "no column 'time_period'", line=1))
        csww.csv:1: no column 'time_period'
        >>> print(ew.DataSourceError("outcomes.ods", "'Good!' is not a judgement",
        ...                          sheet="ILACS_inspection_history", row=12))
        outcomes.ods, sheet 'ILACS_inspection_history', row 12: 'Good!' is not a judgement
    """

    def __init__(
        self,
        file: object,
        reason: str,
        *,
        line: int | None = None,
        sheet: str | None = None,
        row: int | None = None,
    ) -> None:
        self.file = str(file)
        self.reason = self.message = reason
        self.line = line
        self.byte = None
        self.sheet = sheet
        self.row = row
        if sheet is not None:
            where = f"{self.file}, sheet {excerpt(sheet)}" + (f", row {row}" if row else "")
        else:
            where = f"{self.file}:{line}" if line else self.file
        # the place is said as a workbook's sheet and row, which InputFileError cannot say
        EarlyWarningError.__init__(self, f"{where}: {reason}")


class OutputFileError(EarlyWarningError):
    """An output file cannot be written (no such folder, no permission); nothing was left behind.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.OutputFileError, ew.EarlyWarningError)
        True
    """


class ExcelDependencyError(EarlyWarningError, ImportError):
    """Reading or writing ``.xlsx`` needs openpyxl: ``pip install "earlywarning[excel]"``.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.ExcelDependencyError, ImportError)
        True
    """


class ArrowDependencyError(EarlyWarningError, ImportError):
    """Reading a Parquet or Feather (Arrow IPC) file needs pyarrow:
    ``pip install "earlywarning[arrow]"``.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.ArrowDependencyError, ImportError)
        True
    """


class EarlyWarningWarning(UserWarning):
    """Root of every warning earlywarning gives: something was read, but deserves a look.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.SuppressedValuesWarning, ew.EarlyWarningWarning)
        True
    """


class SuppressedValuesWarning(EarlyWarningWarning):
    """Cells held a statistical suppression code (``x``, ``c``, ``low``...) and read as missing.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.SuppressedValuesWarning, UserWarning)
        True
    """


class FileEncodingWarning(EarlyWarningWarning):
    """A file was not UTF-8 and was read in the one other encoding that fits (Windows-1252).

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.FileEncodingWarning, ew.EarlyWarningWarning)
        True
    """


class ImplausibleValuesWarning(EarlyWarningWarning):
    """Values that are valid but look wrong, such as percentages given as fractions (0.14, not 14).

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.ImplausibleValuesWarning, ew.EarlyWarningWarning)
        True
    """


class StrategiesDependencyError(EarlyWarningError, ImportError):
    """hypothesis is not installed, so :mod:`earlywarning.strategies` cannot be imported.

    The message names the ``strategies`` extra that installs it, and ``name`` (as on any
    :class:`ImportError`) is ``"hypothesis"``.

    Example:
        >>> from earlywarning.errors import StrategiesDependencyError
        >>> issubclass(StrategiesDependencyError, ImportError)
        True
    """


class ReportDependencyError(EarlyWarningError, ImportError):
    """A report needs jinja2 and matplotlib (the ``report`` extra), and one is not installed.

    It is both an :class:`EarlyWarningError` and an :class:`ImportError`, so either kind of
    ``except`` catches it.

    Example:
        >>> import earlywarning as ew
        >>> issubclass(ew.ReportDependencyError, ImportError)
        True
    """


@dataclass(frozen=True)
class LocalFactProblem:
    """One problem found in a file of local facts: where it is, the value refused, what is wrong.

    ``line`` is 1-based (None when the problem has no one place in the file), ``location`` the
    place within the file (a YAML path such as ``directors[1].start``, or a CSV column), and
    ``value`` the value refused as it was read (None when the problem is not one value's).

    Example:
        >>> import datetime as dt
        >>> import earlywarning as ew
        >>> p = ew.LocalFactProblem(
        ...     "derbyshire.yaml", 12, "directors[1].start", dt.date(2031, 1, 1), "is in the future"
        ... )
        >>> print(p)
        derbyshire.yaml:12 at directors[1].start: '2031-01-01' is in the future
    """

    file: str
    line: int | None
    location: str
    value: object
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        at = f" at {self.location}" if self.location else ""
        if self.value is None:
            return f"{where}{at}: {self.message}"
        # a date is quoted as it is written in a file, not as Python spells it
        shown = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        return f"{where}{at}: {quoted(shown)} {self.message}"


class LocalFactsError(EarlyWarningError):
    """A file of a council's own facts holds facts that cannot be used.

    ``problems`` lists every problem found, each a :class:`LocalFactProblem` with the file, the
    line and the value; ``file``, ``line`` and ``value`` are the first problem's.

    Example:
        >>> import earlywarning as ew
        >>> problem = ew.LocalFactProblem("f.csv", 3, "council", "Narnia", "is not known")
        >>> e = ew.LocalFactsError([problem])
        >>> print(e)
        1 problem in the local facts:
          - f.csv:3 at council: 'Narnia' is not known
        >>> e.line, e.value
        (3, 'Narnia')
    """

    def __init__(self, problems: list[LocalFactProblem]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        self.file = first.file if first else ""
        self.line = first.line if first else None
        self.value = first.value if first else None
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{len(self.problems)} {noun} in the local facts:\n{lines}")
