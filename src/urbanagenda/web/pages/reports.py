"""National progress report pages: the list with its map, a new report (the 2024
modalities), a report's view, the section editor, the reviewer's screen and version diffs.

Every form posts with the session's CSRF token (checked by ``web.auth.check_csrf``) and is
answered by a redirect (303) to the page that shows the result, so a reload never posts
twice.  Who may do what is ``reporting.permissions``; the backend functions check it again.
A form that cannot be saved (a conflict, bad input) comes back with what the user typed:
nothing entered is lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from urbanagenda.errors import DataError
from urbanagenda.reporting import documents, permissions
from urbanagenda.reporting.model import (
    EDITABLE_STATUSES,
    MODALITIES,
    STATUSES,
    Document,
    Section,
    User,
    Version,
)

# the API package before web.auth, which imports web.api.common (whose package imports
# the API modules, which import web.auth): this order keeps the cycle harmless
from urbanagenda.web import api, auth  # noqa: F401
from urbanagenda.web.errors import ApiError
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages.common import area_name, check_lang, render, store_of

__all__ = ["Labels", "router"]

router = APIRouter()

TOPOJSON = "/static/vendor/countries-110m.json"
MAX_FORM_FIELDS = 400
MAX_FORM_FILES = 4


# --------------------------------------------------------------------------- labels


class Labels:
    """The reporting platform's codes in the request language (gettext messages, so that
    ``scripts/i18n.sh`` extracts them)."""

    @staticmethod
    def status(code: str | None) -> str:
        names = {
            "draft": gettext("Draft"),
            "submitted": gettext("Submitted"),
            "in_review": gettext("In review"),
            "returned": gettext("Returned"),
            "published": gettext("Published"),
            "withdrawn": gettext("Withdrawn"),
        }
        return names.get(code or "", code or "")

    @staticmethod
    def modality(code: str | None) -> str:
        names = {
            "new": gettext("New report"),
            "update": gettext("Update of the previous report"),
            "national_urban_forum": gettext("From a national urban forum"),
            "vnr": gettext("From a Voluntary National Review"),
            "vlrs": gettext("From the country's Voluntary Local Reviews"),
        }
        return names.get(code or "", code or "")

    @staticmethod
    def modality_help(code: str) -> str:
        helps = {
            "new": gettext("Start from the empty template of the reporting guidelines (May 2024)."),
            "update": gettext(
                "Start from the last published report of the country: its text, good "
                "practices and indicators are copied for you to update, and the changes "
                "are shown against it."
            ),
            "national_urban_forum": gettext(
                "Paste or upload the outcome document of a national urban forum: its "
                "passages go to the sections they speak of, each citing its source."
            ),
            "vnr": gettext(
                "Paste or upload the country's Voluntary National Review: its passages on "
                "cities go to the matching sections, each citing its source."
            ),
            "vlrs": gettext(
                "Start from the Voluntary Local Reviews of the country's cities registered "
                "here: their passages and the cities' indicators pre-fill the sections."
            ),
        }
        return helps.get(code, "")

    @staticmethod
    def role(code: str | None) -> str:
        names = {
            "administrator": gettext("Administrator"),
            "reviewer": gettext("Reviewer"),
            "national_focal_point": gettext("National focal point"),
            "local_focal_point": gettext("Local focal point"),
        }
        return names.get(code or "", code or gettext("Public"))

    @staticmethod
    def kind(code: str | None) -> str:
        names = {
            "national_report": gettext("National report"),
            "vlr": gettext("Voluntary Local Review"),
            "reference": gettext("Reference document"),
        }
        return names.get(code or "", code or "")

    @staticmethod
    def action(code: str | None) -> str:
        names = {
            "create": gettext("created"),
            "edit": gettext("edited"),
            "submit": gettext("submitted"),
            "start_review": gettext("started the review"),
            "comment": gettext("commented"),
            "return": gettext("returned"),
            "publish": gettext("published"),
            "withdraw": gettext("withdrew"),
            "attach": gettext("attached a file"),
            "register": gettext("registered"),
        }
        return names.get(code or "", (code or "").replace("_", " "))

    @staticmethod
    def level(code: str | None) -> str:
        names = {"local": gettext("Local government"), "regional": gettext("Regional government")}
        return names.get(code or "", code or "")

    @staticmethod
    def section(section: Section | Any) -> str:
        return section_title(getattr(section, "key", ""), getattr(section, "title", ""))


def section_title(key: str, english: str) -> str:
    """A template section's title in the request language (English where none)."""
    titles = {
        "introduction": gettext("Introduction and reporting process"),
        "social_inclusion": gettext(
            "Sustainable urban development for social inclusion and ending poverty"
        ),
        "urban_prosperity": gettext(
            "Sustainable and inclusive urban prosperity and opportunities for all"
        ),
        "environmental_resilience": gettext(
            "Environmentally sustainable and resilient urban development"
        ),
        "urban_governance": gettext(
            "Building the urban governance structure: establishing a supportive framework"
        ),
        "spatial_development": gettext("Planning and managing urban spatial development"),
        "means_of_implementation": gettext("Means of implementation"),
        "follow_up_review": gettext("Follow-up and review"),
        "indicator_annex": gettext("Indicator annex"),
    }
    # a title the template changed is shown as the template writes it, not with an old
    # translation
    if key in titles and english and english != _ENGLISH_TITLES.get(key, english):
        return english
    return titles.get(key) or english or key


