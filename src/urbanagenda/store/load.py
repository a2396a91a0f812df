"""Loading observation files into the store: validated first, all or nothing.

Every chunk of every file is validated; rows are written inside one transaction while no
problem has been found.  At the end, a duplicate-key check runs over all rows; if any file
had any problem the transaction is rolled back (the database file is left untouched) and
:class:`~urbanagenda.errors.ValidationFailed` carries the report.  A changed value is kept:
the database trigger ``observation_keep_revision`` copies the old row into
``observation_revision`` before the update.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Engine, Table, func, insert, select, tuple_, update
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError, ValidationFailed
from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.registry import reader_for
from urbanagenda.ingest.report import Issue, Report
from urbanagenda.ingest.validate import Reference, validate_chunk
from urbanagenda.store import schema as s
from urbanagenda.store.reference import reference_from_store

__all__ = ["LoadResult", "load_files", "validate_files", "write_observations"]

#: progress callback: (file, rows done in this file, bytes done, total bytes of the file)
Progress = Callable[[str, int], None]


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
    """Duplicate keys across all chunks, by a 64-bit hash of the integer key.

    Memory per row is the hash alone (8 bytes): where a chunk's rows come from is kept as
    the first row number when they run on, as in a CSV file, and as arrays only otherwise.
    The final check sorts the hashes a part at a time (a sixteenth of them each).
    """

    def __init__(self) -> None:
        self.hashes: list[np.ndarray] = []
        self.where: list[tuple[str, str | np.ndarray, int | np.ndarray]] = []

    def add(self, keys: _Rows, frame: pd.DataFrame, file: str) -> bool:
        """Keep the chunk's key hashes; True when the chunk itself repeats a key."""
        h = pd.util.hash_pandas_object(
            pd.DataFrame(
                {
                    "s": keys.series_id,
                    "a": keys.area_id,
                    "y": keys.year,
                    "b": keys.breakdown_id,
                },
                copy=False,
            ),
            index=False,
        ).to_numpy()
        self.hashes.append(h)
        rows = frame["_row"].to_numpy()
        sheets = frame["_sheet"]
        runs_on = len(rows) > 0 and bool(np.all(np.diff(rows) == 1))
        one_sheet = len(sheets) > 0 and bool((sheets == sheets.iloc[0]).all())
        self.where.append(
            (
                file,
                str(sheets.iloc[0]) if one_sheet else sheets.to_numpy(dtype=object),
                int(rows[0]) if runs_on else rows,
            )
        )
        s = np.sort(h)
        return bool(np.any(s[1:] == s[:-1]))

    def _starts(self) -> np.ndarray:
        """Where each chunk's rows start among all rows of the load."""
        return np.cumsum([0] + [len(h) for h in self.hashes])

    def _locate(self, positions: list[int]) -> list[tuple[str, str, int]]:
        starts = self._starts()
        out = []
        for p in positions:
            c = int(np.searchsorted(starts, p, side="right")) - 1
            i = int(p - starts[c])
            file, sheets, rows = self.where[c]
            sheet = sheets if isinstance(sheets, str) else str(sheets[i])
            row = rows + i if isinstance(rows, int) else int(rows[i])
            out.append((file, sheet, row))
        return out

    #: the hashes are checked in this many parts (by their top bits), so that the check
    #: holds a sixteenth of them sorted at a time, not a sorted copy of all of them
    PARTS = 16

    def _repeated(self) -> np.ndarray:
        """The hashes met more than once, sorted."""
        shift = np.uint64(64 - int(np.log2(self.PARTS)))
        found = []
        for part in range(self.PARTS):
            mine = np.concatenate([h[(h >> shift) == part] for h in self.hashes])
            mine.sort()
            same = mine[1:] == mine[:-1]
            if same.any():
                found.append(np.unique(mine[1:][same]))
        return np.concatenate(found) if found else np.empty(0, dtype=np.uint64)

    def issues(self, limit: int = 50) -> tuple[list[Issue], int]:
        """One issue per row repeating an earlier row's key (at most ``limit``), in load
        order, each naming the row it repeats; and how many rows repeat one."""
        if not self.hashes:
            return [], 0
        repeated = self._repeated()
        if not len(repeated):
            return [], 0
        # where those keys are, in load order
        starts = self._starts()
        at = [np.flatnonzero(np.isin(h, repeated)) for h in self.hashes]
        positions = np.concatenate([idx + start for idx, start in zip(at, starts, strict=False)])
        values = np.concatenate([h[idx] for h, idx in zip(self.hashes, at, strict=True)])
        order = np.lexsort((positions, values))  # by key, then by place in the load
        pos, val = positions[order], values[order]
        later = np.flatnonzero(val[1:] == val[:-1]) + 1  # each repeat, after its previous one
        pairs = sorted(
            zip(pos[later - 1].tolist(), pos[later].tolist(), strict=True), key=lambda p: p[1]
        )
        shown = pairs[:limit]
        places = self._locate([p for pair in shown for p in pair])
        issues = []
        for (first_file, _, first_row), (file, sheet, row) in zip(
            places[::2], places[1::2], strict=True
        ):
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
        return issues, len(later)


