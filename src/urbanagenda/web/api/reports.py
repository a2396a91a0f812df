"""``/api/v1/reports``: national New Urban Agenda reports, their versions, diffs, review
workflow, comments, audit log and attachments; ``/api/v1/attachments/{id}`` downloads a file.

Who may do what is :mod:`urbanagenda.reporting.permissions`: every mutating route needs a
signed-in user (a session cookie with the CSRF header, or an API token) and asks the policy
before calling the reporting functions, which ask it again.  Public visitors read published
reports only; what they read may be cached (keyed on ``WebStore.cache_version()``, which
changes with every document event); what a signed-in user reads is ``private, no-store``,
and no write is ever cached.

The helpers at the top are shared with :mod:`.vlrs` and :mod:`.search`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response

from urbanagenda.reporting import documents, markdown, modalities, permissions, uploads, vlrs
from urbanagenda.reporting.model import (
    MODALITIES,
    STATUSES,
    Attachment,
    Comment,
    Document,
    Event,
    Section,
    User,
    Version,
)
from urbanagenda.web import auth
from urbanagenda.web.api.common import (
    ErrorResponse,
    Lang,
    json_body,
    page_meta,
    resolve_areas,
    store_of,
)
from urbanagenda.web.errors import ApiError

__all__ = [
    "WRITE_ERRORS",
    "Writer",
    "attachment_json",
    "can_read",
    "document_json",
    "engine_of",
    "public_or_private",
    "read_form",
    "require_read",
    "router",
    "written",
]

router = APIRouter(tags=["reports"])

_BASE = "/api/v1"


# -- shared by the reporting endpoints ---------------------------------------------------------


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


#: What a read of possibly private data may answer besides the common errors.
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("The document is not public: sign in (session cookie or API token)"),
    403: _error("The signed-in user may not read this document"),
}
#: What every mutating endpoint may answer besides the common errors.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("The body is not valid JSON"),
    401: _error("No valid session or API token (`Authorization: Bearer …`)"),
    403: _error("The user's role may not do this here, or the CSRF token is missing"),
    409: _error("The document's state does not allow it, or the section changed meanwhile"),
}
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    413: _error(f"The upload is larger than {uploads.MAX_UPLOAD_BYTES // 2**20} MiB"),
    415: _error("The body is not multipart/form-data"),
}


async def signed_in_writer(
    user: Annotated[User, Depends(auth.require_user)],
    _csrf: Annotated[None, Depends(auth.check_csrf)],
) -> User:
    """The user of a mutating request: signed in (401 otherwise) and, with a session cookie,
    carrying the session's CSRF token (403 otherwise).  Authentication first, so that a
    stale cookie gets 401 rather than a CSRF complaint."""
    return user


#: The dependency of every mutating route.
Writer = Annotated[User, Depends(signed_in_writer)]


def engine_of(request: Request) -> Engine:
    return store_of(request).engine


def written(
    request: Request, body: Any, status: int = 200, location: str | None = None
) -> Response:
    """The answer of a write: never cached; the response caches see the change at once."""
    store = store_of(request)
    # ``WebStore.version`` is memoised for a second; forget it so that the next read keys on
    # the new document event (a public GET right after a publish must see the report)
    store.invalidate()
    headers = {"Cache-Control": "no-store"}
    if location:
        headers["Location"] = location
    return Response(json_body(body), status_code=status, media_type="application/json",
                    headers=headers)  # fmt: skip


async def public_or_private(
    request: Request, build: Callable[[], bytes], *, public: bool, max_age: int | None = None
) -> Response:
    """A read: ``public`` answers (the same for every visitor) are cached with an ETag keyed
    on the reporting version; anything else is built afresh and marked ``private, no-store``."""
    store = store_of(request)
    if not public:
        body = await run_in_threadpool(build)
        return Response(body, media_type="application/json",
                        headers={"Cache-Control": "private, no-store"})  # fmt: skip
    store.version(strict=True)  # 503 when the database cannot be read
    key = ("reporting", store.cache_version(), request.url.path, request.url.query)
    hit = store.cache.get(key)
    if hit is None:
        body = await run_in_threadpool(build)
        hit = (body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')
        store.cache.put(key, hit)
    body, etag = hit
    age = request.app.state.settings.cache_max_age if max_age is None else max_age
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={age}",
        # a browser that signs in must not reuse what it was shown as a visitor
        "Vary": "Accept-Encoding, Authorization, Cookie",
    }
    match = request.headers.get("if-none-match")
    if match and (match.strip() == "*" or etag in [m.strip() for m in match.split(",")]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def can_read(user: User | None, doc: Document) -> bool:
    """Published documents are public; others are read by those the policy lets see them
    (a report's focal points, reviewers, administrators; a VLR's local focal point)."""
    if doc.status == "published":
        return True
    if doc.kind == "vlr":
        return permissions.can(user, "vlr.edit", doc)
    return permissions.can(user, "report.read", doc)


def require_read(user: User | None, doc: Document) -> None:
    """401 for a visitor, 403 for a user who may not read ``doc``."""
    if not can_read(user, doc):
        permissions.require(user, "vlr.edit" if doc.kind == "vlr" else "report.read", doc)


def _too_large(limit: int) -> uploads.UploadRejected:
    mib = f"{limit / 2**20:.0f} MiB" if limit >= 2**20 else f"{limit // 1024} KiB"
    problem = f"the upload is larger than {mib}"
    fix = "send a smaller file (compress the PDF's images, or split the document)"
    return uploads.UploadRejected(f"{problem}; {fix}", where="body.file", problem=problem,
                                  fix=fix, too_large=True)  # fmt: skip


#: Room for the form's other fields and the multipart framing around the file.
_FORM_OVERHEAD = 256 * 1024


async def read_form(
    request: Request,
    *,
    fields: Sequence[str],
    list_fields: Sequence[str] = (),
    file_field: str = "file",
    max_bytes: int | None = None,
) -> tuple[dict[str, Any], tuple[str, bytes] | None]:
    """A multipart form, read with a size limit: ``413`` at once when ``Content-Length`` is
    too large, and while streaming when the counted bytes pass it (a chunked upload has no
    ``Content-Length``).  Returns the text fields (``list_fields`` as lists) and the file
    ``(name, bytes)`` or ``None``; unknown fields are refused like unknown parameters.  A
    form without a file may also come URL-encoded."""
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise ApiError(
            415, f"expected a form (multipart/form-data), got {ctype or 'no Content-Type'}",
            code="unsupported_media_type", where="header.content-type",
            fix=f"send a form: curl -F {file_field}=@report.pdf -F field=value …",
        )  # fmt: skip
    max_bytes = uploads.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    limit = max_bytes + _FORM_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(max_bytes)
    received = 0
    upstream = request.receive

    async def counted() -> Any:
        nonlocal received
        message = await upstream()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(max_bytes)
        return message

    limits = {"max_files": 1, "max_fields": len(fields) + len(list_fields) + 8}
    try:
        if getattr(request, "_form", None) is not None:
            # already read (the CSRF check looked for its form field): the file's size is
            # still checked below
            form = await request.form(**limits)
        else:
            form = await StarletteRequest(request.scope, counted).form(**limits)
    except MultiPartException as exc:
        raise ApiError(422, f"the form cannot be read: {exc}", where="body",
                       fix="send one file and the documented fields") from exc  # fmt: skip
    try:
        values: dict[str, Any] = {name: [] for name in list_fields}
        file: tuple[str, bytes] | None = None
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name != file_field:
                    raise ApiError(422, f"unexpected file field {name!r}", where=f"body.{name}",
                                   fix=f"send the file as {file_field!r}")  # fmt: skip
                data = bytearray()
                while chunk := await value.read(1 << 20):
                    data += chunk
                    if len(data) > max_bytes:
                        raise _too_large(max_bytes)
                file = (value.filename or "upload", bytes(data))
            elif name == auth.CSRF_FIELD:
                continue  # a browser form's CSRF token, checked by ``auth.check_csrf``
            elif name in list_fields:
                values[name].extend(v.strip() for v in value.split(",") if v.strip())
            elif name in fields:
                if name in values:
                    raise ApiError(422, f"field {name!r} is given twice", where=f"body.{name}",
                                   fix="give it once")  # fmt: skip
                values[name] = value
            else:
                known = ", ".join([*fields, *list_fields, file_field])
                raise ApiError(422, f"unknown field {name!r}", where=f"body.{name}",
                               fix=f"the fields are: {known}")  # fmt: skip
        return values, file
    finally:
        await form.close()


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def refuse_other_methods(router: APIRouter) -> None:
    """For a path served by two routes (``GET`` and ``POST``), answer the other methods
    with ``405`` naming both in ``Allow`` (Starlette would name the first route's only).
    Plain Starlette routes: no parameter checks (a 405 whatever the query).  Call after the
    module's routes."""
    by_path: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for route in router.routes:
        if isinstance(route, APIRoute):
            by_path.setdefault(route.path, set()).update(route.methods or ())
            counts[route.path] = counts.get(route.path, 0) + 1
    for path, methods in by_path.items():
        if counts[path] < 2:
            continue
        allow = ", ".join(m for m in _METHODS if m in methods)

        async def other_methods(request: Request, allow: str = allow) -> Response:
            raise StarletteHTTPException(405, headers={"Allow": allow})

        others = [m for m in _METHODS if m not in methods and m != "HEAD"]
        router.add_route(path, other_methods, methods=others, include_in_schema=False)


def multipart_body(properties: dict[str, Any], required: Sequence[str]) -> dict[str, Any]:
    """``openapi_extra`` documenting a multipart body that the route reads itself (FastAPI's
    own form parsing would read the whole upload before authentication and without a limit)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": properties,
                        "required": list(required),
                    }
                }
            },
        }
    }


def country_code(request: Request, raw: str, where: str) -> str:
    """A country's canonical M49 code from M49/ISO3/ISO2, or 422."""
    store = store_of(request)
    (code,) = resolve_areas(store, [raw], where=where)
    area = store.areas.get(code)
    if area is None or area.kind != "country":
        raise ApiError(422, f"{raw!r} is not a country", where=where,
                       fix="give a country's M49 or ISO3 code, e.g. 566 or NGA")  # fmt: skip
    return code


def attachment_json(att: Attachment) -> dict[str, Any]:
    return {
        "id": att.id,
        "document_id": att.document_id,
        "section_key": att.section_key,
        "filename": att.filename,
        "media_type": att.media_type,
        "size": att.size,
        "sha256": att.sha256,
        "pages": att.pages,
        "has_text": att.has_text,
        "created_at": att.created_at,
        "url": f"{_BASE}/attachments/{att.id}",
    }


def document_url(doc: Document) -> str:
    if doc.kind == "vlr":
        return f"{_BASE}/vlrs/{doc.id}"
    return f"{_BASE}/reports/{doc.id}"


def document_json(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "country_code": doc.country_code,
        "area_code": doc.area_code,
        "year": doc.year,
        "language": doc.language,
        "status": doc.status,
        "modality": doc.modality,
        "template_version": doc.template_version,
        "previous_document_id": doc.previous_document_id,
        "current_version": doc.current_version,
        "published_version": doc.published_version,
        "metadata": doc.metadata,
        "is_example": doc.is_example,
        "created_by": doc.created_by,
        "created_at": doc.created_at,
        "updated_at": doc.updated_at,
        "url": document_url(doc),
    }


# -- shapes (OpenAPI) ----------------------------------------------------------------------------


class DocumentOut(BaseModel):
    id: int = Field(examples=[1])
    kind: str = Field(examples=["national_report"])
    title: str
    country_code: str | None = Field(examples=["566"])
    area_code: str | None
    year: int | None = Field(examples=[2026])
    language: str = Field(examples=["en"])
    status: str = Field(description=f"one of {', '.join(STATUSES)}")
    modality: str | None = Field(description=f"one of {', '.join(MODALITIES)}")
    current_version: int
    published_version: int | None
    metadata: dict[str, Any]
    is_example: bool = Field(description="an example written for the demo, not a real report")
    url: str


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


class AttachmentOut(BaseModel):
    id: int
    document_id: int
    section_key: str | None
    filename: str
    media_type: str
    size: int
    sha256: str
    url: str


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


def answer(model: Any, description: str = "OK", status: int = 200) -> dict[int | str, Any]:
    return {status: {"model": model, "description": description}}


def data_model(name: str, model: Any) -> Any:
    from pydantic import create_model

    return create_model(name, data=(model, ...))


class ReportIn(BaseModel):
    """A new national report (a draft, pre-filled according to the modality)."""

    model_config = ConfigDict(extra="forbid")
    country: str = Field(pattern=r"^[A-Za-z0-9]{2,3}$", examples=["566", "NGA"])
    year: int = Field(ge=2016, le=2100, examples=[2026])
    title: str | None = Field(None, min_length=1, max_length=300)
    modality: Literal["new", "update", "national_urban_forum", "vnr", "vlrs"] = "new"
    language: Lang = "en"
    source_text: str | None = Field(
        None, max_length=2_000_000,
        description="for `national_urban_forum` and `vnr`: the source document's text",
    )  # fmt: skip


class GoodPractice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    text: str = Field("", max_length=20_000)


class SectionIn(BaseModel):
    """A section's new content; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")
    base_version: int = Field(ge=1, description="the version the edit starts from (409 if "
                              "someone saved a newer one meanwhile)")  # fmt: skip
    narrative: str | None = Field(None, max_length=200_000, description="Markdown")
    good_practices: list[GoodPractice] | None = Field(None, max_length=50)
    indicator_series: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,64}$")]] | None = Field(
        None, max_length=100, description="series codes; values are frozen from the store"
    )
    attachments: list[int] | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=2000)


Action = Literal["submit", "start_review", "return", "publish", "withdraw"]
#: The policy action each workflow step needs.
TRANSITION_ACTIONS: dict[str, str] = {
    "submit": "report.submit",
    "start_review": "report.review",
    "return": "report.review",
    "publish": "report.review",
    "withdraw": "report.withdraw",
}


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Action
    note: str | None = Field(None, max_length=5000)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=20_000)
    section_key: str | None = Field(None, pattern=r"^[a-z0-9_]{1,64}$")


# -- helpers -------------------------------------------------------------------------------------

_ID = Path(ge=1, le=2**31 - 1, description="the report's id")


def _report(engine: Engine, report_id: int) -> Document:
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
async def get_report(request: Request, report_id: Annotated[int, _ID]) -> Response:
    """The report and, for a visitor, its published version (for those who may read drafts,
    the current version), each section's narrative also as sanitised HTML, its attachments
    and links to the previous report and the versions."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
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
            "page": f"/{doc.language if doc.language in _PAGE_LANGS else 'en'}/reports/{doc.id}",
        }
        return json_body({"data": out})

    return await public_or_private(request, build, public=_is_public(user, doc))


