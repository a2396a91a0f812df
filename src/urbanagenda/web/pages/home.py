"""Home: the global progress chart (SDG 11 targets × SDG regions coloured by status)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from urbanagenda.assess.methods import METHODS
from urbanagenda.assess.progress import load_progress_config
from urbanagenda.web import i18n
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError
from urbanagenda.web.pages.common import check_lang, render, store_of

router = APIRouter()

DEFAULT_METHOD = "unsd-2024"


def headline(store: WebStore) -> dict[str, Any]:
    from urbanagenda.store.progress import headline_values

    return store.computed(("headline",), lambda: headline_values(store.engine))


def progress(store: WebStore, method: str, lang: str) -> Any:
    from urbanagenda.store.progress import global_progress

    lang_for_text = lang if lang in ("en", "zh") else "en"

    def build() -> Any:
        return global_progress(
            store.engine, method=method, language=lang_for_text, headline=headline(store)
        )

    return store.computed(("progress", method, lang_for_text), build)


def check_method(method: str) -> str:
    if method not in METHODS:
        raise ApiError(
            422,
            f"unknown method {method!r}",
            where="query.method",
            fix=f"one of {', '.join(METHODS)}",
        )
    return method


@router.get("/{lang}/", response_class=HTMLResponse, include_in_schema=False)
async def home(
    request: Request, lang: str, method: Annotated[str, Query(max_length=40)] = DEFAULT_METHOD
) -> HTMLResponse:
    check_lang(lang)
    check_method(method)
    store = store_of(request)
    result = await run_in_threadpool(progress, store, method, lang)
    cfg = load_progress_config()
    regions = [str(a) for a in cfg["areas"]]
    chart = result.chart
    rows = []
    for target in chart.index:
        series = next(
            (st.series_code for st in result.stories if st.target == target and st.series_code),
            None,
        )
        indicators = (
            store.catalogue.series[series].indicators
            if series and series in store.catalogue.series
            else ()
        )
        no_target = bool(series) and store.catalogue.series[str(series)].target_2030 is None
        cells = []
        for area in regions:
            status = str(chart.at[target, area]) if area in chart.columns else ""
            label = i18n.status_label(method, status, lang, no_target=no_target)
            cells.append({"area": area, "status": status or None, "label": label})
        rows.append(
            {
                "target": target,
                "series": series,
                "indicator": indicators[0] if indicators else None,
                "cells": cells,
            }
        )
    # the legend: every status shown, labelled as the method labels it, in the page's language
    shown = {c["status"] for r in rows for c in r["cells"] if c["status"]}
    labels = {code: i18n.status_label(method, code, lang) for code in sorted(shown)}
    return render(
        request,
        "home.html",
        method=method,
        methods=list(METHODS),
        regions=regions,
        rows=rows,
        labels=labels,
        summary=result.summary,
        stories=result.stories,
        text_lang=result.language,
    )
