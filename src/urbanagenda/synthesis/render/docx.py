"""The DOCX rendering of a generated report (python-docx), for Member States to edit.

What a reader gets in Word: real built-in styles (Title, Subtitle, Heading 1–3, Caption,
"footnote text"/"footnote reference", "toc 1"/"toc 2"), so the navigation pane, the table of
contents field and style-based reformatting work; a cover page; a table of contents field
(``TOC \\o "1-2" \\h \\z \\u``, marked dirty so Word refreshes page numbers, its stored result
already lists the headings with links, so it reads right before any update); paragraphs
numbered as United Nations reports print them (number, tab, hanging indent); real Word
footnotes (a ``/word/footnotes.xml`` part added at the OPC level, since python-docx has no
footnote API); tables with a repeating header row, right-aligned numbers and status cells
shaded in :data:`~urbanagenda.synthesis.charts.STATUS_COLOURS` next to their label; charts as
PNG pictures with their alternative text; the sources of every block ("Sources: S1, S3",
linked to the table of sources at the end, whose "cited in" column links back).

Chinese: the East Asian font of the body is SimSun (宋体) and of headings SimHei (黑体), as
United Nations Chinese documents are set; both come with every Chinese Windows and Office
(Word substitutes its own CJK font elsewhere).  Latin text is Times New Roman.  A Chinese
document also declares ``w:lang w:eastAsia="zh-CN"`` in the document defaults and the
theme font language, so Word proofs and lays out its text as Simplified Chinese.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC
from functools import cache
from typing import Any

import docx
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.document import (
    Cell,
    Document,
    Figure,
    Heading,
    Inline,
    List,
    NoteRef,
    Notice,
    Paragraph,
    Run,
    Source,
    Table,
)
from urbanagenda.synthesis.text import Formatter, Phrases

__all__ = ["EAST_ASIAN_FONTS", "LATIN_FONT", "render_docx"]

#: Latin font of the whole document.
LATIN_FONT = "Times New Roman"
#: East Asian fonts: (body, headings) — SimSun (宋体) and SimHei (黑体).
EAST_ASIAN_FONTS = ("SimSun", "SimHei")
_LOCALE_TAGS = {"en": "en-GB", "zh": "zh-CN"}

PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 21.0, 29.7, 2.5
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM
INDENT_CM = 1.0  # paragraph numbers and heading labels hang in this indent
_GREY = RGBColor(0x59, 0x59, 0x59)
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
#: Areas named in the table of sources; more are listed by code.
_MAX_NAMED_AREAS = 8
_NOTICE_FILL = {"info": ("E8F0FB", "5B8BD0"), "warning": ("FFF4E0", "D9A036")}

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


def render_docx(doc: Document) -> bytes:
    """The document as a Word file (bytes of a .docx package)."""
    return _Writer(doc).render()


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


def _set_fonts(rpr: Any, east_asia: str) -> None:
    """Explicit fonts (no theme fonts, which would win over them)."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for a in ("ascii", "hAnsi", "cs"):
        rfonts.set(qn(f"w:{a}"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _shade(tc: Any, fill: str) -> None:
    tcpr = tc.get_or_add_tcPr()
    _put(tcpr, _el("w:shd", val="clear", color="auto", fill=fill), _SEQ_TCPR)


def _contrast_text(fill: str) -> RGBColor:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(fill[i : i + 2], 16) for i in (0, 2, 4))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    white = RGBColor(0xFF, 0xFF, 0xFF)
    return white if (1.05 / (lum + 0.05)) > ((lum + 0.05) / 0.05) else RGBColor(0, 0, 0)


def _bookmark_name(prefix: str, ident: str) -> str:
    """A valid bookmark name (letters, digits, underscore; at most 40 characters)."""
    return (prefix + re.sub(r"[^0-9A-Za-z_]", "_", ident))[:40]


def _years(years: Sequence[int]) -> str:
    """2015, 2018, 2020–2022."""
    out: list[str] = []
    ys = sorted(set(years))
    i = 0
    while i < len(ys):
        j = i
        while j + 1 < len(ys) and ys[j + 1] == ys[j] + 1:
            j += 1
        out.append(str(ys[i]) if j - i < 2 else f"{ys[i]}–{ys[j]}")
        if 0 < j - i < 2:
            out.extend(str(y) for y in ys[i + 1 : j + 1])
        i = j + 1
    return ", ".join(out)


class _Writer:
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

    # -- the whole document --------------------------------------------------------------
    def render(self) -> bytes:
        self._setup_package()
        self._setup_styles()
        self._setup_page()
        self._cover()
        toc_anchor = self.d.add_paragraph()  # the contents go here once headings are known
        for block in self.doc.blocks:
            self._block(block)
        self._sources()
        self._contents(toc_anchor)
        self._footnotes_part()
        buf = io.BytesIO()
        self.d.save(buf)
        return buf.getvalue()

    def _setup_package(self) -> None:
        pkg = self.d.part.package
        for rid, rel in list(pkg.rels.items()):
            if rel.reltype == RT.THUMBNAIL:  # python-docx's template ships a stranger's one
                del pkg.rels[rid]
        props = self.d.core_properties
        props.title = self.doc.title
        props.subject = self.doc.subtitle
        props.language = _LOCALE_TAGS[self.lang]
        props.author = "urbanagenda"
        props.last_modified_by = "urbanagenda"
        props.keywords = self.doc.kind
        props.comments = self.label("generated_by")
        props.category = self.doc.symbol
        props.revision = 1
        if self.doc.generated_at is not None:
            at = self.doc.generated_at
            at = at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at
            props.created = at
            props.modified = at

    def _setup_page(self) -> None:
        sec = self.d.sections[0]
        sec.page_width, sec.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Cm(MARGIN_CM))
        sec.start_type = WD_SECTION_START.NEW_PAGE
        sec.different_first_page_header_footer = True  # no page number on the cover
        footer = sec.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>2</w:t></w:r></w:fldSimple>'
        )
        footer._p.append(field)

    # -- styles --------------------------------------------------------------------------
    def _setup_styles(self) -> None:
        styles = self.d.styles
        body_ea, head_ea = EAST_ASIAN_FONTS
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, body_ea)
        lang = _el("w:lang", val=_LOCALE_TAGS["en"], bidi="ar-SA")
        lang.set(qn("w:eastAsia"), "zh-CN" if self.zh else "en-GB")
        _put(rpr, lang, _SEQ_RPR_TAIL)
        settings = self.d.settings.element
        tfl = settings.find(qn("w:themeFontLang"))
        if tfl is not None:
            tfl.set(qn("w:val"), _LOCALE_TAGS["en"])
            tfl.set(qn("w:eastAsia"), "zh-CN")

        normal = styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), body_ea)
        normal.font.size = Pt(10.5 if self.zh else 11)
        pf = normal.paragraph_format
        pf.space_after = Pt(6)
        pf.line_spacing = 1.15
        pf.widow_control = True

        sizes = {1: 14, 2: 12, 3: 11}
        for level, size in sizes.items():
            st = styles[f"Heading {level}"]
            _set_fonts(st.element.get_or_add_rPr(), head_ea)
            st.font.size = Pt(size)
            st.font.bold = True
            st.font.italic = level == 3 and not self.zh
            st.font.color.rgb = RGBColor(0, 0, 0)
            f = st.paragraph_format
            f.space_before = Pt(18 if level == 1 else 12)
            f.space_after = Pt(6)
            f.keep_with_next = True
            if level < 3:  # "II." / "A." hang in the indent, the text starts at its end
                f.left_indent = Cm(INDENT_CM)
                f.first_line_indent = Cm(-INDENT_CM)
                f.tab_stops.add_tab_stop(Cm(INDENT_CM))

        title = styles["Title"]
        _set_fonts(title.element.get_or_add_rPr(), head_ea)
        title.font.size, title.font.bold = Pt(22), True
        title.font.color.rgb = RGBColor(0, 0, 0)
        title.paragraph_format.space_before = Pt(72)
        subtitle = styles["Subtitle"]
        ppr = subtitle.element.find(qn("w:pPr"))
        if ppr is not None and ppr.find(qn("w:numPr")) is not None:
            ppr.remove(ppr.find(qn("w:numPr")))  # the template's stray list level
        _set_fonts(subtitle.element.get_or_add_rPr(), head_ea)
        subtitle.font.size, subtitle.font.italic = Pt(14), False
        subtitle.font.color.rgb = RGBColor(0x26, 0x26, 0x26)
        subtitle.paragraph_format.space_after = Pt(24)

        caption = styles["Caption"]
        _set_fonts(caption.element.get_or_add_rPr(), head_ea)
        caption.font.size, caption.font.bold = Pt(10), True
        caption.font.color.rgb = RGBColor(0, 0, 0)
        caption.paragraph_format.space_before = Pt(6)
        caption.paragraph_format.space_after = Pt(6)
        toc_heading = styles["TOC Heading"]
        toc_heading.font.color.rgb = RGBColor(0, 0, 0)

        def add(name: str, kind: WD_STYLE_TYPE) -> Any:
            st = styles.add_style(name, kind)
            word_name = _WORD_NAMES.get(name)
            if word_name:  # a built-in style is known to Word by its lower-case name
                st.element.find(qn("w:name")).set(qn("w:val"), word_name)
            if kind == WD_STYLE_TYPE.PARAGRAPH:
                st.base_style = styles["Normal"]
            return st

        fn_text = add("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
        fn_text.font.size = Pt(9)
        fn_text.paragraph_format.space_after = Pt(0)
        fn_text.paragraph_format.line_spacing = 1.0
        fn_text.paragraph_format.left_indent = Cm(0.5)
        fn_text.paragraph_format.first_line_indent = Cm(-0.5)
        fn_text.paragraph_format.tab_stops.add_tab_stop(Cm(0.5))
        fn_ref = add("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
        fn_ref.font.superscript = True
        for level in (1, 2):
            toc = add(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
            f = toc.paragraph_format
            f.space_after = Pt(3)
            f.left_indent = Cm(INDENT_CM * level)
            f.first_line_indent = Cm(-INDENT_CM)
            f.tab_stops.add_tab_stop(Cm(INDENT_CM * level))
            f.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
            toc.font.bold = level == 1
        table_text = add("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        table_text.font.size = Pt(9)
        table_text.paragraph_format.space_before = Pt(1)
        table_text.paragraph_format.space_after = Pt(1)
        table_text.paragraph_format.line_spacing = 1.0
        table_note = add("Table Note", WD_STYLE_TYPE.PARAGRAPH)
        table_note.font.size = Pt(8.5)
        table_note.paragraph_format.space_after = Pt(2)
        table_note.paragraph_format.line_spacing = 1.0
        mark = add("Source Mark", WD_STYLE_TYPE.CHARACTER)
        mark.font.size = Pt(8)
        mark.font.color.rgb = _GREY
        cover = add("Cover Meta", WD_STYLE_TYPE.PARAGRAPH)
        cover.font.size = Pt(10)
        cover.paragraph_format.space_after = Pt(2)

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

    # -- blocks --------------------------------------------------------------------------
    def _block(self, block: Any) -> None:
        if isinstance(block, Heading):
            self._heading(block)
        elif isinstance(block, Paragraph):
            self._paragraph(block)
        elif isinstance(block, List):
            self._list(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Figure):
            self._figure(block)
        elif isinstance(block, Notice):
            self._notice(block)
        else:  # pragma: no cover - the model has no other blocks
            raise TypeError(f"unknown block {type(block).__name__}")

    def _heading(self, h: Heading) -> None:
        level = min(max(h.level, 1), 3)
        text = f"{h.label}\t{h.text}" if h.label and level < 3 else f"{h.label} {h.text}"
        p = self.d.add_paragraph(text.strip(), style=f"Heading {level}")
        if h.level <= 2:
            name = self._bookmark(p, _bookmark_name("_Toc_", h.id or str(len(self._toc))))
            self._toc.append((h, name))
        self._current = h

    def _under(self) -> str:
        """What "cited in" calls an unnumbered block: its heading, as the HTML does."""
        if self._current is not None:
            return f"{self._current.label} {self._current.text}".strip()
        if self._last_para is not None:
            return self.label("cited_para", n=self._last_para)
        return self.label("cited_text")

    def _paragraph(self, para: Paragraph) -> None:
        p = self.d.add_paragraph()
        if para.number is not None:
            pf = p.paragraph_format
            pf.left_indent = Cm(INDENT_CM)
            pf.first_line_indent = Cm(-INDENT_CM)
            pf.tab_stops.add_tab_stop(Cm(INDENT_CM))
            p.add_run(f"{para.number}.\t")
        self._inlines(p, para.inlines)
        self._source_marks(p, para.sources, inline=True)
        if para.number is not None:
            self._last_para = para.number
            self._cite_target(para.id, self.label("cited_para", n=para.number), p)
        else:
            self._cite_target(para.id, self._under(), p)

    def _list(self, block: List) -> None:
        last = len(block.items) - 1
        first_p: DocxParagraph | None = None
        for i, item in enumerate(block.items):
            p = self.d.add_paragraph()
            pf = p.paragraph_format
            pf.left_indent = Cm(INDENT_CM * 2)
            pf.first_line_indent = Cm(-INDENT_CM)
            pf.tab_stops.add_tab_stop(Cm(INDENT_CM * 2))
            pf.space_after = Pt(3)
            p.add_run(f"({_letter(i)})\t" if block.ordered else "•\t")
            self._inlines(p, item)
            if i == last:
                self._source_marks(p, block.sources, inline=True)
            first_p = first_p or p
        if first_p is not None:
            label = (
                self.label("cited_list", n=self._last_para)
                if self._last_para is not None
                else self._under()
            )
            self._cite_target(block.id, label, first_p)

    def _caption(self, key: str, number: int, text: str) -> DocxParagraph:
        p = self.d.add_paragraph(style="Caption")
        p.add_run(self.numbered_label(key, number) if number else self.label(key))
        p.add_run(f" {text}")
        return p

    def _table(self, t: Table) -> None:
        cap = self._caption("table", t.number, t.caption)
        cap.paragraph_format.keep_with_next = True
        self._cite_target(t.id, self.block_label("table", t.number), cap)
        self._grid(
            t.header,
            [list(r) for r in t.rows],
            caption=f"{self.numbered_label('table', t.number)} {t.caption}",
        )
        for note in t.notes:
            p = self.d.add_paragraph(style="Table Note")
            p.add_run(f"{self.label('table_notes')}{self.colon}").italic = True
            p.add_run(note)
        if t.sources:
            self._source_marks(self.d.add_paragraph(style="Table Note"), t.sources, inline=False)
        self.d.paragraphs[-1].paragraph_format.space_after = Pt(10)

    def _grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        *,
        caption: str = "",
    ) -> DocxTable:
        """A table: header row repeated on each page, light horizontal rules."""
        table = self.d.add_table(rows=1 + len(rows), cols=len(header))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        tblpr = table._tbl.tblPr
        borders = _el("w:tblBorders")
        for side, size, colour in (
            ("top", "8", "000000"),
            ("bottom", "8", "000000"),
            ("insideH", "4", "BFBFBF"),
        ):
            borders.append(_el(f"w:{side}", val="single", sz=size, space="0", color=colour))
        _put(tblpr, borders, _SEQ_TBLPR)
        if caption:
            _put(tblpr, _el("w:tblCaption", val=caption[:255]), _SEQ_TBLPR)
        numeric = [
            bool(rows) and all(r[i].value is not None or r[i].align == "right" for r in rows)
            for i in range(len(header))
        ]
        for row_idx, row in enumerate(table.rows):
            trpr = row._tr.get_or_add_trPr()
            _put(trpr, _el("w:cantSplit"), _SEQ_TRPR)
            if row_idx == 0:
                _put(trpr, _el("w:tblHeader"), _SEQ_TRPR)
        for i, (text, cell) in enumerate(zip(header, table.rows[0].cells, strict=True)):
            p = cell.paragraphs[0]
            p.style = self.d.styles["Table Text"]
            p.add_run(text).bold = True
            if numeric[i]:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _shade(cell._tc, "F2F2F2")
        for r, row in zip(table.rows[1:], rows, strict=True):
            for c, (cell, value) in enumerate(zip(r.cells, row, strict=True)):
                self._cell(cell, value, right=numeric[c])
        return table

    def _cell(self, cell: Any, value: Cell, *, right: bool) -> None:
        p = cell.paragraphs[0]
        p.style = self.d.styles["Table Text"]
        run = p.add_run(value.text)
        if value.align == "right" or value.value is not None or right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif value.align == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if value.status:
            fill = charts.STATUS_COLOURS.get(value.status, "#BDBDBD").lstrip("#").upper()
            _shade(cell._tc, fill)
            run.font.color.rgb = _contrast_text(fill)

    def _figure(self, f: Figure) -> None:
        png = charts.to_png(f.spec)
        p = self.d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        width = Cm(min(f.width_cm, TEXT_WIDTH_CM))
        shape = p.add_run().add_picture(io.BytesIO(png), width=width)
        docpr = shape._inline.docPr
        docpr.set("descr", f.alt)
        docpr.set("title", f.caption)
        docpr.set("name", self.block_label("figure", f.number))
        cap = self._caption("figure", f.number, f.caption)
        self._cite_target(f.id, self.block_label("figure", f.number), cap)
        if f.sources:
            self._source_marks(self.d.add_paragraph(style="Table Note"), f.sources, inline=False)
        self.d.paragraphs[-1].paragraph_format.space_after = Pt(10)

    def _notice(self, n: Notice) -> None:
        fill, line = _NOTICE_FILL.get(n.tone, _NOTICE_FILL["info"])
        table = self.d.add_table(rows=1, cols=1)
        borders = _el("w:tblBorders")
        for side in ("top", "left", "bottom", "right"):
            borders.append(_el(f"w:{side}", val="single", sz="8", space="0", color=line))
        _put(table._tbl.tblPr, borders, _SEQ_TBLPR)
        cell = table.rows[0].cells[0]
        _shade(cell._tc, fill)
        p = cell.paragraphs[0]
        p.paragraph_format.space_before = Pt(4)
        p.paragraph_format.space_after = Pt(4)
        p.add_run(n.text)
        self.d.add_paragraph().paragraph_format.space_after = Pt(0)

    # -- cover, contents, sources ---------------------------------------------------------
    def _cover(self) -> None:
        d = self.doc
        if d.symbol:
            p = self.d.add_paragraph(d.symbol, style="Cover Meta")
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.d.add_paragraph(d.title, style="Title")
        if d.subtitle:
            self.d.add_paragraph(d.subtitle, style="Subtitle")
        for key, value in d.meta.items():
            p = self.d.add_paragraph(style="Cover Meta")
            p.add_run(f"{key}{self.colon}").bold = True
            p.add_run(value)
        if d.generated_at is not None:
            p = self.d.add_paragraph(style="Cover Meta")
            p.add_run(f"{self.label('generated')}{self.colon}").bold = True
            at = d.generated_at
            if at.tzinfo is not None:
                stamp = f"{self.fmt.datetime(at.astimezone(UTC).replace(tzinfo=None))} UTC"
            else:
                stamp = self.fmt.datetime(at)
            p.add_run(stamp)
        p = self.d.add_paragraph(self.label("generated_by"), style="Cover Meta")
        p.runs[0].italic = True
        p.add_run().add_break(WD_BREAK.PAGE)

    def _contents(self, anchor: DocxParagraph) -> None:
        """The table of contents field before the first block (``anchor``): its stored
        result lists the headings, linked; Word refreshes it (page numbers) on open."""
        anchor.style = self.d.styles["TOC Heading"]
        anchor.add_run(self.label("contents"))
        entries = self._toc or []
        paras: list[Any] = []
        if not entries:
            paras.append(_el("w:p"))
        for h, name in entries:
            p = _el("w:p")
            ppr = _el("w:pPr")
            ppr.append(_el("w:pStyle", val=f"TOC{min(h.level, 2)}"))
            p.append(ppr)
            wp = DocxParagraph(p, anchor._parent)
            self._link(wp, name, f"{h.label}\t{h.text}" if h.label else h.text)
            paras.append(p)
        begin = _el("w:r")
        begin.append(_el("w:fldChar", fldCharType="begin", dirty="true"))
        instr = _el("w:r")
        it = _el("w:instrText")
        it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        it.text = ' TOC \\o "1-2" \\h \\z \\u '
        instr.append(it)
        sep = _el("w:r")
        sep.append(_el("w:fldChar", fldCharType="separate"))
        end = _el("w:r")
        end.append(_el("w:fldChar", fldCharType="end"))
        first = paras[0]
        ppr = first.find(qn("w:pPr"))
        at = 1 if ppr is not None else 0
        for i, r in enumerate((begin, instr, sep)):
            first.insert(at + i, r)
        paras[-1].append(end)
        page_break = _el("w:p")
        br_run = _el("w:r")
        br_run.append(_el("w:br", type="page"))
        page_break.append(br_run)
        node = anchor._p
        for p in [*paras, page_break]:
            node.addnext(p)
            node = p

    def _sources(self) -> None:
        sources = list(self.doc.sources.values())
        if not sources:
            return
        h = Heading(1, self.label("sources"), "", "sources")
        self._heading(h)
        header = [
            self.label("source_key"),
            self.label("source_title"),
            self.label("source_detail"),
            self.label("source_series"),
            self.label("source_areas"),
            self.label("source_years"),
            self.label("source_used_by"),
        ]
        rows = [
            [
                Cell(s.key),
                Cell(s.title + (f" <{s.url}>" if s.url else "")),
                Cell(s.detail),
                Cell(s.series_code or ""),
                Cell(self._areas(s)),
                Cell(_years(s.years)),
                Cell(""),
            ]
            for s in sources
        ]
        table = self._grid(header, rows, caption=self.label("sources"))
        for row, src in zip(table.rows[1:], sources, strict=True):
            self._bookmark(row.cells[0].paragraphs[0], self._source_anchor(src.key))
            self._used_by(row.cells[6].paragraphs[0], src)
        widths = (1.1, 3.6, 3.6, 2.2, 2.0, 1.6, 1.9)
        for col, w in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            col.w = Cm(w)
        for row in table.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = Cm(w)

    def _areas(self, s: Source) -> str:
        """ "Nigeria (566), Kenya (404)"; many areas by their M49 codes."""
        if not s.areas:
            return ""
        if len(s.areas) > _MAX_NAMED_AREAS:
            return self.label("areas_many", n=len(s.areas), codes=", ".join(s.areas))
        return self.comma.join(_area_names(tuple(s.areas), self.lang))

    def _used_by(self, p: DocxParagraph, s: Source) -> None:
        seen: list[tuple[str, str]] = []
        for block_id in s.used_by:
            target = self._cited_in.get(block_id)
            if target and target not in seen:
                seen.append(target)
        for i, (label, name) in enumerate(seen):
            if i:
                p.add_run(self.comma)
            self._link(p, name, label)

    # -- footnotes -----------------------------------------------------------------------
    def _footnotes_part(self) -> None:
        """``/word/footnotes.xml``: the two separators (ids -1 and 0) and one footnote per
        reference, related from the document part; settings name the separators."""
        if not self._footnotes:
            return
        ps = 'w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr'
        xml = [
            f"<w:footnotes {nsdecls('w', 'r')}>",
            f'<w:footnote w:type="separator" w:id="-1"><w:p><{ps}>'
            "<w:r><w:separator/></w:r></w:p></w:footnote>",
            f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p><{ps}>'
            "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>",
            "</w:footnotes>",
        ]
        root = parse_xml("".join(xml))
        style_text = self.style("Footnote Text").style_id
        style_ref = self.style("Footnote Reference").style_id
        for fid, text in self._footnotes:
            fn = _el("w:footnote", id=str(fid))
            p = _el("w:p")
            ppr = _el("w:pPr")
            ppr.append(_el("w:pStyle", val=style_text))
            p.append(ppr)
            r = _el("w:r")
            rpr = _el("w:rPr")
            rpr.append(_el("w:rStyle", val=style_ref))
            r.append(rpr)
            r.append(_el("w:footnoteRef"))
            p.append(r)
            tr = _el("w:r")
            tr.append(_el("w:tab"))
            t = _el("w:t")
            t.text = text
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            tr.append(t)
            p.append(tr)
            fn.append(p)
            root.append(fn)
        package = self.d.part.package
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, root, package)
        self.d.part.relate_to(part, RT.FOOTNOTES)
        pr = _el("w:footnotePr")
        pr.append(_el("w:footnote", id="-1"))
        pr.append(_el("w:footnote", id="0"))
        _put(self.d.settings.element, pr, _SEQ_SETTINGS_TAIL)


@cache
def _area_names(codes: tuple[str, ...], lang: str) -> tuple[str, ...]:
    """Names with their M49 codes ("Nigeria (566)"); a code the catalogue lacks as is."""
    from urbanagenda.errors import DataError
    from urbanagenda.model.areas import load_areas

    areas = load_areas()
    out = []
    for code in codes:
        try:
            name = areas.name(code, lang)
        except (DataError, KeyError):
            out.append(code)
            continue
        out.append(f"{name}（{code}）" if lang == "zh" else f"{name} ({code})")
    return tuple(out)


def _letter(i: int) -> str:
    """a … z, aa, bb … as UN reports letter sub-paragraphs."""
    return chr(ord("a") + i % 26) * (i // 26 + 1)
