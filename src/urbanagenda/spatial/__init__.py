"""Indicator methods from raw data (SDG 11.x.y): pure functions returning IndicatorResult."""

from __future__ import annotations

from urbanagenda.spatial.results import IndicatorResult, file_sha256

__all__ = ["IndicatorResult", "file_sha256"]
