"""The watch list: every council in one year, the ones sliding from good first.

An early warning earns its keep on councils that are good or outstanding today: a council
already judged below good is known to need help. :func:`watchlist` scores every council for one
year and two years before, and flags as ``sliding`` a council whose last judgement was good or
outstanding and whose score is now high or severe, or rising (a higher band, or 10 points or
more up on two years before, by :func:`~earlywarning.trajectories.rising_risk`).

``year`` Y means the council as known on 1 January Y (the workforce census of 30 September Y-1;
see :func:`~earlywarning.datasets.england_profiles`). The bundled Ofsted judgements run to
31 March 2025, so from 2026 ``previous_rating`` may be stale: each row gives its judgement's date
and age, and newer judgements (``judgements=``, see
:mod:`earlywarning.datasets.user_judgements`) make the list current.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from earlywarning.datasets import (
    LOCAL_COLUMN,
    LocalLike,
    as_local,
    england_profiles,
    local_note,
    profile_years,
)
from earlywarning.datasets.freshness import freshness, outcomes_note
from earlywarning.datasets.neighbours import REGIONS, NeighboursLike, grouping, neighbour_median
from earlywarning.datasets.user_judgements import JudgementsLike, as_judgements, judgements_note
from earlywarning.engine import score_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.local import LocalFacts
from earlywarning.parameters import check_year
from earlywarning.profile import FIELD_NAMES
from earlywarning.rules import Ruleset, load_ruleset
from earlywarning.trajectories import rising_risk
from earlywarning.vocabulary import rating_words

__all__ = [
    "LOOKBACK_YEARS",
    "SLIDING_BANDS",
    "WATCHLIST_COLUMNS",
    "render_watchlist",
    "watchlist",
    "watchlist_to_text",
    "watchlists",
]

LOOKBACK_YEARS = 2
"""How many years back the watch list compares each council with (as the rising rule does)."""

SLIDING_BANDS: tuple[str, ...] = ("high", "severe")
"""Bands that make a council previously good or outstanding count as sliding on their own."""

WATCHLIST_COLUMNS: tuple[str, ...] = (
    "council",
    "la_code",
    "region",
    "score",
    "band",
    "previous_rating",
    "previous_rating_date",
    "previous_rating_age_years",
    "previous_rating_basis",
    "score_2y_before",
    "band_2y_before",
    "neighbours_median_score",
    "rising",
    "sliding",
    "coverage",
    "reasons",
    "notes",
)
"""The columns of :func:`watchlist`, in order."""

_GOOD = ("outstanding", "good")


def _scored(
    years: list[int],
    rules: Ruleset,
    user: pd.DataFrame | None,
    neighbours: NeighboursLike,
    local: LocalLike,
) -> pd.DataFrame:
    found = england_profiles(
        years, judgements=user, neighbours=neighbours, provenance=True, local=local
    )
    profiles = found.loc[:, [c for c in found.columns if c in FIELD_NAMES]]
    scored = score_frame(profiles, rules)
    fresh = freshness(found, user)
    notes = fresh["notes"]
    if LOCAL_COLUMN in found.columns:  # say which councils were scored on their own facts
        said = [f"local facts for {', '.join(f)}" if f else "" for f in found[LOCAL_COLUMN]]
        notes = pd.Series(
            ["; ".join(filter(None, n)) for n in zip(notes, said, strict=True)], index=found.index
        )
    listed = ["council", "la_code", "region", "year", "previous_rating"]
    listed += ["previous_rating_date", "previous_rating_basis"]
    out = pd.concat(  # one frame of the columns, not one column at a time
        [
            found[listed],
            fresh["previous_rating_age_years"].round(2),
            notes.rename("notes"),
            scored[["score", "band", "coverage", "reasons"]],
        ],
        axis=1,
    )
    out.attrs.update(found.attrs)  # with local facts, the national figures they replaced
    return out


def _region(region: str | None) -> str | None:
    """The region's name as :data:`~earlywarning.datasets.neighbours.REGIONS` spells it, or None."""
    if region is None:
        return None
    found = {r.casefold(): r for r in REGIONS}.get(str(region).strip().casefold())
    if found is None:
        raise EarlyWarningError(
            f"watchlist: {region!r} is not an English region: {', '.join(REGIONS)}"
        )
    return found


