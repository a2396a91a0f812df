"""The package-level parts of the DOCX rendering: document properties, page set-up,
styles and fonts, the cover, the table of contents field and the footnotes part."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from urbanagenda.synthesis.render._docx_base import (
    _LOCALE_TAGS,
    _SEQ_RPR_TAIL,
    _SEQ_SETTINGS_TAIL,
    _WORD_NAMES,
    EAST_ASIAN_FONTS,
    INDENT_CM,
    LATIN_FONT,
    MARGIN_CM,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    TEXT_WIDTH_CM,
    _el,
    _put,
    _WriterBase,
)

_GREY = RGBColor(0x59, 0x59, 0x59)


def _set_fonts(rpr: Any, east_asia: str) -> None:
    """Explicit fonts (no theme fonts, which would win over them)."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for a in ("ascii", "hAnsi", "cs"):
        rfonts.set(qn(f"w:{a}"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asia)


class _PartsMixin(_WriterBase):
    """Properties, page, styles, cover, contents and footnotes of the package."""

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
