"""The draft of a country's national report on the New Urban Agenda, for its focal point.

:func:`build_national` writes, from the store and in English or Chinese:

I.   the country profile: SDG region, sub-region and country groups (the bundled area
     tables), the latest population (``SP_POP_TOTL``) and the number of cities with data;
II.  every Goal 11 series with data for the country: earliest and latest value, the 2030
     target of the catalogue, the status by the chosen progress method (assessed on the
     country's headline disaggregation, as the country page of the web platform does), a
     sentence per series target by target (the headline series of ``assess/config/
     progress.yaml`` first) with the SDG region and the World beside it, and a trend chart of
     each headline series with a time series;
III. the country's cities in the store: a table of their latest values, the highest and the
     lowest city of each series, and a bar chart;
IV.  the sections of its last published national report in the reporting library (cited by
     title, year and version; Markdown read into plain paragraphs, trimmed);
V.   the voluntary local reviews of its cities, with the passages the library's tagger tied
     to Goal 11 targets;
VI.  points for the focal point.

Every number comes from the store when the draft is built and cites a source (series with
areas, years, loads and publishers; the assessment method; the library documents).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from babel import Locale
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import Engine, func, select

from urbanagenda.assess.methods import INSUFFICIENT, assess, load_method_config
from urbanagenda.assess.progress import load_progress_config
from urbanagenda.errors import DataError, MethodError
from urbanagenda.model.areas import Areas, load_areas
from urbanagenda.model.catalogue import Catalogue, load_catalogue, translated_names
from urbanagenda.reporting.documents import get_version, list_documents
from urbanagenda.reporting.model import Document as LibraryDocument
from urbanagenda.store import schema as s
from urbanagenda.store.progress import regional_values
from urbanagenda.store.query import read_observations
from urbanagenda.synthesis import charts
from urbanagenda.synthesis.document import Cell, Document, DocumentBuilder, Inline, Run
from urbanagenda.synthesis.generate import BuildContext
from urbanagenda.synthesis.text import Formatter, Phrases

__all__ = ["POPULATION_SERIES", "build_national", "country_code"]

#: The store's total population series (World Bank SP.POP.TOTL, a demo source).
POPULATION_SERIES = "SP_POP_TOTL"
WORLD = "1"
#: Country groups named in the profile: LDCs, LLDCs, SIDS (M49 group codes).
GROUPS = ("199", "432", "722")
TOTAL = "_T"
KEYS = ["series_code", "area_code", "year", "sex", "age", "location", "breakdown", "value"]
#: Units whose values are written as bare numbers: ratios, indices and rates whose series
#: name says what they count ("… per 100,000 population").
BARE_UNITS = frozenset({"RO", "IX", "PER_100000_POP", "SCORE"})
MAX_CITY_ROWS = 25
MAX_CITY_COLUMNS = 5
MAX_BARS = 20  # beyond it: the highest and lowest half each
MAX_VLR_PASSAGES = 5
COMMON_LABELS = (
    "table", "figure", "contents", "notes", "sources", "source_key", "source_title",
    "source_detail", "source_used_by", "source_series", "source_areas", "source_years",
    "generated", "generated_by", "database_version", "no_data", "paragraph", "source_mark",
)  # fmt: skip
_CHAPTER = {
    "en": ("I.", "II.", "III.", "IV.", "V.", "VI.", "VII."),
    "zh": ("一.", "二.", "三.", "四.", "五.", "六.", "七."),
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


# --------------------------------------------------------------------------- input


def country_code(raw: str | None, areas: Areas | None = None) -> str:
    """The canonical M49 code of a country given as M49 or ISO 3166 code; ``DataError``
    saying what was given and how to find the right code otherwise."""
    areas = areas or load_areas()
    hint = "list the countries and their codes with `urbanagenda areas --kind country`"
    if raw is None or not str(raw).strip():
        raise DataError(f"a national report draft needs a country: pass its M49 code; {hint}")
    code = areas.resolve(str(raw)[:80])
    if code is None:
        raise DataError(
            f"unknown area code {str(raw)[:80]!r} for a national report draft: expected a "
            f"country's M49 code (566 for Nigeria) or ISO 3166 code (NGA); {hint}"
        )
    area = areas.get(code)
    if area.kind == "city":
        country = area.country_code
        where = (
            f" in {areas.name(country)}; its country's draft is --area {country}" if country else ""
        )
        raise DataError(
            f"{raw!r} is a city ({area.name}){where}: a national report draft is written for "
            f"a country; {hint}"
        )
    if area.kind != "country":
        raise DataError(
            f"{raw!r} is a {area.kind.replace('_', ' ')} ({area.name}), not a country: a national "
            f"report draft is written for one country; list its countries with `urbanagenda "
            f"areas --kind country --parent {code}`, or all of them with `urbanagenda areas "
            "--kind country`"
        )
    return code


def headline_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The headline disaggregation of each series of an observation frame: both sexes, all
    ages, no breakdown, the total location where the series has one, else its commonest
    (the same choice as the country page of the web platform)."""
    if frame.empty:
        return frame
    parts = []
    for _, part in frame.groupby("series_code", sort=False):
        base = part[(part["sex"] == TOTAL) & (part["age"] == TOTAL) & (part["breakdown"] == "")]
        if base.empty:
            key: tuple[str, str, str] = part.groupby(["sex", "age", "breakdown"]).size().idxmax()  # type: ignore[assignment]
            base = part[
                (part["sex"] == key[0]) & (part["age"] == key[1]) & (part["breakdown"] == key[2])
            ]
        locations = base["location"]
        location = TOTAL if (locations == TOTAL).any() else locations.mode().iloc[0]
        parts.append(base[locations == location])
    return pd.concat(parts, ignore_index=True)


