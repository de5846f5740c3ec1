"""A council beside its statistical neighbours, its region and England.

:func:`compare` answers the analyst's usual question about one council in one year: for each
indicator the ruleset scores, what is the council's figure and its points, what is the median of
its ten DfE statistical neighbours, of its region and of England, and where does it rank in
England? The last row does the same for the score. Each neighbour's own score is in
``attrs["neighbours"]`` (also :func:`neighbour_scores`).

:func:`peer_trajectory` gives the council's score by year beside its neighbours' median and
England's, which :func:`earlywarning.peer_plots.plot_peers` draws.

Every figure is from :func:`~earlywarning.datasets.england_profiles`: ``year`` Y means the
council as known on 1 January Y (the workforce census of 30 September Y-1, demand to 31 March
Y-1, the last Ofsted judgement before 1 January Y; the bundled judgements stop at 31 March 2025,
and a user may pass later ones as ``judgements``). The neighbours are DfE's newest model (2025)
unless ``neighbours=`` asks for another (``"2021"``, or a DfE file). Given a ``profile`` (the
user's own, as :func:`~earlywarning.score` takes one), :func:`compare` puts it in place of the
council's national profile: its council and year say whose neighbours, region and year it is
set beside.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from earlywarning._names import did_you_mean
from earlywarning.datasets import (
    LocalLike,
    as_local,
    england_profiles,
    field_source,
    local_note,
    profile_years,
    resolve_council,
)
from earlywarning.datasets.councils import council_names
from earlywarning.datasets.freshness import freshness, outcomes_note
from earlywarning.datasets.neighbours import (
    NeighboursLike,
    neighbour_codes,
    statistical_neighbours,
)
from earlywarning.datasets.user_judgements import JudgementsLike, as_judgements, judgements_note
from earlywarning.engine import Evaluation, evaluate, result_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.parameters import check_years
from earlywarning.profile import CouncilProfile
from earlywarning.rules import Ruleset, load_ruleset
from earlywarning.vocabulary import rating_words

__all__ = [
    "COMPARE_COLUMNS",
    "compare",
    "compare_to_text",
    "england_year",
    "neighbour_scores",
    "peer_trajectory",
    "render_compare",
]

COMPARE_COLUMNS: tuple[str, ...] = (
    "label",
    "measure",
    "value",
    "points",
    "neighbours_median",
    "region_median",
    "england_median",
    "england_rank",
    "england_ranked",
    "source",
)
"""The columns of :func:`compare`, in order (the index is the indicator id, then ``score``)."""


def england_year(
    year: int,
    ruleset: Ruleset | None = None,
    *,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
) -> tuple[pd.DataFrame, Evaluation]:
    """Every council's profile for ``year`` and its evaluation, on one index.

    ``local`` (the councils' own facts, or a facts file) replaces national figures for the
    councils it covers, as :func:`~earlywarning.datasets.profiles_at` does.

    Returns:
        The profiles (:func:`~earlywarning.datasets.england_profiles`) with ``score``, ``band``,
        ``coverage`` and ``reasons`` added, and the :class:`~earlywarning.engine.Evaluation`
        behind them (one row each, in the same order).

    Example:
        >>> from earlywarning.compare import england_year
        >>> frame, ev = england_year(2020)
        >>> len(frame) == len(ev.score)
        True
    """
    rules = ruleset if ruleset is not None else load_ruleset()
    profiles = england_profiles(year, judgements=judgements, neighbours=neighbours, local=local)
    return _scored(profiles, rules)


def _scored(profiles: pd.DataFrame, rules: Ruleset) -> tuple[pd.DataFrame, Evaluation]:
    ev = evaluate(profiles, rules)
    scored = result_frame(ev, profiles.index)
    frame = profiles.assign(**{c: scored[c] for c in ("score", "band", "coverage", "reasons")})
    return frame, ev


def _rank(values: np.ndarray, row: int, worse_is_higher: bool) -> tuple[int, int]:
    """The row's rank among values with data (its own has data), 1 the worst, ties sharing."""
    known = ~np.isnan(values)
    v = values[known] if worse_is_higher else -values[known]
    mine = values[row] if worse_is_higher else -values[row]
    return int((v > mine).sum()) + 1, int(known.sum())


def _medians(values: np.ndarray, groups: dict[str, np.ndarray]) -> dict[str, float]:
    out = {}
    for name, mask in groups.items():
        here = values[mask]
        here = here[~np.isnan(here)]
        out[name] = float(np.median(here)) if len(here) else float("nan")
    return out


def _row_of(frame: pd.DataFrame, council: str, year: int) -> int:
    code = resolve_council(council, "compare", dt.date(int(year), 1, 1))
    where = np.flatnonzero(frame["la_code"].to_numpy() == code)
    if not len(where):
        raise EarlyWarningError(f"compare: {council!r} ({code}) did not exist on 1 January {year}")
    return int(where[0])


def _neighbour_table(
    frame: pd.DataFrame, row: int, neighbours: NeighboursLike = None
) -> pd.DataFrame:
    """The council's ten neighbours with their scores that year (NaN if not in existence)."""
    code = str(frame["la_code"].iloc[row])
    sn = statistical_neighbours(code, neighbours)
    out = sn[["rank", "la_code", "council", "region", "closeness"]].copy()
    for col in ("score", "band", "coverage", "previous_rating"):  # on the codes, column by column
        out[col] = frame[col].set_axis(frame["la_code"]).reindex(out["la_code"]).to_numpy()
    out.attrs["note"] = sn.attrs["note"]
    out.attrs["model"] = sn.attrs["model"]
    return out


def _rows(
    ev: Evaluation,
    row: int,
    groups: dict[str, np.ndarray],
    profile: dict[str, Any],
    given: bool = False,
) -> list[dict[str, Any]]:
    """The table's rows: each indicator with data for the council, then the score; a
    ``given`` profile is the source of every figure of the council."""
    rows = []
    for j, ind in enumerate(ev.ruleset.indicators):
        values = ev.columns.measures[ind.measure]
        if np.isnan(values[row]):
            continue
        rank, ranked = _rank(values, row, ind.direction != "higher_is_better")
        rows.append(
            {
                "indicator": ind.id,
                "label": ind.label,
                "measure": ind.measure,
                "value": float(values[row]),
                "points": float(ev.points[row, j]),
                **_medians(values, groups),
                "england_rank": rank,
                "england_ranked": ranked,
                "source": "profile" if given else field_source(profile, ind.measure),
            }
        )
    score = ev.score.astype(float)
    rank, ranked = _rank(score, row, True)
    rows.append(
        {
            "indicator": "score",
            "label": "Score (0 to 100)",
            "measure": "score",
            "value": float(score[row]),
            "points": float(score[row]),
            **_medians(score, groups),
            "england_rank": rank,
            "england_ranked": ranked,
            "source": "profile"
            if given
            else "local"
            if "local" in {r["source"] for r in rows}
            else "national",
        }
    )
    return rows


def compare(
    council: str | None = None,
    year: int | None = None,
    ruleset: Ruleset | None = None,
    *,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
    profile: CouncilProfile | Mapping[str, Any] | None = None,
    origin: str | None = None,
) -> pd.DataFrame:
    """One council beside its statistical neighbours, its region and England, for one year.

    Args:
        council: a name (any spelling the data know, any case) or ONS code.
        year: the year of the England profiles: the council as known on 1 January ``year``
            (the range of :func:`~earlywarning.datasets.profile_years`).
        ruleset: the ruleset; ``None`` is the bundled default.
        judgements: the user's own Ofsted judgements (a table or a file; see
            :mod:`earlywarning.datasets.user_judgements`).
        neighbours: the neighbour model (``"2021"``, ``"2025"`` or a DfE file; the newest by
            default).
        local: the councils' own facts, or the path of a facts file: they replace national
            figures for the councils they cover (see
            :func:`~earlywarning.datasets.profiles_at`).
        profile: the council's own profile, in place of ``council`` and ``year``: its
            ``la_code`` (else its ``council`` name) and ``year`` say which council and year it
            is, and its figures (only its figures: one it leaves out is missing) replace the
            council's national ones; the neighbours, region and England are the national data
            of that year, with ``judgements``, ``neighbours`` and ``local`` as for a council.
        origin: the sentence saying where the ``profile`` came from (for example its file).

    Returns:
        One row per indicator of the ruleset with data for the council, then a ``score`` row,
        with the columns of :data:`COMPARE_COLUMNS`: the indicator's ``label`` and ``measure``,
        the council's ``value`` and ``points`` (for ``score``, the score both times), the
        ``neighbours_median`` (of those of its ten neighbours with a figure), ``region_median``
        and ``england_median`` (every council with a figure, the council included), and
        ``england_rank`` of ``england_ranked`` councils with a figure (1 is the most at risk:
        the highest score, or the worst value in the indicator's direction; ties share the
        best place), and ``source``: ``national``, ``local`` or ``profile``, where the council's
        figure came from (the score is local when any figure in it is). ``attrs`` holds
        ``council``,
        ``la_code``, ``region``, ``year``, ``band``, ``ruleset``, ``judgements`` (which
        judgements the previous rating rests on),
        ``previous_judgement`` (the council's, with its date and age), ``freshness_notes`` and
        ``outcomes_note`` (how current the judgement and figures are),
        ``neighbours_model``, ``neighbours_note`` (a row taken from elsewhere, if any),
        ``local_note`` (the local facts read, or ``""``), ``local_overrides`` (the council's
        national figures its facts replaced), ``origin`` (where the council's figures came
        from: the national data, or the profile given) and
        ``neighbours``: a frame of the ten
        neighbours with each one's ``score``, ``band``, ``coverage`` and ``previous_rating``.

    Raises:
        EarlyWarningError: for an unknown council (the profile's too, with the nearest name), a
            year outside the data, a council that did not exist on 1 January of the year, or
            both a council and a profile.
        ProfileError: for a profile value that cannot be scored.

    Example:
        >>> import earlywarning as ew
        >>> c = ew.compare("Derbyshire", 2016)
        >>> list(c.columns)[:4]
        ['label', 'measure', 'value', 'points']
        >>> len(c.attrs["neighbours"])
        10
    """
    rules = ruleset if ruleset is not None else load_ruleset()
    user = as_judgements(judgements)
    facts = as_local(local)
    fields = None if profile is None else _given(council, year, profile)
    if fields is not None:
        council, year = str(fields.get("la_code") or fields["council"]), int(fields["year"])
    if council is None or year is None:
        raise EarlyWarningError("compare: give a council and a year, or a profile")
    profiles = england_profiles(year, judgements=user, neighbours=neighbours, local=facts)
    row = _row_of(profiles, council, year)
    if fields is not None:
        profiles = _put(profiles, row, fields)
    frame, ev = _scored(profiles, rules)
    region = frame["region"].to_numpy(dtype=object)
    codes = frame["la_code"].to_numpy(dtype=object)
    groups = {
        "neighbours_median": np.isin(codes, neighbour_codes(str(codes[row]), neighbours)),
        "region_median": region == region[row],
        "england_median": np.ones(len(frame), dtype=bool),
    }
    rows = _rows(ev, row, groups, {str(k): v for k, v in frame.iloc[row].items()}, bool(fields))
    out = pd.DataFrame(rows).set_index("indicator").loc[:, list(COMPARE_COLUMNS)]
    near = _neighbour_table(frame, row, neighbours)
    day = dt.date(int(year), 1, 1)
    previous, fresh_notes, overrides = _judgement(frame, str(codes[row]), user, fields)
    out.attrs.update(
        {
            "council": str(frame["council"].iloc[row]),
            "la_code": str(codes[row]),
            "region": str(region[row]),
            "year": int(year),
            "band": str(frame["band"].iloc[row]),
            "ruleset": f"{rules.id} {rules.version} ({rules.content_hash})",
            "judgements": judgements_note(user),
            "previous_judgement": previous,
            "freshness_notes": fresh_notes,
            "outcomes_note": outcomes_note(day, user),
            "neighbours_model": near.attrs["model"],
            "neighbours_note": near.attrs["note"],
            "local_note": local_note(facts, day) if facts is not None else "",
            "local_overrides": overrides,
            "origin": _origin(fields, origin, day),
            "neighbours": near,
        }
    )
    return out


def _judgement(
    frame: pd.DataFrame, code: str, user: pd.DataFrame | None, fields: dict[str, Any] | None
) -> tuple[str, str, pd.DataFrame | None]:
    """The council's previous judgement in words, the notes on how current its figures are,
    and the national figures its local facts replaced: none of these for a given profile,
    whose own judgement is the one said and whose figures' dates are its own."""
    if fields is not None:
        rating = fields.get("previous_rating")
        said = f"{rating_words(rating)}, as the profile gives it" if rating else "none given"
        return said, "", None
    year = int(frame["year"].iloc[0])
    known = england_profiles(year, [code], judgements=user, provenance=True)
    fresh = freshness(known, user).iloc[0]
    return fresh["previous_rating_text"], fresh["notes"], _overrides(frame, code)


def _given(
    council: str | None, year: int | None, profile: CouncilProfile | Mapping[str, Any]
) -> dict[str, Any]:
    """The given profile's fields, checked, with a council the data know."""
    if council is not None or year is not None:
        raise EarlyWarningError("compare: give a council and a year, or a profile, not both")
    checked = profile if isinstance(profile, CouncilProfile) else CouncilProfile(**profile)
    fields = checked.model_dump(exclude_none=True)
    codes = {}
    for field in ("la_code", "council"):
        who = fields.get(field)
        if who is None:
            continue
        try:
            codes[field] = resolve_council(str(who), "compare")
        except EarlyWarningError:
            hint = did_you_mean(str(who), sorted(set(council_names().values())))
            raise EarlyWarningError(
                f"compare: the profile's {field} {who!r} is not a council in the data, so it "
                "has no neighbours to compare with" + (f"; {hint}" if hint else "")
            ) from None
    if len(set(codes.values())) > 1:
        raise EarlyWarningError(
            f"compare: the profile's council {fields['council']!r} ({codes['council']}) and "
            f"la_code {fields['la_code']!r} are two councils; give one council's"
        )
    first, last = profile_years()
    if not first <= fields["year"] <= last:
        raise EarlyWarningError(
            f"compare: the profile's year {fields['year']} ({fields['council']}) is not in the "
            f"data, whose profiles run from {first} to {last}"
        )
    return fields


def _put(profiles: pd.DataFrame, row: int, fields: dict[str, Any]) -> pd.DataFrame:
    """The year's profiles with the council's row replaced by the given profile's figures (its
    name, code and region stay the data's, so that its neighbours and region are found)."""
    records: list[dict[Any, Any]] = profiles.to_dict("records")
    mine = {k: records[row][k] for k in ("council", "year", "la_code", "region")}
    records[row] = {k: v for k, v in fields.items() if k != "region"} | mine
    out = pd.DataFrame(records, index=profiles.index)
    out.attrs.update(profiles.attrs)
    return out


def _origin(fields: dict[str, Any] | None, origin: str | None, day: dt.date) -> str:
    if fields is None:
        return f"The council's figures are the national data as known on {day:%-d %B %Y}."
    return origin or "The council's figures are from the profile given, not the national data."


def _overrides(frame: pd.DataFrame, code: str) -> pd.DataFrame | None:
    """The council's national figures its local facts replaced, or None without local facts."""
    overrides = frame.attrs.get("local_overrides")
    if overrides is None:
        return None
    mine: pd.DataFrame = overrides[overrides["la_code"] == code].reset_index(drop=True)
    return mine


def neighbour_scores(
    council: str,
    year: int,
    ruleset: Ruleset | None = None,
    *,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
) -> pd.DataFrame:
    """The council's ten statistical neighbours with each one's score, band and rating.

    The same frame as ``compare(...).attrs["neighbours"]``: ``rank`` (1 nearest), ``la_code``,
    ``council``, ``region``, ``closeness``, ``score``, ``band``, ``coverage`` and
    ``previous_rating``; a neighbour not in existence on 1 January ``year`` has no score.

    Example:
        >>> from earlywarning.compare import neighbour_scores
        >>> n = neighbour_scores("Derbyshire", 2022)
        >>> n.loc[0, "council"], bool(n["score"].notna().all())
        ('Nottinghamshire', True)
    """
    frame, _ = england_year(
        year, ruleset, judgements=judgements, neighbours=neighbours, local=local
    )
    return _neighbour_table(frame, _row_of(frame, council, year), neighbours)


def peer_trajectory(
    council: str,
    years: Iterable[int] | None = None,
    ruleset: Ruleset | None = None,
    *,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
) -> pd.DataFrame:
    """The council's score by year beside the median of its neighbours and of England.

    Args:
        council: a name or ONS code.
        years: the years (default 2018, the first with a workforce census, to the newest the
            data support).
        ruleset: the ruleset; ``None`` is the bundled default.
        judgements: the user's own judgements.
        neighbours: the neighbour model (the newest by default).
        local: the councils' own facts, or a facts file, read as on 1 January of each year.

    Returns:
        One row per year: ``year``, ``score``, ``band``, ``neighbours_median``,
        ``england_median``; ``attrs["council"]`` names the council. A year in which the
        council did not exist has no score.

    Example:
        >>> from earlywarning.compare import peer_trajectory
        >>> t = peer_trajectory("Derbyshire", [2019, 2020])
        >>> list(t.columns)
        ['year', 'score', 'band', 'neighbours_median', 'england_median']
    """
    rules = ruleset if ruleset is not None else load_ruleset()
    user = as_judgements(judgements)
    facts = as_local(local)
    first, last = profile_years()
    wanted = check_years(
        years if years is not None else range(2018, last + 1), first, last, "peer_trajectory: years"
    )
    code = resolve_council(council, "peer_trajectory")
    near = neighbour_codes(code, neighbours)
    rows = []
    for y in wanted:
        frame, _ = england_year(y, rules, judgements=user, neighbours=neighbours, local=facts)
        here = frame[frame["la_code"] == code]
        near_scores = frame.loc[frame["la_code"].isin(near), "score"].dropna()
        rows.append(
            {
                "year": y,
                "score": float(here["score"].iloc[0]) if len(here) else float("nan"),
                "band": str(here["band"].iloc[0]) if len(here) else None,
                "neighbours_median": float(near_scores.median()) if len(near_scores) else np.nan,
                "england_median": float(frame["score"].median()),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["council"] = statistical_neighbours(code).attrs["council"]
    return out


def compare_to_text(table: pd.DataFrame) -> str:
    """The comparison as text: a heading, the table, the neighbours' scores and the caveats.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.compare import compare_to_text
        >>> print(compare_to_text(ew.compare("Derbyshire", 2016)))  # doctest: +ELLIPSIS
        Derbyshire (E10000007, East Midlands) on 1 January 2016: score ...
    """
    a = table.attrs
    score = table.loc["score"]
    head = (
        f"{a['council']} ({a['la_code']}, {a['region']}) on 1 January {a['year']}: score "
        f"{score['value']:g}, {a['band']}; rank {score['england_rank']} of "
        f"{score['england_ranked']} in England (1 is the most at risk)"
    )
    shown = table.drop(columns=["label", "measure"]).copy()
    shown.index = pd.Index(list(table["label"]))
    shown["england_rank"] = [
        f"{r} of {n}"
        for r, n in zip(shown.pop("england_rank"), shown.pop("england_ranked"), strict=True)
    ]
    shown = shown.rename(
        columns={
            "neighbours_median": "neighbours",
            "region_median": "region",
            "england_median": "England",
            "england_rank": "rank in England",
        }
    )
    shown = shown.round(1).astype(object)
    if "previous_rating" in table.index:
        # a judgement is said in words, never as the grade the rules score it by
        at = list(table.index).index("previous_rating")
        for j, column in enumerate(shown.columns):
            if column in ("value", "neighbours", "region", "England"):
                shown.iat[at, j] = rating_words(shown.iat[at, j])
    neighbours = a["neighbours"][["rank", "council", "closeness", "score", "band"]]
    model = a.get("neighbours_model", "")
    lines = [head, f"Previous Ofsted judgement: {a.get('previous_judgement', 'none known')}"]
    lines += [a.get("origin", ""), ""]
    lines += [_to_string(shown), "", f"Statistical neighbours (DfE, {model} model)"]
    lines.append(_to_string(neighbours.set_index("rank")))
    lines += ["", "Medians are of councils with a figure. " + a["judgements"]]
    notes = [a.get("freshness_notes"), a.get("outcomes_note"), a["neighbours_note"]]
    notes += [a.get("local_note"), *_override_notes(a.get("local_overrides"))]
    for note in notes:
        if note:
            lines.append(note[0].upper() + note[1:] + ("" if note.endswith(".") else "."))
    lines.append(f"Ruleset {a['ruleset']}.")
    return "\n".join(lines)


def _override_notes(overrides: pd.DataFrame | None) -> list[str]:
    """A sentence for each national figure the council's local facts replaced."""
    if overrides is None:
        return []
    return [
        f"{r.field}: the local {r.local:g} replaces the national {r.national:g} ({r.reason})"
        if isinstance(r.local, float | int) and isinstance(r.national, float | int)
        else f"{r.field}: the local {r.local} replaces the national {r.national} ({r.reason})"
        for r in overrides.itertuples()
    ]


def _to_string(frame: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_colwidth", 48):
        return frame.astype(object).where(frame.notna(), "").to_string()


def render_compare(table: pd.DataFrame, fmt: str) -> str:
    """The comparison as ``text``, ``csv`` (the table) or ``json`` (table, neighbours, notes).

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.compare import render_compare
        >>> render_compare(ew.compare("Derbyshire", 2016), "csv").splitlines()[0]
        'indicator,label,measure,value,points,neighbours_median,region_median,england_median,england_rank,england_ranked,source'
    """
    if fmt == "text":
        return compare_to_text(table) + "\n"
    if fmt == "csv":
        return str(table.to_csv(index_label="indicator", lineterminator="\n", float_format="%.6g"))
    if fmt == "json":
        a = table.attrs
        data = {k: v for k, v in a.items() if k not in ("neighbours", "local_overrides")}
        overrides = a.get("local_overrides")
        if overrides is not None:
            data["local_overrides"] = json.loads(
                overrides.to_json(orient="records", date_format="iso")
            )
        data["indicators"] = json.loads(table.reset_index().to_json(orient="records"))
        data["neighbours"] = json.loads(a["neighbours"].to_json(orient="records"))
        return json.dumps(data, indent=2) + "\n"
    raise EarlyWarningError(f"compare: format {fmt!r} is not text, csv or json")
