"""``/api/v1/finance``: the local finance tools (MISSION.md part F, METHODS.md §4).

* own-source revenue (OSR) analysis: ``POST /finance/osr/analyse`` analyses an input (a JSON
  body in the ``urbanagenda-osr/1`` format, or an uploaded YAML, JSON, CSV or Excel file) and
  stores nothing; ``POST /finance/osr`` saves it (signed in, see
  :func:`~._finance_common.require_save`); ``GET /finance/osr`` lists the stored analyses,
  ``/finance/osr/{id}`` reads one with the other years of the same local government,
  ``/finance/osr/peers`` compares them; summaries as HTML, PDF or DOCX;
* ``GET /finance/reforms``: the catalogue of causes of gaps and the reforms that close them;
* capital investment: ``POST /finance/invest/rank``, stored plans (:mod:`._finance_plans`);
* ``GET /finance/templates/osr.xlsx`` and ``invest.xlsx``: the Excel input templates, empty or
  filled with the demo example.

Bad input answers ``400`` listing every problem (place, found, expected, fix); nothing is
stored then.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.errors import DataError, ValidationFailed
from urbanagenda.finance.model import OsrInput, OsrResult
from urbanagenda.web import auth
from urbanagenda.web.api import _finance_docs as docs
from urbanagenda.web.api._finance_common import (
    analyse_input,
    dumps,
    example_file,
    finance_answer,
    invalid,
    read_body,
    read_osr_upload,
    require_save,
)
from urbanagenda.web.api._finance_plans import (
    DocLang,
    Format,
    page_body,
    saved_answer,
    summary_response,
)
from urbanagenda.web.api._finance_plans import router as plans_router
from urbanagenda.web.api._finance_rebuild import rebuild
from urbanagenda.web.api._reporting import (
    Writer,
    answer,
    data_model,
    refuse_other_methods,
)
from urbanagenda.web.api.common import MEDIA_TYPES, Lang, data_response, store_of
from urbanagenda.web.errors import ApiError

__all__ = ["parse_osr_body", "read_osr", "router", "stored_osr_result"]

router = APIRouter(prefix="/finance", tags=["finance"])

_ID = Annotated[int, PathParam(ge=1, le=2_000_000_000, description="a stored analysis")]


def parse_osr_body(data: dict[str, object]) -> OsrInput:
    """A JSON body through the format's validation (``400`` with every problem)."""
    from urbanagenda.finance.parse import parse_osr

    try:
        return parse_osr(data, file=None)
    except ValidationFailed as exc:
        raise invalid(exc) from exc


async def read_osr(request: Request) -> tuple[OsrInput, str | None]:
    """The analysis a request carries (JSON or an uploaded file) and the file's name."""
    data, file, _ = await read_body(request)
    if data is not None:
        return await run_in_threadpool(parse_osr_body, data), None
    assert file is not None
    name, raw = file
    return await run_in_threadpool(read_osr_upload, name, raw), name


async def _analysed(request: Request) -> tuple[OsrResult, str | None]:
    inp, name = await read_osr(request)
    store = store_of(request)
    return await run_in_threadpool(analyse_input, store, inp), name


@router.post(
    "/osr/analyse",
    dependencies=[Depends(auth.check_csrf)],
    summary="Analyse own-source revenue (nothing is stored)",
    responses={**docs.INPUT_ERRORS, **data_response(docs.OsrResultOut)},
    openapi_extra=docs.body_doc(docs.EXAMPLE_OSR, "the analysis"),
)
async def osr_analyse(request: Request) -> Response:
    """Per year and revenue stream: actual and potential revenue, the gap and its coverage,
    compliance, valuation and rate parts and the residual (ranges where inputs are ranges);
    totals, fiscal indicators (population from the store when not given), trends, the
    sensitivity of the gap to each input and the recommended reforms."""
    result, _ = await _analysed(request)
    return Response(dumps(result.to_dict()), media_type="application/json",
                    headers={"Cache-Control": "no-store"})  # fmt: skip


