"""National reports: creation, immutable versions and saving sections, and who may read
what.  Every change writes a new version and an event in one transaction; nothing is ever
updated in place or deleted (withdrawal is a status).

The review workflow, comments and the audit log are in :mod:`.workflow`, diffs in
:mod:`.diff`, frozen indicator values in :mod:`.indicators`, the rows all of them share in
:mod:`.records`; this module re-exports their public names, so ``documents.transition``,
``documents.diff_versions`` and the others keep working.

Concurrency: a save names the version it was based on, and the document's
``current_version`` is moved with a compare-and-set (``WHERE current_version = base``), so of
two people saving on the same version one wins and the other gets :class:`Conflict` with
nothing written; workflow steps are guarded the same way on ``status``.
OWNER: documents helper.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, or_, select, update

from urbanagenda.errors import DataError
from urbanagenda.reporting import permissions
from urbanagenda.reporting.diff import SectionDiff, diff_versions, word_diff
from urbanagenda.reporting.indicators import freeze_all, freeze_indicator
from urbanagenda.reporting.model import (
    EDITABLE_STATUSES,
    MODALITIES,
    Document,
    Section,
    User,
    Version,
)
from urbanagenda.reporting.records import (
    MAX_NOTE_CHARS,
    Conflict,
    NotFound,
    _document,
    _load,
    _load_version,
    _log,
    _now,
    _text,
    _version,
    _write_version,
    content_sha256,
)
from urbanagenda.reporting.template import CURRENT_TEMPLATE, load_template
from urbanagenda.reporting.workflow import (
    add_comment,
    audit_log,
    comments,
    passages_of,
    transition,
)
from urbanagenda.store import schema as s

__all__ = [
    "LANGUAGES",
    "MAX_NARRATIVE_CHARS",
    "Conflict",
    "NotFound",
    "SectionDiff",
    "add_comment",
    "audit_log",
    "can_read",
    "comments",
    "content_sha256",
    "create_report",
    "create_report_in",
    "diff_versions",
    "freeze_indicator",
    "get_document",
    "get_version",
    "list_documents",
    "list_versions",
    "passages_of",
    "save_section",
    "transition",
    "word_diff",
]

#: The languages a report may be written in (the six official languages of the UN).
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "zh", "ar", "ru")
#: The longest narrative of one section (a long chapter; a whole VNR does not belong there).
MAX_NARRATIVE_CHARS = 100_000
MAX_TITLE_CHARS = 300
MAX_GOOD_PRACTICES = 50
MAX_GOOD_PRACTICE_CHARS = 20_000


class _Unchecked(Enum):
    """``viewer`` left out: a call from inside the platform, which has checked already."""

    TOKEN = 0


_UNCHECKED = _Unchecked.TOKEN


# ------------------------------------------------------------------------- visibility


def can_read(viewer: User | None, doc: Document) -> bool:
    """Published documents are public; the others only for those ``permissions`` lets read
    them (reviewers, administrators, the focal point of the document's country or city)."""
    if doc.status == "published":
        return True
    action = "report.read" if doc.kind == "national_report" else f"{doc.kind}.edit"
    if action not in permissions.ACTIONS:
        action = "users.manage"  # reference documents: administrators only
    return permissions.can(viewer, action, doc)


def _require_read(viewer: User | None, doc: Document) -> None:
    if can_read(viewer, doc):
        return
    action = "report.read" if doc.kind == "national_report" else "vlr.edit"
    if doc.kind == "reference":
        action = "reference.create"
    permissions.require(viewer, action, doc)


def _visible(viewer: User | None) -> Any:
    """The SQL condition matching :func:`can_read` (so lists and pages agree)."""
    d = s.document.c
    published = d.status == "published"
    if viewer is None or not viewer.active:
        return published
    if viewer.role == "administrator":
        return d.id.is_not(None)
    if viewer.role == "reviewer":
        return or_(published, d.kind == "national_report")
    if viewer.role == "national_focal_point" and viewer.area_code:
        return or_(published, and_(d.kind == "national_report", d.country_code == viewer.area_code))
    if viewer.role == "local_focal_point" and viewer.area_code:
        return or_(published, and_(d.kind == "vlr", d.area_code == viewer.area_code))
    return published


# ----------------------------------------------------------------------------- reading


def get_document(
    engine: Engine, document_id: int, *, viewer: User | _Unchecked | None = _UNCHECKED
) -> Document:
    """The document; with ``viewer`` (``None``: a public visitor) only when they may read it
    (``Unauthenticated`` / ``Forbidden`` otherwise)."""
    with engine.connect() as conn:
        doc = _load(conn, document_id)
    if not isinstance(viewer, _Unchecked):
        _require_read(viewer, doc)
    return doc


def list_documents(
    engine: Engine,
    *,
    viewer: User | None = None,
    kind: str | None = None,
    status: str | None = None,
    country_code: str | None = None,
    area_code: str | None = None,
    year: int | None = None,
) -> list[Document]:
    """Documents ``viewer`` may see (public: published only; see ``permissions``), newest
    first."""
    d = s.document.c
    stmt = select(s.document).where(_visible(viewer))
    if kind is not None:
        stmt = stmt.where(d.kind == kind)
    if status is not None:
        stmt = stmt.where(d.status == status)
    if country_code is not None:
        stmt = stmt.where(d.country_code == country_code)
    if area_code is not None:
        stmt = stmt.where(d.area_code == area_code)
    if year is not None:
        stmt = stmt.where(d.year == year)
    stmt = stmt.order_by(d.year.desc().nulls_last(), d.id.desc())
    with engine.connect() as conn:
        return [_document(r) for r in conn.execute(stmt)]


def get_version(
    engine: Engine,
    document_id: int,
    number: int | None = None,
    *,
    viewer: User | _Unchecked | None = _UNCHECKED,
) -> Version:
    """A version (default: the current one).  A viewer who may not read drafts sees only
    the published version."""
    with engine.connect() as conn:
        doc = _load(conn, document_id)
        if not isinstance(viewer, _Unchecked):
            _require_read(viewer, doc)
            if not _reads_drafts(viewer, doc):
                if number is None:
                    number = doc.published_version
                if number != doc.published_version:
                    raise NotFound(
                        f"document {document_id}: only the published version "
                        f"({doc.published_version}) is public."
                    )
        return _load_version(conn, document_id, doc.current_version if number is None else number)


def _reads_drafts(viewer: User | None, doc: Document) -> bool:
    if doc.kind != "national_report":
        return True  # VLR and reference versions are their public metadata
    return permissions.can(viewer, "report.read", doc)


def list_versions(engine: Engine, document_id: int) -> list[Version]:
    with engine.connect() as conn:
        _load(conn, document_id)
        rows = conn.execute(
            select(s.document_version)
            .where(s.document_version.c.document_id == document_id)
            .order_by(s.document_version.c.number)
        )
        return [_version(r) for r in rows]


# ---------------------------------------------------------------------------- creating


def _check_country(conn: Connection, country_code: str) -> None:
    row = conn.execute(select(s.area.c.kind).where(s.area.c.code == country_code)).first()
    if row is None or row.kind != "country":
        raise DataError(
            f"{country_code!r} is not a country of the store; a national report needs the "
            "country's M49 code (566 for Nigeria; `urbanagenda areas --kind country`)."
        )


def _check_sections(sections: Sequence[Section]) -> None:
    keys = [sec.key for sec in sections]
    if not keys:
        raise DataError("a report needs at least one section.")
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise DataError(f"section key(s) {', '.join(dupes)} appear twice; keys are unique.")
    for sec in sections:
        _text(sec.narrative, f"the narrative of section {sec.key!r}", MAX_NARRATIVE_CHARS)


def create_report_in(
    conn: Connection,
    actor: User,
    *,
    country_code: str,
    year: int,
    title: str,
    modality: str = "new",
    language: str = "en",
    sections: Sequence[Section] | None = None,
    previous_document_id: int | None = None,
    metadata: dict[str, Any] | None = None,
    is_example: bool = False,
    now: datetime | None = None,
) -> Document:
    """:func:`create_report` inside the caller's transaction (the modalities add the
    source file in the same one)."""
    permissions.require(actor, "report.create", country_code=country_code)
    if modality not in MODALITIES:
        raise DataError(
            f"unknown modality {modality!r}; the modalities are {', '.join(MODALITIES)}."
        )
    if language not in LANGUAGES:
        raise DataError(f"unknown language {language!r}; write reports in {', '.join(LANGUAGES)}.")
    if not isinstance(year, int) or not 2016 <= year <= 2100:
        raise DataError(f"year {year!r}: expected the reporting year, 2016 (Habitat III) or later.")
    clean_title = (_text(title, "the title", MAX_TITLE_CHARS, required=True) or "").strip()
    template = load_template()
    if sections is None:
        sections = [Section(key=t.key, title=t.title) for t in template.sections]
    sections = list(sections)
    _check_sections(sections)
    _check_country(conn, country_code)
    if previous_document_id is not None:
        prev = _load(conn, previous_document_id)
        if prev.kind != "national_report" or prev.country_code != country_code:
            raise DataError(
                f"document {previous_document_id} is not a national report of {country_code}; "
                "an update follows the same country's previous report."
            )
    at = _now(now)
    new_id = conn.execute(
        insert(s.document).values(
            kind="national_report",
            title=clean_title,
            country_code=country_code,
            area_code=None,
            year=year,
            language=language,
            status="draft",
            modality=modality,
            template_version=template.version if template.version else CURRENT_TEMPLATE,
            previous_document_id=previous_document_id,
            current_version=1,
            published_version=None,
            metadata=dict(metadata or {}),
            is_example=is_example,
            created_by=actor.id,
            created_at=at,
            updated_at=at,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    doc = _load(conn, int(new_id))
    _write_version(conn, doc.id, 1, sections, actor=actor, note=None, at=at)
    _log(
        conn,
        doc,
        actor,
        "create",
        at=at,
        version=1,
        to_status="draft",
        details={
            "modality": modality,
            "title": clean_title,
            "language": language,
            "previous_document_id": previous_document_id,
        },
    )
    return doc


def create_report(
    engine: Engine,
    actor: User,
    *,
    country_code: str,
    year: int,
    title: str,
    modality: str = "new",
    language: str = "en",
    sections: Sequence[Section] | None = None,
    previous_document_id: int | None = None,
    metadata: dict[str, Any] | None = None,
    is_example: bool = False,
    now: datetime | None = None,
) -> Document:
    """A new national report in draft, version 1 = ``sections`` or the template's empty
    sections.  (``reporting.modalities`` builds pre-filled ``sections``.)"""
    with engine.begin() as conn:
        return create_report_in(
            conn,
            actor,
            country_code=country_code,
            year=year,
            title=title,
            modality=modality,
            language=language,
            sections=sections,
            previous_document_id=previous_document_id,
            metadata=metadata,
            is_example=is_example,
            now=now,
        )


# ------------------------------------------------------------------------------ saving


def _good_practices(items: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    if len(items) > MAX_GOOD_PRACTICES:
        raise DataError(f"{len(items)} good practices; at most {MAX_GOOD_PRACTICES} per section.")
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise DataError(f"good practice {i}: expected {{'title': ..., 'text': ...}}.")
        extra = set(item) - {"title", "text"}
        if extra:
            raise DataError(f"good practice {i}: unknown field(s) {', '.join(sorted(extra))}.")
        title = _text(
            item.get("title"), f"the title of good practice {i}", MAX_TITLE_CHARS, required=True
        )
        text = _text(
            item.get("text", ""), f"the text of good practice {i}", MAX_GOOD_PRACTICE_CHARS
        )
        out.append({"title": (title or "").strip(), "text": text or ""})
    return tuple(out)


def _check_attachments(conn: Connection, document_id: int, ids: Sequence[int]) -> tuple[int, ...]:
    wanted = list(dict.fromkeys(int(i) for i in ids))
    found = set(
        conn.execute(
            select(s.attachment.c.id).where(
                s.attachment.c.document_id == document_id, s.attachment.c.id.in_(wanted)
            )
        ).scalars()
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise DataError(
            f"attachment(s) {', '.join(map(str, missing))} do not belong to document "
            f"{document_id}; upload the file to this report first."
        )
    return tuple(wanted)


def save_section(
    engine: Engine,
    actor: User,
    document_id: int,
    section_key: str,
    *,
    base_version: int,
    narrative: str | None = None,
    good_practices: Sequence[dict[str, Any]] | None = None,
    indicator_series: Sequence[str] | None = None,
    attachments: Sequence[int] | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Version:
    """Write a new version with one section changed.  ``Conflict`` when ``base_version`` is
    not the current version (someone saved in between: nothing is overwritten).
    ``indicator_series`` are frozen from the store (latest value for the document's area).
    A save that changes nothing writes nothing and returns the current version."""
    note = _text(note, "the note", MAX_NOTE_CHARS)
    narrative = _text(narrative, f"the narrative of section {section_key!r}", MAX_NARRATIVE_CHARS)
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True)
        permissions.require(actor, "report.edit", doc)
        if doc.kind != "national_report":
            raise Conflict(
                f"document {doc.id} is a {doc.kind}; only national reports have sections to edit."
            )
        if doc.status not in EDITABLE_STATUSES:
            raise Conflict(
                f"report {doc.id} is {doc.status}; sections can be edited only when it is "
                f"{' or '.join(EDITABLE_STATUSES)}."
            )
        if base_version != doc.current_version:
            raise Conflict(
                f"your edit of section {section_key!r} is based on version {base_version}, but "
                f"report {doc.id} is now at version {doc.current_version} (saved at "
                f"{doc.updated_at:%Y-%m-%d %H:%M} UTC). Nothing was overwritten: reload the "
                "report, merge your text into the current version and save again."
            )
        current = _load_version(conn, doc.id, doc.current_version)
        old = current.section(section_key)
        if old is None:
            raise NotFound(
                f"report {doc.id} has no section {section_key!r}; its sections are "
                f"{', '.join(sec.key for sec in current.sections)}."
            )
        changes: dict[str, Any] = {}
        if narrative is not None:
            changes["narrative"] = narrative
        if good_practices is not None:
            changes["good_practices"] = _good_practices(list(good_practices))
        if indicator_series is not None:
            area = doc.area_code or doc.country_code or ""
            changes["indicators"] = freeze_all(conn, list(indicator_series), area)
        if attachments is not None:
            changes["attachments"] = _check_attachments(conn, doc.id, list(attachments))
        new = Section.from_dict({**old.as_dict(), **{k: _plain(v) for k, v in changes.items()}})
        if new == old:
            return current
        fields = [
            k
            for k in ("narrative", "good_practices", "indicators", "attachments")
            if getattr(new, k) != getattr(old, k)
        ]
        sections = [new if sec.key == section_key else sec for sec in current.sections]
        at = _now(now)
        number = doc.current_version + 1
        moved = conn.execute(
            update(s.document)
            .where(s.document.c.id == doc.id, s.document.c.current_version == base_version)
            .values(current_version=number, updated_at=at)
        ).rowcount
        if moved != 1:
            raise Conflict(
                f"report {doc.id} changed while you were saving; reload it and save again."
            )
        version = _write_version(conn, doc.id, number, sections, actor=actor, note=note, at=at)
        details: dict[str, Any] = {"section": section_key, "fields": fields}
        if note:
            details["note"] = note
        if "indicators" in fields:
            details["indicators"] = [i["series"] for i in new.indicators]
        _log(
            conn,
            doc,
            actor,
            "edit",
            at=at,
            version=number,
            from_status=doc.status,
            to_status=doc.status,
            details=details,
        )
        return version


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value
