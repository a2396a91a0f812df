"""Attachments of every kind of document: a national report's while it is a draft or
returned, a VLR's or a reference document's while it is not withdrawn.  Each file is checked
(:func:`urbanagenda.reporting.uploads.check_upload`) and its text extracted.  A public
document (a VLR, a reference document) is re-indexed for search when a file is added
(:func:`reindex`), so the file's passages are found at once; a national report's files are
indexed with the report when it is published (:func:`attachment_passages`).

The file, its passages and its audit line are stored together or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.engine import Row

from urbanagenda.errors import DataError
from urbanagenda.reporting import permissions, search, text
from urbanagenda.reporting.extract import ExtractedText, extract_text, split_passages
from urbanagenda.reporting.model import (
    EDITABLE_STATUSES,
    Attachment,
    Document,
    PassageIn,
    User,
    Version,
)
from urbanagenda.reporting.records import Conflict, NotFound, _aware, _load, _log, _now, _sections
from urbanagenda.reporting.uploads import CheckedUpload, check_upload
from urbanagenda.reporting.workflow import passages_of
from urbanagenda.store import schema as s

__all__ = [
    "add_attachment",
    "attachment_content",
    "attachment_passages",
    "list_attachments",
    "reindex",
]


_ATTACHMENT_COLUMNS = (
    s.attachment.c.id,
    s.attachment.c.document_id,
    s.attachment.c.section_key,
    s.attachment.c.filename,
    s.attachment.c.media_type,
    s.attachment.c.size,
    s.attachment.c.sha256,
    s.attachment.c.pages,
    s.attachment.c.created_at,
    s.attachment.c.extracted_text.is_not(None).label("has_text"),
)


def _attachment(row: Row[Any]) -> Attachment:
    m = row._mapping
    return Attachment(
        id=int(m["id"]),
        document_id=int(m["document_id"]),
        section_key=m["section_key"],
        filename=m["filename"],
        media_type=m["media_type"],
        size=int(m["size"]),
        sha256=m["sha256"],
        pages=m["pages"],
        created_at=_aware(m["created_at"]) or datetime.now(UTC),
        has_text=bool(m["has_text"]),
    )


# -- search ----------------------------------------------------------------------------------


def attachment_passages(conn: Connection, document: Document) -> list[PassageIn]:
    """The passages of the document's attachments (their extracted text), each in the
    language it is written in (guessed; the document's language when the script says
    nothing more).  For ``documents`` to index a national report's files on publishing."""
    rows = conn.execute(
        select(s.attachment.c.id, s.attachment.c.section_key, s.attachment.c.extracted_text)
        .where(s.attachment.c.document_id == document.id)
        .where(s.attachment.c.extracted_text.is_not(None))
        .order_by(s.attachment.c.id)
    )
    return [
        PassageIn(
            text=passage,
            language=text.guess_language(passage, default=document.language),
            section_key=row.section_key,
            attachment_id=int(row.id),
        )
        for row in rows
        for passage in split_passages(row.extracted_text or "")
    ]


def reindex(conn: Connection, document: Document) -> int:
    """Replace a public VLR's or reference document's passages in the search index: its
    published version's sections and its files' text.  Returns how many were indexed
    (0, with the old passages removed, for a document that is not public)."""
    if document.status != "published" or document.published_version is None:
        search.remove_document(conn, document.id)
        return 0
    sections = _sections(conn, document.id, document.published_version)
    version = Version(
        document.id, document.published_version, tuple(sections), datetime.now(UTC), None
    )
    passages = [
        PassageIn(
            text=p.text,
            language=text.guess_language(p.text, default=document.language),
            section_key=p.section_key,
        )
        for p in passages_of(document, version)
    ]
    passages += attachment_passages(conn, document)
    return search.replace_passages(conn, document, passages, version=document.published_version)


# -- attachments -----------------------------------------------------------------------------


def _require_attach(actor: User, doc: Document) -> None:
    """Who may add a file to which document, in which state."""
    if doc.kind == "national_report":
        permissions.require(actor, "report.attach", doc)
        if doc.status not in EDITABLE_STATUSES:
            raise Conflict(
                f"report {doc.id} is {doc.status}; files are added while a report is a draft "
                "or returned. Ask the reviewer to return it if a file is missing."
            )
        return
    permissions.require(actor, "vlr.edit" if doc.kind == "vlr" else "reference.create", doc)
    if doc.status == "withdrawn":
        raise Conflict(f"{doc.kind} {doc.id} is withdrawn; files cannot be added to it.")


