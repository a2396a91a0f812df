"""Text extraction from the committed specimens (golden paragraphs) and passage splitting in
English, Chinese and Arabic."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from urbanagenda.reporting.extract import extract_text, split_passages
from urbanagenda.reporting.uploads import check_upload

SPECIMENS = Path(__file__).parents[1] / "specimens" / "reporting"

PDF_PARAGRAPHS = (
    "Voluntary Local Review of Example City 2024",
    "1. This review reports on the progress of Example City towards the Sustainable "
    "Development Goals, with a focus on Goal 11.",
    "2. Informal settlements house a fifth of the population. The upgrading programme reached "
    "twelve thousand households between 2019 and 2023.",
    "Transport and public space",
    "Public transport ridership grew by a third after the bus rapid transit line opened, and "
    "the share of residents living within 500 metres of a stop rose from 41 to 63 per cent, "
    "measured with the method of indicator 11.2.1 on the city's own network data, which the "
    "transport authority publishes every year together with the timetables of all routes, the "
    "locations of every stop and the counts of boardings by line and hour of the day.",
    # runs from page 1 onto page 2: joined again
    "3. The city's open spaces were mapped street by street in 2023, and the results were "
    "checked with residents in every district before the figures in this review were fixed; "
    "where residents disagreed with the map, the surveyors went back to the street and "
    "measured again, so that the published figures describe the spaces people actually use.",
    "城市更新",
    # three lines on the page, joined without spaces
    "城市更新计划改善了贫民窟居民的住房条件。公共交通覆盖率提高到百分之八十，"
    "新建公园让更多居民能够在步行距离内到达开放的公共空间。",
)

DOCX_PARAGRAPHS = (
    "Voluntary Local Review of Example City",
    "1. The city reviewed its progress on housing, transport and public space.",
    "城市更新计划改善了贫民窟居民的住房条件。",
    "تحسين الأحياء الفقيرة أولوية للمدينة. هل وصلت المدينة إلى أهدافها؟",
    "Indicator",
    "Value",
    "Households upgraded",
    "12,000",
    "A merged cell is read once",
    "left",
    "right",
    "The end.",
)


def specimen(name: str) -> bytes:
    return (SPECIMENS / name).read_bytes()


def test_pdf_paragraphs_are_golden() -> None:
    extracted = extract_text(check_upload("vlr_example.pdf", specimen("vlr_example.pdf")))
    assert extracted.pages == 2
    assert extracted.paragraphs == PDF_PARAGRAPHS  # page numbers "1" and "2" are dropped


def test_docx_paragraphs_and_table_cells_are_golden() -> None:
    extracted = extract_text(check_upload("vlr_example.docx", specimen("vlr_example.docx")))
    assert extracted.pages is None
    assert extracted.paragraphs == DOCX_PARAGRAPHS


def test_the_text_is_the_paragraphs_with_blank_lines() -> None:
    extracted = extract_text(check_upload("vlr_example.docx", specimen("vlr_example.docx")))
    assert split_passages(extracted.text) == list(DOCX_PARAGRAPHS)


def test_a_pdf_made_now_with_weasyprint_reads_back() -> None:
    """Not golden (fonts differ between machines): the words come back, in order."""
    weasyprint = pytest.importorskip("weasyprint")
    html = (
        "<h1>Review of Sample Town</h1><p>The town upgraded its slums.</p>"
        "<p>贫民窟改造取得了进展。</p>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    text = extract_text(check_upload("made.pdf", pdf)).text
    assert text.index("Sample Town") < text.index("upgraded its slums") < text.index("贫民窟改造")


def test_docx_control_characters_and_line_breaks_are_cleaned() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("first line")
    paragraph.add_run().add_break()
    paragraph.add_run("second\tline  with   spaces")
    document.add_paragraph("   ")
    out = io.BytesIO()
    document.save(out)
    extracted = extract_text(check_upload("x.docx", out.getvalue()))
    assert extracted.paragraphs == ("first line second line with spaces",)


# -- passages --------------------------------------------------------------------------------


def test_blank_lines_and_numbered_paragraphs_start_passages() -> None:
    text = (
        "Introduction\n\n"
        "1. The city reviewed its progress.\n"
        "It consulted residents.\n"
        "12. Housing improved\n"
        "in every district.\n"
        "13.\n"
        "Transport too.\n"
        "\n   \n"
        "A line that mentions 2015. in the middle stays\n"
        "2015. is not a paragraph number (four digits)."
    )
    assert split_passages(text) == [
        "Introduction",
        "1. The city reviewed its progress. It consulted residents.",
        "12. Housing improved in every district.",
        "13. Transport too.",
        "A line that mentions 2015. in the middle stays 2015. is not a paragraph number "
        "(four digits).",
    ]


def test_long_passages_are_cut_at_sentence_ends() -> None:
    sentences = [f"Sentence number {i} tells about housing in the city." for i in range(1, 41)]
    passages = split_passages(" ".join(sentences), max_chars=210)
    assert all(len(p) <= 210 for p in passages)
    assert all(p.endswith("city.") for p in passages)
    assert " ".join(passages) == " ".join(sentences)
    assert len(passages) == 10  # four sentences of 50 or 51 characters (and spaces) each


def test_abbreviations_do_not_end_sentences() -> None:
    text = "Some cities, e.g. the capital, grew fast. " * 3
    passages = split_passages(text.strip(), max_chars=60)
    assert passages == ["Some cities, e.g. the capital, grew fast."] * 3


def test_chinese_is_cut_at_chinese_full_stops() -> None:
    text = (
        "城市更新计划改善了贫民窟居民的住房条件。公共交通覆盖率提高到百分之八十！"
        "绿地面积增加了吗？是的。"
    )
    assert split_passages(text, max_chars=20) == [
        "城市更新计划改善了贫民窟居民的住房条件。",
        "公共交通覆盖率提高到百分之八十！",
        "绿地面积增加了吗？是的。",
    ]


def test_a_long_chinese_sentence_is_cut_at_a_comma() -> None:
    text = (
        "城市更新计划改善了贫民窟居民的住房条件，公共交通覆盖率提高到百分之八十，绿地面积也增加了。"
    )
    passages = split_passages(text, max_chars=30)
    assert passages == [
        "城市更新计划改善了贫民窟居民的住房条件，",  # the last clause end within 30
        "公共交通覆盖率提高到百分之八十，绿地面积也增加了。",
    ]
    assert "".join(passages) == text


def test_arabic_is_cut_at_full_stops_and_question_marks() -> None:
    text = (
        "تحسين الأحياء الفقيرة أولوية للمدينة. هل وصلت المدينة إلى أهدافها؟ نعم، وصلت إلى معظمها."
    )
    assert split_passages(text, max_chars=40) == [
        "تحسين الأحياء الفقيرة أولوية للمدينة.",
        "هل وصلت المدينة إلى أهدافها؟",
        "نعم، وصلت إلى معظمها.",
    ]


def test_a_sentence_longer_than_the_limit_is_cut_between_words() -> None:
    words = ["neighbourhood"] * 30
    passages = split_passages(" ".join(words), max_chars=100)
    assert all(len(p) <= 100 for p in passages)
    assert all(set(p.split()) == {"neighbourhood"} for p in passages)
    assert sum(len(p.split()) for p in passages) == 30


def test_a_word_longer_than_the_limit_stays_whole() -> None:
    url = "https://example.org/" + "a" * 80
    assert split_passages(f"See {url} for the data.", max_chars=30) == ["See", url, "for the data."]


def test_empty_text_has_no_passages() -> None:
    assert split_passages("") == []
    assert split_passages("\n \n\t\n") == []


def test_max_chars_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        split_passages("x", max_chars=0)
