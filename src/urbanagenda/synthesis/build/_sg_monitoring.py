"""Section V of the Secretary-General's report (:mod:`.sg_report`): monitoring — A. SDG 11
progress by the report's method (:func:`._monitoring.monitoring`, shared with the SDG 11
synthesis) and B. the national reports and voluntary local reviews of the reporting library,
by SDG region and year.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from urbanagenda.reporting.documents import list_documents
from urbanagenda.reporting.model import Document as LibraryDocument
from urbanagenda.synthesis.build._monitoring import Monitoring, monitoring, region_names
from urbanagenda.synthesis.build._provenance import series_provenance
from urbanagenda.synthesis.build._sg_common import SgWriter, _plural
from urbanagenda.synthesis.document import Cell, Inline


class MonitoringSection(SgWriter):
    """V. Monitoring: SDG 11 progress and the reporting library."""

    mon: Monitoring | None  # set by build(): SDG 11 monitoring (None: no series with data)
    library: tuple[list[LibraryDocument], list[LibraryDocument]]  # set by build(): NRs, VLRs

    def _progress(self) -> Monitoring | None:
        """SDG 11 monitoring by the report's method (helpers shared with the synthesis)."""
        mon = monitoring(
            self.ctx.engine,
            lang=self.lang,
            method=self.ctx.method,
            headline=self.headline,
            methods=[self.ctx.method],
            maps=False,
        )
        return mon if mon.series_codes() else None

    def _monitoring(self) -> None:
        b, p = self.b, self.p
        b.heading(1, p.t("h_mon"), "V.", id="monitoring")
        b.heading(2, p.t("h_mon_sdg"), "A.", id="monitoring-sdg11")
        self._sdg11()
        b.heading(2, p.t("h_mon_reports"), "B.", id="monitoring-reports")
        self._reports()

    def _monitoring_sources(self, mon: Monitoring) -> list[str]:
        """One source per headline series (its loads), one for the assessment."""
        b, p, f = self.b, self.p, self.fmt
        provenance = series_provenance(self.ctx.engine, mon.series_codes())
        keys = []
        for t in mon.targets:
            if not t.series_code or not t.regions:
                continue
            years = sorted({int(r["year"]) for r in t.trend})
            official = sum(1 for r in t.regions if r.official)
            detail = p.t(
                "series_detail",
                years=self._years(years) if len(years) < 3 else self._span(years),
                official=f.integer(official),
                computed=f.integer(len(t.regions) - official),
            )
            pv = provenance.get(t.series_code)
            if pv and pv.loads:
                notes = "; ".join(dict.fromkeys(ld.note for ld in pv.loads if ld.note))
                detail += p.t("series_loads", loads=notes)
            keys.append(
                b.source(
                    "series",
                    t.series_name,
                    detail=detail,
                    series_code=t.series_code,
                    areas=[r.area_code for r in t.regions],
                    years=years,
                )
            )
        info = mon.methods.get(mon.method)
        keys.append(
            b.source(
                "assessment",
                p.t("assessment_title", method=mon.method),
                detail=p.t(
                    "assessment_detail",
                    targets=f.integer(len(mon.chart.index)),
                    areas=f.integer(len(mon.chart.columns)),
                    edition=info.edition if info else "",
                    reference=info.reference if info else "",
                ),
            )
        )
        return list(dict.fromkeys(keys))

    def _sdg11(self) -> None:
        b, p = self.b, self.p
        mon = self.mon
        if mon is None:
            b.notice(p.t("mon_no_data"))
            return
        keys = self._monitoring_sources(mon)
        b.para(
            [self.sep.join(mon.summary_extra), b.note(p.t("mon_fn", method=mon.method))],
            sources=keys,
        )
        b.para(self.sep.join(mon.summary), sources=keys)
        with_data = [t for t in mon.targets if t.has_data and t.story]
        if with_data:
            b.para(p.t("mon_stories"), sources=keys)
            b.bullets(
                [
                    p.t(
                        "mon_target_item",
                        code=t.target,
                        name=t.short_name,
                        text=self.sep.join(t.story),
                    )
                    for t in with_data
                ],
                sources=keys,
            )
        names = mon.area_names
        header = [p.t("col_target"), *(names.get(a, a) for a in mon.chart.columns)]
        rows = []
        for target, row in mon.chart.iterrows():
            short = next((t.short_name for t in mon.targets if t.target == target), "")
            cells = [Cell(f"{target} {short}".strip())]
            for a in mon.chart.columns:
                status = str(row[a])
                label = mon.labels.get((str(target), str(a)), status)
                cells.append(Cell(label if status else "—", status=status or None))
            rows.append(cells)
        b.table(p.t("t_progress", method=mon.method), header, rows, sources=keys)

    # -- V.B reporting library ------------------------------------------------------------
    def _library(self) -> tuple[list[LibraryDocument], list[LibraryDocument]]:
        nr = list_documents(self.ctx.engine, kind="national_report", status="published")
        vlr = list_documents(self.ctx.engine, kind="vlr", status="published")
        return nr, vlr

    def _region_of(self, country: str | None, regions: Sequence[str]) -> str:
        if not country or country not in self.areas:
            return ""
        for a in self.areas.ancestors(country, "sdg"):
            if a in regions:
                return a
        return ""

    def _library_source(self, docs: Sequence[LibraryDocument], title: str) -> str | None:
        """The source that stands for the published documents of one kind (``title``: its
        phrase key); None when there are none."""
        if not docs:
            return None
        p, f = self.p, self.fmt
        return self.b.source(
            "document",
            p.t(title),
            detail=p.t(
                "lib_detail",
                n=f.integer(len(docs)),
                ids=", ".join(str(d.id) for d in sorted(docs, key=lambda d: d.id)),
            ),
            areas=[d.country_code for d in docs if d.country_code],
            years=[d.year for d in docs if d.year],
        )

    def _reports(self) -> None:
        b, p, f = self.b, self.p, self.fmt
        nr, vlr = self.library
        names = region_names(self.lang)
        regions = [a for a in names if a != "1"]
        nr_key = self._library_source(nr, "lib_nr_title")
        vlr_key = self._library_source(vlr, "lib_vlr_title")
        keys = [k for k in (nr_key, vlr_key) if k]
        sentences = []
        if nr:
            countries = {d.country_code for d in nr if d.country_code}
            sentences.append(
                p.t(
                    "mon_nr",
                    n=f.integer(len(nr)),
                    c=f.integer(len(countries)),
                    years=self._years([d.year for d in nr if d.year]),
                )
            )
        else:
            sentences.append(p.t("mon_nr_none"))
        if vlr:
            governments = {d.area_code or f"{d.country_code}:{d.title}" for d in vlr}
            countries = {d.country_code for d in vlr if d.country_code}
            sentences.append(
                p.t(
                    "mon_vlr",
                    n=f.integer(len(vlr)),
                    cities=f.integer(len(governments)),
                    c=f.integer(len(countries)),
                    years=self._years([d.year for d in vlr if d.year]),
                )
            )
        else:
            sentences.append(p.t("mon_vlr_none"))
        by_region: dict[str, Counter[str]] = defaultdict(Counter)
        for kind, docs in (("nr", nr), ("vlr", vlr)):
            for d in docs:
                by_region[self._region_of(d.country_code, regions)][kind] += 1
        items = []
        for a in [*regions, ""]:
            c = by_region.get(a)
            if not c:
                continue
            counts = []
            if c["nr"]:
                counts.append(_plural(p.get("mon_nr_count"), c["nr"]).format(n=f.integer(c["nr"])))
            if c["vlr"]:
                counts.append(
                    _plural(p.get("mon_vlr_count"), c["vlr"]).format(n=f.integer(c["vlr"]))
                )
            region = names[a] if a else p.t("region_other")
            items.append(
                p.t(
                    "mon_region_item",
                    region=region,
                    counts=("、" if self.lang == "zh" else ", ").join(counts),
                )
            )
        if items:
            sentences.append(
                p.t("mon_by_region", items=("；" if self.lang == "zh" else "; ").join(items))
            )
        examples = sum(1 for d in [*nr, *vlr] if d.is_example)
        content: list[str | Inline] = [self.sep.join(sentences)]
        if examples:
            content.append(b.note(p.t("mon_examples", n=f.integer(examples))))
        b.para(content, sources=keys)
        if nr:
            modes = Counter(d.modality or "unknown" for d in nr)
            forms = p.get("modalities", {})
            listed = [
                _plural(forms.get(m, forms.get("unknown")), n).format(n=f.integer(n))
                for m, n in sorted(modes.items(), key=lambda kv: -kv[1])
            ]
            b.para(
                p.t("mon_modalities", items=self._list(listed)), sources=[nr_key] if nr_key else []
            )
        for docs, caption, key in ((nr, "t_nr", nr_key), (vlr, "t_vlr", vlr_key)):
            if docs and key:
                self._region_year_table(docs, p.t(caption), key, regions, names)

    def _region_year_table(
        self,
        docs: Sequence[LibraryDocument],
        caption: str,
        key: str,
        regions: Sequence[str],
        names: Mapping[str, str],
    ) -> None:
        p, f = self.p, self.fmt
        years = sorted({d.year for d in docs if d.year})
        counts: Counter[tuple[str, int | None]] = Counter(
            (self._region_of(d.country_code, regions), d.year) for d in docs
        )
        rows = []
        for a in [*regions, ""]:
            total = sum(n for (r, _), n in counts.items() if r == a)
            if not total:
                continue
            cells = [Cell(names[a] if a else p.t("region_other"))]
            for y in years:
                n = counts.get((a, y), 0)
                cells.append(Cell(f.integer(n) if n else "—", value=float(n), align="right"))
            cells.append(Cell(f.integer(total), value=float(total), align="right"))
            rows.append(cells)
        totals = [Cell(p.t("row_total"))]
        for y in years:
            n = sum(v for (_, yy), v in counts.items() if yy == y)
            totals.append(Cell(f.integer(n), value=float(n), align="right"))
        totals.append(Cell(f.integer(len(docs)), value=float(len(docs)), align="right"))
        rows.append(totals)
        header = [p.t("col_region"), *(str(y) for y in years), p.t("col_total")]
        self.b.table(caption, header, rows, sources=[key])
