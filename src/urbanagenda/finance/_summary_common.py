"""What the finance summaries (:mod:`.summary`) share: a writer holding the document builder,
the phrases (``synthesis/phrases/finance.yaml``) and the number formats of the language,
money in the analysis's currency, ranges, numbered sections and the cited sources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from babel.numbers import get_currency_name

from urbanagenda.finance.charts import LABELS
from urbanagenda.finance.model import Range, SourceRef
from urbanagenda.synthesis.document import Document, DocumentBuilder, Kind
from urbanagenda.synthesis.text import Formatter, Phrases, resolve_language

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: The document kind the renderers are given (they print it: the HTML body class, the DOCX
#: keywords).
FINANCE_KIND: Kind = "finance"


class SummaryWriter:
    """A summary being written: ``b`` (builder), ``p`` (phrases), ``fmt`` (numbers)."""

    def __init__(self, lang: str, now: datetime) -> None:
        text_lang, notice = resolve_language(lang)
        self.lang = text_lang
        self.notice = notice
        self.fmt = Formatter(text_lang)
        self.p = Phrases(text_lang, "finance")
        doc = Document(
            kind=FINANCE_KIND, lang=text_lang, requested_lang=lang, title="", generated_at=now
        )
        self.b = DocumentBuilder(doc, numbered=False)
        self._section = 0
        self._sub = 0
        self._input_sources: dict[str, SourceRef] = {}

    @property
    def doc(self) -> Document:
        return self.b.doc

    def cover(self, title: str, subtitle: str, meta: Mapping[str, str], symbol: str = "") -> None:
        self.doc.title, self.doc.subtitle, self.doc.symbol = title, subtitle, symbol
        self.doc.meta.update({k: v for k, v in meta.items() if v})
        if self.notice:  # asked for in a language the summaries are not written in
            self.b.notice(self.notice)

    # -- structure ------------------------------------------------------------------------
    def section(self, text: str, ident: str) -> None:
        """A numbered chapter: "I. Key figures"."""
        self._section += 1
        self._sub = 0
        self.b.heading(1, text, f"{_ROMAN[self._section - 1]}.", id=ident)

    def subsection(self, text: str, ident: str) -> None:
        """A lettered section of the current chapter: "A. 2023"."""
        self._sub += 1
        self.b.heading(2, text, f"{_LETTERS[(self._sub - 1) % 26]}.", id=ident)

    # -- numbers --------------------------------------------------------------------------
    def amount(self, value: float | None) -> str:
        """An amount without its currency, as reports write them: "16,500", "12 billion",
        "1.65万"; below 100, two decimals ("1.40"), but nothing is "0"."""
        if value is None:
            return "…"
        if value == 0:
            return "0"
        return self.fmt.people(value) if abs(value) >= 100 else self.fmt.num(value, 2)

    def money(self, value: float | None, currency: str) -> str:
        """An amount in a currency: "SLE 16,500" / "1.65万塞拉利昂新利昂" (the currency's
        Chinese name, as the reports write "美元")."""
        text = self.amount(value)
        if not currency or value is None:
            return text
        if self.lang == "zh":
            return f"{text}{get_currency_name(currency, locale=self.fmt.locale)}"
        return f"{currency} {text}"

    def currency_name(self, currency: str) -> str:
        """ "SLE (Sierra Leonean Leone)" / "SLE（塞拉利昂新利昂）"."""
        name = get_currency_name(currency, locale=self.fmt.locale)
        return currency if name == currency else f"{currency}{self.fmt.paren(name)}"

    def span(self, r: Range, currency: str = "") -> str:
        """A computed figure with its range when the inputs carry one:
        "16,500 (15,300–17,700)"."""
        central = self.money(r.central, currency)
        if r.low == r.high:
            return central
        return central + self.fmt.paren(f"{self.amount(r.low)}–{self.amount(r.high)}")

    def share(self, ratio: float | None) -> str:
        """A ratio as a percentage: two decimals below 1 % ("0.28 %"), else one."""
        if ratio is None:
            return "…"
        return self.fmt.pct(ratio * 100, 2 if abs(ratio) < 0.01 else 1)

    def weight(self, w: float) -> str:
        """A criterion weight: "30 %", "12.5 %"."""
        whole = abs(w * 100 - round(w * 100)) < 1e-9
        return self.fmt.pct(w * 100, 0 if whole else 1)

    def years(self, years: Sequence[int]) -> str:
        """ "2023", "2021–2023" (consecutive), else "2019, 2021 and 2023"."""
        ys = sorted(years)
        if len(ys) > 1 and ys == list(range(ys[0], ys[-1] + 1)):
            return f"{ys[0]}–{ys[-1]}"
        return self.fmt.listing([str(y) for y in ys])

    def word(self, group: str, code: str) -> str:
        """A code's name from a phrase mapping (``kinds``, ``parts``…), else the code."""
        names = self.p.get(group, {})
        return str(names.get(code, code)) if isinstance(names, dict) else code

    def chart_labels(self) -> dict[str, str]:
        """The charts' words in the summary's language (English where a phrase is missing)."""
        return {**LABELS, **{str(k): str(v) for k, v in self.p.get("chart", {}).items()}}

    # -- sources --------------------------------------------------------------------------
    def register_inputs(self, refs: Iterable[SourceRef]) -> None:
        """The sources the input cites (registered in the document when first cited)."""
        self._input_sources.update({r.id: r for r in refs})

    def cite(self, ids: Iterable[str]) -> list[str]:
        """Document source keys of the input's source ids (ids it does not list are skipped:
        the parser has already reported them)."""
        keys = []
        for ident in dict.fromkeys(ids):
            ref = self._input_sources.get(ident)
            if ref is not None:
                detail = self.p.t("source_input_detail", id=ref.id)
                keys.append(self.b.source("external", ref.citation, detail=detail, url=ref.url))
        return keys

    def all_inputs(self) -> list[str]:
        return self.cite(self._input_sources)

    def citation(self, text: str, detail_key: str) -> str:
        """A source named by its citation only (e.g. the guidance a reform rests on)."""
        return self.b.source("external", text, detail=self.p.t(detail_key))


def any_range(ranges: Iterable[Range]) -> bool:
    return any(r.low != r.high for r in ranges)
