"""The HTML and PDF renderers of the generated reports, on the sample documents.

Each rendering is made once per module (the English sample's world map costs a second or
two to draw); the tests read it with html5lib (strict: any parse error fails) and pypdf.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element

import html5lib
import pypdf
import pytest

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.document import Document, DocumentBuilder, Figure
from urbanagenda.synthesis.render.html import chart_svg, render_html
from urbanagenda.synthesis.render.pdf import render_pdf

SVG_NS = "{http://www.w3.org/2000/svg}"


# -- renderings, once per module --------------------------------------------------------
@pytest.fixture(scope="module")
def html_en(sample_document: Document) -> str:
    return render_html(sample_document)


@pytest.fixture(scope="module")
def html_zh(sample_document_zh: Document) -> str:
    return render_html(sample_document_zh)


@pytest.fixture(scope="module")
def pdf_en(sample_document: Document) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(render_pdf(sample_document)))


@pytest.fixture(scope="module")
def pdf_zh(sample_document_zh: Document) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(render_pdf(sample_document_zh)))


_parsed: dict[int, Element] = {}


def parse(html: str) -> Element:
    """Parse strictly: html5lib raises on the first parse error (each page parsed once;
    the tests only read the tree)."""
    key = hash(html)
    if key not in _parsed:
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        _parsed[key] = parser.parse(html)
    return _parsed[key]


def walk(root: Element) -> Iterator[Element]:
    yield from root.iter()


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def text_of(el: Element) -> str:
    return "".join(el.itertext())


def find_all(root: Element, tag: str, cls: str | None = None) -> list[Element]:
    return [
        e
        for e in walk(root)
        if isinstance(e.tag, str)
        and local(e.tag) == tag
        and (cls is None or cls in (e.get("class") or "").split())
    ]


def by_id(root: Element, ident: str) -> Element:
    hits = [e for e in walk(root) if e.get("id") == ident]
    assert len(hits) == 1, ident
    return hits[0]


def in_order(text: str, items: list[str]) -> None:
    pos = 0
    for item in items:
        at = text.find(item, pos)
        assert at >= 0, f"{item!r} missing (or out of order) after position {pos}"
        pos = at + len(item)


def numbers_of(doc: Document) -> set[str]:
    return set(re.findall(r"\d[\d,.]*\d|\d", doc.plain_text()))


def pdf_text(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


# -- HTML --------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "lang"), [("html_en", "en"), ("html_zh", "zh-Hans")])
def test_html_is_valid_html5_with_the_text_language(
    name: str, lang: str, request: pytest.FixtureRequest
) -> None:
    html = request.getfixturevalue(name)
    assert html.startswith("<!DOCTYPE html>")
    root = parse(html)
    # the English sample was asked for in French: it is marked as the English it is
    assert root.get("lang") == lang
    assert text_of(find_all(root, "title")[0]).startswith(("Progress", "实现"))


@pytest.mark.parametrize("name", ["html_en", "html_zh"])
def test_ids_are_unique_and_every_internal_link_has_a_target(
    name: str, request: pytest.FixtureRequest
) -> None:
    root = parse(request.getfixturevalue(name))
    ids = [e.get("id") for e in walk(root) if e.get("id")]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    hrefs = [e.get("href") for e in walk(root) if e.get("href")]
    assert hrefs
    for href in hrefs:
        assert href.startswith("#"), href
        assert href[1:] in ids, href
    # SVG paint servers referenced by url(#…) exist too (prefixed per figure)
    html = request.getfixturevalue(name)
    for ref in re.findall(r"url\(#([^)]+)\)", html):
        assert ref in ids


@pytest.mark.parametrize("name", ["html_en", "html_zh"])
def test_html_makes_no_request(name: str, request: pytest.FixtureRequest) -> None:
    html = request.getfixturevalue(name)
    root = parse(html)
    assert not find_all(root, "script")
    assert not find_all(root, "link")
    assert not find_all(root, "img")  # charts are inline SVG
    for el in walk(root):
        for attr, value in el.attrib.items():
            if local(attr) in ("src", "href", "srcset", "action", "poster", "data"):
                assert value.startswith("#"), (attr, value)
    for style in find_all(root, "style"):
        css = text_of(style)
        assert "@import" not in css
        assert not re.search(r"url\((?!#)", css)
    # the external source's address is printed as text, not linked
    assert "https://population.un.org/wup/" in text_of(root) or name == "html_zh"


def test_every_number_of_the_document_appears_in_order(
    html_en: str,
    html_zh: str,
    sample_document: Document,
    sample_document_zh: Document,
    sample_numbers: dict[str, list[str]],
) -> None:
    for html, doc in ((html_en, sample_document), (html_zh, sample_document_zh)):
        main = find_all(parse(html), "main")[0]
        text = text_of(main)
        in_order(text, sample_numbers[doc.lang])
        everything = text_of(parse(html))
        missing = {n for n in numbers_of(doc) if n not in everything}
        assert not missing


def test_cover_contents_and_notice(html_en: str, sample_document: Document) -> None:
    root = parse(html_en)
    cover = by_id(root, "cover")
    assert text_of(find_all(cover, "h1")[0]) == sample_document.title
    assert sample_document.subtitle in text_of(cover)
    assert "SDG11/2025/1" in text_of(cover)
    assert "15 January 2025, 10:30 UTC" in text_of(cover)
    meta = {
        text_of(dt): text_of(dd)
        for dt, dd in zip(find_all(cover, "dt"), find_all(cover, "dd"), strict=True)
    }
    assert meta["Data version"] == "2024.1"
    # contents: chapters and sections (levels 1-2), not sub-sections
    toc = [a.get("href") for a in find_all(find_all(root, "nav")[0], "a")]
    assert toc == ["#introduction", "#progress", "#slums", "#finance"]
    assert "Trends since 2015" in text_of(by_id(root, "trends"))
    assert by_id(root, "slums").tag == "h3" and by_id(root, "trends").tag == "h4"
    notice = find_all(root, "aside", "notice")[0]
    assert "présenté en anglais" in text_of(notice)
    assert notice.get("role") == "note"


def test_numbered_paragraphs_footnotes_and_citations(html_en: str) -> None:
    root = parse(html_en)
    paras = find_all(root, "p", "numbered")
    assert [text_of(find_all(p, "span", "pnum")[0]) for p in paras] == ["1.", "2.", "3.", "4."]
    p2 = by_id(root, "p2")
    assert text_of(p2).startswith("2.The proportion")
    mark = find_all(p2, "sup", "fnref")[0]
    assert mark.get("id") == "fnref-2"
    assert find_all(mark, "a")[0].get("href") == "#fn-2"
    note = by_id(root, "fn-2")
    assert "household surveys" in text_of(note)
    assert find_all(note, "a", "back")[0].get("href") == "#fnref-2"
    cite = find_all(p2, "span", "cite")[0]
    assert text_of(cite) == "Sources: S1, S4"
    assert [a.get("href") for a in find_all(cite, "a")] == ["#source-S1", "#source-S4"]
    lettered = find_all(root, "ol", "lettered")[0]
    assert len(find_all(lettered, "li")) == 3


def test_tables_caption_numbers_and_status(html_en: str) -> None:
    root = parse(html_en)
    block = by_id(root, "table-1")
    caption = text_of(find_all(block, "caption")[0])
    assert caption.startswith("Table 1. Proportion of the urban population")
    header = [text_of(th) for th in find_all(find_all(block, "thead")[0], "th")]
    assert header == ["Region", "2015", "2022", "Status"]
    rows = find_all(find_all(block, "tbody")[0], "tr")
    world = rows[0]
    assert text_of(world[0]) == "World" and world[0].tag == "th"
    assert world[1].get("class") == "num" and text_of(world[1]) == "24.2"
    # status: a colour swatch AND the words (never colour alone)
    status = world[3]
    assert "status-deterioration" in status.get("class", "")
    assert find_all(status, "span", "swatch")
    assert text_of(status).strip() == "Deterioration"
    css = text_of(find_all(root, "style")[0])
    colour = charts.STATUS_COLOURS["deterioration"]
    assert f".status-deterioration .swatch {{ background-color: {colour}; }}" in css
    assert "Status against the 2030 target." in text_of(block)
    assert text_of(find_all(block, "p", "cite")[0]) == "Sources: S1, S2"


def test_figures_are_accessible_inline_svg(html_en: str, sample_document: Document) -> None:
    root = parse(html_en)
    for fig in sample_document.figures():
        el = by_id(root, fig.id)
        assert text_of(find_all(el, "figcaption")[0]).startswith(f"Figure {fig.number}. ")
        svg = next(e for e in walk(el) if e.tag == f"{SVG_NS}svg")
        assert svg.get("role") == "img"
        assert svg.get("aria-label") == fig.alt
        details = find_all(el, "details")[0]
        assert text_of(find_all(details, "summary")[0]) == "Data description"
        assert fig.alt in text_of(details)
    # the map is drawn: country shapes and the legend
    world_map = by_id(root, "figure-2")
    assert len([e for e in walk(world_map) if e.tag == f"{SVG_NS}path"]) > 100


def test_table_of_sources_with_back_links(html_en: str, sample_document: Document) -> None:
    root = parse(html_en)
    section = by_id(root, "sources")
    rows = find_all(find_all(section, "tbody")[0], "tr")
    assert [r.get("id") for r in rows] == [f"source-{k}" for k in sample_document.sources]
    s1 = by_id(root, "source-S1")
    cells = [text_of(c) for c in s1]
    assert cells[0] == "S1"
    assert "Data series" in cells[1]
    assert "EN_LND_SLUM" in cells[3]
    assert "Nigeria (566)" in cells[4]
    assert cells[5] == "2015, 2018, 2020–2022"
    assert [a.get("href") for a in find_all(s1, "a")] == [
        f"#{b}" for b in sample_document.sources["S1"].used_by
    ]
    assert cells[6] == "para. 2, Table 1, Figure 1, Figure 2"
    s4 = by_id(root, "source-S4")
    assert text_of(s4[-1]) == "para. 2, list after para. 2"


def test_chinese_labels(html_zh: str) -> None:
    root = parse(html_zh)
    text = text_of(root)
    assert "表 1 按区域分列" in text
    assert "图 2 按国家分列" in text
    assert "资料来源：S1、S4" in text
    assert "第2段、表 1、图 1、图 2" in text
    assert "2023 年，所有收入来源的总收入比上一年增加 13%，达到 2.23 亿美元" in text
    assert text_of(find_all(root, "nav")[0]).strip().startswith("目录")


def _small_doc(**kw: str) -> DocumentBuilder:
    return DocumentBuilder(Document(kind="national", lang="en", requested_lang="en", **kw))


def test_text_is_escaped_and_a_note_called_twice_links_back_to_both_calls() -> None:
    b = _small_doc(title="<b>Title</b> & co")
    note = b.note("See <here>.")
    b.para(["A <script>alert(1)</script> paragraph", note])
    b.para(["Again", note], numbered=False)
    html = render_html(b.doc)
    assert "<script>" not in html and "&lt;script&gt;" in html
    root = parse(html)
    assert text_of(find_all(root, "title")[0]) == "<b>Title</b> & co"
    assert not find_all(root, "nav")  # no headings, no contents
    refs = [e.get("id") for e in find_all(root, "sup", "fnref")]
    assert refs == ["fnref-1", "fnref-1-2"]
    backs = [a.get("href") for a in find_all(by_id(root, "fn-1"), "a", "back")]
    assert backs == ["#fnref-1", "#fnref-1-2"]


def test_many_areas_by_code_and_wide_tables() -> None:
    b = _small_doc(title="Codes")
    codes = ["100", "4", "12", "8", "840", "566", "404", "76", "36", "250", "276", "392"]
    key = b.source("series", "Series", series_code="X", areas=codes, years=[2019, 2021])
    b.table("Wide", [f"C{i}" for i in range(8)], [[str(i) for i in range(8)]], sources=[key])
    b.table("Narrow", ["A", "B"], [["a", "b"]], sources=[key])
    root = parse(render_html(b.doc))
    cells = [text_of(c) for c in by_id(root, "source-S1")]
    assert cells[4] == ("12 areas (M49 codes): 4, 8, 12, 36, 76, 100, 250, 276, 392, 404, 566, 840")
    assert cells[5] == "2019, 2021"
    assert cells[6] == "Table 1, Table 2"
    tables = find_all(root, "table", "data")
    assert ["wide" in (t.get("class") or "") for t in tables] == [True, False]


def test_chart_ids_are_prefixed_per_figure(sample_document: Document) -> None:
    world_map = sample_document.figures()[1]
    twin = Figure(**{**world_map.__dict__, "id": "figure-9"})
    a, b = chart_svg(world_map), chart_svg(twin)
    ids_a = set(re.findall(r' id="([^"]+)"', a))
    ids_b = set(re.findall(r' id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    assert all(i.startswith("figure-2-") for i in ids_a)
    # coordinates are rounded to a tenth of a pixel
    assert not re.search(r' d="[^"]*\d\.\d\d', a)


# -- PDF ---------------------------------------------------------------------------------
def test_pdf_has_the_numbers_and_labels_in_order(
    pdf_en: pypdf.PdfReader, sample_numbers: dict[str, list[str]]
) -> None:
    text = pdf_text(pdf_en)
    in_order(
        text,
        ["Contents", "Introduction", "Table 1.", "Figure 1.", "Figure 2.", "Financing", "Sources"],
    )
    flat = " ".join(text.split())
    in_order(flat, sample_numbers["en"])
    # the notes are listed after the text, before the sources
    in_order(
        flat,
        [
            "to report on all targets by 2030",
            "Notes",
            "The regional groupings",
            "Unaudited",
            "Sources",
        ],
    )


def test_pdf_metadata_page_size_and_running_title(
    pdf_en: pypdf.PdfReader, pdf_zh: pypdf.PdfReader
) -> None:
    for reader, lang, title in (
        (pdf_en, "en", "Progress towards Sustainable Development Goal 11"),
        (pdf_zh, "zh-Hans", "实现可持续发展目标 11 的进展"),
    ):
        assert reader.metadata is not None and reader.metadata.title == title
        assert reader.trailer["/Root"]["/Lang"] == lang
        box = reader.pages[0].mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
            210,
            297,
        )
        pages = len(reader.pages)
        assert pages > 1
        last = reader.pages[-1].extract_text()
        assert f"{pages} / {pages}" in last
        assert title in reader.pages[1].extract_text()  # the running title


def _embedded_fonts(reader: pypdf.PdfReader) -> dict[str, set[str]]:
    fonts: dict[str, set[str]] = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            files = {k for k in (desc.get_object() if desc else {}) if k.startswith("/FontFile")}
            fonts.setdefault(str(font["/BaseFont"]), set()).update(files)
    return fonts


def test_chinese_pdf_embeds_a_cjk_font(
    pdf_zh: pypdf.PdfReader, zh_sentence: str, sample_numbers: dict[str, list[str]]
) -> None:
    text = pdf_text(pdf_zh)
    squeeze = "".join(text.split())
    assert "".join(zh_sentence.split()) in squeeze
    in_order(squeeze, ["".join(n.split()) for n in sample_numbers["zh"]])
    assert "表 1" in text and "资料来源" in text
    cjk = {
        name: files
        for name, files in _embedded_fonts(pdf_zh).items()
        if re.search(r"WenQuanYi|CJK|Source-?Han|SimSun", name)
    }
    assert cjk, _embedded_fonts(pdf_zh)
    assert all(files & {"/FontFile2", "/FontFile3"} for files in cjk.values())


def test_long_document_pages_and_notes(caplog: pytest.LogCaptureFixture) -> None:
    b = _small_doc(title="A long draft")
    b.heading(1, "Chapter", "I.")
    shared = None
    for i in range(1, 31):
        note = b.note(f"Note {i}.")
        shared = shared or note
        b.para([f"Paragraph {i} " + "with words to fill the lines " * 12, note, shared])
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        reader = pypdf.PdfReader(io.BytesIO(render_pdf(b.doc)))
    assert not caplog.records  # WeasyPrint understood every rule of the style sheet
    pages = len(reader.pages)
    assert pages > 2
    text = " ".join(pdf_text(reader).split())
    in_order(text, ["Paragraph 1 ", "Paragraph 30 ", "Notes", "Note 1.", "Note 2.", "Note 30."])
    # the running title on every page but the first, and "n / N" at the foot of each
    for n, page in enumerate(reader.pages, 1):
        page_text = page.extract_text()
        assert f"{n} / {pages}" in page_text
        # page 1 shows the title once (the cover), the others once (the running title)
        assert page_text.count("A long draft") == 1
