"""Statistical neighbours, regions, the peer and trend measures, compare, watchlist, judgements."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from strategies import TEST_BANDS, run_docs_script

import earlywarning as ew
from earlywarning import datasets
from earlywarning.cli import main
from earlywarning.compare import neighbour_scores, peer_trajectory, render_compare
from earlywarning.datasets import _inputs
from earlywarning.errors import EarlyWarningError
from earlywarning.judgements import check_judgements, read_judgements
from earlywarning.neighbours import (
    FALLBACK_GROUPINGS,
    REGIONS,
    neighbour_codes,
    regions,
    statistical_neighbours,
)
from earlywarning.profile import FIELD_NAMES
from earlywarning.trajectories import rising_risk
from earlywarning.watchlist import WATCHLIST_COLUMNS, render_watchlist, watchlists

# Councils whose ONS code changed, by the old code and the current one.
RECODED = {
    "E10000023": "E06000065",  # North Yorkshire
    "E10000002": "E06000060",  # Buckinghamshire
    "E10000027": "E06000066",  # Somerset
    "E08000016": "E08000038",  # Barnsley (recoded 2025)
    "E08000019": "E08000039",  # Sheffield (recoded 2025)
}


def raw_rows(name: str) -> list[dict[str, str]]:
    path = resources.files("earlywarning.datasets") / "data" / "england" / name
    with path.open("r", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def number_to_code() -> dict[str, str]:
    """DfE number to current ONS code, read from the bundled CSV without the library."""
    out: dict[str, str] = {}
    for row in raw_rows("la_codes.csv"):
        if "/" not in row["la_code"]:
            out[row["la_number"]] = RECODED.get(row["la_code"], row["la_code"])
    return out


def test_the_by_hand_reading_of_numbers_gives_recoded_councils_their_new_code() -> None:
    codes = number_to_code()
    assert codes["370"] == "E08000038" and codes["373"] == "E08000039"
    assert codes["815"] == "E06000065"  # North Yorkshire


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> ew.Ruleset:
    """One indicator on the vacancy rate: easy to check by hand."""
    data = {
        "id": "tiny",
        "version": "0.1.0",
        "bands": TEST_BANDS,
        "indicators": [
            {
                "id": "vacancy",
                "measure": "vacancy_rate_pct",
                "label": "Vacancies",
                "direction": "higher_is_worse",
                "levels": [
                    {"below": 10, "points": 0},
                    {"from": 10, "below": 20, "points": 20},
                    {"from": 20, "points": 40},
                ],
                "rationale": "a test rule",
                "evidence": ["none"],
            }
        ],
    }
    file = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return ew.load_ruleset(file)


# ----------------------------------------------------------------------------------------------
# The neighbour join and regions


@pytest.mark.parametrize(("model", "councils"), [("2021", 156), ("2025", 153)])
def test_every_council_of_a_model_and_its_neighbours_resolve(model: str, councils: int) -> None:
    codes = number_to_code()
    names = set(regions()["la_code"])
    rows = raw_rows(f"statistical_neighbours_{model}.csv")
    assert len(rows) == councils
    for row in rows:
        code = codes[row["la_number"]]
        assert code in names, row["la_name"]
        expected = [codes[row[f"sn{i}"]] for i in range(1, 11)]
        assert list(neighbour_codes(code, model)) == expected, row["la_name"]
        sn = statistical_neighbours(code, model)
        assert sn.attrs["model"] == model
        assert sn["la_code"].tolist() == expected
        assert sn["closeness"].tolist() == [row[f"sn{i}_closeness"] for i in range(1, 11)]
        assert sn["rank"].tolist() == list(range(1, 11))
        assert code not in expected
        assert sn.attrs["note"] == ""


def test_every_council_in_the_panel_has_neighbours_and_a_region() -> None:
    table = regions()
    assert set(table["region"]) == set(REGIONS)
    for code in table["la_code"]:
        sn = statistical_neighbours(code)
        assert len(sn) == 10 and sn["council"].notna().all()
    for year in (2011, 2019, 2026):
        assert datasets.england_profiles(year)["region"].isin(REGIONS).all()


@pytest.mark.parametrize(("old", "new"), sorted(RECODED.items()))
def test_recoded_councils_resolve_to_their_current_code(old: str, new: str) -> None:
    by_old = statistical_neighbours(old)
    assert by_old.attrs["la_code"] == new
    assert by_old["la_code"].tolist() == statistical_neighbours(new)["la_code"].tolist()


def test_names_resolve_in_any_case_and_dorset_means_todays_council() -> None:
    assert statistical_neighbours("derbyshire").attrs["la_code"] == "E10000007"
    assert statistical_neighbours("Dorset").attrs["la_code"] == "E06000059"
    # the former county keeps its own "Pre LG" row
    former = statistical_neighbours("E10000009")
    assert former["la_code"].tolist() != statistical_neighbours("E06000059")["la_code"].tolist()
    # the DfE groupings' own spellings resolve too
    bcp = statistical_neighbours("Bournemouth, Christchurch & Poole")
    assert bcp.attrs["la_code"] == "E06000058"
    assert statistical_neighbours("Poole (Pre LG)").attrs["la_code"] == "E06000029"
    with pytest.raises(EarlyWarningError, match="Narnia"):
        statistical_neighbours("Narnia")


@pytest.mark.parametrize("council", ["Cumberland", "Westmorland and Furness"])
def test_councils_created_after_2021_take_cumbrias_2021_neighbours_and_say_so(council: str) -> None:
    sn = statistical_neighbours(council, "2021")
    cumbria = statistical_neighbours("Cumbria", "2021")
    assert sn["la_code"].tolist() == cumbria["la_code"].tolist()
    assert set(sn["grouping_of"]) == {"Cumbria"}
    assert "Cumbria" in sn.attrs["note"] and "2021 groupings" in sn.attrs["note"]
    assert FALLBACK_GROUPINGS[sn.attrs["la_code"]] == "E10000006"
    # the 2025 model, the default, has a row of their own
    own = statistical_neighbours(council)
    assert own.attrs["model"] == "2025" and own.attrs["note"] == ""
    assert set(own["grouping_of"]) == {council}


@pytest.mark.parametrize(
    "council", ["Northamptonshire", "Cumbria", "Bournemouth", "Poole", "E10000009"]
)
def test_councils_abolished_before_2025_keep_their_2021_neighbours_and_say_so(
    council: str,
) -> None:
    sn = statistical_neighbours(council)
    assert sn["la_code"].tolist() == statistical_neighbours(council, "2021")["la_code"].tolist()
    assert "not in the DfE's 2025 model" in sn.attrs["note"]
    assert "2021 model" in sn.attrs["note"]


def test_a_model_the_data_do_not_have_is_refused_naming_those_they_have() -> None:
    with pytest.raises(EarlyWarningError, match=r"'2019'.*2021, 2025"):
        statistical_neighbours("Derbyshire", "2019")


# ----------------------------------------------------------------------------------------------
# The peer and trend measures


# Where a council's figures sit under a former code (the data README's "mapped to their former
# county codes"), read by hand.
FORMER = {new: old for old, new in RECODED.items()} | {"E06000059": "E10000009"}


def _panel_value(column: str, code: str, year: int) -> float:
    panel = datasets.england_panel()
    for where in (code, FORMER.get(code)):
        rows = panel[(panel["la_code"] == where) & (panel["year"] == year)]
        if len(rows) and not np.isnan(rows[column].iloc[0]):
            return float(rows[column].iloc[0])
    return float("nan")


def test_peer_measures_match_a_by_hand_reading_of_the_panel() -> None:
    # Derbyshire on 1 January 2020 reads the census of 30 September 2019
    p = datasets.profiles_at(["E10000007"], [dt.date(2020, 1, 1)]).iloc[0]
    old = datasets.profiles_at(["E10000007"], [dt.date(2020, 1, 1)], neighbours="2021").iloc[0]
    assert neighbour_codes("E10000007") == neighbour_codes("E10000007", "2025")
    for field, column in (
        ("vacancy_rate_vs_neighbours_pp", "csww_vacancy_rate_fte"),
        ("agency_rate_vs_neighbours_pp", "csww_agency_rate_fte"),
    ):
        for profile, model in ((p, "2025"), (old, "2021")):
            near = [_panel_value(column, c, 2019) for c in neighbour_codes("E10000007", model)]
            near = [v for v in near if not np.isnan(v)]
            assert len(near) >= 8, model  # Somerset and Dorset are read under former codes
            expected = _panel_value(column, "E10000007", 2019) - float(np.median(near))
            assert profile[field] == pytest.approx(expected), model
        change = _panel_value(column, "E10000007", 2019) - _panel_value(column, "E10000007", 2017)
        assert p[field.replace("vs_neighbours", "change_2y")] == pytest.approx(change)
    # looked-after rate: DfE figures for 31 March 2023 and 2021 (1 January 2024)
    q = datasets.profiles_at(["E10000007"], [dt.date(2024, 1, 1)]).iloc[0]
    expected = _panel_value("cla_31mar_rate_10k", "E10000007", 2023) - _panel_value(
        "cla_31mar_rate_10k", "E10000007", 2021
    )
    assert q["cla_rate_change_2y_per_10k"] == pytest.approx(expected)


def _corrupted_from(year: int) -> pd.DataFrame:
    """The panel with every figure dated ``year`` or later changed beyond recognition."""
    panel = datasets.england_panel()
    numbers = [c for c in panel.columns if c not in ("la_code", "la_name", "year")]
    later = panel["year"] >= year
    panel.loc[later, numbers] = panel.loc[later, numbers] * 3 + 50
    return panel


@pytest.mark.parametrize("when", [dt.date(2020, 7, 8), dt.date(2022, 1, 1), dt.date(2024, 3, 1)])
def test_nothing_dated_after_the_point_in_time_is_used(
    monkeypatch: pytest.MonkeyPatch, when: dt.date
) -> None:
    codes = sorted(set(regions()["la_code"]) - {"E06000063", "E06000064", "E10000006"})
    days = [when] * len(codes)
    fields = [*_inputs.PEER_FIELDS, *_inputs.TREND_FIELDS, "cla_rate_change_2y_per_10k"]
    clean = datasets.profiles_at(codes, days)
    assert clean[fields].notna().sum().min() > 100

    def corrupted(year: int) -> pd.DataFrame:
        monkeypatch.setattr(_inputs, "panel", lambda: _corrupted_from(year))
        _inputs.council_inputs.cache_clear()
        try:
            return datasets.profiles_at(codes, days)
        finally:
            monkeypatch.undo()
            _inputs.council_inputs.cache_clear()

    # figures from the calendar year of the point in time on (the census of 30 September of
    # that year, demand to 31 March of the next) are never read
    pd.testing.assert_frame_equal(corrupted(when.year), clean)
    # while the year before is read: the test can fail
    changed = corrupted(when.year - 1)
    for field in fields:
        assert not np.allclose(changed[field], clean[field], equal_nan=True), field


def test_the_peer_fields_are_profile_fields_a_user_can_give() -> None:
    p = ew.CouncilProfile(
        council="X",
        year=2026,
        region="London",
        vacancy_rate_vs_neighbours_pp=12,
        agency_rate_vs_neighbours_pp=-3,
        cla_rate_change_2y_per_10k=6,
    )
    a = ew.score(p)
    by_rule = {c.indicator: c.points for c in a.contributions}
    assert by_rule["vacancy_rate_vs_neighbours"] > 0
    assert by_rule["looked_after_rate_rising"] > 0
    with pytest.raises(ew.ProfileError, match="vacancy_rate_vs_neighbours_pp"):
        ew.CouncilProfile(council="X", year=2026, vacancy_rate_vs_neighbours_pp=140)


def test_declined_from_good_is_declined_among_the_previously_good(
    inspections: pd.DataFrame,
) -> None:
    ip = inspections
    known = ip["declined_from_good"].notna()
    assert (known == ip["prev_rating"].isin(["good", "outstanding"])).all()
    assert (ip.loc[known, "declined_from_good"] == ip.loc[known, "declined"]).all()
    assert int(known.sum()) == 50 and int(ip.loc[known, "declined_from_good"].sum()) == 11


# ----------------------------------------------------------------------------------------------
# compare


def test_compare_on_a_one_rule_ruleset_matches_a_hand_computation(tiny: ew.Ruleset) -> None:
    table = ew.compare("Derbyshire", 2020, tiny)
    assert list(table.index) == ["vacancy", "score"]
    profiles = datasets.england_profiles(2020)
    vacancy = profiles.set_index("la_code")["vacancy_rate_pct"]
    mine = vacancy["E10000007"]
    row = table.loc["vacancy"]
    assert row["value"] == pytest.approx(mine)
    assert row["points"] == (40 if mine >= 20 else 20 if mine >= 10 else 0)
    near = vacancy.reindex(list(neighbour_codes("E10000007"))).dropna()
    assert row["neighbours_median"] == pytest.approx(near.median())
    region = profiles[profiles["region"] == "East Midlands"]["vacancy_rate_pct"].dropna()
    assert row["region_median"] == pytest.approx(region.median())
    assert row["england_median"] == pytest.approx(vacancy.dropna().median())
    assert row["england_rank"] == int((vacancy.dropna() > mine).sum()) + 1
    assert row["england_ranked"] == int(vacancy.notna().sum())
    scores = ew.score_frame(profiles, tiny)["score"]
    assert table.loc["score", "value"] == pytest.approx(scores[profiles["la_code"] == "E10000007"])
    assert table.loc["score", "england_median"] == pytest.approx(scores.median())
    # each neighbour's own score
    neighbours = table.attrs["neighbours"]
    by_code = dict(zip(profiles["la_code"], scores, strict=True))
    for code, score in zip(neighbours["la_code"], neighbours["score"], strict=True):
        assert score == pytest.approx(by_code[code]) if code in by_code else np.isnan(score)
    assert neighbours["la_code"].tolist() == list(neighbour_codes("E10000007"))
    same = neighbour_scores("Derbyshire", 2020, tiny)
    pd.testing.assert_frame_equal(same, neighbours)


def test_compare_leaves_out_indicators_without_data_and_refuses_what_it_cannot_do() -> None:
    table = ew.compare("Derbyshire", 2016)
    # the workforce census starts in September 2017: no caseload in a 2016 profile
    assert "caseload" not in table.index and "score" in table.index
    assert table["value"].notna().all()
    with pytest.raises(EarlyWarningError, match="did not exist"):
        ew.compare("Cumberland", 2020)
    with pytest.raises(EarlyWarningError, match="not in the data"):
        ew.compare("Derbyshire", 2030)


def test_compare_renders_csv_and_json() -> None:
    table = ew.compare("Derbyshire", 2021)
    rows = list(csv.DictReader(io.StringIO(render_compare(table, "csv"))))
    assert [r["indicator"] for r in rows] == list(table.index)
    data = json.loads(render_compare(table, "json"))
    assert data["council"] == "Derbyshire" and len(data["neighbours"]) == 10
    assert "31 March 2025" in data["judgements"]


def _national(council: str, year: int) -> dict[str, Any]:
    """The council's national profile as a user would give it: its fields with a value."""
    row = datasets.england_profiles(year, [council]).iloc[0]
    return {k: v for k, v in row.items() if k in FIELD_NAMES and pd.notna(v)}


