"""Institutional records and generated reports in Chromium: the records page draws its
charts and passes axe-core; a focal point's national draft is generated from the
publications form and downloaded, and the HTML report opens in the browser."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_records_page(visit, lang: str) -> None:  # type: ignore[no-untyped-def]
    visit.open(f"/{lang}/records")
    page = visit.page
    text = page.inner_text("main")
    # the second session of the Assembly, from the seed's paragraph 6, with its citation
    assert "132" in text
    assert ("5–9 Jun 2023" in text) if lang == "en" else ("2023年6月5日至9日" in text)
    assert page.locator('main a[href*="/documents/"]').count() > 0
    # the programme and funding charts were drawn (wait_for_charts checked none failed)
    assert page.locator("[data-spec][data-rendered]").count() >= 2
    visit.shot(f"records-{lang}")
    visit.axe(f"records-{lang}")


def test_publications_form_downloads_a_national_draft(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/publications")
    page = visit.page
    visit.axe("publications")
    page.check("#kind-national")
    page.select_option("#pub-area", "566")
    page.select_option("#pub-lang", "zh")
    page.select_option("#pub-format", "docx")
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    doc = DocxDocument(io.BytesIO(Path(download.path()).read_bytes()))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert any("尼日利亚" in p.text for p in doc.paragraphs[:10]), "the draft names Nigeria"
    assert len(headings) >= 4


def test_a_report_pdf_downloads_and_its_html_opens(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/publications")
    page = visit.page
    with page.expect_download(timeout=180_000) as info:
        page.locator('a[href*="kind=sg-report"][href*="doc_lang=en"][href*="format=pdf"]').click()
    pdf = PdfReader(info.value.path())
    text = "\n".join(p.extract_text() for p in pdf.pages[:4])
    assert "132 member States" in text and "5–9 June 2023" in text
    # the standalone HTML report, shown in the browser: no request leaves it
    visit.open("/en/publications/view?kind=sg-report&doc_lang=en")
    assert visit.page.title().startswith("Follow-up to the implementation of the New Urban Agenda")
    assert visit.page.locator("table").count() >= 3
    visit.shot("sg-report-html")
