"""The documented cases: dated council snapshots encoded from news reports, with their outcomes.

Each case file in ``rules/cases/`` describes one council at one date: the profile as far as the
reports support it, the evidence for every encoded value (the seed report it came from, the fact,
and for a value read from qualitative wording the reasoning and the range that wording allows),
the Ofsted outcome that followed, and the bands the default ruleset is expected to give.

The loader checks every file and reports every problem in all of them at once, each with its
file, YAML path and line, so a reviewer editing a case by hand sees the whole list in one go.

Example:
    >>> from earlywarning.cases import load_cases
    >>> [c.id for c in load_cases()][:2]
    ['derbyshire-2016', 'derbyshire-2019']
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from earlywarning._names import excerpt, model_keys, unknown_key
from earlywarning._yaml import format_path, line_of, problem, read_yaml
from earlywarning.cases._checks import IDENTITY_FIELDS, cross_checks
from earlywarning.datasets import PANEL_FILE
from earlywarning.errors import EarlyWarningError, RuleFileError, RuleProblem
from earlywarning.profile import FIELD_NAMES, FIELDS, RATINGS, CouncilProfile, Rating, check_value
from earlywarning.rules import BAND_NAMES, BandName, default_rules_dir

__all__ = [
    "IDENTITY_FIELDS",
    "SEED_FILES",
    "Case",
    "Evidence",
    "Outcome",
    "cases_frame",
    "load_cases",
]

SEED_FILES: tuple[str, ...] = (
    "000_635313c415903b00.txt",  # CYP Now, 20 Sep 2019: Derbyshire decline after cost-cutting
    "001_9d87a91a06db6469.txt",  # Derbyshire 2019 inspection: improvements, further work needed
    "002_13146dd1edbc318b.txt",  # CYP Now, 22 May 2018: Oxfordshire holds good after reinvestment
    "003_39d1108da7034d9c.txt",  # CYP Now, 25 Nov 2016: Kirklees rated inadequate
    "004_cbddaa88cd8a755d.txt",  # Community Care, 2016: Durham from outstanding to RI
)
"""The five news reports the cases are encoded from; every evidence ``source`` is one of these.

Example:
    >>> len(SEED_FILES)
    5
"""

STATISTICS_FILE = PANEL_FILE
"""The bundled national statistics (``earlywarning.datasets``), a source for figures the reports
do not give: the value is the one :func:`earlywarning.datasets.profiles_at` builds for the case's
council at its snapshot date, and ``fact`` names the column and year.

Example:
    >>> STATISTICS_FILE
    'la_year_panel.csv'