_BREAKDOWN = ("sex", "age", "location", "breakdown")
_ATTRIBUTES = ("unit", "nature", "source", "footnote")


@dataclass
class _Rows:
    """A chunk's rows as the store keeps them: ids for the codes, breakdown and attributes."""

    series_id: np.ndarray
    area_id: np.ndarray
    year: np.ndarray
    breakdown_id: np.ndarray
    value: np.ndarray
    attributes_id: np.ndarray

    COLUMNS = (*s.OBSERVATION_VALUE_KEY, "value", "attributes_id")

    def __len__(self) -> int:
        return len(self.year)

    def flat(self) -> list[object]:
        """Every row's values one after the other, as Python objects (what sqlite3 binds)."""
        columns = (getattr(self, c).tolist() for c in self.COLUMNS)
        return list(chain.from_iterable(zip(*columns, strict=True)))


def _factorize_rows(frame: pd.DataFrame, cols: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct combinations of ``cols`` per row, and one row index per code."""
    codes = np.zeros(len(frame), dtype=np.int64)
    for c in cols:
        col, uniques = pd.factorize(frame[c])
        codes, _ = pd.factorize(codes * len(uniques) + col)  # stays below rows² at every step
    codes = np.asarray(codes, dtype=np.int64)
    first = np.full(int(codes.max()) + 1 if len(codes) else 0, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, first


def _known(
    conn: Connection, table: Table, cols: tuple[str, ...], where: object = None
) -> dict[object, int]:
    """Key → id of the rows of one key table (a code, or a tuple of the breakdown's codes)."""
    query = select(table.c.id, *(table.c[c] for c in cols))
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    return {
        (tuple(row[1:]) if len(cols) > 1 else row[1]): int(row[0]) for row in conn.execute(query)
    }


def _insert_new(conn: Connection, table: Table) -> Any:
    """An INSERT into a key table that skips keys already there (also those another load
    commits while this one waits for it), so that concurrent loads meeting the same new
    code or attributes both go through."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    return dialect_insert(table).on_conflict_do_nothing()


def _replace_provisional(ids: np.ndarray, new_id: Callable[[int], int]) -> np.ndarray:
    """``ids`` with each provisional (negative) id ``i`` replaced by ``new_id(i)``."""
    neg = ids < 0
    provisional = np.unique(ids[neg]).tolist()
    lookup = np.zeros(-min(provisional) + 1, dtype=np.int64)
    for i in provisional:
        lookup[-i] = new_id(i)
    return np.where(neg, lookup[np.where(neg, -ids, 0)], ids)


class _Ids:
    """The integer ids of one kind of key: series codes, area codes, breakdowns or
    attribute combinations.

    The reading thread numbers keys it meets for the first time with provisional negative
    ids (always the same one for the same key, so duplicate keys are found across chunks);
    the writing thread inserts those keys into their table in the load's transaction and
    maps provisional ids to the ids the table gave them.
    """

    def __init__(self, conn: Connection, table: Table, cols: tuple[str, ...]) -> None:
        self.table, self.cols = table, cols
        self.known = _known(conn, table, cols)  # key → id (provisional ones below 0)
        self.pending: dict[int, object] = {}  # provisional id → key (the reader adds)
        self.real: dict[int, int] = {}  # provisional id → stored id (the writer adds)

    def of(self, keys: list[object]) -> np.ndarray:
        """Ids of distinct keys (reading thread)."""
        out = []
        for k in keys:
            i = self.known.get(k)
            if i is None:
                i = -(len(self.pending) + 1)
                self.pending[i] = k
                self.known[k] = i
            out.append(i)
        return np.asarray(out, dtype=np.int64)

    def stored(self, ids: np.ndarray) -> np.ndarray:
        """The ids with provisional ones the writer has stored already replaced (reading
        thread); provisional ones it has not seen stay."""
        if not (ids < 0).any():
            return ids
        real = self.real.copy()  # the writer may be adding to it
        return _replace_provisional(ids, lambda i: real.get(i, i))

    def resolve(self, conn: Connection, ids: np.ndarray) -> np.ndarray | None:
        """The ids with provisional ones replaced (writing thread); None when there are none."""
        neg = ids < 0
        if not neg.any():
            return None
        provisional = [int(i) for i in np.unique(ids[neg])]
        new = [i for i in provisional if i not in self.real]
        if new:
            keys = [self.pending[i] for i in new]
            if len(self.cols) == 1:
                values = [{self.cols[0]: k} for k in keys]
            else:
                values = [dict(zip(self.cols, k, strict=True)) for k in keys]  # type: ignore[call-overload]
            # another load may be adding the same key right now: its row is the one to use
            conn.execute(_insert_new(conn, self.table), values)
            columns = tuple(self.table.c[c] for c in self.cols)
            stored: dict[object, int] = {}
            for start in range(0, len(keys), 200):
                part = keys[start : start + 200]
                cond = columns[0].in_(part) if len(columns) == 1 else tuple_(*columns).in_(part)
                stored.update(_known(conn, self.table, self.cols, cond))
            for i, k in zip(new, keys, strict=True):
                self.real[i] = stored[k]
        return _replace_provisional(ids, self.real.__getitem__)


class _Keys:
    """Integer ids for a load's series codes, area codes, breakdowns and attributes.

    The key tables stay small (series and areas are bounded by the reference tables,
    breakdowns and attributes by the distinct combinations a store has), so their ids are
    held in memory for the whole load.  When the load writes, every series and area code of
    the reference tables gets an id first, in the load's transaction, so that only new
    breakdowns and attribute combinations are left for the writing thread to insert.
    """

    def __init__(self, conn: Connection, *, register: bool) -> None:
        if register:
            for table, source in ((s.obs_series, s.series), (s.obs_area, s.area)):
                missing = select(source.c.code).where(source.c.code.not_in(select(table.c.code)))
                conn.execute(
                    _insert_new(conn, table).from_select(["code"], missing.order_by(source.c.code))
                )
        self.series = _Ids(conn, s.obs_series, ("code",))
        self.area = _Ids(conn, s.obs_area, ("code",))
        self.breakdown = _Ids(conn, s.obs_breakdown, _BREAKDOWN)
        self.attributes = _Ids(conn, s.obs_attributes, _ATTRIBUTES)
        self.kinds = (
            ("series_id", self.series),
            ("area_id", self.area),
            ("breakdown_id", self.breakdown),
            ("attributes_id", self.attributes),
        )

    @staticmethod
    def _codes(column: pd.Series, ids: _Ids) -> np.ndarray:
        codes, uniques = pd.factorize(column)
        return ids.of(uniques.tolist())[codes]

    @staticmethod
    def _combinations(frame: pd.DataFrame, cols: tuple[str, ...], ids: _Ids) -> np.ndarray:
        combo, first = _factorize_rows(frame, cols)
        parts = [frame[c].iloc[first].tolist() for c in cols]
        return ids.of(list(zip(*parts, strict=True)))[combo]

    def rows(self, frame: pd.DataFrame) -> _Rows:
        """The chunk with integer keys, provisional for keys the store does not have yet."""
        return _Rows(
            series_id=self._codes(frame["series_code"], self.series),
            area_id=self._codes(frame["area_code"], self.area),
            year=frame["year"].to_numpy(dtype=np.int64),
            breakdown_id=self._combinations(frame, _BREAKDOWN, self.breakdown),
            value=frame["value"].to_numpy(dtype=np.float64),
            attributes_id=self._combinations(frame, _ATTRIBUTES, self.attributes),
        )

    def final(self, rows: _Rows) -> bool:
        """Whether every id of the rows is a stored one."""
        return not any((getattr(rows, name) < 0).any() for name, _ in self.kinds)

    def stored(self, rows: _Rows) -> _Rows:
        """The rows with the ids the writer has stored for provisional ones (reading thread)."""
        return replace(rows, **{name: ids.stored(getattr(rows, name)) for name, ids in self.kinds})

    def resolve(self, conn: Connection, rows: _Rows) -> _Rows | None:
        """The rows with stored ids for provisional ones (new keys are inserted); None when
        all ids were stored ones already."""
        changed = {
            name: ids
            for name, kind in self.kinds
            if (ids := kind.resolve(conn, getattr(rows, name))) is not None
        }
        return replace(rows, **changed) if changed else None


@dataclass
class _Prepared:
    """A chunk ready for the store, made by the reading thread."""

    file: str
    done: int  # rows of the file read so far
    rows: _Rows
    repeats: bool  # the chunk itself has a key twice
    flat: list[object] | None  # the rows as sqlite3 binds them (SQLite only)


#: rows per INSERT statement: one statement of many rows costs SQLite far less per row than
#: one statement per row (fewer VM starts, fewer Python ↔ C round trips)
_SQLITE_ROWS_PER_STATEMENT = 500
_WRITE_COLUMNS = (*_Rows.COLUMNS, "load_id")
_CHANGED = ("value", "attributes_id")


def _sqlite_upsert(rows: int, load_id: int) -> str:
    cols = ", ".join(_WRITE_COLUMNS)
    # load_id is the same for every row: a literal, not one more parameter per row
    one = "(" + ", ".join("?" for _ in _Rows.COLUMNS) + f", {int(load_id)})"
    key = ", ".join(s.OBSERVATION_VALUE_KEY)
    changed = " OR ".join(f"observation_value.{c} IS NOT excluded.{c}" for c in _CHANGED)
    sets = ", ".join(f"{c} = excluded.{c}" for c in (*_CHANGED, "load_id"))
    return (
        f"INSERT INTO observation_value ({cols}) VALUES {', '.join([one] * rows)} "
        f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {changed}"
    )


def _write_sqlite(
    conn: Connection, rows: _Rows, load_id: int, flat: list[object] | None = None
) -> int:
    """Upsert the rows (``flat``: the same, as :meth:`_Rows.flat` gives them); the number of
    rows inserted or changed."""
    dbapi = conn.connection.driver_connection
    n, width = len(rows), len(_Rows.COLUMNS)
    limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    per = max(1, min(_SQLITE_ROWS_PER_STATEMENT, limit // width))
    if flat is None:
        flat = rows.flat()
    step = per * width
    full = (n - n % per) * width
    cur = dbapi.cursor()  # type: ignore[union-attr]
    written = 0
    if full:
        cur.executemany(
            _sqlite_upsert(per, load_id), (flat[i : i + step] for i in range(0, full, step))
        )
        written += cur.rowcount  # summed over the statements; an unchanged row is not counted
    if len(flat) > full:
        # the rows left over one by one: a statement per left-over count would each be
        # compiled and kept in the connection's statement cache (memory growing per chunk)
        cur.executemany(
            _sqlite_upsert(1, load_id), (flat[i : i + width] for i in range(full, len(flat), width))
        )
        written += cur.rowcount
    cur.close()
    return int(written)


def _write_postgres(
    conn: Connection, rows: _Rows, load_id: int, flat: list[object] | None = None
) -> int:
    """Upsert the rows through a COPY into a staging table; the rows inserted or changed."""
    dbapi = conn.connection.driver_connection
    with dbapi.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS staging_observation (series_id integer, "
            "area_id integer, year integer, breakdown_id integer, value double precision, "
            "attributes_id integer, load_id integer) ON COMMIT DROP"
        )
        cur.execute("TRUNCATE staging_observation")
        # Arrow writes the CSV in C++; floats in their shortest form that reads back exactly
        out = pa.table(
            {
                **{c: pa.array(getattr(rows, c), pa.int32()) for c in s.OBSERVATION_VALUE_KEY},
                "value": pa.array(rows.value, pa.float64()),
                "attributes_id": pa.array(rows.attributes_id, pa.int32()),
                "load_id": pa.array(np.full(len(rows), load_id, np.int32)),
            }
        )
        buf = pa.BufferOutputStream()
        pacsv.write_csv(out, buf, pacsv.WriteOptions(include_header=False))
        data = buf.getvalue()
        cols = ", ".join(_WRITE_COLUMNS)
        with cur.copy(f"COPY staging_observation ({cols}) FROM STDIN WITH (FORMAT csv)") as cp:
            view = memoryview(data)  # type: ignore[arg-type]
            for start in range(0, len(view), 1 << 22):
                cp.write(view[start : start + (1 << 22)])
        key = ", ".join(s.OBSERVATION_VALUE_KEY)
        changed = " OR ".join(
            f"observation_value.{c} IS DISTINCT FROM excluded.{c}" for c in _CHANGED
        )
        sets = ", ".join(f"{c} = excluded.{c}" for c in (*_CHANGED, "load_id"))
        cur.execute(
            f"INSERT INTO observation_value ({cols}) SELECT {cols} FROM staging_observation "
            f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {changed}"
        )
        return int(cur.rowcount)


#: SQLite's page cache during a load, in KiB: what a load holds of the database, and what
#: building the area index sorts in memory before it sorts in a temporary file
_LOAD_CACHE_KIB = 32_000

#: rows a SQLite load writes with the (area, series) index in place before it considers
#: building the index again at the end instead (see :class:`_AreaIndex`)
_REBUILD_INDEX_ROWS = 200_000


class _AreaIndex:
    """The (area, series) index of ``observation_value`` during a large SQLite load.

    Rows come in series order, so the unique (series, area, year, breakdown) index grows at
    its end, but each row lands at a random place of the (area, series) index: for a large
    load that costs more than half the time of writing.  Once a load has written
    ``_REBUILD_INDEX_ROWS`` rows and at least as many as the store held before, the index is
    dropped and built again, sorted in one pass, before the commit (about three times
    cheaper than keeping it row by row).  Both are in the load's transaction: a rejected or
    failed load rolls back to the index as it was.  The sort holds at most the load's page
    cache in memory (``_LOAD_CACHE_KIB``), and the rest in a temporary file.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.index = next(
            i for i in s.observation_value.indexes if i.name == "ix_observation_value_area_series"
        )
        self.before = int(conn.execute(select(func.max(s.observation_value.c.id))).scalar() or 0)
        self.rows = 0
        self.dropped = False

    def wrote(self, rows: int) -> None:
        self.rows += rows
        if not self.dropped and self.rows >= max(_REBUILD_INDEX_ROWS, self.before):
            self.index.drop(self.conn)
            self.dropped = True

    def restore(self) -> None:
        if self.dropped:
            # the sort spills to a temporary file, not to memory, past the page cache's
            # size (the load sets temp_store back when it ends)
            self.conn.exec_driver_sql("PRAGMA temp_store=FILE")
            self.index.create(self.conn)
            self.dropped = False


def write_observations(conn: Connection, frame: pd.DataFrame, load_id: int) -> int:
    """Upsert checked observations in the caller's transaction; the rows inserted or changed.

    ``frame`` has the observation columns (``COLUMNS``) with codes the store knows and no key
    twice; a changed value keeps the old one as a revision, as in a load.
    """
    if frame.empty:
        return 0
    keys = _Keys(conn, register=True)
    rows = keys.rows(frame)
    rows = keys.resolve(conn, rows) or rows
    writer = _write_sqlite if conn.dialect.name == "sqlite" else _write_postgres
    return writer(conn, rows, load_id)


def _fill_empty(column: pd.Series, fill: str) -> pd.Series:
    """The categorical text column (as validation returns it) with empty cells set to
    ``fill``."""
    categories = column.cat.categories
    if "" not in categories:
        return column
    # the filled text may be a category already: number the categories again
    codes, distinct = pd.factorize(np.array([fill if c == "" else c for c in categories], object))
    return pd.Series(
        pd.Categorical.from_codes(
            codes[column.cat.codes.to_numpy()], categories=pd.Index(distinct)
        ),
        index=column.index,
        copy=False,
    )


def _validated_chunks(
    files: list[Path],
    ref: Reference,
    *,
    format_name: str | None,
    source: str | None,
    chunk_rows: int,
    result: LoadResult,
) -> Iterator[tuple[str, pd.DataFrame, int]]:
    """Read and validate every chunk of every file, collecting issues in the report.

    Yields (file, clean rows, rows of the file done).
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
            clean["source"] = _fill_empty(clean["source"], source or path.name)
            done += len(chunk.frame)
            yield str(path), clean, done


_T = TypeVar("_T")
_END = object()


def _ahead(items: Iterator[_T], depth: int = 1) -> Iterator[_T]:
    """The items of ``items``, produced by a thread of their own up to ``depth`` ahead.

    Reading and checking the next chunk runs while the store writes this one: SQLite and
    Arrow work without holding Python's lock, so the two overlap on two cores.  An error in
    the producer comes out here; leaving early stops the producer.
    """
    box: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[object, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((_END, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="urbanagenda-load-reader", daemon=True)
    worker.start()
    try:
        while True:
            got, exc = box.get()
            if exc is not None:
                raise exc
            if got is _END:
                return
            yield got  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


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
        sqlite = conn.dialect.name == "sqlite"
        pragmas: dict[str, object] = {}
        if sqlite:
            # codes are validated against this same snapshot; FK checks per row only cost time
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            # a bounded page cache while loading, whatever the size of the file (the engine
            # gives connections a large one, for reading); set back afterwards
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("cache_size", "temp_store")
            }
            conn.exec_driver_sql(f"PRAGMA cache_size=-{_LOAD_CACHE_KIB}")
            conn.commit()  # end the autobegun block; the PRAGMAs ran outside any transaction
        trans = conn.begin()
        try:
            ref = reference_from_store(conn)
            keys = _Keys(conn, register=write)
            load_id = None
            if write:
                load_id = conn.execute(
                    insert(s.load_run).values(
                        started_at=now, sources=[str(p) for p in files], formats={}, rows_read=0
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            writer = _write_sqlite if sqlite else _write_postgres
            writing = write
            written = 0  # rows inserted or changed: those that now carry this load's id
            chunks = _validated_chunks(
                files,
                ref,
                format_name=format_name,
                source=source,
                chunk_rows=chunk_rows,
                result=result,
            )

            def prepare() -> Iterator[_Prepared]:
                # the reading thread: read, check, number the keys, find repeats, sort
                for file, clean, done in chunks:
                    rows = keys.rows(clean)
                    repeats = dedup.add(rows, clean, file)  # on ids that never change
                    rows = keys.stored(rows)
                    ready = write and sqlite and not repeats and keys.final(rows)
                    flat = rows.flat() if ready else None
                    yield _Prepared(file, done, rows, repeats, flat)

            area_index = _AreaIndex(conn) if write and sqlite else None
            for item in _ahead(prepare()):
                if item.repeats:
                    # a key twice in one statement: PostgreSQL refuses the upsert, and the
                    # load is going to be rejected anyway (duplicate-key issues)
                    writing = False
                if writing and report.valid and len(item.rows):
                    stored = keys.resolve(conn, item.rows)
                    if stored is None:
                        written += writer(conn, item.rows, load_id, item.flat)  # type: ignore[arg-type]
                    else:  # new keys got their ids now: the prepared rows are out of date
                        written += writer(conn, stored, load_id)  # type: ignore[arg-type]
                    if area_index is not None:
                        area_index.wrote(len(item.rows))
                if progress:
                    progress(item.file, item.done)
            dup_issues, _ndup = dedup.issues()
            report.extend(dup_issues)
            result.rows_read = report.rows_read
            if not report.valid or not write:
                trans.rollback()
                if not report.valid and write:
                    raise ValidationFailed(report)
                return result
            if area_index is not None:
                area_index.restore()
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
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                for name, value in pragmas.items():
                    conn.exec_driver_sql(f"PRAGMA {name}={int(value)}")  # type: ignore[call-overload]
                conn.commit()
    return result


def load_files(
    engine: Engine,
    paths: Iterable[Path | str],
    *,
    format_name: str | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    chunk_rows: int = 100_000,
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
    chunk_rows: int = 100_000,
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
