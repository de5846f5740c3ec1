"""Numeric arguments are checked once, and the API and the command line refuse the same things.

Issue 19, item 4. On main ``--years 1-300000000`` built a list of 300 million years, a reversed
range was silently replaced by the default years, ``nan`` margins, negative rounds and folds
were accepted, and fractional years were truncated (``england_scores([2020.7])`` scored 2020).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest

import earlywarning as ew
from earlywarning.cli import EXIT_BAD_INPUT, EXIT_USAGE, main
from earlywarning.parameters import check_margin, check_whole, check_years, parse_years

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "profiles"


def run(*argv: str) -> int:
    return main(list(argv), out=io.StringIO())


@pytest.mark.parametrize(
    "text, said",
    [
        ("1-300000000", "1 is not a whole year from 2011 to 2026"),
        ("2020-2017", "runs backwards: write the first year first (2017-2020)"),
        ("2018-", "is not FIRST-LAST or a comma list of years"),
        ("2018.5", "is not FIRST-LAST or a comma list of years"),
        ("2018,,2019", "is not FIRST-LAST or a comma list of years"),
        ("2010-2012", "2010 is not a whole year from 2011 to 2026"),
        ("9" * 40, "is not FIRST-LAST or a comma list of years"),
    ],
)
def test_bad_years_are_refused_on_the_command_line_with_the_words_the_api_uses(text, said, capsys):
    assert run("trajectories", "--council", "Derby", "--years", text) == EXIT_BAD_INPUT
    assert said in capsys.readouterr().err


@pytest.mark.parametrize(
    "years, said",
    [
        ([2020.7], "2020.7 is not a whole year"),
        ([2030], "2030 is not a whole year from 2011 to 2026"),
        (["2020"], "'2020' is not a whole year"),
        ([True], "True is not a whole year"),
        ([], "no years given"),
        ("2020", "is not a list of years"),
        (range(1, 300_000_000), "more than 200 years"),
        ([float("nan")], "nan is not a whole year"),
    ],
)
def test_bad_years_are_refused_by_the_api(years, said):
    with pytest.raises(ew.EarlyWarningError, match=said.replace("(", r"\(").replace(")", r"\)")):
        ew.england_scores(years, councils=["Derby"])


def test_a_whole_float_year_is_that_year():
    assert ew.england_scores([2020.0], councils=["Derby"])["year"].tolist() == [2020]


@pytest.mark.parametrize("margin", [math.nan, math.inf, -1, 101, "10", None])
def test_a_rise_margin_must_be_a_number_of_points(margin):
    with pytest.raises(
        ew.EarlyWarningError, match=r"rise_margin: .* is not a number from 0 to 100"
    ):
        ew.england_scores([2020], rise_margin=margin, councils=["Derby"])


@pytest.mark.parametrize("argv", [["--rise-margin", "nan"], ["--rise-margin", "inf"]])
def test_a_rise_margin_that_is_no_number_is_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        run("trajectories", "--council", "Derby", *argv)
    assert caught.value.code == EXIT_USAGE
    assert "is not a number" in capsys.readouterr().err


def test_a_rise_margin_out_of_range_is_refused_alike(capsys):
    assert run("trajectories", "--council", "Derby", "--rise-margin", "-5") == EXIT_BAD_INPUT
    assert "rise_margin: -5.0 is not a number from 0 to 100" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--folds", "1"], "validate: folds: 1 is not a whole number from 2 to 10000"),
        (["--folds", "-3"], "validate: folds: -3 is not a whole number"),
        (["--seed", "-1"], "validate: seed: -1 is not a whole number from 0 to 4294967295"),
    ],
)
def test_validate_arguments_are_checked_by_the_api(argv, said, capsys):
    assert run("validate", *argv) == EXIT_BAD_INPUT
    assert said in capsys.readouterr().err
    with pytest.raises(ew.EarlyWarningError, match=said.split(": ", 1)[1]):
        ew.validate(**{argv[0][2:]: int(argv[1])})


@pytest.mark.parametrize(
    "options, said",
    [
        ({"max_rounds": -1}, "fit: max_rounds: -1 is not a whole number from 1 to 1000"),
        ({"max_rounds": 2.5}, "fit: max_rounds: 2.5 is not a whole number"),
        ({"folds": 0, "loo": True}, "fit: folds: 0 is not a whole number from 2"),
        ({"min_gain": math.nan}, "fit: min_gain: nan is not a number from 0 to 1"),
        ({"seed": -2}, "fit: seed: -2 is not a whole number"),
    ],
)
def test_fit_arguments_are_checked(options, said):
    profiles = pd.DataFrame(
        {"council": list("ABCD"), "year": 2020, "agency_rate_pct": [5.0, 9.0, 13.0, 30.0]}
    )
    with pytest.raises(ew.EarlyWarningError, match=said):
        ew.fit(None, profiles, [False, False, True, True], **options)


def test_fit_rounds_from_the_command_line_are_checked_alike(capsys):
    assert run("fit", "--cases", "--rounds", "-1") == EXIT_BAD_INPUT
    assert "fit: max_rounds: -1 is not a whole number from 1 to 1000" in capsys.readouterr().err


def test_a_watchlist_year_may_be_a_whole_float_but_not_a_fraction():
    assert ew.watchlist(2020.0).attrs["year"] == 2020
    with pytest.raises(ew.EarlyWarningError, match=r"watchlist: year: 2020\.5 is not a whole year"):
        ew.watchlist(2020.5)


def test_the_checks_themselves():
    assert check_whole(3.0, "n", 1, 5) == 3 and check_margin(5, "m", 0, 10) == 5.0
    assert check_years((2021, 2020), 2011, 2026) == [2020, 2021]
    assert parse_years(" 2018 - 2019 ", 2011, 2026) == [2018, 2019]


def test_a_chunk_size_that_is_no_count_of_rows_is_refused_not_replaced_by_one():
    # main read chunk_rows=-5 as 1, silently
    with pytest.raises(ew.EarlyWarningError, match="chunk_rows: -5 is not a whole number"):
        ew.io.iter_profiles(EXAMPLES / "hypothetical-councils.csv", chunk_rows=-5)
