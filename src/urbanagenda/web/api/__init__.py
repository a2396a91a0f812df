"""The versioned API, ``/api/v1``: one module per resource, each with a ``router``."""

from __future__ import annotations

import importlib

from fastapi import APIRouter, Request
from starlette.responses import Response

from urbanagenda.web.api.common import cached, json_body

__all__ = ["MODULES", "router"]

MODULES = ("catalogue", "areas", "observations", "assessments", "aggregates")

router = APIRouter(prefix="/api/v1")


@router.get("", summary="What the API offers", tags=["meta"])
async def index(request: Request) -> Response:
    def build() -> bytes:
        base = "/api/v1"
        return json_body(
            {
                "name": "urbanagenda API",
                "version": "v1",
                "documentation": "/docs",
                "openapi": "/openapi.json",
                "resources": {
                    "observations": f"{base}/observations?series=EN_LND_SLUM&area=566",
                },
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