def _zh_catalogue() -> dict[str, dict[str, str]]:
    """Chinese names of targets, indicators, series, areas, units and reasons."""
    return translated_names("zh")


# --------------------------------------------------------------------------- the draft


@dataclass
class _Series:
    """One series of the country: its headline rows and what the draft says of it."""

    code: str
    indicator: str
    target: str
    frame: pd.DataFrame  # headline rows, sorted by year
    status: dict[str, Any]


class _Draft:
    def __init__(self, ctx: BuildContext, code: str, areas: Areas) -> None:
        self.ctx = ctx
        self.engine: Engine = ctx.engine
        self.lang = ctx.lang
        self.fmt: Formatter = ctx.fmt
        self.ph: Phrases = ctx.phrases("national")
        self.areas = areas
        self.cat: Catalogue = load_catalogue()
        self.progress = load_progress_config()
        self.methods_cfg = load_method_config()
        self.code = code
        self.country = self.area_name(code)
        self.chapter = 0
        self.section = 0
        self._cities: pd.DataFrame | None = None
        self.sdg11 = {
            sc.code
            for sc in self.cat.series.values()
            if any(i in self.cat.indicators for i in sc.indicators)
        }
        self.headline = [
            str(c) for codes in self.progress["headline_series"].values() for c in codes
        ]
        self.region = next(
            (a for a in areas.ancestors(code, "sdg") if areas.get(a).kind == "sdg_region"), None
        )
        self.subregion = next(
            (a for a in areas.ancestors(code, "sdg") if areas.get(a).kind == "sdg_subregion"),
            None,
        )
        self.doc = Document(
            kind="national",
            lang=self.lang,
            requested_lang=ctx.requested_lang,
            title=self.ph.t("title", country=self.country),
            subtitle=self.ph.t("subtitle"),
            symbol=f"NUA/NR/DRAFT/{areas.get(code).iso3 or code}/{ctx.now:%Y-%m-%d}",
            generated_at=ctx.now,
            labels={k: self.ph.t(k) for k in COMMON_LABELS if self.ph.has(k)},
        )
        self.b = DocumentBuilder(self.doc)

    # -- words ---------------------------------------------------------------------------
    def area_name(self, code: str) -> str:
        if self.lang == "zh":
            known = _zh_catalogue().get("area", {}).get(code) or self.progress.get(
                "area_names_zh", {}
            ).get(code)
            if known:
                return str(known)
        return self.areas.name(code, self.lang)

    def series_name(self, code: str) -> str:
        if self.lang == "zh":
            known = _zh_catalogue().get("series", {}).get(code) or self.progress.get(
                "series_names_zh", {}
            ).get(code)
            if known:
                return str(known)
        sc = self.cat.series.get(code)
        return sc.name if sc else code

    def in_sentence(self, name: str) -> str:
        """A series name inside an English sentence ("the proportion of …")."""
        words = name.split()
        if self.lang == "zh" or len(name) < 2 or name[1].isupper():
            return name
        if len(words) > 1 and words[1][:1].isupper():  # "Municipal Solid Waste …"
            return name
        return name[0].lower() + name[1:]

    def short_name(self, code: str) -> str:
        return str(self.ph.get("city_series", {}).get(code) or self.series_name(code))

    def target_name(self, code: str) -> str:
        names = self.progress.get("target_names", {}).get(self.lang, {})
        return str(names.get(code) or code)

    def language_name(self, code: str) -> str:
        try:
            name = Locale.parse(self.fmt.locale).languages.get(code.split("-")[0])
        except (ValueError, TypeError):
            name = None
        return str(name or code)

    def is_boolean(self, code: str) -> bool:
        sc = self.cat.series.get(code)
        return bool(sc and sc.unit == "NUMBER" and "1 = YES" in sc.name.upper())

    def value(self, v: float | None, unit: str | None, series: str) -> str:
        """A value as the draft writes it: per cent, µg/m³, people, ratios."""
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return self.ph.t("none_mark")
        if self.is_boolean(series):
            return self.ph.t("answer_yes" if v >= 0.5 else "answer_no")
        if unit == "PT":
            return self.fmt.pct(v, 2 if 0 < abs(v) < 1 else 1)
        if unit in BARE_UNITS:  # the series name says what the number counts
            return self.fmt.num(v, 2 if abs(v) < 10 else 1)
        if unit == "USD":
            return self.fmt.usd(v)
        if unit == "CU_USD_M":
            return self.fmt.usd(v * 1e6)
        if unit == "NUMBER":
            if abs(v) >= 1e6:
                return self.fmt.people(v)
            return self.fmt.integer(v) if float(v).is_integer() else self.fmt.num(v, 1)
        digits = 2 if abs(v) < 10 else 1
        number = self.fmt.num(v, digits)
        suffix = self.ph.get("unit_suffix", {}).get(unit or "")
        if suffix:
            return str(suffix).format(value=number)
        known = self.cat.units.get(unit or "")
        if self.lang == "zh":
            name = _zh_catalogue().get("unit", {}).get(unit or "") or unit or ""
        else:
            name = known.name if known else unit or ""
            name = name[:1].lower() + name[1:] if name[1:2].islower() else name
        return f"{number} {name}".strip()

    def unit_label(self, unit: str) -> str:
        label = self.ph.get("unit_label", {}).get(unit)
        if label:
            return str(label)
        known = self.cat.units.get(unit)
        return known.name if known else unit

    def value_year(self, v: float | None, year: int | None, unit: str, series: str) -> str:
        if year is None:
            return self.ph.t("none_mark")
        return self.ph.t("value_year", value=self.value(v, unit, series), year=year)

    # -- structure -----------------------------------------------------------------------
    def chapter_heading(self, key: str, ident: str) -> None:
        labels = _CHAPTER[self.lang]
        self.b.heading(1, self.ph.t(key), labels[self.chapter], id=ident)
        self.chapter += 1
        self.section = 0

    def section_heading(self, text: str, ident: str = "") -> None:
        label = f"{chr(ord('A') + self.section)}." if self.section < 26 else ""
        self.b.heading(2, text, label, id=ident)
        self.section += 1

    # -- sources -------------------------------------------------------------------------
    def series_source(self, series: str, frame: pd.DataFrame) -> str:
        """Register the observations ``frame`` of ``series`` (areas, years, loads and their
        publishers) as a source."""
        area_codes = sorted({str(a) for a in frame["area_code"]})
        o, lr = s.observation, s.load_run
        stmt = (
            select(o.c.source, o.c.load_id, lr.c.finished_at, lr.c.started_at)
            .join(lr, lr.c.id == o.c.load_id)
            .where(o.c.series_code == series, o.c.area_code.in_(area_codes))
            .distinct()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        publishers = sorted({str(r[0]) for r in rows if r[0]})
        loads = sorted({(int(r[1]), r[2] or r[3]) for r in rows}, key=lambda x: x[0])
        load_text = self.fmt.listing(
            [
                self.ph.t("src_load", id=i, date=self.fmt.date(at.date()) if at else "")
                for i, at in loads
            ]
        )
        return self.b.source(
            "series",
            self.series_name(series),
            detail=self.ph.t(
                "src_series_detail", publishers="; ".join(publishers), loads=load_text
            ),
            series_code=series,
            areas=area_codes,
            years=[int(y) for y in frame["year"]],
        )

    def assessment_source(self, edition: str) -> str:
        spec = self.methods_cfg["methods"].get(self.ctx.method, {})
        ref = spec.get("editions", {}).get(edition, {}).get("source", "")
        citation = " ".join(str(self.methods_cfg.get("sources", {}).get(ref, ref)).split())
        defaults = self.methods_cfg.get("defaults", {})
        return self.b.source(
            "assessment",
            self.ph.t("src_assessment", method=self.ctx.method, edition=edition),
            detail=self.ph.t(
                "src_assessment_detail",
                citation=citation,
                base_year=defaults.get("base_year", ""),
                target_year=defaults.get("target_year", ""),
            ),
            areas=[self.code],
        )

    # ====================================================================== I. profile
    def profile(self) -> None:
        self.chapter_heading("h_profile", "profile")
        ph, parts = self.ph, []
        if self.region and self.subregion:
            parts.append(
                ph.t(
                    "profile_region",
                    country=self.country,
                    region=self.area_name(self.region),
                    subregion=self.area_name(self.subregion),
                )
            )
        elif self.region:
            parts.append(
                ph.t(
                    "profile_region_only", country=self.country, region=self.area_name(self.region)
                )
            )
        else:
            parts.append(ph.t("profile_no_region", country=self.country))
        groups = [g for g in GROUPS if g in self.areas.parents_of(self.code, "group")]
        names = ph.get("group_names", {})
        if groups:
            listed = self.fmt.listing([str(names.get(g) or self.area_name(g)) for g in groups])
            parts.append(ph.t("profile_groups", groups=listed))
        else:
            parts.append(ph.t("profile_no_groups"))
        self.b.para(self._join(parts))

        sources: list[str] = []
        pop = read_observations(self.engine, series=[POPULATION_SERIES], areas=[self.code])
        pop = headline_rows(pop)
        if not pop.empty:
            latest = pop.sort_values("year").iloc[-1]
            sources.append(
                self.series_source(POPULATION_SERIES, pop[pop["year"] == latest["year"]])
            )
            population = ph.t(
                "profile_population",
                population=self.fmt.people(float(latest["value"])),
                year=int(latest["year"]),
            )
        else:
            population = ph.t("profile_no_population")
        n_cities = len(self.city_frame()["area_code"].unique())
        cities = (
            ph.t("profile_cities", n=self.fmt.integer(n_cities))
            if n_cities
            else ph.t("profile_no_cities")
        )
        self.b.para(self._join([population, cities]), sources=sources)

    def _join(self, sentences: Iterable[str]) -> str:
        return ("" if self.lang == "zh" else " ").join(x for x in sentences if x)

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

    def _headline_rank(self, series: str) -> int:
        return self.headline.index(series) if series in self.headline else len(self.headline)

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

    # ====================================================================== III. cities
    def city_frame(self) -> pd.DataFrame:
        """Latest headline value of every SDG 11 series of every city of the country."""
        if self._cities is None:
            self._cities = self._read_cities()
        return self._cities

    def _read_cities(self) -> pd.DataFrame:
        cities = self.areas.members(self.code, "city", "city")
        if not cities:
            return pd.DataFrame(columns=[*KEYS, "unit"])
        obs = read_observations(self.engine, areas=cities)
        obs = obs[obs["series_code"].isin(self.sdg11)]
        parts = []
        for _, part in obs.groupby("series_code", sort=False):
            parts.append(headline_rows(part))
        if not parts:
            return pd.DataFrame(columns=[*KEYS, "unit"])
        head = pd.concat(parts, ignore_index=True)
        return head.sort_values("year").groupby(["series_code", "area_code"], sort=False).tail(1)

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

    # ====================================================================== IV. report
    def report(self) -> None:
        self.chapter_heading("h_report", "national-report")
        ph = self.ph
        found = list_documents(self.engine, kind="national_report", country_code=self.code)
        found = [d for d in found if d.published_version]
        if not found:
            self.b.para(ph.t("report_none", country=self.country, path=f"/{self.lang}/reports"))
            return
        doc = found[0]
        number = int(doc.published_version or 0)
        version = get_version(self.engine, doc.id, number)
        date = self.fmt.date(version.created_at.date())
        language = self.language_name(doc.language)
        path = f"/{self.lang}/reports/{doc.id}"
        source = self.b.source(
            "document",
            ph.t("report_source", title=doc.title, version=number),
            detail=ph.t(
                "report_source_detail",
                id=doc.id,
                version=number,
                date=date,
                language=language,
                sha=version.content_sha256[:12],
            ),
            areas=[self.code],
            years=[doc.year] if doc.year else [],
            url=path,
        )
        self.b.para(
            ph.t(
                "report_cited",
                country=self.country,
                title=doc.title,
                year=doc.year or "",
                version=number,
                date=date,
                language=language,
                path=path,
            ),
            sources=[source],
        )
        limit = 700 if doc.language in ("zh", "ja", "ko") else 1500
        titles = ph.get("report_sections", {})
        for sec in version.sections:
            heading = str(titles.get(sec.key) or sec.title) if self.lang == "zh" else sec.title
            self.section_heading(heading, f"report-{sec.key}")
            paragraphs = markdown_paragraphs(sec.narrative)
            kept, rest = trim_paragraphs(paragraphs, limit)
            if not kept:
                self.b.para(ph.t("report_empty_section"), sources=[source], numbered=False)
            for runs in kept:
                self.b.para(runs, sources=[source], numbered=False)
            if rest:
                self.b.para(
                    [Run(ph.t("report_more", n=self.fmt.integer(rest)), italic=True)],
                    numbered=False,
                )
            practices = [str(g.get("title", "")) for g in sec.good_practices if g.get("title")]
            if practices:
                quoted = [f"“{t}”" for t in practices]
                self.b.para(
                    ph.t("report_good_practices", titles=self.fmt.listing(quoted)),
                    sources=[source],
                    numbered=False,
                )

    # ====================================================================== V. VLRs
    def vlrs(self) -> None:
        self.chapter_heading("h_vlrs", "vlrs")
        ph = self.ph
        found = list_documents(self.engine, kind="vlr", country_code=self.code)
        if not found:
            self.b.para(ph.t("vlrs_none", country=self.country))
            return
        key = "vlrs_intro_one" if len(found) == 1 else "vlrs_intro"
        self.b.para(ph.t(key, n=self.fmt.integer(len(found)), country=self.country))
        passages = self.vlr_passages([d.id for d in found])
        for doc in found:
            self.vlr(doc, passages.get(doc.id, []))

    def vlr(self, doc: LibraryDocument, passages: list[tuple[list[str], str]]) -> None:
        ph = self.ph
        city = (
            self.area_name(doc.area_code)
            if doc.area_code and doc.area_code in self.areas
            else str(doc.metadata.get("government") or doc.title)
        )
        self.section_heading(ph.t("vlr_heading", city=city, year=doc.year or ""), f"vlr-{doc.id}")
        language = self.language_name(doc.language)
        path = f"/{self.lang}/vlrs/{doc.id}"
        number = doc.published_version or doc.current_version
        source = self.b.source(
            "document",
            doc.title,
            detail=ph.t("vlr_source_detail", id=doc.id, version=number, language=language),
            areas=[a for a in (doc.area_code, self.code) if a],
            years=[doc.year] if doc.year else [],
            url=path,
        )
        self.b.para(
            ph.t(
                "vlr_cited",
                title=doc.title,
                government=str(doc.metadata.get("government") or city),
                year=doc.year or "",
                language=language,
                path=path,
            ),
            sources=[source],
        )
        if not passages:
            self.b.para(ph.t("vlr_no_passages"), sources=[source])
            return
        self.b.para(ph.t("vlr_passages"), sources=[source])
        limit = 200 if doc.language in ("zh", "ja", "ko") else 420
        items = [
            ph.t(
                "vlr_passage" if len(codes) == 1 else "vlr_passage_many",
                targets=self.fmt.listing(codes),
                text=trim_text(text, limit),
            )
            for codes, text in passages
        ]
        self.b.bullets(items, sources=[source])

    def vlr_passages(self, ids: list[int]) -> dict[int, list[tuple[list[str], str]]]:
        """Per VLR, the passages that bring Goal 11 targets not yet covered, in order."""
        p = s.search_passage
        stmt = (
            select(p.c.document_id, p.c.targets, p.c.text)
            .where(p.c.document_id.in_(ids), func.length(func.trim(p.c.targets)) > 0)
            .order_by(p.c.document_id, p.c.attachment_id.is_not(None), p.c.ordinal)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        out: dict[int, list[tuple[list[str], str]]] = {}
        covered: dict[int, set[str]] = {}
        for doc_id, targets, text in rows:
            codes = [t for t in str(targets).split() if t.startswith("11.")]
            seen = covered.setdefault(int(doc_id), set())
            if not codes or set(codes) <= seen or len(out.get(int(doc_id), [])) >= MAX_VLR_PASSAGES:
                continue
            seen.update(codes)
            out.setdefault(int(doc_id), []).append((codes, str(text)))
        return out

    # ====================================================================== VI. next
    def next_points(self) -> None:
        self.chapter_heading("h_next", "next-steps")
        self.b.bullets([str(x) for x in self.ph.get("next_points", [])])

    # -- cover ---------------------------------------------------------------------------
    def cover(self) -> None:
        ph = self.ph
        with self.engine.connect() as conn:
            row = conn.execute(
                select(s.load_run.c.id, s.load_run.c.finished_at, s.load_run.c.started_at)
                .order_by(s.load_run.c.id.desc())
                .limit(1)
            ).first()
        data = (
            ph.t("data_version", load=row[0], date=self.fmt.date((row[1] or row[2]).date()))
            if row
            else ph.t("data_version_none")
        )
        self.doc.meta = {
            ph.t("meta_country"): self.country,
            ph.t("meta_code"): self.code,
            ph.t("meta_method"): self.ctx.method,
            ph.t("database_version"): data,
            ph.t("generated"): self.fmt.datetime(self.ctx.now),
        }
        if self.ctx.notice:
            self.b.notice(self.ctx.notice)
        self.b.notice(
            ph.t("draft_notice", date=self.fmt.date(self.ctx.now.date()), country=self.country),
            tone="warning",
        )


# --------------------------------------------------------------------------- Markdown


_MD = MarkdownIt("commonmark", {"html": False})


def _runs(token: Token) -> list[Run]:
    """The runs of an inline token: bold and italic kept, links as their text."""
    runs: list[Run] = []
    bold = italic = 0
    for child in token.children or ():
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type == "em_open":
            italic += 1
        elif child.type == "em_close":
            italic -= 1
        elif child.type in ("text", "code_inline", "html_inline"):
            if child.content:
                runs.append(Run(child.content, bold=bold > 0, italic=italic > 0))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold=bold > 0, italic=italic > 0))
    merged: list[Run] = []
    for r in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (r.bold, r.italic):
            merged[-1] = Run(merged[-1].text + r.text, r.bold, r.italic)
        else:
            merged.append(r)
    return merged


