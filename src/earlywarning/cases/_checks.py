"""The cross-field checks of one documented case, read from the raw data of its file.

Each check is a small function returning ``(YAML path, message)`` pairs; :func:`cross_checks`
runs them all. Parts of a case that are malformed are skipped here, since the structural
validation of ``earlywarning.cases`` reports them.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from pydantic import ValidationError

from earlywarning.errors import EarlyWarningError, ProfileError
from earlywarning.profile import CouncilProfile, check_value

__all__ = [
    "IDENTITY_FIELDS",
    "Found",
    "check_evidence_entries",
    "check_identity",
    "check_plausible_ranges",
    "check_previous_rating",
    "cross_checks",
    "encoded_fields",
]

IDENTITY_FIELDS: frozenset[str] = frozenset({"council", "year", "la_code"})
"""Profile fields that identify the council and need no evidence entry.

Example:
    >>> sorted(IDENTITY_FIELDS)
    ['council', 'la_code', 'year']
"""

Found = list[tuple[tuple[str | int, ...], str]]
"""(YAML path, message) pairs found by the checks of one case."""


def cross_checks(doc: dict[str, Any]) -> Found:
    """Every cross-field problem in one case, read from its raw data, as (YAML path, message).

    The checks: the profile is a valid :class:`~earlywarning.profile.CouncilProfile` naming the
    same council, code and year as the case; every encoded field except the identity fields has
    an evidence entry and every evidence entry an encoded field; each judgement's range contains
    the encoded value; the outcome's previous rating is the profile's.

    Example:
        >>> cross_checks({"council": "Derbyshire", "snapshot": "2016-03-31",
        ...               "profile": {"council": "Derbyshire", "year": 2015, "dcs_changes": 2},
        ...               "evidence": {}})  # doctest: +NORMALIZE_WHITESPACE
        [(('profile', 'year'), '2015 is not the year of the snapshot (2016-03-31)'),
         (('evidence',), "no evidence entry for the encoded field 'dcs_changes'")]
    """
    profile = doc.get("profile")
    if not isinstance(profile, dict):
        return []
    found: Found = []
    try:
        model = CouncilProfile(**{"la_code": doc.get("la_code"), **profile})
    except (EarlyWarningError, ValidationError, TypeError) as exc:
        # CouncilProfile raises ProfileError itself (not wrapped by pydantic), naming its field
        at: tuple[str | int, ...] = ("profile",)
        if isinstance(exc, ProfileError) and exc.field in profile:
            at = ("profile", exc.field)
        found.append((at, str(exc)))
    else:
        found += check_identity(model, doc)
        found += check_previous_rating(model, doc)
    evidence = doc.get("evidence")
    if isinstance(evidence, dict):
        encoded = encoded_fields(profile)
        found += check_evidence_entries(encoded, evidence)
        found += check_plausible_ranges(profile, encoded, evidence)
    return found


def encoded_fields(profile: dict[Any, Any]) -> set[str]:
    """The fields a case encodes that need evidence: given a value, and not identity fields.

    Example:
        >>> sorted(encoded_fields({"council": "X", "dcs_changes": 2, "avg_caseload": None}))
        ['dcs_changes']
    """
    return {str(k) for k, v in profile.items() if v is not None} - IDENTITY_FIELDS


def check_identity(model: CouncilProfile, doc: dict[str, Any]) -> Found:
    """The profile names the case's council and code, and describes the snapshot's year.

    Example:
        >>> model = CouncilProfile(council="Derbyshire", year=2016)
        >>> check_identity(model, {"council": "Durham"})
        [(('profile', 'council'), "'Derbyshire' is not the case's 'Durham'")]
    """
    found: Found = []
    council, la_code = doc.get("council"), doc.get("la_code")
    if isinstance(council, str) and model.council != council.strip():
        found.append((("profile", "council"), f"{model.council!r} is not the case's {council!r}"))
    if isinstance(la_code, str) and model.la_code != la_code:
        found.append((("profile", "la_code"), f"{model.la_code!r} is not the case's {la_code!r}"))
    snapshot = _as_date(doc.get("snapshot"))
    if snapshot is not None and model.year != snapshot.year:
        message = f"{model.year} is not the year of the snapshot ({snapshot.isoformat()})"
        found.append((("profile", "year"), message))
    return found


def check_previous_rating(model: CouncilProfile, doc: dict[str, Any]) -> Found:
    """The outcome's previous rating is the profile's, when both are given.

    Example:
        >>> model = CouncilProfile(council="X", year=2016, previous_rating="good")
        >>> [message for _, message in
        ...  check_previous_rating(model, {"outcome": {"previous_rating": "outstanding"}})]
        ["'outstanding' is not the profile's previous_rating ('good')"]
    """
    outcome = doc.get("outcome")
    before = outcome.get("previous_rating") if isinstance(outcome, dict) else None
    try:
        before = check_value("previous_rating", before)
    except EarlyWarningError:
        return []  # reported by the structural validation
    if before is None or model.previous_rating in (None, before):
        return []
    message = f"{before!r} is not the profile's previous_rating ({model.previous_rating!r})"
    return [(("outcome", "previous_rating"), message)]


def check_evidence_entries(encoded: set[str], evidence: dict[Any, Any]) -> Found:
    """Every encoded field has an evidence entry, and every entry an encoded field.

    Example:
        >>> check_evidence_entries({"dcs_changes"}, {"year": {}})  # doctest: +NORMALIZE_WHITESPACE
        [(('evidence',), "no evidence entry for the encoded field 'dcs_changes'"),
         (('evidence', 'year'), "'year' is an identity field and needs no evidence")]
    """
    found: Found = []
    for name in sorted(encoded - {str(k) for k in evidence}):
        found.append((("evidence",), f"no evidence entry for the encoded field {name!r}"))
    for key in evidence:
        name = str(key)
        if name in IDENTITY_FIELDS:
            message = f"{name!r} is an identity field and needs no evidence"
            found.append((("evidence", name), message))
        elif name not in encoded:
            found.append((("evidence", name), f"{name!r} is not an encoded profile field"))
    return found


def check_plausible_ranges(
    profile: dict[Any, Any], encoded: set[str], evidence: dict[Any, Any]
) -> Found:
    """Each judgement's plausible range contains the value encoded for it.

    Example:
        >>> ev = {"avg_caseload": {"kind": "judgement", "plausible_range": [18, 22]}}
        >>> check_plausible_ranges({"avg_caseload": 25}, {"avg_caseload"}, ev)[0][1]
        '[18, 22] does not contain the encoded value 25'
    """
    found: Found = []
    for key, ev in evidence.items():
        name = str(key)
        if not isinstance(ev, dict) or ev.get("kind") != "judgement" or name not in encoded:
            continue
        rng = ev.get("plausible_range")
        if not (isinstance(rng, list | tuple) and len(rng) == 2 and all(map(_is_number, rng))):
            continue  # missing or malformed: reported by the structural validation
        value = profile[key]
        if not _is_number(value):
            message = (
                f"{value!r} is a judgement, so it must be a number to check "
                "against its plausible_range"
            )
            found.append((("profile", name), message))
        elif not float(rng[0]) <= float(value) <= float(rng[1]):
            message = f"[{rng[0]:g}, {rng[1]:g}] does not contain the encoded value {value:g}"
            found.append((("evidence", name, "plausible_range"), message))
    return found


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
