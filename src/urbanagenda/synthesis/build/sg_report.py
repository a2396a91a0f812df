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
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import yaml

from urbanagenda.errors import UrbanAgendaError
from urbanagenda.model.areas import Areas, load_areas
from urbanagenda.reporting.documents import get_document, list_documents
from urbanagenda.reporting.model import Document as LibraryDocument
from urbanagenda.synthesis import charts
from urbanagenda.synthesis.build._monitoring import (
    Monitoring,
    data_version,
    monitoring,
    region_names,
    series_provenance,
)
from urbanagenda.synthesis.document import Cell, Document, DocumentBuilder, Inline, NoteRef
from urbanagenda.synthesis.generate import BuildContext
from urbanagenda.synthesis.records import Records, channel_definitions, read_records
from urbanagenda.synthesis.text import Formatter, Phrases

__all__ = ["build_sg_report"]

#: The order governing bodies are presented in (others follow, by code).
BODY_ORDER = ("UNHA", "EB", "CPR")
#: The order of the funding channels (seed para 14); "total" is all of them.
CHANNEL_ORDER = (
    "total",
    "regular_budget",
    "foundation_non_earmarked",
    "foundation_earmarked",
    "technical_cooperation",
)
#: The metrics of a programme, in the order the seed states them (others follow).
METRIC_ORDER = (
    "people_reached",
    "countries",
    "cities",
    "local_governments",
    "utilities",
    "funds_usd",
    "investment_usd",
    "projects",
    "sites",
    "policy_reform_countries",
    "policy_reform_cities",
    "policy_reform_local_governments",
    "new_policy_countries",
    "partners",
    "institutional_members",
    "member_countries",
    "individual_members",
    "conferences",
    "campaign_cities",
    "normative_products",
    "global_reports",
)
#: Columns of the programme results table (those with a value in at least one programme).
TABLE_METRICS = (
    "people_reached",
    "countries",
    "policy_reform_countries",
    "partners",
    "normative_products",
)
_THE = re.compile(
    r"\b(Assembly|Board|Committee|Council|Programme|Network|Fund|Platform|Alliance|LAB|Lab|"
    r"Partnership|Partnerships|Initiative|Facility|Campaign|Forum)\b|^United Nations"
)
_ORDINALS = re.compile(
    r"^(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|Twelfth|"
    r"Resumed|Special|Extraordinary|Open-ended)\b"
)


def build_sg_report(
    ctx: BuildContext, *, headline: dict[str, pd.DataFrame] | None = None
) -> Document:
    """The report's document model.  ``headline``: the output of
    :func:`urbanagenda.store.progress.headline_values` when the caller has it already (it is
    the slow, method-free part of the SDG 11 assessment)."""
    return _SgReport(ctx, headline).build()


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


def _mid(text: str, lang: str) -> str:
    """A name placed inside an English sentence: "Second session of …" -> "second session of …"."""
    if lang == "en" and _ORDINALS.match(text):
        return text[0].lower() + text[1:]
    return text


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