def test_compare_sets_a_given_profile_in_the_place_of_the_national_one(tiny: ew.Ruleset) -> None:
    given = _national("E10000007", 2020) | {"vacancy_rate_pct": 41.5}
    table = ew.compare(profile=given, ruleset=tiny, origin="From my file.")
    national = ew.compare("Derbyshire", 2020, tiny)
    profiles = datasets.england_profiles(2020)
    vacancy = profiles.set_index("la_code")["vacancy_rate_pct"].copy()
    vacancy["E10000007"] = 41.5  # England's figures, the council's as given
    row = table.loc["vacancy"]
    assert row["value"] == 41.5 and row["points"] == 40 and row["source"] == "profile"
    assert row["england_median"] == pytest.approx(vacancy.dropna().median())
    assert row["england_rank"] == int((vacancy.dropna() > 41.5).sum()) + 1
    # the neighbours are the data's, untouched by the council's own figures
    assert row["neighbours_median"] == national.loc["vacancy", "neighbours_median"]
    pd.testing.assert_frame_equal(table.attrs["neighbours"], national.attrs["neighbours"])
    assert table.loc["score", "value"] == 40 and table.loc["score", "source"] == "profile"
    assert table.attrs["origin"] == "From my file."
    assert national.loc["vacancy", "source"] == "national"
    assert "national data" in national.attrs["origin"]
    # a figure the profile leaves out is missing, not filled from the national data
    bare = {k: v for k, v in given.items() if k != "vacancy_rate_pct"}
    assert "vacancy" not in ew.compare(profile=bare, ruleset=tiny).index


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"council": "Derbyshre", "year": 2020}, "'Derbyshre' is not a council in the data, "),
        ({"council": "Derbyshre", "year": 2020}, "did you mean 'Derbyshire'"),
        ({"council": "Derbyshire", "year": 2031}, "year 2031 (Derbyshire) is not in the data"),
        ({"council": "Cumberland", "year": 2020}, "did not exist on 1 January 2020"),
        (
            {"council": "Derbyshire", "la_code": "E10000003", "year": 2020},
            "'Derbyshire' (E10000007) and la_code 'E10000003' are two councils",
        ),
    ],
)
def test_a_profile_compare_cannot_place_is_refused_with_its_council_and_year(
    given: dict[str, Any], said: str
) -> None:
    with pytest.raises(EarlyWarningError) as refused:
        ew.compare(profile=given)
    assert said in str(refused.value)


