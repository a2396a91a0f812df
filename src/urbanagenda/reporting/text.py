"""Tokens for indexing and querying, the same on every database: Unicode normalisation
(NFKC, case folding, Latin diacritics and Arabic vowel marks removed), words stemmed by
Snowball (PyStemmer) in the passage's language, Chinese, Japanese and Korean runs as
character bigrams (and single characters), with offsets so snippets can be highlighted.
OWNER: search helper."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Token", "guess_language", "index_tokens", "query_tokens", "tokenize"]


@dataclass(frozen=True, slots=True)
class Token:
    term: str
    start: int
    end: int


def tokenize(text: str, language: str) -> list[Token]:
    raise NotImplementedError


def index_tokens(text: str, language: str) -> str:
    """The space-separated terms stored in ``search_passage.tokens``."""
    raise NotImplementedError


def query_tokens(query: str, language: str | None = None) -> list[str]:
    """The terms of a query (stemmed in ``language`` or, when unknown, in every language
    whose script the query is written in)."""
    raise NotImplementedError


def guess_language(text: str, default: str = "en") -> str:
    """By script: Han → zh, Arabic → ar, Cyrillic → ru; Latin → ``default`` (or en/fr/es
    by stop words when ``default`` is not Latin)."""
    raise NotImplementedError
