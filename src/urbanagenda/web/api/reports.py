"""``/api/v1/reports``, the reads: national New Urban Agenda reports, their versions, diffs,
comments and audit log; ``/api/v1/attachments/{id}`` downloads a file.  The writes are
:mod:`.report_writes`.

Who may read what is :mod:`urbanagenda.reporting.permissions`.  Public visitors read
published reports only; what they read may be cached (keyed on
``WebStore.cache_version()``, which changes with every document event); what a signed-in
user reads is ``private, no-store``.  The shared helpers are :mod:`._reporting`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.reporting import documents, markdown, permissions, vlrs
from urbanagenda.reporting.model import Comment, Document, Event, Section, User, Version
from urbanagenda.web import auth
from urbanagenda.web.api._reporting import (
    READ_ERRORS,
    AttachmentOut,
    DocumentOut,
    answer,
    attachment_json,
    country_code,
    data_model,
    document_json,
    engine_of,
    public_or_private,
    require_read,
)
from urbanagenda.web.api.common import json_body, page_meta
from urbanagenda.web.errors import ApiError

__all__ = [
    "PAGE_LANGS",
    "REPORT_ID",
    "comment_json",
    "national_report",
    "router",
    "version_json",
]

router = APIRouter(tags=["reports"])

_BASE = "/api/v1"
#: The languages of the pages (a report in another language links to its English page).
PAGE_LANGS = ("ar", "zh", "en", "fr", "ru", "es")


# -- shapes (OpenAPI) ----------------------------------------------------------------------------


class SectionOut(BaseModel):
    key: str = Field(examples=["social_inclusion"])
    title: str
    narrative: str = Field(description="Markdown, as written")
    narrative_html: str = Field(description="the narrative rendered and sanitised")
    indicators: list[dict[str, Any]] = Field(description="values frozen when saved")
    good_practices: list[dict[str, Any]]
    attachments: list[int]
    sources: list[dict[str, Any]]


class VersionOut(BaseModel):
    number: int
    created_at: str
    created_by: int | None
    note: str | None
    content_sha256: str
    sections: list[SectionOut]


class VersionSummary(BaseModel):
    number: int
    created_at: str
    created_by: int | None
    note: str | None
    content_sha256: str
    published: bool


class ReportDetail(DocumentOut):
    version: VersionOut
    attachments: list[AttachmentOut]
    links: dict[str, str | None]


class EventOut(BaseModel):
    id: int
    version: int | None
    actor: str | None
    action: str
    from_status: str | None
    to_status: str | None
    at: str
    details: dict[str, Any]


class CommentOut(BaseModel):
    id: int
    version: int
    section_key: str | None
    author: str
    body: str
    created_at: str


class SectionDiffOut(BaseModel):
    key: str
    title: str
    changed: bool
    narrative: list[list[str]] = Field(description="[op, text]: equal, insert or delete")
    indicators_before: list[dict[str, Any]]
    indicators_after: list[dict[str, Any]]


class DiffOut(BaseModel):
    document_id: int
    from_document_id: int
    from_version: int
    to_version: int
    sections: list[SectionDiffOut]


# -- helpers -------------------------------------------------------------------------------------

REPORT_ID = Path(ge=1, le=2**31 - 1, description="the report's id")


def national_report(engine: Engine, report_id: int) -> Document:
    doc = documents.get_document(engine, report_id)
    if doc.kind != "national_report":
        where = f"{_BASE}/vlrs/{doc.id}" if doc.kind == "vlr" else "the library"
        raise documents.NotFound(f"document {report_id} is not a national report (see {where})")
    return doc


def section_json(section: Section) -> dict[str, Any]:
    out = section.as_dict()
    out["narrative_html"] = str(markdown.render_markdown(section.narrative))
    return out


def version_json(version: Version, *, sections: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": version.number,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "note": version.note,
        "content_sha256": version.content_sha256,
    }
    if sections:
        out["sections"] = [section_json(s) for s in version.sections]
    return out


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "version": event.version,
        "actor": event.actor,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "at": event.at,
        "details": event.details,
    }


def comment_json(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "version": comment.version,
        "section_key": comment.section_key,
        "author": comment.author,
        "body": comment.body,
        "created_at": comment.created_at,
    }


def _visible_versions(user: User | None, doc: Document) -> set[int] | None:
    """The versions ``user`` may read: all (``None``) for those who may read drafts, the
    published one for everyone else (earlier drafts stay private)."""
    if doc.kind == "vlr" and permissions.can(user, "vlr.edit", doc):
        return None
    if doc.kind != "vlr" and permissions.can(user, "report.read", doc):
        return None
    require_read(user, doc)
    if doc.kind == "vlr":
        return None  # a VLR's versions are its public metadata history
    return {doc.published_version} if doc.published_version else set()


def _check_version(user: User | None, doc: Document, number: int, where: str) -> None:
    visible = _visible_versions(user, doc)
    if visible is not None and number not in visible:
        if number > doc.current_version:
            raise documents.NotFound(f"report {doc.id} has no version {number}")
        if user is None:
            raise permissions.Unauthenticated(
                f"version {number} of report {doc.id} is a draft: sign in to read it "
                f"({where}); the published version is {doc.published_version}"
            )
        raise permissions.Forbidden(
            f"{user.username} may not read draft version {number} of report {doc.id}"
        )


def _is_public(user: User | None, doc: Document) -> bool:
    """Whether the answer is the same for everyone (and may be cached)."""
    return user is None and doc.status == "published"


# -- reads ---------------------------------------------------------------------------------------


@router.get(
    "/reports",
    summary="National reports, filtered",
    responses=answer(data_model("ReportList", list[DocumentOut])),
)
async def list_reports(
    request: Request,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9]{2,3}$", description="M49 or ISO3, e.g. NGA")
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    status: Annotated[
        Literal["draft", "submitted", "in_review", "returned", "published", "withdrawn"] | None,
        Query(description="visitors see published reports only"),
    ] = None,
    modality: Annotated[
        Literal["new", "update", "national_urban_forum", "vnr", "vlrs"] | None, Query()
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The national reports the caller may see (a visitor: the published ones), newest first
    as the reporting functions order them."""
    user = auth.current_user(request)
    engine = engine_of(request)
    code = country_code(request, country, "query.country") if country else None

    def build() -> bytes:
        docs = documents.list_documents(
            engine, viewer=user, kind="national_report", status=status, country_code=code,
            year=year,
        )  # fmt: skip
        if modality:
            docs = [d for d in docs if d.modality == modality]
        rows = [document_json(d) for d in docs[(page - 1) * limit : page * limit]]
        return json_body({"data": rows, "meta": page_meta(request, len(docs), page, limit)})

    return await public_or_private(request, build, public=user is None)


