"""National reports: creation, immutable versions, the review workflow, comments, the audit
log and diffs.  Every change writes a new version and an event in one transaction; nothing
is ever updated in place or deleted (withdrawal is a status).

Workflow (``transition`` actions):

    draft --submit--> submitted --start_review--> in_review --return--> returned
    returned --submit--> submitted;  in_review --publish--> published
    draft|returned|published --withdraw--> withdrawn

Publishing indexes the published version's passages for search
(:func:`urbanagenda.reporting.search.replace_passages`); withdrawing removes them.

Concurrency: a save names the version it was based on, and the document's
``current_version`` is moved with a compare-and-set (``WHERE current_version = base``), so of
two people saving on the same version one wins and the other gets :class:`Conflict` with
nothing written; workflow steps are guarded the same way on ``status``.
OWNER: documents helper.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from urbanagenda.errors import DataError, UrbanAgendaError
from urbanagenda.reporting import permissions, search
from urbanagenda.reporting.model import (
    EDITABLE_STATUSES,
    MODALITIES,
    Comment,
    Document,
    Event,
    PassageIn,
    Section,
    User,
    Version,
)
from urbanagenda.reporting.template import CURRENT_TEMPLATE, load_template
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
MAX_NOTE_CHARS = 5_000
MAX_COMMENT_CHARS = 20_000
MAX_GOOD_PRACTICES = 50
MAX_GOOD_PRACTICE_CHARS = 20_000
MAX_INDICATORS = 60
#: Observations are frozen from the totals (sex, age ``_T``, no breakdown); for location the
#: total is preferred, then urban (slum shares exist for urban areas only), then city.
LOCATION_PREFERENCE: tuple[str, ...] = ("_T", "U", "CITY")


class NotFound(UrbanAgendaError):
    """No such document, version or section (HTTP 404)."""


class Conflict(UrbanAgendaError):
    """The change does not fit the document's state: a save based on an older version, or
    a workflow step not allowed from the current status (HTTP 409)."""


@dataclass(frozen=True, slots=True)
class SectionDiff:
    key: str
    title: str
    changed: bool
    #: ``[(op, text)]`` with op in ``"equal" | "insert" | "delete"``, word-level
    narrative: tuple[tuple[str, str], ...]
    indicators_before: tuple[dict[str, Any], ...] = ()
    indicators_after: tuple[dict[str, Any], ...] = ()
    good_practices_before: tuple[dict[str, Any], ...] = ()
    good_practices_after: tuple[dict[str, Any], ...] = ()


class _Unchecked(Enum):
    """``viewer`` left out: a call from inside the platform, which has checked already."""

    TOKEN = 0


_UNCHECKED = _Unchecked.TOKEN

# -- workflow: action -> (statuses it starts from, status it leads to, permission) ---------
_TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": (("draft", "returned"), "submitted", "report.submit"),
    "start_review": (("submitted",), "in_review", "report.review"),
    "return": (("in_review",), "returned", "report.review"),
    "publish": (("in_review",), "published", "report.review"),
    "withdraw": (("draft", "returned", "published"), "withdrawn", "report.withdraw"),
}


# ------------------------------------------------------------------------------ helpers


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


def _load(conn: Connection, document_id: int, *, lock: bool = False) -> Document:
    stmt = select(s.document).where(s.document.c.id == document_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(f"no document {document_id}; list the reports with GET /api/v1/reports.")
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


# --------------------------------------------------------------------------- indicators


def freeze_indicator(conn: Connection, series_code: str, area_code: str) -> dict[str, Any] | None:
    """The latest observation of a series for an area, as the frozen record a version keeps
    (``None`` when the store has none).  Totals only; see :data:`LOCATION_PREFERENCE`."""
    o = s.observation.c
    rows = conn.execute(
        select(o.year, o.value, o.unit, o.source, o.location).where(
            o.series_code == series_code,
            o.area_code == area_code,
            o.sex == "_T",
            o.age == "_T",
            o.breakdown == "",
        )
    ).all()
    if not rows:
        return None

    def rank(r: Any) -> tuple[int, int]:
        loc = r.location
        pref = LOCATION_PREFERENCE.index(loc) if loc in LOCATION_PREFERENCE else 9
        return (pref, -int(r.year))

    best = min(rows, key=rank)
    name = conn.execute(select(s.series.c.name).where(s.series.c.code == series_code)).scalar()
    return {
        "series": series_code,
        "area": area_code,
        "year": int(best.year),
        "value": float(best.value),
        "unit": best.unit,
        "source": best.source,
        "label": name or series_code,
        "location": best.location,
    }


def _freeze_all(conn: Connection, codes: Sequence[str], area: str) -> tuple[dict[str, Any], ...]:
    if len(codes) > MAX_INDICATORS:
        raise DataError(f"{len(codes)} indicator series; at most {MAX_INDICATORS} per section.")
    wanted = list(dict.fromkeys(str(c).strip().upper() for c in codes))
    known = set(conn.execute(select(s.series.c.code).where(s.series.c.code.in_(wanted))).scalars())
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise DataError(
            f"unknown indicator series {', '.join(unknown)}; use series codes of the "
            "catalogue (EN_LND_SLUM, SP_TRN_PUBL, ...; `urbanagenda series`)."
        )
    frozen = []
    missing = []
    for code in wanted:
        record = freeze_indicator(conn, code, area)
        if record is None:
            missing.append(code)
        else:
            frozen.append(record)
    if missing:
        available = (
            conn.execute(
                select(s.observation.c.series_code)
                .where(s.observation.c.area_code == area)
                .distinct()
                .order_by(s.observation.c.series_code)
            )
            .scalars()
            .all()
        )
        raise DataError(
            f"the store has no value of {', '.join(missing)} for area {area}; load the data "
            "first or choose series that have values there: "
            f"{', '.join(available) or 'none yet'}."
        )
    return tuple(frozen)


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
            changes["indicators"] = _freeze_all(conn, list(indicator_series), area)
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


# ---------------------------------------------------------------------------- workflow


def transition(
    engine: Engine,
    actor: User,
    document_id: int,
    action: str,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> Document:
    """One workflow step (``submit``, ``start_review``, ``return``, ``publish``,
    ``withdraw``), checked against the actor's role and the current status."""
    if action not in _TRANSITIONS:
        raise DataError(
            f"unknown workflow step {action!r}; the steps are {', '.join(_TRANSITIONS)}."
        )
    note = _text(note, "the note", MAX_NOTE_CHARS)
    if note is not None and not note.strip():
        note = None
    sources, target, permission = _TRANSITIONS[action]
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True)
        permissions.require(actor, permission, doc)
        if doc.kind != "national_report":
            raise Conflict(
                f"document {doc.id} is a {doc.kind}; the review workflow is for national reports."
            )
        if doc.status not in sources:
            allowed = [a for a, (src, _t, _p) in _TRANSITIONS.items() if doc.status in src]
            raise Conflict(
                f"cannot {action.replace('_', ' ')} report {doc.id}: it is {doc.status}, and "
                f"{action} is possible only from {' or '.join(sources)}. From {doc.status} the "
                f"possible steps are: {', '.join(allowed) or 'none (a final state)'}."
            )
        if action == "return" and note is None:
            n_comments = conn.execute(
                select(func.count())
                .select_from(s.review_comment)
                .where(
                    s.review_comment.c.document_id == doc.id,
                    s.review_comment.c.version == doc.current_version,
                )
            ).scalar_one()
            if not n_comments:
                raise DataError(
                    f"returning report {doc.id} needs a reason: add a note, or comment on the "
                    "sections to change, then return it."
                )
        at = _now(now)
        values: dict[str, Any] = {"status": target, "updated_at": at}
        if action == "publish":
            values["published_version"] = doc.current_version
        moved = conn.execute(
            update(s.document)
            .where(s.document.c.id == doc.id, s.document.c.status == doc.status)
            .values(**values)
        ).rowcount
        if moved != 1:
            raise Conflict(f"report {doc.id} changed status meanwhile; reload it and try again.")
        _log(
            conn,
            doc,
            actor,
            action,
            at=at,
            version=doc.current_version,
            from_status=doc.status,
            to_status=target,
            details={"note": note} if note else {},
        )
        changed = _load(conn, doc.id)
        if action == "publish":
            version = _load_version(conn, doc.id, doc.current_version)
            search.replace_passages(
                conn, changed, passages_of(changed, version), version=version.number
            )
        elif action == "withdraw":
            search.remove_document(conn, doc.id)
        return changed


