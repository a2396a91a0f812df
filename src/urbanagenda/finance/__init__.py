"""Local finance tools (MISSION.md part F, METHODS.md §4).

* own-source revenue (OSR) rapid analysis: :func:`analyse` over the formulas of :mod:`.osr`,
  with fiscal context, several years and trends, uncertainty ranges (:mod:`.uncertainty`),
  sensitivity and the causes → reforms catalogue (:mod:`.reforms`);
* capital investment prioritisation: :func:`rank` (:mod:`.invest`), projects scored against
  the city's indicator gaps (:mod:`.needs`) within the fiscal envelope;
* files: :func:`read_osr_file`, :func:`read_plan_file` (YAML, JSON, CSV, the Excel templates of
  :mod:`.templates`); the store: :mod:`.store`; summaries (HTML/PDF/DOCX): :mod:`.summary`.

The value objects are in :mod:`.model`.
"""

from __future__ import annotations

from urbanagenda.finance.analysis import analyse
from urbanagenda.finance.files import read_osr_file, read_plan_file
from urbanagenda.finance.invest import rank

__all__ = ["analyse", "rank", "read_osr_file", "read_plan_file"]
