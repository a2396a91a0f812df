"""Streaming CSV reading: chunks of the size asked for, each with its first file line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from urbanagenda.ingest.csvtools import stream_csv
from urbanagenda.ingest.tidy import TidyCsvReader

SLUM = Path(__file__).parents[1] / "specimens" / "tidy" / "nga_slum.csv"


def test_chunks_have_the_rows_asked_for_and_their_first_line(tmp_path: Path) -> None:
    lines = SLUM.read_text().splitlines()
    # a file larger than one of Arrow's read blocks (1 MiB), so chunks cross blocks
    big = tmp_path / "big.csv"
    body = lines[1:] * 4000  # 24,000 rows
    big.write_text("\n".join([lines[0], *body]) + "\n")
    chunks = list(stream_csv(big, chunk_rows=5000))
    assert [len(f) for f, _ in chunks] == [5000] * 4 + [4000]
    assert [first for _, first in chunks] == [2, 5002, 10002, 15002, 20002]
    whole = pd.concat([f for f, _ in chunks], ignore_index=True)
    expected = pd.read_csv(big, dtype=str, keep_default_na=False)
    assert whole.astype(object).equals(expected.astype(object))
    # the reader's row numbers follow: row 20,002 of the file is the fourth data row again
    frames = [c.frame for c in TidyCsvReader().read(big, chunk_rows=5000)]
    last = frames[-1]
    assert last["_row"].iloc[0] == 20002
    assert last["area_code"].iloc[0] == lines[1 + 20000 % 6].split(",")[1]


def test_small_files_come_in_chunks_too() -> None:
    chunks = list(stream_csv(SLUM, chunk_rows=4))
    assert [(len(f), first) for f, first in chunks] == [(4, 2), (2, 6)]
    assert chunks[1][0]["area_code"].tolist() == ["ng_lagos", "NG_IBADAN"]
