"""urbanagenda: follow-up and review of the New Urban Agenda and SDG 11.

The public API is small and named with verbs; see :mod:`urbanagenda.api`.  The verbs are
imported on first use, so that importing the package (and starting the command line, or a
Dask worker) does not pay for pandas and SQLAlchemy until they are needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from urbanagenda.errors import (
    AuthError,
    ConfigError,
    DataError,
    MethodError,
    StoreError,
    UrbanAgendaError,
    ValidationFailed,
)

if TYPE_CHECKING:  # pragma: no cover
    from urbanagenda.api import build_demo, export, init, load, show, template, validate

__version__ = "0.1.0"

_VERBS = ("build_demo", "export", "init", "load", "show", "template", "validate")

__all__ = [
    "AuthError",
    "ConfigError",
    "DataError",
    "MethodError",
    "StoreError",
    "UrbanAgendaError",
    "ValidationFailed",
    "__version__",
    "build_demo",
    "export",
    "init",
    "load",
    "show",
    "template",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name in _VERBS:
        from urbanagenda import api

        return getattr(api, name)
    raise AttributeError(f"module 'urbanagenda' has no attribute {name!r}")
