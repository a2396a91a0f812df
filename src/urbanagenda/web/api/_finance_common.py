"""What the finance endpoints and pages share: reading an OSR analysis or a project list from a
request (a JSON body or an uploaded file), validation reports as ``400`` answers, who may save,
the cache of reads keyed on the finance tables, running the analysis and the ranking against
the store, and the bundled demo example.

Who may save is the platform's one policy (:mod:`urbanagenda.reporting.permissions`, action
``finance.save``): an administrator any analysis or plan, a national focal point those of its
country and of the cities in it, a local focal point those of its own area.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from fastapi import Request
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.errors import DataError, ValidationFailed
from urbanagenda.finance.model import OsrInput, OsrResult, PlanInput, PlanResult
from urbanagenda.ingest.report import Issue
from urbanagenda.reporting import permissions, uploads
from urbanagenda.reporting.model import User
from urbanagenda.reporting.permissions import Forbidden, Unauthenticated
from urbanagenda.web.api.common import cached, json_body, store_of
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError

__all__ = [
    "analyse_input",
    "dumps",
    "example_file",
    "finance_answer",
    "finance_stamp",
    "invalid",
    "may_save",
    "rank_input",
    "read_body",
    "read_osr_upload",
    "read_plan_upload",
    "require_save",
]

# -- reads, cached on the finance tables -----------------------------------------------------


def finance_stamp(store: WebStore) -> tuple[int, int]:
    """The last analysis and plan saved: a save changes what the finance reads answer (the
    data version does not count these tables)."""
    from urbanagenda.store import schema as s

    with store.connect() as conn:
        analyses = conn.execute(select(func.coalesce(func.max(s.finance_analysis.c.id), 0)))
        plans = conn.execute(select(func.coalesce(func.max(s.finance_plan.c.id), 0)))
        return int(analyses.scalar() or 0), int(plans.scalar() or 0)


async def finance_answer(
    request: Request,
    build: Callable[[], bytes],
    *,
    media_type: str = "application/json",
    filename: str | None = None,
) -> Response:
    """A read answered from the shared response cache (:func:`~.common.cached`), keyed also
    on :func:`finance_stamp`, with an ETag (``304`` when it matches)."""
    stamp = await run_in_threadpool(finance_stamp, store_of(request))
    return await cached(
        request, build, media_type=media_type, filename=filename, scope=("finance", stamp)
    )


# -- validation reports ----------------------------------------------------------------------


def _issue_detail(issue: Issue) -> dict[str, Any]:
    return {
        "where": issue.location(),
        "problem": issue.message,
        "fix": issue.fix,
        "found": issue.found,
        **{k: v for k, v in asdict(issue).items() if k not in ("message", "fix", "found")},
    }


def invalid(exc: ValidationFailed, *, names: Mapping[str, str] | None = None) -> ApiError:
    """``400`` listing every problem of the input (each issue's place, what was found, what
    was expected and the fix).  ``names`` maps temporary file paths to the uploaded names."""
    issues = [
        replace(i, file=(names or {}).get(i.file, i.file)) if i.file else i
        for i in exc.report.issues
    ]
    n = len(issues)
    error = ApiError(
        400,
        f"{n} problem{'s' if n != 1 else ''} in the input; nothing was analysed or saved",
        code="invalid_input",
    )
    error.details = [_issue_detail(i) for i in issues]
    return error


# -- the body of a request: JSON or an uploaded file -----------------------------------------


async def _read_limited(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ApiError(413, f"the body is larger than {max_bytes // 2**20} MiB",
                       where="body", fix="send a smaller file")  # fmt: skip
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > max_bytes:
            raise ApiError(413, f"the body is larger than {max_bytes // 2**20} MiB",
                           where="body", fix="send a smaller file")  # fmt: skip
    return bytes(data)


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(
            400,
            f"the body is not valid JSON: {exc}",
            where="body",
            fix="send the analysis as a JSON object (see the example at /docs)",
        ) from exc
    if not isinstance(data, dict):
        raise ApiError(400, f"the body is JSON {type(data).__name__}, not an object", where="body",
                       fix="send one JSON object in the documented format")  # fmt: skip
    return data


async def read_body(
    request: Request, *, fields: tuple[str, ...] = ()
) -> tuple[dict[str, Any] | None, tuple[str, bytes] | None, dict[str, Any]]:
    """The request's JSON object, or its uploaded ``file`` (``(name, bytes)``) and the form's
    other ``fields``; ``415`` for any other content type."""
    from urbanagenda.web.api._reporting import read_form

    ctype = request.headers.get("content-type", "").lower()
    if ctype.startswith("application/json"):
        raw = await _read_limited(request, uploads.MAX_UPLOAD_BYTES)
        return _parse_json(raw), None, {}
    if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        values, file = await read_form(request, fields=fields)
        if file is None:
            fix = "send it as -F file=@analysis.xlsx (YAML, JSON, CSV or XLSX)"
            raise ApiError(422, "the form has no file", where="body.file", fix=fix)
        return None, file, values
    raise ApiError(
        415, f"expected JSON or a form with a file, got {ctype or 'no Content-Type'}",
        code="unsupported_media_type", where="header.content-type",
        fix="send Content-Type: application/json, or multipart/form-data with a file",
    )  # fmt: skip


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    return re.sub(r"[^\w.\-]+", "_", base)[:120] or "upload"


def _with_file(name: str, data: bytes, read: Callable[[Path], Any]) -> Any:
    """``read(path)`` on the upload written to a temporary file that keeps its name (the
    readers tell formats by the suffix); issues name the uploaded file, not the temporary
    one."""
    safe = _safe_name(name)
    with tempfile.TemporaryDirectory(prefix="ua-finance-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        try:
            return read(path)
        except ValidationFailed as exc:
            raise invalid(exc, names={str(path): safe}) from exc


def read_osr_upload(name: str, data: bytes) -> OsrInput:
    """An uploaded OSR analysis (YAML, JSON, CSV or the Excel template)."""
    from urbanagenda.finance.files import read_osr_file

    return _with_file(name, data, read_osr_file)  # type: ignore[no-any-return]


def read_plan_upload(
    name: str, data: bytes, defaults: Mapping[str, Any] | None = None
) -> PlanInput:
    """An uploaded project list; ``defaults`` fill plan-level fields a CSV cannot hold."""
    from urbanagenda.finance.files import read_plan_file

    return _with_file(  # type: ignore[no-any-return]
        name, data, lambda path: read_plan_file(path, defaults=defaults)
    )


# -- who may save ----------------------------------------------------------------------------


def _country_of(store: WebStore, area: str | None, country: str | None) -> str | None:
    if area:
        try:
            found = store.areas.get(area)
        except (KeyError, DataError):
            return country
        return found.country_code or country
    return country


def may_save(user: User | None, store: WebStore, area: str | None, country: str | None) -> bool:
    """Whether ``user`` may save an analysis or plan of ``area`` (a city or a country) in
    ``country`` (the policy: ``reporting.permissions``, action ``finance.save``)."""
    country = _country_of(store, area, country)
    return permissions.can(user, "finance.save", country_code=country, area_code=area)


def require_save(user: User | None, store: WebStore, area: str | None, country: str | None) -> None:
    """:func:`may_save`, or 401/403 saying who may."""
    if may_save(user, store, area, country):
        return
    if user is None:
        raise Unauthenticated("saving a finance analysis or plan: sign in first")
    place = area or country or "no area"
    raise Forbidden(
        f"{user.username} ({user.role.replace('_', ' ')}"
        f"{' bound to ' + user.area_code if user.area_code else ''}) may not save an analysis "
        f"or plan of {place}: administrators save any, national focal points those of their "
        "country and its cities, local focal points those of their own area."
    )


# -- the computations, against the store -----------------------------------------------------


def analyse_input(store: WebStore, inp: OsrInput) -> OsrResult:
    """The analysis, populations from the store where the input gives none."""
    from urbanagenda.finance import store as finance_store
    from urbanagenda.finance.analysis import analyse

    return analyse(inp, population=finance_store.population_lookup(store.engine))


def rank_input(
    store: WebStore,
    plan: PlanInput,
    *,
    budget: float | None = None,
    osr_analysis: int | None = None,
) -> PlanResult:
    """The ranking and plan: the city's needs from the store; the envelope from a stored
    OSR analysis (``osr_analysis``, else the plan's own), else ``budget``, else the plan's."""
    from urbanagenda.finance import store as finance_store
    from urbanagenda.finance.invest import envelope_from_osr, rank
    from urbanagenda.finance.needs import city_needs

    if budget is not None:
        plan = replace(plan, budget=budget, budget_by_year=None, osr_analysis_id=None)
    needs = city_needs(store.engine, plan.area_code) if plan.area_code else None
    analysis_id = osr_analysis if osr_analysis is not None else plan.osr_analysis_id
    if analysis_id is None:
        return rank(plan, needs=needs)
    try:
        year_result = finance_store.analysis_year_result(store.engine, analysis_id)
    except finance_store.NotFound as exc:
        raise ApiError(422, f"no stored OSR analysis {analysis_id}", where="query.osr_analysis",
                       fix="list the stored analyses at /api/v1/finance/osr") from exc  # fmt: skip
    # kept with the plan (and no budget beside it): a saved or downloaded plan has the same
    # envelope
    plan = replace(plan, osr_analysis_id=analysis_id, budget=None, budget_by_year=None)
    envelope = envelope_from_osr(year_result, plan)
    source = f"OSR analysis {analysis_id} ({year_result.get('year', '')})"
    return rank(plan, needs=needs, envelope=envelope, envelope_source=source)


# -- the demo example ------------------------------------------------------------------------


def example_file(kind: str) -> Path | None:
    """The bundled example (``finance/data/examples``): ``kind`` ``"osr"`` (``*_osr.yaml``) or
    ``"projects"`` (``*_projects.yaml``); None when there is none."""
    folder = Path(str(resources.files("urbanagenda.finance"))) / "data" / "examples"
    found = sorted(folder.glob(f"*_{kind}.yaml"))
    return found[0] if found else None


def dumps(value: Any) -> bytes:
    """``{"data": value}`` as JSON."""
    return json_body({"data": value})
