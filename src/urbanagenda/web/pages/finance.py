"""Local finance pages (MISSION.md part F): ``/{lang}/finance`` (what the tools do, the stored
analyses and plans, the peers, the templates), the own-source revenue analysis form
``/{lang}/finance/osr`` and its result, stored analyses ``/{lang}/finance/osr/{id}``; the
investment pages are :mod:`._finance_invest`.

The form posts to the page itself; a result page keeps the analysis's input (as JSON in a
hidden field) for the downloads (JSON, or a summary as PDF, DOCX or HTML) and for "Save",
offered to a signed-in user who may save it (:func:`~urbanagenda.web.api._finance_common.
may_save`).  Bad input shows every problem next to its field, with what was typed kept.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from urbanagenda.errors import ValidationFailed
from urbanagenda.finance.model import CHARGE_PERIODS, OsrInput, OsrResult
from urbanagenda.web import auth
from urbanagenda.web.api._finance_common import (
    analyse_input,
    example_file,
    may_save,
    read_osr_upload,
    require_save,
)
from urbanagenda.web.api._reporting import read_form
from urbanagenda.web.errors import ApiError
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages import _finance_form as form
from urbanagenda.web.pages._finance_invest import router as invest_router
from urbanagenda.web.pages._finance_posts import detail_messages, download_response
from urbanagenda.web.pages._finance_view import (
    kind_labels,
    money,
    osr_view,
    part_labels,
    peers_view,
    saved_at,
    share,
    span,
)
from urbanagenda.web.pages.common import check_lang, render, store_of

__all__ = ["router"]

router = APIRouter()

#: What the result page's download form may ask for.
DOWNLOADS = ("json", "pdf", "docx", "html")


def _common() -> dict[str, Any]:
    """What every finance template uses."""
    trend_labels = {
        "actual": gettext("Actual revenue"),
        "potential": gettext("Potential revenue"),
        "gap": gettext("Gap"),
        "efficiency": gettext("Collection efficiency"),
        "osr_per_capita": gettext("Own-source revenue per person"),
        "osr_share_gdp": gettext("Own-source revenue, share of GDP"),
    }
    return {"money": money, "share": share, "span": span, "kinds": kind_labels(),
            "parts": part_labels(), "trend_labels": trend_labels}  # fmt: skip


@router.get("/{lang}/finance", response_class=HTMLResponse, include_in_schema=False)
async def finance_page(request: Request, lang: str) -> HTMLResponse:
    """What the tools do, the stored analyses (the example marked), the peers chart, the
    stored plans and the templates."""
    from urbanagenda.finance import store as finance_store

    check_lang(lang)
    store = store_of(request)

    def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        return (
            finance_store.list_analyses(store.engine),
            finance_store.peers(store.engine),
            finance_store.list_plans(store.engine),
        )

    analyses, peers, plans = await run_in_threadpool(read)
    return render(
        request, "finance.html", analyses=analyses, peers=peers_view(peers, None),
        plans=plans, area_label=lambda code: _area_label(request, code, lang), **_common(),
    )  # fmt: skip


def _area_label(request: Request, code: str | None, lang: str) -> str:
    if not code:
        return ""
    return store_of(request).area_names(lang).get(code, code)


def _form_page(
    request: Request,
    *,
    entries: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    result: OsrResult | None = None,
    input_json: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The form (with what was typed and the problems next to their fields) and, after a
    successful analysis, its result."""

    store = store_of(request)
    user = auth.current_user(request) if request.cookies else None
    view = peers = None
    can_save = False
    if result is not None:
        view = osr_view(result.to_dict())
        inp = result.input
        can_save = may_save(user, store, inp.area_code, inp.country_code)
        peers = _peers_with(store, result, view)
    return render(
        request,
        "finance_osr.html",
        status=status,
        entries=entries or {},
        errors=errors or {},
        rows=form.ROWS,
        fields={
            "pt": form.PT_FIELDS,
            "bl": form.BL_FIELDS,
            "uc": form.UC_FIELDS,
            "ot": form.OT_FIELDS,
        },
        ranged=form.RANGED,
        charge_kinds=form.CHARGE_KINDS,
        periods=CHARGE_PERIODS,
        field_labels=_field_labels(),
        period_labels={"day": gettext("day"), "month": gettext("month"), "year": gettext("year")},
        result=result,
        view=view,
        peers=peers,
        input_json=input_json,
        can_save=can_save,
        has_example=example_file("osr") is not None,
        cache_seconds=0 if result is not None or errors else 300,
        **_common(),
    )


