"""The own-source revenue analysis of a local government: every stream of every year through
the formulas of :mod:`.osr`, totals, fiscal indicators, trends across years, uncertainty
ranges, sensitivity and recommendations."""

from __future__ import annotations

from collections.abc import Callable

from urbanagenda.finance.model import OsrInput, OsrResult

__all__ = ["PopulationLookup", "analyse"]

#: (area code, country code, year) → (population, where it comes from) or None.
PopulationLookup = Callable[[str | None, str | None, int], tuple[float, str] | None]


def analyse(inp: OsrInput, *, population: PopulationLookup | None = None) -> OsrResult:
    """Analyse ``inp`` (already validated by :func:`~urbanagenda.finance.parse.parse_osr`)."""
    raise NotImplementedError
