"""Chapter II of the national report draft: the country's Goal 11 series, their status,
a sentence each with the SDG region and the World beside it, and trend charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from urbanagenda.assess.methods import INSUFFICIENT, assess
from urbanagenda.errors import DataError, MethodError
from urbanagenda.store.progress import regional_values
from urbanagenda.store.query import read_observations
from urbanagenda.synthesis import charts
from urbanagenda.synthesis.build._national_common import KEYS, TOTAL, _DraftBase, headline_rows
from urbanagenda.synthesis.document import Cell, Inline

WORLD = "1"


@dataclass
class _Series:
    """One series of the country: its headline rows and what the draft says of it."""

    code: str
    indicator: str
    target: str
    frame: pd.DataFrame  # headline rows, sorted by year
    status: dict[str, Any]


class _IndicatorsPart(_DraftBase):
    """The Goal 11 series of the country, target by target."""

    # ====================================================================== II. indicators
    def country_series(self) -> list[_Series]:
        obs = read_observations(self.engine, areas=[self.code])
        obs = obs[obs["series_code"].isin(self.sdg11)]
        head = headline_rows(obs)
        if head.empty:
            return []
        result = assess(head[KEYS], self.ctx.method, language=self.lang)
        statuses = {
            str(r["series_code"]): {str(k): v for k, v in r.items()}
            for r in result.to_dict("records")
        }
        headline = set(self.headline)
        out: list[_Series] = []
        seen: set[str] = set()
        for target in self.cat.targets:
            for ind in self.cat.indicators_of_target(target):
                found = [
                    sc.code
                    for sc in self.cat.series_of_indicator(ind.code)
                    if sc.code in statuses and sc.code not in seen
                ]
                found.sort(key=lambda c: (c not in headline, self._headline_rank(c)))
                for series in found:
                    seen.add(series)
                    part = head[head["series_code"] == series].sort_values("year")
                    out.append(_Series(series, ind.code, target, part, statuses[series]))
        return out

    def indicators(self) -> None:
        self.chapter_heading("h_indicators", "indicators")
        rows = self.country_series()
        if not rows:
            self.b.para(self.ph.t("ind_none", country=self.country))
            return
        edition = str(rows[0].status.get("edition") or "")
        s_assess = self.assessment_source(edition)
        sources = {r.code: self.series_source(r.code, r.frame) for r in rows}
        ph = self.ph
        self.b.para(
            ph.t(
                "ind_intro",
                n=self.fmt.integer(len(rows)),
                country=self.country,
                method=self.ctx.method,
                edition=edition,
            ),
            sources=[s_assess],
        )
        table_rows = []
        for r in rows:
            first, last = r.frame.iloc[0], r.frame.iloc[-1]
            unit = str(last["unit"])
            sc = self.cat.series[r.code]
            goal = sc.target_2030
            table_rows.append(
                [
                    Cell(r.indicator),
                    Cell(self.series_name(r.code)),
                    Cell(
                        self.value_year(float(first["value"]), int(first["year"]), unit, r.code),
                        value=float(first["value"]),
                        align="right",
                    ),
                    Cell(
                        self.value_year(float(last["value"]), int(last["year"]), unit, r.code),
                        value=float(last["value"]),
                        align="right",
                    ),
                    Cell(
                        self.value(goal, unit, r.code) if goal is not None else ph.t("none_mark"),
                        value=goal,
                        align="right",
                    ),
                    Cell(str(r.status["label"]), status=str(r.status["status"])),
                ]
            )
        self.b.table(
            ph.t("ind_caption", country=self.country),
            [
                ph.t("col_indicator"),
                ph.t("col_series"),
                ph.t("col_earliest"),
                ph.t("col_latest"),
                ph.t("col_target"),
                ph.t("col_status", method=self.ctx.method),
            ],
            table_rows,
            sources=[*sources.values(), s_assess],
            notes=[ph.t("ind_note")],
        )
        by_target: dict[str, list[_Series]] = {}
        for r in rows:
            by_target.setdefault(r.target, []).append(r)
        for target, items in by_target.items():
            self.section_heading(
                ph.t("h_target", code=target, name=self.target_name(target)), f"target-{target}"
            )
            for r in items:
                self.series_paragraph(r, sources[r.code], s_assess)

    def series_paragraph(self, r: _Series, source: str, s_assess: str) -> None:
        ph = self.ph
        first, last = r.frame.iloc[0], r.frame.iloc[-1]
        unit = str(last["unit"])
        name = self.in_sentence(self.series_name(r.code))
        v0, v1 = float(first["value"]), float(last["value"])
        y0, y1 = int(first["year"]), int(last["year"])
        parts: list[str | Inline] = []
        if self.is_boolean(r.code):
            key = "boolean_yes" if v1 >= 0.5 else "boolean_no"
            parts.append(
                ph.t(key, year=y1, country=self.country, indicator=r.indicator, series=name)
            )
        elif y0 == y1:
            parts.append(
                ph.t(
                    "single",
                    country=self.country,
                    series=name,
                    latest=self.value(v1, unit, r.code),
                    latest_year=y1,
                )
            )
        else:
            a, b = self.value(v0, unit, r.code), self.value(v1, unit, r.code)
            key = "trend_flat" if a == b else "trend_down" if v1 < v0 else "trend_up"
            parts.append(
                ph.t(
                    key,
                    country=self.country,
                    series=name,
                    base=a,
                    base_year=y0,
                    latest=b,
                    latest_year=y1,
                )
            )
        sentences: list[str] = []
        st = r.status
        if str(st["status"]) == INSUFFICIENT:
            reason = str(st.get("reason") or "")
            label = self.methods_cfg.get("reasons", {}).get(reason, {}).get(self.lang, reason)
            if not self.is_boolean(r.code):
                sentences.append(ph.t("not_assessed", method=self.ctx.method, reason=label))
        else:
            sentences.append(
                ph.t(
                    "assessed",
                    method=self.ctx.method,
                    base_year=int(st["base_year"]),
                    latest_year=int(st["latest_year"]),
                    label=str(st["label"]),
                )
            )
        target = self.cat.series[r.code].target_2030
        if target is not None:
            sentences.append(ph.t("target_is", target=self.value(target, unit, r.code)))
        sources = [source, s_assess]
        if sentences:
            parts.append(("" if self.lang == "zh" else " ") + self._join(sentences))
        regional = (
            self.regional(r.code)
            if r.code in self.headline and not self.is_boolean(r.code)
            else pd.DataFrame()
        )
        if not regional.empty:
            parts.extend(self.regional_sentence(r, regional, unit))
            sources.extend(self.regional_sources(r.code, regional))
        self.b.para(parts, sources=sources)
        if r.code in self.headline and r.frame["year"].nunique() >= 2:
            self.trend_figure(r, regional, unit, [source, *sources[2:]])

    def regional(self, series: str) -> pd.DataFrame:
        """The region's and the World's values: official aggregates where the store has them
        for both (no computation needed), else :func:`regional_values` (official else
        computed by the platform)."""
        wanted = [a for a in (self.region, WORLD) if a]
        official = read_observations(self.engine, series=[series], areas=wanted)
        if not official.empty:
            official = official.assign(official=True, n_with_data=0)
            loc = (
                TOTAL
                if (official["location"] == TOTAL).any()
                else official["location"].mode().iloc[0]
            )
            official = official[
                (official["location"] == loc)
                & (official["sex"] == TOTAL)
                & (official["age"] == TOTAL)
                & (official["breakdown"] == "")
            ]
            if set(official["area_code"].astype(str)) >= set(wanted):
                return official.reset_index(drop=True)
        try:
            values = regional_values(self.engine, series, wanted)
        except (MethodError, DataError):
            return pd.DataFrame()
        if values.empty:
            return values
        values = values[values["value"].notna()].copy()
        values["year"] = values["year"].astype(int)
        values["area_code"] = values["area_code"].astype(str)
        return values

    def regional_sources(self, series: str, regional: pd.DataFrame) -> list[str]:
        """Official aggregates cite their loads; computed ones the platform's aggregation."""
        keys = []
        official = regional[regional["official"].astype(bool)]
        if not official.empty:
            keys.append(self.series_source(series, official))
        computed = regional[~regional["official"].astype(bool)]
        if not computed.empty:
            sc = self.cat.series[series]
            keys.append(
                self.b.source(
                    "series",
                    self.ph.t("src_computed", series=self.series_name(series)),
                    detail=self.ph.t(
                        "src_computed_detail",
                        rule=sc.aggregation,
                        n=self.fmt.integer(int(computed["n_with_data"].max())),
                    ),
                    series_code=series,
                    areas=[str(a) for a in computed["area_code"]],
                    years=[int(y) for y in computed["year"]],
                )
            )
        return keys

    def regional_sentence(
        self, r: _Series, regional: pd.DataFrame, unit: str
    ) -> list[str | Inline]:
        ph = self.ph
        year = int(r.frame["year"].iloc[-1])
        latest: dict[str, Any] = {}
        for area in (self.region, WORLD):
            part = regional[regional["area_code"] == area].sort_values("year") if area else None
            if part is not None and not part.empty:
                same = part[part["year"] == year]
                latest[str(area)] = (same if not same.empty else part).iloc[-1]
        if not latest:
            return []
        region = latest.get(str(self.region)) if self.region else None
        world = latest.get(WORLD)
        sep = "" if self.lang == "zh" else " "

        def val(row: Any) -> str:
            return self.value(float(row["value"]), unit, r.code)

        def note(row: Any) -> Inline:
            if bool(row["official"]):
                return self.b.note(ph.t("agg_official"))
            n = int(row["n_with_data"]) if not pd.isna(row["n_with_data"]) else 0
            return self.b.note(ph.t("agg_computed", n=self.fmt.integer(n)))

        if region is not None and world is not None:
            if int(region["year"]) == int(world["year"]):
                text = ph.t(
                    "regional_same_year",
                    year=int(region["year"]),
                    region=self.area_name(str(self.region)),
                    region_value=val(region),
                    world_value=val(world),
                )
            else:
                text = ph.t(
                    "regional_latest",
                    region=self.area_name(str(self.region)),
                    region_value=val(region),
                    region_year=int(region["year"]),
                    world_value=val(world),
                    world_year=int(world["year"]),
                )
            return [sep + text, note(region)]
        row = region if region is not None else world
        assert row is not None  # latest is not empty
        area = str(self.region) if region is not None else WORLD
        text = ph.t(
            "regional_region_only",
            region=self.area_name(area),
            region_value=val(row),
            region_year=int(row["year"]),
        )
        return [sep + text, note(row)]

    def trend_figure(
        self, r: _Series, regional: pd.DataFrame, unit: str, sources: Sequence[str]
    ) -> None:
        ph = self.ph
        lines: list[tuple[str, pd.DataFrame]] = [(self.country, r.frame)]
        for area in (self.region, WORLD):
            if area and not regional.empty:
                part = regional[regional["area_code"] == area].sort_values("year")
                if not part.empty:
                    lines.append((self.area_name(area), part))
        rows = [
            {"year": int(y), "value": float(v), "area": name}
            for name, part in lines
            for y, v in zip(part["year"], part["value"], strict=True)
        ]
        years = [int(y) for _, part in lines for y in part["year"]]
        first, last = min(years), max(years)
        series = self.series_name(r.code)
        alt_parts = []
        for name, part in lines:
            a, b = part.iloc[0], part.iloc[-1]
            if int(a["year"]) == int(b["year"]):
                alt_parts.append(
                    ph.t(
                        "fig_alt_single",
                        area=name,
                        value=self.value(float(b["value"]), unit, r.code),
                        year=int(b["year"]),
                    )
                )
            else:
                alt_parts.append(
                    ph.t(
                        "fig_alt_part",
                        area=name,
                        first_value=self.value(float(a["value"]), unit, r.code),
                        first_year=int(a["year"]),
                        last_value=self.value(float(b["value"]), unit, r.code),
                        last_year=int(b["year"]),
                    )
                )
        sep = "；" if self.lang == "zh" else "; "
        alt = ph.t("fig_alt_lead", series=self.in_sentence(series), first=first, last=last)
        alt += (
            ("" if self.lang == "zh" else " ")
            + sep.join(alt_parts)
            + ("。" if self.lang == "zh" else ".")
        )
        target = self.cat.series[r.code].target_2030
        spec = charts.line_chart(
            rows,
            y_title=self.unit_label(unit),
            target=target,
            target_label=ph.t("target_line"),
        )
        caption = ph.t(
            "fig_caption",
            series=series,
            areas=self.fmt.listing([name for name, _ in lines]),
            first=first,
            last=last,
        )
        self.b.figure(caption, spec, alt, sources=list(dict.fromkeys(sources)))