@router.get(
    # ``:int``: ``/reports/start`` (POST) is not a report, and its 405 names POST only
    "/reports/{report_id:int}",
    summary="One report with its sections",
    responses={**READ_ERRORS, **answer(data_model("ReportResponse", ReportDetail))},
)
async def get_report(request: Request, report_id: Annotated[int, REPORT_ID]) -> Response:
    """The report and, for a visitor, its published version (for those who may read drafts,
    the current version), each section's narrative also as sanitised HTML, its attachments
    and links to the previous report and the versions."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    visible = _visible_versions(user, doc)
    number = doc.current_version if visible is None else doc.published_version

    def build() -> bytes:
        version = documents.get_version(engine, doc.id, number)
        out = document_json(doc)
        out["version"] = version_json(version)
        out["attachments"] = [attachment_json(a) for a in vlrs.list_attachments(engine, doc.id)]
        out["links"] = {
            "versions": f"{_BASE}/reports/{doc.id}/versions",
            "previous_report": (
                f"{_BASE}/reports/{doc.previous_document_id}" if doc.previous_document_id else None
            ),
            "diff_against_previous": (
                f"{_BASE}/reports/{doc.id}/diff?against=previous"
                if doc.previous_document_id
                else None
            ),
            "page": f"/{doc.language if doc.language in PAGE_LANGS else 'en'}/reports/{doc.id}",
        }
        return json_body({"data": out})

    return await public_or_private(request, build, public=_is_public(user, doc))


@router.get(
    "/reports/{report_id}/versions",
    summary="A report's versions",
    responses={**READ_ERRORS, **answer(data_model("VersionList", list[VersionSummary]))},
)
async def list_report_versions(request: Request, report_id: Annotated[int, REPORT_ID]) -> Response:
    """Every version (immutable) for those who may read drafts; the published one for a
    visitor."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    visible = _visible_versions(user, doc)

    def build() -> bytes:
        rows = []
        for version in documents.list_versions(engine, doc.id):
            if visible is None or version.number in visible:
                row = version_json(version, sections=False)
                row["published"] = version.number == doc.published_version
                row["url"] = f"{_BASE}/reports/{doc.id}/versions/{version.number}"
                rows.append(row)
        return json_body({"data": rows})

    return await public_or_private(request, build, public=_is_public(user, doc))


