"""The summary of an own-source revenue analysis (:func:`.summary.osr_document`).

Chapters: key figures of every year (the latest in words), the streams of each year with
the gap by part and its waterfall, trends when there are several years, the sensitivity of
the latest year's gap, the reforms recommended for it, and the method with the input's
sources.  Every table and figure cites the input sources its figures come from.
"""

from __future__ import annotations

from urbanagenda.finance import charts
from urbanagenda.finance._summary_common import any_range
from urbanagenda.finance._summary_osr_base import ranges, ranges_of
from urbanagenda.finance._summary_osr_detail import OsrDetails
from urbanagenda.finance.model import PARTS, YearResult
from urbanagenda.synthesis.document import Cell, Document, Inline


class OsrSummary(OsrDetails):
    """The whole summary: the cover and the first chapters here, the rest in
    :class:`OsrDetails`."""

    def build(self) -> Document:
        inp, p = self.inp, self.p
        years = [y.year for y in self.result.years]
        self.cover(
            p.t("osr_title", lg=inp.name),
            p.t("osr_subtitle", years=self.years(years)),
            {
                p.t("meta_lg"): inp.name,
                p.t("meta_area"): inp.area_code or "",
                p.t("meta_currency"): self.currency_name(self.cur),
                p.t("meta_years"): self.years(years),
                p.t("meta_method"): self.result.method,
            },
            symbol=inp.area_code or "",
        )
        if inp.example:
            self.b.notice(p.t("example_notice", lg=inp.name), tone="warning")
        self._key_figures()
        self._streams()
        if len(self.result.years) > 1 and self.result.trends:
            self._trends()
        latest = self.result.years[-1]
        if latest.sensitivity:
            self._sensitivity(latest)
        self._recommendations(latest)
        self._method()
        return self.doc

    # -- I. key figures -------------------------------------------------------------------
    def _key_figures(self) -> None:
        p, b, res = self.p, self.b, self.result
        self.section(p.t("h_key"), "key-figures")
        latest = res.years[-1]
        tot, fiscal = latest.total, latest.fiscal
        keys = self._year_sources(latest.year)
        gap_share = tot.gap.central / tot.potential.central if tot.potential.central else None
        text = [
            p.t(
                "key_sentence",
                year=latest.year,
                lg=self.inp.name,
                actual=self.money(tot.actual.central, self.cur),
                n=self.fmt.integer(len(latest.streams)),
                potential=self.money(tot.potential.central, self.cur),
                gap=self.money(tot.gap.central, self.cur),
                share=self.share(gap_share),
                efficiency=self.share(tot.efficiency),
            )
        ]
        if tot.gap.low != tot.gap.high:
            text.append(
                p.t(
                    "key_range",
                    low=self.money(tot.gap.low, self.cur),
                    high=self.money(tot.gap.high, self.cur),
                )
            )
        if fiscal.osr_per_capita is not None:
            usd = fiscal.osr_per_capita_usd
            text.append(
                p.t(
                    "key_per_capita_usd" if usd is not None else "key_per_capita",
                    amount=self.money(fiscal.osr_per_capita, self.cur),
                    usd=self.money(usd, "USD"),
                )
            )
        if fiscal.osr_share_gdp is not None:
            text.append(
                p.t(
                    "key_share_gdp",
                    share=self.share(fiscal.osr_share_gdp),
                    potential=self.share(fiscal.potential_share_gdp),
                )
            )
        content: list[str | Inline] = [p.t("sentence_sep").join(text)]
        if fiscal.population is not None:
            content.append(
                b.note(
                    p.t(
                        "population_note",
                        population=self.fmt.integer(fiscal.population),
                        source=fiscal.population_source or "",
                    )
                )
            )
        b.para(content, sources=keys)
        self._key_table()
        if res.warnings:
            b.para(p.t("warnings_intro"))
            b.bullets(list(res.warnings))

    def _key_table(self) -> None:
        p, years = self.p, self.result.years

        def amounts(get: str) -> list[Cell]:
            return [self._range_cell(getattr(y.total, get)) for y in years]

        def fiscal(field: str, money: bool) -> list[Cell] | None:
            values = [getattr(y.fiscal, field) for y in years]
            if all(v is None for v in values):
                return None
            return [
                Cell(self.amount(v) if money else self.share(v), v, align="right") for v in values
            ]

        rows: list[list[Cell]] = [
            [Cell(p.t("row_actual")), *amounts("actual")],
            [Cell(p.t("row_potential")), *amounts("potential")],
            [Cell(p.t("row_gap")), *amounts("gap")],
            [
                Cell(p.t("row_efficiency")),
                *[
                    Cell(self.share(y.total.efficiency), y.total.efficiency, align="right")
                    for y in years
                ],
            ],
        ]
        population = [y.fiscal.population for y in years]
        if any(v is not None for v in population):
            rows.append(
                [
                    Cell(p.t("row_population")),
                    *[
                        Cell(self.fmt.integer(v) if v else "…", v, align="right")
                        for v in population
                    ],
                ]
            )
        for field, key, money in (
            ("osr_per_capita", "row_per_capita", True),
            ("osr_per_capita_usd", "row_per_capita_usd", True),
            ("osr_per_household", "row_per_household", True),
            ("osr_share_gdp", "row_share_gdp", False),
            ("potential_share_gdp", "row_potential_share_gdp", False),
        ):
            cells = fiscal(field, money)
            if cells is not None:
                rows.append([Cell(p.t(key)), *cells])
        keys = [k for y in years for k in self._year_sources(y.year)]
        notes = [p.t("ranges_note")] if any_range(r for y in years for r in ranges(y)) else []
        self.b.table(
            p.t("t_key", currency=self.cur),
            [p.t("col_figure"), *[str(y.year) for y in years]],
            rows,
            sources=keys,
            notes=notes,
        )

    # -- II. streams ----------------------------------------------------------------------
    def _streams(self) -> None:
        self.section(self.p.t("h_streams"), "streams")
        several = len(self.result.years) > 1
        for year in self.result.years:
            if several:
                self.subsection(str(year.year), f"streams-{year.year}")
            self._year_streams(year)

    def _year_streams(self, year: YearResult) -> None:
        p, b, cur = self.p, self.b, self.cur
        keys = self._year_sources(year.year)
        streams = [*year.streams, year.total]
        rows = [
            [
                Cell(self._stream_name(s)),
                Cell(self.word("kinds", s.kind) if s.kind != "total" else ""),
                self._range_cell(s.actual),
                self._range_cell(s.potential),
                self._range_cell(s.gap),
                Cell(self.share(s.efficiency), s.efficiency, align="right"),
            ]
            for s in streams
        ]
        notes = [p.t("ranges_note")] if any_range(r for s in streams for r in ranges_of(s)) else []
        notes += [
            p.t(
                "reported_note",
                stream=s.name,
                amount=self.money(s.actual_reported, cur),
                computed=self.money(s.actual.central, cur),
            )
            for s in year.streams
            if s.actual_reported is not None
        ]
        b.table(
            p.t("t_streams", year=year.year, currency=cur),
            [p.t(k) for k in ("col_stream", "col_kind", "col_actual", "col_potential", "col_gap",
                              "col_efficiency")],
            rows,
            sources=keys,
            notes=notes,
        )  # fmt: skip
        present = [part for part in PARTS if any(part in s.parts for s in streams)]
        part_rows = [
            [
                Cell(self._stream_name(s)),
                *[
                    self._range_cell(s.parts[part])
                    if part in s.parts
                    else Cell(p.t("not_applicable"), align="right")
                    for part in present
                ],
                self._range_cell(s.residual),
            ]
            for s in streams
        ]
        b.table(
            p.t("t_parts", year=year.year, currency=cur),
            [p.t("col_stream"), *[self.word("parts", x) for x in present], p.t("col_residual")],
            part_rows,
            sources=keys,
            notes=[p.t("parts_note")],
        )
        labels = self.chart_labels()
        spec = charts.waterfall_spec(year.to_dict(), labels=labels, number=self.amount)
        steps = [(labels["actual"], year.total.actual.central)]
        steps += [(labels[x], year.total.parts[x].central) for x in PARTS if x in year.total.parts]
        steps += [(labels["residual"], year.total.residual.central)]
        steps += [(labels["potential"], year.total.actual.central + year.total.gap.central)]
        alt = p.t(
            "f_waterfall_alt",
            steps=p.t("list_sep").join(f"{name} {self.amount(v)}" for name, v in steps),
        )
        b.figure(p.t("f_waterfall", year=year.year, currency=cur), spec, alt, sources=keys)