def watchlist(
    year: int,
    ruleset: Ruleset | None = None,
    *,
    judgements: JudgementsLike = None,
    region: str | None = None,
    sliding_only: bool = False,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
) -> pd.DataFrame:
    """Every council in ``year`` with its score, band and previous rating, the sliding first.

    Args:
        year: the year of the England profiles: councils as known on 1 January ``year`` (the
            range of :func:`~earlywarning.datasets.profile_years`: 2011 to 2026 in the bundled
            data).
        ruleset: the ruleset; ``None`` is the bundled default.
        judgements: the user's own Ofsted judgements, later than the data's (a table, a file,
            Ofsted's outcomes workbook or Data to Insight's overview; see
            :mod:`earlywarning.datasets.user_judgements`), so that ``previous_rating`` is current.
        region: keep only this English region (one of
            :data:`~earlywarning.datasets.neighbours.REGIONS`, any case); the neighbours'
            medians still read every neighbour, in whatever region.
        sliding_only: keep only the councils flagged as sliding.
        neighbours: the neighbour model of the peer measures and the neighbours' median
            (``"2021"``, ``"2025"`` or a DfE file; the newest by default).
        local: the councils' own facts, or the path of a facts file: the councils they cover
            are scored on them as on 1 January ``year`` (and two years before), beside the
            national figures (see :func:`~earlywarning.datasets.profiles_at`).

    Returns:
        One row per council in existence on 1 January ``year``, with the columns of
        :data:`WATCHLIST_COLUMNS`: ``previous_rating``, its ``previous_rating_date``, its age on
        1 January ``year`` (``previous_rating_age_years``) and ``previous_rating_basis``
        (``overall``, or ``sub-judgements`` for a judgement without an overall grade);
        ``score_2y_before`` and ``band_2y_before`` (NaN/None for a council that did not exist
        then); ``neighbours_median_score`` (the median score of its statistical neighbours that
        year); ``rising`` (the rising rule: True, False, or None with no comparable earlier
        score); ``sliding``: previously good or outstanding, and now high or severe or rising;
        ``notes`` on how current the judgement and figures are (see
        :mod:`earlywarning.datasets.freshness`). Sorted with the sliding councils first, then by
        score, highest first. ``attrs`` holds ``year``, ``ruleset``, ``judgements`` (which
        judgements the ratings rest on), ``outcomes_note`` (whether the judgements stop before
        the list's date), ``neighbours`` (the model) and ``local`` (the local facts read, or
        ``""``; each council scored on them says so in its ``notes``).

    Raises:
        EarlyWarningError: for a year outside the data, a region that is not one, or a bad
            judgements table.

    Example:
        >>> import earlywarning as ew
        >>> w = ew.watchlist(2020)
        >>> bool(w["sliding"].iloc[0]), bool(w["sliding"].is_monotonic_decreasing)
        (True, True)
    """
    first, last = profile_years()
    year = check_year(year, first, last, "watchlist: year")
    wanted = _region(region)
    rules = ruleset if ruleset is not None else load_ruleset()
    user = as_judgements(judgements)
    facts = as_local(local)
    now = _lists([int(year)], rules, user, neighbours, facts)[int(year)]
    keep = np.ones(len(now), dtype=bool)
    if wanted is not None:
        keep &= (now["region"] == wanted).to_numpy()
    if sliding_only:
        keep &= now["sliding"].to_numpy(dtype=bool)
    out = now.loc[keep, list(WATCHLIST_COLUMNS)].reset_index(drop=True)
    out.attrs.update(_attrs(int(year), rules, user, neighbours, facts))
    out.attrs.update({"region": wanted, "sliding_only": sliding_only})
    return out


