"""Server-rendered pages, one module per page type, all under ``/{lang}/``."""

from __future__ import annotations

from fastapi import APIRouter

from urbanagenda.web.pages import home

__all__ = ["router"]

router = APIRouter()
router.include_router(home.router)
