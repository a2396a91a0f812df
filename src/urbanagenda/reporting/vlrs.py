"""The Voluntary Local Review registry: metadata, files (PDF/DOCX, checked and their text
extracted), links to the city's data and to the national report the VLR feeds.  A VLR is
public when registered (it is already a published document of its government); it can be
edited (new version of its metadata) and withdrawn.  OWNER: uploads helper.

Attachments of every kind of document live here too (:func:`add_attachment`): a national
report's while it is a draft or returned, a VLR's or a reference document's while it is not
withdrawn.  A public document (a VLR, a reference document) is re-indexed for search when a
file is added, so the file's passages are found at once; a national report's files are
indexed with the report when it is published (:func:`attachment_passages`).

Every change writes a ``document_event`` in the same transaction as the change: the VLR, its
file, its passages and its audit line are stored together or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.engine import Row

from urbanagenda.errors import DataError
from urbanagenda.reporting import documents, permissions, search, text
from urbanagenda.reporting.documents import Conflict, NotFound
from urbanagenda.reporting.extract import ExtractedText, extract_text, split_passages
from urbanagenda.reporting.model import (
    EDITABLE_STATUSES,
    Attachment,
    Document,
    PassageIn,
    Section,
    User,
    Version,
)
from urbanagenda.reporting.uploads import CheckedUpload, check_upload
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

LEVELS: tuple[str, ...] = ("local", "regional")
FIRST_YEAR = 2015  # the 2030 Agenda; VLRs begin with it
MAX_TITLE_CHARS = 300
MAX_GOVERNMENT_CHARS = 300
MAX_VNR_CHARS = 500
MAX_URL_CHARS = 2_000
MAX_SUMMARY_CHARS = 100_000
SUMMARY_KEY = "summary"

#: ISO 639-1 two-letter language codes (the 183 current ones).
_ISO_639_1_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu"""
ISO_639_1: frozenset[str] = frozenset(_ISO_639_1_CODES.split())