_ENGLISH_TITLES = {
    "introduction": "Introduction and reporting process",
    "social_inclusion": "Sustainable urban development for social inclusion and ending poverty",
    "urban_prosperity": "Sustainable and inclusive urban prosperity and opportunities for all",
    "environmental_resilience": "Environmentally sustainable and resilient urban development",
    "urban_governance": (
        "Building the urban governance structure: establishing a supportive framework"
    ),
    "spatial_development": "Planning and managing urban spatial development",
    "means_of_implementation": "Means of implementation",
    "follow_up_review": "Follow-up and review",
    "indicator_annex": "Indicator annex",
}

#: The workflow steps a page offers, in the order of the buttons.
WORKFLOW = ("submit", "start_review", "return", "publish", "withdraw")
_FROM = {
    "submit": ("draft", "returned"),
    "start_review": ("submitted",),
    "return": ("in_review",),
    "publish": ("in_review",),
    "withdraw": ("draft", "returned", "published"),
}
_ACTION_RIGHT = {
    "submit": "report.submit",
    "start_review": "report.review",
    "return": "report.review",
    "publish": "report.review",
    "withdraw": "report.withdraw",
}


def step_label(action: str) -> str:
    names = {
        "submit": gettext("Submit for review"),
        "start_review": gettext("Start the review"),
        "return": gettext("Return to the focal point"),
        "publish": gettext("Publish"),
        "withdraw": gettext("Withdraw"),
    }
    return names[action]


def workflow_steps(user: User | None, doc: Document) -> list[str]:
    """The steps ``user`` may take on ``doc`` now."""
    right = {"national_report": "report", "vlr": "vlr"}.get(doc.kind)
    if right is None:
        return []
    return [
        a
        for a in WORKFLOW
        if doc.status in _FROM[a]
        and (
            permissions.can(user, _ACTION_RIGHT[a], doc)
            if right == "report"
            else a == "withdraw" and permissions.can(user, "vlr.withdraw", doc)
        )
    ]


# --------------------------------------------------------------------------- helpers


def engine_of(request: Request) -> Any:
    return store_of(request).engine


def user_of(request: Request) -> User | None:
    return auth.current_user(request)


def signed_in(request: Request) -> User:
    """The user, or the sign-in page (``Unauthenticated`` is a redirect for pages)."""
    user = user_of(request)
    if user is None:
        raise permissions.Unauthenticated(gettext("Sign in to use this page."))
    return user


