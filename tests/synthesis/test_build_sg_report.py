"""The Secretary-General's report built from the demo store (its seed records, data, library).

Golden facts come from the seed report the records cite (second session of the Assembly, 132
member States, 5-9 June 2023, 10 resolutions; income of USD 223 million in 2023, +13 %; the
programme figures of section IV.A), each footnoted with its paragraph.  A copy of the demo
database with changed records proves the numbers are read at build time; another with no
records shows the plain notice instead of sections II-IV.  The slow, method-free part of the
SDG 11 assessment (``headline_values``) is computed once and shared by every build.
"""

from __future__ import annotations

import sqlite3
import string
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from sqlalchemy import Engine, delete, insert, update

from urbanagenda.reporting.documents import list_documents
from urbanagenda.store import schema as s
from urbanagenda.store.engine import open_engine
from urbanagenda.synthesis.build.sg_report import build_sg_report
from urbanagenda.synthesis.document import Document, Figure, Heading, NoteRef, Notice, Paragraph
from urbanagenda.synthesis.generate import BuildContext
from urbanagenda.synthesis.text import resolve_language

RECORD_TABLES = (
    s.contribution,
    s.funding,
    s.programme_result,
    s.programme,
    s.gov_outcome,
    s.gov_session,
    s.gov_body,
)


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _copy(url: str, dest: Path) -> Engine:
    """A copy of the demo database (never written to) through SQLite's backup API."""
    with sqlite3.connect(_path(url)) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    return open_engine(f"sqlite:///{dest}")


def _build(engine: Engine, lang: str, headline: dict[str, pd.DataFrame]) -> Document:
    text_lang, notice = resolve_language(lang)
    return build_sg_report(BuildContext(engine, text_lang, lang, notice), headline=headline)


@pytest.fixture(scope="module")
def doc_en(demo_engine: Engine, headline: dict[str, pd.DataFrame]) -> Document:
    return _build(demo_engine, "en", headline)


@pytest.fixture(scope="module")
def doc_zh(demo_engine: Engine, headline: dict[str, pd.DataFrame]) -> Document:
    return _build(demo_engine, "zh", headline)


