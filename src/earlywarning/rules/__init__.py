"""The ruleset as data: pydantic models of the rule files, and the loader.

Rule files are YAML read by PyYAML's safe loader (``earlywarning._yaml``), never run as code. A
directory holds ``ruleset.yaml`` (id, version, bands) and one file per indicator family, or one
file holds a whole ruleset (as :meth:`Ruleset.to_yaml` writes it). The checks, in
``_checks``, report every problem in every file at once, with file, path and line.

The bundled default ruleset is read once per process: :func:`load_ruleset` with no path and
:func:`default_ruleset` return the same object (the models are frozen, so sharing it is safe).
"""

from earlywarning.rules._cache import per_ruleset
from earlywarning.rules._loader import (
    default_rules_dir,
    default_ruleset,
    load_ruleset,
)
from earlywarning.rules._models import (
    POINTS_LIMIT,
    Band,
    Combination,
    Condition,
    Indicator,
    Level,
    Ruleset,
    check_ruleset,
    ruleset_from_data,
)
from earlywarning.vocabulary import BAND_NAMES, BandName, Direction

__all__ = [
    "BAND_NAMES",
    "POINTS_LIMIT",
    "Band",
    "BandName",
    "Combination",
    "Condition",
    "Direction",
    "Indicator",
    "Level",
    "Ruleset",
    "check_ruleset",
    "default_rules_dir",
    "default_ruleset",
    "load_ruleset",
    "per_ruleset",
    "ruleset_from_data",
]