def _store_attachment(
    conn: Connection,
    doc: Document,
    actor: User,
    checked: CheckedUpload,
    extracted: ExtractedText,
    *,
    section_key: str | None,
    at: datetime,
) -> Attachment:
    found = conn.execute(
        select(*_ATTACHMENT_COLUMNS).where(
            s.attachment.c.document_id == doc.id,
            s.attachment.c.sha256 == checked.sha256,
            s.attachment.c.section_key.is_(None)
            if section_key is None
            else s.attachment.c.section_key == section_key,
        )
    ).first()
    if found is not None:  # the same file again (a retried upload): one copy is enough
        return _attachment(found)
    body = extracted.text
    attachment_id = conn.execute(
        insert(s.attachment)
        .values(
            document_id=doc.id,
            section_key=section_key,
            filename=checked.filename,
            media_type=checked.media_type,
            size=len(checked.data),
            sha256=checked.sha256,
            content=checked.data,
            extracted_text=body or None,
            pages=extracted.pages,
            created_by=actor.id,
            created_at=at,
        )
        .returning(s.attachment.c.id)
    ).scalar_one()
    conn.execute(update(s.document).where(s.document.c.id == doc.id).values(updated_at=at))
    _log(
        conn,
        doc,
        actor,
        "attach",
        at=at,
        version=doc.current_version,
        details={
            "attachment_id": int(attachment_id),
            "filename": checked.filename,
            "media_type": checked.media_type,
            "size": len(checked.data),
            "sha256": checked.sha256,
            "pages": extracted.pages,
            "section_key": section_key,
        },
    )
    return Attachment(
        id=int(attachment_id),
        document_id=doc.id,
        section_key=section_key,
        filename=checked.filename,
        media_type=checked.media_type,
        size=len(checked.data),
        sha256=checked.sha256,
        pages=extracted.pages,
        created_at=at,
        has_text=bool(body),
    )


def _check_section(conn: Connection, doc: Document, section_key: str | None) -> None:
    if section_key is None:
        return
    keys = [sec.key for sec in _sections(conn, doc.id, doc.current_version)]
    if section_key not in keys:
        raise DataError(
            f"{doc.kind.replace('_', ' ')} {doc.id} has no section {section_key!r}; the "
            f"sections are {', '.join(keys)}."
        )


def add_attachment(
    engine: Engine,
    actor: User,
    document_id: int,
    filename: str,
    data: bytes,
    *,
    section_key: str | None = None,
    now: datetime | None = None,
) -> Attachment:
    """Check (``uploads.check_upload``), extract the text, store; for a public document
    also index the text's passages for search.

    Permission comes first (a quick read), then the file is checked and its text
    extracted outside any transaction, then everything is written in one.  The same file
    added twice to the same place is stored once (the first attachment is returned).
    """
    with engine.connect() as conn:
        _require_attach(actor, _load(conn, document_id, listing="VLRs"))
    checked = check_upload(filename, data)
    extracted = extract_text(checked)
    at = _now(now)
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True, listing="VLRs")
        _require_attach(actor, doc)  # again: the status may have moved meanwhile
        _check_section(conn, doc, section_key)
        attachment = _store_attachment(
            conn, doc, actor, checked, extracted, section_key=section_key, at=at
        )
        if doc.kind in ("vlr", "reference"):
            reindex(conn, doc)
        return attachment


def list_attachments(engine: Engine, document_id: int) -> list[Attachment]:
    """The document's files, oldest first (without their bytes)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_ATTACHMENT_COLUMNS)
            .where(s.attachment.c.document_id == document_id)
            .order_by(s.attachment.c.id)
        )
        return [_attachment(r) for r in rows]


def attachment_content(engine: Engine, attachment_id: int) -> tuple[Attachment, bytes]:
    """An attachment and its bytes.  The caller checks that the viewer may read the
    attachment's document (``documents.get_document(..., viewer=...)``)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(*_ATTACHMENT_COLUMNS, s.attachment.c.content).where(
                s.attachment.c.id == attachment_id
            )
        ).first()
    if row is None:
        raise NotFound(f"no attachment {attachment_id}.")
    return _attachment(row), bytes(row.content)
