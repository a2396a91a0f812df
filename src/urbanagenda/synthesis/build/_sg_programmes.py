"""Section IV of the Secretary-General's report (:mod:`.sg_report`): the global programmes
and their results — a paragraph per programme with its latest figure per metric (qualified as
the source states it: "more than", "about"), the results table and the people-reached chart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.build._sg_common import SgWriter, _cap, _text, _zh_units
from urbanagenda.synthesis.document import Cell

#: The metrics of a programme, in the order the seed states them (others follow).
METRIC_ORDER = (
    "people_reached",
    "countries",
    "cities",
    "local_governments",
    "utilities",
    "funds_usd",
    "investment_usd",
    "projects",
    "sites",
    "policy_reform_countries",
    "policy_reform_cities",
    "policy_reform_local_governments",
    "new_policy_countries",
    "partners",
    "institutional_members",
    "member_countries",
    "individual_members",
    "conferences",
    "campaign_cities",
    "normative_products",
    "global_reports",
)
#: Columns of the programme results table (those with a value in at least one programme).
TABLE_METRICS = (
    "people_reached",
    "countries",
    "policy_reform_countries",
    "partners",
    "normative_products",
)


class ProgrammesSection(SgWriter):
    """IV. The global programmes and their results."""

    def _qualified(self, row: Mapping[str, Any]) -> str:
        f = self.fmt
        value = float(row["value"])
        metric = str(row["metric"])
        if metric.endswith("_usd"):
            n = self._usd(value)
        elif metric == "people_reached":
            n = f.people(value)
        else:
            n = f.integer(value)
        if self.lang == "zh":
            n = _zh_units(n)
        q = str(row.get("qualifier") or "exact")
        # Chinese puts 多 after round numbers only ("30多个", "超过64个", "超过150万")
        if q == "more_than" and not (n[-1:].isdigit() and n.endswith("0")):
            q = "more_than_unit"
        return str(self.p.get("qualifier", {}).get(q, "{n}")).format(n=n)

    def _period_phrase(self, row: Mapping[str, Any]) -> str:
        p = self.p
        if row.get("period_years"):
            return p.t("prog_period_years", n=self.fmt.integer(int(row["period_years"])))
        if row.get("period_start") and row.get("period_end"):
            return p.t("prog_period_range", start=row["period_start"], end=row["period_end"])
        if row.get("period_start"):
            return p.t("prog_period_since", start=row["period_start"])
        return ""

    def _clause(self, row: Mapping[str, Any]) -> str:
        metric = str(row["metric"])
        clauses = self.p.get("metric_clause", {})
        value = self._qualified(row)
        if metric in clauses:
            return str(clauses[metric]).format(value=value)
        label = str(self.p.get("metric_col", {}).get(metric, metric.replace("_", " ")))
        return self.p.t("metric_clause_other", value=value, metric=label)

    def _programmes(self) -> None:
        b, p, f = self.b, self.p, self.fmt
        b.heading(1, p.t("h_prog"), "IV.", id="programmes")
        if not self.rec.programmes:
            b.notice(p.t("no_records") if self.rec.is_empty() else p.t("no_records_of"))
            return
        self.para_cited(
            p.t("prog_intro", n=f.integer(len(self.rec.programmes))), self.rec.programmes
        )
        rank = {m: i for i, m in enumerate(METRIC_ORDER)}
        results: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.rec.results:
            results[str(r["programme_code"])].append(r)
        for prog in self.rec.programmes:
            rows = sorted(results.get(prog["code"], []), key=lambda r: rank.get(r["metric"], 99))
            self._programme_paragraph(prog, rows)
        self._programme_table(results)

    def _latest(self, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """One result per metric: the latest ``as_of``."""
        best: dict[str, Mapping[str, Any]] = {}
        for r in rows:
            m = str(r["metric"])
            if m not in best or str(r["as_of"]) > str(best[m]["as_of"]):
                best[m] = r
        return [r for r in rows if best.get(str(r["metric"])) is r]

    def _programme_paragraph(
        self, prog: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
    ) -> None:
        p = self.p
        name = self._the(_text(prog["name"], self.lang))
        rows = self._latest(rows)
        sentences: list[str] = []
        people = [r for r in rows if r["metric"] == "people_reached"]
        rest = [r for r in rows if r["metric"] != "people_reached"]
        if people:
            r = people[0]
            text = p.t("prog_people", name=name, value=self._qualified(r))
            note = _text(r.get("note"), self.lang)
            if note:
                text = text[:-1] + f.paren(note) + text[-1] if (f := self.fmt) else text
            sentences.append(text)
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for r in rest:
            groups.setdefault(self._period_phrase(r), []).append(r)
        if not groups and prog.get("started") and not people:
            pass
        first = not people
        for period, group in groups.items():
            clauses = self._clauses(group)
            joined = self._join_clauses(clauses)
            if first:
                if period:
                    sentences.append(
                        p.t("prog_only_clauses_period", name=name, period=period, clauses=joined)
                    )
                else:
                    sentences.append(p.t("prog_only_clauses", name=name, clauses=joined))
                first = False
            elif period:
                sentences.append(p.t("prog_more", period=period, clauses=joined))
            else:
                sentences.append(p.t("prog_more_noperiod", clauses=joined))
        if not sentences:
            return
        self.para_cited(self.sep.join(_cap(s) for s in sentences), [prog, *rows])

    def _clauses(self, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        """Clauses of one period; "worked in 200 cities in 39 countries" where both are."""
        by_metric = {str(r["metric"]): r for r in rows}
        pairs = self.p.get("metric_pair", {})
        out: list[str] = []
        done: set[str] = set()
        for r in rows:
            m = str(r["metric"])
            if m in done:
                continue
            pair = next(
                (
                    (a, b)
                    for key in pairs
                    for a, b in [key.split("+")]
                    if m in (a, b) and a in by_metric and b in by_metric
                ),
                None,
            )
            if pair:
                a, b = pair
                out.append(
                    str(pairs[f"{a}+{b}"]).format(
                        a=self._qualified(by_metric[a]), b=self._qualified(by_metric[b])
                    )
                )
                done.update(pair)
            else:
                out.append(self._clause(r))
                done.add(m)
        return out

    def _join_clauses(self, clauses: list[str]) -> str:
        if self.lang == "zh":
            return "，".join(clauses)
        return self.fmt.listing(clauses)

    def _programme_table(self, results: Mapping[str, list[dict[str, Any]]]) -> None:
        b, p = self.b, self.p
        present = [
            m for m in TABLE_METRICS if any(r["metric"] == m for rs in results.values() for r in rs)
        ]
        if not present:
            return
        rows: list[list[Cell]] = []
        chart_rows: list[dict[str, Any]] = []
        cited: list[Mapping[str, Any]] = []
        for prog in self.rec.programmes:
            latest = {str(r["metric"]): r for r in self._latest(results.get(prog["code"], []))}
            if not latest:
                continue
            name = _text(prog["name"], self.lang)
            cells = [Cell(name)]
            for m in present:
                r = latest.get(m)
                cells.append(
                    Cell(
                        self._qualified(r) if r else "—",
                        value=float(r["value"]) if r else None,
                        align="right",
                    )
                )
            periods = {self._period_cell(r) for r in latest.values()} - {""}
            cells.append(Cell("; ".join(sorted(periods)) if periods else "—"))
            rows.append(cells)
            cited += [prog, *latest.values()]
            if "people_reached" in latest:
                r = latest["people_reached"]
                chart_rows.append(
                    {
                        "label": name,
                        "value": round(float(r["value"]) / 1e6, 2),
                        "text": self._qualified(r),
                    }
                )
        keys = self._keys(cited)
        header = [p.t("col_programme")]
        header += [str(p.get("metric_col", {}).get(m, m)) for m in present]
        header.append(p.t("col_period"))
        b.table(p.t("t_programmes"), header, rows, sources=keys)
        if chart_rows:
            chart_rows.sort(key=lambda d: -float(d["value"]))
            spec = charts.bar_chart(
                chart_rows, value_title=p.t("people_millions"), value_format=",.1f"
            )
            sep = "；" if self.lang == "zh" else "; "
            alt = p.t(
                "fig_people_alt",
                items=sep.join(f"{d['label']}: {d['text']}" for d in chart_rows),
            )
            b.figure(p.t("fig_people"), spec, alt, sources=keys)

    def _period_cell(self, r: Mapping[str, Any]) -> str:
        p = self.p
        if r.get("period_years"):
            return p.t("period_cell_years", n=int(r["period_years"]))
        if r.get("period_start") and r.get("period_end"):
            return p.t("period_cell_range", start=r["period_start"], end=r["period_end"])
        if r.get("period_start"):
            return p.t("period_cell_since", start=r["period_start"])
        return ""
