"""The Voluntary Local Review registry: metadata, files (PDF/DOCX, checked and their text
extracted), links to the city's data and to the national report the VLR feeds.  A VLR is
public when registered (it is already a published document of its government); it can be
edited (new version of its metadata) and withdrawn.  OWNER: uploads helper.

The metadata checks are in :mod:`.vlr_metadata`; attachments of every kind of document, and
re-indexing a public document for search, in :mod:`.attachments`.  This module re-exports
their public names, so ``vlrs.add_attachment``, ``vlrs.InvalidVLR`` and the others keep
working.

Every change writes a ``document_event`` in the same transaction as the change: the VLR, its
file, its passages and its audit line are stored together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, update

from urbanagenda.errors import DataError
from urbanagenda.reporting import permissions, search
from urbanagenda.reporting.attachments import (
    _store_attachment,
    add_attachment,
    attachment_content,
    attachment_passages,
    list_attachments,
    reindex,
)
from urbanagenda.reporting.extract import extract_text
from urbanagenda.reporting.model import Document, Section, User
from urbanagenda.reporting.records import (
    Conflict,
    NotFound,
    _load,
    _log,
    _now,
    _sections,
    content_sha256,
)
from urbanagenda.reporting.uploads import check_upload
from urbanagenda.reporting.vlr_metadata import (
    ISO_639_1,
    LEVELS,
    InvalidVLR,
    check_in_store,
    validate,
)
from urbanagenda.store import schema as s

__all__ = [
    "ISO_639_1",
    "LEVELS",
    "InvalidVLR",
    "add_attachment",
    "attachment_content",
    "attachment_passages",
    "list_attachments",
    "register_vlr",
    "reindex",
    "update_vlr",
    "update_vlr_metadata",
    "withdraw_vlr",
]

SUMMARY_KEY = "summary"

#: The metadata keys of a VLR that :func:`update_vlr_metadata` may change.
CHANGEABLE: tuple[str, ...] = (
    "title", "government", "level", "country_code", "area_code", "year", "languages", "sdgs",
    "linked_vnr", "source_url", "feeds_report_id", "summary",
)  # fmt: skip


def _write_version(
    conn: Connection,
    document_id: int,
    number: int,
    sections: Sequence[Section],
    *,
    actor: User,
    note: str | None,
    at: datetime,
) -> None:
    conn.execute(
        insert(s.document_version).values(
            document_id=document_id,
            number=number,
            content={"sections": [sec.as_dict() for sec in sections]},
            content_sha256=content_sha256(sections),
            note=note,
            created_by=actor.id,
            created_at=at,
        )
    )


# -- the registry ----------------------------------------------------------------------------


def register_vlr(
    engine: Engine,
    actor: User,
    *,
    title: str,
    government: str,
    level: str,  # local | regional
    country_code: str,
    area_code: str | None,
    year: int,
    languages: Sequence[str],
    sdgs: Sequence[int],
    linked_vnr: str | None = None,
    source_url: str | None = None,
    feeds_report_id: int | None = None,
    summary: str | None = None,
    file: tuple[str, bytes] | None = None,
    is_example: bool = False,
    metadata: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Document:
    """Register a published VLR: the document (status published, version 1 = the summary
    section), its audit line ``register``, its file (checked, text extracted) and its
    passages in the search index, in one transaction.  ``metadata`` adds keys of the
    caller's own to the document's metadata (the registry's keys win).

    Raises ``Unauthenticated``/``Forbidden`` (a local focal point registers for their own
    city only), :class:`InvalidVLR` listing every problem of the metadata, or
    ``UploadRejected`` for the file; in every case nothing is stored.
    """
    permissions.require(actor, "vlr.create", area_code=area_code)
    at = _now(now)
    values = {
        "title": title, "government": government, "level": level,
        "country_code": country_code, "area_code": area_code, "year": year,
        "languages": languages, "sdgs": sdgs, "linked_vnr": linked_vnr,
        "source_url": source_url, "feeds_report_id": feeds_report_id, "summary": summary,
    }  # fmt: skip
    fields, problems = validate(values, at)
    if fields is None:
        raise InvalidVLR(problems)
    upload = None
    if file is not None:
        checked = check_upload(file[0], file[1])
        upload = (checked, extract_text(checked))
    with engine.begin() as conn:
        problems = check_in_store(conn, fields)
        if problems:
            raise InvalidVLR(problems)
        meta = {**dict(metadata or {}), **fields.metadata()}
        document_id = conn.execute(
            insert(s.document)
            .values(
                kind="vlr",
                title=fields.title,
                country_code=fields.country_code,
                area_code=fields.area_code,
                year=fields.year,
                language=fields.languages[0],
                status="published",
                modality=None,
                template_version=None,
                previous_document_id=None,
                current_version=1,
                published_version=1,
                metadata=meta,
                is_example=is_example,
                created_by=actor.id,
                created_at=at,
                updated_at=at,
            )
            .returning(s.document.c.id)
        ).scalar_one()
        sections = [Section(key=SUMMARY_KEY, title="Summary", narrative=fields.summary)]
        _write_version(conn, int(document_id), 1, sections, actor=actor, note=None, at=at)
        doc = _load(conn, int(document_id), listing="VLRs")
        _log(
            conn,
            doc,
            actor,
            "register",
            at=at,
            version=1,
            to_status="published",
            details={"title": fields.title, "area_code": fields.area_code},
        )
        if upload is not None:
            _store_attachment(conn, doc, actor, upload[0], upload[1], section_key=None, at=at)
        reindex(conn, doc)
        return _load(conn, doc.id, listing="VLRs")


def update_vlr_metadata(
    engine: Engine,
    actor: User,
    document_id: int,
    *,
    base_version: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
    **changes: Any,
) -> Document:
    """Change a VLR's metadata or summary: a new version (the summary section) and an
    ``edit`` event naming the changed keys; the VLR stays public and is re-indexed.

    ``changes`` are keys of :data:`CHANGEABLE`.  With ``base_version`` the change applies
    only if nobody changed the VLR since that version (``Conflict`` otherwise).  Moving a
    VLR to another city needs the right to register VLRs there too.
    """
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise DataError(
            f"cannot change {', '.join(unknown)} of a VLR; the changeable fields are "
            f"{', '.join(CHANGEABLE)}."
        )
    at = _now(now)
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True, listing="VLRs")
        if doc.kind != "vlr":
            raise NotFound(f"document {document_id} is a {doc.kind}, not a VLR.")
        permissions.require(actor, "vlr.edit", doc)
        if doc.status == "withdrawn":
            raise Conflict(f"VLR {doc.id} is withdrawn; it cannot be changed.")
        if base_version is not None and base_version != doc.current_version:
            raise Conflict(
                f"VLR {doc.id} was changed meanwhile (version {doc.current_version}, your "
                f"change is based on {base_version}); reload it and change it again."
            )
        if "area_code" in changes and changes["area_code"] != doc.area_code:
            permissions.require(actor, "vlr.create", area_code=changes["area_code"])
        sections = _sections(conn, doc.id, doc.current_version)
        summary_section = next((sec for sec in sections if sec.key == SUMMARY_KEY), None)
        current: dict[str, Any] = {
            "title": doc.title,
            "country_code": doc.country_code,
            "area_code": doc.area_code,
            "year": doc.year,
            "summary": summary_section.narrative if summary_section else "",
            **{k: doc.metadata.get(k) for k in ("government", "level", "linked_vnr",
                                                "source_url", "feeds_report_id")},
            "languages": list(doc.metadata.get("languages") or [doc.language]),
            "sdgs": list(doc.metadata.get("sdgs") or []),
        }  # fmt: skip
        fields, problems = validate({**current, **changes}, at)
        if fields is None:
            raise InvalidVLR(problems)
        problems = check_in_store(conn, fields)
        if problems:
            raise InvalidVLR(problems)
        after = {
            "title": fields.title, "country_code": fields.country_code,
            "area_code": fields.area_code, "year": fields.year, "summary": fields.summary,
            **fields.metadata(),
        }  # fmt: skip
        changed = sorted(k for k in after if after[k] != current.get(k))
        if not changed:
            return doc
        number = doc.current_version + 1
        new_sections = [
            Section(
                key=SUMMARY_KEY,
                title=summary_section.title if summary_section else "Summary",
                narrative=fields.summary,
            )
        ] + [sec for sec in sections if sec.key != SUMMARY_KEY]
        _write_version(conn, doc.id, number, new_sections, actor=actor, note=note, at=at)
        moved = conn.execute(
            update(s.document)
            .where(s.document.c.id == doc.id, s.document.c.current_version == doc.current_version)
            .values(
                title=fields.title,
                country_code=fields.country_code,
                area_code=fields.area_code,
                year=fields.year,
                language=fields.languages[0],
                metadata={**doc.metadata, **fields.metadata()},
                current_version=number,
                published_version=number,
                updated_at=at,
            )
        ).rowcount
        if moved != 1:
            raise Conflict(f"VLR {doc.id} was changed meanwhile; reload it and change it again.")
        updated = _load(conn, doc.id, listing="VLRs")
        _log(
            conn,
            updated,
            actor,
            "edit",
            at=at,
            version=number,
            details={"changed": changed, **({"note": note} if note else {})},
        )
        reindex(conn, updated)
        return updated


#: The name the API codes against.
update_vlr = update_vlr_metadata


def withdraw_vlr(
    engine: Engine,
    actor: User,
    document_id: int,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> Document:
    """Withdraw a VLR: status ``withdrawn`` (nothing is deleted: its versions and files
    stay, for the audit log), its passages leave the search index, an event says who."""
    at = _now(now)
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True, listing="VLRs")
        if doc.kind != "vlr":
            raise NotFound(f"document {document_id} is a {doc.kind}, not a VLR.")
        permissions.require(actor, "vlr.withdraw", doc)
        if doc.status == "withdrawn":
            raise Conflict(f"VLR {doc.id} is already withdrawn.")
        moved = conn.execute(
            update(s.document)
            .where(s.document.c.id == doc.id, s.document.c.status == doc.status)
            .values(status="withdrawn", updated_at=at)
        ).rowcount
        if moved != 1:
            raise Conflict(f"VLR {doc.id} changed meanwhile; reload it and try again.")
        _log(
            conn,
            doc,
            actor,
            "withdraw",
            at=at,
            version=doc.current_version,
            from_status=doc.status,
            to_status="withdrawn",
            details={"note": note} if note else {},
        )
        search.remove_document(conn, doc.id)
        return _load(conn, doc.id, listing="VLRs")
