"""Search ``/{lang}/search?q=...``: areas, indicators and series by name or code, and the
passages of reports and local reviews (full text, ranked, with filters and pages).

Area names are searched in the six UN languages at once (the OCHA taxonomy in the area
tables: "nigeria", "Нигерия", "尼日利亚" and "نيجيريا" all find 566), and so are codes (M49,
ISO 3166, city ids).  Indicators and series match on their code or on their name in English
and in the request language.  Results are named in the request language.

Reports and local reviews are searched with :func:`urbanagenda.reporting.search.search`
(the same hits on SQLite and PostgreSQL; Chinese and Arabic queries work): filters by
country, city, year, type, SDG target and language, ``DOC_PAGE`` hits a page."""

from __future__ import annotations

import contextlib
import unicodedata
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from urbanagenda.errors import DataError
from urbanagenda.web import i18n
from urbanagenda.web.data import WebStore
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages._reporting import Labels
from urbanagenda.web.pages.common import (
    area_name,
    check_lang,
    indicator_name,
    render,
    series_name,
    store_of,
)

__all__ = ["MAX_QUERY", "router", "search"]

router = APIRouter()

MAX_QUERY = 100  # the search box's maxlength
SHOWN = 50  # results per group on the page
DOC_PAGE = 10  # hits of reports and local reviews per page
MAX_PAGE = 100

#: Result groups of areas, by kind.
AREA_GROUPS = {
    "country": "countries",
    "world": "regions",
    "sdg_region": "regions",
    "sdg_subregion": "regions",
    "region": "regions",
    "subregion": "regions",
    "intermediate_region": "regions",
    "group": "regions",
    "other_group": "regions",
    "city": "cities",
}


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def search(store: WebStore, text: str, lang: str) -> dict[str, Any]:
    """Matching area codes by group, indicator codes and series codes (best first)."""
    needle = fold(text)
    areas: list[str] = []
    direct = store.areas.resolve(text)
    if direct:
        areas.append(direct)
    with contextlib.suppress(DataError):  # nothing left of the text once folded
        areas.extend(c for c in store.areas.search(text) if c != direct)
    groups: dict[str, list[str]] = {"countries": [], "regions": [], "cities": []}
    kinds = store.area_kinds()
    for code in areas:
        groups[AREA_GROUPS.get(kinds.get(code, ""), "regions")].append(code)

    cat = store.catalogue
    local = i18n.catalogue_names(lang)

    def matches(code: str, english: str, kind: str) -> int | None:
        """0: the code, 1: a name starting with the text, 2: containing it; None: no match."""
        names = [english, local.get(kind, {}).get(code, "")]
        if fold(code) == needle or fold(code).startswith(needle):
            return 0
        folded = [fold(n) for n in names if n]
        if any(n.startswith(needle) for n in folded):
            return 1
        if any(needle in n for n in folded) or needle in fold(code):
            return 2
        return None

    def ranked(items: list[tuple[int | None, int, str]]) -> list[str]:
        return [code for r, _, code in sorted(i for i in items if i[0] is not None)]

    indicators = ranked(
        [
            (matches(i.code, i.name, "indicator"), n, i.code)
            for n, i in enumerate(cat.indicators.values())
        ]
    )
    series = ranked(
        [(matches(s.code, s.name, "series"), n, s.code) for n, s in enumerate(cat.series.values())]
    )
    return {"areas": groups, "indicators": indicators, "series": series}


def document_filters(
    country: str | None,
    city: str | None,
    year: str | None,
    kind: str | None,
    target: str | None,
    language: str | None,
) -> Any:
    """The search's filters from the query string; what is not understood is dropped."""
    from urbanagenda.reporting.model import DOCUMENT_KINDS, SearchFilters

    year_text = (year or "").strip()
    return SearchFilters(
        country=(country or "").strip() or None,
        area=(city or "").strip() or None,
        year=int(year_text) if year_text.isdigit() and len(year_text) == 4 else None,
        kind=kind if kind in DOCUMENT_KINDS else None,
        target=(target or "").strip() or None,
        language=language if language and language.isalpha() and len(language) <= 3 else None,
    )


