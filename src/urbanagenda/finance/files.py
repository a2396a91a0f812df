"""Reading OSR analyses and project lists from files: YAML, JSON, CSV and the Excel templates
(:mod:`.templates`); all or nothing, every problem reported at once."""

from __future__ import annotations

from pathlib import Path

from urbanagenda.finance.model import OsrInput, PlanInput

__all__ = ["read_osr_file", "read_plan_file"]


def read_osr_file(path: Path | str) -> OsrInput:
    raise NotImplementedError


def read_plan_file(path: Path | str) -> PlanInput:
    raise NotImplementedError
