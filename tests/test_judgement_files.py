"""A user's judgements file cannot let its rows' order decide a council's previous rating."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import earlywarning as ew
from earlywarning.datasets import england_profiles
from earlywarning.datasets.user_judgements import check_judgements, read_judgements


def test_two_rows_judging_one_inspection_differently_are_refused(tmp_path: Path) -> None:
    # before: both were kept, and the later row silently became Derby's previous rating
    path = tmp_path / "judgements.csv"
    path.write_text(
        "council,date,overall\nDerby,2025-05-15,Good\nLeeds,2025-05-15,Good\n"
        "Derby,2025-05-15,Inadequate\n",
        encoding="utf-8",
    )
    with pytest.raises(ew.EarlyWarningError) as refused:
        read_judgements(path)
    said = str(refused.value)
    assert "row 3: judges E06000015 on 2025-05-15 inadequate, but row 1 judges" in said
    assert "the same inspection good" in said
    with pytest.raises(ew.EarlyWarningError, match="row 3: judges E06000015"):
        england_profiles(2026, ["Derby"], judgements=path)


def test_the_same_judgement_given_twice_is_one_judgement() -> None:
    table = pd.DataFrame(
        {"council": ["Derby", "E06000015"], "date": ["2025-05-15"] * 2, "overall": ["Good"] * 2}
    )
    checked = check_judgements(table)
    assert checked["rating"].tolist() == ["good", "good"]
    rated = england_profiles(2026, ["Derby"], judgements=checked)
    assert rated["previous_rating"].iloc[0] == "good"


def test_an_empty_file_is_refused_and_another_encoding_is_read_and_said(tmp_path: Path) -> None:
    for name in ("empty.csv", "empty.yaml", "empty.json"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(ew.InputFileError, match="is empty") as refused:
            read_judgements(tmp_path / name)
        assert refused.value.file == str(tmp_path / name)
    windows = tmp_path / "windows.csv"
    windows.write_bytes("council,date,overall,note\nDerby,2025-05-15,Good,café\n".encode("cp1252"))
    with pytest.warns(ew.FileEncodingWarning, match="line 2 holds byte 0xe9"):
        read = read_judgements(windows)
    assert read["rating"].tolist() == ["good"]
    wide = tmp_path / "utf16.csv"
    wide.write_bytes("council,date,overall\nDerby,2025-05-15,Inadequate\n".encode("utf-16"))
    assert read_judgements(wide)["rating"].tolist() == ["inadequate"]
