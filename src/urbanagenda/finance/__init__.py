"""Local finance tools (MISSION.md part F, METHODS.md §4).

* own-source revenue (OSR) rapid analysis: :func:`analyse` over the formulas of :mod:`.osr`,
  with fiscal context, several years and trends, uncertainty ranges (:mod:`.uncertainty`),
  sensitivity and the causes → reforms catalogue (:mod:`.reforms`);
* capital investment prioritisation: :func:`rank` (:mod:`.invest`), projects scored against
  the city's indicator gaps (:mod:`.needs`) within the fiscal envelope;
* files: :func:`read_osr_file`, :func:`read_plan_file` (YAML, JSON, CSV, the Excel templates of
  :mod:`.templates`); the store: :mod:`.store`; summaries (HTML/PDF/DOCX): :mod:`.summary`.

The value objects are in :mod:`.model`.  The functions are imported when first used, so that
importing the value objects (the CLI, the web) does not load NumPy, openpyxl and the rest.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["analyse", "rank", "read_osr_file", "read_plan_file"]

_HOMES = {
    "analyse": "urbanagenda.finance.analysis",
    "rank": "urbanagenda.finance.invest",
    "read_osr_file": "urbanagenda.finance.files",
    "read_plan_file": "urbanagenda.finance.files",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
