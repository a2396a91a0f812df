"""The versioned API, ``/api/v1``: one module per resource, each with a ``router``.

Every request first passes :func:`~urbanagenda.web.api.common.guard` (no NUL characters, no
undeclared parameters); every answer goes through :func:`~urbanagenda.web.api.common.cached`
(ETag, ``Cache-Control``, ``304``); every failure has the one error shape of
:mod:`urbanagenda.web.errors`.  ``docs/api.md`` describes the endpoints.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from urbanagenda.web.api.common import ERRORS, cached, guard, json_body

__all__ = ["MODULES", "RESOURCES", "router"]

MODULES = (
    "catalogue", "areas", "observations", "assessments", "aggregates",
    "reports", "report_writes", "vlrs", "search", "records", "publications", "finance",
)  # fmt: skip

router = APIRouter(prefix="/api/v1", dependencies=[Depends(guard)], responses=ERRORS)

_BASE = "/api/v1"
#: Every resource of the API, with an example address (real codes of the demo database).
RESOURCES: dict[str, str] = {
    "goals": f"{_BASE}/goals",
    "targets": f"{_BASE}/targets",
    "target": f"{_BASE}/targets/11.1",
    "indicators": f"{_BASE}/indicators?target=11.1",
    "indicator": f"{_BASE}/indicators/11.1.1",
    "series": f"{_BASE}/series?with_data=true",
    "series_detail": f"{_BASE}/series/EN_LND_SLUM",
    "methods": f"{_BASE}/methods",
    "areas": f"{_BASE}/areas?q=nigeria",
    "area": f"{_BASE}/areas/566",
    "observations": f"{_BASE}/observations?series=EN_LND_SLUM&area=566",
    "assessments": f"{_BASE}/assessments?method=unsd-2024&series=EN_LND_SLUM&area=566",
    "progress": f"{_BASE}/progress?method=unsd-2024",
    "aggregates": f"{_BASE}/aggregates?series=EN_LND_SLUM&area=202&year=2020",
    # the reporting platform (writes: see docs/api.md, "Reports, VLRs and search")
    "reports": f"{_BASE}/reports?country=566",
    "report": f"{_BASE}/reports/4",
    "report_versions": f"{_BASE}/reports/4/versions",
    "report_version": f"{_BASE}/reports/4/versions/10",
    "report_diff": f"{_BASE}/reports/4/diff?from=10&to=10",
    "vlrs": f"{_BASE}/vlrs?sdg=11",
    "vlr": f"{_BASE}/vlrs/11",
    "attachment": f"{_BASE}/attachments/3",
    "search": f"{_BASE}/search?q=%E8%B4%AB%E6%B0%91%E7%AA%9F",
    # institutional records and generated reports (docs/api.md, "Records" and "Publications")
    "records": f"{_BASE}/records",
    "records_section": f"{_BASE}/records/sessions",
    "publications": f"{_BASE}/publications",
    "publication": f"{_BASE}/publications/national?area=566&lang=en&format=html",
    # local finance tools (docs/api.md, "Finance"); the demo stores its example analysis
    "finance_analyses": f"{_BASE}/finance/osr?area=sl_freetown",
    "finance_analysis": f"{_BASE}/finance/osr/1",
    "finance_analysis_summary": f"{_BASE}/finance/osr/1/summary?format=html&lang=en",
    "finance_peers": f"{_BASE}/finance/osr/peers",
    "finance_reforms": f"{_BASE}/finance/reforms",
    "finance_plans": f"{_BASE}/finance/plans",
    "finance_plan": f"{_BASE}/finance/plans/1",
    "finance_plan_summary": f"{_BASE}/finance/plans/1/summary?format=html&lang=en",
    "finance_osr_template": f"{_BASE}/finance/templates/osr.xlsx?example=true",
    "finance_invest_template": f"{_BASE}/finance/templates/invest.xlsx",
}


@router.get("", summary="What the API offers", tags=["meta"])
async def index(request: Request) -> Response:
    """The resources of the API with an example address each, and where it is documented."""

    def build() -> bytes:
        return json_body(
            {
                "name": "urbanagenda API",
                "version": "v1",
                "documentation": "/docs",
                "openapi": "/openapi.json",
                "resources": RESOURCES,
            }
        )

    return await cached(request, build)


for _name in MODULES:
    try:
        _module = importlib.import_module(f"urbanagenda.web.api.{_name}")
    except ModuleNotFoundError as exc:  # a resource not written yet
        if exc.name != f"urbanagenda.web.api.{_name}":
            raise
        continue
    router.include_router(_module.router)
