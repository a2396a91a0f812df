"""The finance summaries: documents built from hand-made results (model.py objects with
hand-computed figures), rendered as HTML (parsed strictly), PDF (text read back with pypdf)
and DOCX (opened with python-docx), in English, Chinese and a fallback language."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from importlib import resources
from typing import Any, cast
from xml.etree.ElementTree import Element

import docx
import html5lib
import pypdf
import pytest
import yaml

from urbanagenda.errors import DataError
from urbanagenda.finance import charts, summary
from urbanagenda.finance.model import (
    ChargeInput,
    CriterionScore,
    Estimate,
    FiscalIndicators,
    FiscalInput,
    Need,
    OsrInput,
    OsrResult,
    PlanEntry,
    PlanInput,
    PlanResult,
    Project,
    PropertyCategoryInput,
    Range,
    Recommendation,
    ScoredProject,
    SensitivityItem,
    SourceRef,
    StreamInput,
    StreamResult,
    Trend,
    WeightSensitivity,
    YearInput,
    YearResult,
)
from urbanagenda.synthesis.document import Document, Figure, Notice, Table

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
X = Range.exact

# -- a hand-computed analysis of two years -------------------------------------------------
# Property rates: 1,000 properties; one category R = 800, A = 1,000, M = 1,500 (2023: a range
# 1,400–1,600), τ = 0.01, legislated 0.012; κ = 0.8.  Paying: K = 500 in 2022, 600 in 2023.
# 2023: actual = 600·1,000·0.01 = 6,000; potential = 800·1,500·0.012/0.8 = 18,000 (M 1,400:
#   16,800; M 1,600: 19,200); gap 12,000 (10,800–13,200); coverage 6,000/0.8 − 6,000 = 1,500;
#   compliance 200·1,000·0.01 = 2,000; valuation 600·500·0.01 = 3,000 (2,400–3,600);
#   rate 600·1,000·0.002 = 1,200; residual 12,000 − 7,700 = 4,300 (3,700–4,900).
# 2022: actual 5,000; potential 18,000; gap 13,000; coverage 5,000/0.8 − 5,000 = 1,250;
#   compliance 300·1,000·0.01 = 3,000; valuation 500·500·0.01 = 2,500;
#   rate 500·1,000·0.002 = 1,000; residual 13,000 − 7,750 = 5,250.
# Market dues (both years): 50 users, 40 paying, 2 a day (legislated 2.5), 100 days:
#   actual 8,000; potential 12,500; gap 4,500; compliance 2,000; rate 2,000; residual 500.
# Totals 2023: actual 14,000; potential 30,500 (29,300–31,700); gap 16,500 (15,300–17,700).
# Totals 2022: actual 13,000; potential 30,500; gap 17,500.
LG = "Testville Municipal Council"
SOURCES = (
    SourceRef("acc2023", "Testville Municipal Council (2024). Annual accounts 2023.", None),
    SourceRef("census", "Testland Statistics (2021). Population census.", "https://stats.test/c"),
)


def _property(k: float, m: Range) -> StreamResult:
    actual = k * 1000 * 0.01
    potential = Range(800 * m.central * 0.012 / 0.8, 800 * m.low * 0.012 / 0.8,
                      800 * m.high * 0.012 / 0.8)  # fmt: skip
    gap = Range(potential.central - actual, potential.low - actual, potential.high - actual)
    parts = {
        "coverage": X(actual / 0.8 - actual),
        "compliance": X((800 - k) * 1000 * 0.01),
        "valuation": Range(k * (m.central - 1000) * 0.01, k * (m.low - 1000) * 0.01,
                           k * (m.high - 1000) * 0.01),
        "rate": X(k * 1000 * 0.002),
    }  # fmt: skip

    def rest(bound: str) -> float:
        return float(getattr(gap, bound) - sum(getattr(r, bound) for r in parts.values()))

    residual = Range(rest("central"), rest("low"), rest("high"))
    return StreamResult("property_tax", "Property rates", X(actual), potential, gap, parts,
                        residual, actual_reported=6100.0 if k == 600 else None)  # fmt: skip


MARKET = StreamResult(
    "user_charge_short", "Market dues", X(8000), X(12500), X(4500),
    {"compliance": X(2000), "rate": X(2000)}, X(500),
)  # fmt: skip


def _total(streams: tuple[StreamResult, ...]) -> StreamResult:
    def add(get: str) -> Range:
        rs = [getattr(s, get) for s in streams]
        return Range(sum(r.central for r in rs), sum(r.low for r in rs), sum(r.high for r in rs))

    parts = {
        p: Range(*(sum(getattr(s.parts[p], b) for s in streams if p in s.parts)
                   for b in ("central", "low", "high")))
        for p in ("coverage", "compliance", "valuation", "rate")
    }  # fmt: skip
    return StreamResult("total", "Total", add("actual"), add("potential"), add("gap"), parts,
                        add("residual"))  # fmt: skip


P2022 = _property(500, X(1500))
P2023 = _property(600, Range(1500, 1400, 1600))
TOTAL_2022, TOTAL_2023 = _total((P2022, MARKET)), _total((P2023, MARKET))

# Fiscal 2023: population 10,000, GDP per person 500, USD rate 20, household 5.
#   per person 14,000/10,000 = 1.40; in USD 1.40/20 = 0.07; per household 1.4·5 = 7.00;
#   share of GDP 14,000/(10,000·500) = 0.28 %; potential 30,500/5,000,000 = 0.61 %.
FISCAL_2023 = FiscalIndicators(10000, "input", 1.4, 0.07, 3.05, 7.0, 0.0028, 0.0061)
FISCAL_2022 = FiscalIndicators(None, None, None, None, None, None, None, None)
# Sensitivity 2023: market value −10 % (1,350): property potential 16,200, total gap
# 16,200 + 12,500 − 14,000 = 14,700; +10 % (1,650): 19,800 → gap 18,300; at its low 1,400:
# 15,300, at its high 1,600: 17,700.  Users paying 36: actual 13,200, gap 17,300; 44: 15,700.
SENSITIVITY = (
    SensitivityItem("streams[0].categories[0].market_value",
                    "Property rates · residential · market value", "Property rates", 1500,
                    14700, 18300, 15300, 17700, (18300 - 14700) / 16500 / 0.2),
    SensitivityItem("streams[1].charges[0].users_actual",
                    "Market dues · market stalls · users actual", "Market dues", 40,
                    17300, 15700, elasticity=(15700 - 17300) / 16500 / 0.2),
)  # fmt: skip
FVK = (
    "Farvacque-Vitkovic, C. and Kopanyi, M. (eds) (2014). Municipal Finances: A Handbook "
    "for Local Governments. Washington, DC: World Bank."
)
REVALUATION = Recommendation(
    "revaluation-cycle", "Property rates", "valuation", 3000.0, 0.25,
    "The valuation roll is out of date", "A regular revaluation cycle",
    ("Revalue every five years", "Index values between revaluations"), "medium", (FVK,),
)  # fmt: skip
YEARS = (
    YearResult(2022, (P2022, MARKET), TOTAL_2022, FISCAL_2022, (), ()),
    YearResult(2023, (P2023, MARKET), TOTAL_2023, FISCAL_2023, SENSITIVITY, (REVALUATION,)),
)
# Trends 2022 → 2023: actual 13,000 → 14,000, change 1,000, growth 14,000/13,000 − 1 = 7.7 %;
# gap 17,500 → 16,500, change −1,000, growth −5.7 %; efficiency 42.6 % → 45.9 %.
TRENDS = (
    Trend("actual", {2022: 13000.0, 2023: 14000.0}, 1000.0, 14000 / 13000 - 1),
    Trend("potential", {2022: 30500.0, 2023: 30500.0}, 0.0, 0.0),
    Trend("gap", {2022: 17500.0, 2023: 16500.0}, -1000.0, 16500 / 17500 - 1),
    Trend("efficiency", {2022: 13000 / 30500, 2023: 14000 / 30500}, 1000 / 30500, None),
)


def _input(example: bool) -> OsrInput:
    def year(y: int) -> YearInput:
        e = Estimate.of
        residential = PropertyCategoryInput(
            "residential",
            e(800),
            e(600 if y == 2023 else 500),
            e(1000),
            Estimate(1500, 1400, 1600),
            e(0.01),
            e(0.012),
        )
        stalls = ChargeInput("market stalls", e(50), e(40), e(2), e(2.5), e(100), "day")
        streams = (
            StreamInput("property_tax", "Property rates", e(1000), (residential,),
                        sources=("acc2023",)),
            StreamInput("user_charge_short", "Market dues", charges=(stalls,)),
        )  # fmt: skip
        return YearInput(y, streams, FiscalInput(sources=("census",)))

    return OsrInput(LG, (year(2022), year(2023)), "KES", area_code="ke_kisumu",
                    example=example, note="Market days counted from the by-law.",
                    sources=SOURCES)  # fmt: skip


WARNING = "Property rates, 2023: the computed actual 6,000 differs from the reported 6,100."


def osr_result(example: bool = True) -> OsrResult:
    return OsrResult(_input(example), YEARS, TRENDS, warnings=(WARNING,))


# -- a hand-made plan ----------------------------------------------------------------------
# Weights need 0.6, readiness 0.4.  P1: need 0.5, readiness 1.0 → 0.3 + 0.4 = 0.7;
# P2: need 1.0, readiness 0.2 → 0.6 + 0.08 = 0.68; P3: need 0.2, readiness 0.4 → 0.28.
# Envelope 200 a year in 2026–2027.  P1 costs 250 (co-financing 0.2 → city 200) in one year:
# 2026.  P2 costs 200, two years → 100 + 100, starts 2027?  The 2026 envelope is spent, so it
# cannot start then; starting 2027 it would end 2028, beyond the horizon: unfunded.
# P3 costs 150 in one year: 2027 (spending 150 of 200; 50 unspent carried).
def _scored(pid: str, rank: int, need: float, ready: float, cost: float, cof: float,
            years: int) -> ScoredProject:  # fmt: skip
    crit = (
        CriterionScore("need", need, 0.6, 0.6 * need, "target 11.2"),
        CriterionScore("readiness", ready, 0.4, 0.4 * ready, "stage"),
    )
    project = Project(pid, f"Project {pid}", "water_sanitation", cost, 5000.0, years=years,
                      cofinancing=cof, stage="feasibility")  # fmt: skip
    flags = ("no indicator data for 11.6: need taken as 0.5",) if pid == "P3" else ()
    return ScoredProject(project, 0.6 * need + 0.4 * ready, rank, crit, flags)


RANKED = (
    _scored("P1", 1, 0.5, 1.0, 250, 0.2, 1),
    _scored("P2", 2, 1.0, 0.2, 200, 0.0, 2),
    _scored("P3", 3, 0.2, 0.4, 150, 0.0, 1),
)


def plan_result() -> PlanResult:
    return PlanResult(
        input=PlanInput("Testville capital plan", tuple(s.project for s in RANKED),
                        currency="KES", area_code="ke_kisumu", start_year=2026, horizon=2,
                        budget=400.0, example=True),
        ranked=RANKED,
        plan=(PlanEntry("P1", 1, 2026, 2026, {2026: 200.0}),
              PlanEntry("P3", 3, 2027, 2027, {2027: 150.0})),
        unfunded={"P2": "takes 2 years, but only 1 is left after 2026"},
        envelope_by_year={2026: 200.0, 2027: 200.0},
        spent_by_year={2026: 200.0, 2027: 150.0},
        envelope_source="budget",
        needs=(Need("11.2", 0.5, ("SP_TRN_PUBL",), "ke_kisumu", 2020, "city, 2020"),
               Need("11.6", None, (), None, None, "no data")),
        sensitivity=WeightSensitivity(0.5, {"P1": (1, 2), "P2": (1, 2), "P3": (3, 3)}, 0.5,
                                      ("need × 1.5: P2 ranks first instead of P1",), ()),
    )  # fmt: skip


# -- helpers -------------------------------------------------------------------------------
def parse_html(data: bytes) -> Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    root: Element = parser.parse(data.decode("utf-8"))
    return root


def docx_headings(d: Any) -> list[str]:
    return [
        p.text for p in d.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def table(doc: Document, caption_start: str) -> Table:
    hits = [t for t in doc.tables() if t.caption.startswith(caption_start)]
    assert len(hits) == 1, [t.caption for t in doc.tables()]
    return hits[0]


def column(t: Table, name: str) -> list[str]:
    j = t.header.index(name)
    return [row[j].text for row in t.rows]


# -- the OSR summary -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def osr_en() -> Document:
    return summary.osr_document(osr_result(), lang="en", now=NOW)


@pytest.fixture(scope="module")
def osr_zh() -> Document:
    return summary.osr_document(osr_result(), lang="zh", now=NOW)


def test_osr_summary_states_the_hand_computed_figures_of_the_latest_year(
    osr_en: Document,
) -> None:
    assert osr_en.title == f"Own-source revenue analysis: {LG}"
    assert osr_en.subtitle.endswith("2022–2023")
    key = osr_en.paragraphs()[0].text
    assert "In 2023, Testville Municipal Council collected KES 14,000" in key
    assert "potential of KES 30,500" in key and "a gap of KES 16,500" in key
    assert "54.1 % of the potential" in key  # 16,500 / 30,500
    assert "efficiency, the actual revenue as a share of the potential, was 45.9 %" in key
    assert "between KES 15,300 and KES 17,700" in key  # the gap's range
    assert "KES 1.40 per person (USD 0.07)" in key
    assert "0.28 % of the local economy" in key and "the potential is 0.61 %" in key


def test_osr_summary_marks_an_example_and_only_an_example(osr_en: Document) -> None:
    notices = [b for b in osr_en.blocks if isinstance(b, Notice)]
    assert [n.tone for n in notices] == ["warning"]
    assert "not an official analysis of Testville" in notices[0].text
    official = summary.osr_document(osr_result(example=False), now=NOW)
    assert not [b for b in official.blocks if isinstance(b, Notice)]


def test_osr_key_table_has_every_year_with_ranges_and_fiscal_rows(osr_en: Document) -> None:
    t = table(osr_en, "Key figures by year")
    assert t.header == ("Figure", "2022", "2023")
    rows = {r[0].text: [c.text for c in r[1:]] for r in t.rows}
    assert rows["Gap"] == ["17,500", "16,500 (15,300–17,700)"]
    assert rows["Collection efficiency"] == ["42.6 %", "45.9 %"]  # 13,000/30,500; 14,000/30,500
    assert rows["Own-source revenue per household"] == ["…", "7.00"]
    assert "Population" in rows  # 2023 has one
    assert t.notes and "brackets" in t.notes[0]


def test_osr_stream_and_part_tables_add_up(osr_en: Document) -> None:
    streams = table(osr_en, "Revenue streams, 2023")
    assert column(streams, "Stream") == ["Property rates", "Market dues", "Total"]
    assert column(streams, "Actual") == ["6,000", "8,000", "14,000"]
    assert column(streams, "Gap") == ["12,000 (10,800–13,200)", "4,500", "16,500 (15,300–17,700)"]
    assert any("record KES 6,100 for Property rates" in n for n in streams.notes)
    parts = table(osr_en, "The gap by part, 2023")
    assert parts.header == ("Stream", "Coverage", "Compliance", "Valuation", "Rate", "Residual")
    assert column(parts, "Valuation") == ["3,000 (2,400–3,600)", "–", "3,000 (2,400–3,600)"]
    assert column(parts, "Compliance") == ["2,000", "2,000", "4,000"]
    assert column(parts, "Residual")[0] == "4,300 (3,700–4,900)"


def test_osr_waterfall_figure_per_year_with_its_steps_in_words(osr_en: Document) -> None:
    figures = osr_en.figures()
    waterfalls = [f for f in figures if f.caption.startswith("From actual to potential")]
    assert [f.caption[:31] for f in waterfalls] == ["From actual to potential revenu"] * 2
    w2023 = waterfalls[1]
    assert "2023" in w2023.caption
    # the alt text walks the steps: 14,000 + 1,500 + 4,000 + 3,000 + 3,200 + 4,800 = 30,500
    assert w2023.alt == (
        "Waterfall chart: Actual revenue 14,000, Coverage 1,500, Compliance 4,000, "
        "Valuation 3,000, Rate 3,200, Residual 4,800, Potential revenue 30,500."
    )
    ends = [(r["key"], r["end"]) for r in w2023.spec["data"]["values"]]
    assert ends[-1] == ("potential", 30500.0)


def test_osr_trends_sensitivity_and_recommendations(osr_en: Document) -> None:
    trends = table(osr_en, "Trends")
    rows = {r[0].text: [c.text for c in r[1:]] for r in trends.rows}
    assert rows["Actual revenue"] == ["13,000", "14,000", "1,000", "7.7 %"]
    assert rows["Gap"] == ["17,500", "16,500", "-1,000", "-5.7 %"]
    assert rows["Collection efficiency"] == ["42.6 %", "45.9 %", "3.3 points", "…"]
    sens = table(osr_en, "The gap of 2023 with each input")
    assert column(sens, "Input") == [
        "Property rates · residential · market value",
        "Market dues · market stalls · users paying",  # the field named, not "users_actual"
    ]
    assert column(sens, "Gap, input −10 %") == ["14,700", "17,300"]
    assert column(sens, "Gap, input at its low value") == ["15,300", "…"]
    assert column(sens, "Elasticity")[0] == "1.09"  # (18,300 − 14,700)/16,500/0.2
    text = osr_en.plain_text()
    assert "depends most on Property rates · residential · market value" in text
    assert "between KES 14,700 and KES 18,300" in text
    assert (
        "Cause: The valuation roll is out of date. Reform: A regular revaluation cycle. "
        "Revenue at stake: KES 3,000 (25.0 % of the stream's gap); horizon: medium"
    ) in text
    assert "Revalue every five years" in text
    cited = [s for s in osr_en.sources.values() if s.title == FVK]
    assert len(cited) == 1 and cited[0].used_by  # the guidance is in the table of sources


def test_osr_input_sources_are_cited_where_their_figures_are(osr_en: Document) -> None:
    by_title = {s.title: s for s in osr_en.sources.values()}
    accounts, census = by_title[SOURCES[0].citation], by_title[SOURCES[1].citation]
    assert census.url == "https://stats.test/c" and "“census”" in census.detail
    streams = table(osr_en, "Revenue streams, 2023")
    assert accounts.key in streams.sources and census.key in streams.sources
    assert osr_en.paragraphs()[0].sources  # the key sentence cites them too
    assert WARNING in osr_en.plain_text()
    assert "Market days counted from the by-law." in osr_en.plain_text()


def test_every_osr_figure_draws() -> None:
    from urbanagenda.synthesis.charts import to_svg

    doc = summary.osr_document(osr_result(), now=NOW)
    kinds = [f.spec["$schema"] for f in doc.figures()]
    assert len(kinds) == 4  # two waterfalls, the trend, the tornado
    for f in doc.figures():
        assert isinstance(f, Figure) and to_svg(f.spec).startswith("<svg")


def test_osr_summary_in_chinese_formats_numbers_the_chinese_way(osr_zh: Document) -> None:
    assert osr_zh.lang == "zh" and osr_zh.title == f"自有来源收入分析：{LG}"
    key = osr_zh.paragraphs()[0].text
    # 14,000 → 1.4万; 30,500 → 3.05万; 16,500 → 1.65万; the currency by its Chinese name
    assert (
        "2023 年，Testville Municipal Council从所分析的 2 个收入来源获得自有来源收入1.4万肯尼亚先令"
        in key
    )
    assert "缺口为1.65万肯尼亚先令，占潜在收入的 54.1%" in key
    t = table(osr_zh, "各年主要数字")
    rows = {r[0].text: [c.text for c in r[1:]] for r in t.rows}
    assert rows["缺口"] == ["1.75万", "1.65万（1.53万–1.77万）"]
    assert column(table(osr_zh, "缺口构成，2023 年"), "估值")[1] == "–"
    # the charts speak Chinese
    wf = next(f for f in osr_zh.figures() if f.caption.startswith("从实际收入到潜在收入，2023"))
    assert wf.spec["data"]["values"][0]["step"] == "实际收入"
    assert "市场价值" in osr_zh.plain_text()  # the sensitivity input's field, in Chinese


def test_a_summary_asked_for_in_french_is_english_with_a_notice() -> None:
    doc = summary.osr_document(osr_result(example=False), lang="fr", now=NOW)
    assert (doc.lang, doc.requested_lang) == ("en", "fr")
    notices = [b for b in doc.blocks if isinstance(b, Notice)]
    assert len(notices) == 1 and "français" in notices[0].text


# -- renderings ----------------------------------------------------------------------------
def test_osr_html_is_strict_html5_and_draws_the_charts() -> None:
    data = summary.summary(osr_result(), fmt="html", now=NOW)
    root = parse_html(data)
    assert root.get("lang") == "en"
    text = "".join(root.itertext())
    assert LG in text and "KES 16,500" in text
    svgs = [e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("svg")]
    assert len(svgs) == 4 and all(s.get("role") == "img" and s.get("aria-label") for s in svgs)


def test_osr_pdf_has_the_local_government_and_the_gap() -> None:
    text = pdf_text(summary.summary(osr_result(), fmt="pdf", now=NOW))
    assert LG in text
    assert "KES 16,500" in text and "16,500 (15,300–17,700)" in text


def test_osr_pdf_in_chinese_has_the_chinese_figures() -> None:
    text = pdf_text(summary.summary(osr_result(), fmt="pdf", lang="zh", now=NOW))
    assert "自有来源收入分析" in text and "1.65万" in text


def test_osr_docx_opens_with_its_headings_and_tables() -> None:
    data = summary.summary(osr_result(), fmt="docx", now=NOW)
    d = docx.Document(io.BytesIO(data))
    headings = docx_headings(d)
    for h in (
        "Key figures",
        "Revenue streams and the gap by part",
        "Trends",
        "Sensitivity of the gap",
        "Causes of the gap and reforms",
        "Method and sources",
    ):
        assert any(h in x for x in headings), (h, headings)  # fmt: skip
    cells = {c.text for t in d.tables for row in t.rows for c in row.cells}
    assert "16,500 (15,300–17,700)" in cells
    assert len(d.inline_shapes) == 4  # the charts, as pictures


# -- the plan summary ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def plan_en() -> Document:
    return summary.plan_document(plan_result(), now=NOW)


def test_plan_summary_paragraph_and_ranking(plan_en: Document) -> None:
    assert plan_en.title == "Capital investment plan: Testville capital plan"
    text = plan_en.paragraphs()[0].text
    # 3 ranked; 2 funded (P1, P3); envelope 200 + 200 = 400; spent 200 + 150 = 350
    assert text.startswith("3 projects were ranked")
    assert "2 of them fit in the envelope of KES 400 for 2026–2027" in text
    assert "costs the city KES 350. Projects not funded: 1." in text
    assert "Need 60 % and Readiness 40 %" in plan_en.paragraphs()[1].text
    ranking = table(plan_en, "Projects by rank")
    assert column(ranking, "Project") == ["Project P1", "Project P2", "Project P3"]
    assert column(ranking, "Score") == ["0.700", "0.680", "0.280"]  # hand-computed above
    assert column(ranking, "City's cost") == ["200", "200", "150"]  # 250 × (1 − 0.2) = 200
    assert column(ranking, "Plan") == ["In the plan", "Not funded", "In the plan"]
    criteria = table(plan_en, "Criterion values")
    assert criteria.header[2:] == ("Need (60 %)", "Readiness (40 %)")
    assert "no indicator data for 11.6" in plan_en.plain_text()


def test_plan_by_year_unfunded_sensitivity_and_needs(plan_en: Document) -> None:
    env = table(plan_en, "Envelope and spending by year")
    # unspent carried: 2026: 200 − 200 = 0; 2027: 0 + 200 − 150 = 50
    assert [[c.text for c in r] for r in env.rows] == [
        ["2026", "200", "200", "0"],
        ["2027", "200", "150", "50.00"],
    ]
    sched = table(plan_en, "Projects in the plan")
    assert column(sched, "Project") == ["1. Project P1", "3. Project P3"]
    text = plan_en.plain_text()
    assert "2. Project P2: takes 2 years, but only 1 is left after 2026" in text
    assert "multiplied by 0.50 and by 1.50" in text and "was 0.50" in text
    assert "need × 1.5: P2 ranks first instead of P1" in text
    needs = table(plan_en, "Indicator needs by target")
    assert column(needs, "Need") == ["0.50", "no data (0.5 used)"]
    series = [s for s in plan_en.sources.values() if s.kind == "series"]
    assert [(s.series_code, s.areas, s.years) for s in series] == [
        ("SP_TRN_PUBL", ("ke_kisumu",), (2020,))
    ]
    assert series[0].key in needs.sources


def test_plan_renders_as_pdf_docx_and_html() -> None:
    result = plan_result()
    text = pdf_text(summary.summary(result, fmt="pdf", now=NOW))
    assert "Testville capital plan" in text and "Project P1" in text
    d = docx.Document(io.BytesIO(summary.summary(result, fmt="docx", now=NOW)))
    headings = docx_headings(d)
    assert any("Ranking of the projects" in h for h in headings)
    root = parse_html(summary.summary(result, fmt="html", lang="zh", now=NOW))
    assert root.get("lang") == "zh-Hans" and "资本投资计划" in "".join(root.itertext())


def test_plan_in_chinese() -> None:
    doc = summary.plan_document(plan_result(), lang="zh", now=NOW)
    assert "按六项标准的加权得分对 3 个项目进行了排序" in doc.paragraphs()[0].text
    assert column(table(doc, "项目排序"), "部门")[0] == "供水和环境卫生"


# -- bad requests and the phrase file --------------------------------------------------------
def test_unknown_format_or_language_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="pdf, docx"):
        summary.summary(osr_result(), fmt="odt")
    with pytest.raises(DataError, match="unknown report language 'de'"):
        summary.summary(osr_result(), fmt="html", lang="de")
    with pytest.raises(DataError, match="OsrResult or a PlanResult"):
        summary.summary(cast(OsrResult, "not a result"), fmt="html")


def test_phrases_have_the_same_keys_in_english_and_chinese() -> None:
    path = resources.files("urbanagenda.synthesis").joinpath("phrases/finance.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) == {"en", "zh"}
    assert set(data["en"]) == set(data["zh"])
    for key, value in data["en"].items():
        if isinstance(value, dict):
            assert set(value) == set(data["zh"][key]), key
    # the charts' words cover every label the chart builders print
    assert set(data["en"]["chart"]) == set(charts.LABELS)


def test_a_one_year_analysis_without_context_leaves_out_what_it_lacks() -> None:
    # one stream, one year: actual 8,000, potential 12,500, gap 4,500; no fiscal context, no
    # sensitivity, no recommendation, no sources
    year = YearResult(2024, (MARKET,), _total((MARKET,)), FISCAL_2022, (), ())
    stream = StreamInput("user_charge_short", "Market dues")
    inp = OsrInput("Smalltown", (YearInput(2024, (stream,)),), "KES")
    doc = summary.osr_document(OsrResult(inp, (year,), ()), now=NOW)
    ids = [h.id for h in doc.headings(1)]
    assert ids == ["key-figures", "streams", "recommendations", "method"]
    text = doc.plain_text()
    assert "a gap of KES 4,500" in text and "lies between" not in text
    assert "per person" not in doc.paragraphs()[0].text and "brackets" not in text
    assert "no part of a stream's gap is large enough" in text
    assert "The input names no sources for its figures." in text
    assert [f.caption for f in doc.figures()] == [
        "From actual to potential revenue, 2024: the gap by part (KES)"
    ]
    assert "Population" not in {r[0].text for r in table(doc, "Key figures").rows}


def test_a_plan_with_nothing_funded_and_no_needs() -> None:
    res = plan_result()
    empty = PlanResult(res.input, res.ranked, (), {s.project.id: "needs 50 more by 2026"
                       for s in res.ranked}, res.envelope_by_year, {}, "budget", (),
                       WeightSensitivity(0.5, {}, 1.0, (), ()))  # fmt: skip
    doc = summary.plan_document(empty, now=NOW)
    text = doc.plain_text()
    assert "0 of them fit" in text and "Projects not funded: 3." in text
    assert "No change of a weight changes the first project" in text
    assert "No indicator needs were used" in text
    env = table(doc, "Envelope and spending by year")
    assert [r[3].text for r in env.rows] == ["200", "400"]  # all unspent, carried over
    assert not [t for t in doc.tables() if t.caption.startswith("Projects in the plan")]
