"""One cache for whatever is built once per ruleset: compiled arrays, explanation texts.

Rulesets are looked up by object identity: hashing a frozen pydantic model walks the whole
model, which costs more than scoring one profile. Each entry keeps its ruleset alive beside the
value, so that the id cannot be reused by another ruleset while the entry is cached.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from earlywarning.rules._models import Ruleset

__all__ = ["RULESETS_CACHED", "per_ruleset"]

RULESETS_CACHED = 16
"""Rulesets each cache holds before it drops the oldest: a session's few, a fit's last few."""

T = TypeVar("T")


def per_ruleset(build: Callable[[Ruleset], T]) -> Callable[[Ruleset], T]:
    """``build`` cached per ruleset: called once for each ruleset, then answered from the cache.

    Example:
        >>> from earlywarning.rules import load_ruleset, per_ruleset
        >>> calls = []
        >>> @per_ruleset
        ... def size(rules):
        ...     calls.append(rules.id)
        ...     return len(rules.indicators)
        >>> rules = load_ruleset()
        >>> size(rules) == size(rules) == len(rules.indicators), len(calls)
        (True, 1)
    """
    cache: dict[int, tuple[Ruleset, T]] = {}

    @functools.wraps(build)
    def cached(rules: Ruleset) -> T:
        hit = cache.get(id(rules))
        if hit is not None and hit[0] is rules:
            return hit[1]
        if len(cache) >= RULESETS_CACHED:
            cache.pop(next(iter(cache)))
        value = build(rules)
        cache[id(rules)] = (rules, value)
        return value

    return cached
