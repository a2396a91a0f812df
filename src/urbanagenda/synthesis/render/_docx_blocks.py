"""The blocks of the DOCX rendering: headings, numbered paragraphs, lists, tables (status
cells shaded), figures, notices, and the table of sources with its "cited in" links."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.document import (
    Cell,
    Figure,
    Heading,
    List,
    Notice,
    Paragraph,
    Source,
    Table,
)
from urbanagenda.synthesis.render._docx_base import (
    _SEQ_TBLPR,
    _SEQ_TCPR,
    _SEQ_TRPR,
    INDENT_CM,
    TEXT_WIDTH_CM,
    _bookmark_name,
    _el,
    _put,
    _WriterBase,
)
from urbanagenda.synthesis.text import area_labels

#: Areas named in the table of sources; more are listed by code.
_MAX_NAMED_AREAS = 8
_NOTICE_FILL = {"info": ("E8F0FB", "5B8BD0"), "warning": ("FFF4E0", "D9A036")}


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


class _BlocksMixin(_WriterBase):
    """The blocks of the document and the table of sources."""

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
        return self.comma.join(area_labels(tuple(s.areas), self.lang))

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


def _letter(i: int) -> str:
    """a … z, aa, bb … as UN reports letter sub-paragraphs."""
    return chr(ord("a") + i % 26) * (i // 26 + 1)
