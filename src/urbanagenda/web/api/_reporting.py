"""What the reporting endpoints share (:mod:`.reports`, :mod:`.report_writes`, :mod:`.vlrs`,
:mod:`.search`): the error tables, the writer dependency, the answers of reads and writes,
the size-limited form reader, and the JSON shapes of documents and attachments.

Public visitors read published documents only; what they read may be cached (keyed on
``WebStore.cache_version()``, which changes with every document event); what a signed-in
user reads is ``private, no-store``, and no write is ever cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response

from urbanagenda.reporting import permissions, uploads, vlrs
from urbanagenda.reporting.model import MODALITIES, STATUSES, Attachment, Document, User
from urbanagenda.web import auth
from urbanagenda.web.api.common import ErrorResponse, json_body, resolve_areas, store_of
from urbanagenda.web.errors import ApiError

__all__ = [
    "READ_ERRORS",
    "UPLOAD_ERRORS",
    "WRITE_ERRORS",
    "AttachmentOut",
    "DocumentOut",
    "Writer",
    "answer",
    "attach",
    "attach_form",
    "attachment_json",
    "can_read",
    "country_code",
    "data_model",
    "document_json",
    "document_url",
    "engine_of",
    "multipart_body",
    "public_or_private",
    "read_form",
    "refuse_other_methods",
    "require_read",
    "written",
]

_BASE = "/api/v1"


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


def refuse_other_methods(router: APIRouter, among: APIRouter | None = None) -> None:
    """For a path served by two routes (``GET`` and ``POST``), answer the other methods
    with ``405`` naming both in ``Allow`` (Starlette would name the first route's only).
    Plain Starlette routes: no parameter checks (a 405 whatever the query).  Call after the
    module's routes; ``among``: a router included before this one whose routes share paths
    with it (the 405 routes are added to ``router``, after them all)."""
    by_path: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for route in [*(among.routes if among else ()), *router.routes]:
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


class AttachmentOut(BaseModel):
    id: int
    document_id: int
    section_key: str | None
    filename: str
    media_type: str
    size: int
    sha256: str
    url: str


def answer(model: Any, description: str = "OK", status: int = 200) -> dict[int | str, Any]:
    return {status: {"model": model, "description": description}}


def data_model(name: str, model: Any) -> Any:
    from pydantic import create_model

    return create_model(name, data=(model, ...))


# -- uploads, shared by reports and VLRs ------------------------------------------------------


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