#: The metadata keys of a VLR that :func:`update_vlr_metadata` may change.
CHANGEABLE: tuple[str, ...] = (
    "title", "government", "level", "country_code", "area_code", "year", "languages", "sdgs",
    "linked_vnr", "source_url", "feeds_report_id", "summary",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    problem: str
    fix: str


class InvalidVLR(DataError):
    """The VLR's metadata has problems (every one is listed); nothing was stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = [f"{p.where}: {p.problem}; {p.fix}" for p in self.problems]
        n = len(lines)
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} with the Voluntary Local Review; nothing was "
            "stored.\n" + "\n".join(f"- {line}" for line in lines)
        )


# -- validation ------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _text_field(
    problems: list[Problem], value: Any, where: str, limit: int, *, required: bool
) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(where, "is missing", f"write the {where}"))
        return None
    if not isinstance(value, str):
        problems.append(Problem(where, f"must be text, got {type(value).__name__}", "send text"))
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in value:
        problems.append(Problem(where, "contains a NUL character", "remove it"))
        return None
    if len(value) > limit:
        problems.append(
            Problem(where, f"has {len(value):,} characters", f"shorten it to at most {limit:,}")
        )
        return None
    return value if where == "summary" else value.strip()  # Markdown keeps its indentation


def _languages(problems: list[Problem], languages: Any) -> tuple[str, ...]:
    if isinstance(languages, str) or not isinstance(languages, Sequence) or not languages:
        problems.append(
            Problem("languages", "no language given", "list the languages as ISO 639-1 codes")
        )
        return ()
    out: list[str] = []
    for raw in languages:
        code = str(raw).strip().lower()
        if code not in ISO_639_1:
            problems.append(
                Problem(
                    "languages",
                    f"{raw!r} is not an ISO 639-1 language code",
                    "use two-letter codes such as en, fr, es, zh, ar, ru, pt",
                )
            )
        elif code not in out:
            out.append(code)
    return tuple(out)


def _sdgs(problems: list[Problem], sdgs: Any) -> tuple[int, ...]:
    if isinstance(sdgs, str) or not isinstance(sdgs, Sequence):
        problems.append(Problem("sdgs", "is not a list", "list the Goals reviewed, e.g. [6, 11]"))
        return ()
    out: set[int] = set()
    for raw in sdgs:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            goal = None
        else:
            try:
                goal = int(raw)
            except ValueError:
                goal = None
        if goal is None or not 1 <= goal <= 17:
            problems.append(
                Problem("sdgs", f"{raw!r} is not a Sustainable Development Goal", "use 1 to 17")
            )
        else:
            out.add(goal)
    return tuple(sorted(out))


def _year(problems: list[Problem], year: Any, at: datetime) -> int | None:
    last = at.year + 1
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        problems.append(
            Problem("year", f"{year!r} is not a year of a VLR", f"use {FIRST_YEAR} to {last}")
        )
        return None
    return year


def _url(problems: list[Problem], url: Any) -> str | None:
    value = _text_field(problems, url, "source_url", MAX_URL_CHARS, required=False)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        problems.append(
            Problem(
                "source_url",
                f"{value!r} is not an http(s) address",
                "give the address where the government publishes the VLR, starting with https://",
            )
        )
        return None
    return value


@dataclass(frozen=True, slots=True)
class _Fields:
    title: str
    government: str
    level: str
    country_code: str
    area_code: str | None
    year: int
    languages: tuple[str, ...]
    sdgs: tuple[int, ...]
    linked_vnr: str | None
    source_url: str | None
    feeds_report_id: int | None
    summary: str

    def metadata(self) -> dict[str, Any]:
        return {
            "government": self.government,
            "level": self.level,
            "languages": list(self.languages),
            "sdgs": list(self.sdgs),
            "linked_vnr": self.linked_vnr,
            "source_url": self.source_url,
            "feeds_report_id": self.feeds_report_id,
        }


def _validate(values: Mapping[str, Any], at: datetime) -> tuple[_Fields | None, list[Problem]]:
    """Every problem of the metadata that needs no database."""
    problems: list[Problem] = []
    title = _text_field(problems, values["title"], "title", MAX_TITLE_CHARS, required=True)
    government = _text_field(
        problems, values["government"], "government", MAX_GOVERNMENT_CHARS, required=True
    )
    level = values["level"]
    if level not in LEVELS:
        problems.append(Problem("level", f"{level!r} is not a level", "use local or regional"))
    country = values["country_code"]
    if not isinstance(country, str) or not country.strip():
        problems.append(Problem("country_code", "is missing", "give the country's M49 code"))
    area = values["area_code"]
    if area is not None and (not isinstance(area, str) or not area.strip()):
        area = None
    year = _year(problems, values["year"], at)
    languages = _languages(problems, values["languages"])
    sdgs = _sdgs(problems, values["sdgs"])
    vnr = _text_field(problems, values["linked_vnr"], "linked_vnr", MAX_VNR_CHARS, required=False)
    url = _url(problems, values["source_url"])
    feeds = values["feeds_report_id"]
    if feeds is not None and (isinstance(feeds, bool) or not isinstance(feeds, int)):
        problems.append(Problem("feeds_report_id", f"{feeds!r} is not a report id", "give an id"))
        feeds = None
    summary = _text_field(problems, values["summary"], "summary", MAX_SUMMARY_CHARS, required=False)
    if problems:
        return None, problems
    assert title and government and year is not None  # checked above
    return (
        _Fields(
            title=title,
            government=government,
            level=str(level),
            country_code=str(country).strip(),
            area_code=area.strip() if isinstance(area, str) else None,
            year=year,
            languages=languages,
            sdgs=sdgs,
            linked_vnr=vnr,
            source_url=url,
            feeds_report_id=feeds,
            summary=summary or "",
        ),
        problems,
    )


def _check_in_store(conn: Connection, fields: _Fields) -> list[Problem]:
    """The problems only the database can tell: the country, the city, the national report."""
    problems: list[Problem] = []
    country = conn.execute(
        select(s.area.c.kind, s.area.c.name).where(s.area.c.code == fields.country_code)
    ).first()
    if country is None or country.kind != "country":
        problems.append(
            Problem(
                "country_code",
                f"{fields.country_code!r} is not a country of the store",
                "use the country's M49 code (404 for Kenya; `urbanagenda areas --kind country`)",
            )
        )
    if fields.area_code is not None:
        area = conn.execute(
            select(s.area.c.kind, s.area.c.country_code, s.area.c.name).where(
                s.area.c.code == fields.area_code
            )
        ).first()
        if area is None:
            problems.append(
                Problem(
                    "area_code",
                    f"{fields.area_code!r} is not a city or area of the store",
                    "use the city's code (ke_nairobi; `urbanagenda areas --kind city`) or none",
                )
            )
        elif country is not None and area.country_code != fields.country_code:
            problems.append(
                Problem(
                    "area_code",
                    f"{area.name} ({fields.area_code}) is not in country {fields.country_code} "
                    f"({country.name}); it is in {area.country_code}",
                    "give the city's own country, or the city of this country",
                )
            )
    if fields.feeds_report_id is not None:
        report = conn.execute(
            select(s.document.c.kind, s.document.c.country_code).where(
                s.document.c.id == fields.feeds_report_id
            )
        ).first()
        if report is None or report.kind != "national_report":
            problems.append(
                Problem(
                    "feeds_report_id",
                    f"there is no national report {fields.feeds_report_id}",
                    "give the id of the national report this VLR feeds, or none",
                )
            )
        elif report.country_code != fields.country_code:
            problems.append(
                Problem(
                    "feeds_report_id",
                    f"national report {fields.feeds_report_id} is a report of country "
                    f"{report.country_code}, not {fields.country_code}",
                    "a VLR feeds the national report of its own country",
                )
            )
    return problems


# -- rows ------------------------------------------------------------------------------------


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _load(conn: Connection, document_id: int, *, lock: bool = False) -> Document:
    stmt = select(s.document).where(s.document.c.id == document_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(f"no document {document_id}; list the VLRs with GET /api/v1/vlrs.")
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


def _sections(conn: Connection, document_id: int, number: int) -> list[Section]:
    content = conn.execute(
        select(s.document_version.c.content).where(
            s.document_version.c.document_id == document_id,
            s.document_version.c.number == number,
        )
    ).scalar_one()
    return [Section.from_dict(x) for x in (content or {}).get("sections") or ()]


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
            content_sha256=documents.content_sha256(sections),
            note=note,
            created_by=actor.id,
            created_at=at,
        )
    )


def _event(
    conn: Connection,
    doc: Document,
    actor: User,
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
            actor_id=actor.id,
            action=action,
            from_status=from_status,
            to_status=to_status,
            at=at,
            details=details or {},
        )
    )


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
        for p in documents.passages_of(document, version)
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
    _event(
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
        _require_attach(actor, _load(conn, document_id))
    checked = check_upload(filename, data)
    extracted = extract_text(checked)
    at = _now(now)
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True)
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
    fields, problems = _validate(values, at)
    if fields is None:
        raise InvalidVLR(problems)
    upload = None
    if file is not None:
        checked = check_upload(file[0], file[1])
        upload = (checked, extract_text(checked))
    with engine.begin() as conn:
        problems = _check_in_store(conn, fields)
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
        doc = _load(conn, int(document_id))
        _event(
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
        return _load(conn, doc.id)


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
        doc = _load(conn, document_id, lock=True)
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
        fields, problems = _validate({**current, **changes}, at)
        if fields is None:
            raise InvalidVLR(problems)
        problems = _check_in_store(conn, fields)
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
        updated = _load(conn, doc.id)
        _event(
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
        doc = _load(conn, document_id, lock=True)
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
        _event(
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
        return _load(conn, doc.id)