def watchlists(
    years: Sequence[int],
    ruleset: Ruleset | None = None,
    *,
    judgements: JudgementsLike = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
) -> dict[int, pd.DataFrame]:
    """The watch list of each of ``years``, as :func:`watchlist` gives it with no filter.

    The lists are built together: each year's profiles are built and scored once, though one
    year is both a list's own and the year two years before another's (the backtest follows a
    list every year).

    Args:
        years: the years, each as :func:`watchlist`'s ``year``.
        ruleset: the ruleset; ``None`` is the bundled default.
        judgements: the user's own Ofsted judgements (see :func:`watchlist`).
        neighbours: the neighbour model (see :func:`watchlist`).
        local: the councils' own facts, or the path of a facts file (see :func:`watchlist`).

    Returns:
        Each year's list, by year in the order given (a year given twice once).

    Raises:
        EarlyWarningError: for a year outside the data or a bad judgements table.

    Example:
        >>> from earlywarning.watchlist import watchlists
        >>> lists = watchlists([2020, 2021])
        >>> sorted(lists), lists[2021].attrs["year"]
        ([2020, 2021], 2021)
    """
    first, last = profile_years()
    chosen = [check_year(y, first, last, "watchlist: year") for y in years]
    rules = ruleset if ruleset is not None else load_ruleset()
    user = as_judgements(judgements)
    facts = as_local(local)
    found = _lists(chosen, rules, user, neighbours, facts)
    lists = {}
    for year, now in found.items():
        out = now.loc[:, list(WATCHLIST_COLUMNS)].reset_index(drop=True)
        out.attrs.update(_attrs(year, rules, user, neighbours, facts))
        out.attrs.update({"region": None, "sliding_only": False})
        lists[year] = out
    return lists


def _lists(
    years: list[int],
    rules: Ruleset,
    user: pd.DataFrame | None,
    neighbours: NeighboursLike,
    facts: LocalFacts | None,
) -> dict[int, pd.DataFrame]:
    """Each year's councils, the sliding first, every column computed: the one place a watch
    list is made. The years the lists need, their own and the ones they look back to, are
    scored together in one frame, each once. With local facts each list is scored on its own
    years: the frame's attrs name the national figures the facts replaced in the years scored,
    and a list keeps them."""
    first = profile_years()[0]
    wanted = list(dict.fromkeys(int(y) for y in years))
    out = {}
    for batch in [wanted] if facts is None else [[y] for y in wanted]:
        needed = {y - LOOKBACK_YEARS for y in batch if y - LOOKBACK_YEARS >= first}
        both = _scored(sorted(needed | set(batch)), rules, user, neighbours, facts)
        # each row looks back to its own council's row LOOKBACK_YEARS before: the other years
        # in the frame do not change it
        both["rising"] = rising_risk(both, lookback_years=LOOKBACK_YEARS, by="la_code")
        for year in batch:
            out[year] = _list_of(year, both, neighbours)
    return {year: out[year] for year in wanted}


def _list_of(year: int, both: pd.DataFrame, neighbours: NeighboursLike) -> pd.DataFrame:
    """The year's councils from the scored years, compared with two years before and with
    their neighbours, the sliding first."""
    now = both[both["year"] == year].reset_index(drop=True)
    then = both[both["year"] == year - LOOKBACK_YEARS]
    for column in ("score", "band"):  # each column on the codes, not the whole frame
        found = then[column].set_axis(then["la_code"]).reindex(now["la_code"])
        now[f"{column}_2y_before"] = found.to_numpy()
    scores = now["score"].set_axis(pd.MultiIndex.from_arrays([now["la_code"], now["year"]]))
    now["neighbours_median_score"] = neighbour_median(
        scores, now["la_code"].to_numpy(), now["year"].to_numpy(), neighbours=neighbours
    )
    was_good = now["previous_rating"].isin(_GOOD).to_numpy()
    high = now["band"].isin(SLIDING_BANDS).to_numpy()
    rising = (now["rising"] == True).to_numpy()  # noqa: E712 (None is not rising)
    now["sliding"] = was_good & (high | rising)
    return now.sort_values(
        ["sliding", "score", "council"], ascending=[False, False, True], kind="stable"
    )


def _attrs(
    year: int,
    rules: Ruleset,
    user: pd.DataFrame | None,
    neighbours: NeighboursLike,
    facts: LocalFacts | None,
) -> dict[str, object]:
    day = dt.date(year, 1, 1)
    return {
        "year": year,
        "ruleset": f"{rules.id} {rules.version} ({rules.content_hash})",
        "judgements": judgements_note(user),
        "outcomes_note": outcomes_note(day, user),
        "neighbours": grouping(neighbours).model,
        "local": local_note(facts, day) if facts is not None else "",
    }


