"""The figures every page shares are built once per data directory: what is cached must be what
would have been built.

A batch of pages asks for the same England-wide years again and again (the comparison with
neighbours, the trajectory, the national profile), so :func:`earlywarning.datasets.england_profiles`
keeps each year it builds from the data's own judgements and neighbour models. These tests check
that a page built from an empty cache and one built from a full cache are the same bytes, that the
cached years are the rows the builder gives when asked directly, and that no caller can change
what the cache holds.
"""

from __future__ import annotations

import pandas as pd
import pytest

import earlywarning as ew
from earlywarning import datasets
from earlywarning.datasets import england_profiles, profiles_at, resolve_councils


def _uncached(years: list[int], councils: list[str] | None = None, **options: object):
    """The builder asked directly, council by council and day by day, with no cache."""
    wanted = None if councils is None else resolve_councils(councils, "test")
    codes, points = datasets._councils_on(years, wanted)
    return profiles_at(codes, points, **options).reset_index(drop=True)  # type: ignore[arg-type]


def test_a_page_from_an_empty_cache_is_the_page_from_a_full_one() -> None:
    pytest.importorskip("matplotlib")
    datasets._built_years.cache_clear()
    cold = ew.report("Derby", 2020).to_html()
    assert datasets._built_years(), "the page filled the cache"
    ew.report("Leeds", 2020).to_html()  # the next council of a batch
    warm = ew.report("Derby", 2020).to_html()
    assert warm == cold


@pytest.mark.parametrize("provenance", [False, True])
@pytest.mark.parametrize(
    ("years", "councils"),
    [([2011], None), ([2017, 2018, 2019], None), ([2020, 2024], ["Derby", "North Yorkshire"])],
)
def test_cached_years_are_what_the_builder_gives(
    years: list[int], councils: list[str] | None, provenance: bool
) -> None:
    cached = england_profiles(years, councils, provenance=provenance)
    pd.testing.assert_frame_equal(cached, _uncached(years, councils, provenance=provenance))


def test_each_neighbour_model_has_its_own_years() -> None:
    older = england_profiles(2020, neighbours="2021")
    newer = england_profiles(2020, neighbours="2025")
    pd.testing.assert_frame_equal(older, _uncached([2020], neighbours="2021"))
    pd.testing.assert_frame_equal(newer, _uncached([2020], neighbours="2025"))
    peer = "vacancy_rate_vs_neighbours_pp"
    assert not older[peer].equals(newer[peer]), "the two models give different peer measures"


def test_a_caller_cannot_change_the_cache() -> None:
    first = england_profiles(2020)
    first.loc[:, "avg_caseload"] = -1.0
    first.loc[0, "council"] = "changed"
    again = england_profiles(2020)
    assert (again["avg_caseload"] != -1.0).any() and again.loc[0, "council"] != "changed"
    pd.testing.assert_frame_equal(again, _uncached([2020]))


def test_the_users_judgements_are_never_read_from_the_cache(tmp_path) -> None:
    # a judgement the data do not have changes Derby's previous rating in 2026
    mine = tmp_path / "judgements.csv"
    mine.write_text("la_code,date,rating\nE06000015,2025-06-01,inadequate\n", encoding="utf-8")
    theirs = england_profiles(2026, ["Derby"])
    with_mine = england_profiles(2026, ["Derby"], judgements=mine)
    assert with_mine["previous_rating"].iloc[0] == "inadequate"
    assert theirs["previous_rating"].iloc[0] != "inadequate"
    assert england_profiles(2026, ["Derby"]).equals(theirs)
