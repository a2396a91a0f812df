"""``/api/v1/finance``, capital investment: rank a project list within the fiscal envelope
(``POST /finance/invest/rank``, nothing stored), save plans and read them back, and the
summaries (HTML, PDF, DOCX) of analyses and plans.

The envelope of a ranking is, in this order: a stored OSR analysis (``osr_analysis``, or the
list's own ``envelope.osr_analysis``), else ``budget`` (the total over the horizon), else
the list's ``budget`` or ``budget_by_year``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.errors import DataError, ValidationFailed
from urbanagenda.finance.model import OsrResult, PlanInput, PlanResult
from urbanagenda.web import auth
from urbanagenda.web.api import _finance_docs as docs
from urbanagenda.web.api._finance_common import (
    dumps,
    finance_answer,
    invalid,
    rank_input,
    read_body,
    read_plan_upload,
    require_save,
)
from urbanagenda.web.api._finance_rebuild import rebuild
from urbanagenda.web.api._reporting import Writer, answer, data_model, refuse_other_methods, written
from urbanagenda.web.api.common import Lang, data_response, json_body, page_meta, store_of
from urbanagenda.web.errors import ApiError

__all__ = [
    "DocLang",
    "Format",
    "page_body",
    "parse_plan_body",
    "read_plan",
    "router",
    "saved_answer",
    "stored_plan",
    "summary_response",
]

router = APIRouter()

_ID = Annotated[int, PathParam(ge=1, le=2_000_000_000, description="a stored plan")]
#: A summary's format and language (the summary endpoints of analyses and plans).
Format = Annotated[Literal["pdf", "docx", "html"], Query(description="pdf, docx or html")]
DocLang = Annotated[
    Lang, Query(description="en or zh; fr, es, ru and ar give the English text with a notice")
]
_Budget = Annotated[
    float | None,
    Query(ge=0, le=1e18, description="total envelope over the horizon (local currency), "
          "spread evenly; overrides the list's budget"),
]  # fmt: skip
_OsrAnalysis = Annotated[
    int | None,
    Query(ge=1, le=2_000_000_000, description="a stored OSR analysis giving the envelope"),
]
#: Plan-level fields an uploaded CSV project list cannot hold, sent beside the file.
PLAN_FIELDS = ("name", "area", "currency", "start_year", "horizon", "budget")


async def summary_response(
    result: OsrResult | PlanResult, fmt: str, lang: str, stem: str
) -> Response:
    """The summary of an analysis or a plan as an attachment (``finance.summary``)."""
    from urbanagenda.finance.summary import summary
    from urbanagenda.synthesis.generate import MEDIA_TYPES

    body = await run_in_threadpool(lambda: summary(result, fmt=fmt, lang=lang))
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


def page_body(request: Request, rows: list[dict[str, Any]], page: int, limit: int) -> bytes:
    """A list endpoint's answer: the ``page`` of ``rows`` and its ``meta``."""
    shown = rows[(page - 1) * limit : page * limit]
    return json_body({"data": shown, "meta": page_meta(request, len(rows), page, limit)})


def saved_answer(request: Request, ids: list[int], kind: str) -> Response:
    """``201``: the ids and URLs of what was stored (``kind``: ``osr`` or ``plans``)."""
    urls = [f"/api/v1/finance/{kind}/{i}" for i in ids]
    location = urls[0] if urls else None
    return written(request, {"data": {"ids": ids, "urls": urls}}, 201, location=location)


def parse_plan_body(data: dict[str, Any]) -> PlanInput:
    """A JSON project list through the format's validation (``400`` with every problem)."""
    from urbanagenda.finance.invest import parse_plan

    try:
        return parse_plan(data, file=None)
    except ValidationFailed as exc:
        raise invalid(exc) from exc


def _defaults(values: dict[str, Any]) -> dict[str, Any]:
    """The form's plan-level fields, numbers as numbers (``422`` for one that is not)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value in (None, ""):
            continue
        kind = int if key in ("start_year", "horizon") else float if key == "budget" else str
        try:
            out[key] = kind(value)
        except ValueError as exc:
            raise ApiError(422, f"field {key!r} is not a number: {value!r}", where=f"body.{key}",
                           fix=f"give {key} as a number") from exc  # fmt: skip
    return out


async def read_plan(request: Request) -> tuple[PlanInput, str | None]:
    """The project list a request carries (JSON, or an uploaded file with the plan-level
    fields beside it) and the file's name."""
    data, file, values = await read_body(request, fields=PLAN_FIELDS)
    if data is not None:
        return await run_in_threadpool(parse_plan_body, data), None
    assert file is not None
    name, raw = file
    plan = await run_in_threadpool(read_plan_upload, name, raw, _defaults(values))
    return plan, name


def _check_envelope(budget: float | None, osr_analysis: int | None) -> None:
    if budget is not None and osr_analysis is not None:
        raise ApiError(422, "give budget or osr_analysis, not both", where="query.budget",
                       fix="the envelope is either a budget or a stored OSR analysis")  # fmt: skip


async def _ranked(
    request: Request, budget: float | None, osr_analysis: int | None
) -> tuple[PlanResult, str | None]:
    _check_envelope(budget, osr_analysis)
    plan, name = await read_plan(request)
    store = store_of(request)
    result = await run_in_threadpool(
        lambda: rank_input(store, plan, budget=budget, osr_analysis=osr_analysis)
    )
    return result, name


