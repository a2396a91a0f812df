"""The writer of the Secretary-General's report (:mod:`.sg_report`): the state and helpers
every section shares.

:class:`SgWriter` holds the document and its builder, the institutional records
(:mod:`urbanagenda.synthesis.records`) and how a sentence or a table cites them (a footnote
naming the document and paragraphs, the table of sources), the reporting period, and the
wording the sections share (years, lists, amounts in US dollars, names with their article).
The sections are mixins on it: :mod:`._sg_governance`, :mod:`._sg_finance`,
:mod:`._sg_programmes`, :mod:`._sg_monitoring`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from urbanagenda.errors import UrbanAgendaError
from urbanagenda.model.areas import Areas, load_areas
from urbanagenda.reporting.documents import get_document
from urbanagenda.synthesis.build._provenance import data_version
from urbanagenda.synthesis.document import Document, DocumentBuilder, Inline, NoteRef
from urbanagenda.synthesis.generate import BuildContext
from urbanagenda.synthesis.records import Records, read_records
from urbanagenda.synthesis.text import Formatter, Phrases

_THE = re.compile(
    r"\b(Assembly|Board|Committee|Council|Programme|Network|Fund|Platform|Alliance|LAB|Lab|"
    r"Partnership|Partnerships|Initiative|Facility|Campaign|Forum)\b|^United Nations"
)


# --------------------------------------------------------------------------- helpers


def _text(value: Any, lang: str) -> str:
    """A multilingual value ({"en": …, "zh": …}, or its JSON text) in ``lang``, else English,
    else any; plain text as it is."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, Mapping):
        for key in (lang, "en", *value.keys()):
            if value.get(key):
                return str(value[key]).strip()
        return ""
    return "" if value is None else str(value).strip()


def _para_key(p: str) -> tuple[int, str]:
    m = re.match(r"\d+", p)
    return (int(m.group()) if m else 10_000, p)


def _paras(value: str) -> list[str]:
    """ "5, 9, 10" -> ["5", "9", "10"]."""
    return [p.strip() for p in str(value).split(",") if p.strip()]


def _zh_units(text: str) -> str:
    """ "1,500万" -> "1500万": Chinese groups no digits before 万 and 亿 (Formatter groups
    the coefficient as a number of its own)."""
    return re.sub(r"(\d),(\d{3})(?=(\.\d+)?[万亿])", r"\1\2", text)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(forms: Any, n: int) -> str:
    if isinstance(forms, list | tuple):
        return str(forms[0] if n == 1 else forms[-1])
    return str(forms)


