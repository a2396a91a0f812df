"""Search ``/{lang}/search?q=...``: areas, indicators and series by name or code.

Area names are searched in the six UN languages at once (the OCHA taxonomy in the area
tables: "nigeria", "Нигерия", "尼日利亚" and "نيجيريا" all find 566), and so are codes (M49,
ISO 3166, city ids).  Indicators and series match on their code or on their name in English
and in the request language.  Results are named in the request language."""

from __future__ import annotations

import contextlib
import unicodedata
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from urbanagenda.errors import DataError
from urbanagenda.web import i18n
from urbanagenda.web.data import WebStore
from urbanagenda.web.i18n import gettext
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


@router.get("/{lang}/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(
    request: Request, lang: str, q: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    check_lang(lang)
    store = store_of(request)
    text = (q or "").strip()
    if not text:
        message = gettext(
            "Type a part of a name or a code: a country (Nigeria, NGA, 566), a region, a city "
            "(Lagos), an indicator (11.1.1, slums) or a series (EN_LND_SLUM)."
        )
        return render(
            request, "search.html", query="", message=message, results=None, cache_seconds=300
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
        )
    results = await run_in_threadpool(search, store, text, lang)
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
    )
