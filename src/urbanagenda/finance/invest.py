"""Capital investment prioritisation: projects scored by transparent multi-criteria weights
against the city's indicator gaps, ranked and fitted into a 5-year fiscal envelope, with the
ranking's sensitivity to the weights."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from urbanagenda.finance.model import Need, PlanInput, PlanResult

__all__ = ["envelope_from_osr", "parse_plan", "rank"]


def parse_plan(data: Mapping[str, Any], *, file: str | None = None) -> PlanInput:
    """Validate and convert a project list (``urbanagenda-invest/1``); every problem at once."""
    raise NotImplementedError


def envelope_from_osr(year_result: Mapping[str, Any], plan: PlanInput) -> dict[int, float]:
    """The yearly envelope from an OSR year result (``YearResult.to_dict()``)."""
    raise NotImplementedError


def rank(
    plan: PlanInput,
    *,
    needs: Mapping[str, Need] | None = None,
    envelope: Mapping[int, float] | None = None,
    envelope_source: str | None = None,
) -> PlanResult:
    """Score, rank and plan; ``envelope`` overrides the plan's budget fields."""
    raise NotImplementedError
