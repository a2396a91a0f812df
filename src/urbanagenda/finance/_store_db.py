"""The database side of :mod:`.store`: reads, the not-found error, failures translated to
:class:`~urbanagenda.errors.StoreError`, and the insertion of a new version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, Select, Table, and_, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError, ValidationFailed
from urbanagenda.finance._store_rows import LG_KEY_CHARS
from urbanagenda.ingest.report import Issue, Report
from urbanagenda.reporting import records

__all__ = ["NotFound", "fail", "insert_version", "latest", "lg_key_issue", "one", "read"]


class NotFound(records.NotFound):
    """No stored analysis or plan with that id (HTTP 404)."""


def fail(engine: Engine, exc: SQLAlchemyError, doing: str) -> StoreError:
    return StoreError(
        f"{doing} failed in the database {engine.url!r} (nothing was written): {exc}. "
        "Is the database migrated? Run `urbanagenda init`."
    )


def lg_key_issue(key: str, file: str | None) -> ValidationFailed:
    report = Report(files=[file] if file else [])
    report.add(
        Issue(
            "out-of-range",
            f"the local government's key (its area code, else its name) is longer than "
            f"{LG_KEY_CHARS} characters.",
            file=file,
            column="local_government",
            found=key[:40] + "…",
            expected=f"at most {LG_KEY_CHARS} characters",
            fix="give the area code of the city (area: ...) or a shorter name",
        )
    )
    return ValidationFailed(report)


def insert_version(
    conn: Connection, table: Table, key: Mapping[str, Any], values: dict[str, Any]
) -> int:
    """The id of the latest version under ``key`` when its digest equals ``values``'s, else the
    id of a new row with the next version."""
    where = and_(*[table.c[k] == v for k, v in key.items()])
    latest = conn.execute(
        select(table.c.id, table.c.version, table.c.sha256)
        .where(where)
        .order_by(table.c.version.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.sha256 == values["sha256"]:
        return int(latest.id)
    version = 1 if latest is None else int(latest.version) + 1
    new = conn.execute(insert(table).values(**key, **values, version=version))
    return int(new.inserted_primary_key[0])  # type: ignore[index]


def latest(stmt: Select[Any], table: Table, *group: str) -> Select[Any]:
    """``stmt`` (a select from ``table``) kept to the latest version of each ``group``."""
    cols = [table.c[g] for g in group]
    newest = select(*cols, func.max(table.c.version).label("latest")).group_by(*cols).subquery()
    return stmt.join(
        newest,
        and_(*(c == newest.c[c.name] for c in cols), table.c.version == newest.c.latest),
    )


def read(engine: Engine, stmt: Any) -> list[dict[str, Any]]:
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt).all()]
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the finance tables of {engine.url!r}: {exc}. "
            "Is the database migrated? Run `urbanagenda init`."
        ) from exc


def one(engine: Engine, table: Table, id_: int, what: str, listing: str) -> dict[str, Any]:
    found = read(engine, select(table).where(table.c.id == id_))
    if not found:
        raise NotFound(f"no stored {what} {id_}; list them with `urbanagenda {listing}`.")
    return found[0]
