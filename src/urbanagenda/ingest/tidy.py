"""Tidy CSV: ``series_code, area_code, year, value`` plus optional columns.

Optional columns: ``sex``, ``age``, ``location``, ``breakdown``, ``unit``, ``nature``,
``source``, ``footnote``, and any dimension of the global SDG DSD by its id (for example
``CUST_BREAKDOWN``, ``COMPOSITE_BREAKDOWN``, ``DISABILITY_STATUS``), whose codes go into
``breakdown``.  An empty cell means the total.  UTF-8, comma-separated, one header line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.csvtools import arrow_error_issue, check_text_file, read_header, stream_csv
from urbanagenda.ingest.report import Issue
from urbanagenda.model.observations import COLUMNS

__all__ = ["EXTRA_DIMENSIONS", "TidyCsvReader"]

#: Dimensions of the SDG DSD that tidy files may carry as extra columns.
EXTRA_DIMENSIONS = (
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
)
REQUIRED = ("series_code", "area_code", "year", "value")


def fold_breakdown(frame: pd.DataFrame, dims: list[str]) -> pd.Series:
    """Combine extra dimension columns (and an existing ``breakdown``) into breakdown keys."""
    parts: list[pd.Series] = []
    for dim in sorted(dims):
        col = frame[dim].astype("string").fillna("").str.strip().str.upper()
        keep = (col != "") & (col != "_T")
        parts.append((dim + "=" + col).where(keep, ""))
    if "breakdown" in frame:
        parts.append(frame["breakdown"].astype("string").fillna("").str.strip())
    if not parts:
        return pd.Series("", index=frame.index, dtype="string")
    joined = parts[0]
    for p in parts[1:]:
        joined = joined.str.cat(p, sep=";")
    # tidy up separators left by empty parts; keys were added in sorted order
    return joined.str.replace(r";{2,}", ";", regex=True).str.strip(";")


class TidyCsvReader:
    format_name = "tidy-csv"

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in (".csv", ".txt") or not path.is_file():
            return False
        header = {h.lower() for h in read_header(path)}
        return {"series_code", "area_code"} <= header

    def read(self, path: Path, *, chunk_rows: int = 200_000) -> Iterator[Chunk]:
        fatal = check_text_file(path)
        if fatal:
            yield Chunk(pd.DataFrame(), [fatal])
            return
        header = read_header(path)
        canon = {h: h.lower() for h in header if h.lower() in COLUMNS}
        extra = {h: h.upper() for h in header if h.upper() in EXTRA_DIMENSIONS}
        unknown = [h for h in header if h not in canon and h not in extra]
        missing = [c for c in REQUIRED if c not in canon.values()]
        issues = [
            Issue(
                "missing-column",
                f"the required column {c!r} is absent.",
                file=str(path),
                row=1,
                column=c,
                found=", ".join(header),
                expected="series_code, area_code, year, value (+ optional columns)",
                fix=f"add a {c!r} column to the header line",
            )
            for c in missing
        ] + [
            Issue(
                "unknown-code",
                f"the column {h!r} is not a known column or SDG dimension.",
                file=str(path),
                row=1,
                column=h,
                expected=f"one of {', '.join(COLUMNS)} or an SDG DSD dimension "
                f"({', '.join(EXTRA_DIMENSIONS)})",
                fix="rename the column, or remove it",
            )
            for h in unknown
        ]
        if issues:
            yield Chunk(pd.DataFrame(), issues)
            return
        rows = 0
        try:
            for frame, first_line in stream_csv(path, chunk_rows=chunk_rows):
                frame = frame.rename(columns={**canon, **extra})
                dims = [c for c in frame.columns if c in EXTRA_DIMENSIONS]
                if dims or "breakdown" in frame:
                    frame["breakdown"] = fold_breakdown(frame, dims)
                    frame = frame.drop(columns=dims)
                frame["_row"] = np.arange(first_line, first_line + len(frame))
                frame["_sheet"] = ""
                rows += len(frame)
                yield Chunk(frame)
        except (pa.ArrowInvalid, ValueError, UnicodeDecodeError) as exc:
            yield Chunk(pd.DataFrame(), [arrow_error_issue(path, exc)])
            return
        if rows == 0:
            yield Chunk(
                pd.DataFrame(),
                [
                    Issue(
                        "empty-file",
                        "the file has a header but no data rows.",
                        file=str(path),
                        expected="at least one observation row",
                        fix="add rows, or load another file",
                    )
                ],
            )