def _field_labels() -> dict[str, str]:
    return {
        "registered": gettext("Registered"),
        "compliant": gettext("Paying"),
        "assessed_value": gettext("Assessed value (average)"),
        "market_value": gettext("Market value (average)"),
        "rate": gettext("Rate"),
        "legislated_rate": gettext("Legislated rate"),
        "estimated": gettext("Estimated number"),
        "fee": gettext("Fee charged (average, per year)"),
        "legislated_fee": gettext("Legislated fee"),
        "users_estimated": gettext("Payers there are"),
        "users_actual": gettext("Payers paying"),
        "periods": gettext("Periods per year"),
    }


def _peers_with(store: Any, result: OsrResult, view: dict[str, Any]) -> dict[str, Any] | None:
    """The stored peers with this analysis's last year in place of its local government's
    stored one: where it would stand."""
    from urbanagenda.finance import store as finance_store

    last = result.years[-1]
    others = finance_store.peers(store.engine, year=last.year)
    rows = [p for p in others if p.get("lg_key") != result.input.key]
    rows.append({"lg_key": result.input.key, "lg_name": result.input.name, "year": last.year,
                 "osr_per_capita_usd": last.fiscal.osr_per_capita_usd,
                 "osr_share_gdp": last.fiscal.osr_share_gdp,
                 "efficiency": view["years"][-1]["total"]["efficiency"], "this": True})  # fmt: skip
    return peers_view(rows, result.input.key)


@router.get("/{lang}/finance/osr", response_class=HTMLResponse, include_in_schema=False)
def osr_form_page(request: Request, lang: str) -> HTMLResponse:
    check_lang(lang)
    return _form_page(request)


def _input_json(inp: OsrInput) -> str:
    from urbanagenda.finance.parse import dump_osr

    return orjson.dumps(dump_osr(inp)).decode()


def _upload_errors(exc: ApiError) -> dict[str, list[str]]:
    return {"": detail_messages(exc) or [exc.message]}


@router.post(
    "/{lang}/finance/osr",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def osr_form_post(request: Request, lang: str) -> HTMLResponse:
    """Analyse what the form carries: an uploaded file, else the fields typed."""
    from urbanagenda.finance.parse import parse_osr

    check_lang(lang)
    store = store_of(request)
    values, file = await read_form(request, fields=[*form.form_names(), "example"])
    entries = {k: str(v) for k, v in values.items()}
    try:
        if file is not None and file[1]:
            inp = await run_in_threadpool(read_osr_upload, *file)
        elif entries.get("example") and example_file("osr") is not None:
            from urbanagenda.finance.files import read_osr_file

            inp = await run_in_threadpool(read_osr_file, example_file("osr"))  # type: ignore[arg-type]
        else:
            built = form.build_osr(entries)
            try:
                inp = await run_in_threadpool(parse_osr, built.data)
            except ValidationFailed as exc:
                errors = form.place_issues(exc.report.issues, built.fields)
                return _form_page(request, entries=entries, errors=errors, status=400)
    except ApiError as exc:
        if exc.status != 400:
            raise
        return _form_page(request, entries=entries, errors=_upload_errors(exc), status=400)
    result = await run_in_threadpool(analyse_input, store, inp)
    return _form_page(request, entries=entries, result=result, input_json=_input_json(inp))


async def _posted_input(request: Request, fields: list[str]) -> tuple[OsrInput, dict[str, Any]]:
    """The analysis a result page's hidden ``input`` carries (as ``dump_osr`` wrote it)."""
    from urbanagenda.finance.parse import parse_osr

    values, _ = await read_form(request, fields=["input", *fields])
    try:
        data = orjson.loads(values.get("input") or "")
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, gettext("the analysis is missing from the form"), where="form.input",
                       fix=gettext("analyse the inputs again on the analysis page"))  # fmt: skip
    try:
        return await run_in_threadpool(parse_osr, data), values
    except ValidationFailed as exc:
        raise ApiError(400, str(exc), where="form.input") from exc


