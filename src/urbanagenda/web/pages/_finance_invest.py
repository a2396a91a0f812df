"""Capital investment pages: ``/{lang}/finance/invest`` — a project list (an uploaded file, or
the demo's example list), the envelope (a budget over the horizon, or a stored OSR analysis)
and the six weights → the ranking, the plan by year within the envelope, the unfunded
projects and why, the weights' sensitivity and the downloads; ``/{lang}/finance/plans/{id}``,
a stored plan."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from urbanagenda.errors import ValidationFailed
from urbanagenda.finance.model import CRITERIA, DEFAULT_WEIGHTS, PlanInput, PlanResult
from urbanagenda.web import auth
from urbanagenda.web.api._finance_common import (
    example_file,
    may_save,
    rank_input,
    read_plan_upload,
    require_save,
)
from urbanagenda.web.api._reporting import read_form
from urbanagenda.web.errors import ApiError
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages._finance_posts import detail_messages, download_response
from urbanagenda.web.pages._finance_view import (
    chart_labels,
    money,
    plan_view,
    saved_at,
    share,
)
from urbanagenda.web.pages.common import check_lang, render, store_of

__all__ = ["router"]

router = APIRouter()

_FIELDS = ["use_example", "budget", "osr_analysis", *(f"w_{c}" for c in CRITERIA)]


def _number(
    values: dict[str, Any], name: str, errors: dict[str, list[str]], *, whole: bool = False
) -> float | None:
    text = str(values.get(name) or "").strip().replace(" ", "")
    if not text:
        return None
    try:
        number = float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
    except ValueError:
        errors.setdefault(name, []).append(gettext("%(value)s is not a number.", value=text))
        return None
    if number < 0 or (whole and not number.is_integer()):
        errors.setdefault(name, []).append(
            gettext("Give a whole number of at least 1.") if whole
            else gettext("Give a number of at least 0.")
        )  # fmt: skip
        return None
    return number


def _weights(values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, float] | None:
    """The six weights typed (None when all are left blank); all zero is an error."""
    given = {c: _number(values, f"w_{c}", errors) for c in CRITERIA}
    if all(v is None for v in given.values()):
        return None
    weights = {c: (v if v is not None else 0.0) for c, v in given.items()}
    if not any(weights.values()):
        errors.setdefault("w_need", []).append(
            gettext("At least one weight must be above 0; they are rescaled to sum 1.")
        )
        return None
    return weights


def _page(request: Request, **context: Any) -> HTMLResponse:
    from urbanagenda.finance import store as finance_store

    store = store_of(request)
    analyses = finance_store.list_analyses(store.engine)
    context.setdefault("entries", {})
    context.setdefault("errors", {})
    context.setdefault("status", 200)
    result: PlanResult | None = context.get("result")
    user = auth.current_user(request) if request.cookies else None
    can_save = result is not None and may_save(user, store, result.input.area_code, None)
    return render(
        request, "finance_invest.html", analyses=analyses, criteria=CRITERIA,
        default_weights=DEFAULT_WEIGHTS, labels=chart_labels(), money=money, share=share,
        has_example=example_file("projects") is not None, can_save=can_save,
        view=plan_view(result.to_dict()) if result is not None else None,
        cache_seconds=0, **context,
    )  # fmt: skip


@router.get("/{lang}/finance/invest", response_class=HTMLResponse, include_in_schema=False)
def invest_page(request: Request, lang: str) -> HTMLResponse:
    check_lang(lang)
    return _page(request)


def _plan_json(plan: PlanInput) -> str:
    from urbanagenda.finance.invest import dump_plan

    return orjson.dumps(dump_plan(plan)).decode()


@router.post(
    "/{lang}/finance/invest",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def invest_post(request: Request, lang: str) -> HTMLResponse:
    """Rank the list sent (a file, or the example) with the envelope and weights typed."""
    from urbanagenda.finance.files import read_plan_file

    check_lang(lang)
    values, file = await read_form(request, fields=_FIELDS)
    entries = {k: str(v) for k, v in values.items()}
    errors: dict[str, list[str]] = {}
    budget = _number(values, "budget", errors)
    osr = _number(values, "osr_analysis", errors, whole=True)
    weights = _weights(values, errors)
    if budget is not None and osr is not None:
        errors.setdefault("budget", []).append(
            gettext("Give a budget or choose a stored analysis, not both.")
        )
    plan: PlanInput | None = None
    try:
        if file is not None and file[1]:
            plan = await run_in_threadpool(read_plan_upload, *file)
        elif values.get("use_example") and example_file("projects") is not None:
            plan = await run_in_threadpool(read_plan_file, example_file("projects"))  # type: ignore[arg-type]
        else:
            errors.setdefault("file", []).append(
                gettext("Choose a project list file, or use the example list.")
            )
    except ApiError as exc:
        if exc.status != 400:
            raise
        errors.setdefault("file", []).extend(detail_messages(exc))
    if errors or plan is None:
        return _page(request, entries=entries, errors=errors, status=400)
    if weights is not None:
        plan = replace(plan, weights=weights)
    store = store_of(request)
    try:
        result = await run_in_threadpool(
            lambda: rank_input(store, plan, budget=budget,
                               osr_analysis=int(osr) if osr is not None else None)
        )  # fmt: skip
    except ValidationFailed as exc:
        messages = [i.message + (f" {i.fix}" if i.fix else "") for i in exc.report.issues]
        return _page(request, entries=entries, errors={"file": messages}, status=400)
    return _page(request, entries=entries, result=result, plan_json=_plan_json(result.input))


async def _posted_plan(request: Request, fields: list[str]) -> tuple[PlanInput, dict[str, Any]]:
    from urbanagenda.finance.invest import parse_plan

    values, _ = await read_form(request, fields=["input", *fields])
    try:
        data = orjson.loads(values.get("input") or "")
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return await run_in_threadpool(parse_plan, data), values
    except (ValueError, ValidationFailed) as exc:
        raise ApiError(400, gettext("the project list is missing from the form"),
                       where="form.input", fix=gettext("rank the list again")) from exc  # fmt: skip


@router.post(
    "/{lang}/finance/invest/download",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def invest_download(request: Request, lang: str) -> Response:
    """The ranked plan as JSON, or its summary (PDF, DOCX or HTML)."""
    check_lang(lang)
    plan, values = await _posted_plan(request, ["format", "doc_lang"])
    fmt = values.get("format") or "pdf"
    if fmt not in ("json", "pdf", "docx", "html"):
        raise ApiError(422, gettext("unknown format %(value)r", value=fmt), where="form.format")
    result = await run_in_threadpool(rank_input, store_of(request), plan)
    doc_lang = values.get("doc_lang") or lang
    return await download_response(result, fmt, doc_lang, "urbanagenda-plan")


@router.post(
    "/{lang}/finance/invest/save",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def invest_save(request: Request, lang: str) -> Response:
    from urbanagenda.finance import store as finance_store

    check_lang(lang)
    user = await auth.require_user(request)
    plan, _ = await _posted_plan(request, [])
    store = store_of(request)
    require_save(user, store, plan.area_code, None)
    result = await run_in_threadpool(rank_input, store, plan)
    plan_id = await run_in_threadpool(
        lambda: finance_store.save_plan(store.engine, result, user_id=user.id)
    )
    store.invalidate()
    return RedirectResponse(f"/{lang}/finance/plans/{plan_id}?saved=1", status_code=303)


@router.get("/{lang}/finance/plans/{plan_id}", response_class=HTMLResponse,
            include_in_schema=False)  # fmt: skip
async def stored_plan_page(request: Request, lang: str, plan_id: int) -> HTMLResponse:
    from urbanagenda.finance import store as finance_store

    check_lang(lang)
    store = store_of(request)
    try:
        found = await run_in_threadpool(finance_store.get_plan, store.engine, plan_id)
    except finance_store.NotFound as exc:
        raise ApiError(404, gettext("No stored plan %(id)s.", id=plan_id)) from exc
    return render(
        request, "finance_plan.html", found=found, view=plan_view(found["result"]),
        saved_at=saved_at, criteria=CRITERIA, labels=chart_labels(), money=money, share=share,
        saved=request.query_params.get("saved"),
    )  # fmt: skip
