"""Streaming CSV reading shared by the CSV-based readers (pyarrow, all columns as text)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from urbanagenda.ingest.report import Issue

__all__ = ["check_text_file", "read_header", "stream_csv"]


def check_text_file(path: Path) -> Issue | None:
    """A fatal issue when the file is missing, empty or does not start as UTF-8 text."""
    if not path.is_file():
        return Issue(
            "file-not-found",
            "no such file.",
            file=str(path),
            fix="check the path (relative paths start from the current folder)",
        )
    with path.open("rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        return Issue(
            "empty-file",
            "the file is empty.",
            file=str(path),
            expected="a header line and at least one data row",
            fix="export the data again; the file may have been truncated",
        )
    if head.startswith(b"PK\x03\x04") or b"\x00" in head[:4096]:
        return Issue(
            "unknown-format",
            "this is a binary file, not CSV text.",
            file=str(path),
            expected="a comma-separated text file",
            fix="save the data as CSV UTF-8, or name an XLSX file with the .xlsx extension",
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte character cut at the end
            return _encoding_issue(path, head, exc.start)
    return None


def _encoding_issue(path: Path, data: bytes, offset: int) -> Issue:
    line = data[:offset].count(b"\n") + 1
    guess = ""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            guess = f" It looks like {best.encoding}."
    except Exception:  # pragma: no cover - the guess is only a hint
        guess = ""
    return Issue(
        "encoding-error",
        f"the file is not valid UTF-8 (first bad byte at offset {offset}).{guess}",
        file=str(path),
        row=line,
        found=repr(data[offset : offset + 8]),
        expected="UTF-8 text",
        fix="re-save the file as 'CSV UTF-8' (Excel) or convert it with iconv",
    )


def read_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    import csv

    return [c.strip() for c in next(csv.reader([first]), [])]


def stream_csv(path: Path, *, chunk_rows: int = 200_000) -> Iterator[tuple[pd.DataFrame, int]]:
    """Yield (frame of text columns, 1-based file line of the frame's first row), in frames
    of ``chunk_rows`` rows (the last one may be shorter).

    Raises ``ValueError`` with a located message for malformed CSV or bad UTF-8.
    Line numbers assume no line breaks inside quoted fields.
    """
    header = read_header(path)
    # Arrow's streaming reader parses several blocks ahead of the consumer: small blocks keep
    # that read-ahead, and so the memory of a load, small (chunks are put together below)
    read_opts = pacsv.ReadOptions(block_size=1 << 20, use_threads=True)
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    parse = pacsv.ParseOptions(newlines_in_values=False)
    reader = pacsv.open_csv(
        path, read_options=read_opts, parse_options=parse, convert_options=convert
    )
    names = [str(c).strip() for c in reader.schema.names]
    line = 2
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for batch in reader:
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= chunk_rows:
            table = pa.Table.from_batches(pending)
            yield _frame(table.slice(0, chunk_rows), names), line
            line += chunk_rows
            rest = table.slice(chunk_rows)
            pending, pending_rows = rest.to_batches(), rest.num_rows
    if pending_rows:
        yield _frame(pa.Table.from_batches(pending), names), line


def _frame(table: pa.Table, names: list[str]) -> pd.DataFrame:
    """The rows as a frame; its text columns keep Arrow's buffers (slices, no copy)."""
    return table.rename_columns(names).to_pandas()


def arrow_error_issue(path: Path, exc: Exception) -> Issue:
    """Translate a pyarrow CSV error into an issue with the row when the message has one."""
    text = str(exc)
    if "UTF8" in text or "utf8" in text.lower():
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            return _encoding_issue(path, data, err.start)
    row = None
    import re

    m = re.search(r"Row #(\d+)", text)
    if m:
        row = int(m.group(1))
    return Issue(
        "parse-error",
        f"the CSV is malformed: {text.splitlines()[0]}",
        file=str(path),
        row=row,
        expected="the same number of comma-separated fields on every line",
        fix="check quoting and delimiters on that line; the file may be truncated",
    )
