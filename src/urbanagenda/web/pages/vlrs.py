"""Voluntary Local Review pages: the registry with its filters and map, the registration
form of local focal points (metadata and the review's PDF or DOCX), a review's page
(metadata, links to the city's data and to the national report it feeds, its files, and
the passages extracted from them with the SDG 11 targets they were tagged with), and the
download of a document's files."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from urbanagenda.errors import DataError
from urbanagenda.reporting import documents, permissions, vlrs
from urbanagenda.reporting.model import Document, User
from urbanagenda.web import auth, i18n
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages._reporting import (
    TOPOJSON,
    base_context,
    check_visible,
    countries,
    engine_of,
    file_field,
    form_of,
    int_or_none,
    load_report,
    see_other,
    signed_in,
    text_field,
    user_of,
    workflow_steps,
    written,
)
from urbanagenda.web.pages.common import area_name, check_lang, render, store_of

__all__ = ["router"]

router = APIRouter()

#: Languages a review may be written in, offered on the form (ISO 639-1).
VLR_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es", "pt", "de", "it", "ja", "ko", "id", "tr")
SDGS = tuple(range(1, 18))


def _meta_list(doc: Document, key: str) -> list[Any]:
    value = doc.metadata.get(key) or []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def vlr_map(request: Request, docs: list[Document], lang: str) -> dict[str, Any] | None:
    """Countries with registered reviews, coloured by how many; a click filters the list.

    The store has no coordinates of cities, so the map is of countries."""
    counts: dict[str, int] = {}
    for doc in docs:
        if doc.country_code:
            counts[doc.country_code] = counts.get(doc.country_code, 0) + 1
    if not counts:
        return None
    store = store_of(request)
    rows = [
        {
            "id": code.zfill(3) if code.isdigit() else code,
            "n": area_name(store, code, lang),
            "c": n,
            "url": f"/{lang}/vlrs?country={quote(code)}",
        }
        for code, n in sorted(counts.items())
    ]
    geo = {"url": TOPOJSON, "format": {"type": "topojson", "feature": "countries"}}
    return {
        "width": "container",
        "height": 360,
        "projection": {"type": "equalEarth"},
        "layer": [
            {"data": geo,
             "mark": {"type": "geoshape", "fill": "#e9ecef", "stroke": "#ffffff",
                      "strokeWidth": 0.5}},
            {"data": {"values": rows},
             "transform": [
                 {"lookup": "id", "from": {"data": geo, "key": "id"}, "as": "geo"},
                 {"filter": "isValid(datum.geo)"},
             ],
             "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5,
                      "cursor": "pointer"},
             "encoding": {
                 "shape": {"field": "geo", "type": "geojson"},
                 "color": {"field": "c", "type": "quantitative",
                           "title": gettext("Local reviews"),
                           "scale": {"scheme": "greens", "domainMin": 0},
                           "legend": {"orient": "bottom-left", "direction": "horizontal",
                                      "format": "d"}},
                 "href": {"field": "url"},
                 "tooltip": [
                     {"field": "n", "title": gettext("Country")},
                     {"field": "c", "title": gettext("Local reviews")},
                 ],
             }},
        ],
    }  # fmt: skip


@router.get("/{lang}/vlrs", response_class=HTMLResponse, include_in_schema=False)
def vlrs_page(
    request: Request,
    lang: str,
    country: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[str | None, Query(max_length=9)] = None,
    language: Annotated[str | None, Query(max_length=5)] = None,
    sdg: Annotated[str | None, Query(max_length=2)] = None,
) -> HTMLResponse:
    check_lang(lang)
    user = user_of(request)
    everything = documents.list_documents(engine_of(request), viewer=user, kind="vlr")
    chosen_year, chosen_sdg = int_or_none(year), int_or_none(sdg)
    shown = [
        d
        for d in everything
        if (not country or d.country_code == country)
        and (chosen_year is None or d.year == chosen_year)
        and (not language or language in _meta_list(d, "languages"))
        and (
            chosen_sdg is None or chosen_sdg in [int_or_none(str(s)) for s in _meta_list(d, "sdgs")]
        )
    ]
    store = store_of(request)
    shown.sort(key=lambda d: (-(d.year or 0), d.title))
    return render(
        request,
        "vlrs.html",
        docs=shown,
        total=len(everything),
        filters={
            "country": country or "",
            "year": chosen_year,
            "language": language or "",
            "sdg": chosen_sdg,
        },
        country_choices=sorted(
            {d.country_code for d in everything if d.country_code},
            key=lambda c: area_name(store, c, lang),
        ),
        year_choices=sorted({d.year for d in everything if d.year}, reverse=True),
        language_choices=sorted({str(x) for d in everything for x in _meta_list(d, "languages")}),
        sdgs=SDGS,
        map_spec=vlr_map(request, everything, lang),
        may_create=permissions.can(user, "vlr.create", area_code=user.area_code if user else None),
        language_name=language_name,
        **base_context(),
    )


def language_name(code: str) -> str:
    """A language's name in the request language (Babel's CLDR data)."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(code).get_display_name(i18n.current()) or code)
    except (ValueError, UnknownLocaleError):
        return code