def search_documents(store: WebStore, text: str, filters: Any, page: int) -> Any:
    """Ranked passages of public reports and local reviews (None while search is not
    available on this database)."""
    from urbanagenda.reporting import search as document_search

    try:
        return document_search.search(
            store.engine, text, filters, limit=DOC_PAGE, offset=(page - 1) * DOC_PAGE
        )
    except NotImplementedError:  # pragma: no cover - before the search module exists
        return None


def document_link(lang: str, hit: Any) -> str:
    if hit.kind == "vlr":
        return f"/{lang}/vlrs/{hit.document_id}"
    anchor = f"#section-{hit.section_key}" if hit.section_key else ""
    return f"/{lang}/reports/{hit.document_id}{anchor}"


@router.get("/{lang}/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(
    request: Request,
    lang: str,
    q: Annotated[str | None, Query()] = None,
    country: Annotated[str | None, Query(max_length=64)] = None,
    city: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[str | None, Query(max_length=9)] = None,
    kind: Annotated[str | None, Query(max_length=24)] = None,
    target: Annotated[str | None, Query(max_length=8)] = None,
    language: Annotated[str | None, Query(max_length=5)] = None,
    page: Annotated[str | None, Query(max_length=4)] = None,
) -> HTMLResponse:
    check_lang(lang)
    store = store_of(request)
    text = (q or "").strip()
    filters = document_filters(country, city, year, kind, target, language)
    page_number = min(max(int(page), 1), MAX_PAGE) if page and page.isdigit() else 1
    shared = {
        "filters": filters,
        "kinds_of_documents": ("national_report", "vlr", "reference"),
        "sdg_targets": [t for t in store.catalogue.targets if t.startswith("11.")],
        "doc_results": None,
        "page": page_number,
        "doc_page": DOC_PAGE,
        "kind_label": Labels.kind,
    }
    if not text:
        message = gettext(
            "Type a part of a name or a code: a country (Nigeria, NGA, 566), a region, a city "
            "(Lagos), an indicator (11.1.1, slums) or a series (EN_LND_SLUM)."
        )
        return render(
            request,
            "search.html",
            query="",
            message=message,
            results=None,
            cache_seconds=300,
            **shared,
        )
    if len(text) > MAX_QUERY:
        message = gettext(
            "The search text has %(n)s characters; at most %(max)s are searched. Type a "
            "shorter part of the name or the code.",
            n=len(text),
            max=MAX_QUERY,
        )
        return render(
            request,
            "search.html",
            status=422,
            query=text[:MAX_QUERY],
            message=message,
            results=None,
            cache_seconds=0,
            **shared,
        )
    results = await run_in_threadpool(search, store, text, lang)
    shared["doc_results"] = await run_in_threadpool(
        search_documents, store, text, filters, page_number
    )
    first_indicator = {
        s.code: next((i for i in s.indicators if i in store.catalogue.indicators), None)
        for s in store.catalogue.series.values()
    }
    total = (
        sum(len(v) for v in results["areas"].values())
        + len(results["indicators"])
        + len(results["series"])
    )
    kinds = store.area_kinds()
    country_of = {
        code: store.areas.get(code).country_code for code in results["areas"]["cities"][:SHOWN]
    }

    def page_link(number: int) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        return f"/{lang}/search?" + urlencode([*params, ("page", str(number))])

    return render(
        request,
        "search.html",
        query=text,
        message=None,
        results=results,
        total=total,
        shown=SHOWN,
        kinds=kinds,
        country_of=country_of,
        first_indicator=first_indicator,
        names={
            "area": lambda c: area_name(store, c, lang),
            "indicator": lambda c: indicator_name(store, c, lang),
            "series": lambda c: series_name(store, c, lang),
        },
        document_link=lambda hit: document_link(lang, hit),
        page_link=page_link,
        # the snippets of reporting.search are escaped text with <mark> around the matched
        # words (its contract, tested there): only because of that may they be shown as HTML
        snippet=lambda hit: Markup(hit.snippet_html),
        **shared,
    )