async def form_of(request: Request) -> FormData:
    return await request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS)


def text_field(form: FormData, name: str, limit: int = 200_000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


async def file_field(form: FormData, name: str) -> tuple[str, bytes] | None:
    """The uploaded file ``name`` as (name, bytes), or None."""
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        data = await value.read()
        if data:
            return value.filename, data
    return None


def int_or_none(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def written(request: Request) -> None:
    """After a change: the next page (and the shared cache) sees it at once."""
    store_of(request).invalidate()


def safe_local(url: str | None, default: str) -> str:
    """``url`` when it is a path of this site (``/en/reports``), else ``default``: never
    an absolute (``https://evil``), protocol-relative (``//evil``) or backslashed address."""
    text = (url or "").strip()
    if (
        not text.startswith("/")
        or text.startswith(("//", "/\\"))
        or "\\" in text
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in text)
        or len(text) > 2000
    ):
        return default
    return text


def countries(request: Request, lang: str) -> list[tuple[str, str]]:
    """(code, name) of every country, by name in ``lang``."""
    store = store_of(request)
    names = store.area_names(lang)
    codes = [c for c, k in store.area_kinds().items() if k == "country"]
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda p: p[1])


def load_report(request: Request, doc_id: int) -> Document:
    doc = documents.get_document(engine_of(request), doc_id)
    return doc


def readable(user: User | None, doc: Document) -> bool:
    """Whether ``user`` reads every version of ``doc`` (drafts, reviews, audit log)."""
    if doc.kind == "vlr":
        return permissions.can(user, "vlr.edit", doc)
    return permissions.can(user, "report.read", doc)


def check_visible(user: User | None, doc: Document, number: int | None) -> int:
    """The version number ``user`` sees (``number`` or the default one), or 401/403."""
    if readable(user, doc):
        return number or doc.current_version
    if doc.published_version is not None and number in (None, doc.published_version):
        return doc.published_version
    if user is None:
        raise permissions.Unauthenticated(gettext("Sign in to read this version."))
    raise permissions.Forbidden(
        gettext("Only the published version of this report is open to you.")
    )


def template_section(doc: Document, key: str) -> Any:
    """The template's section ``key`` (guidance, targets, suggested series), or None."""
    from urbanagenda.reporting.template import CURRENT_TEMPLATE, load_template

    try:
        template = load_template(doc.template_version or CURRENT_TEMPLATE)
    except Exception:  # an unknown template version: the page still shows the report
        return None
    return next((s for s in template.sections if s.key == key), None)


def base_context() -> dict[str, Any]:
    from urbanagenda.reporting.markdown import render_markdown

    return {
        "labels": Labels,
        "markdown": render_markdown,
        "step_label": step_label,
        "datetime_text": datetime_text,
    }


