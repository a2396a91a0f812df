"""The DOCX renderer: the sample documents rendered and read back with python-docx."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.document import Document, DocumentBuilder, Heading, Paragraph
from urbanagenda.synthesis.render.docx import EAST_ASIAN_FONTS, _years, render_docx
from urbanagenda.synthesis.text import Formatter, Phrases

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def en(sample_document: Document) -> bytes:
    return render_docx(sample_document)


@pytest.fixture(scope="module")
def zh(sample_document_zh: Document) -> bytes:
    return render_docx(sample_document_zh)


def _open(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def _body(d: Any) -> Iterator[DocxParagraph | DocxTable]:
    """Paragraphs and tables of the body in document order."""
    for child in d.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield DocxParagraph(child, d._body)
        elif child.tag == qn("w:tbl"):
            yield DocxTable(child, d._body)


def _texts(d: Any) -> list[str]:
    out: list[str] = []
    for item in _body(d):
        if isinstance(item, DocxParagraph):
            out.append(item.text)
        else:
            out.extend(c.text for row in item.rows for c in row.cells)
    return out


def _footnotes_part(d: Any) -> Any:
    return d.part.part_related_by(RT.FOOTNOTES)


def _footnote_texts(d: Any) -> dict[int, str]:
    root = parse_xml(_footnotes_part(d).blob)
    return {
        int(fn.get(qn("w:id"))): "".join(t.text or "" for t in fn.iter(qn("w:t"))).strip()
        for fn in root.findall(qn("w:footnote"))
        if fn.get(qn("w:type")) is None
    }


def _label_text(h: Heading) -> str:
    if h.label and h.level < 3:
        return f"{h.label}\t{h.text}"
    return f"{h.label} {h.text}".strip()


# -- structure ---------------------------------------------------------------------------
def test_headings_are_word_headings_in_order(en: bytes, sample_document: Document) -> None:
    d = _open(en)
    got = [(p.style.name, p.text) for p in d.paragraphs if p.style.name.startswith("Heading")]
    want = [
        (f"Heading {b.level}", _label_text(b))
        for b in sample_document.blocks
        if isinstance(b, Heading)
    ]
    sources = Phrases("en", "common").t("sources")
    assert got == [*want, ("Heading 1", sources)]
    assert want[1] == ("Heading 1", "II.\tProgress towards the targets")
    assert want[2] == ("Heading 2", "A.\tHousing and slums")
    # built-in styles with their outline levels: the navigation pane and TOC see them
    for level in (1, 2, 3):
        style = d.styles[f"Heading {level}"]
        assert style.element.find(qn("w:name")).get(qn("w:val")) == f"heading {level}"
        lvl = style.element.find(qn("w:pPr")).find(qn("w:outlineLvl"))
        assert lvl.get(qn("w:val")) == str(level - 1)


def test_cover_page(en: bytes, sample_document: Document) -> None:
    d = _open(en)
    paras = d.paragraphs
    title = next(p for p in paras if p.style.name == "Title")
    assert title.text == sample_document.title
    assert next(p for p in paras if p.style.name == "Subtitle").text == sample_document.subtitle
    assert paras[0].text == sample_document.symbol
    texts = [p.text for p in paras[:12]]
    for key, value in sample_document.meta.items():
        assert f"{key}: {value}" in texts
    assert sample_document.generated_at is not None
    at = sample_document.generated_at.astimezone(UTC).replace(tzinfo=None)
    assert f"Generated: {Formatter('en').datetime(at)} UTC" in texts
    # the cover ends with a page break and carries no page number (first-page footer)
    assert any(br.get(qn("w:type")) == "page" for br in paras[7]._p.iter(qn("w:br")))
    assert d.sections[0].different_first_page_header_footer
    footer = d.sections[0].footer._element
    assert any("PAGE" in f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple")))
    props = d.core_properties
    assert props.title == sample_document.title
    assert props.language == "en-GB"
    assert props.created.replace(tzinfo=None) == sample_document.generated_at.replace(tzinfo=None)


def test_contents_field_lists_and_links_the_headings(en: bytes, sample_document: Document) -> None:
    d = _open(en)
    body = d.element.body
    instr = [t.text for t in body.iter(qn("w:instrText"))]
    assert instr == [' TOC \\o "1-2" \\h \\z \\u ']
    kinds = [f.get(qn("w:fldCharType")) for f in body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    entries = [p for p in d.paragraphs if p.style.name.startswith("toc ")]
    want = [_label_text(h) for h in sample_document.headings(2)]
    assert [p.text for p in entries] == [*want, "Sources"]
    assert [p.style.name for p in entries][:3] == ["toc 1", "toc 1", "toc 2"]
    bookmarks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    for p in entries:
        (link,) = p._p.findall(qn("w:hyperlink"))
        assert link.get(qn("w:anchor")) in bookmarks
    same = [p.style.name for p in d.paragraphs if p.text == "I.\tIntroduction"]
    assert same == ["toc 1", "Heading 1"]
    contents = next(p for p in d.paragraphs if p.style.name == "TOC Heading")
    assert contents.text == "Contents"


def test_paragraphs_are_numbered_with_a_hanging_indent(
    en: bytes, sample_document: Document
) -> None:
    d = _open(en)
    numbered = [p for p in d.paragraphs if p.text[:1].isdigit() and ".\t" in p.text[:5]]
    model = [p for p in sample_document.paragraphs() if p.number is not None]
    assert [p.text.split(".\t", 1)[0] for p in numbered] == [str(p.number) for p in model]
    for p, m in zip(numbered, model, strict=True):
        assert p.text.split(".\t", 1)[1].startswith(m.text[:30])
        pf = p.paragraph_format
        assert round(pf.left_indent.cm, 2) == 1.0 == -round(pf.first_line_indent.cm, 2)
    # the sources of each paragraph follow it, each key linking to the sources table
    assert numbered[1].text.endswith("(Sources: S1, S4)")
    anchors = [h.get(qn("w:anchor")) for h in numbered[1]._p.iter(qn("w:hyperlink"))]
    assert anchors == ["src_S1", "src_S4"]
    # the ordered list is lettered as UN reports do
    items = [p.text for p in d.paragraphs if p.text.startswith("(")]
    assert [i[:4] for i in items] == ["(a)\t", "(b)\t", "(c)\t"]


def test_real_footnotes(en: bytes, sample_document: Document) -> None:
    d = _open(en)
    part = _footnotes_part(d)
    assert (
        part.content_type
        == CT.WML_FOOTNOTES
        == ("application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml")
    )
    assert str(part.partname) == "/word/footnotes.xml"
    root = parse_xml(part.blob)
    assert root.tag == qn("w:footnotes")
    seps = {fn.get(qn("w:type")): fn.get(qn("w:id")) for fn in root if fn.get(qn("w:type"))}
    assert seps == {"separator": "-1", "continuationSeparator": "0"}
    notes = _footnote_texts(d)
    assert list(notes.values()) == [f.text for f in sample_document.footnotes]
    refs = [int(r.get(qn("w:id"))) for r in d.element.body.iter(qn("w:footnoteReference"))]
    assert refs == sorted(notes) == [1, 2, 3]
    # the reference sits in the sentence where the model puts it, in the reference style
    p2 = next(p for p in d.paragraphs if p.text.startswith("2.\t"))
    runs = list(p2._p.iter(qn("w:r")))
    ref_run = next(r for r in runs if r.find(qn("w:footnoteReference")) is not None)
    style_id = ref_run.find(qn("w:rPr")).find(qn("w:rStyle")).get(qn("w:val"))
    style = d.styles.get_by_id(style_id, WD_STYLE_TYPE.CHARACTER)
    assert style.name == "footnote reference" and style.font.superscript
    before = "".join(t.text for r in runs[: runs.index(ref_run)] for t in r.iter(qn("w:t")))
    assert before.endswith("24.8 % in 2022")
    settings = d.settings.element
    (pr,) = settings.findall(qn("w:footnotePr"))
    assert [f.get(qn("w:id")) for f in pr] == ["-1", "0"]
    assert pr.getnext().tag == qn("w:compat")  # schema position in w:settings


def test_table(en: bytes, sample_document: Document) -> None:
    d = _open(en)
    body: list[Any] = list(_body(d))
    model = sample_document.tables()[0]
    idx = next(
        i
        for i, b in enumerate(body)
        if isinstance(b, DocxTable) and b.rows[0].cells[0].text == model.header[0]
    )
    table: Any = body[idx]
    caption: Any = body[idx - 1]
    assert caption._p.tag == qn("w:p") and table._tbl.tag == qn("w:tbl")
    assert caption.style.name == "Caption"
    assert caption.text == f"Table 1. {model.caption}"
    assert [c.text for c in table.rows[0].cells] == list(model.header)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == [
        [c.text for c in row] for row in model.rows
    ]
    # numbers right-aligned, text left
    world = table.rows[1].cells
    assert world[1].text == "24.2"
    assert world[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert world[0].paragraphs[0].alignment is None
    # status cells: shaded in the status colour, the label kept
    for row, cells in zip(table.rows[1:], model.rows, strict=True):
        status = cells[3].status
        assert status is not None
        shd = row.cells[3]._tc.tcPr.find(qn("w:shd"))
        assert shd.get(qn("w:fill")) == charts.STATUS_COLOURS[status].lstrip("#").upper()
        assert row.cells[3].text == cells[3].text
    # notes and sources below
    assert body[idx + 1].text == f"Note: {model.notes[0]}"
    assert body[idx + 2].text == "Sources: S1, S2"


def test_figures_are_pictures_with_alt_text(en: bytes, sample_document: Document) -> None:
    d = _open(en)
    shapes = d.inline_shapes
    figures = sample_document.figures()
    assert len(shapes) == len(figures) == 2
    for shape, fig in zip(shapes, figures, strict=True):
        assert shape._inline.docPr.get("descr") == fig.alt
        assert abs(shape.width - Cm(min(fig.width_cm, 16.0))) < Cm(0.01)
        assert shape.height > 0
    with zipfile.ZipFile(io.BytesIO(en)) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(images) == 2
        assert all(z.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in images)
    captions = [p.text for p in d.paragraphs if p.text.startswith("Figure ")]
    assert captions == [f"Figure {f.number}. {f.caption}" for f in figures]
    # the caption follows its picture
    paras = d.paragraphs
    pic = next(i for i, p in enumerate(paras) if p._p.find(".//" + qn("w:drawing")) is not None)
    assert paras[pic + 1].text == captions[0]


def test_notice_is_a_shaded_box(en: bytes, sample_document: Document) -> None:
    d = _open(en)
    notice = d.tables[0]
    assert len(notice.rows) == 1 and len(notice.columns) == 1
    assert "disponible en français" in notice.cell(0, 0).text
    assert notice.cell(0, 0)._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "E8F0FB"


def test_sources_table(en: bytes, sample_document: Document) -> None:
    d = _open(en)
    table = d.tables[-1]
    p = Phrases("en", "common")
    keys = (
        "source_key",
        "source_title",
        "source_detail",
        "source_series",
        "source_areas",
        "source_years",
        "source_used_by",
    )
    assert [c.text for c in table.rows[0].cells] == [p.t(k) for k in keys]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert list(rows) == list(sample_document.sources) == ["S1", "S2", "S3", "S4", "S5"]
    s1 = sample_document.sources["S1"]
    assert rows["S1"][1] == s1.title and rows["S1"][2] == s1.detail
    assert rows["S1"][3] == "EN_LND_SLUM"
    assert rows["S1"][5] == "2015, 2018, 2020–2022"
    # cited in: paragraphs by number, tables and figures by caption number
    assert rows["S1"][6] == "para. 2, Table 1, Figure 1, Figure 2"
    assert rows["S4"][6] == "para. 2, list after para. 2"
    assert rows["S1"][4] == "World (1), Sub-Saharan Africa (202), Kenya (404), Nigeria (566)"
    assert rows["S5"][1].endswith("<https://population.un.org/wup/>")
    # every internal link lands on a bookmark, and bookmark names are unique
    body = d.element.body
    names = [b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))]
    assert len(names) == len(set(names))
    assert all(len(n) <= 40 for n in names)
    anchors = {h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink"))}
    assert anchors <= set(names)
    assert {f"src_{k}" for k in rows} <= anchors


def test_numbers_in_document_order(en: bytes, sample_numbers: dict[str, list[str]]) -> None:
    text = "\n".join(_texts(_open(en)))
    pos = 0
    for number in sample_numbers["en"]:
        found = text.find(number, pos)
        assert found >= 0, f"{number!r} missing after position {pos}"
        pos = found


# -- Chinese ------------------------------------------------------------------------------
def test_chinese_text_and_labels(
    zh: bytes, sample_document_zh: Document, zh_sentence: str, sample_numbers: dict[str, Any]
) -> None:
    d = _open(zh)
    texts = _texts(d)
    text = "\n".join(texts)
    assert zh_sentence in text
    pos = 0
    for number in sample_numbers["zh"]:
        pos = text.find(number, pos)
        assert pos >= 0, number
    model = sample_document_zh.tables()[0]
    assert f"表 1 {model.caption}" in texts
    assert f"图 2 {sample_document_zh.figures()[1].caption}" in texts
    assert "资料来源：S1、S2" in texts
    assert next(p.text for p in d.paragraphs if p.style.name == "TOC Heading") == "目录"
    assert any(t.startswith("3.\t" + zh_sentence) and t.endswith("（资料来源：S3）") for t in texts)
    assert d.tables[-1].rows[0].cells[6].text == "引用位置"
    assert d.tables[-1].rows[1].cells[6].text == "第2段、表 1、图 1、图 2"
    assert list(_footnote_texts(d).values()) == [f.text for f in sample_document_zh.footnotes]
    assert d.core_properties.language == "zh-CN"
    assert d.core_properties.title == sample_document_zh.title


def test_chinese_fonts_and_language(zh: bytes, en: bytes) -> None:
    body_font, heading_font = EAST_ASIAN_FONTS
    for data, lang in ((zh, "zh-CN"), (en, None)):
        d = _open(data)
        styles = d.styles.element
        rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == body_font
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override it
        east_asian_lang = rpr.find(qn("w:lang")).get(qn("w:eastAsia"))
        assert (east_asian_lang == "zh-CN") is (lang == "zh-CN")
        normal = d.styles["Normal"].element.rPr.find(qn("w:rFonts"))
        assert normal.get(qn("w:eastAsia")) == body_font
        for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
            rfonts = d.styles[name].element.rPr.find(qn("w:rFonts"))
            assert rfonts.get(qn("w:eastAsia")) == heading_font, name
            assert rfonts.get(qn("w:ascii")) == "Times New Roman"
    zh_settings = _open(zh).settings.element.find(qn("w:themeFontLang"))
    assert zh_settings.get(qn("w:eastAsia")) == "zh-CN"


# -- edge cases ----------------------------------------------------------------------------
def test_a_document_without_notes_sources_or_headings() -> None:
    doc = Document(kind="national", lang="en", requested_lang="en", title="Draft")
    DocumentBuilder(doc).para("No data yet.")
    d = _open(render_docx(doc))
    assert any(p.text == "1.\tNo data yet." for p in d.paragraphs)
    assert RT.FOOTNOTES not in {r.reltype for r in d.part.rels.values()}
    assert d.tables == []
    kinds = [f.get(qn("w:fldCharType")) for f in d.element.body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]  # an empty contents field Word fills


def test_repeated_ids_and_unnumbered_paragraphs() -> None:
    doc = Document(kind="synthesis", lang="en", requested_lang="en", title="T")
    b = DocumentBuilder(doc)
    s = b.source("external", "Somewhere")
    b.heading(1, "Sources", id="sources")  # the same id the sources heading would get
    b.para("Unnumbered.", numbered=False, sources=[s])
    b.para(["Twice", b.note("once"), " and", b.note("twice")])
    d = _open(render_docx(doc))
    names = [x.get(qn("w:name")) for x in d.element.body.iter(qn("w:bookmarkStart"))]
    assert len(names) == len(set(names))
    assert any(p.text == "Unnumbered. (Sources: S1)" for p in d.paragraphs)
    assert d.tables[-1].rows[1].cells[6].text == "Sources"  # cited in: its section
    assert list(_footnote_texts(d).values()) == ["once", "twice"]
    assert isinstance(doc.blocks[1], Paragraph)


def test_years() -> None:
    assert _years([2022, 2015, 2018, 2020, 2021]) == "2015, 2018, 2020–2022"
    assert _years([2020, 2021]) == "2020, 2021"
    assert _years([]) == ""


def test_inserted_properties_are_in_schema_order(en: bytes) -> None:
    """The elements the renderer writes itself sit where ECMA-376 puts them (Word refuses
    a document whose property elements are out of order)."""
    from urbanagenda.synthesis.render import docx as mod

    d = _open(en)

    def in_order(parent: Any, seq: tuple[str, ...]) -> None:
        known = [qn(t) for t in seq]
        positions = [known.index(c.tag) for c in parent if c.tag in known]
        assert positions == sorted(positions), [c.tag for c in parent]

    body = d.element.body
    for tcpr in body.iter(qn("w:tcPr")):
        in_order(tcpr, mod._SEQ_TCPR)
    for trpr in body.iter(qn("w:trPr")):
        in_order(trpr, mod._SEQ_TRPR)
    for tblpr in body.iter(qn("w:tblPr")):
        in_order(tblpr, mod._SEQ_TBLPR)
    in_order(d.settings.element, ("w:savePreviewPicture", *mod._SEQ_SETTINGS_TAIL))
    rpr = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))[0]
    in_order(rpr, ("w:rFonts", "w:sz", "w:szCs", *mod._SEQ_RPR_TAIL))
