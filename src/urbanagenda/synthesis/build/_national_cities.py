"""Chapter III of the national report draft: the country's cities in the store (a table of
their latest values, the highest and the lowest city of each series, a bar chart)."""

from __future__ import annotations

import pandas as pd

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.build._national_common import _DraftBase
from urbanagenda.synthesis.document import Cell

MAX_CITY_ROWS = 25
MAX_CITY_COLUMNS = 5
MAX_BARS = 20  # beyond it: the highest and lowest half each


class _CitiesPart(_DraftBase):
    """The cities of the country with Goal 11 data in the store."""

    # ====================================================================== III. cities
    def cities(self) -> None:
        self.chapter_heading("h_cities", "cities")
        ph, fmt = self.ph, self.fmt
        latest = self.city_frame()
        if latest.empty:
            self.b.para(ph.t("cities_none", country=self.country))
            return
        coverage = latest.groupby("series_code")["area_code"].nunique()
        order = sorted(
            coverage.index,
            key=lambda c: (c not in self.headline, self._headline_rank(c), -int(coverage[c]), c),
        )
        shown, other = order[:MAX_CITY_COLUMNS], order[MAX_CITY_COLUMNS:]
        cities = sorted(
            latest["area_code"].unique(),
            key=lambda c: self.area_name(str(c)).casefold(),
        )
        n = len(cities)
        series_sources = {
            sc: self.series_source(sc, latest[latest["series_code"] == sc]) for sc in shown
        }
        self.b.para(
            ph.t(
                "cities_intro",
                n=fmt.integer(n),
                country=self.country,
                series=fmt.listing([self.in_sentence(self.short_name(sc)) for sc in shown]),
            ),
            sources=list(series_sources.values()),
        )
        # the table: the cities with data on most of the shown series
        value_of = {
            (str(r["series_code"]), str(r["area_code"])): r
            for r in latest[latest["series_code"].isin(shown)].to_dict("records")
        }
        ranked = sorted(cities, key=lambda c: -sum((sc, c) in value_of for sc in shown))[
            :MAX_CITY_ROWS
        ]
        rows_shown = [c for c in cities if c in set(ranked)]
        header = [ph.t("col_city")]
        uniform: dict[str, int | None] = {}
        for sc in shown:
            years = {int(r["year"]) for (k, _), r in value_of.items() if k == sc}
            uniform[sc] = years.pop() if len(years) == 1 else None
            label = self.short_name(sc)
            header.append(
                self.ph.t("col_with_year", label=label, year=uniform[sc]) if uniform[sc] else label
            )
        table_rows = []
        for city in rows_shown:
            row = [Cell(self.area_name(str(city)))]
            for sc in shown:
                rec = value_of.get((sc, str(city)))
                if rec is None:
                    row.append(Cell(ph.t("none_mark"), align="right"))
                    continue
                v, unit = float(rec["value"]), str(rec["unit"])
                text = (
                    self.value(v, unit, sc)
                    if uniform[sc]
                    else self.value_year(v, int(rec["year"]), unit, sc)
                )
                row.append(Cell(text, value=v, align="right"))
            table_rows.append(row)
        notes = []
        if len(rows_shown) < n:
            notes.append(
                ph.t("cities_note_more", n=fmt.integer(n), path=f"/{self.lang}/area/{self.code}")
            )
        if other:
            notes.append(
                ph.t("cities_note_other", series=fmt.listing([self.short_name(x) for x in other]))
            )
        caption = (
            ph.t("cities_caption", country=self.country)
            if len(rows_shown) == n
            else ph.t(
                "cities_caption_some",
                country=self.country,
                shown=fmt.integer(len(rows_shown)),
                n=fmt.integer(n),
            )
        )
        self.b.table(
            caption, header, table_rows, sources=list(series_sources.values()), notes=notes
        )
        for sc in shown:
            self.city_sentence(sc, latest[latest["series_code"] == sc], series_sources[sc])
        # the chart: the series with the most cities among those whose cities differ
        spread = latest.groupby("series_code")["value"].agg(lambda v: float(v.max() - v.min()))
        varied = [c for c in shown if int(coverage[c]) >= 2 and spread[c] > 0]
        if varied:
            chart_series = max(varied, key=lambda c: (int(coverage[c]), -shown.index(c)))
            self.city_chart(
                chart_series,
                latest[latest["series_code"] == chart_series],
                series_sources[chart_series],
            )

    def _when(self, part: pd.DataFrame) -> str:
        years = set(part["year"].astype(int))
        if len(years) == 1:
            return self.ph.t("city_when_year", year=years.pop())
        return self.ph.t("city_when_latest")

    def city_sentence(self, series: str, part: pd.DataFrame, source: str) -> None:
        ph = self.ph
        unit = str(part["unit"].iloc[-1])
        name = self.in_sentence(self.series_name(series))
        ordered = part.sort_values(["value", "area_code"], ascending=[False, True])
        if len(ordered) == 1:
            row = ordered.iloc[0]
            text = ph.t(
                "city_one",
                city=self.area_name(str(row["area_code"])),
                series=name,
                value=self.value(float(row["value"]), unit, series),
                year=int(row["year"]),
            )
        elif float(ordered["value"].max()) == float(ordered["value"].min()):
            text = ph.t(
                "city_all_same",
                n=self.fmt.integer(len(ordered)),
                series=name,
                value=self.value(float(ordered["value"].iloc[0]), unit, series),
                when=self._when(ordered),
            )
        else:
            top, bottom = ordered.iloc[0], ordered.iloc[-1]
            text = ph.t(
                "city_range",
                n=self.fmt.integer(len(ordered)),
                series=name,
                top=self.area_name(str(top["area_code"])),
                top_value=self.value(float(top["value"]), unit, series),
                bottom=self.area_name(str(bottom["area_code"])),
                bottom_value=self.value(float(bottom["value"]), unit, series),
                when=self._when(ordered),
                median=self.value(float(ordered["value"].median()), unit, series),
            )
        self.b.para(text, sources=[source])

    def city_chart(self, series: str, part: pd.DataFrame, source: str) -> None:
        ph = self.ph
        unit = str(part["unit"].iloc[-1])
        ordered = part.sort_values(["value", "area_code"], ascending=[False, True])
        n = len(ordered)
        k = MAX_BARS // 2
        picked = ordered if n <= MAX_BARS else pd.concat([ordered.head(k), ordered.tail(k)])
        rows = [
            {"label": self.area_name(str(c)), "value": float(v)}
            for c, v in zip(picked["area_code"], picked["value"], strict=True)
        ]
        when = self._when(ordered)
        if self.lang == "en" and when.startswith(" in"):
            when = "," + when[3:]
        elif self.lang == "zh" and len(set(ordered["year"])) == 1:
            when = f"，{when}"
        else:
            when = "" if self.lang == "zh" else when
        series_name = self.short_name(series)
        caption = (
            ph.t("city_bar_caption", series=series_name, country=self.country, when=when)
            if n <= MAX_BARS
            else ph.t(
                "city_bar_caption_some",
                series=series_name,
                country=self.country,
                k=self.fmt.integer(k),
                n=self.fmt.integer(n),
                when=when,
            )
        )
        top, bottom = ordered.iloc[0], ordered.iloc[-1]
        alt = ph.t(
            "city_bar_alt",
            n=self.fmt.integer(n),
            top=self.area_name(str(top["area_code"])),
            top_value=self.value(float(top["value"]), unit, series),
            bottom=self.area_name(str(bottom["area_code"])),
            bottom_value=self.value(float(bottom["value"]), unit, series),
        )
        spec = charts.bar_chart(rows, value_title=self.unit_label(unit))
        self.b.figure(caption, spec, alt, sources=[source])
