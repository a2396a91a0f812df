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

from urbanagenda.synthesis.document import Document
from urbanagenda.synthesis.render._docx_base import _SEQ_RPR_TAIL as _SEQ_RPR_TAIL
from urbanagenda.synthesis.render._docx_base import _SEQ_SETTINGS_TAIL as _SEQ_SETTINGS_TAIL
from urbanagenda.synthesis.render._docx_base import _SEQ_TBLPR as _SEQ_TBLPR
from urbanagenda.synthesis.render._docx_base import _SEQ_TCPR as _SEQ_TCPR
from urbanagenda.synthesis.render._docx_base import _SEQ_TRPR as _SEQ_TRPR
from urbanagenda.synthesis.render._docx_base import EAST_ASIAN_FONTS as EAST_ASIAN_FONTS
from urbanagenda.synthesis.render._docx_base import LATIN_FONT as LATIN_FONT
from urbanagenda.synthesis.render._docx_blocks import _BlocksMixin
from urbanagenda.synthesis.render._docx_blocks import _years as _years
from urbanagenda.synthesis.render._docx_parts import _PartsMixin

__all__ = ["EAST_ASIAN_FONTS", "LATIN_FONT", "render_docx"]


def render_docx(doc: Document) -> bytes:
    """The document as a Word file (bytes of a .docx package)."""
    return _Writer(doc).render()


class _Writer(_PartsMixin, _BlocksMixin):
    """The whole document: package parts and blocks from the ``_docx_*`` modules."""

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
