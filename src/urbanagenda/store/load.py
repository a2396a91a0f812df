"""Loading observation files into the store: validated first, all or nothing.

Every chunk of every file is validated; rows are written inside one transaction while no
problem has been found.  At the end, a duplicate-key check runs over all rows; if any file
had any problem the transaction is rolled back (the database file is left untouched) and
:class:`~urbanagenda.errors.ValidationFailed` carries the report.  A changed value is kept:
the database trigger ``observation_keep_revision`` copies the old row into
``observation_revision`` before the update.
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError, ValidationFailed
from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.registry import reader_for
from urbanagenda.ingest.report import Issue, Report
from urbanagenda.ingest.validate import Reference, validate_chunk
from urbanagenda.model.observations import COLUMNS, KEY_COLUMNS
from urbanagenda.store import schema as s
from urbanagenda.store.reference import reference_from_store

__all__ = ["LoadResult", "load_files", "validate_files"]

#: progress callback: (file, rows done in this file, bytes done, total bytes of the file)
Progress = Callable[[str, int], None]
_WRITE_COLUMNS = (*COLUMNS, "load_id")


@dataclass
class LoadResult:
    load_id: int | None
    report: Report
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    formats: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "load_id": self.load_id,
            "rows_read": self.rows_read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "formats": self.formats,
            "valid": self.report.valid,
        }


def _precheck(path: Path) -> Issue | None:
    if not path.exists():
        return Issue(
            "file-not-found",
            "no such file or folder.",
            file=str(path),
            fix="check the path (relative paths start from the current folder)",
        )
    if path.is_file():
        if path.stat().st_size == 0:
            return Issue(
                "empty-file",
                "the file is empty (0 bytes).",
                file=str(path),
                fix="export the data again; the file may have been truncated",
            )
        if path.suffix.lower() in (".xlsx", ".xlsm", ".zip") and not zipfile.is_zipfile(path):
            return Issue(
                "not-a-zip",
                "an .xlsx file is a ZIP archive, but this file is not one (truncated, or "
                "another format renamed).",
                file=str(path),
                expected="an Excel workbook (.xlsx)",
                fix="save the workbook again from Excel, or give a CSV file a .csv name",
            )
    return None


class _Dedup:
    """Duplicate keys across all chunks, by a 64-bit hash of the key columns.

    Memory per row is the hash alone (8 bytes): where a chunk's rows come from is kept as
    the first row number when they run on, as in a CSV file, and as arrays only otherwise.
    """

    def __init__(self) -> None:
        self.hashes: list[np.ndarray] = []
        self.where: list[tuple[str, str | np.ndarray, int | np.ndarray]] = []

    def add(self, frame: pd.DataFrame, file: str) -> bool:
        """Keep the chunk's key hashes; True when the chunk itself repeats a key."""
        keys = frame[list(KEY_COLUMNS)].astype(str)
        h = pd.util.hash_pandas_object(keys, index=False).to_numpy()
        self.hashes.append(h)
        rows = frame["_row"].to_numpy()
        sheets = frame["_sheet"].to_numpy()
        runs_on = len(rows) > 0 and bool(np.all(np.diff(rows) == 1))
        one_sheet = len(sheets) > 0 and bool(np.all(sheets == sheets[0]))
        self.where.append(
            (
                file,
                str(sheets[0]) if one_sheet else sheets,
                int(rows[0]) if runs_on else rows,
            )
        )
        s = np.sort(h)
        return bool(np.any(s[1:] == s[:-1]))

    def _locate(self, positions: np.ndarray) -> list[tuple[str, str, int]]:
        starts = np.cumsum([0] + [len(h) for h in self.hashes])
        out = []
        for p in positions:
            c = int(np.searchsorted(starts, p, side="right")) - 1
            i = int(p - starts[c])
            file, sheets, rows = self.where[c]
            sheet = sheets if isinstance(sheets, str) else str(sheets[i])
            row = rows + i if isinstance(rows, int) else int(rows[i])
            out.append((file, sheet, row))
        return out

    def issues(self, limit: int = 50) -> tuple[list[Issue], int]:
        if not self.hashes:
            return [], 0
        h = np.concatenate(self.hashes)
        if not np.any(np.diff(np.sort(h)) == 0):
            return [], 0
        order = np.argsort(h, kind="stable")
        hs = h[order]
        dup_pos = np.flatnonzero(hs[1:] == hs[:-1]) + 1
        issues = []
        for p in dup_pos[:limit]:
            (first_file, _, first_row), (file, sheet, row) = self._locate(
                np.array([order[p - 1], order[p]])
            )
            issues.append(
                Issue(
                    "duplicate-key",
                    f"this row repeats the series, area, year and breakdown of {first_file} "
                    f"row {first_row}.",
                    file=file,
                    sheet=sheet or None,
                    row=row,
                    expected="one value per series, area, year and breakdown in a load",
                    fix="remove one of the two rows, or tell them apart by a breakdown column",
                )
            )
        return issues, len(dup_pos)


