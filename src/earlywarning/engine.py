"""Evaluation: rules applied as whole-column operations.

There is one path. :func:`evaluate` scores a DataFrame of profiles column by column;
:func:`score_frame` formats its result as a DataFrame and :func:`score` is the one-row case, so a
single profile and the same profile inside a frame can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.explain import Assessment, Contribution, describe_level
from earlywarning.profile import (
    CouncilProfile,
    ProfileColumns,
    profile_columns,
    profile_measures,
)
from earlywarning.rules import BAND_NAMES, Condition, Ruleset, load_ruleset

_BANDS = np.array(BAND_NAMES, dtype=object)


@dataclass(frozen=True)
class _Compiled:
    """A ruleset turned into arrays, once, so each evaluation is a handful of numpy calls."""

    edges: tuple[np.ndarray, ...]  # per indicator: the 'from' of every level after the first
    points: tuple[np.ndarray, ...]  # per indicator: points per level
    flags: tuple[np.ndarray, ...]  # per indicator: red-flag band index per level, -1 for none
    weights: np.ndarray
    band_edges: np.ndarray
    codes: np.ndarray  # reason code per column of the points matrix (indicators, then combinations)
    content_hash: str
    mitigations: tuple[int, ...]  # columns of mitigation indicators
    offsets: dict[int, list[int]]  # mitigation column -> columns of the risks it offsets


# Compiled rulesets by object identity. Hashing a frozen pydantic model walks the whole model,
# which costs more than scoring one profile, so the cache looks rulesets up by id and keeps the
# ruleset itself alive beside its arrays (so that its id cannot be reused while cached).
_COMPILED: dict[int, tuple[Ruleset, _Compiled]] = {}
_COMPILED_MAX = 16


def _compile(rules: Ruleset) -> _Compiled:
    hit = _COMPILED.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.pop(next(iter(_COMPILED)))
    compiled = _build(rules)
    _COMPILED[id(rules)] = (rules, compiled)
    return compiled


def _build(rules: Ruleset) -> _Compiled:
    def flag(name: str | None) -> int:
        return BAND_NAMES.index(name) if name else -1

    codes = [ind.id for ind in rules.indicators] + [c.id for c in rules.combinations]
    mitigations = [j for j, ind in enumerate(rules.indicators) if ind.kind == "mitigation"]
    return _Compiled(
        edges=tuple(
            np.array([lv.from_ for lv in ind.levels[1:]], dtype=float) for ind in rules.indicators
        ),
        points=tuple(np.array([lv.points for lv in ind.levels]) for ind in rules.indicators),
        flags=tuple(np.array([flag(lv.red_flag) for lv in ind.levels]) for ind in rules.indicators),
        weights=np.array([ind.weight for ind in rules.indicators], dtype=float),
        band_edges=np.array([b.from_ for b in rules.bands[1:]], dtype=float),
        codes=np.array(codes, dtype=object),
        content_hash=rules.content_hash,
        mitigations=tuple(mitigations),
        offsets={j: [codes.index(r) for r in rules.indicators[j].offsets] for j in mitigations},
    )


@dataclass(frozen=True)
class Evaluation:
    """Everything one evaluation computed, row by row, before any text is built.

    ``points`` has one column per indicator then one per combination; ``level`` is the level
    index of each indicator (-1 where the measure is missing). ``band`` is the band index after
    red flags, ``score_band`` the band of the points alone. Failed rows have ``error`` set, NaN
    score and band index -1. The measures themselves are in ``columns.measures``.

    Example:
        >>> import pandas as pd
        >>> ev = evaluate(pd.DataFrame([{"council": "A", "year": 2020, "dcs_changes": 3}]))
        >>> int(ev.score_band[0]) < int(ev.band[0])  # three changes of director: a red flag
        True
    """

    ruleset: Ruleset
    columns: ProfileColumns
    level: np.ndarray
    points: np.ndarray
    score: np.ndarray
    band: np.ndarray
    score_band: np.ndarray
    coverage: np.ndarray

    @property
    def error(self) -> np.ndarray:
        """The error message of each row, or None."""
        return self.columns.error

    def reason_codes(self) -> np.ndarray:
        """For each row, its reason codes joined by '; ', most points first, mitigations last.

        Failed rows get None. Rows with the same ranked contributions share one string.
        """
        comp = _compile(self.ruleset)
        pts = self.points
        n, width = pts.shape
        out = np.full(n, None, dtype=object)
        if n == 0 or width == 0:
            return out
        # Risks by points descending, then mitigations by size, then zeros; ties keep ruleset
        # order (stable sort). Hundredths of a point as int16 let numpy use a radix sort.
        hundredths = np.rint(pts * 100).astype(np.int16, order="C")
        key = np.where(hundredths > 0, -hundredths, 20000 + hundredths)
        key[hundredths == 0] = 32000
        order = np.argsort(key.astype(np.int16), axis=1, kind="stable")
        counts = np.count_nonzero(hundredths, axis=1)
        # Encode each row's ranked list as bytes (code index + 1, 0 past the end) and build
        # each distinct list's text once: real panels repeat the same few patterns a lot.
        ranked = order + 1
        ranked[np.arange(width)[None, :] >= counts[:, None]] = 0
        names = list(comp.codes)
        if width < 255:
            as_bytes = np.ascontiguousarray(ranked.astype(np.uint8)).view(f"S{width}").ravel()
            which, patterns = pd.factorize(as_bytes)
            # iterating bytes gives the code numbers; numpy already dropped the trailing zeros
            texts = np.array(["; ".join([names[b - 1] for b in p]) for p in patterns], dtype=object)
        else:  # pragma: no cover - a ruleset of 255 rules or more
            rows = ["; ".join(names[j - 1] for j in r if j) for r in ranked.tolist()]
            which, uniques = pd.factorize(np.array(rows, dtype=object))
            texts = np.asarray(uniques, dtype=object)
        out[:] = texts[which]
        out[~pd.isna(self.error)] = None
        return out


def evaluate(frame: pd.DataFrame, ruleset: Ruleset | None = None) -> Evaluation:
    """Score every row of ``frame`` against ``ruleset`` (the bundled default if None)."""
    return evaluate_columns(profile_columns(frame), ruleset)


def evaluate_columns(cols: ProfileColumns, ruleset: Ruleset | None = None) -> Evaluation:
    """Score checked measure columns: the one evaluation path behind every public call."""
    rules = ruleset if ruleset is not None else _default()
    comp = _compile(rules)
    n = len(cols.error)
    k = len(rules.indicators)
    # column-major: each rule writes one contiguous column
    level = np.empty((n, k), dtype=np.int64, order="F")
    points = np.zeros((n, k + len(rules.combinations)), order="F")
    flag_band = np.full(n, -1, dtype=np.int64)
    present_weight = np.zeros(n)
    for j, ind in enumerate(rules.indicators):
        v = cols.measures[ind.measure]
        missing = np.isnan(v)
        idx = np.searchsorted(comp.edges[j], v, side="right")
        idx = np.minimum(idx, len(comp.points[j]) - 1)  # NaN sorts past the end
        level[:, j] = np.where(missing, -1, idx)
        points[:, j] = np.where(missing, 0.0, comp.points[j][idx])
        flag_band = np.maximum(flag_band, np.where(missing, -1, comp.flags[j][idx]))
        present_weight += np.where(missing, 0.0, comp.weights[j])

    def holds(cond: Condition) -> np.ndarray:
        v = cols.measures[cond.measure]
        # comparisons with NaN are False: a missing measure never fires a combination
        with np.errstate(invalid="ignore"):
            return v >= cond.from_ if cond.from_ is not None else v < cond.below

    for c, combo in enumerate(rules.combinations):
        fired = np.ones(n, dtype=bool)
        for cond in combo.all or ():
            fired &= holds(cond)
        if combo.any:
            fired &= np.logical_or.reduce([holds(cond) for cond in combo.any])
        points[:, k + c] = np.where(fired, combo.points, 0.0)
        if combo.red_flag:
            flag_band = np.maximum(flag_band, np.where(fired, BAND_NAMES.index(combo.red_flag), -1))
    # A mitigation takes away at most what the risks it offsets scored. Credit is
    # -min(raw, offset points), so the net max(risk - raw, 0) never falls as a risk worsens.
    for j in comp.mitigations:
        cap = points[:, comp.offsets[j]].sum(axis=1)
        # (+ 0.0 turns the -0.0 of a mitigation capped at nothing into a plain 0)
        points[:, j] = -np.minimum(-points[:, j], cap) + 0.0
    failed = ~pd.isna(cols.error)
    score = np.round(np.clip(points.sum(axis=1), 0.0, 100.0), 6)
    # side="right": a score exactly on a band edge is in the upper band
    score_band = np.searchsorted(comp.band_edges, score, side="right")
    band = np.maximum(score_band, flag_band)
    total_weight = comp.weights.sum()
    coverage = present_weight / total_weight if total_weight else np.ones(n)
    score = np.where(failed, np.nan, score)
    band = np.where(failed, -1, band)
    score_band = np.where(failed, -1, score_band)
    coverage = np.where(failed, np.nan, coverage)
    return Evaluation(rules, cols, level, points, score, band, score_band, coverage)


@lru_cache(maxsize=1)
def _default() -> Ruleset:
    return load_ruleset()


def score_frame(
    frame: pd.DataFrame,
    ruleset: Ruleset | None = None,
    *,
    reasons: bool = True,
    ranges: bool = False,
) -> pd.DataFrame:
    """Score every row of a DataFrame of profiles.

    Set ``reasons=False`` to leave out the ``reasons`` column: on a million distinct what-if
    profiles, ranking and joining each row's reason codes takes most of the time. Set
    ``ranges=True`` to add ``score_min``, ``score_max``, ``band_min`` and ``band_max``: what
    the missing data could make of each row (two more evaluations; see
    :mod:`earlywarning.ranges`).

    Columns must be :class:`CouncilProfile` field names (others are refused, so that a misspelt
    column cannot silently read as missing). A row with a bad value is kept: it gets an ``error``
    naming the field and value and no score, and the other rows are scored as usual.

    Returns:
        A DataFrame with the same index and row count and the columns ``score``, ``band``,
        ``coverage``, ``reasons`` (reason codes, most points first, joined by '; '), ``error``,
        and ``red_flag`` (the band a red flag lifted the row to, if any). ``attrs`` records
        the ``ruleset_id``, ``ruleset_version`` and ``ruleset_hash`` the rows were scored with.

    Example:
        >>> import pandas as pd, earlywarning as ew
        >>> df = pd.DataFrame({"council": ["A", "B"], "year": [2020, 2020],
        ...                    "agency_rate_pct": [30.0, 140.0]})
        >>> out = ew.score_frame(df)
        >>> out.loc[1, "error"]
        'agency_rate_pct: 140.0 is above the maximum of 100'
    """
    ev = evaluate(frame, ruleset)
    out = result_frame(ev, frame.index, reasons=reasons)
    if ranges:
        from earlywarning.ranges import range_columns  # ranges builds on this module

        out = out.join(range_columns(ev, frame.index))
    return out


def result_frame(ev: Evaluation, index: pd.Index, *, reasons: bool = True) -> pd.DataFrame:
    """The :func:`score_frame` table of an evaluation, for callers that also need its detail.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame([{"council": "A", "year": 2020, "agency_rate_pct": 30.0}])
        >>> ev = evaluate(df)
        >>> result_frame(ev, df.index).equals(score_frame(df))
        True
    """
    named = _BANDS[np.maximum(ev.band, 0)]
    band = np.where(ev.band >= 0, named, np.array(None))
    # a red flag lifted the row when its band is above the band of its points alone
    red = np.where(ev.band > ev.score_band, named, np.array(None))
    out = pd.DataFrame(
        {
            "score": ev.score,
            "band": band,
            "coverage": ev.coverage,
            "reasons": ev.reason_codes() if reasons else None,
            "error": ev.error,
            "red_flag": red,
        },
        index=index,
    )
    if not reasons:
        out = out.drop(columns="reasons")
    out.attrs.update(
        ruleset_id=ev.ruleset.id,
        ruleset_version=ev.ruleset.version,
        ruleset_hash=_compile(ev.ruleset).content_hash,
    )
    return out


def score(
    profile: CouncilProfile | Mapping[str, Any], ruleset: Ruleset | None = None
) -> Assessment:
    """Score one council profile (a :class:`CouncilProfile` or a plain dict).

    The profile is checked by :class:`CouncilProfile` and then evaluated by the same column
    code as :func:`score_frame` (as a one-row batch), so the two can never disagree; the row's
    detail is kept as an :class:`Assessment` with its contributions and explanation.

    Raises:
        ProfileError: naming the field and the refused value.

    Example:
        >>> import earlywarning as ew
        >>> a = ew.score({"council": "Derbyshire", "year": 2016, "budget_baseline_gbp_m": 131,
        ...               "budget_current_gbp_m": 90, "dcs_changes": 2})
        >>> a.band in ("low", "moderate", "high", "severe")
        True
    """
    if not isinstance(profile, CouncilProfile):
        profile = CouncilProfile.model_validate(dict(profile))
    ev = evaluate_columns(profile_measures(profile), ruleset)
    from earlywarning.ranges import with_ranges  # ranges builds on this module

    return with_ranges(_assessment(ev, profile), ev.columns, ev.ruleset)


def _assessment(ev: Evaluation, profile: CouncilProfile) -> Assessment:
    """The Assessment of a one-row evaluation."""
    i = 0
    rules = ev.ruleset
    contributions: list[Contribution] = []
    missing: list[str] = []
    k = len(rules.indicators)
    for j, ind in enumerate(rules.indicators):
        lv = int(ev.level[i, j])
        if lv < 0:
            missing.append(ind.id)
            continue
        value = float(ev.columns.measures[ind.measure][i])
        level = ind.levels[lv]
        points = float(ev.points[i, j])
        reason = describe_level(ind, level, value)
        if points != level.points:
            reason += (
                f", limited to −{abs(points):g} because the risks it offsets "
                f"({', '.join(ind.offsets)}) scored {abs(points):g}"
            )
        contributions.append(
            Contribution(
                indicator=ind.id,
                measure=ind.measure,
                kind=ind.kind,
                value=value,
                level=lv,
                points=points,
                reason=reason,
                red_flag=level.red_flag,
            )
        )
    for c, combo in enumerate(rules.combinations):
        pts = float(ev.points[i, k + c])
        if pts:
            contributions.append(
                Contribution(
                    indicator=combo.id,
                    measure=None,
                    kind="combination",
                    value=None,
                    level=None,
                    points=pts,
                    reason=f"{combo.label}, +{pts:g}",
                    red_flag=combo.red_flag,
                )
            )
    codes = ev.reason_codes()[i]
    band = BAND_NAMES[int(ev.band[i])]
    return Assessment(
        council=profile.council,
        year=profile.year,
        score=float(ev.score[i]),
        band=band,
        band_from_score=BAND_NAMES[int(ev.score_band[i])],
        coverage=float(ev.coverage[i]),
        contributions=contributions,
        reasons=codes.split("; ") if codes else [],
        missing=missing,
        ruleset_id=rules.id,
        ruleset_version=rules.version,
        ruleset_hash=_compile(rules).content_hash,
        labels={ind.id: ind.label for ind in rules.indicators}
        | {c.id: c.label for c in rules.combinations},
    )