class SgWriter:
    """The report being written: its document, builder, records, period and phrases."""

    def __init__(self, ctx: BuildContext, headline: dict[str, pd.DataFrame] | None) -> None:
        self.ctx = ctx
        self.lang = ctx.lang
        self.fmt: Formatter = ctx.fmt
        self.p: Phrases = ctx.phrases("sg_report")
        self.headline = headline
        self.rec: Records = read_records(ctx.engine)
        self.areas: Areas = load_areas()
        self.sep = "" if self.lang == "zh" else " "
        self.used_paras: dict[str, set[str]] = defaultdict(set)
        self.rec_keys: dict[str, str] = {}
        self.period = self._period()
        title = self.p.t("title")
        meta: dict[str, str] = {}
        if self.period:
            meta[self.p.t("period_label")] = self.fmt.date_range(*self.period)
        meta[self.p.t("method_label")] = ctx.method
        meta[self.p.t("database_version")] = data_version(ctx.engine)
        self.doc = Document(
            kind="sg-report",
            lang=self.lang,
            requested_lang=ctx.requested_lang,
            title=title,
            subtitle=self.p.t("subtitle"),
            generated_at=ctx.now,
            meta=meta,
        )
        self.b = DocumentBuilder(self.doc)

    # -- citing records -----------------------------------------------------------------
    def _rec_source(self, code: str) -> str:
        if code not in self.rec_keys:
            row = self.rec.sources.get(code, {})
            title = self._source_title(row) or code
            self.rec_keys[code] = self.b.source("record", title, detail=code, url=row.get("url"))
        return self.rec_keys[code]

    def _source_title(self, row: Mapping[str, Any]) -> str:
        """The record document's title in the report's language: its own where it has one,
        else the title of the library's copy of it when that copy is in the language."""
        title = row.get("title")
        ref = row.get("reference_document_id")
        if ref and not (isinstance(title, Mapping) or str(title or "").startswith("{")):
            try:
                copy = get_document(self.ctx.engine, int(ref))
            except UrbanAgendaError:
                copy = None
            if copy is not None and copy.language == self.lang:
                return copy.title.strip()
        return _text(title, self.lang)

    def _paras_text(self, paras: Iterable[str]) -> str:
        ps = sorted(set(paras), key=_para_key)
        joined = "、".join(ps) if self.lang == "zh" else self.fmt.listing(ps)
        key = "para_one" if len(ps) == 1 else "para_many"
        return self.p.t(key, p=joined)

    def cite(self, rows: Iterable[Mapping[str, Any]]) -> tuple[list[str], NoteRef | None]:
        """Source keys of the records ``rows`` come from, and a footnote naming the document
        and paragraphs ("Source: …, para. 6.")."""
        by_doc: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            doc, para = row.get("source_doc"), row.get("source_para")
            if doc and para:
                by_doc[str(doc)].update(_paras(str(para)))
        if not by_doc:
            return [], None
        keys, parts = [], []
        for doc_code, paras in by_doc.items():
            keys.append(self._rec_source(doc_code))
            self.used_paras[doc_code].update(paras)
            title = self.doc.sources[self.rec_keys[doc_code]].title
            parts.append(self.p.t("fn_source_one", title=title, paras=self._paras_text(paras)))
        sep = "；" if self.lang == "zh" else "; "
        return keys, self.b.note(self.p.t("fn_source", sources=sep.join(parts)))

    def para_cited(self, text: str, rows: Sequence[Mapping[str, Any]]) -> None:
        keys, note = self.cite(rows)
        content: list[str | Inline] = [text]
        if note is not None:
            content.append(note)
        self.b.para(content, sources=keys)

    def _finish_sources(self) -> None:
        for code, key in self.rec_keys.items():
            src = self.doc.sources[key]
            paras = self.used_paras.get(code, set())
            detail = self.p.t("rec_detail", paras=self._paras_text(paras)) if paras else ""
            self.doc.sources[key] = replace(src, detail=f"{code}. {detail}".strip())

    def _keys(self, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """Source keys of rows (tables cite without a footnote)."""
        keys = []
        for row in rows:
            doc, para = row.get("source_doc"), row.get("source_para")
            if doc:
                key = self._rec_source(str(doc))
                if para:
                    self.used_paras[str(doc)].update(_paras(str(para)))
                if key not in keys:
                    keys.append(key)
        return keys

    # -- period ---------------------------------------------------------------------------
    def _period(self) -> tuple[str, str] | None:
        """The period the sources say they cover (earliest start to latest end); where none
        says, the earliest to the latest dated record: held sessions and results."""
        stated = [
            (str(src["period_start"]), str(src["period_end"]))
            for src in self.rec.sources.values()
            if src.get("period_start") and src.get("period_end")
        ]
        if stated:
            return min(a for a, _ in stated), max(b for _, b in stated)
        dates: list[str] = []
        for s in self.rec.sessions:
            if s.get("status") == "held":
                dates += [str(s["start_date"]), str(s["end_date"])]
        dates += [str(r["as_of"]) for r in self.rec.results if r.get("as_of")]
        dates = [d for d in dates if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)]
        return (min(dates), max(dates)) if dates else None

    def _is_future(self, session: Mapping[str, Any]) -> bool:
        if session.get("status") == "planned":
            return True
        return bool(
            session.get("status") != "held"
            and self.period
            and str(session["start_date"]) > self.period[1]
        )

    # -- wording shared by the sections ---------------------------------------------------
    def _years(self, years: Sequence[int]) -> str:
        """ "2022 and 2023", "2021–2023"; "2022年和2023年", "2021-2023年"."""
        ys = [str(y) for y in sorted(set(years))]
        if len(ys) > 2 and int(ys[-1]) - int(ys[0]) == len(ys) - 1:
            return f"{ys[0]}-{ys[-1]}年" if self.lang == "zh" else f"{ys[0]}–{ys[-1]}"
        if self.lang == "zh":
            return self._list([f"{y}年" for y in ys])
        return self.fmt.listing(ys)

    def _span(self, years: Sequence[int]) -> str:
        lo, hi = min(years), max(years)
        return f"{lo}-{hi}年" if self.lang == "zh" else f"{lo}–{hi}"

    def _list(self, items: list[str]) -> str:
        """ "a, b and c" / "a、b和c"."""
        if self.lang == "zh" and len(items) > 1:
            return "、".join(items[:-1]) + "和" + items[-1]
        return self.fmt.listing(items)

    def _the(self, name: str) -> str:
        """ "the Executive Board …" in English (names of bodies and programmes take the
        article, except names that are titles, such as "Her City")."""
        if self.lang != "en" or name.startswith("The ") or not _THE.search(name):
            return name
        return f"the {name}"

    def _usd(self, amount: float) -> str:
        text = self.fmt.usd(amount)
        return _zh_units(text) if self.lang == "zh" else text
