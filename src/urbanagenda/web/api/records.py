"""``/api/v1/records``: the institutional records — governance bodies and their sessions,
resolutions and decisions, global programmes and their results, funding by year and channel,
contributions — each fact with its citation (the source document and paragraph).

The rows are those of :func:`urbanagenda.synthesis.records.read_records`; multilingual texts
are objects ``{"en": …, "zh": …}``.  Every row gets a ``citation``: the document's code,
title and address, the paragraph, and the page of the document in the platform's library
where it is one of its reference documents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.synthesis.records import Records
from urbanagenda.web.api.common import data_response, json_body, store_of
from urbanagenda.web.api.publications import records_stamp
from urbanagenda.web.data import WebStore

__all__ = ["SECTIONS", "citation", "records_json", "records_of", "router"]

router = APIRouter(tags=["records"])

#: The sections of the records, in reading order.
SECTIONS = ("sources", "bodies", "sessions", "outcomes", "programmes", "results", "funding",
            "contributions")  # fmt: skip
SectionParam = Literal[
    "sources", "bodies", "sessions", "outcomes", "programmes", "results", "funding",
    "contributions",
]  # fmt: skip


def records_of(store: WebStore) -> Records:
    """The records, read once per data version and records load."""
    from urbanagenda.synthesis.records import read_records

    stamp = records_stamp(store)
    return store.computed(("records", stamp), lambda: read_records(store.engine))


def citation(records: Records, row: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    """Where a fact comes from: the document (code, title, address) and the paragraph, and
    the page of the document in the library (``/{lang}/documents/{id}``) if it is there."""
    code = row.get("source_doc")
    source = records.sources.get(str(code), {}) if code else {}
    doc_id = source.get("reference_document_id")
    return {
        "document": code,
        "paragraph": row.get("source_para"),
        "title": source.get("title"),
        "url": source.get("url"),
        "reference_document_id": doc_id,
        "page": f"/{lang}/documents/{doc_id}" if doc_id else None,
    }


def records_json(records: Records) -> dict[str, list[dict[str, Any]]]:
    """Every section as rows, each fact with its ``citation``."""
    out: dict[str, list[dict[str, Any]]] = {"sources": list(records.sources.values())}
    for name in SECTIONS[1:]:
        out[name] = [{**row, "citation": citation(records, row)} for row in getattr(records, name)]
    return out


async def _answer(request: Request, build: Callable[[Records], Any]) -> Response:
    """Like :func:`~urbanagenda.web.api.common.cached`, keyed on the records load as well (a
    records load does not change the data version)."""
    store = store_of(request)
    records = await run_in_threadpool(records_of, store)
    key = ("records", store.version(strict=True), records_stamp(store), request.url.path,
           request.url.query)  # fmt: skip
    hit = store.cache.get(key)
    if hit is None:
        body = json_body({"data": build(records)})
        hit = (body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')
        store.cache.put(key, hit)
    body, etag = hit
    age = request.app.state.settings.cache_max_age
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={age}", "Vary": "Accept-Encoding"}
    match = request.headers.get("if-none-match")
    if match and (match.strip() == "*" or etag in [m.strip() for m in match.split(",")]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


class Citation(BaseModel):
    document: str | None = Field(examples=["A/79/SG-NUA-2024"])
    paragraph: str | None = Field(examples=["6"])
    title: str | None
    url: str | None
    reference_document_id: int | None = Field(description="the document in the library")
    page: str | None = Field(description="its page in the platform, if it is in the library")


class RecordsOut(BaseModel):
    sources: list[dict[str, Any]] = Field(description="documents the facts are taken from")
    bodies: list[dict[str, Any]] = Field(description="governance bodies")
    sessions: list[dict[str, Any]] = Field(description="their sessions, by start date")
    outcomes: list[dict[str, Any]] = Field(description="resolutions, decisions, declarations")
    programmes: list[dict[str, Any]] = Field(description="global programmes")
    results: list[dict[str, Any]] = Field(description="the programmes' results")
    funding: list[dict[str, Any]] = Field(description="income by year and channel")
    contributions: list[dict[str, Any]] = Field(description="contributors by year and channel")


class RecordRow(BaseModel):
    """A row of a section: the table's columns (see docs/api.md) and, for facts, the
    ``citation``."""

    model_config = {"extra": "allow"}
    citation: Citation | None = None


@router.get(
    "/records", summary="Institutional records, every section", responses=data_response(RecordsOut)
)
async def records_index(request: Request) -> Response:
    """Governance bodies and sessions, resolutions and decisions, global programmes and
    their results, funding and contributions; every fact cites its source document and
    paragraph."""
    return await _answer(request, records_json)


@router.get(
    "/records/{section}",
    summary="One section of the institutional records",
    responses=data_response(RecordRow, many=True),
)
async def records_section(
    request: Request,
    section: Annotated[SectionParam, Path(description=", ".join(SECTIONS))],
) -> Response:
    """The rows of one section, in reading order, each fact with its ``citation``."""
    return await _answer(request, lambda records: records_json(records)[section])
