"""Server-rendered pages, one module per page type, all under ``/{lang}/``.

Each module in :data:`MODULES` has a ``router``; the home page comes last because its
``/{lang}/`` route is the most general."""

from __future__ import annotations

import importlib

from fastapi import APIRouter

__all__ = ["MODULES", "router"]

MODULES = (
    "indicator", "lists", "area", "search", "account", "reports", "report_edit", "vlrs",
    "records", "publications", "finance", "home",
)  # fmt: skip

router = APIRouter()
for _name in MODULES:
    try:
        _module = importlib.import_module(f"urbanagenda.web.pages.{_name}")
    except ModuleNotFoundError as exc:  # a page type not written yet
        if exc.name != f"urbanagenda.web.pages.{_name}":
            raise
        continue
    router.include_router(_module.router)
