"""Full-text search on SQLite (FTS5) and PostgreSQL (tsvector): Chinese and Arabic queries,
stemming, filters, snippets, ranking, removal, hostile queries, and the same hits on both."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from urbanagenda.errors import DataError
from urbanagenda.reporting.model import Document, PassageIn, SearchFilters
from urbanagenda.reporting.search import remove_document, replace_passages, search
from urbanagenda.store import schema as s

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
# the seed document as the package bundles it (src/urbanagenda/data/reporting/reference)
SEED = (
    Path(__file__).resolve().parents[2]
    / "src" / "urbanagenda" / "data" / "reporting" / "reference" / "sg-report-a79-nua-zh.txt"
)  # fmt: skip

# Paragraphs 46 and 49 of the seed (the Secretary-General's report on the NUA, Chinese)
SEED_46 = (
    "人居署根据不让任何人掉队的全系统政策优先事项，继续开展活动，重点是为贫困人口、特别是极端贫困"
    "人口提供适当住房。为应对非正规现象和贫民窟的五个匮乏因素⁴带来的挑战，人居署继续在参与式贫民窟"
    "改造方案下，在40多个国家提供技术援助，帮助直接改善社区环境。2024年完成了全球贫民窟改造状况报"
    "告草案，从而结束了本阶段的方案执行工作。"
)
SEED_45 = (
    "为应对全球废物危机，联合国大会于2022年12月14日通过第77/161号决议，将每年3月30日定为国际零废物"
    "日。"
)
SEED_77 = (
    "2023 年，人居署在可持续发展高级别政治论坛期间提交了关于可持续发展目标 11 的全球进展报告。"
)
ARABIC = (
    "ساهم البرنامج الوطني للقضاء على الأحياء الفقيرة في إعادة إسكان 30 ألف أسرة في مساكن لائقة."
)
ARABIC_VOWELLED = "تَحْسِينُ الأَحْيَاءِ الفَقِيرَةِ في المَدِينَةِ"
FRENCH = (
    "Le programme de résorption des bidonvilles a permis de reloger 12 000 ménages dans un "
    "logement décent."
)
ENGLISH = "Municipal solid waste collection now covers 92% of households in the city."


def make_document(engine: Engine, title: str, *, kind: str = "national_report",
                  country: str | None = "566", area: str | None = None, year: int = 2024,
                  language: str = "en", status: str = "published",
                  is_example: bool = True) -> Document:  # fmt: skip
    with engine.begin() as conn:
        doc_id = conn.execute(
            insert(s.document).values(
                kind=kind,
                title=title,
                country_code=country,
                area_code=area,
                year=year,
                language=language,
                status=status,
                modality=None,
                template_version=None,
                previous_document_id=None,
                current_version=1,
                published_version=1,
                metadata={},
                is_example=is_example,
                created_by=None,
                created_at=T0,
                updated_at=T0,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    return Document(
        id=int(doc_id), kind=kind, title=title, country_code=country, area_code=area,
        year=year, language=language, status=status, modality=None, template_version=None,
        previous_document_id=None, current_version=1, published_version=1,
        is_example=is_example,
    )  # fmt: skip


def index(engine: Engine, document: Document, *passages: tuple[str, str]) -> int:
    with engine.begin() as conn:
        return replace_passages(conn, document, [PassageIn(t, lang) for t, lang in passages])


@pytest.fixture
def corpus(engine: Engine) -> dict[str, Document]:
    seed = make_document(engine, "后续落实《新城市议程》", kind="reference", country=None,
                         language="zh", is_example=False)  # fmt: skip
    arab = make_document(engine, "تقرير وطني", country="818", language="ar")
    fr = make_document(engine, "Rapport national", country="250", language="fr", year=2023)
    lagos = make_document(engine, "Lagos VLR", kind="vlr", area="ng_lagos", year=2022)
    index(engine, seed, (SEED_46, "zh"), (SEED_45, "zh"), (SEED_77, "zh"))
    index(engine, arab, (ARABIC, "ar"), (ARABIC_VOWELLED, "ar"))
    index(engine, fr, (FRENCH, "fr"))
    index(engine, lagos, (ENGLISH, "en"), ("Waste pickers work at the landfill.", "en"))
    return {"seed": seed, "arab": arab, "fr": fr, "lagos": lagos}


def test_chinese_query_finds_the_seed_paragraph_on_slums(engine: Engine, corpus: Any) -> None:
    results = search(engine, "贫民窟")
    assert results.total == 1
    hit = results.hits[0]
    assert hit.document_id == corpus["seed"].id
    assert hit.document_title == "后续落实《新城市议程》"
    assert hit.kind == "reference" and hit.language == "zh" and not hit.is_example
    assert "<mark>贫民窟</mark>" in hit.snippet_html
    assert hit.targets == ("11.1",) and "NUA.TC.1" in hit.commitments
    assert results.terms == ("贫民", "民窟")
    assert results.related_targets == ("11.1",)
    # one character works too; bigrams that do not occur find nothing
    assert search(engine, "窟").total == 1
    assert search(engine, "窟民").total == 0


@pytest.mark.parametrize("query", ["الأحياء الفقيرة", "الاحياء الفقيرة", "الأَحْيَاءِ الفَقِيرَة",
                                   "احياء فقيرة"])  # fmt: skip
def test_arabic_query_with_or_without_vowels_and_alef_forms(
    engine: Engine, corpus: Any, query: str
) -> None:
    results = search(engine, query)
    assert {h.document_id for h in results.hits} == {corpus["arab"].id}
    assert results.total == 2
    assert all("<mark>" in h.snippet_html for h in results.hits)


def test_french_stemming(engine: Engine, corpus: Any) -> None:
    for query in ("logements", "logement", "bidonville", "BIDONVILLES", "resorption"):
        results = search(engine, query)
        assert [h.document_id for h in results.hits] == [corpus["fr"].id], query
    hit = search(engine, "logements bidonvilles", SearchFilters(language="fr")).hits[0]
    assert "<mark>bidonvilles</mark>" in hit.snippet_html
    assert "<mark>logement</mark>" in hit.snippet_html


def test_filters(engine: Engine, corpus: Any) -> None:
    def ids(query: str, **kw: Any) -> set[int]:
        return {h.document_id for h in search(engine, query, SearchFilters(**kw)).hits}

    assert ids("waste") == {corpus["lagos"].id}
    assert ids("waste", kind="vlr", area="ng_lagos", year=2022, country="566") == {
        corpus["lagos"].id
    }
    assert ids("waste", kind="national_report") == set()
    assert ids("waste", year=2023) == set()
    assert ids("waste", target="11.6") == {corpus["lagos"].id}
    assert ids("waste", target="11.1") == set()
    assert ids("waste", commitment="NUA.TC.3") == {corpus["lagos"].id}
    assert ids("废物", language="zh", target="11.6") == {corpus["seed"].id}
    assert ids("废物", language="en") == set()
    with pytest.raises(DataError, match=r"11\.1"):
        search(engine, "waste", SearchFilters(target="11.%"))
    with pytest.raises(DataError, match="commitment"):
        search(engine, "waste", SearchFilters(commitment="% OR 1=1"))


def test_unpublished_documents_are_not_found(engine: Engine) -> None:
    draft = make_document(engine, "Draft", status="draft")
    index(engine, draft, ("Slum upgrading in the draft.", "en"))
    assert search(engine, "slum").total == 0


def test_ranking_three_occurrences_above_one(engine: Engine) -> None:
    doc = make_document(engine, "Ranking")
    index(engine, doc,
          ("The tram line opened in May and carries commuters.", "en"),
          ("Sanitation: sanitation plans, sanitation works, and roads.", "en"),
          ("Roads, bridges and sanitation were financed by the bond.", "en"))  # fmt: skip
    results = search(engine, "sanitation")
    assert results.total == 2
    assert results.hits[0].snippet_html.count("<mark>") == 3
    assert results.hits[0].score > results.hits[1].score > 0


def test_snippet_is_escaped_windowed_and_marked(engine: Engine) -> None:
    doc = make_document(engine, "Snippets")
    words = [f"word{i}" for i in range(200)]
    words[150] = "<b>slums</b>"
    index(engine, doc, (" ".join(words), "en"))
    hit = search(engine, "slum").hits[0]
    assert "&lt;b&gt;<mark>slums</mark>&lt;/b&gt;" in hit.snippet_html
    assert "<b>" not in hit.snippet_html
    assert hit.snippet_html.startswith("…") and hit.snippet_html.endswith("…")
    assert "word145" in hit.snippet_html and "word10 " not in hit.snippet_html
    assert len(hit.snippet_html.split()) <= 32


def test_removal_and_replacement(engine: Engine, corpus: Any) -> None:
    with engine.begin() as conn:
        remove_document(conn, corpus["seed"].id)
    assert search(engine, "贫民窟").total == 0
    assert index(engine, corpus["fr"], ("Le tramway relie les quartiers.", "fr"), ("  ", "fr")) == 1
    assert search(engine, "bidonvilles").total == 0
    assert search(engine, "tramway").total == 1
    with engine.connect() as conn:
        rows = conn.execute(select(s.search_passage.c.ordinal).where(
            s.search_passage.c.document_id == corpus["fr"].id)).all()  # fmt: skip
    assert [r[0] for r in rows] == [0]


@pytest.mark.parametrize(
    "query",
    ['"waste"', 'waste OR "', "waste NEAR(collection, 2)", "wast*", "tokens:waste",
     "waste & !landfill", "waste' OR 1=1 --", "x'); DROP TABLE search_passage; --",
     "waste | households", "(waste", "waste)", "^waste", "waste AND NOT", "-waste",
     "{waste}", "waste:*", "waste <-> households", "\\'waste"],
)  # fmt: skip
def test_hostile_queries_are_plain_words(engine: Engine, corpus: Any, query: str) -> None:
    results = search(engine, query)  # no error from either engine
    assert all(t.isalnum() for t in results.terms)
    assert search(engine, "waste").total == 2  # and nothing was harmed


def test_bad_queries_say_what_to_do(engine: Engine) -> None:
    with pytest.raises(DataError, match="no words"):
        search(engine, " ?! ** ")
    with pytest.raises(DataError, match="at most 200"):
        search(engine, "a" * 201)
    with pytest.raises(DataError, match="21 terms; at most 20"):
        search(engine, " ".join(f"w{i}" for i in range(21)))
    with pytest.raises(DataError, match="limit"):
        search(engine, "waste", limit=0)


def test_paging_and_total(engine: Engine) -> None:
    doc = make_document(engine, "Paging")
    index(engine, doc, *[(f"Housing programme number {i}.", "en") for i in range(7)])
    first = search(engine, "housing", limit=5)
    second = search(engine, "housing", limit=5, offset=5)
    assert first.total == second.total == 7
    assert len(first.hits) == 5 and len(second.hits) == 2
    assert not {h.passage_id for h in first.hits} & {h.passage_id for h in second.hits}


def _seed_paragraphs() -> list[str]:
    return [line for line in SEED.read_text("utf-8").splitlines() if line[:1].isdigit()]


QUERIES = ["贫民窟", "住房", "气候变化", "城市规划", "废物", "公共空间", "الأحياء الفقيرة",
           "logements", "waste collection", "bidonvilles", "城"]  # fmt: skip


def _run(engine: Engine) -> dict[str, Any]:
    seed = make_document(engine, "Seed", kind="reference", country=None, language="zh")
    index(engine, seed, *[(p, "zh") for p in _seed_paragraphs()])
    other = make_document(engine, "Others", language="fr")
    index(engine, other, (ARABIC, "ar"), (FRENCH, "fr"), (ENGLISH, "en"))
    out = {}
    for query in QUERIES:
        results = search(engine, query, limit=100)
        out[query] = {
            "total": results.total,
            "ordinals": sorted(h.passage_id for h in results.hits),
            "top": results.hits[0].passage_id if results.hits else None,
            "snippets": sorted(h.snippet_html for h in results.hits),
        }
    return out


@pytest.mark.postgres
def test_same_hits_on_sqlite_and_postgresql(sqlite_engine: Engine, pg_engine: Engine) -> None:
    lite, pg = _run(sqlite_engine), _run(pg_engine)
    print(json.dumps({q: (v["total"], v["top"]) for q, v in lite.items()}, ensure_ascii=False))
    for query in QUERIES:
        assert lite[query]["total"] == pg[query]["total"], query
        assert lite[query]["ordinals"] == pg[query]["ordinals"], query
        assert lite[query]["snippets"] == pg[query]["snippets"], query
    assert lite["贫民窟"]["total"] >= 4 and lite["城"]["total"] > 40
    # the best hit agrees where one passage clearly leads
    for query in ("贫民窟", "logements", "waste collection", "الأحياء الفقيرة"):
        assert lite[query]["top"] == pg[query]["top"], query


def test_postgres_url_is_set_in_ci() -> None:
    if os.environ.get("CI") == "true":
        assert os.environ.get("URBANAGENDA_TEST_POSTGRES_URL")
