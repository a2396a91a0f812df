"""What every part of the national report draft shares (:mod:`.national`): the country
given, the headline disaggregation, and the draft's state, words, headings and sources."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
from babel import Locale
from sqlalchemy import Engine, select

from urbanagenda.assess.methods import load_method_config
from urbanagenda.assess.progress import load_progress_config
from urbanagenda.errors import DataError
from urbanagenda.model.areas import Areas, load_areas
from urbanagenda.model.catalogue import Catalogue, load_catalogue, translated_names
from urbanagenda.store import schema as s
from urbanagenda.store.query import read_observations
from urbanagenda.synthesis.document import Document, DocumentBuilder
from urbanagenda.synthesis.generate import BuildContext
from urbanagenda.synthesis.text import Formatter, Phrases

TOTAL = "_T"
KEYS = ["series_code", "area_code", "year", "sex", "age", "location", "breakdown", "value"]
#: Units whose values are written as bare numbers: ratios, indices and rates whose series
#: name says what they count ("… per 100,000 population").
BARE_UNITS = frozenset({"RO", "IX", "PER_100000_POP", "SCORE"})
COMMON_LABELS = (
    "table", "figure", "contents", "notes", "sources", "source_key", "source_title",
    "source_detail", "source_used_by", "source_series", "source_areas", "source_years",
    "generated", "generated_by", "database_version", "no_data", "paragraph", "source_mark",
)  # fmt: skip
_CHAPTER = {
    "en": ("I.", "II.", "III.", "IV.", "V.", "VI.", "VII."),
    "zh": ("一.", "二.", "三.", "四.", "五.", "六.", "七."),
}


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


class _DraftBase:
    """The draft being written: its state, words, headings and sources; the parts of the
    draft (``_national_*`` modules) add their chapters to it."""

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

    def _join(self, sentences: Iterable[str]) -> str:
        return ("" if self.lang == "zh" else " ").join(x for x in sentences if x)

    def _headline_rank(self, series: str) -> int:
        return self.headline.index(series) if series in self.headline else len(self.headline)

    # -- the country's cities (the profile counts them, chapter III shows them) ----------
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