@pytest.fixture(scope="module")
def changed(
    demo_db: str, headline: dict[str, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> Document:
    """Asked for in French (English with the notice), from a copy whose records changed:
    140 member States, and total income of USD 200 million (2022) and 250 million (2023)."""
    engine = _copy(demo_db, tmp_path_factory.mktemp("sg-changed") / "changed.sqlite")
    with engine.begin() as conn:
        conn.execute(
            update(s.gov_session)
            .where(s.gov_session.c.code == "UNHA-2")
            .values(member_states_count=140)
        )
        conn.execute(
            update(s.funding)
            .where(s.funding.c.year == 2023, s.funding.c.channel == "total")
            .values(amount_usd=250e6)
        )
        conn.execute(
            insert(s.funding).values(
                year=2022,
                channel="total",
                amount_usd=200e6,
                source_doc="SG-A79-NUA-2024",
                source_para="14",
            )
        )
    doc = _build(engine, "fr", headline)
    engine.dispose()
    return doc


@pytest.fixture(scope="module")
def empty(
    demo_db: str, headline: dict[str, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> Document:
    engine = _copy(demo_db, tmp_path_factory.mktemp("sg-empty") / "empty.sqlite")
    with engine.begin() as conn:
        for table in RECORD_TABLES:
            conn.execute(delete(table))
    doc = _build(engine, "en", headline)
    engine.dispose()
    return doc


def _para(doc: Document, needle: str) -> Paragraph:
    found = [p for p in doc.paragraphs() if needle in p.text]
    assert found, f"no paragraph with {needle!r}"
    return found[0]


def _notes(doc: Document, p: Paragraph) -> list[str]:
    return [doc.footnotes[i.number - 1].text for i in p.inlines if isinstance(i, NoteRef)]


# --------------------------------------------------------------------------- structure


def test_cover_and_un_structure(doc_en: Document, doc_zh: Document) -> None:
    assert doc_en.kind == doc_zh.kind == "sg-report"
    assert doc_en.title == (
        "Follow-up to the implementation of the New Urban Agenda and strengthening of UN-Habitat"
    )
    assert doc_zh.title == "后续落实《新城市议程》和加强联合国人类住区规划署(人居署)"
    assert (doc_en.subtitle, doc_zh.subtitle) == ("Report of the Secretary-General", "秘书长的报告")
    # the reporting period: the earliest and latest dated records (held sessions, results)
    # the period the seed says it covers (July 2022 - June 2024), stored with its source
    assert doc_en.meta["Reporting period"] == "1 July 2022 – 30 June 2024"
    assert doc_zh.meta["报告所述期间"] == "2022年7月1日至2024年6月30日"
    chapters = [(h.label, h.id) for h in doc_en.headings(1)]
    assert chapters == [
        ("", "summary"),
        ("I.", "introduction"),
        ("II.", "governance"),
        ("III.", "finance"),
        ("IV.", "programmes"),
        ("V.", "monitoring"),
    ]
    assert [h.label for h in doc_zh.headings(1)] == [label for label, _ in chapters]
    gov = [h.text for h in doc_en.headings(2) if h.level == 2][:4]
    assert gov == [
        "Background to the governance structure",
        "United Nations Habitat Assembly",
        "Executive Board of UN-Habitat",
        "Committee of Permanent Representatives to UN-Habitat",
    ]


def test_paragraphs_numbered_throughout_summary_not(doc_en: Document, doc_zh: Document) -> None:
    for doc in (doc_en, doc_zh):
        paras = doc.paragraphs()
        assert paras[0].number is None  # the summary
        numbers = [p.number for p in paras[1:]]
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) > 30
        assert [f.number for f in doc.footnotes] == list(range(1, len(doc.footnotes) + 1))
    # the same facts in both languages: as many paragraphs, tables and figures
    assert len(doc_en.paragraphs()) == len(doc_zh.paragraphs())
    assert len(doc_en.tables()) == len(doc_zh.tables()) == 7
    assert len(doc_en.figures()) == len(doc_zh.figures()) == 2


def test_summary_counts(doc_en: Document, doc_zh: Document) -> None:
    en = doc_en.paragraphs()[0].text
    assert "6 sessions and meetings of the governing bodies" in en
    # adopted: 10 resolutions + 1 declaration + decisions 2/1, 2/2 and 2023/4 (drafts not)
    assert "14 resolutions, decisions and declarations" in en
    assert "the results of 13 global programmes" in en
    zh = doc_zh.paragraphs()[0].text
    assert "人居署理事机构举行的6次会议" in zh and "13个全球方案的成果" in zh


# --------------------------------------------------------------------------- II. governance


def test_assembly_session_golden(doc_en: Document, doc_zh: Document) -> None:
    en = _para(doc_en, "member States participated")
    assert en.text.startswith(
        "132 member States participated in the second session of the United Nations Habitat "
        "Assembly, held in Nairobi on 5–9 June 2023."
    )
    assert "10 resolutions (by consensus), 1 declaration and 2 decisions were adopted" in en.text
    assert "resolution 2/10 on equitable financing" in en.text
    assert "the ministerial declaration entitled “A sustainable urban future through" in en.text
    notes = _notes(doc_en, en)
    assert len(notes) == 1 and notes[0].startswith("Source: Follow-up to the implementation")
    assert notes[0].endswith("paras. 3, 6, 7, 17 and 81.")  # the session and its outcomes
    zh = _para(doc_zh, "个会员国参加了")
    assert zh.text.startswith(
        "在本报告所述期间，132个会员国参加了2023年6月5日至9日在内罗毕举行的联合国人居大会第二届会议。"
    )
    assert "联合国人居大会在该届会议上通过了10项决议（以协商一致方式）" in zh.text
    assert "关于公平筹资的第 2/10 号决议" in zh.text
    assert "在全球危机时代实现可持续发展目标”的部长级宣言" in zh.text
    (note,) = _notes(doc_zh, zh)
    # the Chinese title of the seed (the library's copy of it) and the paragraphs
    assert note.startswith("资料来源：秘书长的报告：后续落实《新城市议程》")
    assert note.endswith("第3、6、7、17、81段。")


def test_planned_sessions_in_the_future_tense(doc_en: Document, doc_zh: Document) -> None:
    assert (
        _para(doc_en, "resumed second session").text
        == "The resumed second session of the United Nations Habitat Assembly will be held on "
        "29–30 May 2025."
    )
    assert "将于2025年5月29日至30日举行" in _para(doc_zh, "续会").text
    board = _para(doc_en, "Executive Board of UN-Habitat met on")
    assert "21–23 November 2022, 28–29 March 2023, 28–30 November 2023 and 6–8 May 2024" in (
        board.text
    )
    assert _notes(doc_en, board)[0].endswith("para. 9.")
    assert "will be held on 4–6 December 2024" in _para(doc_en, "4–6 December 2024").text


def test_committee_drafts_and_board_decision(doc_en: Document, doc_zh: Document) -> None:
    cpr = _para(doc_en, "draft resolutions")
    assert "10 draft resolutions, 1 draft declaration and 5 draft decisions" in cpr.text
    assert "(see HSP/OECPR.2023/2 and HSP/OECPR.2023/3)" in cpr.text
    assert _notes(doc_en, cpr)[0].endswith("paras. 11 and 12.")
    assert "10项决议草案、1项宣言草案和5项决定草案" in _para(doc_zh, "决议草案").text
    eb = _para(doc_en, "decision 2023/4")
    assert eb.text.startswith("In 2023, the Executive Board of UN-Habitat adopted decision 2023/4")
    assert "(see HSP/EB.2023/23)" in eb.text and _notes(doc_en, eb)[0].endswith("para. 16.")


def test_governance_tables(doc_en: Document, doc_zh: Document) -> None:
    sessions, outcomes = doc_en.tables()[:2]
    assert sessions.header == (
        "Body",
        "Session",
        "Dates",
        "Place",
        "Member States",
        "Outcomes",
        "Status",
    )
    unha = next(r for r in sessions.rows if r[4].value == 132)
    assert [c.text for c in unha[2:]] == [
        "5–9 June 2023",
        "Nairobi",
        "132",
        "10 resolutions, 1 declaration, 2 decisions",
        "held",
    ]
    assert len(sessions.rows) == 8
    assert sum(r[-1].text == "planned" for r in sessions.rows) == 2
    numbered = {r[0].text: r for r in outcomes.rows}
    assert numbered["resolution 2/10"][-1].text == "adopted"
    assert numbered["resolution 2/1"][-1].text == "in progress"  # para 81
    assert numbered["resolution 2/1"][3].text == "smart cities"
    assert "10 resolutions" in numbered
    zh_numbered = {r[0].text for r in doc_zh.tables()[1].rows}
    assert {"第2/10号决议", "第2023/4号决定", "10项决议"} <= zh_numbered
    assert sessions.sources and all(doc_en.sources[k].kind == "record" for k in sessions.sources)


# --------------------------------------------------------------------------- III. finance


def test_income_and_growth_as_published(doc_en: Document, doc_zh: Document) -> None:
    en = _para(doc_en, "total income from all sources increased")
    assert en.text == (
        "In 2023, total income from all sources increased by 13 % over the previous year, "
        "to USD 223 million."
    )
    source, how = _notes(doc_en, en)
    assert source.endswith("paras. 14 and 92.")
    assert how.startswith("Change as published in the source")  # no 2022 total in the store
    zh = _para(doc_zh, "所有收入来源的总收入")
    assert zh.text == "2023年，所有收入来源的总收入比上一年增加13%，达到2.23亿美元。"
    assert _notes(doc_zh, zh)[0].endswith("第14、92段。")
    foundation = _para(doc_en, "non-earmarked income")
    assert "In 2022, non-earmarked income" in foundation.text
    assert "tripled over the previous year, to USD 7.36 million" in foundation.text
    assert "比上一年增加两倍，达到736万美元" in _para(doc_zh, "非专用预算收入").text
    assert "received contributions from 30 contributors" in _para(doc_en, "30 contributors").text
    channels = _para(doc_en, "funded through")
    assert channels.text.startswith("UN-Habitat is funded through 4 channels: (a) the United")
    assert _notes(doc_en, channels)[0].endswith("para. 14.")


def test_funding_table_and_chart(doc_en: Document) -> None:
    table = next(t for t in doc_en.tables() if t.caption.startswith("Income of UN-Habitat"))
    rows = [[c.text for c in r] for r in table.rows]
    assert ["2023", "Total", "USD 223 million", "13 % (as published)", "—"] in rows
    assert ["2023", "Foundation, non-earmarked", "—", "—", "30"] in rows
    fig = next(f for f in doc_en.figures() if "Income" in f.caption)
    values = sorted(v["value"] for v in fig.spec["data"]["values"])
    assert values == [7.36, 223.0]
    assert "USD 223 million" in fig.alt


# --------------------------------------------------------------------------- IV. programmes


def test_programme_paragraphs(doc_en: Document, doc_zh: Document) -> None:
    psup = _para(doc_en, "Participatory Slum Upgrading Programme")
    assert psup.text.startswith(
        "The Participatory Slum Upgrading Programme has supported 15 million people"
    )
    assert "Over the past 14 years, the programme has worked in more than 40 countries" in (
        psup.text
    )
    assert _notes(doc_en, psup)[0].endswith("para. 21.")
    assert "The Safer Cities Programme has supported more than 100 million people" in (
        _para(doc_en, "Safer Cities").text
    )
    assert "nearly 220 million people" in _para(doc_en, "Waste Wise").text
    assert "about 50 million people" in _para(doc_en, "Water Operators").text
    zh = _para(doc_zh, "参与式贫民窟改造方案")
    assert zh.text.startswith("参与式贫民窟改造方案为1500万人提供了支持")
    assert "在40多个国家开展工作" in zh.text
    assert "近2.2亿人" in _para(doc_zh, "智慧减废城市方案").text
    assert "约5000万人" in _para(doc_zh, "全球水运营商伙伴关系联盟").text
    # 多 after round numbers only: "超过64个国家" (seed para 27), "在39个国家200多个城市"
    assert "超过64个国家" in _para(doc_zh, "国家城市政策方案").text
    assert "在39个国家200多个城市开展工作" in _para(doc_zh, "城市基本服务信托基金").text


def test_programme_table_and_chart(doc_en: Document) -> None:
    table = next(t for t in doc_en.tables() if "global programmes" in t.caption)
    assert table.header[:3] == ("Programme", "People reached", "Countries")
    psup = next(r for r in table.rows if r[0].text == "Participatory Slum Upgrading Programme")
    assert (psup[1].text, psup[1].value) == ("15 million", 15e6)
    assert psup[-1].text == "14 years"
    fig = next(f for f in doc_en.figures() if "People reached" in f.caption)
    data = fig.spec["data"]["values"]
    assert data[0] == {
        "label": "Waste Wise Cities Programme",
        "value": 220.0,
        "text": "nearly 220 million",
    }
    assert len(data) == 9  # the programmes with people reached


# --------------------------------------------------------------------------- V. monitoring


def test_sdg11_progress(doc_en: Document, doc_zh: Document) -> None:
    lead = _para(doc_en, "By the unsd-2024 assessment of the World values")
    assert "the 10 SDG 11 targets stand as follows" in lead.text
    assert "furthest from the target" in lead.text
    kinds = {doc_en.sources[k].kind for k in lead.sources}
    assert kinds == {"series", "assessment"}
    assert "EN_LND_SLUM" in {doc_en.sources[k].series_code for k in lead.sources}
    assert "Without major shifts" in _para(doc_en, "Stagnating or regressing").text
    table = next(t for t in doc_en.tables() if t.caption.startswith("Status of the targets"))
    assert table.header[:3] == ("Target", "World", "Sub-Saharan Africa")
    assert next(r[0].text for r in table.rows) == "11.1 housing and slums"
    assert any(c.status for r in table.rows for c in r[1:])
    assert (
        "撒哈拉以南非洲" in next(t for t in doc_zh.tables() if "具体目标的状况" in t.caption).header
    )


def test_reports_and_vlrs_by_region_and_year(doc_en: Document, demo_engine: Engine) -> None:
    nr = list_documents(demo_engine, kind="national_report", status="published")
    vlr = list_documents(demo_engine, kind="vlr", status="published")
    para = _para(doc_en, "The reporting library holds")
    assert f"holds {len(nr)} published national reports" in para.text
    assert f"It also holds {len(vlr)} published voluntary local reviews" in para.text
    assert "Sub-Saharan Africa (" in para.text
    examples = sum(d.is_example for d in [*nr, *vlr])
    assert _notes(doc_en, para) == [
        f"{examples} of these documents are examples written for the urbanagenda "
        "demonstration, not official documents of the governments they are about."
    ]
    t_nr, t_vlr = (t for t in doc_en.tables() if t.caption.endswith("by SDG region and year"))
    assert t_nr.rows[-1][0].text == "Total" and t_nr.rows[-1][-1].value == len(nr)
    assert t_vlr.rows[-1][-1].value == len(vlr)
    years = sorted({d.year for d in vlr if d.year})
    assert t_vlr.header == ("SDG region", *(str(y) for y in years), "Total")
    # each region row adds up
    for row in t_vlr.rows:
        assert sum(c.value or 0 for c in row[1:-1]) == row[-1].value
    docs = [doc_en.sources[k] for k in para.sources]
    assert {d.kind for d in docs} == {"document"}


def test_sources_table(doc_en: Document, doc_zh: Document) -> None:
    records = [src for src in doc_en.sources.values() if src.kind == "record"]
    assert len(records) == 1
    (rec,) = records
    assert rec.detail.startswith("SG-A79-NUA-2024. Paragraphs used: paras. 3, 5, 6, 7, 8, 9")
    assert rec.used_by and all(src.used_by for src in doc_en.sources.values())
    kinds = {src.kind for src in doc_en.sources.values()}
    assert kinds == {"record", "series", "assessment", "document"}
    zh_rec = next(src for src in doc_zh.sources.values() if src.kind == "record")
    assert zh_rec.title.startswith("秘书长的报告") and "第3、5、6、7、8、9、" in zh_rec.detail


def test_phrases_same_keys() -> None:
    path = resources.files("urbanagenda.synthesis").joinpath("phrases/sg_report.yaml")
    data: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    en, zh = data["en"], data["zh"]
    assert set(en) == set(zh)
    for key, value in en.items():
        if isinstance(value, dict):
            assert set(value) == set(zh[key]), key
        if isinstance(value, str):
            # the same values are passed in both languages; Chinese may name the body where
            # English uses the passive
            assert _fields(zh[key]) - _fields(value) <= {"body"}, key
            assert _fields(value) - _fields(zh[key]) == set(), key


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# --------------------------------------------------------------------------- data changes


def test_changed_records_change_the_report(changed: Document, doc_en: Document) -> None:
    assert changed.lang == "en" and changed.requested_lang == "fr"
    notice = next(b for b in changed.blocks if isinstance(b, Notice))
    assert "français" in notice.text
    session = _para(changed, "member States participated")
    assert session.text.startswith("140 member States participated")
    assert "132 member States" not in changed.plain_text()
    # both years' totals are in the store: the growth is computed (250 / 200 - 1 = 25 %)
    income = _para(changed, "total income from all sources increased")
    assert income.text == (
        "In 2023, total income from all sources increased by 25 % over the previous year, "
        "to USD 250 million."
    )
    assert _notes(changed, income)[1] == (
        "Change computed from the amounts for 2022 (USD 200 million) and 2023 (USD 250 million)."
    )
    table = next(t for t in changed.tables() if t.caption.startswith("Income of UN-Habitat"))
    assert ["2023", "Total", "USD 250 million", "25 %", "—"] in [
        [c.text for c in r] for r in table.rows
    ]
    assert changed.plain_text() != doc_en.plain_text()


def test_no_records_says_so(empty: Document) -> None:
    notices = [b for b in empty.blocks if isinstance(b, Notice)]
    assert len(notices) == 3  # sections II, III and IV
    assert all(
        n.text == "No institutional records are loaded; load them with `urbanagenda records load`."
        for n in notices
    )
    # the record sections hold nothing else; monitoring is still there
    blocks = empty.blocks
    start = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.label == "II.")
    end = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.label == "V.")
    assert all(isinstance(b, Heading | Notice) for b in blocks[start:end])
    assert not [src for src in empty.sources.values() if src.kind == "record"]
    assert any(isinstance(b, Figure) for b in blocks) is False
    assert _para(empty, "By the unsd-2024 assessment")
    assert "No institutional records are loaded, so sections II to IV are empty" in (
        empty.paragraphs()[2].text
    )
