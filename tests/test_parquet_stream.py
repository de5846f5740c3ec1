"""A Parquet file is read batch by batch, never whole, and gives what a whole read gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import earlywarning as ew
from earlywarning.errors import ProfileFileError
from earlywarning.io import iter_profiles

pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")


def _profiles(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "council": [f"Council {i}" for i in range(n)],
            "year": 2024,
            "agency_rate_pct": rng.uniform(0, 40, n).round(1),
            "avg_caseload": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(10, 25, n)),
        }
    )


def test_chunks_follow_the_file_and_join_to_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    frame = _profiles(2_500)
    path = tmp_path / "profiles.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=700)
    with monkeypatch.context() as m:
        # reading the file whole is what the chunks are for not doing
        m.setattr(pq, "read_table", lambda *a, **k: pytest.fail("the file was read whole"))
        reader = iter_profiles(path, chunk_rows=1_000)
        assert reader.rows == 2_500 and reader.columns == list(frame.columns)
        chunks = list(reader)
    assert len(chunks) >= 3 and all(len(c) <= 1_000 for c in chunks)
    joined = pd.concat(chunks)
    assert list(joined.index) == list(range(2_500))  # each row keeps its place in the file
    whole = ew.io.read_profiles(path)
    pd.testing.assert_frame_equal(joined.reset_index(drop=True), whole.reset_index(drop=True))
    assert np.allclose(whole["agency_rate_pct"].to_numpy(float), frame["agency_rate_pct"])
    assert whole["avg_caseload"].isna().sum() == frame["avg_caseload"].isna().sum()


def test_the_cli_scores_a_parquet_file_in_chunks_as_a_whole_read_scores_it(tmp_path: Path):
    from earlywarning.cli import main

    frame = _profiles(1_200)
    path = tmp_path / "profiles.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=500)
    out = tmp_path / "scores.csv"
    code = main(
        ["score", str(path), "--format", "csv", "--output", str(out), "--chunk-rows", "300"]
    )
    assert code == 0
    got = pd.read_csv(out)
    want = ew.score_frame(frame)
    assert got["score"].tolist() == want["score"].tolist()
    assert got["council"].tolist() == frame["council"].tolist()


def test_a_file_that_is_not_parquet_is_refused_with_its_name(tmp_path: Path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(ProfileFileError, match=r"broken\.parquet"):
        iter_profiles(path)
