"""A generated report as one standalone HTML5 file (and the HTML the PDF is printed from).

The file makes no request of its own: the style sheet (``report.css``) is inline, charts are
inline SVG drawn offline by :func:`urbanagenda.synthesis.charts.to_svg`, there is no script,
and a URL a source names is printed as text, never linked.  Every link is internal: the table
of contents to the headings, footnote marks to the notes and back, each block's "Sources: S1,
S3" to the table of sources, and each source's "Cited in" back to the blocks.

Labels ("Table", "Figure", "Sources" …) come from ``phrases/common.yaml`` in the document's
language (``Document.labels`` overrides them).  :func:`render_html` with ``for_print=True``
is the variant :mod:`.pdf` prints: each chart as wide as the builder asked, maps as PNG.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.document import (
    Cell,
    Document,
    Figure,
    Heading,
    Inline,
    List,
    Paragraph,
    Run,
    Source,
    Table,
)
from urbanagenda.synthesis.text import REPORT_LANGUAGES, Formatter, Phrases, area_labels

__all__ = ["HTML_LANG", "chart_png_img", "chart_svg", "is_map", "render_html"]

#: ``<html lang>`` per text language (BCP 47: Chinese is written in simplified characters).
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
#: Areas listed by name in the table of sources; more are listed by code.
_MAX_NAMED_AREAS = 8
#: Maps are printed as PNG at this scale of their pixel size (632 px at 16 cm: 200 dpi).
PRINT_MAP_SCALE = 2.0


def render_html(doc: Document, *, for_print: bool = False) -> str:
    """The document as one standalone HTML5 page (``for_print``: the variant the PDF is
    printed from — charts at their print width, maps as PNG)."""
    view = _View.of(doc, for_print)
    return (
        _env()
        .get_template("report.html.j2")
        .render(doc=doc, v=view, L=view.labels, css=Markup(_css()), print=for_print)
    )


# -- charts ----------------------------------------------------------------------------
_NUMBER = re.compile(r"-?\d+\.\d{2,}")
_PATH_DATA = re.compile(r' (d|transform|points)="([^"]*)"')
_ID = re.compile(r' id="([^"]+)"')
_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


def _round(match: re.Match[str]) -> str:
    text = f"{float(match.group()):.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _simplify(svg: str) -> str:
    """Coordinates to a tenth of a pixel (a world map shrinks by a quarter; 0.1 px at 16 cm
    is 3 µm on paper)."""
    return _PATH_DATA.sub(lambda m: f' {m[1]}="{_NUMBER.sub(_round, m[2])}"', svg)


@lru_cache(maxsize=48)
def _drawn(spec_json: str) -> str:
    return _simplify(charts.to_svg(json.loads(spec_json)))


@lru_cache(maxsize=24)
def _painted(spec_json: str) -> bytes:
    return charts.to_png(json.loads(spec_json), scale=PRINT_MAP_SCALE)


def _spec_key(spec: Any) -> str:
    return json.dumps(spec, sort_keys=True, default=str)


def is_map(spec: Any) -> bool:
    """Whether a spec draws geographic shapes (a projection): a world map has some 5,000
    paths, which WeasyPrint takes seconds to draw, so the PDF prints maps as PNG."""
    return isinstance(spec, dict) and "projection" in spec


def chart_png_img(figure: Figure, *, width_cm: float) -> str:
    """The figure's chart as an ``<img>`` with a PNG data URL (the PDF's maps)."""
    data = base64.b64encode(_painted(_spec_key(figure.spec))).decode("ascii")
    alt = str(Markup.escape(figure.alt))
    return (
        f'<img class="chart" src="data:image/png;base64,{data}" alt="{alt}" '
        f'style="width: {width_cm:g}cm">'
    )


def chart_svg(figure: Figure, *, width_cm: float | None = None) -> str:
    """The figure's chart as inline SVG: ids prefixed with the figure's id (unique in the
    page), ``role="img"`` with the figure's text alternative as its accessible name.

    The drawing is cached per spec, so the HTML and the PDF of one report draw it once."""
    svg = _drawn(_spec_key(figure.spec))
    prefix = f"{figure.id or 'figure'}-"
    ids = set(_ID.findall(svg))
    for ident in ids:
        svg = (
            svg.replace(f' id="{ident}"', f' id="{prefix}{ident}"')
            .replace(f"url(#{ident})", f"url(#{prefix}{ident})")
            .replace(f'href="#{ident}"', f'href="#{prefix}{ident}"')
        )
    label = str(Markup.escape(figure.alt))
    style = f' style="width: {width_cm:g}cm"' if width_cm else ""

    def root(m: re.Match[str]) -> str:
        attrs = re.sub(r' (class|role|aria-[a-z]+)="[^"]*"', "", m[1])
        return f'<svg{attrs} class="chart" role="img" aria-label="{label}"{style}>'

    return _SVG_OPEN.sub(root, svg, count=1)


# -- the view the template reads -------------------------------------------------------
@dataclass
class _Text:
    """A piece of inline content: text (bold, italic) or a footnote mark."""

    text: str = ""
    bold: bool = False
    italic: bool = False
    note: int | None = None
    ref_id: str = ""  # the mark's id (the note links back to it)


@dataclass
class _TocEntry:
    heading: Heading
    children: list[_TocEntry] = field(default_factory=list)


@dataclass
class _Column:
    numeric: bool


@dataclass
class _SourceRow:
    source: Source
    kind: str
    areas: str
    years: str
    cited: list[tuple[str, str]]  # (block id, label)


@dataclass
class _View:
    doc: Document
    labels: dict[str, str]
    lang: str
    html_lang: str
    generated: str
    toc: list[_TocEntry]
    inlines: dict[str, list[list[_Text]]]  # block id -> runs (a paragraph: one list)
    columns: dict[str, list[_Column]]  # table id -> columns
    svgs: dict[str, Markup]
    sources: list[_SourceRow]
    note_backrefs: dict[int, list[str]]
    status_colours: dict[str, str]

    @classmethod
    def of(cls, doc: Document, for_print: bool) -> _View:
        lang = doc.lang if doc.lang in REPORT_LANGUAGES else "en"
        phrases = Phrases(lang, "common")
        labels = _labels(phrases, doc)
        notes = {f.number for f in doc.footnotes}
        inlines: dict[str, list[list[_Text]]] = {}
        backrefs: dict[int, list[str]] = {}
        for block in doc.blocks:
            if isinstance(block, Paragraph):
                inlines[block.id] = [_texts(block.inlines, backrefs, notes)]
            elif isinstance(block, List):
                inlines[block.id] = [_texts(it, backrefs, notes) for it in block.items]
        svgs = {
            f.id: Markup(
                chart_png_img(f, width_cm=f.width_cm)
                if for_print and is_map(f.spec)
                else chart_svg(f, width_cm=f.width_cm if for_print else None)
            )
            for f in doc.figures()
        }
        return cls(
            doc=doc,
            labels=labels,
            lang=lang,
            html_lang=HTML_LANG.get(doc.lang, doc.lang),
            generated=_generated(doc, lang),
            toc=_toc(doc.headings(2)),
            inlines=inlines,
            columns={t.id: _columns(t) for t in doc.tables()},
            svgs=svgs,
            sources=_source_rows(doc, phrases, labels),
            note_backrefs=backrefs,
            status_colours={_css_name(k): v for k, v in charts.STATUS_COLOURS.items()},
        )

    # helpers the template calls
    def cell_class(self, cell: Cell, column: _Column) -> str:
        classes = []
        if cell.align == "right" or (cell.align == "left" and column.numeric):
            classes.append("num")
        elif cell.align == "center":
            classes.append("center")
        if cell.status:
            classes.append(f"status status-{_css_name(cell.status)}")
        return " ".join(classes)

    def row_header(self, cell: Cell, index: int) -> bool:
        return index == 0 and cell.value is None and cell.status is None

    def table_caption(self, table: Table) -> str:
        return self.labels["table_n"].format(n=table.number)

    def figure_caption(self, figure: Figure) -> str:
        return self.labels["figure_n"].format(n=figure.number)

    def heading_tag(self, heading: Heading) -> str:
        return f"h{min(heading.level + 1, 6)}"


_LABEL_KEYS = [
    "table",
    "table_n",
    "figure",
    "figure_n",
    "contents",
    "notes",
    "sources",
    "source_key",
    "source_title",
    "source_detail",
    "source_used_by",
    "source_series",
    "source_areas",
    "source_years",
    "generated",
    "generated_by",
    "source_mark",
    "label_sep",
    "list_sep",
    "data_description",
    "back_to_text",
    "notice",
    "table_notes",
    "source_url",
    "page",
]


def _labels(phrases: Phrases, doc: Document) -> dict[str, str]:
    labels = {k: phrases.t(k) for k in _LABEL_KEYS}
    labels.update(doc.labels)
    return labels


def _css_name(code: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", code.lower())


def _texts(
    inlines: Sequence[Inline], backrefs: dict[int, list[str]], notes: set[int]
) -> list[_Text]:
    """The template's pieces of a run of inlines; a mark of a note the document does not
    have is left out (it would link nowhere)."""
    out: list[_Text] = []
    for i in inlines:
        if isinstance(i, Run):
            out.append(_Text(i.text, i.bold, i.italic))
        elif i.number in notes:
            refs = backrefs.setdefault(i.number, [])
            ref_id = f"fnref-{i.number}" + (f"-{len(refs) + 1}" if refs else "")
            refs.append(ref_id)
            out.append(_Text(note=i.number, ref_id=ref_id))
    return out


def _toc(headings: Sequence[Heading]) -> list[_TocEntry]:
    top: list[_TocEntry] = []
    for h in headings:
        if h.level > 1 and top:
            top[-1].children.append(_TocEntry(h))
        else:
            top.append(_TocEntry(h))
    return top


def _columns(table: Table) -> list[_Column]:
    cols = []
    for j in range(len(table.header)):
        cells = [r[j] for r in table.rows]
        numeric = bool(cells) and all(
            c.value is not None or c.align == "right" or c.text.strip() in ("", "…", "-", "..")
            for c in cells
        )
        numeric = numeric and any(c.value is not None or c.align == "right" for c in cells)
        cols.append(_Column(numeric))
    return cols


def _generated(doc: Document, lang: str) -> str:
    if doc.generated_at is None:
        return ""
    at = doc.generated_at
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
        return f"{Formatter(lang).datetime(at)} UTC"
    return Formatter(lang).datetime(at)


def _years(years: Sequence[int]) -> str:
    """2015, 2018, 2020–2022."""
    parts: list[str] = []
    for run in _runs(sorted(set(years))):
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
    return ", ".join(parts)


def _runs(values: list[int]) -> Iterator[list[int]]:
    run: list[int] = []
    for v in values:
        if run and v != run[-1] + 1:
            yield run
            run = []
        run.append(v)
    if run:
        yield run


def _areas(codes: Sequence[str], lang: str, phrases: Phrases) -> str:
    if not codes:
        return ""
    if len(codes) > _MAX_NAMED_AREAS:
        ordered = sorted(codes, key=lambda c: (not c.isdigit(), int(c) if c.isdigit() else 0, c))
        return phrases.t("areas_many", n=len(codes), codes=", ".join(ordered))
    names = area_labels(tuple(codes), lang)
    return phrases.t("list_sep").join(names)


def _block_labels(doc: Document, phrases: Phrases, labels: dict[str, str]) -> dict[str, str]:
    """What "Cited in" calls each block: "para. 12", "Table 2", "list after para. 4"."""
    out: dict[str, str] = {}
    last_para: int | None = None
    last_heading: Heading | None = None
    for block in doc.blocks:
        if isinstance(block, Heading):
            last_heading = block
        elif isinstance(block, Paragraph):
            if block.number is not None:
                last_para = block.number
                out[block.id] = phrases.t("cited_para", n=block.number)
            else:
                out[block.id] = _under(last_heading, last_para, phrases)
        elif isinstance(block, List):
            out[block.id] = (
                phrases.t("cited_list", n=last_para)
                if last_para is not None
                else _under(last_heading, None, phrases)
            )
        elif isinstance(block, Table):
            out[block.id] = labels["table_n"].format(n=block.number).rstrip(".")
        elif isinstance(block, Figure):
            out[block.id] = labels["figure_n"].format(n=block.number).rstrip(".")
    return out


def _under(heading: Heading | None, para: int | None, phrases: Phrases) -> str:
    if heading is not None:
        return f"{heading.label} {heading.text}".strip()
    if para is not None:
        return phrases.t("cited_para", n=para)
    return phrases.t("cited_text")


def _source_rows(doc: Document, phrases: Phrases, labels: dict[str, str]) -> list[_SourceRow]:
    names = _block_labels(doc, phrases, labels)
    lang = phrases.lang
    rows = []
    for src in doc.sources.values():
        rows.append(
            _SourceRow(
                source=src,
                kind=phrases.t(f"source_kind_{src.kind}"),
                areas=_areas(src.areas, lang, phrases),
                years=_years(src.years),
                cited=[(b, names.get(b, b)) for b in src.used_by if b in names],
            )
        )
    return rows


# -- templates and style ---------------------------------------------------------------
@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("urbanagenda.synthesis.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["block_kind"] = _block_kind
    return env


@cache
def _css() -> str:
    return (
        resources.files("urbanagenda.synthesis.render")
        .joinpath("report.css")
        .read_text(encoding="utf-8")
    )


def _block_kind(block: Any) -> str:
    return type(block).__name__.lower()