def watchlist_to_text(table: pd.DataFrame) -> str:
    """The watch list as text: a heading, the table and what the ratings rest on.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.watchlist import watchlist_to_text
        >>> print(watchlist_to_text(ew.watchlist(2020)))  # doctest: +ELLIPSIS
        Watch list for 1 January 2020: ... councils, ... sliding ...
    """
    a = table.attrs
    sliding = int(table["sliding"].sum())
    shown = table.drop(
        columns=[
            "la_code",
            "reasons",
            "notes",
            "previous_rating_basis",
            "previous_rating_age_years",
        ]
    ).copy()
    shown.insert(
        list(shown.columns).index("previous_rating_date"),
        "judged",
        [f"{d:%b %Y}" if pd.notna(d) else "" for d in table["previous_rating_date"]],
    )
    shown["previous_rating_date"] = [
        f"{y:.1f}y" if pd.notna(y) else "" for y in table["previous_rating_age_years"]
    ]
    shown["previous_rating"] = [rating_words(r) for r in shown["previous_rating"]]
    shown["rising"] = shown["rising"].map({True: "yes", False: "no"}).fillna("n/a")
    shown["sliding"] = shown["sliding"].map({True: "yes", False: ""})
    shown["coverage"] = [f"{c:.0%}" for c in shown["coverage"]]
    shown = shown.rename(
        columns={
            "previous_rating": "previous",
            "previous_rating_date": "age",
            "score_2y_before": "2y before",
            "band_2y_before": "band then",
            "neighbours_median_score": "neighbours",
        }
    )
    where = f" in {a['region']}" if a.get("region") else ""
    lines = [
        f"Watch list for 1 January {a['year']}{where}: {len(table)} councils, {sliding} sliding "
        "(previously good or outstanding, now high or severe or rising)",
        "",
    ]
    with pd.option_context("display.width", 250, "display.max_rows", None):
        lines.append(shown.astype(object).where(shown.notna(), "").to_string(index=False))
    lines += ["", *_grouped_notes(table)]
    if a.get("band_observed"):  # what each band has meant, when the caller counted it
        lines += ["What the bands have meant:", *(f"  - {s}" for s in a["band_observed"].values())]
        lines.append("")
    lines += [a["judgements"], *([a["outcomes_note"]] if a.get("outcomes_note") else [])]
    lines += [a["local"]] if a.get("local") else []
    lines.append(f"Neighbours: DfE's {a.get('neighbours', '')} model. Ruleset {a['ruleset']}.")
    return "\n".join(lines)


def _grouped_notes(table: pd.DataFrame) -> list[str]:
    """The councils' notes, each said once: with the councils it concerns, or how many."""
    by_note: dict[str, list[str]] = {}
    for council, notes in zip(table["council"], table["notes"], strict=True):
        for note in filter(None, str(notes).split("; ")):
            by_note.setdefault(note, []).append(str(council))
    if not by_note:
        return []
    lines = ["Notes:"]
    for note, councils in by_note.items():
        who = ", ".join(councils) if len(councils) <= 3 else f"{len(councils)} councils"
        lines.append(f"  - {note}: {who}")
    return [*lines, ""]


def render_watchlist(table: pd.DataFrame, fmt: str) -> str:
    """The watch list as ``text``, ``csv`` or ``json`` (records, with the notes).

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.watchlist import render_watchlist
        >>> render_watchlist(ew.watchlist(2020), "csv").splitlines()[0].split(",")[:4]
        ['council', 'la_code', 'region', 'score']
    """
    if fmt == "text":
        return watchlist_to_text(table) + "\n"
    if fmt == "csv":
        return str(table.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
    if fmt == "json":
        data = dict(table.attrs)
        data["councils"] = json.loads(table.to_json(orient="records", date_format="iso"))
        return json.dumps(data, indent=2) + "\n"
    raise EarlyWarningError(f"watchlist: format {fmt!r} is not text, csv or json")
