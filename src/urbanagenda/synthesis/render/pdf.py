"""A generated report as PDF: WeasyPrint prints the report's HTML (:mod:`.html`).

The print rules of ``report.css`` make it an A4 document with the title running at the top
of every page but the first, page numbers at the foot ("3 / 12"), the table of contents with
page numbers, no table row or figure split across a page, and the table of sources on a page
of its own.  Chinese text is set in a CJK font of the machine (WenQuanYi Micro Hei, Noto CJK),
embedded as a subset; the PDF's metadata carry the title, the subtitle and the language.

Notes are listed at the end, before the sources, as in the HTML (each mark links to its note
and back).  WeasyPrint's page footnotes (``float: footnote``) were tried and measured: with
one note every three paragraphs, WeasyPrint 70 moved 10-20 % of the notes to a later page
than their call, some of them from the middle of a page with room left (whatever
``footnote-policy``), so a reader could not trust a page's notes to be at its foot.

Charts stay vector (inline SVG), except maps: WeasyPrint's pure-Python SVG drawing takes one
to three seconds for a world map's 5,000 country paths (a synthesis has one per target), so
maps are printed as PNG at 200 dpi, which vl-convert paints in a fraction of a second
(measured on a 10-target document: 47 s with SVG maps; see ``docs/reports.md``).

Nothing is fetched: the HTML is standalone, and the URL fetcher refuses every URL but the
``data:`` URLs of the maps.
"""

from __future__ import annotations

from urbanagenda.errors import DataError
from urbanagenda.synthesis.document import Document
from urbanagenda.synthesis.render.html import render_html

__all__ = ["render_pdf"]


def render_pdf(doc: Document) -> bytes:
    """The document as PDF bytes (A4, title and language in the PDF's metadata)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(doc, for_print=True)
    # data: URLs only (the maps' PNG); anything else stops the rendering
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf returns the bytes without a target
        raise DataError("WeasyPrint returned no PDF")
    return bytes(pdf)
