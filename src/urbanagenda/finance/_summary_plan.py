"""The summary of a capital investment plan (:func:`.summary.plan_document`).

Chapters: the plan in a paragraph (projects, envelope, weights), the ranking with each
criterion's value and the ranking chart, the plan by year against the envelope, the projects
not funded and why, the sensitivity of the ranking to the weights, and the city's indicator
needs the need criterion used (each need cites its series in the table of sources).
"""

from __future__ import annotations

from datetime import datetime

from urbanagenda.finance import charts
from urbanagenda.finance._summary_common import SummaryWriter
from urbanagenda.finance.model import CRITERIA, PlanResult
from urbanagenda.synthesis.document import Cell, Document


class PlanSummary(SummaryWriter):
    def __init__(self, result: PlanResult, lang: str, now: datetime) -> None:
        super().__init__(lang, now)
        self.result = result
        self.inp = result.input
        self.cur = result.input.currency
        self.names = {s.project.id: s.project.name for s in result.ranked}
        self.funded = {e.project_id for e in result.plan}
        self.register_inputs(result.input.sources)

    def build(self) -> Document:
        p, inp = self.p, self.inp
        start, end = inp.start_year, inp.start_year + inp.horizon - 1
        self.cover(
            p.t("plan_title", name=inp.name),
            p.t("plan_subtitle", horizon=inp.horizon, start=start, end=end),
            {
                p.t("meta_area"): inp.area_code or "",
                p.t("meta_currency"): self.currency_name(self.cur) if self.cur else "",
                p.t("meta_horizon"): f"{start}–{end}",
                p.t("meta_envelope"): self.result.envelope_source,
                p.t("meta_method"): self.result.method,
            },
            symbol=inp.area_code or "",
        )
        if inp.example:
            self.b.notice(p.t("plan_example_notice"), tone="warning")
        self._overview()
        self._ranking()
        self._schedule()
        self._unfunded()
        self._weights()
        self._needs()
        return self.doc

    def _project(self, pid: str) -> str:
        rank = next((s.rank for s in self.result.ranked if s.project.id == pid), None)
        name = self.names.get(pid, pid)
        return f"{rank}. {name}" if rank is not None else name

    # -- I. the plan in a paragraph --------------------------------------------------------
    def _overview(self) -> None:
        p, b, res = self.p, self.b, self.result
        self.section(p.t("h_plan_summary"), "plan-summary")
        envelope = sum(res.envelope_by_year.values())
        spent = sum(res.spent_by_year.values())
        years = sorted(res.envelope_by_year)
        b.para(
            p.t(
                "plan_summary",
                n=self.fmt.integer(len(res.ranked)),
                m=self.fmt.integer(len(res.plan)),
                k=self.fmt.integer(len(res.unfunded)),
                envelope=self.money(envelope, self.cur),
                period=self.years(years) if years else "",
                spent=self.money(spent, self.cur),
                source=res.envelope_source,
            ),
            sources=self.all_inputs(),
        )
        weights = self._weights_used()
        b.para(
            p.t(
                "weights_sentence",
                weights=self.fmt.listing(
                    [
                        p.t(
                            "weight_item", criterion=self.word("criteria", c), weight=self.weight(w)
                        )
                        for c, w in weights.items()
                    ]
                ),
            )
        )
        if res.warnings:
            b.para(p.t("warnings_intro"))
            b.bullets(list(res.warnings))

    def _weights_used(self) -> dict[str, float]:
        """The normalised weights the scores used (those of the first project's criteria),
        else the input's rescaled to sum 1."""
        if self.result.ranked:
            return {c.criterion: c.weight for c in self.result.ranked[0].criteria}
        total = sum(self.inp.weights.values()) or 1.0
        return {c: w / total for c, w in self.inp.weights.items()}

    # -- II. ranking ----------------------------------------------------------------------
    def _ranking(self) -> None:
        p, b, res = self.p, self.b, self.result
        self.section(p.t("h_ranking"), "ranking")
        rows = [
            [
                Cell(str(s.rank), s.rank, align="right"),
                Cell(s.project.name),
                Cell(self.word("sectors", s.project.sector)),
                Cell(self.word("stages", s.project.stage)),
                Cell(self.amount(s.project.cost), s.project.cost, align="right"),
                Cell(self.amount(s.project.city_cost), s.project.city_cost, align="right"),
                Cell(self.fmt.num(s.score, 3), s.score, align="right"),
                Cell(p.t("in_plan") if s.project.id in self.funded else p.t("not_funded")),
            ]
            for s in res.ranked
        ]
        b.table(
            p.t("t_ranking", currency=self.cur),
            [p.t(k) for k in ("col_rank", "col_project", "col_sector", "col_stage", "col_cost",
                              "col_city_cost", "col_score", "col_in_plan")],
            rows,
            notes=[p.t("ranking_note")],
        )  # fmt: skip
        weights = self._weights_used()
        used = [c for c in CRITERIA if c in weights]
        crit_rows = []
        for s in res.ranked:
            by_name = {c.criterion: c for c in s.criteria}
            crit_rows.append(
                [
                    Cell(str(s.rank), s.rank, align="right"),
                    Cell(s.project.name),
                    *[
                        Cell(self.fmt.num(by_name[c].value, 2), by_name[c].value, align="right")
                        if c in by_name
                        else Cell("…", align="right")
                        for c in used
                    ],
                ]
            )
        b.table(
            p.t("t_criteria"),
            [
                p.t("col_rank"),
                p.t("col_project"),
                *[
                    p.t(
                        "col_weighted",
                        criterion=self.word("criteria", c),
                        weight=self.weight(weights[c]),
                    )
                    for c in used
                ],
            ],
            crit_rows,
            notes=[p.t("criteria_note")],
        )
        spec = charts.ranking_spec(res.to_dict(), labels=self.chart_labels())
        alt = p.t(
            "f_ranking_alt",
            items=p.t("item_sep").join(
                p.t(
                    "f_ranking_item",
                    project=self._project(s.project.id),
                    score=self.fmt.num(s.score, 3),
                    status=p.t("in_plan") if s.project.id in self.funded else p.t("not_funded"),
                )
                for s in res.ranked
            ),
        )
        b.figure(p.t("f_ranking"), spec, alt)
        flags = [f"{self._project(s.project.id)}: {f}" for s in res.ranked for f in s.flags]
        if flags:
            b.para(p.t("flags_intro"))
            b.bullets(flags)

    # -- III. the plan by year ------------------------------------------------------------
    def _schedule(self) -> None:
        p, b, res, cur = self.p, self.b, self.result, self.cur
        self.section(p.t("h_schedule"), "schedule")
        rows, carried = [], 0.0
        for year in sorted(res.envelope_by_year):
            envelope = res.envelope_by_year[year]
            spent = res.spent_by_year.get(year, 0.0)
            carried += envelope - spent  # unspent envelope carries over to later years
            rows.append(
                [
                    Cell(str(year)),
                    Cell(self.amount(envelope), envelope, align="right"),
                    Cell(self.amount(spent), spent, align="right"),
                    Cell(self.amount(carried), carried, align="right"),
                ]
            )
        b.table(
            p.t("t_envelope", currency=cur),
            [p.t("col_year"), p.t("col_envelope"), p.t("col_spending"), p.t("col_carried")],
            rows,
            notes=[p.t("envelope_note", source=res.envelope_source)],
        )
        if res.plan:
            b.table(
                p.t("t_schedule", currency=cur),
                [p.t("col_project"), p.t("col_years"), p.t("col_city_cost"), p.t("col_by_year")],
                [
                    [
                        Cell(self._project(e.project_id)),
                        Cell(self.years(range(e.start_year, e.end_year + 1))),
                        Cell(self.amount(total), total, align="right"),
                        Cell(
                            p.t("list_sep").join(
                                f"{y}: {self.amount(v)}"
                                for y, v in sorted(e.city_cost_by_year.items())
                            )
                        ),
                    ]
                    for e in res.plan
                    for total in [sum(e.city_cost_by_year.values())]
                ],
            )
        spec = charts.envelope_spec(res.to_dict(), labels=self.chart_labels(), number=self.amount)
        alt = p.t(
            "f_envelope_alt",
            items=p.t("item_sep").join(
                p.t(
                    "f_envelope_item",
                    year=y,
                    envelope=self.amount(res.envelope_by_year[y]),
                    spent=self.amount(res.spent_by_year.get(y, 0.0)),
                )
                for y in sorted(res.envelope_by_year)
            ),
        )
        b.figure(p.t("f_envelope", currency=cur), spec, alt)

    # -- IV. unfunded ---------------------------------------------------------------------
    def _unfunded(self) -> None:
        p, b = self.p, self.b
        self.section(p.t("h_unfunded"), "unfunded")
        if not self.result.unfunded:
            b.para(p.t("unfunded_none"))
            return
        b.para(p.t("unfunded_intro", n=self.fmt.integer(len(self.result.unfunded))))
        ranks = {s.project.id: s.rank for s in self.result.ranked}
        b.bullets(
            [
                p.t("unfunded_item", project=self._project(pid), reason=reason)
                for pid, reason in sorted(
                    self.result.unfunded.items(), key=lambda kv: ranks.get(kv[0], 0)
                )
            ]
        )

    # -- V. weight sensitivity ------------------------------------------------------------
    def _weights(self) -> None:
        p, b = self.p, self.b
        sens = self.result.sensitivity
        self.section(p.t("h_weights"), "weights")
        b.para(
            p.t(
                "weights_intro",
                low=self.fmt.num(1 - sens.step, 2),
                high=self.fmt.num(1 + sens.step, 2),
                rho=self.fmt.num(sens.spearman_min, 2),
            )
        )
        changes = [*sens.top_changes, *sens.plan_changes]
        if changes:
            b.bullets(changes)
        else:
            b.para(p.t("weights_stable"))
        ranks = {s.project.id: s.rank for s in self.result.ranked}
        rows = [
            [
                Cell(self._project(pid)),
                Cell(str(best), best, align="right"),
                Cell(str(worst), worst, align="right"),
            ]
            for pid, (best, worst) in sorted(
                sens.rank_range.items(), key=lambda kv: ranks.get(kv[0], 0)
            )
        ]
        if rows:
            b.table(
                p.t("t_rank_range"), [p.t("col_project"), p.t("col_best"), p.t("col_worst")], rows
            )

    # -- VI. needs ------------------------------------------------------------------------
    def _needs(self) -> None:
        p, b = self.p, self.b
        self.section(p.t("h_needs"), "needs")
        if not self.result.needs:
            b.para(p.t("needs_none"))
            return
        b.para(p.t("needs_intro"))
        rows, keys = [], []
        for need in self.result.needs:
            for code in need.series:
                keys.append(
                    b.source(
                        "series",
                        p.t("source_need", target=need.target),
                        series_code=code,
                        areas=[need.area_code] if need.area_code else [],
                        years=[need.year] if need.year is not None else [],
                    )
                )
            rows.append(
                [
                    Cell(need.target),
                    Cell(self.fmt.num(need.value, 2), need.value, align="right")
                    if need.value is not None
                    else Cell(p.t("need_no_data")),
                    Cell(", ".join(need.series)),
                    Cell(need.area_code or ""),
                    Cell(str(need.year) if need.year is not None else ""),
                    Cell(need.explanation),
                ]
            )
        b.table(
            p.t("t_needs"),
            [p.t(k) for k in ("col_target", "col_need", "col_series", "col_area", "col_year",
                              "col_explanation")],
            rows,
            sources=keys,
        )  # fmt: skip