# --------------------------------------------------------------------------- registration


def _city_country(request: Request, user: User) -> str | None:
    if not user.area_code:
        return None
    try:
        return store_of(request).areas.get(user.area_code).country_code
    except (KeyError, DataError):
        return None


def _new_form(
    request: Request,
    user: User,
    lang: str,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    fixed_area = user.area_code if user.role == "local_focal_point" else None
    fixed_country = _city_country(request, user) if fixed_area else None
    country = values.get("country") if values else fixed_country
    reports = [
        d
        for d in documents.list_documents(engine_of(request), viewer=None, kind="national_report")
        if not country or d.country_code == country
    ]
    return render(
        request,
        "vlr_new.html",
        status=status,
        cache_seconds=0,
        fixed_area=fixed_area,
        fixed_country=fixed_country,
        country_choices=[] if fixed_country else countries(request, lang),
        reports=reports,
        vlr_languages=VLR_LANGUAGES,
        sdgs=SDGS,
        language_name=language_name,
        error=error,
        values=values
        or {
            "title": "",
            "government": area_name(store_of(request), fixed_area, lang) if fixed_area else "",
            "level": "local",
            "country": fixed_country or "",
            "area": fixed_area or "",
            "year": datetime.now(UTC).year,
            "languages": [lang],
            "sdgs": [11],
            "linked_vnr": "",
            "source_url": "",
            "feeds": "",
            "summary": "",
        },
        **base_context(),
    )


@router.get("/{lang}/vlrs/new", response_class=HTMLResponse, include_in_schema=False)
def new_vlr_page(request: Request, lang: str) -> HTMLResponse:
    check_lang(lang)
    user = signed_in(request)
    permissions.require(user, "vlr.create", area_code=user.area_code)
    return _new_form(request, user, lang)


@router.post(
    "/{lang}/vlrs/new",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def new_vlr_post(request: Request, lang: str) -> Response:
    check_lang(lang)
    form = await form_of(request)
    try:
        return await _new_vlr(request, lang, form)
    finally:
        await form.close()  # the spooled files of the upload


async def _new_vlr(request: Request, lang: str, form: FormData) -> Response:
    user = signed_in(request)
    fixed = user.role == "local_focal_point"
    values: dict[str, Any] = {
        "title": text_field(form, "title", 500).strip(),
        "government": text_field(form, "government", 300).strip(),
        "level": text_field(form, "level", 20),
        "country": (_city_country(request, user) if fixed else text_field(form, "country", 64))
        or "",
        "area": (user.area_code if fixed else text_field(form, "area", 64).strip()) or "",
        "year": text_field(form, "year", 9),
        "languages": [x[:5] for x in form.getlist("languages") if isinstance(x, str)][:20],
        "sdgs": [n for x in form.getlist("sdgs") if (n := int_or_none(str(x))) in SDGS],
        "linked_vnr": text_field(form, "linked_vnr", 500).strip(),
        "source_url": text_field(form, "source_url", 2000).strip(),
        "feeds": text_field(form, "feeds", 9),
        "summary": text_field(form, "summary", 50_000).strip(),
    }
    permissions.require(user, "vlr.create", area_code=values["area"] or None)
    year = int_or_none(str(values["year"]))
    problem = None
    if not values["title"] or not values["government"]:
        problem = gettext("Write the title of the review and the name of its government.")
    elif not values["country"]:
        problem = gettext("Choose the country of the government.")
    elif year is None or not 1990 <= year <= 2100:
        problem = gettext("Write the year of the review as four digits, e.g. 2026.")
    elif values["level"] not in ("local", "regional"):
        problem = gettext("Choose whether the government is local or regional.")
    elif not values["languages"]:
        problem = gettext("Tick at least one language the review is written in.")
    elif values["source_url"] and not values["source_url"].startswith(("https://", "http://")):
        problem = gettext("The source address must start with https:// or http://.")
    if problem:
        return _new_form(request, user, lang, status=422, error=problem, values=values)
    upload = await file_field(form, "file")
    checked_year = int(year or 0)  # checked above
    try:
        doc = await run_in_threadpool(
            lambda: vlrs.register_vlr(
                engine_of(request),
                user,
                title=values["title"],
                government=values["government"],
                level=values["level"],
                country_code=values["country"],
                area_code=values["area"] or None,
                year=checked_year,
                languages=values["languages"],
                sdgs=values["sdgs"],
                linked_vnr=values["linked_vnr"] or None,
                source_url=values["source_url"] or None,
                feeds_report_id=int_or_none(values["feeds"]),
                summary=values["summary"] or None,
                file=upload,
            )
        )
    except (DataError, documents.Conflict, documents.NotFound) as exc:
        code = 413 if getattr(exc, "too_large", False) else 422
        return _new_form(request, user, lang, status=code, error=str(exc), values=values)
    written(request)
    return see_other(f"/{lang}/vlrs/{doc.id}")


# --------------------------------------------------------------------------- one review


def passages(request: Request, doc_id: int) -> list[dict[str, Any]]:
    """The indexed passages of a document with their tags (what search finds)."""
    from urbanagenda.store import schema as s

    p = s.search_passage
    stmt = (
        select(p.c.id, p.c.text, p.c.language, p.c.targets, p.c.commitments, p.c.attachment_id)
        .where(p.c.document_id == doc_id)
        .order_by(p.c.attachment_id, p.c.ordinal, p.c.id)
    )
    with engine_of(request).connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        {
            "id": r.id,
            "text": r.text,
            "language": r.language,
            "targets": (r.targets or "").split(),
            "commitments": (r.commitments or "").split(),
        }
        for r in rows
    ]


@router.get("/{lang}/vlrs/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
def vlr_page(request: Request, lang: str, doc_id: int) -> Response:
    check_lang(lang)
    user = user_of(request)
    doc = load_report(request, doc_id)
    if doc.kind != "vlr":
        return RedirectResponse(f"/{lang}/reports/{doc.id}", status_code=301)
    check_visible(user, doc, None)
    feeds = None
    feeds_id = int_or_none(str(doc.metadata.get("feeds_report_id") or ""))
    if feeds_id is not None:
        try:
            feeds = documents.get_document(engine_of(request), feeds_id)
        except documents.NotFound:
            feeds = None
        if (
            feeds is not None
            and feeds.published_version is None
            and not permissions.can(user, "report.read", feeds)
        ):
            feeds = None
    store = store_of(request)
    has_area = bool(doc.area_code) and doc.area_code in store.area_kinds()
    return render(
        request,
        "vlr.html",
        doc=doc,
        feeds=feeds,
        has_area=has_area,
        attachments=vlrs.list_attachments(engine_of(request), doc.id),
        passages=passages(request, doc.id),
        languages=_meta_list(doc, "languages"),
        sdgs=_meta_list(doc, "sdgs"),
        steps=workflow_steps(user, doc),
        language_name=language_name,
        **base_context(),
    )


@router.get("/{lang}/attachments/{attachment_id}", include_in_schema=False)
def attachment_download(request: Request, lang: str, attachment_id: int) -> Response:
    """A document's file, for whoever may read the document."""
    check_lang(lang)
    attachment, content = vlrs.attachment_content(engine_of(request), attachment_id)
    doc = documents.get_document(engine_of(request), attachment.document_id)
    check_visible(user_of(request), doc, None)
    name = attachment.filename.replace('"', "").replace("\\", "")
    return Response(
        content,
        media_type=attachment.media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"
            ),
            "Cache-Control": "private, max-age=60",
        },
    )
