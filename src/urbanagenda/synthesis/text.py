"""Words and numbers of the generated reports, per language.

:class:`Formatter` formats numbers, percentages, money and dates with Babel in the
conventions of the report's language (English as the United Nations writes it: "5–9 June
2023", "USD 223 million"; Chinese: "2023年6月5日至9日", "2.23亿美元").  :class:`Phrases`
reads the sentence templates from ``synthesis/phrases/*.yaml`` (each file has an ``en`` and a
``zh`` mapping with the same keys; a test checks they match).  Reports are written in English
and Chinese; a request in another UN language is answered in English with a notice
(:func:`resolve_language`).
"""

from __future__ import annotations

import math
from datetime import date as Date
from datetime import datetime as DateTime
from functools import cache
from importlib import resources
from typing import Any

import yaml
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from urbanagenda.errors import ConfigError, DataError

__all__ = [
    "REPORT_LANGUAGES",
    "UN_LANGUAGES",
    "Formatter",
    "Phrases",
    "area_labels",
    "resolve_language",
]

#: Languages the reports are written in.
REPORT_LANGUAGES = ("en", "zh")
#: The six official UN languages a report can be asked for (others fall back to English).
UN_LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")

_LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN"}


def resolve_language(requested: str) -> tuple[str, str | None]:
    """The language to write in and, if it differs from the one asked for, the notice to
    print (in the requested language where we have its words, else English)."""
    if requested in REPORT_LANGUAGES:
        return requested, None
    if requested not in UN_LANGUAGES:
        raise DataError(
            f"unknown report language {requested!r}: reports are written in "
            f"{' and '.join(REPORT_LANGUAGES)}; other UN languages "
            f"({', '.join(x for x in UN_LANGUAGES if x not in REPORT_LANGUAGES)}) fall back to "
            "English with a notice"
        )
    notice = Phrases(requested if requested in _fallback_langs() else "en", "common").t(
        "fallback_notice"
    )
    return "en", notice


@cache
def _fallback_langs() -> frozenset[str]:
    return frozenset(_load("common").get("fallback_notice", {}))


@cache
def _load(name: str) -> dict[str, dict[str, Any]]:
    path = resources.files("urbanagenda.synthesis").joinpath(f"phrases/{name}.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}; reinstall urbanagenda") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of languages to phrases")
    return data


class Phrases:
    """Sentence templates: ``Phrases("zh", "common", "synthesis").t("key", n=3)``.

    Later files override earlier ones.  ``str.format`` placeholders; pass numbers already
    formatted with :class:`Formatter`.  The common file's ``fallback_notice`` is kept per
    UN language (the only phrase that is).
    """

    def __init__(self, lang: str, *files: str) -> None:
        self.lang = lang
        self._words: dict[str, Any] = {}
        for name in ("common", *files) if "common" not in files else files:
            data = _load(name)
            if name == "common":
                self._words["fallback_notice"] = data.get("fallback_notice", {}).get(lang, "")
            if lang in data:
                self._words.update(data[lang])
            elif lang in REPORT_LANGUAGES:
                raise ConfigError(f"phrases/{name}.yaml has no {lang!r} section")

    def t(self, key: str, **values: Any) -> str:
        try:
            template = self._words[key]
        except KeyError:
            raise ConfigError(f"no phrase {key!r} for language {self.lang!r}") from None
        return str(template).format(**values) if values else str(template)

    def get(self, key: str, default: Any = None) -> Any:
        """A raw entry (a mapping of codes to names, a list …)."""
        return self._words.get(key, default)

    def has(self, key: str) -> bool:
        return key in self._words


