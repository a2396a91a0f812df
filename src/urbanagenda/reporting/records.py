"""The rows behind every document: loading documents and versions, writing a version and an
audit event, the canonical content and its SHA-256, and the checks of free text.  Shared by
:mod:`.documents`, :mod:`.workflow`, :mod:`.diff`, :mod:`.vlrs` and :mod:`.attachments`
(the names keep their underscore: they are the platform's inside, not its API).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from urbanagenda.errors import DataError, UrbanAgendaError
from urbanagenda.reporting.model import Document, Section, User, Version
from urbanagenda.store import schema as s

__all__ = ["MAX_NOTE_CHARS", "Conflict", "NotFound", "content_sha256"]

MAX_NOTE_CHARS = 5_000


class NotFound(UrbanAgendaError):
    """No such document, version or section (HTTP 404)."""


class Conflict(UrbanAgendaError):
    """The change does not fit the document's state: a save based on an older version, or
    a workflow step not allowed from the current status (HTTP 409)."""


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything the platform writes is UTC."""
    if value is None:
        return None
    return _at(value)


def _at(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def content_sha256(sections: Sequence[Section]) -> str:
    """SHA-256 of a version's canonical JSON (sorted keys, no spaces, UTF-8): anyone holding
    the content can check that it is the version the platform recorded."""
    return hashlib.sha256(_canonical(_content(sections))).hexdigest()


def _content(sections: Sequence[Section]) -> dict[str, Any]:
    return {"sections": [sec.as_dict() for sec in sections]}


def _document(row: Row[Any]) -> Document:
    m = row._mapping
    return Document(
        id=int(m["id"]),
        kind=m["kind"],
        title=m["title"],
        country_code=m["country_code"],
        area_code=m["area_code"],
        year=m["year"],
        language=m["language"],
        status=m["status"],
        modality=m["modality"],
        template_version=m["template_version"],
        previous_document_id=m["previous_document_id"],
        current_version=int(m["current_version"]),
        published_version=m["published_version"],
        metadata=dict(m["metadata"] or {}),
        is_example=bool(m["is_example"]),
        created_by=m["created_by"],
        created_at=_aware(m["created_at"]),
        updated_at=_aware(m["updated_at"]),
    )


def _version(row: Row[Any]) -> Version:
    m = row._mapping
    content = m["content"] or {}
    return Version(
        document_id=int(m["document_id"]),
        number=int(m["number"]),
        sections=tuple(Section.from_dict(x) for x in content.get("sections") or ()),
        created_at=_at(m["created_at"]),
        created_by=m["created_by"],
        note=m["note"],
        content_sha256=m["content_sha256"],
    )


def _load(
    conn: Connection, document_id: int, *, lock: bool = False, listing: str = "reports"
) -> Document:
    """The document; ``listing`` names, in the error, the documents to list (reports, VLRs)."""
    stmt = select(s.document).where(s.document.c.id == document_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(
            f"no document {document_id}; list the {listing} with GET /api/v1/{listing.lower()}."
        )
    return _document(row)


def _load_version(conn: Connection, document_id: int, number: int) -> Version:
    row = conn.execute(
        select(s.document_version).where(
            s.document_version.c.document_id == document_id,
            s.document_version.c.number == number,
        )
    ).first()
    if row is None:
        raise NotFound(f"document {document_id} has no version {number}.")
    return _version(row)


def _sections(conn: Connection, document_id: int, number: int) -> list[Section]:
    content = conn.execute(
        select(s.document_version.c.content).where(
            s.document_version.c.document_id == document_id,
            s.document_version.c.number == number,
        )
    ).scalar_one()
    return [Section.from_dict(x) for x in (content or {}).get("sections") or ()]


def _log(
    conn: Connection,
    doc: Document,
    actor: User | None,
    action: str,
    *,
    at: datetime,
    version: int | None,
    from_status: str | None = None,
    to_status: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(s.document_event).values(
            document_id=doc.id,
            version=version,
            actor_id=actor.id if actor is not None else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
            at=at,
            details=details or {},
        )
    )


def _write_version(
    conn: Connection,
    document_id: int,
    number: int,
    sections: Sequence[Section],
    *,
    actor: User | None,
    note: str | None,
    at: datetime,
) -> Version:
    content = _content(sections)
    digest = hashlib.sha256(_canonical(content)).hexdigest()
    try:
        conn.execute(
            insert(s.document_version).values(
                document_id=document_id,
                number=number,
                content=content,
                content_sha256=digest,
                note=note,
                created_by=actor.id if actor is not None else None,
                created_at=at,
            )
        )
    except IntegrityError as exc:  # someone wrote this version number in between
        raise Conflict(
            f"version {number} of document {document_id} was written by someone else a moment "
            "ago; reload the report and save again."
        ) from exc
    return Version(
        document_id, number, tuple(sections), at, actor.id if actor else None, note, digest
    )


def _text(value: str | None, what: str, limit: int, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise DataError(f"{what} is missing; write it and try again.")
        return None
    if not isinstance(value, str):
        raise DataError(f"{what} must be text, got {type(value).__name__}.")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in value:
        raise DataError(f"{what} contains a NUL character; remove it.")
    if required and not value.strip():
        raise DataError(f"{what} is empty; write it and try again.")
    if len(value) > limit:
        raise DataError(
            f"{what} has {len(value):,} characters; at most {limit:,} are allowed. "
            "Shorten it or move the detail to an attachment."
        )
    return value
