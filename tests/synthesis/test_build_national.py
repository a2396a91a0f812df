"""The national report draft (``synthesis/build/national.py``) against the demo store.

Nigeria (566) is drafted once per language for the module; every figure the tests look for
is read from the store here, not written down, and a changed copy of the demo database must
change the draft.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sqlalchemy import Engine, select, update

from urbanagenda.assess.methods import assess
from urbanagenda.errors import DataError
from urbanagenda.model.areas import load_areas
from urbanagenda.reporting.documents import get_version, list_documents
from urbanagenda.store import schema as s
from urbanagenda.store.engine import open_engine
from urbanagenda.store.query import read_observations
from urbanagenda.synthesis.build.national import (
    country_code,
    markdown_paragraphs,
    trim_paragraphs,
    trim_text,
)
from urbanagenda.synthesis.document import Document, Figure, Heading, List, Paragraph, Table
from urbanagenda.synthesis.generate import build_report
from urbanagenda.synthesis.text import Formatter, Phrases

NIGERIA = "566"
SLUM = "EN_LND_SLUM"
OPEN_SPACE = "EN_URB_OPENSP"
METHOD = "unsd-2024"


@pytest.fixture(scope="module")
def engine(demo_db: str) -> Engine:
    return open_engine(demo_db)


@pytest.fixture(scope="module")
def drafts(engine: Engine) -> dict[str, Document]:
    return {
        lang: build_report(engine, "national", area=NIGERIA, lang=lang) for lang in ("en", "zh")
    }


def _latest(engine: Engine, series: str, area: str) -> pd.Series:
    obs = read_observations(engine, series=[series], areas=[area])
    obs = obs[(obs["sex"] == "_T") & (obs["age"] == "_T") & (obs["breakdown"] == "")]
    return obs.sort_values("year").iloc[-1]


def _table(doc: Document, caption_part: str) -> Table:
    return next(t for t in doc.tables() if caption_part in t.caption)


def _row(table: Table, first: str) -> list[str]:
    return next([c.text for c in r] for r in table.rows if first in (r[0].text, r[1].text))


def _country(lang: str) -> str:
    return load_areas().name(NIGERIA, lang)


def _series_name(lang: str, series: str, doc: Document) -> str:
    src = next(x for x in doc.sources.values() if x.series_code == series)
    return src.title


# ---------------------------------------------------------------------------- cover


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cover_names_the_country_and_says_it_is_a_draft(
    drafts: dict[str, Document], lang: str
) -> None:
    doc = drafts[lang]
    assert doc.kind == "national" and doc.lang == lang
    assert _country(lang) in doc.title
    assert ("Draft national report" in doc.title) if lang == "en" else ("国家报告草稿" in doc.title)
    notices = [b for b in doc.blocks if b.__class__.__name__ == "Notice"]
    assert len(notices) == 1 and notices[0].tone == "warning"  # asked in en/zh: no fallback
    assert ("draft" in notices[0].text) if lang == "en" else ("草稿" in notices[0].text)
    assert "NGA" in doc.symbol
    assert NIGERIA in doc.meta.values() and METHOD in doc.meta.values()
    chapters = [h.text for h in doc.headings(1)]
    assert len(chapters) == 6


# ---------------------------------------------------------------------------- profile


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_profile_region_population_and_cities(
    drafts: dict[str, Document], engine: Engine, lang: str
) -> None:
    doc, fmt = drafts[lang], Formatter(lang)
    text = doc.plain_text()
    region = "Sub-Saharan Africa" if lang == "en" else "撒哈拉以南非洲"
    assert region in text
    pop = _latest(engine, "SP_POP_TOTL", NIGERIA)
    sentence = next(p.text for p in doc.paragraphs() if fmt.people(float(pop["value"])) in p.text)
    assert str(int(pop["year"])) in sentence
    cities = load_areas().members(NIGERIA, "city", "city")
    with_data = read_observations(engine, areas=cities)["area_code"].nunique()
    assert f" {with_data} " in sentence


# ---------------------------------------------------------------------------- indicators


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_slum_share_latest_value_and_year_in_text_and_table(
    drafts: dict[str, Document], engine: Engine, lang: str
) -> None:
    doc, fmt = drafts[lang], Formatter(lang)
    latest = _latest(engine, SLUM, NIGERIA)
    value, year = fmt.pct(float(latest["value"]), 1), int(latest["year"])
    name = _series_name(lang, SLUM, doc)
    row = _row(_table(doc, "11"), name)
    cell = Phrases(lang, "national").t("value_year", value=value, year=year)
    assert row[0] == "11.1.1" and row[3] == cell
    sentence = next(
        p.text for p in doc.paragraphs() if name.lower() in p.text.lower() and value in p.text
    )
    assert f"{year}" in sentence


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_status_is_the_assessment_run_directly(
    drafts: dict[str, Document], engine: Engine, lang: str
) -> None:
    obs = read_observations(engine, series=[SLUM], areas=[NIGERIA])
    obs = obs[(obs["sex"] == "_T") & (obs["age"] == "_T") & (obs["breakdown"] == "")]
    direct = assess(obs, METHOD, language=lang).iloc[0]
    table = _table(drafts[lang], "11")
    row = next(r for r in table.rows if r[1].text == _series_name(lang, SLUM, drafts[lang]))
    assert row[-1].status == direct["status"] and row[-1].text == direct["label"]
    assert any(str(direct["label"]) in p.text for p in drafts[lang].paragraphs())


def test_every_goal_11_series_of_the_country_is_in_the_table(
    drafts: dict[str, Document], engine: Engine
) -> None:
    from urbanagenda.model.catalogue import load_catalogue

    cat = load_catalogue()
    goal11 = {x.code for x in cat.series.values() if any(i in cat.indicators for i in x.indicators)}
    stored = set(read_observations(engine, areas=[NIGERIA])["series_code"]) & goal11
    table = _table(drafts["en"], "11")
    assert {r[1].text for r in table.rows} == {cat.series[c].name for c in stored}


def test_trend_chart_compares_country_region_and_world(
    drafts: dict[str, Document], engine: Engine
) -> None:
    doc = drafts["en"]
    fig = next(f for f in doc.figures() if "slums" in f.caption and "Nigeria" in f.caption)
    rows = fig.spec["data"]["values"]
    assert {r["area"] for r in rows} == {"Nigeria", "Sub-Saharan Africa", "World"}
    store = read_observations(engine, series=[SLUM], areas=[NIGERIA])
    mine = {r["year"]: r["value"] for r in rows if r["area"] == "Nigeria"}
    assert mine == dict(zip(store["year"], store["value"], strict=True))
    assert fig.alt and fig.sources
    assert all(doc.sources[k].series_code == SLUM for k in fig.sources)


# ---------------------------------------------------------------------------- cities


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_city_table_row_matches_the_store(
    drafts: dict[str, Document], engine: Engine, lang: str
) -> None:
    doc, fmt = drafts[lang], Formatter(lang)
    lagos = load_areas().name("ng_lagos", lang)
    table = next(t for t in doc.tables() if t.header[0] == Phrases(lang, "national").t("col_city"))
    latest = _latest(engine, OPEN_SPACE, "ng_lagos")
    column = next(
        i
        for i, h in enumerate(table.header)
        if h.startswith(Phrases(lang, "national").get("city_series")[OPEN_SPACE])
    )
    assert str(int(latest["year"])) in table.header[column]
    assert _row(table, lagos)[column] == fmt.pct(float(latest["value"]), 1)
    assert (
        len(table.rows)
        == read_observations(engine, areas=load_areas().members(NIGERIA, "city", "city"))[
            "area_code"
        ].nunique()
    )


def test_highest_and_lowest_city_come_from_the_store(
    drafts: dict[str, Document], engine: Engine
) -> None:
    areas = load_areas()
    obs = read_observations(
        engine, series=[OPEN_SPACE], areas=areas.members(NIGERIA, "city", "city")
    )
    latest = obs.sort_values("year").groupby("area_code").tail(1).sort_values("value")
    top, bottom = latest.iloc[-1], latest.iloc[0]
    fmt = Formatter("en")
    sentence = next(
        p.text for p in drafts["en"].paragraphs() if "highest" in p.text and "open space" in p.text
    )
    assert f"{areas.name(top['area_code'])} ({fmt.pct(float(top['value']), 1)})" in sentence
    assert f"{areas.name(bottom['area_code'])} ({fmt.pct(float(bottom['value']), 1)})" in sentence
    bars = next(f for f in drafts["en"].figures() if f.spec["layer"][0]["mark"]["type"] == "bar")
    assert len(bars.spec["data"]["values"]) == len(latest)


# ---------------------------------------------------------------------------- library


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_last_national_report_sections_with_a_citation_of_its_version(
    drafts: dict[str, Document], engine: Engine, lang: str
) -> None:
    doc = drafts[lang]
    report = next(
        d
        for d in list_documents(engine, kind="national_report", country_code=NIGERIA)
        if d.published_version
    )
    version = get_version(engine, report.id, report.published_version)
    headings = [h.text for h in doc.blocks if isinstance(h, Heading) and h.id.startswith("report-")]
    names = Phrases(lang, "national").get("report_sections")
    expected = [sec.title if lang == "en" else names[sec.key] for sec in version.sections]
    assert headings == expected
    cited = next(p.text for p in doc.paragraphs() if report.title in p.text)
    assert (
        f"published version {report.published_version}" in cited
        if lang == "en"
        else f"已发布的第 {report.published_version} 版" in cited
    )
    src = next(
        x
        for x in doc.sources.values()
        if x.kind == "document" and x.url == f"/{lang}/reports/{report.id}"
    )
    assert src.used_by
    # the text of the report, read from Markdown: no emphasis marks left, the first words kept
    first = markdown_paragraphs(version.sections[1].narrative)[0]
    quoted = "".join(r.text for r in first)[:60]
    assert any(p.text.startswith(quoted) for p in doc.paragraphs())
    assert not any("**" in p.text or p.text.startswith("*") for p in doc.paragraphs())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_vlr_of_lagos_with_passages_on_targets(
    drafts: dict[str, Document], engine: Engine, lang: str
) -> None:
    vlrs = [
        d
        for d in list_documents(engine, kind="vlr", country_code=NIGERIA)
        if d.area_code == "ng_lagos"
    ]
    if not vlrs:
        pytest.skip("the demo library has no VLR of Lagos")
    vlr, doc = vlrs[0], drafts[lang]
    text = doc.plain_text()
    assert vlr.title in text and f"/{lang}/vlrs/{vlr.id}" in text
    p = s.search_passage
    with engine.connect() as conn:
        tagged = conn.execute(
            select(p.c.targets, p.c.text).where(
                p.c.document_id == vlr.id, p.c.targets.like("% 11.2 %")
            )
        ).first()
    assert tagged is not None
    items = [
        "".join(getattr(i, "text", "") for i in item)
        for b in doc.blocks
        if isinstance(b, List)
        for item in b.items
    ]
    transport = next(i for i in items if "11.2" in i)
    assert transport.split("：" if lang == "zh" else ": ", 1)[1][:50] == tagged.text[:50]


def test_a_country_without_library_documents_says_so(engine: Engine) -> None:
    doc = build_report(engine, "national", area="NER", lang="en")  # Niger: no report, no VLR
    text = doc.plain_text()
    assert "No national report of Niger is published" in text
    assert "No voluntary local review of a city of Niger" in text


# ---------------------------------------------------------------------------- sources


def test_every_cited_source_exists_and_sources_name_their_data(drafts: dict[str, Document]) -> None:
    for doc in drafts.values():
        for b in doc.blocks:
            for key in getattr(b, "sources", ()):
                assert key in doc.sources and b.id in doc.sources[key].used_by
        kinds = {x.kind for x in doc.sources.values()}
        assert {"series", "assessment", "document"} <= kinds
        slum = next(x for x in doc.sources.values() if x.series_code == SLUM and NIGERIA in x.areas)
        assert slum.years and ("load" in slum.detail or "批载入" in slum.detail)
        assessment = next(x for x in doc.sources.values() if x.kind == "assessment")
        assert METHOD in assessment.title
        numbered = [b for b in doc.blocks if isinstance(b, Paragraph) and b.number]
        assert [b.number for b in numbered] == list(range(1, len(numbered) + 1))
        assert all(isinstance(f, Figure) and f.alt for f in doc.figures())


def test_chinese_draft_is_written_in_chinese(drafts: dict[str, Document]) -> None:
    doc = drafts["zh"]
    generated = [p.text for p in doc.paragraphs() if p.number]
    assert generated and all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in generated)
    own = [  # paragraphs that quote no library document (whose titles are in English)
        p.text
        for p in doc.paragraphs()
        if p.number and all(doc.sources[k].kind != "document" for k in p.sources)
    ]
    assert own and not any(" the " in t or " of " in t for t in own)
    assert "2.3 万" not in doc.plain_text() and "5,246.59万" not in doc.plain_text()


def test_phrases_have_the_same_keys_in_both_languages() -> None:
    from importlib import resources

    path = resources.files("urbanagenda.synthesis").joinpath("phrases/national.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data["en"]) == set(data["zh"])
    for key, value in data["en"].items():
        if isinstance(value, dict):
            assert set(value) == set(data["zh"][key]), key
        if isinstance(value, list):
            assert len(value) == len(data["zh"][key]), key


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("XYZ", ["unknown area code 'XYZ'", "urbanagenda areas"]),
        ("202", ["'202' is a sdg region (Sub-Saharan Africa), not a country", "--parent 202"]),
        ("ng_lagos", ["'ng_lagos' is a city (Lagos) in Nigeria", "--area 566"]),
        ("", ["needs a country"]),
    ],
)
def test_bad_area_is_a_data_error_saying_how_to_fix_it(
    engine: Engine, given: str, says: list[str]
) -> None:
    with pytest.raises(DataError) as caught:
        build_report(engine, "national", area=given or None, lang="en")
    for part in says:
        assert part in str(caught.value)


def test_iso_codes_name_the_country() -> None:
    assert country_code("NGA") == country_code("ng") == country_code(" 566 ") == NIGERIA


# ---------------------------------------------------------------------------- data change


def test_a_change_in_the_data_changes_the_draft(demo_db: str, tmp_path: Path) -> None:
    copy = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_db.removeprefix("sqlite:///"), copy)
    engine = open_engine(f"sqlite:///{copy}")
    before = _latest(engine, SLUM, NIGERIA)
    o, v = s.observation, s.observation_value  # stored in observation_value, read via the view
    with engine.begin() as conn:
        conn.execute(
            update(v)
            .where(
                v.c.id.in_(
                    select(o.c.id).where(
                        o.c.series_code == SLUM,
                        o.c.area_code == NIGERIA,
                        o.c.year == int(before["year"]),
                    )
                )
            )
            .values(value=12.345)
        )
        conn.execute(
            update(v)
            .where(
                v.c.id.in_(
                    select(o.c.id).where(o.c.series_code == OPEN_SPACE, o.c.area_code == "ng_lagos")
                )
            )
            .values(value=77.7)
        )
    doc = build_report(engine, "national", area=NIGERIA, lang="fr")  # falls back to English
    engine.dispose()
    assert doc.lang == "en" and doc.requested_lang == "fr"
    assert any("français" in getattr(b, "text", "") for b in doc.blocks[:2])
    fmt = Formatter("en")
    row = _row(_table(doc, "11"), _series_name("en", SLUM, doc))
    assert row[3] == f"12.3 % ({int(before['year'])})"
    assert fmt.pct(float(before["value"]), 1) not in row[3]
    cities = next(t for t in doc.tables() if t.header[0] == "City")
    assert "77.7 %" in _row(cities, "Lagos")
    assert any("highest in Lagos (77.7 %)" in p.text for p in doc.paragraphs())


# ---------------------------------------------------------------------------- text helpers


def test_markdown_becomes_paragraphs_of_runs() -> None:
    paras = markdown_paragraphs(
        "*Example* only.\n\n## Housing\n\nText with **bold**.\n\n- one\n- two\n"
    )
    texts = ["".join(r.text for r in p) for p in paras]
    assert texts == ["Example only.", "Housing", "Text with bold.", "• one", "• two"]
    assert paras[0][0].italic and paras[1][0].bold and paras[2][1].bold


def test_trimming_cuts_at_a_sentence_end_not_inside_a_number() -> None:
    text = "Land use fell from 2.1 in 2010 to 1.18 in 2020. " * 3 + "The rest goes on and on."
    cut = trim_text(text, 110)
    assert cut.endswith("2020. …") and "1. …" not in cut
    paras = markdown_paragraphs("A.\n\nB.\n\nC.")
    kept, rest = trim_paragraphs(paras, 4)
    assert len(kept) == 2 and rest == 1
