"""Names and values as messages quote them: suggestions for misspelt names, the keys a model
allows where a key was refused, and short excerpts of refused values.
"""

from __future__ import annotations

import difflib
import reprlib
import types
from collections.abc import Iterable, Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["EXCERPT_LENGTH", "did_you_mean", "excerpt", "model_keys", "unknown_key"]

EXCERPT_LENGTH = 60
"""The most characters of a refused value quoted in a message."""

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = EXCERPT_LENGTH
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxlevel = 2


def did_you_mean(name: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """``"did you mean 'x'?"`` for the closest of ``choices``, or ``""`` when none is close.

    The caller decides how to attach it to its message, so each message keeps its own shape.
    ``cutoff`` is :func:`difflib.get_close_matches`'s: how alike (0 to 1) a choice must be.

    Example:
        >>> did_you_mean("pionts", ["points", "label", "from"])
        "did you mean 'points'?"
        >>> did_you_mean("zzz", ["points"]), did_you_mean("pnts", ["points"], cutoff=0.9)
        ('', '')
    """
    if not isinstance(name, str):  # a number or a list used as a key is close to nothing
        return ""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=cutoff)
    return f"did you mean {close[0]!r}?" if close else ""


def excerpt(value: Any) -> str:
    """``repr(value)``, cut to a short excerpt: a message never echoes a whole hostile value.

    The excerpt is built without writing out the whole value, so a huge one costs little.

    Example:
        >>> excerpt("points")
        "'points'"
        >>> excerpt("x" * 1000)
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
        >>> len(excerpt(list(range(10**6)))) <= EXCERPT_LENGTH
        True
    """
    text = _REPR.repr(value)
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 3] + "..."


def unknown_key(key: Any, allowed: Sequence[str]) -> str:
    """The message for a key not allowed where it is: a suggestion, or the keys that are.

    Example:
        >>> unknown_key("pionts", ["from", "below", "points"])
        "unknown key 'pionts'; did you mean 'points'?"
        >>> unknown_key("zzz", ["from", "points"])
        "unknown key 'zzz'; expected one of ['from', 'points']"
    """
    hint = did_you_mean(key, allowed)
    if hint:
        return f"unknown key {excerpt(key)}; {hint}"
    if allowed:
        return f"unknown key {excerpt(key)}; expected one of {sorted(allowed)}"
    return f"unknown key {excerpt(key)}"


def model_keys(model: type[BaseModel], path: Sequence[str | int]) -> list[str]:
    """The keys (as written in a file, aliases included) of the mapping at ``path`` in data
    for ``model``; empty when ``path`` does not lead to a model.

    Example:
        >>> from earlywarning.rules import Ruleset
        >>> model_keys(Ruleset, ["indicators", 0, "levels", 2])[:4]
        ['from', 'below', 'points', 'label']
        >>> model_keys(Ruleset, ["id"])
        []
    """
    current: Any = model
    for step in path:
        if _is_model(current):
            field = _field(current, step)
            if field is None:
                return []
            current = _model_in(field.annotation)
        else:  # a list or mapping of models: the step is an index or a key
            current = _element(current)
    current = current if _is_model(current) else _element(current)
    if not _is_model(current):
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _is_model(x: Any) -> bool:
    return isinstance(x, type) and issubclass(x, BaseModel)


def _field(model: type[BaseModel], step: str | int) -> Any:
    for name, field in model.model_fields.items():
        if step in (name, field.alias):
            return field
    return None


def _model_in(annotation: Any) -> Any:
    """A model or an optional model as the model itself; anything else unchanged."""
    if get_origin(annotation) in (Union, types.UnionType):
        models = [a for a in get_args(annotation) if a is not type(None)]
        if len(models) == 1 and _is_model(models[0]):
            return models[0]
    return annotation


def _element(annotation: Any) -> Any:
    """The model held by a container type such as ``tuple[Level, ...] | None``, or None."""
    for arg in get_args(annotation):
        found = arg if _is_model(arg) else _element(arg)
        if found is not None:
            return found
    return None
