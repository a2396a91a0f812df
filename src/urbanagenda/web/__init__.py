"""The web platform and API of urbanagenda (FastAPI, server-rendered pages, six languages)."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    from urbanagenda.web.app import create_app as factory

    return factory(*args, **kwargs)
