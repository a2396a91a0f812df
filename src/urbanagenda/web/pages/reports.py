"""National progress report pages: the list with its map, a new report (the 2024
modalities) and a report's view.  The section editor, the reviewer's screen, version diffs
and the workflow's forms are :mod:`.report_edit`; the shared helpers :mod:`._reporting`.

Every form posts with the session's CSRF token (checked by ``web.auth.check_csrf``) and is
answered by a redirect (303) to the page that shows the result, so a reload never posts
twice.  Who may do what is ``reporting.permissions``; the backend functions check it again.
A form that cannot be saved (a conflict, bad input) comes back with what the user typed:
nothing entered is lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from urbanagenda.errors import DataError
from urbanagenda.reporting import documents, permissions
from urbanagenda.reporting.model import EDITABLE_STATUSES, MODALITIES, STATUSES, Document, User

# ``api`` before ``auth``: see :mod:`._reporting`
from urbanagenda.web import api, auth  # noqa: F401
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages._reporting import (
    TOPOJSON,
    attachments_of,
    base_context,
    check_visible,
    countries,
    engine_of,
    file_field,
    form_of,
    int_or_none,
    load_report,
    readable,
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


# --------------------------------------------------------------------------- list


def report_map(request: Request, docs: list[Document], lang: str) -> dict[str, Any] | None:
    """A Vega-Lite world map: countries with a published report, coloured by the year of
    the latest one; a click opens it."""
    latest: dict[str, Document] = {}
    for doc in docs:
        if doc.published_version is None or not doc.country_code or doc.year is None:
            continue
        seen = latest.get(doc.country_code)
        if seen is None or (doc.year, doc.id) > (seen.year or 0, seen.id):
            latest[doc.country_code] = doc
    if not latest:
        return None
    store = store_of(request)
    rows = [
        {
            "id": code.zfill(3) if code.isdigit() else code,
            "n": area_name(store, code, lang),
            "y": doc.year,
            "t": doc.title,
            "url": f"/{lang}/reports/{doc.id}",
        }
        for code, doc in sorted(latest.items())
    ]
    geo = {"url": TOPOJSON, "format": {"type": "topojson", "feature": "countries"}}
    years = sorted({doc.year for doc in latest.values() if doc.year is not None})
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
                 "color": {"field": "y", "type": "ordinal", "title": gettext("Year"),
                           "scale": {"domain": years, "scheme": "blues"},
                           "legend": {"orient": "bottom-left", "direction": "horizontal"}},
                 "href": {"field": "url"},
                 "tooltip": [
                     {"field": "n", "title": gettext("Country")},
                     {"field": "y", "title": gettext("Year")},
                     {"field": "t", "title": gettext("Report")},
                 ],
             }},
        ],
    }  # fmt: skip


@router.get("/{lang}/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(
    request: Request,
    lang: str,
    country: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[str | None, Query(max_length=9)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    modality: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    check_lang(lang)
    user = user_of(request)
    engine = engine_of(request)
    everything = documents.list_documents(engine, viewer=user, kind="national_report")
    chosen_status = status if user is not None and status in STATUSES else None
    chosen_modality = modality if modality in MODALITIES else None
    chosen_year = int_or_none(year)
    chosen_country = country or None
    shown = [
        d
        for d in everything
        if (chosen_country is None or d.country_code == chosen_country)
        and (chosen_year is None or d.year == chosen_year)
        and (chosen_status is None or d.status == chosen_status)
        and (chosen_modality is None or d.modality == chosen_modality)
    ]
    shown.sort(
        key=lambda d: (-(d.year or 0), area_name(store_of(request), d.country_code or "", lang))
    )
    published = documents.list_documents(engine, viewer=None, kind="national_report")
    return render(
        request,
        "reports.html",
        docs=shown,
        total=len(everything),
        filters={
            "country": chosen_country or "",
            "year": chosen_year,
            "status": chosen_status or "",
            "modality": chosen_modality or "",
        },
        country_choices=sorted(
            {d.country_code for d in everything if d.country_code},
            key=lambda c: area_name(store_of(request), c, lang),
        ),
        year_choices=sorted({d.year for d in everything if d.year}, reverse=True),
        statuses=STATUSES,
        modalities=MODALITIES,
        map_spec=report_map(request, published, lang),
        may_create=permissions.can(
            user, "report.create", country_code=user.area_code if user else None
        ),
        **base_context(),
    )


# --------------------------------------------------------------------------- new report


def _new_form(
    request: Request,
    user: User,
    lang: str,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    fixed = user.area_code if user.role == "national_focal_point" else None
    return render(
        request,
        "report_new.html",
        status=status,
        cache_seconds=0,
        fixed_country=fixed,
        country_choices=[] if fixed else countries(request, lang),
        modalities=MODALITIES,
        error=error,
        values=values
        or {
            "country": fixed or "",
            "year": datetime.now(UTC).year,
            "modality": "new",
            "title": "",
            "source_text": "",
            "language": lang,
        },
        **base_context(),
    )


@router.get("/{lang}/reports/new", response_class=HTMLResponse, include_in_schema=False)
def new_report_page(request: Request, lang: str) -> HTMLResponse:
    check_lang(lang)
    user = signed_in(request)
    permissions.require(user, "report.create", country_code=user.area_code)
    return _new_form(request, user, lang)


@router.post(
    "/{lang}/reports/new",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def new_report_post(request: Request, lang: str) -> Response:
    check_lang(lang)
    form = await form_of(request)
    try:
        return await _new_report(request, lang, form)
    finally:
        await form.close()  # the spooled files of the upload


async def _new_report(request: Request, lang: str, form: FormData) -> Response:
    from urbanagenda.reporting import modalities

    user = signed_in(request)
    country = user.area_code if user.role == "national_focal_point" else text_field(form, "country")
    values = {
        "country": country or "",
        "year": text_field(form, "year", 9),
        "modality": text_field(form, "modality", 40),
        "title": text_field(form, "title", 500),
        "source_text": text_field(form, "source_text"),
        "language": text_field(form, "language", 5) or lang,
    }
    permissions.require(user, "report.create", country_code=country or None)
    year = int_or_none(str(values["year"]))
    problem = None
    if not country:
        problem = gettext("Choose the country of the report.")
    elif year is None or not 1990 <= year <= 2100:
        problem = gettext("Write the year of the report as four digits, e.g. 2026.")
    elif values["modality"] not in MODALITIES:
        problem = gettext("Choose one of the five ways to start the report.")
    if problem:
        return _new_form(request, user, lang, status=422, error=problem, values=values)
    source_file = await file_field(form, "source_file")
    try:
        doc = await run_in_threadpool(
            modalities.start_report,
            engine_of(request),
            user,
            country_code=str(country),
            year=int(year or 0),  # checked above
            modality=str(values["modality"]),
            title=str(values["title"]).strip() or None,
            language=str(values["language"]),
            source_file=source_file,
            source_text=str(values["source_text"]).strip() or None,
        )
    except (DataError, documents.Conflict, documents.NotFound) as exc:
        code = 413 if getattr(exc, "too_large", False) else 422
        return _new_form(request, user, lang, status=code, error=str(exc), values=values)
    written(request)
    return see_other(f"/{lang}/reports/{doc.id}")


# --------------------------------------------------------------------------- report view


@router.get("/{lang}/documents/{doc_id}", include_in_schema=False)
def document_redirect(request: Request, lang: str, doc_id: int) -> RedirectResponse:
    """Search hits and cited sources link here: the page of the document's kind."""
    check_lang(lang)
    doc = load_report(request, doc_id)
    page = "vlrs" if doc.kind == "vlr" else "reports"
    return RedirectResponse(f"/{lang}/{page}/{doc.id}", status_code=302)