def test_compare_takes_a_council_and_year_or_a_profile_not_both() -> None:
    with pytest.raises(EarlyWarningError, match="not both"):
        ew.compare("Derbyshire", 2020, profile={"council": "Derbyshire", "year": 2020})
    with pytest.raises(EarlyWarningError, match="give a council and a year, or a profile"):
        ew.compare("Derbyshire")


def test_peer_trajectory_is_the_yearly_compare() -> None:
    t = peer_trajectory("Derbyshire", [2019, 2021])
    for _, row in t.iterrows():
        c = ew.compare("Derbyshire", int(row["year"]))
        assert row["score"] == c.loc["score", "value"]
        assert row["neighbours_median"] == pytest.approx(c.loc["score", "neighbours_median"])
        assert row["england_median"] == pytest.approx(c.loc["score", "england_median"])


# ----------------------------------------------------------------------------------------------
# watchlist


def test_watchlist_on_a_one_rule_ruleset(tiny: ew.Ruleset) -> None:
    w = ew.watchlist(2021, tiny)
    assert tuple(w.columns) == WATCHLIST_COLUMNS
    now = datasets.england_profiles(2021)
    assert len(w) == len(now) and set(w["la_code"]) == set(now["la_code"])
    both = datasets.england_profiles([2019, 2021])
    scored = pd.concat([both, ew.score_frame(both, tiny)], axis=1)
    scored["rising"] = rising_risk(scored, by="la_code")
    by_year = {y: f.set_index("la_code") for y, f in scored.groupby("year")}
    for row in w.itertuples():
        here = by_year[2021].loc[row.la_code]
        assert row.score == here["score"] and row.band == here["band"]
        assert row.rising == here["rising"]
        if row.la_code in by_year[2019].index:
            assert row.score_2y_before == by_year[2019].loc[row.la_code, "score"]
        else:
            assert np.isnan(row.score_2y_before)
        near = by_year[2021]["score"].reindex(list(neighbour_codes(row.la_code))).dropna()
        assert row.neighbours_median_score == pytest.approx(near.median())
        was_good = row.previous_rating in ("good", "outstanding")
        expected = was_good and (row.band in ("high", "severe") or row.rising is True)
        assert row.sliding == expected
    # sliding first, then the highest score
    assert w["sliding"].is_monotonic_decreasing
    for _, part in w.groupby("sliding"):
        assert part["score"].is_monotonic_decreasing
    assert w["sliding"].any() and not w["sliding"].all()


