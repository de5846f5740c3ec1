"""The present, not 2022 (issue 16): judgements to March 2025 with sub-judgements, judgements
without an overall grade, the 2025 neighbours under current codes, and how old each figure is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import D2I_OVERVIEW, OUTCOMES_2025, run_cli

import earlywarning as ew
from earlywarning import datasets
from earlywarning.datasets.judgement_rule import (
    RULE_EVIDENCE,
    overall_from_subjudgements,
    rating_and_basis,
)
from earlywarning.datasets.neighbours import neighbour_codes
from earlywarning.vocabulary import RATINGS

SUBS = ["leadership", "help_protection", "children_in_care", "care_leavers"]


# ----------------------------------------------------------------------------------------------
# Judgements to 31 March 2025, and the rule for those without an overall grade


def test_the_judgements_run_to_march_2025_with_their_sub_judgements() -> None:
    assert datasets.OUTCOMES_CUTOFF == dt.date(2025, 3, 31) == datasets.outcomes_as_at()
    j = datasets.ofsted_judgements()
    ilacs = j[j["framework"] == "ILACS"]
    assert len(ilacs) == 271 and ilacs["date"].max() == pd.Timestamp("2025-03-24")
    # every ILACS judgement has its three sub-judgements, and the fourth from January 2023
    assert ilacs[SUBS[:3]].notna().all().all()
    since = ilacs["date"] >= pd.Timestamp("2023-01-01")
    assert ilacs.loc[since, "care_leavers"].notna().all()
    assert ilacs.loc[~since, "care_leavers"].isna().all()
    # Swindon was judged inadequate in July 2023: the first "previously good" council
    swindon = j[j["la_name"] == "Swindon"].iloc[-1]
    assert (swindon["rating"], str(swindon["date"].date())) == ("inadequate", "2023-07-17")


def _ranks(*grades: str | None) -> list[int]:
    return [RATINGS.index(g) for g in grades if g is not None]


def _candidates(row: pd.Series) -> dict[str, str]:
    """Each candidate rule of RULE_EVIDENCE, written out afresh (a slow, obvious reference)."""
    ranks = sorted(_ranks(*row[SUBS]))
    upper, lower = ranks[len(ranks) // 2], ranks[(len(ranks) - 1) // 2]
    return {
        "median of the sub-judgements (the worse of the middle two)": RATINGS[upper],
        "median of the sub-judgements (the better of the middle two)": RATINGS[lower],
        "impact of leaders": row["leadership"],
        "help and protection": row["help_protection"],
        "children in care": row["children_in_care"],
        "worst sub-judgement": RATINGS[ranks[-1]],
        "best sub-judgement": RATINGS[ranks[0]],
    }


def test_the_rules_evidence_is_what_the_2018_to_2025_inspections_show() -> None:
    j = datasets.ofsted_judgements()
    ilacs = j[j["framework"] == "ILACS"]
    assert len(ilacs) == 271
    counts: dict[str, int] = {}
    for _, row in ilacs.iterrows():
        for name, guess in _candidates(row).items():
            counts[name] = counts.get(name, 0) + (guess == row["rating"])
    rule = np.array([overall_from_subjudgements(*r) for r in ilacs[SUBS].itertuples(index=False)])
    agree = rule == ilacs["rating"].to_numpy()
    training = (ilacs["date"] <= pd.Timestamp(datasets.TRAINING_CUTOFF)).to_numpy()
    counts["median, inadequate if any sub-judgement is inadequate (the rule)"] = int(agree.sum())
    counts["the rule, training period (inspections to 31 March 2022)"] = int(agree[training].sum())
    counts["the rule, test period (April 2022 to March 2025)"] = int(agree[~training].sum())
    totals = {
        "the rule, training period (inspections to 31 March 2022)": int(training.sum()),
        "the rule, test period (April 2022 to March 2025)": int((~training).sum()),
    }
    assert {k: (v, totals.get(k, 271)) for k, v in counts.items()} == RULE_EVIDENCE
    # the rule agrees most of all the candidates, and is never more than one grade out
    assert max(n for n, _ in RULE_EVIDENCE.values()) == int(agree.sum()) == 260
    gaps = [
        abs(RATINGS.index(a) - RATINGS.index(b)) for a, b in zip(rule, ilacs["rating"], strict=True)
    ]
    assert max(gaps) == 1


def test_a_judgement_with_no_overall_grade_reads_its_rating_from_the_sub_judgements() -> None:
    assert rating_and_basis("", "Good", "Outstanding", "Good") == ("good", "sub-judgements")
    assert rating_and_basis(None, "Good", "Good", "Good", "Inadequate")[0] == "inadequate"
    assert rating_and_basis("Requires improvement to be good", "Good") == (
        "requires_improvement",
        "overall",
    )
    assert rating_and_basis(None, None, "") == (None, None)
    with pytest.raises(ew.EarlyWarningError, match="not an Ofsted judgement"):
        rating_and_basis(None, "Splendid")


def _no_overall(tmp_path: Path) -> Path:
    file = tmp_path / "after-april-2026.csv"
    file.write_text(
        "council,date,overall,leadership,help_protection,children_in_care,care_leavers\n"
        "Swindon,2026-05-11,,Good,Requires improvement to be good,Good,Good\n"
        "Derbyshire,2026-06-01,,Good,Inadequate,Good,Good\n",
        encoding="utf-8",
    )
    return file


def test_a_judgement_with_no_overall_grade_is_accepted_everywhere(tmp_path: Path) -> None:
    file = _no_overall(tmp_path)
    p = datasets.profiles_at(
        ["E06000030", "E10000007"], [dt.date(2027, 1, 1)] * 2, judgements=file, provenance=True
    )
    assert p["previous_rating"].tolist() == ["good", "inadequate"]
    assert p["previous_rating_basis"].tolist() == ["sub-judgements"] * 2
    with pytest.raises(ew.EarlyWarningError, match="2027 is not a whole year from 2011 to 2026"):
        ew.watchlist(2027, judgements=file)
    w = ew.watchlist(2026, judgements=file).set_index("council")
    assert w.loc["Swindon", "previous_rating"] == "inadequate"  # 11 May 2026 is after 1 Jan
    c = ew.compare("Derbyshire", 2026, judgements=file)
    assert "from after-april-2026.csv" in c.attrs["judgements"]
    code, out = run_cli("watchlist", "--year", "2026", "--judgements", str(file))
    assert code == 0 and "2 without an overall grade, rated from their sub-judgements" in out


def test_the_report_names_the_judgements_it_used(tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    file = tmp_path / "mine.csv"
    file.write_text(
        "council,date,overall,leadership,help_protection,children_in_care\n"
        "Bolton,2025-06-02,,Good,Inadequate,Good\n",
        encoding="utf-8",
    )
    page = ew.report("Bolton", 2026, judgements=file)
    assert "Previous Ofsted judgement: inadequate, 2 June 2025, 0.6 years before" in page.origin
    assert "the data’s judgements and mine.csv" in page.origin
    assert "read from its sub-judgements" in page.origin
    bundled = ew.report("Bolton", 2026)
    assert "Previous Ofsted judgement: good, 11 September 2023, 2.3 years before." in (
        bundled.origin
    )


def test_ofsteds_workbook_and_data_to_insights_overview_are_judgements_as_published() -> None:
    from earlywarning.datasets.user_judgements import read_judgements

    ofsted = read_judgements(OUTCOMES_2025)
    assert len(ofsted) == 271 and ofsted.attrs["source"] == OUTCOMES_2025.name
    d2i = read_judgements(D2I_OVERVIEW)
    assert len(d2i) == 110
    barnsley = d2i[d2i["la_code"] == "E08000038"].iloc[0]
    assert (barnsley["rating"], str(barnsley["date"].date())) == ("good", "2023-09-11")
    code, out = run_cli("compare", "Barnsley", "--year", "2026", "--judgements", str(D2I_OVERVIEW))
    assert code == 0 and "110 judgement(s) from ofsted_csc_ilacs_overview" in out


# ----------------------------------------------------------------------------------------------
# Neighbours: the 2025 model by default, every council under its current code


@pytest.mark.parametrize(
    ("council", "code", "old"),
    [
        ("Barnsley", "E08000038", "E08000016"),
        ("Sheffield", "E08000039", "E08000019"),
    ],
)
def test_recoded_councils_are_in_every_peer_measure(council: str, code: str, old: str) -> None:
    for model in ("2025", "2021"):
        p = datasets.england_profiles(2026, [council], neighbours=model).iloc[0]
        assert p["la_code"] == code
        assert not np.isnan(p["vacancy_rate_vs_neighbours_pp"]), model
        assert not np.isnan(p["agency_rate_vs_neighbours_pp"]), model
        # and each counts in the neighbours' medians of the councils that have it as a neighbour
        others = [c for c in datasets.regions()["la_code"] if code in _near(c, model)]
        assert others, model
        assert old not in {n for c in others for n in _near(c, model)}
    # 2025's census is published under the new code, the year before under the old
    panel = datasets.england_panel().set_index(["la_code", "year"])
    assert not np.isnan(panel.loc[(code, 2025), "csww_vacancy_rate_fte"])
    assert not np.isnan(panel.loc[(old, 2024), "csww_vacancy_rate_fte"])


def _near(code: str, model: str) -> tuple[str, ...]:
    try:
        return neighbour_codes(code, model)
    except ew.EarlyWarningError:
        return ()


def test_every_council_of_2026_resolves_under_its_current_code() -> None:
    now = datasets.england_profiles(2026)
    assert len(now) == 153
    for old, new in {
        "E08000016": "E08000038",
        "E08000019": "E08000039",
        "E10000023": "E06000065",
        "E10000027": "E06000066",
        "E10000002": "E06000060",
    }.items():
        assert datasets.resolve_council(old, "test") == new
        assert new in set(now["la_code"]) and old not in set(now["la_code"])
    created = {"Cumberland", "Westmorland and Furness", "North Yorkshire", "Somerset"}
    assert created <= set(now["council"])
    for code in now["la_code"]:
        sn = datasets.statistical_neighbours(code)
        assert sn.attrs["model"] == "2025" and sn.attrs["note"] == "", code


def test_the_cli_takes_a_neighbour_model_or_file() -> None:
    from helpers import ROOT

    code, new = run_cli("compare", "Derbyshire", "--year", "2026")
    assert code == 0 and "Statistical neighbours (DfE, 2025 model)" in new
    code, old = run_cli("compare", "Derbyshire", "--year", "2026", "--neighbours", "2021")
    assert code == 0 and "Statistical neighbours (DfE, 2021 model)" in old
    assert "Lancashire" in old and "Lancashire" not in new
    sn_file = ROOT / "data" / "raw" / "dfe" / "sn_model_2025_wide.csv"
    code, by_file = run_cli("compare", "Derbyshire", "--year", "2026", "--neighbours", str(sn_file))
    assert code == 0 and by_file.replace("sn_model_2025_wide.csv", "2025") == new
    assert run_cli("watchlist", "--year", "2026", "--neighbours", "2019")[0] == 1


# ----------------------------------------------------------------------------------------------
# How old each judgement and figure is


def test_the_watch_list_shows_each_judgements_date_and_age() -> None:
    w = ew.watchlist(2026).set_index("council")
    swindon = w.loc["Swindon"]
    assert swindon["previous_rating"] == "inadequate" and not swindon["sliding"]
    assert str(swindon["previous_rating_date"].date()) == "2023-07-17"
    assert swindon["previous_rating_age_years"] == pytest.approx(2.46, abs=0.01)
    assert "early-help spend change of March 2022 is 3.8 years old" in swindon["notes"]
    assert "Ofsted judgements are known to 31 March 2025" in w.attrs["outcomes_note"]
    _, text = run_cli("watchlist", "--year", "2026")
    swindon_line = next(line for line in text.splitlines() if line.strip().startswith("Swindon"))
    assert "inadequate Jul 2023 2.5y" in swindon_line


def test_a_past_list_notes_the_later_judgement_the_data_know() -> None:
    w = ew.watchlist(2023).set_index("council")
    # on 1 January 2023 Swindon's last judgement was good (2019); it was inadequate by July
    assert w.loc["Swindon", "previous_rating"] == "good"
    assert "a later judgement is known: inadequate (17 Jul 2023)" in w.loc["Swindon", "notes"]
    assert w.attrs["outcomes_note"] == ""
