"""Every council's score over the years, and which councils' risk is rising.

:func:`england_scores` scores every English council for every year from the bundled panel;
:func:`rising_risk` flags a row whose band rose, or whose score rose by a margin, against the
same council's row some years before; :func:`trajectories_text` lays the scores out as text.

Example:
    >>> import earlywarning as ew
    >>> ew.england_scores([2022], councils=["Derbyshire"])["band"].tolist()
    ['moderate']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from earlywarning.datasets import LOCAL_COLUMN, LocalLike, england_profiles, profile_years
from earlywarning.datasets.neighbours import NeighboursLike
from earlywarning.engine import score_frame
from earlywarning.errors import EarlyWarningError
from earlywarning.parameters import check_margin, check_whole, check_years
from earlywarning.rules import BAND_NAMES, Ruleset

__all__ = ["england_scores", "rising_risk", "trajectories_text"]

# Close enough to call two scores equal: the engine rounds scores to 6 decimal places.
_EPSILON = 1e-9


def rising_risk(
    frame: pd.DataFrame,
    *,
    rise_margin: float = 10.0,
    lookback_years: int = 2,
    by: str = "council",
) -> pd.Series:
    """Flag rows whose risk is rising: a higher band, or a score up by ``rise_margin`` or more.

    Each row is compared with the same council's row ``lookback_years`` earlier. The flag is
    True when the band is now higher, or the score is at least ``rise_margin`` points higher;
    False when neither; None when there is no score to compare with (no earlier row, or a
    missing score either side). If the frame has a ``coverage`` column, a row whose coverage is
    higher than the earlier row's is also None: a score that rests on more data is not
    comparable with one that rested on less, since every added indicator can only add points
    (the bundled data have no workforce census before 2018, for example).

    Args:
        frame: columns ``by``, ``year``, ``score`` and ``band`` (and optionally ``coverage``),
            one row per council and year.
        rise_margin: the score rise, in points, that counts as rising on its own.
        lookback_years: how many years back to compare.
        by: the column naming the council.

    Returns:
        A Series of True, False or None, named ``rising``, on the frame's index.

    Raises:
        EarlyWarningError: a column is missing or a council has two rows for one year.

    Example:
        >>> import pandas as pd
        >>> from earlywarning.trajectories import rising_risk
        >>> f = pd.DataFrame({"council": ["A"] * 3, "year": [2018, 2019, 2020],
        ...                   "score": [10.0, 12.0, 21.0], "band": ["low", "low", "moderate"]})
        >>> rising_risk(f).tolist()
        [None, None, True]
    """
    rise_margin = check_margin(rise_margin, "rise_margin", 0, 100)
    lookback_years = check_whole(lookback_years, "lookback_years", 1, 100)
    need = [by, "year", "score", "band"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise EarlyWarningError(f"rising_risk: column(s) missing: {missing}")
    keys = pd.DataFrame(
        {
            "_key": frame[by].to_numpy(dtype=object),
            "_year": frame["year"].to_numpy(dtype="int64"),
        }
    )
    if keys.duplicated().any():
        dupes = keys[keys.duplicated()].head(3).to_records(index=False).tolist()
        raise EarlyWarningError(f"rising_risk: more than one row for council and year: {dupes}")
    rank = {name: float(i) for i, name in enumerate(BAND_NAMES)}
    band = np.array([rank.get(b, np.nan) if isinstance(b, str) else np.nan for b in frame["band"]])
    score = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    has_coverage = "coverage" in frame.columns
    coverage = (
        pd.to_numeric(frame["coverage"], errors="coerce").to_numpy(dtype=float)
        if has_coverage
        else np.full(len(frame), np.nan)
    )
    earlier = keys.assign(
        _year=keys["_year"] + lookback_years, _score=score, _band=band, _coverage=coverage
    )
    then = keys.merge(earlier, on=["_key", "_year"], how="left")  # keeps the left order
    then_score = then["_score"].to_numpy(dtype=float)
    then_band = then["_band"].to_numpy(dtype=float)
    then_coverage = then["_coverage"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        higher_band = band > then_band
        up = score - then_score >= rise_margin - _EPSILON
        unknown = np.isnan(score) | np.isnan(then_score)
        if has_coverage:
            unknown |= coverage > then_coverage + _EPSILON
    flag = higher_band | up
    values = [None if u else bool(f) for u, f in zip(unknown, flag, strict=True)]
    return pd.Series(values, index=frame.index, dtype=object, name="rising")


def england_scores(
    years: Iterable[int] | None = None,
    ruleset: Ruleset | None = None,
    *,
    rise_margin: float = 10.0,
    councils: Sequence[str] | None = None,
    neighbours: NeighboursLike = None,
    local: LocalLike = None,
) -> pd.DataFrame:
    """Score every English council for every year, with a flag for rising risk.

    Profiles are :func:`~earlywarning.datasets.england_profiles` (as known on 1 January of each
    year), scored with :func:`~earlywarning.score_frame`; ``rising`` is :func:`rising_risk`
    against two years earlier.

    Caveats: ``previous_rating`` is the last Ofsted judgement the data know (to 31 March 2025 in
    the bundled data); for later dates it may be stale, since a council may have been inspected
    again since. The workforce census starts in September 2017, so profiles
    for 2017 have no workforce measures and lower ``coverage`` (and ``rising`` is None in 2019,
    whose scores rest on more data than 2017's).

    Args:
        years: the years to score: year Y is each council as known on 1 January Y (the workforce
            census of 30 September Y-1). The data's range is
            :func:`~earlywarning.datasets.profile_years` (2011 to 2026 in the bundled data); the
            default is 2017, the year before the first census, to the newest.
        ruleset: the ruleset; ``None`` is the bundled default.
        rise_margin: the score rise over two years, in points, flagged as rising on its own.
        councils: keep only these councils, by name or ONS code (any case).
        neighbours: the neighbour model of the peer measures (the newest by default).
        local: the councils' own facts, or the path of a facts file: each year's profile of a
            council they cover reads them as on 1 January of that year (see
            :func:`~earlywarning.datasets.profiles_at`).

    Returns:
        One row per council and year, sorted by year and ``la_code``, with the columns
        ``la_code``, ``council``, ``year``, ``score``, ``band``, ``coverage``, ``reasons`` and
        ``rising`` (True, False, or None when there is no comparable score two years earlier);
        with ``local``, also ``local_fields``, the fields each row took from local facts.

    Example:
        >>> import earlywarning as ew
        >>> df = ew.england_scores([2020, 2022], councils=["Derbyshire"])
        >>> df[["council", "year", "rising"]].values.tolist()
        [['Derbyshire', 2020, None], ['Derbyshire', 2022, False]]
    """
    first, last = profile_years()
    wanted = check_years(years if years is not None else range(2017, last + 1), first, last)
    rise_margin = check_margin(rise_margin, "rise_margin", 0, 100)
    profiles = england_profiles(wanted, councils, neighbours=neighbours, local=local)
    scored = score_frame(profiles, ruleset)
    out = pd.concat(
        [
            profiles[["la_code", "council", "year"]],
            scored[["score", "band", "coverage", "reasons"]],
        ],
        axis=1,
    )
    out["rising"] = rising_risk(out, rise_margin=rise_margin, by="la_code")
    if LOCAL_COLUMN in profiles.columns:
        out[LOCAL_COLUMN] = profiles[LOCAL_COLUMN]
    return out


def trajectories_text(scores: pd.DataFrame) -> str:
    """Scores by council and year as a text table: rising as yes/no/n/a, coverage rounded.

    Example:
        >>> import earlywarning as ew
        >>> from earlywarning.trajectories import trajectories_text
        >>> scores = ew.england_scores([2020, 2022], councils=["Derbyshire"])
        >>> print(trajectories_text(scores.drop(columns="reasons")))
           council  year  score     band  coverage rising
        Derbyshire  2020   38.0     high      0.43    n/a
        Derbyshire  2022   26.0 moderate      0.43     no
    """
    shown = scores.drop(columns="la_code").assign(
        rising=scores["rising"].map({True: "yes", False: "no"}).fillna("n/a"),
        coverage=scores["coverage"].round(2),
    )
    with pd.option_context("display.max_rows", None, "display.width", 250):
        return str(shown.to_string(index=False))