def test_watchlist_2026_reaches_the_newest_census() -> None:
    w = ew.watchlist(2026)
    assert "Cumberland" in set(w["council"]) and "Cumbria" not in set(w["council"])
    assert w["region"].isin(REGIONS).all()
    assert "31 March 2025" in w.attrs["judgements"]
    text = render_watchlist(w, "text")
    assert "31 March 2025" in text
    sliding = ew.watchlist(2026, sliding_only=True)
    assert sliding["la_code"].tolist() == w.loc[w["sliding"], "la_code"].tolist()
    london = ew.watchlist(2026, region="london")
    assert london["la_code"].tolist() == w.loc[w["region"] == "London", "la_code"].tolist()
    assert london["neighbours_median_score"].tolist() == (
        w.loc[w["region"] == "London", "neighbours_median_score"].tolist()
    )
    with pytest.raises(EarlyWarningError, match="Wessex"):
        ew.watchlist(2026, region="Wessex")


@pytest.mark.parametrize("local", [None, "derbyshire.yaml"])
def test_watch_lists_built_together_are_each_years_own(local: str | None) -> None:
    """Years scored in one frame (a list's own, and the one two years before it, shared with
    another list) give each year the list it has alone, attrs and all."""
    facts = None if local is None else Path(__file__).parents[1] / "examples" / "local" / local
    together = watchlists([2019, 2012, 2021, 2019], local=facts, neighbours="2021")
    assert list(together) == [2019, 2012, 2021]
    for year, listed in together.items():
        alone = ew.watchlist(year, local=facts, neighbours="2021")
        pd.testing.assert_frame_equal(listed, alone, check_exact=True)
        assert list(listed.attrs) == list(alone.attrs)
        for key, value in alone.attrs.items():
            if isinstance(value, pd.DataFrame):
                pd.testing.assert_frame_equal(listed.attrs[key], value, check_exact=True)
            else:
                assert listed.attrs[key] == value, key
    if local is not None:  # the council's own facts reached the lists
        assert together[2021]["notes"].str.contains("local facts for").any()
    with pytest.raises(EarlyWarningError, match="watchlist: year"):
        watchlists([2019, 1999])


