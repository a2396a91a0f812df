"""``/api/v1/vlrs``: the registry of Voluntary Local Reviews — metadata, files, links to the
city's data and to the national report a review feeds.

A VLR is public once registered (it is already a published document of its government);
its local focal point (or an administrator) changes its metadata, adds files and withdraws
it.  Reads, writes, caching and uploads work as for reports (the helpers of
:mod:`._reporting`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.reporting import documents, permissions
from urbanagenda.reporting import vlrs as registry
from urbanagenda.reporting.model import Document
from urbanagenda.web import auth
from urbanagenda.web.api._reporting import (
    READ_ERRORS,
    UPLOAD_ERRORS,
    WRITE_ERRORS,
    AttachmentOut,
    DocumentOut,
    Writer,
    answer,
    attach,
    attach_form,
    attachment_json,
    country_code,
    data_model,
    document_json,
    engine_of,
    multipart_body,
    public_or_private,
    read_form,
    refuse_other_methods,
    require_read,
    written,
)
from urbanagenda.web.api.common import json_body, page_meta, resolve_areas, store_of
from urbanagenda.web.errors import ApiError

router = APIRouter(tags=["vlrs"])

_BASE = "/api/v1"
_ID = Path(ge=1, le=2**31 - 1, description="the VLR's id")
_LANG = r"^[a-z]{2,3}$"


class VlrIn(BaseModel):
    """A Voluntary Local Review's metadata (the file, if any, comes as ``file``)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    government: str = Field(min_length=1, max_length=300, examples=["Lagos State Government"])
    level: Literal["local", "regional"] = "local"
    country: str = Field(pattern=r"^[A-Za-z0-9]{2,3}$", examples=["566", "NGA"])
    area: str | None = Field(None, pattern=r"^[a-z]{2}_[a-z0-9_]{1,60}$",
                             description="the city's code, e.g. ng_lagos")  # fmt: skip
    year: int = Field(ge=2015, le=2100)
    languages: list[Annotated[str, Field(pattern=_LANG)]] = Field(min_length=1, max_length=10)
    sdgs: list[Annotated[int, Field(ge=1, le=17)]] = Field(default_factory=list, max_length=17)
    linked_vnr: str | None = Field(None, max_length=300)
    source_url: str | None = Field(None, max_length=2000, pattern=r"^https?://\S+$")
    feeds_report_id: int | None = Field(None, ge=1)
    summary: str | None = Field(None, max_length=50_000)


class VlrPatch(BaseModel):
    """Fields to change; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")
    base_version: int | None = Field(None, ge=1, description="409 if it is no longer current")
    title: str | None = Field(None, min_length=1, max_length=300)
    government: str | None = Field(None, min_length=1, max_length=300)
    level: Literal["local", "regional"] | None = None
    year: int | None = Field(None, ge=2015, le=2100)
    languages: list[Annotated[str, Field(pattern=_LANG)]] | None = Field(
        None, min_length=1, max_length=10
    )
    sdgs: list[Annotated[int, Field(ge=1, le=17)]] | None = Field(None, max_length=17)
    linked_vnr: str | None = Field(None, max_length=300)
    source_url: str | None = Field(None, max_length=2000, pattern=r"^https?://\S+$")
    feeds_report_id: int | None = Field(None, ge=1)
    summary: str | None = Field(None, max_length=50_000)
    note: str | None = Field(None, max_length=2000, description="why, for the audit log")


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=5000)


class VlrDetail(DocumentOut):
    attachments: list[AttachmentOut]
    links: dict[str, str | None]


def _vlr(engine: Engine, vlr_id: int) -> Document:
    doc = documents.get_document(engine, vlr_id)
    if doc.kind != "vlr":
        raise documents.NotFound(f"document {vlr_id} is not a Voluntary Local Review")
    return doc


def _city(request: Request, raw: str, country: str) -> str:
    store = store_of(request)
    (code,) = resolve_areas(store, [raw], where="body.area")
    area = store.areas.get(code)
    if area is None or area.kind != "city":
        raise ApiError(
            422,
            f"{raw!r} is not a city",
            where="body.area",
            fix="give a city's code, e.g. ng_lagos (see /api/v1/areas?kind=city)",
        )
    if area.country_code != country:
        raise ApiError(422, f"{raw!r} is not in country {country}", where="body.area",
                       fix="give a city of the VLR's country")  # fmt: skip
    return code


def vlr_json(doc: Document) -> dict[str, Any]:
    return document_json(doc)


# -- reads ---------------------------------------------------------------------------------------


@router.get(
    "/vlrs",
    summary="Voluntary Local Reviews, filtered",
    responses=answer(data_model("VlrList", list[DocumentOut])),
)
async def list_vlrs(
    request: Request,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9]{2,3}$", description="M49 or ISO3, e.g. NGA")
    ] = None,
    area: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9_]{1,64}$", description="a city, e.g. ng_lagos")
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    language: Annotated[str | None, Query(pattern=_LANG, description="e.g. es")] = None,
    sdg: Annotated[int | None, Query(ge=1, le=17, description="a goal the review covers")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The registered reviews (a visitor: the ones not withdrawn)."""
    user = auth.current_user(request)
    engine = engine_of(request)
    country_m49 = country_code(request, country, "query.country") if country else None
    city = resolve_areas(store_of(request), [area])[0] if area else None

    def build() -> bytes:
        docs = documents.list_documents(
            engine, viewer=user, kind="vlr", country_code=country_m49, area_code=city, year=year
        )
        if language:
            docs = [d for d in docs if language in (d.metadata.get("languages") or ())]
        if sdg:
            docs = [d for d in docs if sdg in [int(x) for x in d.metadata.get("sdgs") or ()]]
        rows = [vlr_json(d) for d in docs[(page - 1) * limit : page * limit]]
        return json_body({"data": rows, "meta": page_meta(request, len(docs), page, limit)})

    return await public_or_private(request, build, public=user is None)