@router.get(
    "/reports/{report_id}/versions/{number}",
    summary="One version of a report",
    responses={**READ_ERRORS, **answer(data_model("VersionResponse", VersionOut))},
)
async def get_report_version(
    request: Request,
    report_id: Annotated[int, REPORT_ID],
    number: Annotated[int, Path(ge=1, le=1_000_000)],
) -> Response:
    """Version ``number`` of a report as it was saved (versions never change).  A visitor
    may read only the published version; the report's focal points, reviewers and
    administrators read every version."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    _check_version(user, doc, number, "path.number")

    def build() -> bytes:
        return json_body({"data": version_json(documents.get_version(engine, doc.id, number))})

    return await public_or_private(request, build, public=_is_public(user, doc))


@router.get(
    "/reports/{report_id}/diff",
    summary="Differences between two versions, or against the previous report",
    responses={**READ_ERRORS, **answer(data_model("DiffResponse", DiffOut))},
)
async def diff_report(
    request: Request,
    report_id: Annotated[int, REPORT_ID],
    from_: Annotated[int | None, Query(alias="from", ge=1, le=1_000_000)] = None,
    to: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    against: Annotated[
        Literal["previous"] | None,
        Query(
            description="`previous`: against the published version of the report this "
            "one updates (instead of `from`)"
        ),
    ] = None,
) -> Response:
    """Section by section, word by word: version ``from`` → ``to`` (default: the one before
    the current → the current), or with ``against=previous`` the previous report's published
    version → ``to``."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    visible = _visible_versions(user, doc)
    default_to = doc.current_version if visible is None else (doc.published_version or 1)
    b = to or default_to
    if b > doc.current_version:
        raise documents.NotFound(f"report {doc.id} has no version {b}")
    _check_version(user, doc, b, "query.to")
    other: Document | None = None
    if against == "previous":
        if from_ is not None:
            raise ApiError(422, "give either from or against=previous", where="query.from",
                           fix="leave out from to compare with the previous report")  # fmt: skip
        if doc.previous_document_id is None:
            raise ApiError(
                422, f"report {doc.id} is not an update of an earlier report",
                where="query.against", fix="compare two of its versions with from and to",
            )  # fmt: skip
        other = await run_in_threadpool(national_report, engine, doc.previous_document_id)
        if other.published_version is None:
            raise documents.NotFound(f"the previous report {other.id} has no published version")
        a = other.published_version
    else:
        a = from_ if from_ is not None else max(1, b - 1)
        if a > doc.current_version:
            raise documents.NotFound(f"report {doc.id} has no version {a}")
        _check_version(user, doc, a, "query.from")

    def build() -> bytes:
        diffs = documents.diff_versions(
            engine, doc.id, a, b, other_document_id=other.id if other else None
        )
        rows = [
            {
                "key": d.key,
                "title": d.title,
                "changed": d.changed,
                "narrative": [list(part) for part in d.narrative],
                "indicators_before": list(d.indicators_before),
                "indicators_after": list(d.indicators_after),
            }
            for d in diffs
        ]
        return json_body({"data": {
            "document_id": doc.id, "from_document_id": other.id if other else doc.id,
            "from_version": a, "to_version": b, "sections": rows,
        }})  # fmt: skip

    return await public_or_private(request, build, public=_is_public(user, doc))


@router.get(
    "/reports/{report_id}/comments",
    summary="Reviewers' comments on a report",
    responses={**READ_ERRORS, **answer(data_model("CommentList", list[CommentOut]))},
)
async def list_comments(request: Request, report_id: Annotated[int, REPORT_ID]) -> Response:
    """The review comments (private: the report's focal points, reviewers, administrators)."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    permissions.require(user, "report.read", doc)

    def build() -> bytes:
        return json_body({"data": [comment_json(c) for c in documents.comments(engine, doc.id)]})

    return await public_or_private(request, build, public=False)


@router.get(
    "/reports/{report_id}/audit",
    summary="A report's audit log",
    responses={**READ_ERRORS, **answer(data_model("AuditLog", list[EventOut]))},
)
async def audit(request: Request, report_id: Annotated[int, REPORT_ID]) -> Response:
    """Who did what when (private: the report's focal points, reviewers, administrators)."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    permissions.require(user, "report.read", doc)

    def build() -> bytes:
        return json_body({"data": [event_json(e) for e in documents.audit_log(engine, doc.id)]})

    return await public_or_private(request, build, public=False)


@router.get(
    "/attachments/{attachment_id}",
    summary="Download an attachment",
    tags=["reports", "vlrs"],
    responses={
        **READ_ERRORS,
        200: {
            "description": "The file, as a download",
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        },
    },
)
async def download(
    request: Request, attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Response:
    """The file as stored (checked when uploaded), always as a download, never rendered by
    the browser; public when its document is published, private otherwise."""
    user = auth.current_user(request)
    engine = engine_of(request)
    att, data = await run_in_threadpool(vlrs.attachment_content, engine, attachment_id)
    doc = await run_in_threadpool(documents.get_document, engine, att.document_id)
    require_read(user, doc)
    ascii_name = att.filename.encode("ascii", "replace").decode().replace('"', "_")
    ascii_name = "".join(c if c.isprintable() and c not in "\\;" else "_" for c in ascii_name)
    headers = {
        "Content-Disposition": (
            f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(att.filename, safe='')}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "ETag": f'"{att.sha256}"',
        "Cache-Control": (
            f"public, max-age={request.app.state.settings.cache_max_age}"
            if doc.status == "published"
            else "private, no-store"
        ),
    }
    if doc.status == "published":
        headers["Vary"] = "Accept-Encoding, Authorization, Cookie"
    match = request.headers.get("if-none-match")
    if doc.status == "published" and match and headers["ETag"] in match:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=att.media_type, headers=headers)