_PAGE_LANGS = ("ar", "zh", "en", "fr", "ru", "es")


@router.get(
    "/reports/{report_id}/versions",
    summary="A report's versions",
    responses={**READ_ERRORS, **answer(data_model("VersionList", list[VersionSummary]))},
)
async def list_report_versions(request: Request, report_id: Annotated[int, _ID]) -> Response:
    """Every version (immutable) for those who may read drafts; the published one for a
    visitor."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
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
    report_id: Annotated[int, _ID],
    number: Annotated[int, Path(ge=1, le=1_000_000)],
) -> Response:
    """Version ``number`` of a report as it was saved (versions never change).  A visitor
    may read only the published version; the report's focal points, reviewers and
    administrators read every version."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
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
    report_id: Annotated[int, _ID],
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
    doc = await run_in_threadpool(_report, engine, report_id)
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
        other = await run_in_threadpool(_report, engine, doc.previous_document_id)
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
async def list_comments(request: Request, report_id: Annotated[int, _ID]) -> Response:
    """The review comments (private: the report's focal points, reviewers, administrators)."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
    permissions.require(user, "report.read", doc)

    def build() -> bytes:
        return json_body({"data": [comment_json(c) for c in documents.comments(engine, doc.id)]})

    return await public_or_private(request, build, public=False)


@router.get(
    "/reports/{report_id}/audit",
    summary="A report's audit log",
    responses={**READ_ERRORS, **answer(data_model("AuditLog", list[EventOut]))},
)
async def audit(request: Request, report_id: Annotated[int, _ID]) -> Response:
    """Who did what when (private: the report's focal points, reviewers, administrators)."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
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


# -- writes --------------------------------------------------------------------------------------


def _created(request: Request, doc: Document) -> Response:
    return written(request, {"data": document_json(doc)}, 201, location=document_url(doc))


@router.post(
    "/reports",
    summary="Start a national report",
    status_code=201,
    responses={**WRITE_ERRORS, **answer(data_model("ReportCreated", DocumentOut), "Created", 201)},
)
async def create_report(request: Request, user: Writer, body: ReportIn) -> Response:
    """A new draft for the country, in one of the 2024 modalities: ``new`` (the template's
    empty sections), ``update`` (pre-filled from the country's last published report),
    ``vlrs`` (from the country's Voluntary Local Reviews), ``national_urban_forum`` or
    ``vnr`` (from ``source_text``; to upload the PDF/DOCX use ``POST /reports/start``)."""
    engine = engine_of(request)
    code = country_code(request, body.country, "body.country")
    permissions.require(user, "report.create", country_code=code)
    doc = await run_in_threadpool(
        lambda: modalities.start_report(
            engine, user, country_code=code, year=body.year, modality=body.modality,
            title=body.title, language=body.language, source_text=body.source_text,
        )
    )  # fmt: skip
    return _created(request, doc)


_START_FIELDS = ("country", "year", "modality", "title", "language", "source_text")


@router.post(
    "/reports/start",
    summary="Start a national report from an uploaded source document",
    status_code=201,
    responses={**UPLOAD_ERRORS, **answer(data_model("ReportStarted", DocumentOut), "Created", 201)},
    openapi_extra=multipart_body(
        {
            "country": {"type": "string", "example": "566"},
            "year": {"type": "integer", "example": 2026},
            "modality": {"type": "string", "enum": list(MODALITIES)},
            "title": {"type": "string"},
            "language": {"type": "string", "enum": list(_PAGE_LANGS)},
            "source_text": {"type": "string"},
            "file": {
                "type": "string",
                "format": "binary",
                "description": "the forum outcome or VNR, PDF or DOCX",
            },
        },
        ["country", "year", "modality"],
    ),
)
async def start_report_upload(request: Request, user: Writer) -> Response:
    """Like ``POST /reports``, as a form with the source document (a national urban forum
    outcome or a Voluntary National Review, PDF or DOCX) in ``file``."""
    engine = engine_of(request)
    values, file = await read_form(request, fields=_START_FIELDS)
    for name in ("country", "year", "modality"):
        if not values.get(name):
            raise ApiError(422, f"field {name!r} is missing", where=f"body.{name}",
                           fix=f"add -F {name}=…")  # fmt: skip
    try:
        body = ReportIn(**{k: v for k, v in values.items() if v != ""})
    except Exception as exc:  # pydantic's ValidationError: name the first field at fault
        from pydantic import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        first = exc.errors()[0]
        where = "body." + ".".join(str(p) for p in first["loc"])
        raise ApiError(422, f"invalid {where}: {first['msg']}", where=where,
                       fix="see the form's fields at /docs") from exc  # fmt: skip
    code = country_code(request, body.country, "body.country")
    permissions.require(user, "report.create", country_code=code)
    doc = await run_in_threadpool(
        lambda: modalities.start_report(
            engine, user, country_code=code, year=body.year, modality=body.modality,
            title=body.title, language=body.language, source_file=file,
            source_text=body.source_text,
        )
    )  # fmt: skip
    return _created(request, doc)


@router.put(
    "/reports/{report_id}/sections/{key}",
    summary="Save a section (a new version)",
    responses={**WRITE_ERRORS, **answer(data_model("SectionSaved", VersionOut))},
)
async def save_section(
    request: Request,
    user: Writer,
    report_id: Annotated[int, _ID],
    key: Annotated[str, Path(pattern=r"^[a-z0-9_]{1,64}$", description="the section's key")],
    body: SectionIn,
) -> Response:
    """A new version with this section changed (the others as in ``base_version``);
    ``409`` when ``base_version`` is no longer the current version: someone saved meanwhile,
    and nothing is overwritten — reload, merge and save again."""
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
    permissions.require(user, "report.edit", doc)
    version = await run_in_threadpool(
        lambda: documents.save_section(
            engine, user, doc.id, key, base_version=body.base_version,
            narrative=body.narrative,
            good_practices=(None if body.good_practices is None
                            else [g.model_dump() for g in body.good_practices]),
            indicator_series=body.indicator_series, attachments=body.attachments,
            note=body.note,
        )
    )  # fmt: skip
    return written(request, {"data": version_json(version)})


@router.post(
    "/reports/{report_id}/transitions",
    summary="A workflow step: submit, start_review, return, publish, withdraw",
    responses={**WRITE_ERRORS, **answer(data_model("Transitioned", DocumentOut))},
)
async def transition(
    request: Request, user: Writer, report_id: Annotated[int, _ID], body: TransitionIn
) -> Response:
    """``submit`` (the country's focal point), ``start_review``, ``return``, ``publish`` (a
    reviewer), ``withdraw`` (the focal point); ``409`` when the report's status does not
    allow the step."""
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
    permissions.require(user, TRANSITION_ACTIONS[body.action], doc)
    doc = await run_in_threadpool(
        lambda: documents.transition(engine, user, doc.id, body.action, note=body.note)
    )
    return written(request, {"data": document_json(doc)})


@router.post(
    "/reports/{report_id}/comments",
    summary="A reviewer's comment on a report in review, or on one of its sections",
    status_code=201,
    responses={**WRITE_ERRORS, **answer(data_model("Commented", CommentOut), "Created", 201)},
)
async def add_comment(
    request: Request, user: Writer, report_id: Annotated[int, _ID], body: CommentIn
) -> Response:
    """A reviewer's comment on the version in review (``section_key`` for one section);
    the focal point reads it when the report comes back.  Reviewers and administrators."""
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
    permissions.require(user, "report.review", doc)
    comment = await run_in_threadpool(
        lambda: documents.add_comment(engine, user, doc.id, body.body, section_key=body.section_key)
    )
    return written(request, {"data": comment_json(comment)}, 201)


def attach_form(section: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"file": {"type": "string", "format": "binary",
                                      "description": "PDF or DOCX"}}  # fmt: skip
    if section:
        props["section_key"] = {"type": "string", "description": "the section it belongs to"}
    return multipart_body(props, ["file"])


async def attach(request: Request, user: User, doc: Document, *, section: bool) -> Response:
    """Read the upload (limited), check and store it; shared with the VLRs."""
    engine = engine_of(request)
    values, file = await read_form(request, fields=("section_key",) if section else ())
    if file is None:
        raise ApiError(422, "the form has no file", where="body.file",
                       fix="send it as -F file=@report.pdf")  # fmt: skip
    name, data = file
    section_key = values.get("section_key") or None
    att = await run_in_threadpool(
        lambda: vlrs.add_attachment(engine, user, doc.id, name, data, section_key=section_key)
    )
    out = attachment_json(att)
    return written(request, {"data": out}, 201, location=out["url"])


@router.post(
    "/reports/{report_id}/attachments",
    summary="Attach a file (PDF or DOCX) to a report",
    status_code=201,
    responses={**UPLOAD_ERRORS, **answer(data_model("Attached", AttachmentOut), "Created", 201)},
    openapi_extra=attach_form(section=True),
)
async def add_report_attachment(
    request: Request, user: Writer, report_id: Annotated[int, _ID]
) -> Response:
    """The file is checked by its content (PDF or DOCX; no bombs, no path in its name) and
    its text extracted; at most 25 MiB (``413`` beyond, before the upload is read)."""
    engine = engine_of(request)
    doc = await run_in_threadpool(_report, engine, report_id)
    permissions.require(user, "report.attach", doc)
    return await attach(request, user, doc, section=True)


refuse_other_methods(router)