@router.get(
    "/vlrs/{vlr_id}",
    summary="One Voluntary Local Review",
    responses={**READ_ERRORS, **answer(data_model("VlrResponse", VlrDetail))},
)
async def get_vlr(request: Request, vlr_id: Annotated[int, _ID]) -> Response:
    """Its metadata, files, and links: the city's data page, its observations in the API,
    the national report it feeds."""
    user = auth.current_user(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(_vlr, engine, vlr_id)
    require_read(user, doc)

    def build() -> bytes:
        out = vlr_json(doc)
        out["attachments"] = [attachment_json(a) for a in registry.list_attachments(engine, doc.id)]
        feeds = doc.metadata.get("feeds_report_id")
        out["links"] = {
            "city_page": f"/en/area/{doc.area_code}" if doc.area_code else None,
            "observations": f"{_BASE}/observations?area={doc.area_code}" if doc.area_code
            else None,
            "country_page": f"/en/area/{doc.country_code}" if doc.country_code else None,
            "national_report": f"{_BASE}/reports/{feeds}" if feeds else None,
            "source": doc.metadata.get("source_url"),
            "page": f"/en/vlrs/{doc.id}",
        }  # fmt: skip
        return json_body({"data": out})

    public = user is None and doc.status == "published"
    return await public_or_private(request, build, public=public)


# -- writes --------------------------------------------------------------------------------------

_FIELDS = ("title", "government", "level", "country", "area", "year", "linked_vnr",
           "source_url", "feeds_report_id", "summary")  # fmt: skip
_LISTS = ("languages", "sdgs")


def _validated(values: dict[str, Any]) -> VlrIn:
    try:
        return VlrIn(**{k: v for k, v in values.items() if v not in ("", None)})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "body." + ".".join(str(p) for p in first["loc"])
        raise ApiError(422, f"invalid {where}: {first['msg']}", where=where,
                       fix="see the fields at /docs (POST /api/v1/vlrs)") from exc  # fmt: skip


@router.post(
    "/vlrs",
    summary="Register a Voluntary Local Review",
    status_code=201,
    responses={**UPLOAD_ERRORS, **answer(data_model("VlrCreated", DocumentOut), "Created", 201)},
    openapi_extra=multipart_body(
        {
            "title": {"type": "string"},
            "government": {"type": "string", "example": "Lagos State Government"},
            "level": {"type": "string", "enum": ["local", "regional"]},
            "country": {"type": "string", "example": "566"},
            "area": {"type": "string", "example": "ng_lagos"},
            "year": {"type": "integer", "example": 2025},
            "languages": {"type": "string", "description": "comma-separated, e.g. en,fr"},
            "sdgs": {"type": "string", "description": "comma-separated goals, e.g. 6,11,13"},
            "linked_vnr": {"type": "string"},
            "source_url": {"type": "string"},
            "feeds_report_id": {"type": "integer"},
            "summary": {"type": "string"},
            "file": {"type": "string", "format": "binary", "description": "PDF or DOCX"},
        },
        ["title", "government", "country", "year", "languages"],
    ),
)
async def register(request: Request, user: Writer) -> Response:
    """A form with the metadata and, optionally, the review itself (PDF or DOCX, at most
    25 MiB; its text is extracted and indexed for search)."""
    engine = engine_of(request)
    values, file = await read_form(request, fields=_FIELDS, list_fields=_LISTS)
    body = _validated(values)
    country = country_code(request, body.country, "body.country")
    city = _city(request, body.area, country) if body.area else None
    permissions.require(user, "vlr.create", area_code=city)
    doc = await run_in_threadpool(
        lambda: registry.register_vlr(
            engine, user, title=body.title, government=body.government, level=body.level,
            country_code=country, area_code=city, year=body.year, languages=body.languages,
            sdgs=body.sdgs, linked_vnr=body.linked_vnr, source_url=body.source_url,
            feeds_report_id=body.feeds_report_id, summary=body.summary, file=file,
        )
    )  # fmt: skip
    return written(request, {"data": vlr_json(doc)}, 201, location=f"{_BASE}/vlrs/{doc.id}")


@router.patch(
    "/vlrs/{vlr_id}",
    summary="Change a VLR's metadata",
    responses={**WRITE_ERRORS, **answer(data_model("VlrChanged", DocumentOut))},
)
async def change(
    request: Request, user: Writer, vlr_id: Annotated[int, _ID], body: VlrPatch
) -> Response:
    """A new version of the metadata (the old one stays in the history)."""
    engine = engine_of(request)
    doc = await run_in_threadpool(_vlr, engine, vlr_id)
    permissions.require(user, "vlr.edit", doc)
    changes = body.model_dump(exclude_unset=True)
    base_version = changes.pop("base_version", None)
    note = changes.pop("note", None)
    if not changes:
        raise ApiError(422, "nothing to change", where="body",
                       fix="give at least one field, e.g. {\"summary\": \"…\"}")  # fmt: skip
    doc = await run_in_threadpool(
        lambda: registry.update_vlr_metadata(
            engine, user, doc.id, base_version=base_version, note=note, **changes
        )
    )
    return written(request, {"data": vlr_json(doc)})


@router.post(
    "/vlrs/{vlr_id}/withdraw",
    summary="Withdraw a VLR (nothing is deleted)",
    responses={**WRITE_ERRORS, **answer(data_model("VlrWithdrawn", DocumentOut))},
)
async def withdraw(
    request: Request, user: Writer, vlr_id: Annotated[int, _ID], body: WithdrawIn
) -> Response:
    """The VLR leaves the registry's lists and search; it stays readable by its id, with
    the note, and its audit log says who withdrew it.  The city's local focal point or an
    administrator."""
    engine = engine_of(request)
    doc = await run_in_threadpool(_vlr, engine, vlr_id)
    permissions.require(user, "vlr.withdraw", doc)
    doc = await run_in_threadpool(
        lambda: registry.withdraw_vlr(engine, user, doc.id, note=body.note)
    )
    return written(request, {"data": vlr_json(doc)})


@router.post(
    "/vlrs/{vlr_id}/attachments",
    summary="Add a file (PDF or DOCX) to a VLR",
    status_code=201,
    responses={**UPLOAD_ERRORS, **answer(data_model("VlrAttached", AttachmentOut), "Created", 201)},
    openapi_extra=attach_form(section=False),
)
async def add_vlr_attachment(
    request: Request, user: Writer, vlr_id: Annotated[int, _ID]
) -> Response:
    """A PDF or DOCX (multipart field ``file``, at most 25 MiB, checked by its content),
    its text extracted and indexed for search.  Send the ``X-CSRF-Token`` header with a
    session cookie.  The city's local focal point or an administrator."""
    engine = engine_of(request)
    doc = await run_in_threadpool(_vlr, engine, vlr_id)
    permissions.require(user, "vlr.edit", doc)
    return await attach(request, user, doc, section=False)


refuse_other_methods(router)