"""

_INSPECTION_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CASE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LA_CODE = re.compile(r"^E\d{8}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Frozen):
    """Where one encoded value comes from.

    ``kind`` is ``figure`` when the report states the value (or the dated events it counts), and
    ``judgement`` when the value was chosen to represent qualitative wording; a judgement must
    say how (``reasoning``) and what range of values the wording supports (``plausible_range``).

    Example:
        >>> e = Evidence(kind="figure", source="000_635313c415903b00.txt",
        ...              fact="The budget was £131m in 2010.")
        >>> e.kind
        'figure'
    """

    kind: Literal["figure", "judgement"]
    source: str
    fact: str = Field(min_length=1)
    reasoning: str | None = None
    plausible_range: tuple[float, float] | None = None

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in (*SEED_FILES, STATISTICS_FILE):
            raise ValueError(
                f"{excerpt(value)} is not one of the seed reports {list(SEED_FILES)} "
                f"or the national statistics {STATISTICS_FILE!r}"
            )
        return value

    @field_validator("plausible_range")
    @classmethod
    def _ordered(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None:
            low, high = value
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ValueError("the range must be finite numbers")
            if low > high:
                raise ValueError(f"the range is reversed: {low:g} is above {high:g}")
        return value

    @model_validator(mode="after")
    def _judgement_is_explained(self) -> Evidence:
        if self.kind == "judgement":
            missing = [
                name
                for name, v in (
                    ("reasoning", self.reasoning),
                    ("plausible_range", self.plausible_range),
                )
                if v is None or (isinstance(v, str) and not v.strip())
            ]
            if missing:
                raise ValueError(f"a judgement needs {' and '.join(missing)}")
        elif self.plausible_range is not None:
            raise ValueError("a figure is stated in the report, so it has no plausible_range")
        return self


class Outcome(_Frozen):
    """The Ofsted judgements either side of a snapshot, and whether it was an early warning.

    ``preceded_decline`` is true when the snapshot came before a judgement worse than the one
    before it and the decline was still ahead (an early-warning case); a snapshot taken after
    the services had declined and begun to recover is false even if the judgement that followed
    recorded the decline.

    Example:
        >>> o = Outcome(previous_rating="good", previous_inspection="2013",
        ...             new_rating="requires improvement", new_inspection="2019",
        ...             change="declined", preceded_decline=True)
        >>> o.new_rating
        'requires_improvement'
    """

    previous_rating: Rating
    previous_inspection: str
    new_rating: Rating
    new_inspection: str
    change: Literal["declined", "held", "improved"]
    preceded_decline: bool

    @field_validator("previous_rating", "new_rating", mode="before")
    @classmethod
    def _rating(cls, value: Any) -> Any:
        try:
            return check_value("previous_rating", value)
        except EarlyWarningError:
            return value  # the Literal check reports it

    @field_validator("previous_inspection", "new_inspection", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        if isinstance(value, int | date) and not isinstance(value, bool):
            value = str(value)  # unquoted 2013 or 2013-06-30 in YAML
        if isinstance(value, str) and not _INSPECTION_DATE.match(value.strip()):
            message = "is not a year or an ISO date (2013, 2013-06, 2013-06-30)"
            raise ValueError(f"{excerpt(value)} {message}")
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> Outcome:
        before, after = RATINGS.index(self.previous_rating), RATINGS.index(self.new_rating)
        actual = "declined" if after > before else "improved" if after < before else "held"
        if self.change != actual:
            raise ValueError(
                f"change is {self.change!r} but {self.previous_rating} to {self.new_rating} "
                f"is {actual!r}"
            )
        if self.preceded_decline and actual != "declined":
            raise ValueError("preceded_decline is true but the judgement did not decline")
        return self


class Case(_Frozen):
    """One documented council snapshot: profile, evidence, outcome and expected bands.

    ``profile`` holds the encoded values as written in the case file; :meth:`profile_model`
    turns them into a checked :class:`~earlywarning.profile.CouncilProfile`.

    Example:
        >>> case = next(c for c in load_cases() if c.id == "derbyshire-2016")
        >>> case.profile["budget_current_gbp_m"], case.evidence["dcs_changes"].kind
        (90, 'figure')
        >>> case.expected_bands
        ('high', 'severe')
    """

    id: str
    council: str = Field(min_length=1)
    la_code: str
    snapshot: date
    summary: str = Field(min_length=1)
    profile: dict[str, Any]
    evidence: dict[str, Evidence]
    outcome: Outcome
    expected_bands: tuple[BandName, ...] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _CASE_ID.match(value):
            raise ValueError(f"{excerpt(value)} must be lower-case words joined by hyphens")
        return value

    @field_validator("la_code")
    @classmethod
    def _la_code(cls, value: str) -> str:
        if not _LA_CODE.match(value):
            message = "is not an ONS code for an English council (E + 8 digits)"
            raise ValueError(f"{excerpt(value)} {message}")
        return value

    @field_validator("snapshot", mode="before")
    @classmethod
    def _snapshot(cls, value: Any) -> Any:
        # a YAML date is fine; a datetime is not a date the profile can describe
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"{excerpt(value)} is not an ISO date (YYYY-MM-DD)") from None
        return value

    @field_validator("expected_bands")
    @classmethod
    def _bands(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"{list(value)} repeats a band")
        idx = [BAND_NAMES.index(b) for b in value]
        if idx != list(range(min(idx), max(idx) + 1)):
            raise ValueError(
                f"{list(value)} must be neighbouring bands in order, from {list(BAND_NAMES)}"
            )
        return value

    @model_validator(mode="after")
    def _checked(self, info: ValidationInfo) -> Case:
        # the loader runs the same checks itself on the raw file, so that it can report them
        # even when the structure is wrong as well, each with its own YAML path and line
        if isinstance(info.context, dict) and info.context.get("cross_checks") is False:
            return self
        found = cross_checks(self.model_dump())
        if found:
            raise ValueError("; ".join(f"{format_path(path)}: {msg}" for path, msg in found))
        return self

    def profile_model(self) -> CouncilProfile:
        """The encoded profile as a checked :class:`~earlywarning.profile.CouncilProfile`.

        The case's ``la_code`` is filled in when the profile does not repeat it.

        Example:
            >>> case = next(c for c in load_cases() if c.id == "derbyshire-2016")
            >>> round(case.profile_model().budget_cut_pct, 1)
            31.3
        """
        return CouncilProfile(**{"la_code": self.la_code, **self.profile})


def _default_cases_dir() -> Path:
    """The bundled cases: the ``cases`` folder of :func:`~earlywarning.rules.default_rules_dir`."""
    return default_rules_dir() / "cases"


def load_cases(path: str | Path | None = None) -> list[Case]:
    """Load and check every ``*.yaml`` case file in a directory, sorted by case id.

    Args:
        path: a directory of case files. ``None`` loads the bundled cases.

    Returns:
        The cases, sorted by ``id``: a copy of its own for each caller, since the cases of a
        directory are read once for as long as its files' contents stay the same.

    Raises:
        RuleFileError: listing every problem in every file at once, each with the file, the YAML
            path and (where known) the line.

    Example:
        >>> cases = load_cases()
        >>> [c.id for c in cases]  # doctest: +NORMALIZE_WHITESPACE
        ['derbyshire-2016', 'derbyshire-2019', 'durham-2016', 'kirklees-2016',
         'oxfordshire-2016', 'oxfordshire-2018']
        >>> cases[0].outcome.preceded_decline
        True
    """
    root = Path(path) if path is not None else _default_cases_dir()
    if not root.is_dir():
        raise RuleFileError([RuleProblem(str(root), "", "no such directory of case files")])
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise RuleFileError([RuleProblem(str(root), "", "no *.yaml case files in the directory")])

    key = _contents(files)
    cases = _READ.get(key) if key is not None else None
    if cases is None:
        cases = _load_all(files)
        if key is not None and _contents(files) == key:  # unchanged while it was read
            _READ[key] = cases
            while len(_READ) > _READ_KEPT:
                del _READ[next(iter(_READ))]
    # the models are frozen, but their profile and evidence are dicts a caller could change
    return copy.deepcopy(cases)


_READ: dict[tuple[tuple[str, bytes], ...], list[Case]] = {}
"""Cases read and checked, by the names and contents of their files: what they are a function of.