@router.post(
    "/invest/rank",
    dependencies=[Depends(auth.check_csrf)],
    summary="Rank a project list within the fiscal envelope (nothing is stored)",
    responses={**docs.INPUT_ERRORS, **data_response(docs.PlanResultOut)},
    openapi_extra=docs.body_doc(docs.EXAMPLE_PLAN, "the project list"),
)
async def invest_rank(
    request: Request, budget: _Budget = None, osr_analysis: _OsrAnalysis = None
) -> Response:
    """Scores every project on need (the city's indicator gaps on its SDG targets), reach,
    alignment, readiness, bankability and cost-effectiveness with the list's weights, ranks
    them, fits them into the 5-year envelope and tests the ranking's sensitivity to the
    weights."""
    result, _ = await _ranked(request, budget, osr_analysis)
    return Response(dumps(result.to_dict()), media_type="application/json",
                    headers={"Cache-Control": "no-store"})  # fmt: skip


@router.post(
    "/invest/summary",
    dependencies=[Depends(auth.check_csrf)],
    summary="Rank a project list and write the summary document (nothing is stored)",
    responses={**docs.INPUT_ERRORS, **docs.SUMMARY},
    response_class=Response,
    openapi_extra=docs.body_doc(docs.EXAMPLE_PLAN, "the project list"),
)  # fmt: skip
async def invest_summary(
    request: Request,
    budget: _Budget = None,
    osr_analysis: _OsrAnalysis = None,
    format: Format = "pdf",
    lang: DocLang = "en",
) -> Response:
    """Like ``POST /finance/invest/rank``, answered with the summary document."""
    result, _ = await _ranked(request, budget, osr_analysis)
    return await summary_response(result, format, lang, f"urbanagenda-plan-{lang}")


@router.post(
    "/plans",
    summary="Save a ranked capital investment plan",
    status_code=201,
    responses={**docs.SAVE_ERRORS, **answer(data_model("PlanSaved", docs.SavedOut), "Saved", 201)},
    openapi_extra=docs.body_doc(docs.EXAMPLE_PLAN, "the project list"),
)
async def plan_save(
    request: Request, user: Writer, budget: _Budget = None, osr_analysis: _OsrAnalysis = None
) -> Response:
    """Ranks the list and stores the plan (an identical one is not stored twice; a changed
    one becomes the next version).  Who may: as for analyses (``POST /finance/osr``)."""
    from urbanagenda.finance import store as finance_store

    _check_envelope(budget, osr_analysis)
    plan, name = await read_plan(request)
    store = store_of(request)
    require_save(user, store, plan.area_code, None)
    result = await run_in_threadpool(
        lambda: rank_input(store, plan, budget=budget, osr_analysis=osr_analysis)
    )
    saved = await run_in_threadpool(
        lambda: finance_store.save_plan(store.engine, result, user_id=user.id, source_file=name)
    )
    return saved_answer(request, [saved], "plans")


@router.get(
    "/plans",
    summary="Stored capital investment plans",
    responses=data_response(docs.PlanRow, many=True, meta=True),
)
async def plan_list(
    request: Request,
    area: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.\-]{1,64}$",
                                      description="the plan's city")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:  # fmt: skip
    """The latest version of every stored plan."""
    from urbanagenda.finance import store as finance_store

    store = store_of(request)
    code = store.areas.resolve(area) if area else None
    if area and code is None:
        raise ApiError(422, f"unknown area {area!r}", where="query.area",
                       fix="a city code such as sl_freetown")  # fmt: skip

    def build() -> bytes:
        return page_body(request, finance_store.list_plans(store.engine, area=code), page, limit)

    return await finance_answer(request, build)


def stored_plan(request: Request, plan_id: int) -> dict[str, Any]:
    """A stored plan's row, input and result; ``404`` when there is none."""
    from urbanagenda.finance import store as finance_store

    try:
        return finance_store.get_plan(store_of(request).engine, plan_id)
    except finance_store.NotFound as exc:
        raise ApiError(404, f"no stored plan {plan_id}", where="path.id",
                       fix="list them at /api/v1/finance/plans") from exc  # fmt: skip


@router.get("/plans/{id:int}", summary="A stored plan", responses=data_response(docs.StoredPlanOut))
async def plan_get(request: Request, id: _ID) -> Response:
    """The stored plan: its row, the project list and the ranked result."""
    return await finance_answer(request, lambda: dumps(stored_plan(request, id)))


@router.get(
    "/plans/{id:int}/summary",
    summary="A stored plan as a summary document",
    responses=docs.SUMMARY,
    response_class=Response,
)
async def plan_summary(
    request: Request, id: _ID, format: Format = "pdf", lang: DocLang = "en"
) -> Response:
    """The ranking with its criteria, the plan by year within the envelope, the unfunded
    projects and why, the weights' sensitivity and the needs used."""
    found = await run_in_threadpool(stored_plan, request, id)
    try:
        result = rebuild(PlanResult, found["result"])
    except DataError as exc:
        raise ApiError(500, f"the stored plan cannot be read: {exc}") from exc
    return await summary_response(result, format, lang, f"urbanagenda-plan-{id}-{lang}")


refuse_other_methods(router)