@router.post(
    "/{lang}/finance/osr/download",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def osr_download(request: Request, lang: str) -> Response:
    """The analysed input as JSON, or its summary (PDF, DOCX or HTML) in the page's language
    (``doc_lang``)."""
    check_lang(lang)
    inp, values = await _posted_input(request, ["format", "doc_lang"])
    fmt = values.get("format") or "pdf"
    if fmt not in DOWNLOADS:
        raise ApiError(422, gettext("unknown format %(value)r", value=fmt), where="form.format",
                       fix=", ".join(DOWNLOADS))  # fmt: skip
    doc_lang = values.get("doc_lang") or lang
    result = await run_in_threadpool(analyse_input, store_of(request), inp)
    return await download_response(result, fmt, doc_lang, "urbanagenda-osr")


@router.post(
    "/{lang}/finance/osr/save",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def osr_save(request: Request, lang: str) -> Response:
    """Save the analysed input (a signed-in user allowed to), then show the stored year."""
    from urbanagenda.finance import store as finance_store

    check_lang(lang)
    user = await auth.require_user(request)
    inp, _ = await _posted_input(request, [])
    store = store_of(request)
    require_save(user, store, inp.area_code, inp.country_code)
    result = await run_in_threadpool(analyse_input, store, inp)
    ids = await run_in_threadpool(
        lambda: finance_store.save_analysis(store.engine, result, user_id=user.id)
    )
    store.invalidate()
    return RedirectResponse(f"/{lang}/finance/osr/{ids[-1]}?saved=1", status_code=303)


@router.get("/{lang}/finance/osr/{analysis_id}", response_class=HTMLResponse,
            include_in_schema=False)  # fmt: skip
async def stored_osr_page(request: Request, lang: str, analysis_id: int) -> HTMLResponse:
    """A stored year of an analysis, with the trends across the stored years."""
    from urbanagenda.finance import store as finance_store
    from urbanagenda.web.api.finance import stored_osr_result

    check_lang(lang)
    store = store_of(request)
    try:
        found = await run_in_threadpool(finance_store.get_analysis, store.engine, analysis_id)
    except finance_store.NotFound as exc:
        raise ApiError(404, gettext("No stored analysis %(id)s.", id=analysis_id)) from exc
    result = stored_osr_result(found)
    view = osr_view({**result.to_dict(), "trends": found.get("trends") or []})
    if len(found.get("years") or []) > 1 and view["trend_spec"] is None and found.get("trends"):
        from urbanagenda.finance import charts
        from urbanagenda.web.pages._finance_view import chart_labels

        view["trend_spec"] = charts.trend_spec(found["trends"], labels=chart_labels(),
                                               width="container")  # fmt: skip
    peers = await run_in_threadpool(
        lambda: finance_store.peers(store.engine, year=found["year"], around=analysis_id)
    )
    return render(
        request, "finance_stored.html", found=found, result=result, view=view, saved_at=saved_at,
        peers=peers_view(peers, found.get("lg_key")), saved=request.query_params.get("saved"),
        **_common(),
    )  # fmt: skip


router.include_router(invest_router)