Many callers load the same cases over and over (each calibration and validation run); keyed
by content rather than by modification time, a file edited within one tick of the clock, to
the same size, is still read anew. Only directories that load cleanly are kept.
"""
_READ_KEPT = 8  # directories of cases kept; the bundled one is the one read again and again


def _contents(files: list[Path]) -> tuple[tuple[str, bytes], ...] | None:
    """Each file's name and bytes, or None when one cannot be read (its problem is reported
    when it is loaded)."""
    try:
        return tuple((file.name, file.read_bytes()) for file in files)
    except OSError:
        return None


def _load_all(files: list[Path]) -> list[Case]:
    """The cases in ``files``, sorted by id, or every problem with them raised at once."""
    problems: list[RuleProblem] = []
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    for file in files:
        case_id, line, case = _load_one(file, problems)
        if case_id is not None:
            if case_id != file.stem:
                message = f"{case_id!r} must match the file name ({file.stem!r})"
                problems.append(RuleProblem(str(file), "id", message, line))
            if case_id in seen:
                message = f"{case_id!r} is also the id in {seen[case_id]}"
                problems.append(RuleProblem(str(file), "id", message, line))
            seen.setdefault(case_id, file)
        if case is not None:
            cases.append(case)
    if problems:
        raise RuleFileError(problems)
    return sorted(cases, key=lambda c: c.id)


def _load_one(
    file: Path, problems: list[RuleProblem]
) -> tuple[str | None, int | None, Case | None]:
    """Read and check one case file, adding its problems to ``problems``.

    Returns the id written in the file (when it is text), the line of that id, and the case
    (when it is valid).
    """
    doc, node = read_yaml(file, problems)
    if doc is None:
        return None, None, None

    case_id = doc.get("id") if isinstance(doc.get("id"), str) else None
    id_line = line_of(node, ["id"])
    for path, msg in cross_checks(doc):
        problems.append(problem(file, node, path, msg))
    try:
        case = Case.model_validate(doc, context={"cross_checks": False})
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(step for step in err["loc"] if not _is_internal(step))
            problems.append(problem(file, node, loc, _message(err, loc)))
        return case_id, id_line, None
    return case_id, id_line, case


def _is_internal(step: Any) -> bool:
    # pydantic adds tags such as "function-after[...]" or "literal['low', ...]" to some paths
    return isinstance(step, str) and ("[" in step or step.startswith("function-"))


def _message(err: Any, loc: tuple[Any, ...]) -> str:
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if err["type"] == "missing":
        return msg.lower()
    if err["type"] == "extra_forbidden":
        return unknown_key(loc[-1], model_keys(Case, loc[:-1]))
    value = err.get("input")
    if isinstance(value, dict | list) or excerpt(value) in msg:
        return msg
    return f"{excerpt(value)}: {msg}"


def cases_frame(cases: Sequence[Case] | None = None) -> pd.DataFrame:
    """The cases' encoded profiles as a DataFrame, one row per case, ready for scoring.

    Columns are the profile fields encoded in at least one case, in the order of
    :data:`earlywarning.profile.FIELD_NAMES`, with values in canonical form (ratings spelled
    ``requires_improvement``, flags as booleans); a field a case does not encode is missing.
    Counts and flags use pandas' nullable dtypes (``Int64``, ``boolean``). ``budget_cut_pct`` is
    left out unless a case encodes it, since it is derived from the budgets. The index is the case
    id.

    Args:
        cases: the cases to tabulate; ``None`` loads the bundled cases.

    Example:
        >>> df = cases_frame()
        >>> row = df.loc["derbyshire-2016"]
        >>> float(row["budget_baseline_gbp_m"]), int(row["dcs_changes"]), bool(row["restructure"])
        (131.0, 2, True)
        >>> str(df["dcs_changes"].dtype)
        'Int64'
        >>> df.index.name
        'case'
    """
    if cases is None:
        cases = load_cases()
    rows: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for case in cases:
        model = case.profile_model()
        keys = ({k for k, v in case.profile.items() if v is not None} | {"la_code"}) & set(
            FIELD_NAMES
        )
        used |= keys
        rows[case.id] = {k: getattr(model, k) for k in keys}
    columns = [name for name in FIELD_NAMES if name in used]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    # nullable dtypes keep a count a whole number and a flag a flag when some cases leave them out
    kinds = {spec.name: spec.kind for spec in FIELDS}
    for name in columns:
        if kinds[name] == "integer":
            frame[name] = frame[name].astype("Int64")
        elif kinds[name] == "flag":
            frame[name] = frame[name].astype("boolean")
        elif kinds[name] == "number":
            frame[name] = frame[name].astype("float64")
    frame.index.name = "case"
    return frame