_MD_LINE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)+")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|`)")


def _plain_text(markdown: str) -> str:
    """Markdown paragraph → the words a reader sees (markers, link targets dropped)."""
    lines = [_MD_LINE.sub("", line) for line in markdown.split("\n")]
    text = _MD_EMPH.sub("", _MD_LINK.sub(r"\1", " ".join(lines)))
    return " ".join(text.split())


def passages_of(doc: Document, version: Version) -> list[PassageIn]:
    """The passages a published version contributes to search: one per paragraph of each
    section's narrative, and one per good practice, in the document's language."""
    out = []
    for sec in version.sections:
        for para in re.split(r"\n\s*\n", sec.narrative):
            text = _plain_text(para)
            if text:
                out.append(PassageIn(text=text, language=doc.language, section_key=sec.key))
        for gp in sec.good_practices:
            text = _plain_text(f"{gp.get('title', '')}. {gp.get('text', '')}".strip())
            if text:
                out.append(PassageIn(text=text, language=doc.language, section_key=sec.key))
    return out


# ---------------------------------------------------------------------------- comments


def add_comment(
    engine: Engine,
    actor: User,
    document_id: int,
    body: str,
    *,
    section_key: str | None = None,
    now: datetime | None = None,
) -> Comment:
    """A reviewer's comment on the current version (a section, or the whole report when
    ``section_key`` is None), while the report is in review."""
    clean = (_text(body, "the comment", MAX_COMMENT_CHARS, required=True) or "").strip()
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True)
        permissions.require(actor, "report.review", doc)
        if doc.status != "in_review":
            raise Conflict(
                f"report {doc.id} is {doc.status}; comments are written while it is in review "
                "(start the review first)."
            )
        if section_key is not None:
            current = _load_version(conn, doc.id, doc.current_version)
            if current.section(section_key) is None:
                raise NotFound(
                    f"report {doc.id} has no section {section_key!r}; its sections are "
                    f"{', '.join(sec.key for sec in current.sections)}."
                )
        at = _now(now)
        comment_id = conn.execute(
            insert(s.review_comment).values(
                document_id=doc.id,
                version=doc.current_version,
                section_key=section_key,
                author_id=actor.id,
                body=clean,
                created_at=at,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        _log(
            conn,
            doc,
            actor,
            "comment",
            at=at,
            version=doc.current_version,
            details={"comment_id": int(comment_id), "section": section_key},
        )
        return Comment(
            int(comment_id),
            doc.id,
            doc.current_version,
            section_key,
            actor.id,
            actor.username,
            clean,
            at,
        )


def comments(engine: Engine, document_id: int) -> list[Comment]:
    """Every review comment of the document, oldest first, with its author's username."""
    c = s.review_comment.c
    with engine.connect() as conn:
        _load(conn, document_id)
        rows = conn.execute(
            select(s.review_comment, s.app_user.c.username)
            .join(s.app_user, s.app_user.c.id == c.author_id)
            .where(c.document_id == document_id)
            .order_by(c.id)
        )
        return [_comment(r) for r in rows]


def _comment(r: Row[Any]) -> Comment:
    return Comment(
        id=r.id,
        document_id=r.document_id,
        version=r.version,
        section_key=r.section_key,
        author_id=r.author_id,
        author=r.username,
        body=r.body,
        created_at=_at(r.created_at),
    )


def audit_log(engine: Engine, document_id: int) -> list[Event]:
    """Who did what when, oldest first."""
    e = s.document_event.c
    with engine.connect() as conn:
        _load(conn, document_id)
        rows = conn.execute(
            select(s.document_event, s.app_user.c.username)
            .outerjoin(s.app_user, s.app_user.c.id == e.actor_id)
            .where(e.document_id == document_id)
            .order_by(e.id)
        )
        return [
            Event(
                r.id,
                r.document_id,
                r.version,
                r.actor_id,
                r.username,
                r.action,
                r.from_status,
                r.to_status,
                _at(r.at),
                dict(r.details or {}),
            )
            for r in rows
        ]


# ------------------------------------------------------------------------------- diffs

# Han, kana, Hangul and CJK punctuation are compared character by character (they are
# written without spaces); other text word by word; whitespace is kept as its own token so
# that the pieces join back into the texts.
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+|\s+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """``[(op, text)]`` turning ``before`` into ``after``, word by word (CJK: character by
    character); joining the ``equal`` and ``delete`` texts gives ``before``, the ``equal``
    and ``insert`` texts ``after``."""
    a, b = _tokens(before), _tokens(after)
    ops: list[tuple[str, str]] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1][0] == op:
            ops[-1] = (op, ops[-1][1] + text)
        else:
            ops.append((op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("equal", "".join(a[i1:i2]))
        else:
            push("delete", "".join(a[i1:i2]))
            push("insert", "".join(b[j1:j2]))
    return tuple(ops)


def diff_versions(
    engine: Engine, document_id: int, a: int, b: int, *, other_document_id: int | None = None
) -> list[SectionDiff]:
    """Section by section, version ``a`` → ``b`` of the document (or version ``a`` of
    ``other_document_id``, the previous report, → version ``b`` of this one).  Sections
    only in ``a`` come last, as removed."""
    with engine.connect() as conn:
        _load(conn, document_id)
        before = _load_version(conn, other_document_id or document_id, a)
        after = _load_version(conn, document_id, b)
    out = []
    for sec in after.sections:
        out.append(_section_diff(before.section(sec.key), sec))
    for gone in before.sections:
        if after.section(gone.key) is None:
            out.append(_section_diff(gone, None))
    return out


def _section_diff(old: Section | None, new: Section | None) -> SectionDiff:
    ref = new or old
    assert ref is not None
    old_text = old.narrative if old else ""
    new_text = new.narrative if new else ""
    ind_a = old.indicators if old else ()
    ind_b = new.indicators if new else ()
    gp_a = old.good_practices if old else ()
    gp_b = new.good_practices if new else ()
    changed = (
        old is None
        or new is None
        or old_text != new_text
        or ind_a != ind_b
        or gp_a != gp_b
        or old.attachments != new.attachments
    )
    return SectionDiff(
        key=ref.key,
        title=ref.title,
        changed=changed,
        narrative=word_diff(old_text, new_text),
        indicators_before=ind_a,
        indicators_after=ind_b,
        good_practices_before=gp_a,
        good_practices_after=gp_b,
    )
