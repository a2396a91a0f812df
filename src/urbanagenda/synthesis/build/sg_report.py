"""The Secretary-General's report on the New Urban Agenda, generated from the store.

Structured as the seed report (``data/reporting/reference/sg-report-a79-nua-zh.txt``): a
cover with the reporting period and a summary, I. Introduction, II. the governing bodies
(their sessions, resolutions and decisions), III. financial performance, IV. the global
programmes and their results — sections II to IV from the institutional records
(:mod:`urbanagenda.synthesis.records`), each fact footnoted with the document and paragraph it
comes from — and V. monitoring: SDG 11 progress (:func:`urbanagenda.store.progress.global_progress`)
and the national reports and voluntary local reviews of the reporting library, by SDG region
and year.  Every sentence comes from ``phrases/sg_report.yaml`` (English and Chinese), every
number from the store at build time.

The document is assembled here; the writer's shared state and citing helpers are in
:mod:`._sg_common`, the sections in :mod:`._sg_governance` (II), :mod:`._sg_finance` (III),
:mod:`._sg_programmes` (IV) and :mod:`._sg_monitoring` (V).
"""

from __future__ import annotations

import pandas as pd

from urbanagenda.synthesis.build._sg_finance import FinanceSection
from urbanagenda.synthesis.build._sg_governance import GovernanceSection
from urbanagenda.synthesis.build._sg_monitoring import MonitoringSection
from urbanagenda.synthesis.build._sg_programmes import ProgrammesSection
from urbanagenda.synthesis.document import Document
from urbanagenda.synthesis.generate import BuildContext

__all__ = ["build_sg_report"]


def build_sg_report(
    ctx: BuildContext, *, headline: dict[str, pd.DataFrame] | None = None
) -> Document:
    """The report's document model.  ``headline``: the output of
    :func:`urbanagenda.store.progress.headline_values` when the caller has it already (it is
    the slow, method-free part of the SDG 11 assessment)."""
    return _SgReport(ctx, headline).build()


class _SgReport(GovernanceSection, FinanceSection, ProgrammesSection, MonitoringSection):
    """The whole report: the cover and summary, I. Introduction, then sections II to V."""

    # -- the document ---------------------------------------------------------------------
    def build(self) -> Document:
        b, p = self.b, self.p
        if self.ctx.notice:
            b.notice(self.ctx.notice)
        self.mon = self._progress()
        self.library = self._library()
        b.heading(1, p.t("summary_heading"), id="summary")
        b.para(self._summary(), numbered=False)
        b.heading(1, p.t("h_intro"), "I.", id="introduction")
        b.para(p.t("intro_1"))
        b.para(self._intro_2())
        self._governance()
        self._finance()
        self._programmes()
        self._monitoring()
        self._finish_sources()
        return self.doc

    def _summary(self) -> str:
        p, f = self.p, self.fmt
        items: list[str] = []
        held = [s for s in self.rec.sessions if not self._is_future(s)]
        if held:
            items.append(p.t("sum_sessions", n=f.integer(len(held))))
        n_out = self._adopted_total()
        if n_out:
            items.append(p.t("sum_outcomes", n=f.integer(n_out)))
        years = sorted({int(r["year"]) for r in self.rec.funding})
        if years:
            items.append(p.t("sum_funding", years=self._years(years)))
        if self.rec.programmes:
            items.append(p.t("sum_programmes", n=f.integer(len(self.rec.programmes))))
        if self.mon is not None:
            items.append(p.t("sum_targets", n=f.integer(len(self.mon.chart.index))))
        nr, vlr = self.library
        items.append(p.t("sum_library", nr=f.integer(len(nr)), vlr=f.integer(len(vlr))))
        if not items:
            listed = p.t("sum_nothing")
        elif self.lang == "zh" and len(items) > 1:  # the items hold 、 and 和 themselves
            listed = "，".join(items[:-1]) + "，以及" + items[-1]
        else:
            listed = f.listing(items)
        if self.period:
            return p.t("summary", period=f.date_range(*self.period), items=listed)
        return p.t("summary_no_period", items=listed)

    def _intro_2(self) -> str:
        p, f = self.p, self.fmt
        nr, vlr = self.library
        targets = [t for t in self.mon.targets if t.has_data] if self.mon else []
        common = {
            "obs": f.integer(sum(len(t.trend) for t in targets)),
            "series": f.integer(len(targets)),
            "method": self.ctx.method,
            "docs_n": f.integer(len(nr) + len(vlr)),
        }
        if self.rec.is_empty():
            return p.t("intro_2_no_records", **common)
        n = sum(
            len(x)
            for x in (
                self.rec.bodies,
                self.rec.sessions,
                self.rec.outcomes,
                self.rec.programmes,
                self.rec.results,
                self.rec.funding,
                self.rec.contributions,
            )
        )
        titles = [self._source_title(s) or c for c, s in self.rec.sources.items()]
        docs = "、".join(f"《{t}》" for t in titles) if self.lang == "zh" else f.listing(titles)
        return p.t("intro_2", n=f.integer(n), docs=docs, **common)
