"""Creating the store and filling its reference tables (catalogue and areas)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError
from urbanagenda.store import schema as s
from urbanagenda.store.engine import migrate

__all__ = ["initialise", "upsert_rows"]


def _records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in frame.columns]
    out = frame[cols].astype(object).where(frame[cols].notna(), None)
    return out.to_dict("records")  # type: ignore[return-value]


def upsert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert rows, updating the non-key columns of rows whose primary key exists."""
    if not rows:
        return 0
    ins = (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(table)
    keys = [c.name for c in table.primary_key.columns]
    others = [c for c in rows[0] if c not in keys]
    stmt = (
        ins.on_conflict_do_update(index_elements=keys, set_={c: ins.excluded[c] for c in others})
        if others
        else ins.on_conflict_do_nothing(index_elements=keys)
    )
    for start in range(0, len(rows), 5000):
        conn.execute(stmt, rows[start : start + 5000])
    return len(rows)


def _catalogue_rows() -> Mapping[Table, list[dict[str, Any]]]:
    from urbanagenda.model.catalogue import load_catalogue

    cat = load_catalogue()
    f = cat.to_frames()
    series = f["series"].copy()
    detail_cols = [c for c in series.columns if c not in {c.name for c in s.series.columns}]
    details: list[Any] = (
        series[detail_cols]
        .astype(object)
        .where(series[detail_cols].notna(), None)
        .to_dict("records")
        if detail_cols
        else [None] * len(series)
    )
    series = series.assign(details=details)
    framework = []
    for fw in ("nua_commitments", "umf_cells"):
        fr = f[fw]
        for rec in fr.astype(object).where(fr.notna(), None).to_dict("records"):
            framework.append(
                {
                    "framework": "nua" if fw == "nua_commitments" else "umf",
                    "code": rec.get("code"),
                    "parent_code": rec.get("parent_code") or rec.get("parent") or rec.get("domain"),
                    "name": rec.get("name") or rec.get("title") or rec.get("code"),
                    "details": {
                        k: v for k, v in rec.items() if k not in ("code", "name", "parent_code")
                    },
                }
            )
    units = f["units"]
    synonyms = [
        {"synonym": str(r.synonym).strip().lower(), "unit_code": r.unit_code}
        for r in f["unit_synonyms"].itertuples()
    ]
    return {
        s.goal: _records(f["goals"], s.goal.columns.keys()),
        s.target: _records(
            f["targets"].rename(columns={"goal": "goal_code"}), s.target.columns.keys()
        ),
        s.indicator: _records(
            f["indicators"].rename(columns={"target": "target_code"}), s.indicator.columns.keys()
        ),
        s.unit: _records(units, s.unit.columns.keys()),
        s.unit_synonym: list({r["synonym"]: r for r in synonyms}.values()),
        s.series: _records(series, s.series.columns.keys()),
        s.series_indicator: _records(f["series_indicator"], s.series_indicator.columns.keys()),
        s.framework_element: framework,
        s.framework_link: _records(f["framework_links"], s.framework_link.columns.keys()),
    }


def _area_rows() -> Mapping[Table, list[dict[str, Any]]]:
    from urbanagenda.model.areas import load_areas

    areas = load_areas()
    names = areas.names.rename(columns={"code": "area_code"})
    return {
        s.area: _records(areas.frame, s.area.columns.keys()),
        s.area_name: _records(names, s.area_name.columns.keys()),
        s.area_parent: _records(areas.parents, s.area_parent.columns.keys()),
    }


def reference_fingerprint() -> str:
    """A digest of the bundled reference data (catalogue files and data folder)."""
    digest = hashlib.sha256()
    root = resources.files("urbanagenda")
    for folder in ("catalogue", "data"):
        base = Path(str(root.joinpath(folder)))
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _stored_fingerprint(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(
                select(s.catalogue_version.c.version).where(
                    s.catalogue_version.c.name == "reference-data"
                )
            ).scalar_one_or_none()
    except SQLAlchemyError:
        return None


def initialise(engine: Engine, *, force: bool = False) -> dict[str, int]:
    """Migrate the schema to the newest revision and write the bundled catalogue and areas.

    Safe to run again: when the reference data are those already written, nothing is
    written at all (so a database file is left byte-for-byte as it was); otherwise reference
    rows are upserted.  Observations are never touched.
    """
    from urbanagenda.model.catalogue import load_catalogue

    migrate(engine)
    fingerprint = reference_fingerprint()
    if not force and _stored_fingerprint(engine) == fingerprint:
        return {}
    counts: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            for table, rows in {**_catalogue_rows(), **_area_rows()}.items():
                counts[table.name] = upsert_rows(conn, table, rows)
            version = load_catalogue().version
            existing = conn.execute(
                select(s.catalogue_version.c.version).where(
                    s.catalogue_version.c.name == "catalogue"
                )
            ).scalar_one_or_none()
            if existing != version:
                upsert_rows(
                    conn,
                    s.catalogue_version,
                    [{"name": "catalogue", "version": version, "loaded_at": datetime.now(UTC)}],
                )
            upsert_rows(
                conn,
                s.catalogue_version,
                [
                    {
                        "name": "reference-data",
                        "version": fingerprint,
                        "loaded_at": datetime.now(UTC),
                    }
                ],
            )
    except SQLAlchemyError as exc:
        raise StoreError(f"could not write the reference tables to {engine.url!r}: {exc}") from exc
    return counts