def markdown_paragraphs(text: str | None) -> list[list[Run]]:
    """A section's Markdown as plain paragraphs of runs: paragraphs and list items (with a
    bullet), headings in bold, block quotes as paragraphs; code blocks and tables left out."""
    if not text:
        return []
    tokens = _MD.parse(text.replace("\x00", "\ufffd"))
    out: list[list[Run]] = []
    heading = in_item = False
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            heading = True
        elif tok.type == "heading_close":
            heading = False
        elif tok.type == "list_item_open":
            in_item = True
        elif tok.type == "list_item_close":
            in_item = False
        elif tok.type == "inline":
            runs = _runs(tok)
            if not runs or not "".join(r.text for r in runs).strip():
                continue
            if heading:
                runs = [Run(r.text, bold=True, italic=r.italic) for r in runs]
            first_of_item = in_item and i >= 2 and tokens[i - 2].type == "list_item_open"
            if first_of_item:
                runs = [Run("• "), *runs]
            out.append(runs)
    return out


def trim_text(text: str, limit: int) -> str:
    """``text`` cut at the last sentence end before ``limit`` characters (else at a word),
    with an ellipsis when cut."""
    text = " ".join(text.split()) if not re.search(r"[\u3000-\u9fff]", text) else text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [m.start() for m in _SENTENCE_END.finditer(head) if m.start() > limit // 3]
    if ends:
        return head[: ends[-1]].rstrip() + " …"
    cut = head.rsplit(" ", 1)[0] if " " in head[limit // 2 :] else head
    return cut.rstrip(" ,;:") + " …"


def trim_paragraphs(paragraphs: list[list[Run]], limit: int) -> tuple[list[list[Run]], int]:
    """The first paragraphs up to about ``limit`` characters (at least one, itself trimmed
    to ``limit``) and how many were left out."""
    kept: list[list[Run]] = []
    total = 0
    for runs in paragraphs:
        size = sum(len(r.text) for r in runs)
        if kept and total + size > limit:
            break
        if size > limit:
            text = trim_text("".join(r.text for r in runs), limit)
            runs = [Run(text, italic=all(r.italic for r in runs))]
            size = len(text)
        kept.append(runs)
        total += size
    return kept, len(paragraphs) - len(kept)


# --------------------------------------------------------------------------- entry point


def build_national(ctx: BuildContext) -> Document:
    """The national report draft of the country ``ctx.area`` (M49 or ISO 3166 code)."""
    areas = load_areas()
    code = country_code(ctx.area, areas)
    draft = _Draft(ctx, code, areas)
    draft.cover()
    draft.profile()
    draft.indicators()
    draft.cities()
    draft.report()
    draft.vlrs()
    draft.next_points()
    return draft.doc