#: rows per INSERT statement: one statement of many rows costs SQLite far less per row than
#: one statement per row (fewer VM starts, fewer Python ↔ C round trips)
_SQLITE_ROWS_PER_STATEMENT = 500


def _sqlite_upsert(rows: int, load_id: int) -> str:
    cols = ", ".join(_WRITE_COLUMNS)
    # load_id is the same for every row: a literal, not one more parameter per row
    one = "(" + ", ".join("?" for _ in COLUMNS) + f", {int(load_id)})"
    key = ", ".join(KEY_COLUMNS)
    changed = " OR ".join(
        f"observation.{c} IS NOT excluded.{c}"
        for c in ("value", "unit", "nature", "source", "footnote")
    )
    sets = ", ".join(
        f"{c} = excluded.{c}" for c in ("value", "unit", "nature", "source", "footnote", "load_id")
    )
    return (
        f"INSERT INTO observation ({cols}) VALUES {', '.join([one] * rows)} "
        f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {changed}"
    )


def _write_sqlite(conn: Connection, frame: pd.DataFrame, load_id: int) -> int:
    """Upsert the rows; the number of rows inserted or changed."""
    dbapi = conn.connection.driver_connection
    n, width = len(frame), len(COLUMNS)
    limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    per = max(1, min(_SQLITE_ROWS_PER_STATEMENT, limit // width))
    table = np.empty((n, width), dtype=object)
    for j, c in enumerate(COLUMNS):
        table[:, j] = frame[c].to_numpy(dtype=object)
    full = n - n % per
    cur = dbapi.cursor()  # type: ignore[union-attr]
    written = 0
    if full:
        statements = table[:full].reshape(-1, per * width)
        cur.executemany(_sqlite_upsert(per, load_id), (s.tolist() for s in statements))
        written += cur.rowcount  # summed over the statements; an unchanged row is not counted
    if n > full:
        cur.execute(_sqlite_upsert(n - full, load_id), table[full:].reshape(-1).tolist())
        written += cur.rowcount
    cur.close()
    return int(written)


def _write_postgres(conn: Connection, frame: pd.DataFrame, load_id: int) -> int:
    """Upsert the rows through a COPY into a staging table; the rows inserted or changed."""
    dbapi = conn.connection.driver_connection
    with dbapi.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS staging_observation (series_code text, "
            "area_code text, year integer, sex text, age text, location text, breakdown text, "
            "value double precision, unit text, nature text, source text, footnote text, "
            "load_id integer) ON COMMIT DROP"
        )
        cur.execute("TRUNCATE staging_observation")
        # Arrow writes the CSV in C++: every text is quoted (so "" is the empty code, never
        # NULL) and floats are written in their shortest form that reads back exactly
        out = pa.Table.from_pandas(frame[list(COLUMNS)], preserve_index=False)
        out = out.append_column("load_id", pa.array(np.full(len(frame), load_id, np.int32)))
        buf = pa.BufferOutputStream()
        pacsv.write_csv(out, buf, pacsv.WriteOptions(include_header=False))
        data = buf.getvalue()
        cols = ", ".join(_WRITE_COLUMNS)
        with cur.copy(f"COPY staging_observation ({cols}) FROM STDIN WITH (FORMAT csv)") as cp:
            view = memoryview(data)  # type: ignore[arg-type]
            for start in range(0, len(view), 1 << 22):
                cp.write(view[start : start + (1 << 22)])
        key = ", ".join(KEY_COLUMNS)
        changed = " OR ".join(
            f"observation.{c} IS DISTINCT FROM excluded.{c}"
            for c in ("value", "unit", "nature", "source", "footnote")
        )
        sets = ", ".join(
            f"{c} = excluded.{c}"
            for c in ("value", "unit", "nature", "source", "footnote", "load_id")
        )
        cur.execute(
            f"INSERT INTO observation ({cols}) SELECT {cols} FROM staging_observation "
            f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {changed}"
        )
        return int(cur.rowcount)


def _validated_chunks(
    files: list[Path],
    ref: Reference,
    *,
    format_name: str | None,
    source: str | None,
    chunk_rows: int,
    result: LoadResult,
    dedup: _Dedup,
) -> Iterator[tuple[str, pd.DataFrame, int, bool]]:
    """Read and validate every chunk of every file, collecting issues in the report.

    Yields (file, clean rows, rows of the file done, whether the chunk repeats a key).
    """
    report = result.report
    for path in files:
        pre = _precheck(path)
        if pre:
            report.add(pre)
            continue
        try:
            reader = reader_for(path, format_name)
        except Exception as exc:  # DataError: no reader recognises it
            report.add(
                Issue(
                    "unknown-format",
                    str(exc),
                    file=str(path),
                    fix="name the format with --format",
                )
            )
            continue
        result.formats[str(path)] = reader.format_name
        done = 0
        chunk: Chunk
        for chunk in reader.read(path, chunk_rows=chunk_rows):
            report.extend(chunk.issues)
            if chunk.frame.empty:
                continue
            clean = validate_chunk(chunk.frame, ref, file=str(path), report=report)
            fill = source or path.name
            clean["source"] = clean["source"].mask(clean["source"] == "", fill)
            repeats = dedup.add(clean, str(path))
            done += len(chunk.frame)
            yield str(path), clean, done, repeats


def _run(
    engine: Engine,
    paths: Iterable[Path | str],
    *,
    format_name: str | None,
    source: str | None,
    write: bool,
    progress: Progress | None,
    chunk_rows: int,
) -> LoadResult:
    report = Report()
    result = LoadResult(load_id=None, report=report)
    files = [Path(p) for p in paths]
    report.files = [str(p) for p in files]
    dedup = _Dedup()
    now = datetime.now(UTC)
    try:
        conn_ctx = engine.connect()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the database {engine.url!r}: {exc}") from exc
    with conn_ctx as conn:
        if conn.dialect.name == "sqlite":
            # codes are validated against this same snapshot; FK checks per row only cost time
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()  # end the autobegun block; the PRAGMA ran outside any transaction
        trans = conn.begin()
        try:
            ref = reference_from_store(conn)
            load_id = None
            if write:
                load_id = conn.execute(
                    insert(s.load_run).values(
                        started_at=now, sources=[str(p) for p in files], formats={}, rows_read=0
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            writer = _write_sqlite if conn.dialect.name == "sqlite" else _write_postgres
            writing = write
            written = 0  # rows inserted or changed: those that now carry this load's id
            chunks = _validated_chunks(
                files,
                ref,
                format_name=format_name,
                source=source,
                chunk_rows=chunk_rows,
                result=result,
                dedup=dedup,
            )
            for file, clean, done, repeats in chunks:
                if repeats:
                    # a key twice in one statement: PostgreSQL refuses the upsert, and the
                    # load is going to be rejected anyway (duplicate-key issues)
                    writing = False
                if writing and report.valid and len(clean):
                    written += writer(conn, clean, load_id)  # type: ignore[arg-type]
                if progress:
                    progress(file, done)
            dup_issues, _ndup = dedup.issues()
            report.extend(dup_issues)
            result.rows_read = report.rows_read
            if not report.valid or not write:
                trans.rollback()
                if not report.valid and write:
                    raise ValidationFailed(report)
                return result
            updated = conn.execute(
                select(func.count())
                .select_from(s.observation_revision)
                .where(s.observation_revision.c.replaced_by_load == load_id)
            ).scalar_one()
            result.load_id = load_id
            result.updated = int(updated)
            result.inserted = written - int(updated)
            result.unchanged = result.rows_read - written
            conn.execute(
                update(s.load_run)
                .where(s.load_run.c.id == load_id)
                .values(
                    finished_at=datetime.now(UTC),
                    formats=result.formats,
                    rows_read=result.rows_read,
                    rows_inserted=result.inserted,
                    rows_updated=result.updated,
                    rows_unchanged=result.unchanged,
                    note=source,
                )
            )
            trans.commit()
        except ValidationFailed:
            raise
        except SQLAlchemyError as exc:
            trans.rollback()
            raise StoreError(f"the load failed in the database and was rolled back: {exc}") from exc
        except BaseException:
            trans.rollback()
            raise
        finally:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
    return result


def load_files(
    engine: Engine,
    paths: Iterable[Path | str],
    *,
    format_name: str | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    chunk_rows: int = 200_000,
) -> LoadResult:
    """Validate and load files; all or nothing.  Raises ValidationFailed with the report."""
    return _run(
        engine,
        paths,
        format_name=format_name,
        source=source,
        write=True,
        progress=progress,
        chunk_rows=chunk_rows,
    )


def validate_files(
    engine: Engine,
    paths: Iterable[Path | str],
    *,
    format_name: str | None = None,
    progress: Progress | None = None,
    chunk_rows: int = 200_000,
) -> LoadResult:
    """Validate files against the store's catalogue and areas without writing anything."""
    return _run(
        engine,
        paths,
        format_name=format_name,
        source=None,
        write=False,
        progress=progress,
        chunk_rows=chunk_rows,
    )
