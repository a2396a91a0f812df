"""The versioned API, ``/api/v1``: one module per resource."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from urbanagenda.web.api import observations
from urbanagenda.web.api.common import cached, json_body

__all__ = ["router"]

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


router.include_router(observations.router)
