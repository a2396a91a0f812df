"""urbanagenda: follow-up and review of the New Urban Agenda and SDG 11.

The public API is small and named with verbs; see :mod:`urbanagenda.api`.
"""

from urbanagenda.api import build_demo, export, init, load, show, template, validate
from urbanagenda.errors import (
    AuthError,
    ConfigError,
    DataError,
    MethodError,
    StoreError,
    UrbanAgendaError,
    ValidationFailed,
)

__version__ = "0.1.0"

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