def datetime_text(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def attachments_of(request: Request, doc: Document) -> list[Any]:
    from urbanagenda.reporting import vlrs

    try:
        return vlrs.list_attachments(engine_of(request), doc.id)
    except NotImplementedError:  # pragma: no cover - while the module is a stub
        return []


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


@router.post(
    "/{lang}/reports/{doc_id}/transition",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def transition_post(request: Request, lang: str, doc_id: int) -> Response:
    check_lang(lang)
    user = signed_in(request)
    form = await form_of(request)
    action = text_field(form, "action", 20)
    if action not in WORKFLOW:
        raise ApiError(
            422,
            gettext(
                "Unknown step %(action)s; the steps are %(steps)s.",
                action=action[:20],
                steps=", ".join(WORKFLOW),
            ),
            where="form.action",
        )
    note = text_field(form, "note", 10_000).strip() or None
    doc = await run_in_threadpool(load_report, request, doc_id)
    if doc.kind == "vlr":
        from urbanagenda.reporting import vlrs

        if action != "withdraw":
            raise documents.Conflict(gettext("A local review can only be withdrawn."))
        await run_in_threadpool(
            lambda: vlrs.withdraw_vlr(engine_of(request), user, doc_id, note=note)
        )
    else:
        await run_in_threadpool(
            documents.transition, engine_of(request), user, doc_id, action, note=note
        )
    written(request)
    back = safe_local(text_field(form, "next", 2000), f"/{lang}/reports/{doc_id}")
    return see_other(back)


# --------------------------------------------------------------------------- section editor


def _section_of(version: Version, key: str) -> Section:
    section = version.section(key)
    if section is None:
        raise documents.NotFound(gettext("The report has no section %(key)s.", key=key[:64]))
    return section


def _editor(
    request: Request,
    doc: Document,
    version: Version,
    section: Section,
    *,
    status: int = 200,
    narrative: str | None = None,
    series: list[str] | None = None,
    practices: list[dict[str, Any]] | None = None,
    note: str = "",
    error: str | None = None,
    conflict: dict[str, Any] | None = None,
) -> HTMLResponse:
    guide = template_section(doc, section.key)
    linked = [str(i.get("series")) for i in section.indicators if i.get("series")]
    suggested = list(dict.fromkeys([*(guide.series if guide else ()), *linked]))
    chosen = series if series is not None else linked
    comments = [
        c for c in documents.comments(engine_of(request), doc.id) if c.section_key == section.key
    ]
    return render(
        request,
        "section_edit.html",
        status=status,
        cache_seconds=0,
        doc=doc,
        version=version,
        section=section,
        guide=guide,
        narrative=section.narrative if narrative is None else narrative,
        suggested=[s for s in suggested if s],
        chosen=set(chosen),
        practices=list(section.good_practices) if practices is None else practices,
        note=note,
        error=error,
        conflict=conflict,
        section_comments=comments,
        **base_context(),
    )


@router.get(
    "/{lang}/reports/{doc_id}/sections/{key}/edit",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def section_edit_page(request: Request, lang: str, doc_id: int, key: str) -> HTMLResponse:
    check_lang(lang)
    user = signed_in(request)
    doc = load_report(request, doc_id)
    permissions.require(user, "report.edit", doc)
    if doc.status not in EDITABLE_STATUSES:
        raise documents.Conflict(
            gettext(
                "The report is %(status)s: its sections can be edited in draft or when "
                "returned by the reviewer.",
                status=Labels.status(doc.status),
            )
        )
    version = documents.get_version(engine_of(request), doc.id)
    return _editor(request, doc, version, _section_of(version, key))


def _practices(form: FormData) -> list[dict[str, str]]:
    titles, texts = form.getlist("gp_title"), form.getlist("gp_text")
    out = []
    for title, text in zip(titles, texts, strict=False):
        t = title.strip() if isinstance(title, str) else ""
        x = text.strip() if isinstance(text, str) else ""
        if t or x:
            out.append({"title": t[:500], "text": x[:20_000]})
    return out


@router.post(
    "/{lang}/reports/{doc_id}/sections/{key}/edit",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def section_edit_post(request: Request, lang: str, doc_id: int, key: str) -> Response:
    check_lang(lang)
    user = signed_in(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(load_report, request, doc_id)
    permissions.require(user, "report.edit", doc)
    form = await form_of(request)
    narrative = text_field(form, "narrative").replace("\r\n", "\n")
    series = [s[:64] for s in form.getlist("series") if isinstance(s, str) and s][:50]
    practices = _practices(form)
    note = text_field(form, "note", 2000).strip()
    base = int_or_none(text_field(form, "base_version", 9))
    try:
        if base is None:
            raise DataError(gettext("The form lost its version number; open the editor again."))
        await run_in_threadpool(
            lambda: documents.save_section(
                engine,
                user,
                doc.id,
                key,
                base_version=base,
                narrative=narrative,
                good_practices=practices,
                indicator_series=series,
                note=note or None,
            )
        )
    except documents.Conflict as exc:
        current = await run_in_threadpool(documents.get_version, engine, doc.id)
        doc = await run_in_threadpool(load_report, request, doc_id)
        section = _section_of(current, key)
        return _editor(
            request,
            doc,
            current,
            section,
            status=409,
            narrative=narrative,
            series=series,
            practices=practices,
            note=note,
            error=str(exc),
            conflict={"version": current.number, "narrative": section.narrative, "base": base},
        )
    except DataError as exc:
        current = await run_in_threadpool(documents.get_version, engine, doc.id, base)
        return _editor(
            request,
            doc,
            current,
            _section_of(current, key),
            status=422,
            narrative=narrative,
            series=series,
            practices=practices,
            note=note,
            error=str(exc),
        )
    written(request)
    return see_other(f"/{lang}/reports/{doc.id}#section-{key}")


# --------------------------------------------------------------------------- review


@router.get("/{lang}/reports/{doc_id}/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request, lang: str, doc_id: int) -> HTMLResponse:
    check_lang(lang)
    user = signed_in(request)
    engine = engine_of(request)
    doc = load_report(request, doc_id)
    permissions.require(user, "report.review", doc)
    version = documents.get_version(engine, doc.id)
    by_section: dict[str | None, list[Any]] = {}
    for note in documents.comments(engine, doc.id):
        by_section.setdefault(note.section_key, []).append(note)
    return render(
        request,
        "review.html",
        cache_seconds=0,
        doc=doc,
        version=version,
        comments=by_section,
        steps=workflow_steps(user, doc),
        may_comment=doc.status == "in_review",
        **base_context(),
    )


@router.post(
    "/{lang}/reports/{doc_id}/comments",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def comment_post(request: Request, lang: str, doc_id: int) -> Response:
    check_lang(lang)
    user = signed_in(request)
    form = await form_of(request)
    body = text_field(form, "body", 20_000).strip()
    key = text_field(form, "section_key", 64) or None
    if not body:
        raise ApiError(
            422,
            gettext("The comment is empty: write it in the box, then send it."),
            where="form.body",
        )
    await run_in_threadpool(
        lambda: documents.add_comment(engine_of(request), user, doc_id, body, section_key=key)
    )
    written(request)
    anchor = f"#review-{key}" if key else ""
    return see_other(f"/{lang}/reports/{doc_id}/review{anchor}")


# --------------------------------------------------------------------------- diff


@router.get("/{lang}/reports/{doc_id}/diff", response_class=HTMLResponse, include_in_schema=False)
def diff_page(
    request: Request,
    lang: str,
    doc_id: int,
    from_: Annotated[str | None, Query(alias="from", max_length=9)] = None,
    to: Annotated[str | None, Query(max_length=9)] = None,
    against: Annotated[str | None, Query(max_length=9)] = None,
) -> HTMLResponse:
    """Version ``from`` → ``to`` of the report, or version ``from`` of the report
    ``against`` (the previous report, for an update) → version ``to`` of this one."""
    check_lang(lang)
    engine = engine_of(request)
    user = user_of(request)
    doc = load_report(request, doc_id)
    other_id = int_or_none(against)
    other = documents.get_document(engine, other_id) if other_id is not None else None
    b = check_visible(user, doc, int_or_none(to))
    source = other or doc
    default_a = (
        (other.published_version or other.current_version) if other is not None else max(b - 1, 1)
    )
    a = check_visible(user, source, int_or_none(from_) or default_a)
    sections = documents.diff_versions(engine, doc.id, a, b, other_document_id=other_id)
    return render(
        request,
        "diff.html",
        doc=doc,
        other=other,
        a=a,
        b=b,
        sections=sections,
        versions=documents.list_versions(engine, doc.id) if readable(user, doc) else [],
        query=None,
        link=lambda **params: f"/{lang}/reports/{doc.id}/diff?{urlencode(params)}",
        **base_context(),
    )