class _SgReport:
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

    # -- period ---------------------------------------------------------------------------
    def _period(self) -> tuple[str, str] | None:
        """Earliest to latest dated record of the period: held sessions and results."""
        dates: list[str] = []
        for s in self.rec.sessions:
            if s.get("status") == "held":
                dates += [str(s["start_date"]), str(s["end_date"])]
        dates += [str(r["as_of"]) for r in self.rec.results if r.get("as_of")]
        for src in self.rec.sources.values():  # a source that states its period
            for key in ("period_start", "period_end"):
                if src.get(key):
                    dates.append(str(src[key]))
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

    # -- II. governance -------------------------------------------------------------------
    def _the(self, name: str) -> str:
        """ "the Executive Board …" in English (names of bodies and programmes take the
        article, except names that are titles, such as "Her City")."""
        if self.lang != "en" or name.startswith("The ") or not _THE.search(name):
            return name
        return f"the {name}"

    def _bodies(self) -> list[dict[str, Any]]:
        rank = {c: i for i, c in enumerate(BODY_ORDER)}
        return sorted(self.rec.bodies, key=lambda r: (rank.get(r["code"], 99), r["code"]))

    def _totals(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """Outcomes per kind: a group row's ``count`` where there is one (number null), else
        the number of rows — in the order the kinds first appear."""
        out: dict[str, int] = {}
        groups: dict[str, int] = {}
        for r in rows:
            kind = str(r["kind"])
            out.setdefault(kind, 0)
            if r.get("number") is None:
                groups[kind] = groups.get(kind, 0) + int(r.get("count") or 1)
            else:
                out[kind] += 1
        return {k: groups.get(k, v) for k, v in out.items()}

    def _adopted_total(self) -> int:
        """Resolutions, decisions and declarations adopted (drafts not counted): the totals of
        each session (or body and year, where the source names no session)."""
        groups: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
        for o in self.rec.outcomes:
            if not str(o["kind"]).startswith("draft_"):
                key = (
                    str(o["body_code"]),
                    str(o.get("session_code") or ""),
                    int(o.get("year") or 0),
                )
                groups[key].append(o)
        return sum(sum(self._totals(rows).values()) for rows in groups.values())

    def _kind_word(self, kind: str, n: int) -> str:
        forms = self.p.get("kinds", {}).get(kind, kind.replace("_", " "))
        return _plural(forms, n)

    def _count_items(self, rows: Sequence[Mapping[str, Any]]) -> str:
        items = []
        for kind, n in self._totals(rows).items():
            text = self.p.t("count_item", n=self.fmt.integer(n), word=self._kind_word(kind, n))
            of_kind = [r for r in rows if r["kind"] == kind]
            if of_kind and all(r.get("adoption") == "consensus" for r in of_kind):
                text += self.p.t("by_consensus")
            items.append(text)
        return self.fmt.listing(items)

    def _outcome_name(self, row: Mapping[str, Any]) -> str:
        """How a named outcome is referred to: "resolution 2/10 (title)", or its title where
        the title names it already, quoted where it does not start with its kind."""
        title = _text(row.get("title"), self.lang)
        word = self._kind_word(str(row["kind"]), 1)
        subject = str(self.p.get("subjects", {}).get(row.get("subject") or "", ""))
        if subject.endswith(word):  # "ministerial declaration" / "部长级宣言"
            word = subject
        number = row.get("number")
        if self.lang == "en" and title.lower().startswith(f"{word.lower()} {number or ''}".strip()):
            return title[0].lower() + title[1:]
        if number and str(number) in title:
            return title if self.lang == "zh" else self.p.t("quoted", title=title)
        if number:
            return self.p.t("out_numbered", kind=word, number=number, title=title)
        if word.lower() in title.lower():
            return self.p.t("quoted", title=title)
        return self.p.t("out_entitled", kind=word, title=title)

    def _named(self, rows: Sequence[Mapping[str, Any]]) -> str:
        names: list[str] = []
        for r in rows:
            if r.get("number") is not None or (
                int(r.get("count") or 1) == 1 and not str(r["kind"]).startswith("draft_")
            ):
                name = self._outcome_name(r)
                if name not in names:
                    names.append(name)
        return self.fmt.listing(names) if self.lang == "en" else "、".join(names)

    def _symbols(self, rows: Sequence[Mapping[str, Any]]) -> str:
        found: list[str] = []
        for r in rows:
            for sym in re.split(r"[;,]\s*", str(r.get("document_symbol") or "")):
                if sym and sym not in found:
                    found.append(sym)
        if not found:
            return ""
        sep = "和" if self.lang == "zh" else " and "
        return self.p.t("see", symbols=sep.join(found))

    def _governance(self) -> None:
        b, p, f = self.b, self.p, self.fmt
        bodies = self._bodies()
        names = [self._the(_text(r["name"], self.lang)) for r in bodies]
        listed = "、".join(names) if self.lang == "zh" else f.listing(names)
        b.heading(
            1, p.t("h_gov", bodies=listed) if names else p.t("h_gov_none"), "II.", id="governance"
        )
        if not bodies:
            b.notice(p.t("no_records"))
            return
        letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        b.heading(2, p.t("h_gov_bg"), f"{next(letters)}.", id="governance-background")
        self.para_cited(p.t("gov_bodies", n=f.integer(len(bodies)), names=listed), bodies)
        for body in bodies:
            desc = _text(body.get("description"), self.lang)
            if desc:
                if self.lang == "en" and desc[1:2].islower():
                    desc = desc[0].lower() + desc[1:]
                text = p.t("gov_description", name=_text(body["name"], self.lang), description=desc)
                self.para_cited(text, [body])
        for body in bodies:
            self._body_section(body, next(letters))
        self._governance_tables(bodies)

    def _body_section(self, body: Mapping[str, Any], letter: str) -> None:
        b, p, f = self.b, self.p, self.fmt
        code = body["code"]
        name = _text(body["name"], self.lang)
        b.heading(2, name, f"{letter}.", id=f"body-{code.lower()}")
        subject = self._the(name)
        sessions = [s for s in self.rec.sessions if s["body_code"] == code]
        outcomes = [o for o in self.rec.outcomes if o["body_code"] == code]
        by_session: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for o in outcomes:
            if o.get("session_code"):
                by_session[str(o["session_code"])].append(o)
        grouped = [
            s
            for s in sessions
            if not self._is_future(s)
            and s.get("member_states_count") is None
            and not by_session.get(s["code"])
        ]
        if len(grouped) > 1:
            dates = [f.date_range(s["start_date"], s["end_date"]) for s in grouped]
            listed = (
                "、".join(dates[:-1]) + "和" + dates[-1] if self.lang == "zh" else f.listing(dates)
            )
            self.para_cited(p.t("sess_met", body=subject, dates=listed), grouped)
        else:
            grouped = []
        for s in sessions:
            if s in grouped:
                continue
            self._session_paragraph(subject, s, by_session.get(s["code"], []))
        loose = [o for o in outcomes if not o.get("session_code")]
        for year in sorted({o.get("year") or 0 for o in loose}):
            rows = [o for o in loose if (o.get("year") or 0) == year]
            items = self._named(rows) or self._count_items(rows)
            key = "out_body_year" if year else "out_body"
            text = _cap(p.t(key, year=year, body=subject, items=items)) + self._see(rows)
            self.para_cited(text, rows)
        if not sessions and not outcomes:
            b.notice(p.t("no_records_of"))

    def _session_paragraph(
        self, body: str, s: Mapping[str, Any], outcomes: Sequence[Mapping[str, Any]]
    ) -> None:
        p, f = self.p, self.fmt
        session = _mid(_text(s["name"], self.lang), self.lang)
        place = _text(s.get("place"), self.lang)
        dates = f.date_range(s["start_date"], s["end_date"])
        suffix = "" if place else "_noplace"
        ms = s.get("member_states_count")
        if self._is_future(s):
            text = p.t("sess_planned" + suffix, session=session, place=place, dates=dates)
            self.para_cited(_cap(text), [s])
            return
        drafts = [o for o in outcomes if str(o["kind"]).startswith("draft_")]
        adopted = [o for o in outcomes if not str(o["kind"]).startswith("draft_")]
        sentences: list[str] = []
        if ms is not None:
            sentences.append(
                p.t(
                    "sess_held_ms" + suffix,
                    ms=f.integer(int(ms)),
                    session=session,
                    place=place,
                    dates=dates,
                )
            )
            if adopted:
                sentences.append(
                    p.t("out_after", body=body, items=self._count_items(adopted))
                    + self._see(adopted)
                )
            if drafts:
                sentences.append(
                    p.t("prepared_after", items=self._count_items(drafts)) + self._see(drafts)
                )
        else:
            # a name that carries its dates ("… (29–31 May and 2 June 2023)") needs no others
            held = "" if re.search(r"\d{4}", session) else p.t("held_on", dates=dates)
            if not outcomes:
                sentences.append(
                    _cap(p.t("sess_held" + suffix, session=session, place=place, dates=dates))
                )
            if adopted:
                sentences.append(
                    _cap(
                        p.t(
                            "sess_out_adopted",
                            session=session,
                            held=held,
                            body=body,
                            items=self._count_items(adopted),
                        )
                    )
                    + self._see(adopted)
                )
            if drafts:
                sentences.append(
                    _cap(
                        p.t(
                            "sess_out_prepared",
                            session=session,
                            held=held,
                            items=self._count_items(drafts),
                        )
                    )
                    + self._see(drafts)
                )
        named = self._named(
            [o for o in outcomes if o.get("number") is not None or int(o.get("count") or 1) == 1]
        )
        if named:
            sentences.append(p.t("out_named", items=named))
        self.para_cited(self.sep.join(x for x in sentences if x), [s, *outcomes])

    def _see(self, rows: Sequence[Mapping[str, Any]]) -> str:
        """The end of a sentence with its documents' symbols: "… (see X and Y)."."""
        symbols = self._symbols(rows)
        end = "。" if self.lang == "zh" else "."
        return symbols + end

    def _governance_tables(self, bodies: Sequence[Mapping[str, Any]]) -> None:
        b, p, f = self.b, self.p, self.fmt
        body_name = {r["code"]: _text(r["name"], self.lang) for r in bodies}
        session_name = {s["code"]: _text(s["name"], self.lang) for s in self.rec.sessions}
        rank = {c: i for i, c in enumerate(r["code"] for r in bodies)}
        sessions = sorted(
            self.rec.sessions, key=lambda s: (rank.get(s["body_code"], 99), s["start_date"])
        )
        if sessions:
            rows = []
            for s in sessions:
                outs = [o for o in self.rec.outcomes if o.get("session_code") == s["code"]]
                status = p.get("session_status", {}).get(
                    "planned" if self._is_future(s) else s["status"], s["status"]
                )
                ms = s.get("member_states_count")
                rows.append(
                    [
                        Cell(body_name.get(s["body_code"], s["body_code"])),
                        Cell(session_name[s["code"]]),
                        Cell(f.date_range(s["start_date"], s["end_date"])),
                        Cell(_text(s.get("place"), self.lang) or "—"),
                        Cell(
                            f.integer(ms) if ms is not None else "—",
                            value=float(ms) if ms is not None else None,
                            align="right",
                        ),
                        Cell(self._count_items_plain(outs) or "—"),
                        Cell(str(status)),
                    ]
                )
            keys = self._keys(sessions)
            b.table(
                p.t("t_sessions"),
                [
                    p.t("col_body"),
                    p.t("col_session"),
                    p.t("col_dates"),
                    p.t("col_place"),
                    p.t("col_member_states"),
                    p.t("col_outcomes"),
                    p.t("col_status"),
                ],
                rows,
                sources=keys,
            )
        if self.rec.outcomes:
            rows = []
            starts = {s["code"]: str(s["start_date"]) for s in self.rec.sessions}
            ordered = sorted(
                self.rec.outcomes,
                key=lambda o: (
                    rank.get(o["body_code"], 99),
                    starts.get(o.get("session_code") or "", str(o.get("year") or "")),
                    int(o["id"]),
                ),
            )
            for o in ordered:
                where = (
                    session_name.get(o["session_code"], o["session_code"])
                    if o.get("session_code")
                    else p.t(
                        "body_year",
                        body=body_name.get(o["body_code"], o["body_code"]),
                        year=o["year"],
                    )
                    if o.get("year")
                    else body_name.get(o["body_code"], o["body_code"])
                )
                kind = str(o["kind"])
                if o.get("number") is not None:
                    ident = p.t("out_ident", kind=self._kind_word(kind, 1), number=o["number"])
                else:
                    n = int(o.get("count") or 1)
                    ident = p.t("count_item", n=f.integer(n), word=self._kind_word(kind, n))
                subject = o.get("subject")
                status = o.get("implementation_status") or "unknown"
                rows.append(
                    [
                        Cell(ident),
                        Cell(_text(o["title"], self.lang)),
                        Cell(where),
                        Cell(
                            str(p.get("subjects", {}).get(subject, subject.replace("_", " ")))
                            if subject
                            else "—"
                        ),
                        Cell(str(p.get("implementation", {}).get(status, status))),
                    ]
                )
            keys = self._keys(self.rec.outcomes)
            b.table(
                p.t("t_outcomes"),
                [
                    p.t("col_number"),
                    p.t("col_title"),
                    p.t("col_adopted_by"),
                    p.t("col_subject"),
                    p.t("col_implementation"),
                ],
                rows,
                sources=keys,
            )

    def _count_items_plain(self, rows: Sequence[Mapping[str, Any]]) -> str:
        items = [
            self.p.t("count_item", n=self.fmt.integer(n), word=self._kind_word(k, n))
            for k, n in self._totals(rows).items()
        ]
        return ("、" if self.lang == "zh" else ", ").join(items)

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

    # -- III. finance ---------------------------------------------------------------------
    def _channel_rank(self, channel: str) -> tuple[int, str]:
        return (CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else 99, channel)

    def _finance(self) -> None:
        b, p, f = self.b, self.p, self.fmt
        b.heading(1, p.t("h_fin"), "III.", id="finance")
        funding = self.rec.funding
        if not funding:
            b.notice(p.t("no_records") if self.rec.is_empty() else p.t("no_records_of"))
            return
        channels = self._channel_list()
        if channels:
            names, rows = channels
            letters = "abcdefghijklmnopqrstuvwxyz"
            if self.lang == "zh":
                items = "；".join(f"({letters[i]}) {n}" for i, n in enumerate(names))
            else:
                items = "; ".join(f"({letters[i]}) {n}" for i, n in enumerate(names))
            self.para_cited(p.t("fin_channels", n=f.integer(len(names)), items=items), rows)
        by_key = {(int(r["year"]), str(r["channel"])): r for r in funding}
        ordered = sorted(funding, key=lambda r: (self._channel_rank(r["channel"]), r["year"]))
        for ch in sorted({str(r["channel"]) for r in funding}, key=self._channel_rank):
            rows = [r for r in ordered if r["channel"] == ch]
            with_amount = [r for r in rows if r.get("amount_usd") is not None]
            if with_amount:
                self._change_paragraph(with_amount[-1], by_key)
            for r in rows:
                if r.get("contributors_count") is not None:
                    text = p.t(
                        "fin_contributors",
                        year=r["year"],
                        channel=self._channel_word("channels", ch),
                        n=f.integer(int(r["contributors_count"])),
                    )
                    self.para_cited(text, [r])
        self._funding_table(ordered, by_key)

    def _channel_list(self) -> tuple[list[str], list[dict[str, Any]]] | None:
        """The funding channels: the definitions of the records file where there are, else the
        channels with funding rows."""
        try:
            defs = {
                code: d
                for code, d in channel_definitions().items()
                if isinstance(d.get("source"), Mapping)
                and d["source"].get("doc") in self.rec.sources  # the seed's records are loaded
            }
        except (OSError, ValueError, yaml.YAMLError):
            defs = {}
        used = {str(r["channel"]) for r in self.rec.funding} - {"total"}
        codes = sorted(set(defs) | used, key=self._channel_rank)
        if not codes:
            return None
        names = [self._channel_word("channels", c) for c in codes]
        cite_rows = [
            {"source_doc": d["source"].get("doc"), "source_para": d["source"].get("para")}
            for d in defs.values()
        ]
        cite_rows += [r for r in self.rec.funding if r["channel"] != "total" and not defs]
        return names, cite_rows

    def _channel_word(self, group: str, channel: str) -> str:
        return str(self.p.get(group, {}).get(channel, channel.replace("_", " ")))

    def _usd(self, amount: float) -> str:
        text = self.fmt.usd(amount)
        return _zh_units(text) if self.lang == "zh" else text

    def _verb(self, change: float) -> str:
        p, f = self.p, self.fmt
        factor = 1 + change
        if change >= 0.995 and abs(factor - round(factor)) < 0.01:
            words = p.get("fin_times", {})
            return str(
                words.get(str(round(factor)))
                or p.t("fin_times_other", factor=f.integer(round(factor)))
            )
        if abs(change) < 0.0005:
            return p.t("fin_same")
        return p.t("fin_up" if change > 0 else "fin_down", change=f.change(abs(change)))

    def _change_paragraph(
        self, row: Mapping[str, Any], by_key: Mapping[tuple[int, str], Mapping[str, Any]]
    ) -> None:
        p = self.p
        year, ch = int(row["year"]), str(row["channel"])
        amount = float(row["amount_usd"])
        prev = by_key.get((year - 1, ch))
        subject = self._channel_word("channel_income", ch)
        cited: list[Mapping[str, Any]] = [row]
        if prev is not None and prev.get("amount_usd"):
            change: float | None = amount / float(prev["amount_usd"]) - 1
            note = p.t(
                "fin_computed",
                prev=year - 1,
                prev_amount=self._usd(float(prev["amount_usd"])),
                year=year,
                amount=self._usd(amount),
            )
            cited.append(prev)
        elif row.get("reported_change") is not None:
            change = float(row["reported_change"])
            note = p.t("fin_reported", prev=year - 1)
        else:
            change, note = None, ""
        if change is None:
            text = p.t("fin_level", year=year, subject=subject, amount=self._usd(amount))
        else:
            text = p.t(
                "fin_change",
                year=year,
                subject=subject,
                verb=self._verb(change),
                amount=self._usd(amount),
            )
        keys, src_note = self.cite(cited)
        content: list[str | Inline] = [text]
        if src_note is not None:
            content.append(src_note)
        if note:
            content.append(self.b.note(note))
        self.b.para(content, sources=keys)

    def _funding_table(
        self,
        ordered: Sequence[Mapping[str, Any]],
        by_key: Mapping[tuple[int, str], Mapping[str, Any]],
    ) -> None:
        b, p, f = self.b, self.p, self.fmt
        rows = []
        for r in sorted(ordered, key=lambda r: (r["year"], self._channel_rank(r["channel"]))):
            amount = r.get("amount_usd")
            prev = by_key.get((int(r["year"]) - 1, str(r["channel"])))
            if amount is not None and prev is not None and prev.get("amount_usd"):
                ch = f.change(float(amount) / float(prev["amount_usd"]) - 1)
            elif r.get("reported_change") is not None:
                ch = p.t("change_reported", change=f.change(float(r["reported_change"])))
            else:
                ch = "—"
            n = r.get("contributors_count")
            rows.append(
                [
                    Cell(str(r["year"])),
                    Cell(self._channel_word("channel_short", str(r["channel"]))),
                    Cell(
                        self._usd(float(amount)) if amount is not None else "—",
                        value=float(amount) if amount is not None else None,
                        align="right",
                    ),
                    Cell(ch, align="right"),
                    Cell(f.integer(int(n)) if n is not None else "—", align="right"),
                ]
            )
        notes = [
            p.t(
                "funding_note",
                year=r["year"],
                channel=self._channel_word("channel_short", str(r["channel"])),
                note=_text(r.get("note"), self.lang),
            )
            for r in ordered
            if _text(r.get("note"), self.lang)
        ]
        keys = self._keys(ordered)
        b.table(
            p.t("t_funding"),
            [
                p.t("col_year"),
                p.t("col_channel"),
                p.t("col_income"),
                p.t("col_change"),
                p.t("col_contributors"),
            ],
            rows,
            sources=keys,
            notes=notes,
        )
        amounts = [r for r in ordered if r.get("amount_usd") is not None]
        if len(amounts) > 1:
            data = [
                {
                    "label": self._channel_word("channel_short", str(r["channel"]))
                    + f" {r['year']}",
                    "value": round(float(r["amount_usd"]) / 1e6, 2),
                    "channel": self._channel_word("channel_short", str(r["channel"])),
                }
                for r in sorted(
                    amounts, key=lambda r: (r["year"], self._channel_rank(r["channel"]))
                )
            ]
            alt = p.t(
                "fig_funding_alt",
                items=("；" if self.lang == "zh" else "; ").join(
                    f"{d['label']}: {self._usd(float(r['amount_usd']))}"
                    for d, r in zip(
                        data,
                        sorted(
                            amounts, key=lambda r: (r["year"], self._channel_rank(r["channel"]))
                        ),
                        strict=True,
                    )
                ),
            )
            spec = charts.bar_chart(data, value_title=p.t("usd_millions"), value_format=",.2~f")
            b.figure(p.t("fig_funding"), spec, alt, sources=keys)

    # -- IV. programmes -------------------------------------------------------------------
    def _qualified(self, row: Mapping[str, Any]) -> str:
        f = self.fmt
        value = float(row["value"])
        metric = str(row["metric"])
        if metric.endswith("_usd"):
            n = self._usd(value)
        elif metric == "people_reached":
            n = f.people(value)
        else:
            n = f.integer(value)
        if self.lang == "zh":
            n = _zh_units(n)
        q = str(row.get("qualifier") or "exact")
        # Chinese puts 多 after round numbers only ("30多个", "超过64个", "超过150万")
        if q == "more_than" and not (n[-1:].isdigit() and n.endswith("0")):
            q = "more_than_unit"
        return str(self.p.get("qualifier", {}).get(q, "{n}")).format(n=n)

    def _period_phrase(self, row: Mapping[str, Any]) -> str:
        p = self.p
        if row.get("period_years"):
            return p.t("prog_period_years", n=self.fmt.integer(int(row["period_years"])))
        if row.get("period_start") and row.get("period_end"):
            return p.t("prog_period_range", start=row["period_start"], end=row["period_end"])
        if row.get("period_start"):
            return p.t("prog_period_since", start=row["period_start"])
        return ""

    def _clause(self, row: Mapping[str, Any]) -> str:
        metric = str(row["metric"])
        clauses = self.p.get("metric_clause", {})
        value = self._qualified(row)
        if metric in clauses:
            return str(clauses[metric]).format(value=value)
        label = str(self.p.get("metric_col", {}).get(metric, metric.replace("_", " ")))
        return self.p.t("metric_clause_other", value=value, metric=label)

    def _programmes(self) -> None:
        b, p, f = self.b, self.p, self.fmt
        b.heading(1, p.t("h_prog"), "IV.", id="programmes")
        if not self.rec.programmes:
            b.notice(p.t("no_records") if self.rec.is_empty() else p.t("no_records_of"))
            return
        self.para_cited(
            p.t("prog_intro", n=f.integer(len(self.rec.programmes))), self.rec.programmes
        )
        rank = {m: i for i, m in enumerate(METRIC_ORDER)}
        results: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.rec.results:
            results[str(r["programme_code"])].append(r)
        for prog in self.rec.programmes:
            rows = sorted(results.get(prog["code"], []), key=lambda r: rank.get(r["metric"], 99))
            self._programme_paragraph(prog, rows)
        self._programme_table(results)

    def _latest(self, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """One result per metric: the latest ``as_of``."""
        best: dict[str, Mapping[str, Any]] = {}
        for r in rows:
            m = str(r["metric"])
            if m not in best or str(r["as_of"]) > str(best[m]["as_of"]):
                best[m] = r
        return [r for r in rows if best.get(str(r["metric"])) is r]

    def _programme_paragraph(
        self, prog: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
    ) -> None:
        p = self.p
        name = self._the(_text(prog["name"], self.lang))
        rows = self._latest(rows)
        sentences: list[str] = []
        people = [r for r in rows if r["metric"] == "people_reached"]
        rest = [r for r in rows if r["metric"] != "people_reached"]
        if people:
            r = people[0]
            text = p.t("prog_people", name=name, value=self._qualified(r))
            note = _text(r.get("note"), self.lang)
            if note:
                text = text[:-1] + f.paren(note) + text[-1] if (f := self.fmt) else text
            sentences.append(text)
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for r in rest:
            groups.setdefault(self._period_phrase(r), []).append(r)
        if not groups and prog.get("started") and not people:
            pass
        first = not people
        for period, group in groups.items():
            clauses = self._clauses(group)
            joined = self._join_clauses(clauses)
            if first:
                if period:
                    sentences.append(
                        p.t("prog_only_clauses_period", name=name, period=period, clauses=joined)
                    )
                else:
                    sentences.append(p.t("prog_only_clauses", name=name, clauses=joined))
                first = False
            elif period:
                sentences.append(p.t("prog_more", period=period, clauses=joined))
            else:
                sentences.append(p.t("prog_more_noperiod", clauses=joined))
        if not sentences:
            return
        self.para_cited(self.sep.join(_cap(s) for s in sentences), [prog, *rows])

    def _clauses(self, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        """Clauses of one period; "worked in 200 cities in 39 countries" where both are."""
        by_metric = {str(r["metric"]): r for r in rows}
        pairs = self.p.get("metric_pair", {})
        out: list[str] = []
        done: set[str] = set()
        for r in rows:
            m = str(r["metric"])
            if m in done:
                continue
            pair = next(
                (
                    (a, b)
                    for key in pairs
                    for a, b in [key.split("+")]
                    if m in (a, b) and a in by_metric and b in by_metric
                ),
                None,
            )
            if pair:
                a, b = pair
                out.append(
                    str(pairs[f"{a}+{b}"]).format(
                        a=self._qualified(by_metric[a]), b=self._qualified(by_metric[b])
                    )
                )
                done.update(pair)
            else:
                out.append(self._clause(r))
                done.add(m)
        return out

    def _join_clauses(self, clauses: list[str]) -> str:
        if self.lang == "zh":
            return "，".join(clauses)
        return self.fmt.listing(clauses)

    def _programme_table(self, results: Mapping[str, list[dict[str, Any]]]) -> None:
        b, p = self.b, self.p
        present = [
            m for m in TABLE_METRICS if any(r["metric"] == m for rs in results.values() for r in rs)
        ]
        if not present:
            return
        rows: list[list[Cell]] = []
        chart_rows: list[dict[str, Any]] = []
        cited: list[Mapping[str, Any]] = []
        for prog in self.rec.programmes:
            latest = {str(r["metric"]): r for r in self._latest(results.get(prog["code"], []))}
            if not latest:
                continue
            name = _text(prog["name"], self.lang)
            cells = [Cell(name)]
            for m in present:
                r = latest.get(m)
                cells.append(
                    Cell(
                        self._qualified(r) if r else "—",
                        value=float(r["value"]) if r else None,
                        align="right",
                    )
                )
            periods = {self._period_cell(r) for r in latest.values()} - {""}
            cells.append(Cell("; ".join(sorted(periods)) if periods else "—"))
            rows.append(cells)
            cited += [prog, *latest.values()]
            if "people_reached" in latest:
                r = latest["people_reached"]
                chart_rows.append(
                    {
                        "label": name,
                        "value": round(float(r["value"]) / 1e6, 2),
                        "text": self._qualified(r),
                    }
                )
        keys = self._keys(cited)
        header = [p.t("col_programme")]
        header += [str(p.get("metric_col", {}).get(m, m)) for m in present]
        header.append(p.t("col_period"))
        b.table(p.t("t_programmes"), header, rows, sources=keys)
        if chart_rows:
            chart_rows.sort(key=lambda d: -float(d["value"]))
            spec = charts.bar_chart(
                chart_rows, value_title=p.t("people_millions"), value_format=",.1f"
            )
            sep = "；" if self.lang == "zh" else "; "
            alt = p.t(
                "fig_people_alt",
                items=sep.join(f"{d['label']}: {d['text']}" for d in chart_rows),
            )
            b.figure(p.t("fig_people"), spec, alt, sources=keys)

    def _period_cell(self, r: Mapping[str, Any]) -> str:
        p = self.p
        if r.get("period_years"):
            return p.t("period_cell_years", n=int(r["period_years"]))
        if r.get("period_start") and r.get("period_end"):
            return p.t("period_cell_range", start=r["period_start"], end=r["period_end"])
        if r.get("period_start"):
            return p.t("period_cell_since", start=r["period_start"])
        return ""

    # -- V. monitoring --------------------------------------------------------------------
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

    def _reports(self) -> None:
        b, p, f = self.b, self.p, self.fmt
        nr, vlr = self.library
        names = region_names(self.lang)
        regions = [a for a in names if a != "1"]
        nr_key = (
            b.source(
                "document",
                p.t("lib_nr_title"),
                detail=p.t(
                    "lib_detail",
                    n=f.integer(len(nr)),
                    ids=", ".join(str(d.id) for d in sorted(nr, key=lambda d: d.id)),
                ),
                areas=[d.country_code for d in nr if d.country_code],
                years=[d.year for d in nr if d.year],
            )
            if nr
            else None
        )
        vlr_key = (
            b.source(
                "document",
                p.t("lib_vlr_title"),
                detail=p.t(
                    "lib_detail",
                    n=f.integer(len(vlr)),
                    ids=", ".join(str(d.id) for d in sorted(vlr, key=lambda d: d.id)),
                ),
                areas=[d.country_code for d in vlr if d.country_code],
                years=[d.year for d in vlr if d.year],
            )
            if vlr
            else None
        )
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