@router.post(
    "/osr",
    summary="Save an own-source revenue analysis",
    status_code=201,
    responses={**docs.SAVE_ERRORS, **answer(data_model("OsrSaved", docs.SavedOut), "Saved", 201)},
    openapi_extra=docs.body_doc(docs.EXAMPLE_OSR, "the analysis"),
)
async def osr_save(request: Request, user: Writer) -> Response:
    """Analyses the input and stores one row per year (an identical input is not stored
    twice; a changed one becomes the next version, the older kept).  Administrators save
    any analysis, national focal points those of their country and its cities, local focal
    points those of their own area."""
    from urbanagenda.finance import store as finance_store

    inp, name = await read_osr(request)
    store = store_of(request)
    require_save(user, store, inp.area_code, inp.country_code)
    result = await run_in_threadpool(analyse_input, store, inp)
    ids = await run_in_threadpool(
        lambda: finance_store.save_analysis(store.engine, result, user_id=user.id, source_file=name)
    )
    return saved_answer(request, ids, "osr")


@router.get(
    "/osr",
    summary="Stored own-source revenue analyses",
    responses=data_response(docs.AnalysisRow, many=True, meta=True),
)
async def osr_list(
    request: Request,
    area: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.\-]{1,64}$",
                                      description="a city or country code")] = None,
    country: Annotated[str | None, Query(max_length=3, pattern=r"^[A-Za-z0-9]{1,3}$",
                                         description="M49 or ISO3")] = None,
    year: Annotated[int | None, Query(ge=1950, le=2100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:  # fmt: skip
    """The latest version of every stored year, newest first; the demo's example is marked
    ``example``."""
    from urbanagenda.finance import store as finance_store

    store = store_of(request)
    area_code = _area(request, area, "query.area")
    country_code = _area(request, country, "query.country")

    def build() -> bytes:
        rows = finance_store.list_analyses(
            store.engine, area=area_code, country=country_code, year=year
        )
        return page_body(request, rows, page, limit)

    return await finance_answer(request, build)


def _area(request: Request, code: str | None, where: str) -> str | None:
    if not code:
        return None
    canonical = store_of(request).areas.resolve(code)
    if canonical is None:
        raise ApiError(422, f"unknown area {code!r}", where=where,
                       fix="a city code (sl_freetown) or an M49/ISO3 code (694, SLE)")  # fmt: skip
    return canonical


@router.get(
    "/osr/peers",
    summary="Peer comparison of the stored analyses",
    responses=data_response(docs.PeerRow, many=True),
)
async def osr_peers(
    request: Request,
    year: Annotated[int | None, Query(ge=1950, le=2100, description="the latest year up to "
                                      "this one, per local government")] = None,
    around: Annotated[int | None, Query(ge=1, le=2_000_000_000, description="a stored "
                                        "analysis whose rank and percentile to give")] = None,
) -> Response:  # fmt: skip
    """OSR per capita (USD), OSR as a share of GDP and efficiency of every local government
    with a stored analysis (latest version, latest year up to ``year``)."""
    from urbanagenda.finance import store as finance_store

    store = store_of(request)
    return await finance_answer(
        request, lambda: dumps(finance_store.peers(store.engine, year=year, around=around))
    )


def _stored(request: Request, analysis_id: int) -> dict[str, object]:
    from urbanagenda.finance import store as finance_store

    try:
        return finance_store.get_analysis(store_of(request).engine, analysis_id)
    except finance_store.NotFound as exc:
        raise ApiError(404, f"no stored analysis {analysis_id}", where="path.id",
                       fix="list them at /api/v1/finance/osr") from exc  # fmt: skip


@router.get(
    "/osr/{id:int}",
    summary="A stored analysis",
    responses=data_response(docs.StoredAnalysisOut),
)
async def osr_get(request: Request, id: _ID) -> Response:
    """The stored year: its row, input and result, and the other years and versions of the
    same local government (for trends)."""
    return await finance_answer(request, lambda: dumps(_stored(request, id)))


def stored_osr_result(found: dict[str, object]) -> OsrResult:
    """The :class:`OsrResult` of a stored year (its input and its one year's result)."""
    from urbanagenda.finance.model import YearResult

    try:
        inp = rebuild(OsrInput, found["input"])  # type: ignore[arg-type]
        year = rebuild(YearResult, found["result"])  # type: ignore[arg-type]
    except DataError as exc:
        raise ApiError(500, f"the stored analysis cannot be read: {exc}") from exc
    return OsrResult(input=inp, years=(year,), trends=())


@router.get(
    "/osr/{id:int}/summary",
    summary="A stored analysis as a summary document",
    responses=docs.SUMMARY,
    response_class=Response,
)
async def osr_stored_summary(
    request: Request, id: _ID, format: Format = "pdf", lang: DocLang = "en"
) -> Response:
    """The key figures, the streams with their parts, the waterfall of the gap, sensitivity,
    recommendations and sources, as PDF, DOCX or HTML."""
    found = await run_in_threadpool(_stored, request, id)
    result = stored_osr_result(found)
    return await summary_response(result, format, lang, f"urbanagenda-osr-{id}-{lang}")


@router.post(
    "/osr/summary",
    dependencies=[Depends(auth.check_csrf)],
    summary="Analyse and write the summary document (nothing is stored)",
    responses={**docs.INPUT_ERRORS, **docs.SUMMARY},
    response_class=Response,
    openapi_extra=docs.body_doc(docs.EXAMPLE_OSR, "the analysis"),
)  # fmt: skip
async def osr_summary(request: Request, format: Format = "pdf", lang: DocLang = "en") -> Response:
    """Like ``POST /finance/osr/analyse``, answered with the summary document."""
    result, _ = await _analysed(request)
    return await summary_response(result, format, lang, f"urbanagenda-osr-{lang}")


@router.get(
    "/reforms",
    summary="Causes of revenue gaps and the reforms that close them",
    responses=data_response(docs.ReformOut, many=True),
)
async def reforms(request: Request) -> Response:
    """The documented catalogue (``finance/data/reforms.yaml``): for each entry the parts of
    the gap and the stream kinds it applies to, the cause, the reform, the actions, the
    horizon and the sources it cites."""
    from urbanagenda.finance.model import to_jsonable
    from urbanagenda.finance.reforms import catalogue

    return await finance_answer(request, lambda: dumps(to_jsonable(list(catalogue()))))


def _template(kind: Literal["osr", "invest"], example: bool, lang: str) -> bytes:
    from urbanagenda.finance import templates
    from urbanagenda.finance.files import read_osr_file, read_plan_file

    with tempfile.TemporaryDirectory(prefix="ua-template-") as tmp:
        path = Path(tmp) / f"{kind}.xlsx"
        source = example_file("osr" if kind == "osr" else "projects") if example else None
        if example and source is None:
            raise ApiError(404, "no example is bundled", where="query.example",
                           fix="ask for the empty template (example=false)")  # fmt: skip
        if kind == "osr":
            if source is not None:
                templates.write_osr_xlsx(read_osr_file(source), path)
            else:
                templates.osr_template(path, lang=lang)
        elif source is not None:
            templates.write_plan_xlsx(read_plan_file(source), path)
        else:
            templates.plan_template(path)
        return path.read_bytes()


_TEMPLATE_DOC: dict[int | str, dict[str, Any]] = {
    200: {"description": "The Excel workbook",
          "content": {MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}},
}  # fmt: skip
_Example = Annotated[bool, Query(description="filled with the demo's example")]


@router.get(
    "/templates/osr.xlsx",
    summary="Excel template of an OSR analysis",
    responses=_TEMPLATE_DOC,
    response_class=Response,
)
async def osr_template(request: Request, example: _Example = False, lang: Lang = "en") -> Response:
    """Instructions, the analysis, sources, fiscal context and one sheet per kind of stream,
    with drop-down lists; ``POST /finance/osr/analyse`` reads it back."""
    name = "urbanagenda-osr-example.xlsx" if example else "urbanagenda-osr-template.xlsx"
    return await finance_answer(
        request, lambda: _template("osr", example, lang), media_type=MEDIA_TYPES["xlsx"],
        filename=name,
    )  # fmt: skip


@router.get(
    "/templates/invest.xlsx",
    summary="Excel template of a project list",
    responses=_TEMPLATE_DOC,
    response_class=Response,
)
async def invest_template(request: Request, example: _Example = False) -> Response:
    """Instructions, the plan's settings and weights, and the projects with drop-down lists;
    ``POST /finance/invest/rank`` reads it back."""
    name = "urbanagenda-invest-example.xlsx" if example else "urbanagenda-invest-template.xlsx"
    return await finance_answer(
        request, lambda: _template("invest", example, "en"), media_type=MEDIA_TYPES["xlsx"],
        filename=name,
    )  # fmt: skip


router.include_router(plans_router)
refuse_other_methods(router)
