"""Publications: generate and download the reports the platform writes from its data — the
SDG 11 synthesis, the report of the Secretary-General on the New Urban Agenda and national
report drafts — in English or Chinese, as HTML, PDF or DOCX.

The form sends a plain GET to ``/{lang}/publications/download`` (the file, as an attachment)
or ``/{lang}/publications/view`` (the HTML report in the browser); generation, its cache and
its one-at-a-time limit are those of the API (:mod:`urbanagenda.web.api.publications`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse, Response

from urbanagenda.synthesis.generate import DEFAULT_METHOD, FORMATS
from urbanagenda.synthesis.text import REPORT_LANGUAGES, UN_LANGUAGES
from urbanagenda.web import i18n
from urbanagenda.web.api.publications import (
    Busy,
    check_publication,
    countries_with_data,
    respond,
)
from urbanagenda.web.errors import ApiError
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages.common import area_name, check_lang, render, store_of

__all__ = ["router"]

router = APIRouter()

_WHERE = {"kind": "query.kind", "area": "query.area", "lang": "query.doc_lang",
          "format": "query.format", "method": "query.method"}  # fmt: skip
_Param = Annotated[str | None, Query(max_length=64)]


def kind_labels() -> dict[str, dict[str, str]]:
    """Each report's title and what it holds, in the page's language."""
    return {
        "synthesis": {
            "title": gettext("SDG 11 synthesis report"),
            "about": gettext(
                "Progress towards the targets of SDG 11 worldwide and by region, from the "
                "observations and assessments in the platform."
            ),
        },
        "sg-report": {
            "title": gettext("Report of the Secretary-General on the New Urban Agenda"),
            "about": gettext(
                "The quadrennial report: progress on SDG 11, the governance of UN-Habitat, "
                "its global programmes and its funding, from the data and the institutional "
                "records."
            ),
        },
        "national": {
            "title": gettext("National report draft"),
            "about": gettext(
                "A first draft of a country's report on the New Urban Agenda, with its SDG 11 "
                "indicators, for its focal point to complete."
            ),
        },
    }


def format_labels() -> dict[str, str]:
    return {
        "html": gettext("HTML (web page)"),
        "pdf": gettext("PDF (print)"),
        "docx": gettext("DOCX (Word, to edit)"),
    }


def language_label(code: str) -> str:
    name = i18n.LANGUAGES[code].native if code in i18n.LANGUAGES else code
    if code in REPORT_LANGUAGES:
        return name
    return gettext("%(language)s (English text with a notice)", language=name)


def _pick(value: str | None, default: str) -> str:
    return (value or default).strip()


def _publication(
    request: Request,
    kind: str | None,
    area: str | None,
    doc_lang: str | None,
    fmt: str | None,
    method: str | None,
) -> Any:
    if not kind:
        fix = gettext("one of: %(kinds)s", kinds=", ".join(kind_labels()))
        raise ApiError(422, gettext("choose a report"), where="query.kind", fix=fix)
    return check_publication(
        store_of(request), kind.strip(), (area or "").strip() or None,
        _pick(doc_lang, "en"), _pick(fmt, "pdf"), _pick(method, DEFAULT_METHOD), where=_WHERE,
    )  # fmt: skip


async def _serve(request: Request, pub: Any, inline: bool) -> Response:
    try:
        return await respond(request, pub, inline=inline)
    except Busy as exc:  # the page says so; the API adds Retry-After
        raise ApiError(429, gettext("Too many reports are being generated; try again in a "
                                    "minute."), where=None, fix=None) from exc  # fmt: skip


@router.get("/{lang}/publications", response_class=HTMLResponse, include_in_schema=False)
def publications_page(request: Request, lang: str) -> HTMLResponse:
    check_lang(lang)
    store = store_of(request)
    countries = sorted(
        ((c, area_name(store, c, lang)) for c in countries_with_data(store)), key=lambda p: p[1]
    )
    # one ready-made link per report and language in which it is written
    quick = []
    for kind in ("synthesis", "sg-report"):
        for doc_lang in REPORT_LANGUAGES:
            links = {
                fmt: f"/{lang}/publications/download?"
                + urlencode({"kind": kind, "doc_lang": doc_lang, "format": fmt})
                for fmt in FORMATS
            }
            view = f"/{lang}/publications/view?" + urlencode({"kind": kind, "doc_lang": doc_lang})
            quick.append({"kind": kind, "doc_lang": doc_lang, "links": links, "view": view})
    default_lang = lang if lang in REPORT_LANGUAGES else "en"
    return render(
        request,
        "publications.html",
        kinds=kind_labels(),
        formats=format_labels(),
        languages=[(code, language_label(code)) for code in UN_LANGUAGES],
        report_languages=REPORT_LANGUAGES,
        countries=countries,
        default_country="566" if any(c == "566" for c, _ in countries) else None,
        default_lang=default_lang,
        quick=quick,
        cache_seconds=300,
    )


@dataclass
class _Asked:
    """The query of a download or view link (what the form sends)."""

    kind: _Param = None
    area: _Param = None
    doc_lang: Annotated[str | None, Query(max_length=5)] = None
    format: Annotated[str | None, Query(max_length=8)] = None
    method: Annotated[str | None, Query(max_length=40)] = None


@router.get("/{lang}/publications/download", include_in_schema=False)
async def publication_download(
    request: Request, lang: str, asked: Annotated[_Asked, Depends()]
) -> Response:
    """The report as a file (``Content-Disposition: attachment``)."""
    check_lang(lang)
    a = asked
    pub = _publication(request, a.kind, a.area, a.doc_lang, a.format, a.method)
    return await _serve(request, pub, inline=False)


@router.get("/{lang}/publications/view", include_in_schema=False)
async def publication_view(
    request: Request, lang: str, asked: Annotated[_Asked, Depends()]
) -> Response:
    """The HTML report, shown in the browser (whatever ``format`` the form had)."""
    check_lang(lang)
    a = asked
    pub = _publication(request, a.kind, a.area, a.doc_lang, "html", a.method)
    return await _serve(request, pub, inline=True)
