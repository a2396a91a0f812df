"""``urbanagenda osr`` and ``urbanagenda invest``: the local finance tools (MISSION.md part F)
on the command line — the own-source revenue analysis (:mod:`._finance_osr`) and the capital
investment prioritisation (:mod:`._finance_invest`), over :mod:`urbanagenda.finance`."""

from __future__ import annotations

from urbanagenda.cli._finance_invest import invest_app
from urbanagenda.cli._finance_osr import osr_app

__all__ = ["invest_app", "osr_app"]
