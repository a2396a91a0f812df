"""Loading observation files into the store: validated first, all or nothing.

Every chunk of every file is validated; rows are written inside one transaction while no
problem has been found.  At the end, a duplicate-key check runs over all rows; if any file
had any problem the transaction is rolled back (the database file is left untouched) and
:class:`~urbanagenda.errors.ValidationFailed` carries the report.  A changed value is kept:
the database trigger ``observation_keep_revision`` copies the old row into
``observation_revision`` before the update.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError, ValidationFailed
from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.registry import reader_for
from urbanagenda.ingest.report import Issue, Report
from urbanagenda.ingest.validate import validate_chunk
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
    """Duplicate keys across all chunks, by a 64-bit hash of the key columns."""

    def __init__(self) -> None:
        self.hashes: list[np.ndarray] = []
        self.where: list[pd.DataFrame] = []

    def add(self, frame: pd.DataFrame, file: str) -> None:
        keys = frame[list(KEY_COLUMNS)].astype(str)
        self.hashes.append(pd.util.hash_pandas_object(keys, index=False).to_numpy())
        self.where.append(
            pd.DataFrame(
                {"file": file, "sheet": frame["_sheet"].to_numpy(), "row": frame["_row"].to_numpy()}
            )
        )

    def issues(self, limit: int = 50) -> tuple[list[Issue], int]:
        if not self.hashes:
            return [], 0
        h = np.concatenate(self.hashes)
        order = np.argsort(h, kind="stable")
        hs = h[order]
        dup_pos = np.flatnonzero(hs[1:] == hs[:-1]) + 1
        if len(dup_pos) == 0:
            return [], 0
        where = pd.concat(self.where, ignore_index=True)
        issues = []
        for p in dup_pos[:limit]:
            first, again = where.iloc[order[p - 1]], where.iloc[order[p]]
            issues.append(
                Issue(
                    "duplicate-key",
                    f"this row repeats the series, area, year and breakdown of {first['file']} "
                    f"row {first['row']}.",
                    file=str(again["file"]),
                    sheet=str(again["sheet"]) or None,
                    row=int(again["row"]),
                    expected="one value per series, area, year and breakdown in a load",
                    fix="remove one of the two rows, or tell them apart by a breakdown column",
                )
            )
        return issues, len(dup_pos)


def _write_sqlite(conn: Connection, frame: pd.DataFrame, load_id: int) -> None:
    cols = ", ".join(_WRITE_COLUMNS)
    marks = ", ".join("?" for _ in _WRITE_COLUMNS)
    key = ", ".join(KEY_COLUMNS)
    changed = " OR ".join(
        f"observation.{c} IS NOT excluded.{c}"
        for c in ("value", "unit", "nature", "source", "footnote")
    )
    sets = ", ".join(
        f"{c} = excluded.{c}" for c in ("value", "unit", "nature", "source", "footnote", "load_id")
    )
    sql = (
        f"INSERT INTO observation ({cols}) VALUES ({marks}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {changed}"
    )
    columns = [frame[c].tolist() for c in COLUMNS]
    columns.append([load_id] * len(frame))
    dbapi = conn.connection.driver_connection
    cur = dbapi.cursor()  # type: ignore[union-attr]
    cur.executemany(sql, zip(*columns, strict=True))
    cur.close()


def _write_postgres(conn: Connection, frame: pd.DataFrame, load_id: int) -> None:
    dbapi = conn.connection.driver_connection
    with dbapi.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS staging_observation (series_code text, "
            "area_code text, year integer, sex text, age text, location text, breakdown text, "
            "value double precision, unit text, nature text, source text, footnote text, "
            "load_id integer) ON COMMIT DROP"
        )
        cur.execute("TRUNCATE staging_observation")
        buf = io.StringIO()
        out = frame[list(COLUMNS)].copy()
        out["load_id"] = load_id
        out.to_csv(buf, index=False, header=False)
        buf.seek(0)
        cols = ", ".join(_WRITE_COLUMNS)
        # an empty field is the empty code (e.g. no breakdown), never NULL
        text_cols = ", ".join(c for c in COLUMNS if c not in ("year", "value"))
        with cur.copy(
            f"COPY staging_observation ({cols}) FROM STDIN "
            f"WITH (FORMAT csv, FORCE_NOT_NULL ({text_cols}))"
        ) as cp:
            while data := buf.read(1 << 20):
                cp.write(data)
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
                    dedup.add(clean, str(path))
                    done += len(chunk.frame)
                    if write and report.valid and len(clean):
                        writer(conn, clean, load_id)  # type: ignore[arg-type]
                    if progress:
                        progress(str(path), done)
            dup_issues, _ndup = dedup.issues()
            report.extend(dup_issues)
            result.rows_read = report.rows_read
            if not report.valid or not write:
                trans.rollback()
                if not report.valid and write:
                    raise ValidationFailed(report)
                return result
            total = conn.execute(
                select(func.count())
                .select_from(s.observation)
                .where(s.observation.c.load_id == load_id)
            ).scalar_one()
            updated = conn.execute(
                select(func.count())
                .select_from(s.observation_revision)
                .where(s.observation_revision.c.replaced_by_load == load_id)
            ).scalar_one()
            result.load_id = load_id
            result.updated = int(updated)
            result.inserted = int(total) - int(updated)
            result.unchanged = result.rows_read - int(total)
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
