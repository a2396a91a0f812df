"""The state and readers an OSR summary's chapters share (:mod:`._summary_osr`)."""

from __future__ import annotations

from datetime import datetime

from urbanagenda.finance._summary_common import SummaryWriter
from urbanagenda.finance.model import OsrResult, Range, StreamResult, YearInput, YearResult
from urbanagenda.synthesis.document import Cell


class OsrWriter(SummaryWriter):
    """A summary of one analysis: ``result``, its input ``inp`` and currency ``cur``."""

    def __init__(self, result: OsrResult, lang: str, now: datetime) -> None:
        super().__init__(lang, now)
        self.result = result
        self.inp = result.input
        self.cur = result.input.currency
        self.register_inputs(result.input.sources)

    # -- sources of a year's figures ------------------------------------------------------
    def _year_input(self, year: int) -> YearInput | None:
        return next((y for y in self.inp.years if y.year == year), None)

    def _year_sources(self, year: int) -> list[str]:
        yi = self._year_input(year)
        if yi is None:
            return []
        return self.cite([*yi.fiscal.sources, *(s for st in yi.streams for s in st.sources)])

    def _range_cell(self, r: Range) -> Cell:
        return Cell(self.span(r), r.central, align="right")

    def _stream_name(self, s: StreamResult) -> str:
        return self.p.t("total") if s.kind == "total" else s.name


def ranges_of(s: StreamResult) -> list[Range]:
    """Every computed figure of a stream (to tell whether any carries a range)."""
    return [s.actual, s.potential, s.gap, s.residual, *s.parts.values()]


def ranges(y: YearResult) -> list[Range]:
    return [r for s in (*y.streams, y.total) for r in ranges_of(s)]
