"""Loading a ruleset: the bundled default, a directory of rule files or one file, checked whole.

Every problem in every file is reported at once, with file, YAML path and line; the bundled
default is read once per process and shared.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from earlywarning.errors import RuleFileError
from earlywarning.rules._models import Ruleset, is_knock_on, ruleset_from_data
from earlywarning.rules._sources import SECTIONS, RuleSources, read_sources

__all__ = ["default_rules_dir", "default_ruleset", "load_ruleset"]


def default_rules_dir() -> Path:
    """Where the bundled default ruleset lives: inside the installed package, or in a checkout.

    The documented cases are in its ``cases`` folder.

    Example:
        >>> folder = default_rules_dir()
        >>> (folder / "ruleset.yaml").is_file(), (folder / "cases").is_dir()
        (True, True)
    """
    bundled = Path(str(resources.files("earlywarning"))) / "_rules"
    if (bundled / "ruleset.yaml").is_file():
        return bundled
    return Path(__file__).resolve().parents[3] / "rules"


def default_ruleset() -> Ruleset:
    """The bundled default ruleset, read and checked once per process and then shared.

    Every caller gets the same object, so modules may call it (or ``load_ruleset()``) freely;
    the models are frozen, and a changed copy is made with :meth:`Ruleset.replace`.

    Example:
        >>> default_ruleset() is default_ruleset() is load_ruleset()
        True
    """
    return _cached_default()


@cache
def _cached_default() -> Ruleset:
    return _load(default_rules_dir())


def load_ruleset(path: str | Path | None = None) -> Ruleset:
    """Load and check a ruleset: the bundled default, a directory of rule files, or one file.

    Args:
        path: a directory holding ``ruleset.yaml`` and family files, or one YAML file holding a
            whole ruleset. ``None`` gives the bundled default, read once and then shared (see
            :func:`default_ruleset`); a path is read afresh on every call.

    Raises:
        RuleFileError: listing every problem in every file, each with file, YAML path and line.

    Example:
        >>> import earlywarning as ew
        >>> rules = ew.load_ruleset()
        >>> rules.id
        'earlywarning-default'
    """
    if path is None:
        return default_ruleset()
    return _load(Path(path))


def _load(root: Path) -> Ruleset:
    sources = read_sources(root)
    if sources.problems and not any(sources.data[s] for s in SECTIONS):
        raise RuleFileError(sources.problems)
    return _check_merged(sources)


def _check_merged(sources: RuleSources) -> Ruleset:
    """Check what could be read even when some file could not, so every problem shows at once."""
    try:
        ruleset = ruleset_from_data(
            sources.data,
            str(sources.header),
            origin=sources.origin,
            header_node=sources.header_node,
        )
    except RuleFileError as exc:
        later = exc.problems
        if not sources.header_read:
            # the id, version and bands are missing only because the header could not be read
            later = [p for p in later if p.file != str(sources.header)]
        if sources.problems:
            # the rule declaring a direction or being offset may be in a file not read
            later = [p for p in later if not is_knock_on(p.message)]
        raise RuleFileError(sources.problems + later) from None
    if sources.problems:
        raise RuleFileError(sources.problems)
    return ruleset