class Formatter:
    """Numbers and dates for one report language."""

    def __init__(self, lang: str) -> None:
        if lang not in REPORT_LANGUAGES:
            raise ValueError(f"reports are written in {REPORT_LANGUAGES}, not {lang!r}")
        self.lang = lang
        self.locale = _LOCALES[lang]

    # -- numbers -----------------------------------------------------------------------
    def num(self, value: float | int | None, digits: int = 1) -> str:
        """``1,234.5`` with up to ``digits`` decimals (trailing zeros kept); "…" for missing."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "…"
        fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=fmt, locale=self.locale)

    def integer(self, value: float | int | None) -> str:
        return self.num(value, 0)

    def pct(self, value: float | None, digits: int = 1) -> str:
        """A value already in per cent (24.2 -> "24.2 %" in English, "24.2%" in Chinese)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "…"
        text = self.num(value, digits)
        return f"{text}%" if self.lang == "zh" else f"{text} %"

    def change(self, ratio: float, digits: int = 0) -> str:
        """A relative change given as a ratio (0.13 -> "13 %")."""
        return self.pct(ratio * 100, digits)

    def usd(self, amount: float | None) -> str:
        """Money in US dollars, scaled as UN reports write it: "USD 223 million",
        "USD 7.36 million", "USD 1.2 billion"; "2.23亿美元", "736万美元", "12亿美元"."""
        if amount is None or (isinstance(amount, float) and math.isnan(amount)):
            return "…"
        if self.lang == "zh":
            for unit, word in ((1e8, "亿"), (1e4, "万")):
                if abs(amount) >= unit:
                    return f"{self._short(amount / unit)}{word}美元"
            return f"{self._short(amount)}美元"
        for unit, word in ((1e9, "billion"), (1e6, "million")):
            if abs(amount) >= unit:
                return f"USD {self._short(amount / unit)} {word}"
        return f"USD {self.integer(amount)}"

    def _short(self, value: float) -> str:
        """A scaled amount with three significant digits at most, none wasted: 223, 7.36,
        2.2, 52.5, 5247 (Chinese groups no digits before 万 and 亿: "1500万", "5247万")."""
        size = abs(value)
        decimals = "" if size >= 100 else (".#" if size >= 10 else ".##")
        grouping = "0" if self.lang == "zh" else "#,##0"
        return format_decimal(value, format=grouping + decimals, locale=self.locale)

    def people(self, value: float) -> str:
        """Counts of people as reports write them: "1.5 million", "150万", "220 million"."""
        if self.lang == "zh":
            for unit, word in ((1e8, "亿"), (1e4, "万")):
                if abs(value) >= unit:
                    return f"{self._short(value / unit)}{word}"
            return self.integer(value)
        for unit, word in ((1e9, "billion"), (1e6, "million")):
            if abs(value) >= unit:
                return f"{self._short(value / unit)} {word}"
        return self.integer(value)

    # -- dates -------------------------------------------------------------------------
    def date(self, value: Date | str) -> str:
        d = Date.fromisoformat(value) if isinstance(value, str) else value
        if self.lang == "zh":
            return format_date(d, "y年M月d日", locale=self.locale)
        return format_date(d, "d MMMM y", locale=self.locale)

    def date_range(self, start: Date | str, end: Date | str) -> str:
        """ "5–9 June 2023", "28 May – 2 June 2023"; "2023年6月5日至9日"."""
        a = Date.fromisoformat(start) if isinstance(start, str) else start
        b = Date.fromisoformat(end) if isinstance(end, str) else end
        if a == b:
            return self.date(a)
        if self.lang == "zh":
            tail = (
                f"{b.day}日"
                if (a.year, a.month) == (b.year, b.month)
                else (
                    f"{b.month}月{b.day}日"
                    if a.year == b.year
                    else f"{b.year}年{b.month}月{b.day}日"
                )
            )
            return f"{self.date(a)}至{tail}"
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{self.date(b)}"
        if a.year == b.year:
            return f"{format_date(a, 'd MMMM', locale=self.locale)} – {self.date(b)}"
        return f"{self.date(a)} – {self.date(b)}"

    def datetime(self, value: DateTime) -> str:
        fmt = "y年M月d日 HH:mm" if self.lang == "zh" else "d MMMM y, HH:mm"
        return format_datetime(value, fmt, locale=self.locale)

    def listing(self, items: list[str]) -> str:
        """ "a, b and c" / "a、b和c"."""
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        if self.lang == "zh":
            return "、".join(items[:-1]) + "和" + items[-1]
        return ", ".join(items[:-1]) + " and " + items[-1]

    def paren(self, text: str) -> str:
        return f"（{text}）" if self.lang == "zh" else f" ({text})"


@cache
def area_labels(codes: tuple[str, ...], lang: str) -> tuple[str, ...]:
    """Area names with their M49 codes, "Nigeria (566)" / "尼日利亚（566）", in ``lang``:
    the catalogue's translations first (the World, the SDG regions and groups, which the
    area tables name in English only), then the area tables; a code known to neither as is."""
    from urbanagenda.model.areas import load_areas
    from urbanagenda.model.catalogue import translated_names

    local = translated_names(lang).get("area", {}) if lang != "en" else {}
    areas = load_areas()
    out = []
    for code in codes:
        name = local.get(code)
        if name is None:
            try:
                name = areas.name(code, lang)
            except (DataError, KeyError):
                out.append(code)
                continue
        out.append(f"{name}（{code}）" if lang == "zh" else f"{name} ({code})")
    return tuple(out)
