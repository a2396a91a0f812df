"""What the parts of the DOCX renderer (:mod:`.docx`) share: fonts, page, the schema order
of the elements it inserts, small XML helpers, and the writer's state, words and inline
content (runs, footnote references, bookmarks, internal links, source marks)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

from urbanagenda.synthesis.document import Document, Heading, Inline, NoteRef, Run
from urbanagenda.synthesis.text import Formatter, Phrases

#: Latin font of the whole document.
LATIN_FONT = "Times New Roman"
#: East Asian fonts: (body, headings) — SimSun (宋体) and SimHei (黑体).
EAST_ASIAN_FONTS = ("SimSun", "SimHei")
_LOCALE_TAGS = {"en": "en-GB", "zh": "zh-CN"}

PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 21.0, 29.7, 2.5
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM
INDENT_CM = 1.0  # paragraph numbers and heading labels hang in this indent
#: Built-in styles python-docx's template lacks, by the names Word knows them by.
_WORD_NAMES = {
    "Footnote Text": "footnote text",
    "Footnote Reference": "footnote reference",
    "TOC 1": "toc 1",
    "TOC 2": "toc 2",
}
#: The renderers' words, until ``phrases/common.yaml`` has them (the HTML renderer's keys).
_FALLBACK = {
    "table_n": {"en": "Table {n}.", "zh": "表 {n}"},
    "figure_n": {"en": "Figure {n}.", "zh": "图 {n}"},
    "label_sep": {"en": ": ", "zh": "："},
    "list_sep": {"en": ", ", "zh": "、"},
    "table_notes": {"en": "Note", "zh": "注"},
    "cited_para": {"en": "para. {n}", "zh": "第{n}段"},
    "cited_list": {"en": "list after para. {n}", "zh": "第{n}段后的列表"},
    "cited_text": {"en": "text", "zh": "正文"},
    "areas_many": {"en": "{n} areas (M49 codes): {codes}", "zh": "{n} 个地区（M49 代码）：{codes}"},
}


# Schema order of the children we insert ourselves (ECMA-376, transitional).
_SEQ_TCPR = (
    "w:cnfStyle",
    "w:tcW",
    "w:gridSpan",
    "w:hMerge",
    "w:vMerge",
    "w:tcBorders",
    "w:shd",
    "w:noWrap",
    "w:tcMar",
    "w:textDirection",
    "w:tcFitText",
    "w:vAlign",
    "w:hideMark",
)
_SEQ_TRPR = ("w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden")
_SEQ_TBLPR = (
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
)
_SEQ_RPR_TAIL = ("w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
_SEQ_SETTINGS_TAIL = (
    "w:updateFields",
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


# -- small XML helpers ---------------------------------------------------------------------
def _el(tag: str, **attrs: str) -> Any:
    """A new ``w:`` element with ``w:``-qualified attributes."""
    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn(f"w:{k}"), v)
    return e


def _put(parent: Any, child: Any, seq: Sequence[str]) -> Any:
    """Put ``child`` in ``parent`` at its schema position (``seq`` lists the tags that may
    follow it, in order), replacing a child of the same tag."""
    tag = child.tag
    for old in parent.findall(tag):
        parent.remove(old)
    name = next(t for t in seq if qn(t) == tag) if any(qn(t) == tag for t in seq) else None
    successors = seq[seq.index(name) + 1 :] if name else seq
    parent.insert_element_before(child, *successors)
    return child


def _bookmark_name(prefix: str, ident: str) -> str:
    """A valid bookmark name (letters, digits, underscore; at most 40 characters)."""
    return (prefix + re.sub(r"[^0-9A-Za-z_]", "_", ident))[:40]


class _WriterBase:
    """The writer's state, words and inline content; the ``_docx_*`` modules add the parts
    of the package and the blocks."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lang = doc.lang if doc.lang in _LOCALE_TAGS else "en"
        self.phrases = Phrases(self.lang, "common")
        self.fmt = Formatter(self.lang)
        self.d = docx.Document()
        self.zh = self.lang == "zh"
        self._bookmark_id = 0
        self._bookmarks: set[str] = set()
        self._footnote_id = 0
        self._footnotes: list[tuple[int, str]] = []  # (w:id, text)
        self._cited_in: dict[str, tuple[str, str]] = {}  # block id -> (label, bookmark)
        self._toc: list[tuple[Heading, str]] = []  # headings (level ≤ 2) and bookmarks
        self._current: Heading | None = None  # the heading of the blocks being written
        self._last_para: int | None = None  # the last numbered paragraph written

    def style(self, name: str) -> Any:
        """A style by its English name (built-in ones Word knows by a lower-case name)."""
        return self.d.styles[_WORD_NAMES.get(name, name)]

    # -- words ---------------------------------------------------------------------------
    def label(self, key: str, **values: Any) -> str:
        """A word of ``phrases/common.yaml`` (``Document.labels`` overrides it); the
        renderers' own words fall back to :data:`_FALLBACK` where the file lacks them."""
        if key in self.doc.labels:
            template = self.doc.labels[key]
        elif self.phrases.has(key):
            template = str(self.phrases.get(key))
        elif key in _FALLBACK:
            template = _FALLBACK[key][self.lang]
        else:
            template = self.phrases.t(key)  # ConfigError: no such phrase
        return template.format(**values) if values else template

    @property
    def colon(self) -> str:
        return self.label("label_sep")

    @property
    def comma(self) -> str:
        return self.label("list_sep")

    def numbered_label(self, key: str, n: int) -> str:
        """ "Table 3." / "表 3"."""
        return self.label(f"{key}_n", n=n)

    def block_label(self, key: str, n: int) -> str:
        """ "Table 3" / "表 3" (in "cited in")."""
        return self.numbered_label(key, n).rstrip(".")

    # -- inline content ------------------------------------------------------------------
    def _bookmark(self, p: DocxParagraph, name: str) -> str:
        """Bookmark the whole paragraph ``p``; returns the name (made unique)."""
        base, n = name, 1
        while name in self._bookmarks:
            n += 1
            name = f"{base[: 40 - len(str(n)) - 1]}_{n}"
        self._bookmarks.add(name)
        self._bookmark_id += 1
        bid = str(self._bookmark_id)
        start = _el("w:bookmarkStart", id=bid, name=name)
        ppr = p._p.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            p._p.insert(0, start)
        p._p.append(_el("w:bookmarkEnd", id=bid))
        return name

    def _link(self, p: DocxParagraph, anchor: str, text: str, style: str | None = None) -> Any:
        """An internal hyperlink to bookmark ``anchor``."""
        link = _el("w:hyperlink", anchor=anchor, history="1")
        r = _el("w:r")
        if style:
            rpr = _el("w:rPr")
            rpr.append(_el("w:rStyle", val=self.style(style).style_id))
            r.append(rpr)
        DocxRun(r, p).text = text  # tabs become <w:tab/>
        link.append(r)
        p._p.append(link)
        return link

    def _inlines(self, p: DocxParagraph, inlines: Iterable[Inline]) -> None:
        notes = {f.number: f.text for f in self.doc.footnotes}
        for item in inlines:
            if isinstance(item, Run):
                r = p.add_run(item.text)
                r.bold = item.bold or None
                r.italic = item.italic or None
            elif isinstance(item, NoteRef):
                self._footnote_id += 1
                self._footnotes.append((self._footnote_id, notes.get(item.number, "")))
                r = p.add_run()
                r.style = self.style("Footnote Reference")
                r._r.append(_el("w:footnoteReference", id=str(self._footnote_id)))

    def _source_marks(self, p: DocxParagraph, keys: Sequence[str], *, inline: bool) -> None:
        """ "(Sources: S1, S3)" after a paragraph, or "Sources: S1, S3" on its own line;
        each key links to its row in the table of sources."""
        keys = [k for k in keys if k in self.doc.sources]
        if not keys:
            return
        style = "Source Mark" if inline else None
        open_, close = ("（", "）") if self.zh else (" (", ")")
        head = f"{self.label('source_mark')}{self.colon}"
        if inline:
            p.add_run(open_ + head, style=style)
        else:
            p.add_run(head)
        for i, key in enumerate(keys):
            if i:
                p.add_run(self.comma, style=style)
            self._link(p, self._source_anchor(key), key, style)
        if inline:
            p.add_run(close, style=style)

    def _source_anchor(self, key: str) -> str:
        """The bookmark of a source's row (``src_`` names are used for nothing else)."""
        return _bookmark_name("src_", key)

    def _cite_target(self, block_id: str, label: str, p: DocxParagraph) -> None:
        """Remember where a block cited by a source is, for the "cited in" column."""
        if not block_id or not any(block_id in s.used_by for s in self.doc.sources.values()):
            return
        name = self._bookmark(p, _bookmark_name("b_", block_id))
        self._cited_in[block_id] = (label, name)
