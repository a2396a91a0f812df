"""``/api/v1/search``: full-text search over the passages of every public report, VLR and
reference document, ranked, with highlighted snippets and filters.

Only public passages are indexed (a draft is indexed when published), so the answer is the
same for every caller and is cached like the data (keyed on the reporting version).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from urbanagenda.reporting import search as engine_search
from urbanagenda.reporting.model import Hit, SearchFilters
from urbanagenda.web.api._reporting import (
    answer,
    country_code,
    engine_of,
    public_or_private,
)
from urbanagenda.web.api.common import json_body, resolve_areas, store_of
from urbanagenda.web.errors import ApiError

router = APIRouter(tags=["search"])

_BASE = "/api/v1"
#: Where a hit's document is read: reports and VLRs have their resources; the library's
#: reference documents (the seed document) their page.
_URLS = {"national_report": f"{_BASE}/reports/{{id}}", "vlr": f"{_BASE}/vlrs/{{id}}",
         "reference": "/en/reports/{id}"}  # fmt: skip


class HitDocument(BaseModel):
    id: int
    title: str
    kind: str = Field(examples=["national_report"])
    url: str


class HitPassage(BaseModel):
    id: int
    section: str | None = Field(description="the report section the passage is in")
    language: str


class HitOut(BaseModel):
    document: HitDocument
    passage: HitPassage
    snippet: str = Field(description="escaped text with <mark>…</mark> around the matches")
    score: float
    targets: list[str] = Field(examples=[["11.1"]])
    commitments: list[str]
    country: str | None
    area: str | None
    year: int | None
    is_example: bool


class SearchOut(BaseModel):
    query: str
    total: int
    terms: list[str] = Field(description="the query's terms as indexed")
    related_targets: list[str] = Field(description="SDG 11 targets the query words point to")
    hits: list[HitOut]
    links: dict[str, str | None]


def hit_json(hit: Hit) -> dict[str, object]:
    return {
        "document": {
            "id": hit.document_id,
            "title": hit.document_title,
            "kind": hit.kind,
            "url": _URLS.get(hit.kind, _URLS["national_report"]).format(id=hit.document_id),
        },
        "passage": {"id": hit.passage_id, "section": hit.section_key, "language": hit.language},
        "snippet": hit.snippet_html,
        "score": hit.score,
        "targets": list(hit.targets),
        "commitments": list(hit.commitments),
        "country": hit.country_code,
        "area": hit.area_code,
        "year": hit.year,
        "is_example": hit.is_example,
    }


@router.get(
    "/search",
    summary="Search reports, VLRs and the library",
    responses=answer(SearchOut, "Ranked hits with snippets"),
)
async def search(
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description="words in any language, e.g. slums, 贫民窟, الأحياء الفقيرة",
        ),
    ],
    country: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9]{2,3}$", description="M49 or ISO3, e.g. NGA")
    ] = None,
    area: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9_]{1,64}$", description="a city, e.g. ng_lagos")
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    kind: Annotated[Literal["national_report", "vlr", "reference"] | None, Query()] = None,
    target: Annotated[
        str | None, Query(pattern=r"^11\.[0-9a-c]$", description="an SDG 11 target, e.g. 11.1")
    ] = None,
    language: Annotated[
        str | None, Query(pattern=r"^[a-z]{2,3}$", description="the passage's language")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    """Passages matching every word of ``q`` (ranked; Chinese and Japanese by character
    pairs, Arabic by normalised words), with the filters; ``links.next`` is the next page."""
    if not q.strip():
        raise ApiError(422, "the query is empty", where="query.q", fix="give words to look for")
    store = store_of(request)
    filters = SearchFilters(
        country=country_code(request, country, "query.country") if country else None,
        area=resolve_areas(store, [area])[0] if area else None,
        year=year,
        kind=kind,
        target=target,
        language=language,
    )
    engine = engine_of(request)

    def build() -> bytes:
        results = engine_search.search(engine, q, filters, limit=limit, offset=offset)
        following = None
        if offset + limit < results.total:
            url = request.url.include_query_params(offset=offset + limit)
            following = f"{url.path}?{url.query}"
        return json_body({
            "query": results.query, "total": results.total, "terms": list(results.terms),
            "related_targets": list(results.related_targets),
            "hits": [hit_json(h) for h in results.hits], "links": {"next": following},
        })  # fmt: skip

    return await public_or_private(request, build, public=True)
