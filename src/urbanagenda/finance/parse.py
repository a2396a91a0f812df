"""The OSR input format (``urbanagenda-osr/1``) as plain data ↔ :class:`~.model.OsrInput`,
with every problem reported at once (file, sheet, row, field, found, expected, fix)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from urbanagenda.finance.model import OsrInput

__all__ = ["dump_osr", "parse_osr"]


def parse_osr(data: Mapping[str, Any], *, file: str | None = None) -> OsrInput:
    """Validate and convert; raise :class:`~urbanagenda.errors.ValidationFailed` listing every
    problem."""
    raise NotImplementedError


def dump_osr(inp: OsrInput) -> dict[str, Any]:
    """The canonical plain form of ``inp`` (``parse_osr(dump_osr(x)) == x``)."""
    raise NotImplementedError
