"""Tokens for search: normalisation, stemming, CJK bigrams, offsets, query groups."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from urbanagenda.reporting.text import (
    Token,
    guess_language,
    index_tokens,
    normalise,
    query_terms,
    query_tokens,
    tokenize,
)

MIXED = (
    "Les logements informels à Paris — 贫民窟改造 2030年; الأَحْيَاءُ الفقيرة ـــ "
    "трущобы ﬁnal Ötzi naïve snake_case e1 1e5 3a 한국어 日本語のテキスト ١٢٣"
)


def test_normalisation_folds_case_width_latin_diacritics_and_arabic_marks() -> None:
    assert normalise("ÉTÉ Ｆｕｌｌ ﬁ ß") == "ete full fi ss"
    # tashkeel and tatweel go, hamza alef forms become bare alef, ta marbuta stays
    assert normalise("الأَحْيَاءُ إسكان آمن مـــدينة") == "الاحياء اسكان امن مدينة"
    assert normalise("٢٠٣٠ ۱۱") == "2030 11"
    # marks of other scripts stay: they change the letter there
    assert normalise("й が") == "й が"


def test_stems_follow_the_passage_language_and_the_script() -> None:
    assert index_tokens("Les logements", "fr") == "le log"
    assert index_tokens("housing slums", "en") == "hous slum"
    assert index_tokens("viviendas tugurios", "es") == "viviend tuguri"
    # Arabic and Cyrillic words use their script's stemmer whatever the language
    assert index_tokens("المدينة трущобы", "en") == "مدين трущоб"
    # no stemmer for Italian: words stay as they are
    assert index_tokens("abitazioni", "it") == "abitazioni"
    # diacritics go before stemming, so typing without accents finds the same stem
    assert index_tokens("établissements", "fr") == index_tokens("etablissements", "fr")


def test_cjk_runs_give_characters_and_bigrams_with_offsets() -> None:
    assert index_tokens("贫民窟改造", "zh") == "贫 民 窟 改 造 贫民 民窟 窟改 改造"
    tokens = tokenize("在贫民窟。", "zh")
    assert Token("贫民", 1, 3) in tokens and Token("民窟", 2, 4) in tokens
    assert all(t.term != "。" for t in tokens)


def test_offsets_point_into_the_original_text() -> None:
    source = "Ｌｏｇｅｍｅｎｔｓ naïve ﬁn e\u0301te الأَحْيَاء"
    for token in tokenize(source, "fr"):
        piece = source[token.start : token.end]
        assert normalise(piece).replace(" ", "")  # a real piece of the word
    words = [(source[t.start : t.end], t.term) for t in tokenize(source, "fr")]
    assert words[0] == ("Ｌｏｇｅｍｅｎｔｓ", "log")
    assert words[1] == ("naïve", "naiv")
    assert words[3] == ("e\u0301te", "ete")  # decomposed é kept whole
    assert words[4] == ("الأَحْيَاء", "احياء")


def test_terms_are_letters_and_digits_only() -> None:
    terms = index_tokens(MIXED, "fr").split()
    assert terms and all(t.isalnum() for t in terms)
    assert index_tokens("snake_case", "it") == "snake case"  # underscore splits


def test_query_groups_or_the_stems_of_every_latin_language_when_unknown() -> None:
    assert query_terms("logements") == [("logements", "logement", "log")]
    assert query_terms("logements", "fr") == [("logements", "log")]
    assert query_terms("贫民窟") == [("贫民",), ("民窟",)]
    assert query_terms("城") == [("城",)]
    # stop words leave a query that has other words, not one that has none
    assert query_terms("the housing of the poor", "en") == [("housing", "hous"), ("poor",)]
    assert query_terms("the", "en") == [("the",)]
    assert query_tokens("贫民窟 logements", "fr") == ["贫民", "民窟", "logements", "log"]


@pytest.mark.parametrize(
    "query",
    ['"slum" OR housing', "slum NEAR(a b)", "slu*", "tokens:slum", "a & b | !c",
     "x'); DROP TABLE search_passage; --", "^slum", "(slum", "slum)"],
)  # fmt: skip
def test_query_operators_and_sql_become_plain_words(query: str) -> None:
    for group in query_terms(query):
        assert all(term.isalnum() for term in group)


def test_punctuation_only_query_has_no_terms() -> None:
    assert query_terms("*** ??? ---") == []


def test_guess_language_by_script_then_stop_words() -> None:
    assert guess_language("贫民窟改造") == "zh"
    assert guess_language("日本語のテキスト") == "ja"
    assert guess_language("الأحياء الفقيرة") == "ar"
    assert guess_language("трущобы") == "ru"
    assert guess_language("le logement des familles", default="zh") == "fr"
    assert guess_language("la vivienda de los pobres", default="ar") == "es"
    assert guess_language("the housing of the poor", default="ru") == "en"
    assert guess_language("le logement des familles", default="en") == "en"
    assert guess_language("12 345", default="fr") == "fr"


@pytest.mark.postgres
def test_postgresql_simple_parser_keeps_every_term_whole() -> None:
    url = os.environ.get("URBANAGENDA_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("needs URBANAGENDA_TEST_POSTGRES_URL")
    engine = create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    tokens = index_tokens(MIXED, "fr")
    with engine.connect() as conn:
        lexemes = conn.execute(
            text("SELECT array(SELECT lexeme FROM unnest(to_tsvector('simple', :t)))"),
            {"t": tokens},
        ).scalar_one()
        probe = conn.execute(
            text("SELECT array(SELECT lexeme FROM unnest(to_tsvector('simple', :t)))"),
            {"t": "贫民 民窟 سكن"},
        ).scalar_one()
    engine.dispose()
    assert sorted(lexemes) == sorted(set(tokens.split()))
    assert sorted(probe) == sorted(["贫民", "民窟", "سكن"])
