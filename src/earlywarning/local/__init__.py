"""A council's own facts: directors, budgets, management posts, restructures, reinvestment.

National statistics carry no series of a council's budget, its management posts or its
directors of children's services, yet these are the headline warning signs. The people who know
them are the council's own analysts and its finance and HR teams. This package lets them write
what they know once, dated, in a YAML or CSV file (see the Local facts page of the docs), and
gives the profile fields those facts settle on any day:

* :func:`read_local_facts` reads and checks a file, refusing every bad value with its file, line
  and value (:class:`~earlywarning.errors.LocalFactsError`);
* :meth:`LocalFacts.at` gives the profile fields as they stood on a day, from facts dated on or
  before it; :meth:`LocalFacts.derivations` says how each was worked out and from which facts;
* :func:`local_template` writes a file for a council to fill in, with the national figures as
  comments for checking.

Example:
    >>> import tempfile, pathlib
    >>> from earlywarning.local import read_local_facts
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "facts.csv"
    >>> _ = f.write_text(
    ...     "council,fact,date,end,value,name,interim\\n"
    ...     "Derbyshire,directors,2011-08-01,,,Ian Thomas,no\\n"
    ...     "Derbyshire,directors,2015-01-01,,,Ian Johnson,yes\\n"
    ...     "Derbyshire,directors,2016-02-01,,,Jane Parfrement,no\\n"
    ... )
    >>> read_local_facts(f).at("Derbyshire", "2016-06-30")
    {'dcs_changes': 2, 'interim_dcs': False}
"""

from earlywarning.local._check import BUDGET_LIMIT_GBP_M, UNIT_RATIO
from earlywarning.local._derive import (
    DIRECTOR_WINDOW_YEARS,
    HOLD_YEARS,
    LOOKBACK_YEARS,
    Derivation,
)
from earlywarning.local._facts import MAX_LOOKBACK_YEARS, LocalFacts
from earlywarning.local._model import (
    Appointment,
    CouncilFacts,
    Event,
    FieldValue,
    PostCount,
    Provenance,
    YearAmount,
)
from earlywarning.local._read import FORMATS, read_local_facts
from earlywarning.local._sections import CSV_COLUMNS, LEADERSHIP_AND_BUDGET, SECTIONS, Section
from earlywarning.local._template import local_template

__all__ = [
    "BUDGET_LIMIT_GBP_M",
    "CSV_COLUMNS",
    "DIRECTOR_WINDOW_YEARS",
    "FORMATS",
    "HOLD_YEARS",
    "LEADERSHIP_AND_BUDGET",
    "LOOKBACK_YEARS",
    "MAX_LOOKBACK_YEARS",
    "SECTIONS",
    "UNIT_RATIO",
    "Appointment",
    "CouncilFacts",
    "Derivation",
    "Event",
    "FieldValue",
    "LocalFacts",
    "PostCount",
    "Provenance",
    "Section",
    "YearAmount",
    "local_template",
    "read_local_facts",
]