# ----------------------------------------------------------------------------------------------
# The user's judgements


def _judgements_file(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    file = tmp_path / "judgements.csv"
    with file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return file


def test_a_users_judgements_are_used_after_their_date_and_not_before(tmp_path: Path) -> None:
    file = _judgements_file(
        tmp_path,
        [
            {"council": "derbyshire", "date": "2025-05-15", "overall": "Outstanding"},
            {"council": "E10000023", "date": "2025-06-02", "overall": "Requires improvement"},
        ],
    )
    days = [dt.date(2025, 5, 15), dt.date(2025, 5, 16)]
    bundled = datasets.profiles_at(["E10000007"] * 2, days)
    mine = datasets.profiles_at(["E10000007"] * 2, days, judgements=file, provenance=True)
    # strictly before: the day of the inspection still reads the earlier judgement
    assert mine["previous_rating"].iloc[0] == bundled["previous_rating"].iloc[0]
    assert mine["previous_rating"].iloc[1] == "outstanding"
    assert str(mine["previous_rating_date"].iloc[1].date()) == "2025-05-15"
    w = ew.watchlist(2026, judgements=file).set_index("council")
    assert w.loc["Derbyshire", "previous_rating"] == "outstanding"
    assert w.loc["North Yorkshire", "previous_rating"] == "requires_improvement"
    assert "2 judgement(s) from judgements.csv" in w.attrs["judgements"]
    c = ew.compare("Derbyshire", 2026, judgements=read_judgements(file))
    assert c.loc["previous_rating", "value"] == 1.0
    assert datasets.england_profiles(2026, ["Derbyshire"], judgements=file)[
        "previous_rating"
    ].tolist() == ["outstanding"]
    # a table passed directly is "supplied by the user"
    direct = ew.watchlist(2026, judgements=pd.read_csv(file, dtype=str))
    assert "2 judgement(s) supplied by the user" in direct.attrs["judgements"]


def test_a_bad_judgements_table_names_every_bad_row() -> None:
    table = pd.DataFrame(
        {
            "council": ["Derbyshire", "Narnia", "Kent", "Leeds"],
            "date": ["2023-01-01", "2023-01-01", "soon", "2023-02-02"],
            "overall": ["Good", "Good", "Good", "brilliant"],
        }
    )
    with pytest.raises(EarlyWarningError) as err:
        check_judgements(table)
    text = str(err.value)
    assert "3 problem(s)" in text
    assert "row 2: council 'Narnia'" in text
    assert "row 3: date 'soon'" in text
    assert "row 4: judgement 'brilliant'" in text
    with pytest.raises(EarlyWarningError, match="no judgement column"):
        check_judgements(table.drop(columns="overall"))


# ----------------------------------------------------------------------------------------------
# The command line


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_cli_compare_in_three_formats() -> None:
    code, text = run("compare", "Derbyshire", "--year", "2016")
    assert code == 0
    assert text.startswith("Derbyshire (E10000007, East Midlands) on 1 January 2016: score")
    assert "Nottinghamshire" in text and "31 March 2025" in text
    code, out = run("compare", "Derbyshire", "--year", "2016", "--format", "csv")
    assert code == 0 and out.splitlines()[-1].startswith("score,")
    code, out = run("compare", "Derbyshire", "--year", "2016", "--format", "json")
    assert code == 0 and json.loads(out)["year"] == 2016
    assert run("compare", "Narnia", "--year", "2016")[0] == 1


def test_cli_compare_reads_a_profile_file_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    given = _national("E10000007", 2020) | {"vacancy_rate_pct": 41.5}
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({k: _plain(v) for k, v in given.items()}))
    code, text = run("compare", str(path))
    assert code == 0 and text.startswith("Derbyshire (E10000007, East Midlands) on 1 January 2020")
    assert f"The council's figures are from the profile in {path}, not the national data" in text
    code, out = run("compare", str(path), "--format", "csv", "--neighbours", "2021")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["source"] for r in rows} == {"profile"}
    assert next(r for r in rows if r["indicator"] == "vacancy_rate")["value"] == "41.5"
    assert f"from the profile in {path}" in capsys.readouterr().err
    # the chart is of national scores by year: a file of one year is not drawn
    code, _ = run("compare", str(path), "--plot", str(tmp_path / "p.png"))
    assert code == 1 and "a profile file holds one year" in capsys.readouterr().err
    assert not (tmp_path / "p.png").exists()


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def test_cli_compare_draws_the_chart(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    chart = tmp_path / "peers.png"
    code, _ = run("compare", "Derbyshire", "--year", "2026", "--plot", str(chart))
    assert code == 0 and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_watchlist_filters_and_judgements(tmp_path: Path) -> None:
    code, out = run("watchlist", "--year", "2026", "--sliding-only", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and all(r["sliding"] == "True" for r in rows)
    code, out = run("watchlist", "--year", "2026", "--region", "north west", "--format", "json")
    data = json.loads(out)
    assert code == 0 and {c["region"] for c in data["councils"]} == {"North West"}
    assert run("watchlist", "--year", "2026", "--region", "Wessex")[0] == 1
    file = _judgements_file(
        tmp_path, [{"council": "Swindon", "date": "2024-06-01", "overall": "Inadequate"}]
    )
    code, out = run("watchlist", "--year", "2026", "--judgements", str(file), "--format", "csv")
    swindon = next(r for r in csv.DictReader(io.StringIO(out)) if r["council"] == "Swindon")
    assert code == 0 and swindon["previous_rating"] == "inadequate"
    assert swindon["sliding"] == "False"
    bad = _judgements_file(tmp_path, [{"council": "Swindon", "date": "x", "overall": "Good"}])
    assert run("watchlist", "--year", "2026", "--judgements", str(bad))[0] == 1


@pytest.mark.slow
def test_make_peer_figures_draws_the_image_the_page_shows(tmp_path: Path) -> None:
    made, _ = run_docs_script("make_peer_figures.py", tmp_path)
    root = Path(__file__).resolve().parents[1]
    committed = sorted(p.name for p in (root / "docs" / "img" / "peers").glob("*.png"))
    assert made == committed == ["derbyshire-peers.png"]
    page = (root / "docs" / "neighbours.md").read_text(encoding="utf-8")
    assert "img/peers/derbyshire-peers.png" in page


def test_a_frame_without_declined_from_good_is_validated_on_the_other_outcomes() -> None:
    from earlywarning.validate import validate_profiles

    frame = pd.DataFrame(
        {
            "council": list("ABCDEF"),
            "year": 2020,
            "agency_rate_pct": [5, 5, 5, 40, 40, 40],
            "below_good": [False, False, True, True, True, False],
            "inadequate": [False] * 5 + [True],
            "declined": [None, False, True, False, True, True],
        }
    )
    report = validate_profiles(frame, baseline=False, resamples=0)
    assert list(report.table().index) == ["below_good", "inadequate", "declined"]
    with pytest.raises(EarlyWarningError, match="declined"):
        validate_profiles(frame.drop(columns="declined"), baseline=False, resamples=0)
    # with the judgements, every outcome is derived, the new one included
    rated = frame.drop(columns=["below_good", "inadequate", "declined"]).assign(
        new_rating=["good", "inadequate", "requires_improvement", "good", "good", "inadequate"],
        prev_rating=["good", "good", None, "outstanding", "requires_improvement", "good"],
    )
    table = validate_profiles(rated, baseline=False, resamples=0).table()
    assert table.loc["declined_from_good", ["n", "positives"]].tolist() == [4, 3]


def test_a_region_that_is_not_text_is_refused_alike_in_a_profile_and_a_frame() -> None:
    with pytest.raises(ew.ProfileError, match="region"):
        ew.CouncilProfile(council="X", year=2026, region=3)
    out = ew.score_frame(
        pd.DataFrame({"council": ["X", "Y"], "year": 2026, "region": ["London", 3]})
    )
    assert out["error"].isna().tolist() == [True, False]
    assert out["error"].iloc[1] == "region: 3 must be non-empty text"


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("alias.yaml", "- &x {council: Derby, date: 2023-05-15, overall: good}\n- *x\n", "anchor"),
        ("twice.yaml", "- {council: Derby, council: Leeds, date: 2023-05-15}\n", "written twice"),
        ("ragged.csv", "council,date,overall\nDerby,2023-05-15\n", "row has 2 fields"),
        ("nan.json", '[{"council": "Derby", "date": "2023-05-15", "overall": NaN}]', "NaN"),
    ],
)
def test_judgements_files_are_read_with_every_guard(tmp_path, name, text, said):
    # before: yaml.safe_load expanded aliases and kept the last of two keys; pandas read a
    # ragged row as a blank and a JSON NaN as a float
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ew.InputFileError, match=said) as refused:
        read_judgements(path)
    assert refused.value.line is not None and str(path) in str(refused.value)
