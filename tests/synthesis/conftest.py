"""Shared fixtures of the generated-report tests: one sample document per language.

``sample_document`` (English, asked for in French, so it carries the fallback notice) and
``sample_document_zh`` (Chinese) are built with :class:`DocumentBuilder` exactly as a report
builder would: a cover, chapter/section/sub-section headings with labels, numbered
paragraphs with footnote marks and sources, an ordered list, a table with status and numeric
cells, two figures (a trend line chart and a world map), a notice and sources of every kind.
Every renderer test (HTML, PDF, DOCX) reads them; the ``sample_numbers`` fixture lists
numbers each rendering must contain, in document order, and ``zh_sentence`` the seed-style
Chinese sentence of the Chinese document.  Add to them if you need more, but do not rename
or remove anything (other test modules rely on them).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.document import Cell, Document, DocumentBuilder

GENERATED_AT = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)

#: Numbers (as formatted text) that appear in the sample documents, in document order,
#: per language.  Table cells and paragraph text both contribute.
SAMPLE_NUMBERS = {
    "en": ["24.2 %", "24.8 %", "1.12 billion", "54.3", "48.1", "2030", "13 %", "USD 223 million"],
    "zh": ["24.2%", "24.8%", "11.2亿", "54.3", "48.1", "2030", "13%", "2.23 亿美元"],
}

#: The Chinese sentence the Chinese sample document contains verbatim (seed style).
ZH_SENTENCE = "2023 年，所有收入来源的总收入比上一年增加 13%，达到 2.23 亿美元"

_TREND = [
    {"year": y, "value": v, "area": a}
    for a, vals in {
        "World": [24.2, 24.3, 24.5, 24.6, 24.8],
        "Sub-Saharan Africa": [54.3, 53.6, 52.9, 50.2, 48.1],
    }.items()
    for y, v in zip((2015, 2018, 2020, 2021, 2022), vals, strict=True)
]
_MAP = {"566": 48.1, "404": 45.6, "356": 40.7, "076": 16.3, "156": 20.9, "840": 0.1}

_T = {
    "en": {
        "title": "Progress towards Sustainable Development Goal 11",
        "subtitle": "Synthesis report on making cities and human settlements inclusive, safe, "
        "resilient and sustainable",
        "meta": {"Data version": "2024.1", "Progress method": "unsd-2024", "Areas": "World"},
        "notice": "Ce rapport n'est pas encore disponible en français ; il est présenté en "
        "anglais.",
        "h_intro": "Introduction",
        "p1": "The present report reviews progress towards the targets of Sustainable "
        "Development Goal 11 using the data in the store.",
        "note1": "The regional groupings are those of the Sustainable Development Goals database.",
        "h_progress": "Progress towards the targets",
        "h_slums": "Housing and slums",
        "h_trend": "Trends since 2015",
        "p2a": "The proportion of the urban population living in slums rose from 24.2 % in 2015 "
        "to 24.8 % in 2022",
        "p2b": ", or 1.12 billion people.",
        "note2": "Estimates for 2022 are modelled from household surveys and censuses.",
        "list": [
            "upgrade informal settlements with their residents;",
            "plan land for housing ahead of urban growth;",
            "report slum data every two years.",
        ],
        "t_caption": "Proportion of the urban population living in slums, by region (per cent)",
        "t_header": ("Region", "2015", "2022", "Status"),
        "t_rows": [
            ("World", "24.2", "24.8", "Deterioration", "deterioration"),
            ("Sub-Saharan Africa", "54.3", "48.1", "Moderate progress", "moderate"),
            ("Oceania", "…", "…", "Insufficient data", "insufficient_data"),
        ],
        "t_note": "Status against the 2030 target.",
        "f1_caption": "Proportion of the urban population living in slums, 2015–2022 (per cent)",
        "f1_alt": "Line chart: the world proportion rose from 24.2 % in 2015 to 24.8 % in 2022; "
        "sub-Saharan Africa fell from 54.3 % to 48.1 %.",
        "f2_caption": "Proportion of the urban population living in slums, latest year, by "
        "country (per cent)",
        "f2_alt": "World map: the highest proportions are in Nigeria (48.1 %) and Kenya "
        "(45.6 %); the lowest in the United States (0.1 %).",
        "h_finance": "Financing",
        "p3": "In 2023, total revenue from all sources increased by 13 % over the previous year, "
        "to USD 223 million.",
        "note3": "Unaudited figures.",
        "p4": "Member States are invited to report on all targets by 2030.",
        "s_series": "Proportion of urban population living in slums (%)",
        "s_series_d": "UN-Habitat, SDG global database load of 2024-06-30",
        "s_assess": "Progress assessment, method unsd-2024",
        "s_assess_d": "Statuses of targets × SDG regions against the 2030 targets",
        "s_record": "Report of the Secretary-General on the New Urban Agenda (A/79/xxx)",
        "s_record_d": "Paragraph 22",
        "s_doc": "Nigeria: national report on the New Urban Agenda, 2022",
        "s_doc_d": "Published version 3",
        "s_ext": "World Urbanization Prospects 2018",
        "s_ext_d": "United Nations, Department of Economic and Social Affairs",
        "legend": "Per cent",
        "no_data": "No data",
    },
    "zh": {
        "title": "实现可持续发展目标 11 的进展",
        "subtitle": "关于建设包容、安全、有抵御灾害能力和可持续的城市和人类住区的综合报告",
        "meta": {"数据版本": "2024.1", "进展评估方法": "unsd-2024", "地区": "世界"},
        "notice": "本报告为自动生成的草稿，尚未经过审校。",
        "h_intro": "导言",
        "p1": "本报告根据数据库中的数据，审查实现可持续发展目标 11 各项具体目标的进展情况。",
        "note1": "区域分组采用可持续发展目标数据库的分组。",
        "h_progress": "实现各项具体目标的进展",
        "h_slums": "住房和贫民窟",
        "h_trend": "2015 年以来的趋势",
        "p2a": "居住在贫民窟的城市人口比例从 2015 年的 24.2%上升到 2022 年的 24.8%",
        "p2b": "，即 11.2亿人。",
        "note2": "2022 年的估计数根据住户调查和人口普查建模得出。",
        "list": [
            "与居民一道改造非正规住区；",
            "在城市增长之前规划住房用地；",
            "每两年报告一次贫民窟数据。",
        ],
        "t_caption": "按区域分列的居住在贫民窟的城市人口比例（百分比）",
        "t_header": ("区域", "2015", "2022", "状况"),
        "t_rows": [
            ("世界", "24.2", "24.8", "恶化", "deterioration"),
            ("撒哈拉以南非洲", "54.3", "48.1", "中等进展", "moderate"),
            ("大洋洲", "…", "…", "数据不足", "insufficient_data"),
        ],
        "t_note": "状况系相对于 2030 年具体目标而言。",
        "f1_caption": "2015—2022 年居住在贫民窟的城市人口比例（百分比）",
        "f1_alt": "折线图：世界比例从 2015 年的 24.2%上升到 2022 年的 24.8%；"
        "撒哈拉以南非洲从 54.3%下降到 48.1%。",
        "f2_caption": "按国家分列的居住在贫民窟的城市人口比例，最近年份（百分比）",
        "f2_alt": "世界地图：比例最高的是尼日利亚（48.1%）和肯尼亚（45.6%）；"
        "最低的是美国（0.1%）。",
        "h_finance": "资金筹措",
        "p3": ZH_SENTENCE + "。",
        "note3": "数字未经审计。",
        "p4": "请会员国在 2030 年之前报告所有具体目标的情况。",
        "s_series": "居住在贫民窟的城市人口比例（%）",
        "s_series_d": "人居署，2024-06-30 载入的可持续发展目标全球数据库",
        "s_assess": "进展评估，方法 unsd-2024",
        "s_assess_d": "各项具体目标 × 可持续发展目标区域相对于 2030 年具体目标的状况",
        "s_record": "秘书长关于《新城市议程》的报告（A/79/xxx）",
        "s_record_d": "第22段",
        "s_doc": "尼日利亚：《新城市议程》国家报告，2022 年",
        "s_doc_d": "已发布的第 3 版",
        "s_ext": "《世界城市化展望》2018 年",
        "s_ext_d": "联合国经济和社会事务部",
        "legend": "百分比",
        "no_data": "无数据",
    },
}


def build_sample_document(lang: str) -> Document:
    """The sample document in ``lang`` ("en": asked for in French, with the fallback notice;
    "zh": a draft notice)."""
    t = _T[lang]
    requested = "fr" if lang == "en" else "zh"
    doc = Document(
        kind="synthesis",
        lang=lang,
        requested_lang=requested,
        title=str(t["title"]),
        subtitle=str(t["subtitle"]),
        symbol="SDG11/2025/1",
        generated_at=GENERATED_AT,
        meta=dict(t["meta"]),  # type: ignore[call-overload]
    )
    b = DocumentBuilder(doc)
    s1 = b.source(
        "series",
        str(t["s_series"]),
        detail=str(t["s_series_d"]),
        series_code="EN_LND_SLUM",
        areas=["1", "202", "566", "404"],
        years=[2015, 2018, 2020, 2021, 2022],
    )
    s2 = b.source("assessment", str(t["s_assess"]), detail=str(t["s_assess_d"]))
    s3 = b.source("record", str(t["s_record"]), detail=str(t["s_record_d"]))
    s4 = b.source("document", str(t["s_doc"]), detail=str(t["s_doc_d"]), areas=["566"])
    s5 = b.source(
        "external",
        str(t["s_ext"]),
        detail=str(t["s_ext_d"]),
        url="https://population.un.org/wup/",
    )

    b.notice(str(t["notice"]), tone="info" if lang == "en" else "warning")
    b.heading(1, str(t["h_intro"]), "I.", id="introduction")
    b.para([str(t["p1"]), b.note(str(t["note1"]))], sources=[s5])
    b.heading(1, str(t["h_progress"]), "II.", id="progress")
    b.heading(2, str(t["h_slums"]), "A.", id="slums")
    b.para(
        [str(t["p2a"]), b.note(str(t["note2"])), str(t["p2b"])],
        sources=[s1, s4],
    )
    b.bullets(list(t["list"]), ordered=True, sources=[s4])
    header = t["t_header"]
    b.table(
        str(t["t_caption"]),
        list(header),
        [
            [
                Cell(region),
                Cell(v15, value=None if v15 == "…" else float(v15), align="right"),
                Cell(v22, value=None if v22 == "…" else float(v22), align="right"),
                Cell(label, status=status),
            ]
            for region, v15, v22, label, status in t["t_rows"]
        ],
        sources=[s1, s2],
        notes=[str(t["t_note"])],
    )
    b.heading(3, str(t["h_trend"]), id="trends")
    trend = [
        {
            **r,
            "area": r["area"]
            if lang == "en"
            else {"World": "世界"}.get(r["area"], "撒哈拉以南非洲"),
        }
        for r in _TREND
    ]
    b.figure(
        str(t["f1_caption"]),
        charts.line_chart(trend, y_title=str(t["legend"]), target=0, target_label="2030"),
        str(t["f1_alt"]),
        sources=[s1],
    )
    b.figure(
        str(t["f2_caption"]),
        charts.choropleth(_MAP, legend_title=str(t["legend"]), no_data_label=str(t["no_data"])),
        str(t["f2_alt"]),
        sources=[s1],
    )
    b.heading(1, str(t["h_finance"]), "III.", id="finance")
    b.para([str(t["p3"]), b.note(str(t["note3"]))], sources=[s3])
    b.para(str(t["p4"]), sources=[s2, s3])
    return doc


@pytest.fixture(scope="session")
def sample_document() -> Document:
    """The English sample document (asked for in French: carries the fallback notice)."""
    return build_sample_document("en")


@pytest.fixture(scope="session")
def sample_document_zh() -> Document:
    """The Chinese sample document (contains :data:`ZH_SENTENCE`)."""
    return build_sample_document("zh")


@pytest.fixture(scope="session")
def sample_numbers() -> dict[str, list[str]]:
    """Formatted numbers of the sample documents in document order, per language."""
    return {k: list(v) for k, v in SAMPLE_NUMBERS.items()}


@pytest.fixture(scope="session")
def zh_sentence() -> str:
    """The seed-style Chinese sentence :func:`sample_document_zh` contains verbatim."""
    return ZH_SENTENCE


# ------------------------------------------------------------------- the demo database


@pytest.fixture(scope="session")
def demo_engine(demo_db: str) -> Iterator[Engine]:
    """An engine on the session's demo database (read only: never write through it)."""
    from urbanagenda.store.engine import open_engine

    engine = open_engine(demo_db)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def headline(demo_engine: Engine) -> dict[str, pd.DataFrame]:
    """The regional values of the headline series (the slow part of every world report),
    computed once for all the builder tests."""
    from urbanagenda.store.progress import headline_values

    return headline_values(demo_engine)
