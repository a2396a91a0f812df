"""Makes the reporting upload specimens (run by hand; the files are committed so the golden
text in tests/reporting/test_extract.py does not depend on this machine's fonts):

    .venv/bin/python tests/specimens/reporting/make_specimens.py

vlr_example.pdf  -- WeasyPrint, A6 pages with page numbers: a title, numbered paragraphs, a
                    heading, Chinese paragraphs, and a paragraph that runs onto the next page.
vlr_example.docx -- python-docx: a title, paragraphs in English, Chinese and Arabic, a table
                    with a merged cell.
The texts are written for these specimens (no third-party text).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
@page { size: A6; margin: 12mm 10mm 14mm;
        @bottom-center { content: counter(page); font-size: 8pt } }
body { font-family: "DejaVu Sans", "WenQuanYi Micro Hei", sans-serif; font-size: 9.5pt;
       line-height: 1.3 }
h1 { font-size: 14pt; margin: 0 0 6pt } h2 { font-size: 11pt; margin: 8pt 0 4pt }
p { margin: 0 0 5pt }
</style></head><body>
<h1>Voluntary Local Review of Example City 2024</h1>
<p>1. This review reports on the progress of Example City towards the Sustainable
Development Goals, with a focus on Goal 11.</p>
<p>2. Informal settlements house a fifth of the population. The upgrading programme reached
twelve thousand households between 2019 and 2023.</p>
<h2>Transport and public space</h2>
<p>Public transport ridership grew by a third after the bus rapid transit line opened, and
the share of residents living within 500 metres of a stop rose from 41 to 63 per cent,
measured with the method of indicator 11.2.1 on the city's own network data, which the
transport authority publishes every year together with the timetables of all routes, the
locations of every stop and the counts of boardings by line and hour of the day.</p>
<p>3. The city's open spaces were mapped street by street in 2023, and the results were
checked with residents in every district before the figures in this review were fixed; where
residents disagreed with the map, the surveyors went back to the street and measured again, so
that the published figures describe the spaces people actually use.</p>
<h2>城市更新</h2>
<p>城市更新计划改善了贫民窟居民的住房条件。公共交通覆盖率提高到百分之八十，新建公园让更多居民能够在步行距离内到达开放的公共空间。</p>
</body></html>"""


def make_pdf() -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=HTML).write_pdf())


def make_docx() -> bytes:
    import io

    import docx

    document = docx.Document()
    document.core_properties.author = "urbanagenda tests"
    document.add_heading("Voluntary Local Review of Example City", level=1)
    document.add_paragraph(
        "1. The city reviewed its progress on housing, transport and public space."
    )
    document.add_paragraph("城市更新计划改善了贫民窟居民的住房条件。")
    document.add_paragraph("تحسين الأحياء الفقيرة أولوية للمدينة. هل وصلت المدينة إلى أهدافها؟")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Indicator"
    table.cell(0, 1).text = "Value"
    table.cell(1, 0).text = "Households upgraded"
    table.cell(1, 1).text = "12,000"
    merged = document.add_table(rows=2, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "A merged cell is read once"
    merged.cell(1, 0).text = "left"
    merged.cell(1, 1).text = "right"
    document.add_paragraph("")  # empty paragraphs are skipped
    document.add_paragraph("The end.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


if __name__ == "__main__":
    (HERE / "vlr_example.pdf").write_bytes(make_pdf())
    (HERE / "vlr_example.docx").write_bytes(make_docx())
    print("written", sorted(p.name for p in HERE.iterdir()))
