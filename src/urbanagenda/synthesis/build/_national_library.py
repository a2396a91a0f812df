"""Chapters IV and V of the national report draft, from the reporting library: the
country's last published national report (Markdown read into plain paragraphs, trimmed)
and the voluntary local reviews of its cities with their Goal 11 passages."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import func, select

from urbanagenda.reporting.documents import get_version, list_documents
from urbanagenda.reporting.model import Document as LibraryDocument
from urbanagenda.store import schema as s
from urbanagenda.synthesis.build._national_common import _DraftBase
from urbanagenda.synthesis.document import Run

MAX_VLR_PASSAGES = 5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


class _LibraryPart(_DraftBase):
    """The last national report and the VLRs of the reporting library."""

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
