"""The later chapters of an OSR summary (:mod:`._summary_osr`): trends across the years,
the sensitivity of the latest year's gap to each input, the reforms recommended for it, and
the method with the input's sources."""

from __future__ import annotations

import re

from urbanagenda.finance import charts
from urbanagenda.finance._summary_osr_base import OsrWriter
from urbanagenda.finance.model import SensitivityItem, YearResult
from urbanagenda.synthesis.document import Cell, Run

#: Sensitivity inputs listed in the table (the chart shows as many).
TOP_INPUTS = 8
_PATH = re.compile(r"streams\[(\d+)\]\.(?:(categories|charges)\[(\d+)\]\.)?(\w+)$")
_AMOUNT_METRICS = ("actual", "potential", "gap", "osr_per_capita")


class OsrDetails(OsrWriter):
    # -- III. trends ----------------------------------------------------------------------
    def _trends(self) -> None:
        p, b = self.p, self.b
        self.section(p.t("h_trends"), "trends")
        years = [y.year for y in self.result.years]
        rows = []
        for t in self.result.trends:
            money = t.metric in _AMOUNT_METRICS
            fmt_value = self.amount if money else self.share
            rows.append(
                [
                    Cell(self.word("metrics", t.metric)),
                    *[
                        Cell(fmt_value(t.values.get(y)), t.values.get(y), align="right")
                        for y in years
                    ],
                    Cell(
                        self.amount(t.change) if money else self._points(t.change),
                        t.change,
                        align="right",
                    ),
                    Cell(self.share(t.annual_growth), t.annual_growth, align="right"),
                ]
            )
        keys = [k for y in years for k in self._year_sources(y)]
        b.para(p.t("trends_intro", first=years[0], last=years[-1]), sources=keys)
        b.table(
            p.t("t_trends", currency=self.cur),
            [p.t("col_metric"), *[str(y) for y in years], p.t("col_change"), p.t("col_growth")],
            rows,
            sources=keys,
            notes=[p.t("trends_note")],
        )
        trends = [t.to_dict() for t in self.result.trends]
        spec = charts.trend_spec(trends, labels=self.chart_labels())
        by_metric = {t.metric: t for t in self.result.trends}
        parts = [
            p.t(
                "f_trend_item",
                metric=self.word("metrics", m),
                values=p.t("list_sep").join(
                    f"{y}: {self.amount(v)}" for y, v in sorted(by_metric[m].values.items())
                ),
            )
            for m in ("actual", "potential")
            if m in by_metric
        ]
        alt = p.t("f_trend_alt", items=p.t("item_sep").join(parts))
        b.figure(p.t("f_trend", currency=self.cur), spec, alt, sources=keys)

    def _points(self, change: float | None) -> str:
        """A change of a ratio, in percentage points."""
        if change is None:
            return "…"
        return self.p.t("points", n=self.fmt.num(change * 100, 1))

    # -- IV. sensitivity ------------------------------------------------------------------
    def _sensitivity(self, year: YearResult) -> None:
        p, b, cur = self.p, self.b, self.cur
        self.section(p.t("h_sensitivity"), "sensitivity")
        items = sorted(year.sensitivity, key=lambda i: -abs(i.gap_plus - i.gap_minus))
        top = items[:TOP_INPUTS]
        labels = {i.input: self._input_label(i, year.year) for i in top}
        first = top[0]
        keys = self._year_sources(year.year)
        b.para(
            p.t(
                "sensitivity_intro",
                year=year.year,
                gap=self.money(year.total.gap.central, cur),
                input=labels[first.input],
                low=self.money(min(first.gap_minus, first.gap_plus), cur),
                high=self.money(max(first.gap_minus, first.gap_plus), cur),
            ),
            sources=keys,
        )
        ranged = any(i.gap_low is not None or i.gap_high is not None for i in top)
        header = [p.t("col_input"), p.t("col_value"), p.t("col_gap_minus"), p.t("col_gap_plus")]
        if ranged:
            header += [p.t("col_gap_low"), p.t("col_gap_high")]
        header.append(p.t("col_elasticity"))
        rows = []
        for i in top:
            row = [
                Cell(labels[i.input]),
                Cell(self.amount(i.base), i.base, align="right"),
                Cell(self.amount(i.gap_minus), i.gap_minus, align="right"),
                Cell(self.amount(i.gap_plus), i.gap_plus, align="right"),
            ]
            if ranged:
                row += [
                    Cell(self.amount(v), v, align="right") if v is not None else Cell("…")
                    for v in (i.gap_low, i.gap_high)
                ]
            e = i.elasticity
            row.append(Cell(self.fmt.num(e, 2) if e is not None else "…", e, align="right"))
            rows.append(row)
        b.table(
            p.t("t_sensitivity", year=year.year, currency=cur),
            header,
            rows,
            sources=keys,
            notes=[p.t("sensitivity_note")],
        )
        dicts = [{**i.to_dict(), "label": labels[i.input]} for i in top]
        spec = charts.tornado_spec(
            dicts, base_gap=year.total.gap.central, labels=self.chart_labels(), number=self.amount
        )
        alt = p.t(
            "f_tornado_alt",
            gap=self.amount(year.total.gap.central),
            items=p.t("item_sep").join(
                p.t(
                    "f_tornado_item",
                    input=labels[i.input],
                    minus=self.amount(i.gap_minus),
                    plus=self.amount(i.gap_plus),
                )
                for i in top
            ),
        )
        b.figure(p.t("f_tornado", year=year.year, currency=cur), spec, alt, sources=keys)

    def _input_label(self, item: SensitivityItem, year: int) -> str:
        """ "Property rates · residential · market value", the field named in the summary's
        language (the analysis labels it in English)."""
        m = _PATH.match(item.input)
        yi = self._year_input(year)
        if m is None or yi is None or int(m[1]) >= len(yi.streams):
            return item.label
        stream = yi.streams[int(m[1])]
        names = [stream.name]
        if m[2]:
            group = stream.categories if m[2] == "categories" else stream.charges
            if int(m[3]) >= len(group):
                return item.label
            names.append(group[int(m[3])].name)
        names.append(self.word("fields", m[4]))
        return " · ".join(names)

    # -- V. recommendations ---------------------------------------------------------------
    def _recommendations(self, year: YearResult) -> None:
        p, b, cur = self.p, self.b, self.cur
        self.section(p.t("h_recommendations"), "recommendations")
        recs = year.recommendations
        if not recs:
            b.para(p.t("rec_none", year=year.year))
            return
        b.para(p.t("rec_intro", year=year.year, n=self.fmt.integer(len(recs))))
        for rec in recs:
            keys = [self.citation(c, "source_catalogue_detail") for c in rec.sources]
            b.para(
                [
                    Run(
                        p.t("rec_head", stream=rec.stream, part=self.word("parts", rec.part)),
                        bold=True,
                    ),
                    p.t(
                        "rec_text",
                        cause=rec.cause.rstrip("."),
                        reform=rec.reform.rstrip("."),
                        amount=self.money(rec.amount, cur),
                        share=self.share(rec.share),
                        horizon=self.word("horizons", rec.horizon),
                    ),
                ],
                sources=keys,
            )
            if rec.actions:
                b.bullets(list(rec.actions), sources=keys)

    # -- VI. method and sources -----------------------------------------------------------
    def _method(self) -> None:
        p, b = self.p, self.b
        self.section(p.t("h_method"), "method")
        b.para(p.t("method_osr"))
        if self.inp.note:
            b.para([Run(p.t("note_label"), bold=True), self.inp.note])
        keys = self.all_inputs()
        b.para(p.t("method_sources" if keys else "method_no_sources"), sources=keys)