@router.get("/{lang}/reports/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
def report_page(
    request: Request,
    lang: str,
    doc_id: int,
    version: Annotated[str | None, Query(max_length=9)] = None,
) -> Response:
    check_lang(lang)
    engine = engine_of(request)
    user = user_of(request)
    doc = load_report(request, doc_id)
    if doc.kind == "vlr":
        return RedirectResponse(f"/{lang}/vlrs/{doc.id}", status_code=301)
    number = check_visible(user, doc, int_or_none(version))
    shown = documents.get_version(engine, doc.id, number)
    full = readable(user, doc)
    versions = documents.list_versions(engine, doc.id) if full else []
    notes = documents.comments(engine, doc.id) if full else []
    by_section: dict[str | None, list[Any]] = {}
    for note in notes:
        by_section.setdefault(note.section_key, []).append(note)
    previous = None
    if doc.previous_document_id is not None:
        try:
            previous = documents.get_document(engine, doc.previous_document_id)
        except documents.NotFound:
            previous = None
    editable = doc.status in EDITABLE_STATUSES and permissions.can(user, "report.edit", doc)
    return render(
        request,
        "report.html",
        doc=doc,
        version=shown,
        versions=versions,
        full=full,
        comments=by_section,
        events=documents.audit_log(engine, doc.id) if full else [],
        attachments=attachments_of(request, doc),
        previous=previous,
        steps=workflow_steps(user, doc),
        editable=editable,
        may_review=permissions.can(user, "report.review", doc) and doc.kind == "national_report",
        **base_context(),
    )
