"""The SDG 11 synthesis report, built from the store in English or Chinese.

Cover (data version, method, data as of, series and areas), a global summary in the manner
of the seed report's paragraph 78 (which targets are off track at the World level, where
progress is, which regions lag) with the targets × regions status table, then one section
per target (11.1 … 11.c): statuses by every assessment method, sentences with the numbers,
the trend of the World and the SDG regions, the regional table and a map of the latest
country values.  Every paragraph, table and figure with a number cites its sources: one per
series (the loads and publishers its values came from, official and computed aggregates
named) and one per assessment method.  The data: :func:`._monitoring.monitoring`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.build._monitoring import (
    Monitoring,
    TargetMonitoring,
    data_as_of,
    data_version,
    in_sentence,
    monitoring,
    series_provenance,
    value_text,
)
from urbanagenda.synthesis.document import Cell, Document, DocumentBuilder
from urbanagenda.synthesis.generate import BuildContext
from urbanagenda.synthesis.text import Formatter, Phrases

__all__ = ["build_synthesis"]


def build_synthesis(
    ctx: BuildContext, *, headline: dict[str, pd.DataFrame] | None = None
) -> Document:
    """The SDG 11 synthesis from the store.  ``headline``: the output of
    :func:`urbanagenda.store.progress.headline_values` when the caller has it already (it
    is the slow part of the build); by default it is computed from the store."""
    fmt, ph = ctx.fmt, ctx.phrases("synthesis")
    mon = monitoring(ctx.engine, lang=ctx.lang, method=ctx.method, headline=headline)
    info = mon.methods[ctx.method]
    version = data_version(ctx.engine)
    as_of = data_as_of(ctx.engine)
    countries = {c for t in mon.targets for c in t.countries}
    n_series = len(mon.series_codes())
    doc = Document(
        kind="synthesis",
        lang=ctx.lang,
        requested_lang=ctx.requested_lang,
        title=ph.t("title"),
        subtitle=ph.t("subtitle", version=version, method=ctx.method, edition=info.edition),
        symbol=f"SDG11/{ctx.now:%Y}/{version}",
        generated_at=ctx.now,
        meta={
            ph.t("meta_method"): ph.t(
                "meta_method_value",
                method=ctx.method,
                edition=info.edition,
                config=info.config_version,
            ),
            ph.t("meta_data_as_of"): fmt.datetime(as_of) if as_of else ph.t("meta_data_none"),
            ph.t("database_version"): version,
            ph.t("meta_series"): fmt.integer(n_series),
            ph.t("meta_areas"): ph.t(
                "meta_areas_value",
                regions=fmt.integer(len(mon.areas)),
                countries=fmt.integer(len(countries)),
            ),
        },
    )
    b = DocumentBuilder(doc)
    if ctx.notice:
        b.notice(ctx.notice)
    sources = _Sources(b, mon, ctx, fmt, ph)
    _summary(b, mon, ph, sources)
    b.heading(1, ph.t("chapter_targets"), "II.", id="targets")
    for t in mon.targets:
        _target(b, t, mon, fmt, ph, sources)
    return doc


class _Sources:
    """Sources registered on first use, so that every source of the document is cited."""

    def __init__(
        self, b: DocumentBuilder, mon: Monitoring, ctx: BuildContext, fmt: Formatter, ph: Phrases
    ) -> None:
        self.b, self.mon, self.fmt, self.ph = b, mon, fmt, ph
        self.provenance = series_provenance(ctx.engine, mon.series_codes())
        self._keys: dict[str, str] = {}

    def method(self, name: str) -> str:
        key = f"method:{name}"
        if key not in self._keys:
            info = self.mon.methods[name]
            self._keys[key] = self.b.source(
                "assessment",
                self.ph.t("source_method_title", method=name, edition=info.edition),
                detail=self.ph.t(
                    "source_method_detail", config=info.config_version, reference=info.reference
                ),
            )
        return self._keys[key]

    def methods(self) -> list[str]:
        return [self.method(m) for m in self.mon.methods]

    def series(self, t: TargetMonitoring) -> str:
        code = str(t.series_code)
        key = f"series:{code}"
        if key in self._keys:
            return self._keys[key]
        ph, fmt, names = self.ph, self.fmt, self.mon.area_names
        prov = self.provenance[code]
        loads = "; ".join(
            ph.t(
                "source_load",
                id=ld.id,
                date=fmt.date(ld.finished_at.date()) if ld.finished_at else "…",
                note=ld.note,
                rows=fmt.integer(ld.rows),
            )
            for ld in prov.loads
        )
        parts = [ph.t("source_loads", loads=loads)]
        if prov.publishers:
            parts.append(ph.t("source_publishers", publishers="; ".join(prov.publishers)))
        official = [names[r.area_code] for r in t.regions if r.official]
        computed = [names[r.area_code] for r in t.regions if not r.official]
        if official:
            parts.append(ph.t("source_official", areas=fmt.listing(official)))
        if computed:
            parts.append(ph.t("source_computed", areas=fmt.listing(computed)))
        if t.countries:
            parts.append(ph.t("source_countries", n=fmt.integer(len(t.countries))))
        self._keys[key] = self.b.source(
            "series",
            t.series_name,
            detail=_join(ph, parts),
            series_code=code,
            areas=[*(r.area_code for r in t.regions), *t.countries],
            years=t.years,
        )
        return self._keys[key]

    def all_series(self) -> list[str]:
        return [self.series(t) for t in self.mon.targets if t.has_data]


def _summary(b: DocumentBuilder, mon: Monitoring, ph: Phrases, sources: _Sources) -> None:
    b.heading(1, ph.t("chapter_summary"), "I.", id="summary")
    cited = [sources.method(mon.method), *sources.all_series()]
    b.para(_join(ph, mon.summary), sources=cited)
    if mon.summary_extra:
        b.para(_join(ph, mon.summary_extra), sources=cited)
    header = [ph.t("col_target"), *(mon.area_names[a] for a in mon.areas)]
    rows = []
    for t in mon.targets:
        row = [Cell(f"{t.target} {t.short_name}")]
        for area in mon.areas:
            status = str(mon.chart.loc[t.target, area]) if t.target in mon.chart.index else ""
            if status:
                label = mon.labels.get((t.target, area), status)
                row.append(Cell(label, status=status, align="center"))
            else:
                row.append(Cell("", align="center"))
        rows.append(row)
    b.table(
        ph.t("summary_table", method=mon.method, edition=mon.edition),
        header,
        rows,
        sources=cited,
        notes=[ph.t("summary_table_note", method=mon.method)],
    )


def _target(
    b: DocumentBuilder,
    t: TargetMonitoring,
    mon: Monitoring,
    fmt: Formatter,
    ph: Phrases,
    sources: _Sources,
) -> None:
    b.heading(2, t.title, t.target, id=f"target-{t.target}")
    if not t.has_data:
        b.para(_join(ph, t.sentences))
        return
    series = sources.series(t)
    main = sources.method(mon.method)
    b.para(_join(ph, t.story), sources=[series, main])
    b.para(_join(ph, t.sentences), sources=[series, *sources.methods()])
    b.table(
        ph.t("methods_table", code=t.target),
        [ph.t("col_method"), ph.t("col_edition"), ph.t("col_status")],
        [
            [
                Cell(m.method),
                Cell(m.edition, align="center"),
                Cell(m.label or ph.t("status_none"), status=m.status or None),
            ]
            for m in t.methods
        ],
        sources=[series, *(sources.method(m.method) for m in t.methods)],
    )
    _trend(b, t, fmt, ph, series)
    b.table(
        ph.t("regions_table", code=t.target, series=t.series_name),
        [
            ph.t("col_region"),
            ph.t("col_value", unit=t.unit_name),
            ph.t("col_year"),
            ph.t("col_status_method", method=mon.method),
            ph.t("col_aggregate"),
            ph.t("col_countries"),
        ],
        [
            [
                Cell(r.name),
                Cell(value_text(fmt, r.value, t.unit), value=r.value, align="right"),
                Cell(str(r.year), value=r.year, align="right"),
                Cell(r.label or ph.t("status_none"), status=r.status or None),
                Cell(ph.t("aggregate_official" if r.official else "aggregate_computed")),
                Cell(
                    fmt.integer(r.n_countries) if r.n_countries is not None else "…",
                    value=r.n_countries,
                    align="right",
                ),
            ]
            for r in t.regions
        ],
        sources=[series, main],
        notes=[ph.t("regions_table_note")],
    )
    _map(b, t, fmt, ph, series)


def _join(ph: Phrases, sentences: Iterable[str]) -> str:
    """Sentences into a paragraph: with spaces in English, without in Chinese."""
    return ("" if ph.lang == "zh" else " ").join(s.strip() for s in sentences)


def _years(ph: Phrases, first: int, last: int) -> str:
    return str(first) if first == last else ph.t("years_range", first=first, last=last)


def _span(years: Iterable[int]) -> tuple[int, int]:
    ys = sorted(years)
    return ys[0], ys[-1]


def _trend(b: DocumentBuilder, t: TargetMonitoring, fmt: Formatter, ph: Phrases, src: str) -> None:
    if not t.trend:
        return
    first, last = _span(r["year"] for r in t.trend)
    spec = charts.line_chart(
        [{"area": r["area"], "year": r["year"], "value": r["value"]} for r in t.trend],
        y_title=t.unit_name,
        target=t.target_2030,
        target_label=ph.t("target_rule"),
    )
    alt = ph.t(
        "trend_alt",
        series=in_sentence(t.series_name, ph.lang),
        unit=t.unit_name,
        n=len({r["area_code"] for r in t.trend}),
        years=_years(ph, first, last),
    )
    w = t.world
    if w is not None:
        alt += ph.t("trend_alt_world", value=value_text(fmt, w.value, t.unit), year=w.year)
    b.figure(
        ph.t("trend_caption", code=t.target, series=t.series_name, years=_years(ph, first, last)),
        spec,
        alt,
        sources=[src],
    )


def _map(b: DocumentBuilder, t: TargetMonitoring, fmt: Formatter, ph: Phrases, src: str) -> None:
    if not t.countries or t.country_years is None:
        b.para(ph.t("map_none"))
        return
    first, last = t.country_years
    years = _years(ph, first, last)
    spec = charts.choropleth(
        dict(t.countries),
        legend_title=t.unit_name,
        reverse=t.direction == "increase",
        no_data_label=ph.t("no_data_label"),
    )
    values = list(t.countries.values())
    b.figure(
        ph.t("map_caption", code=t.target, series=t.series_name, years=years),
        spec,
        ph.t(
            "map_alt",
            series=in_sentence(t.series_name, ph.lang),
            n=fmt.integer(len(values)),
            years=years,
            low=value_text(fmt, min(values), t.unit),
            high=value_text(fmt, max(values), t.unit),
        ),
        sources=[src],
    )
