"""Full-text search over the passages of public documents, ranked, with highlighted
snippets and filters; the same hits on SQLite (FTS5) and PostgreSQL (tsvector + GIN)
because both index the terms of :mod:`urbanagenda.reporting.text`.  OWNER: search helper."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine

from urbanagenda.reporting.model import Document, PassageIn, SearchFilters, SearchResults

__all__ = ["remove_document", "replace_passages", "search"]


def replace_passages(conn: Connection, document: Document, passages: Sequence[PassageIn],
                     *, version: int | None = None) -> int:  # fmt: skip
    """Replace the document's indexed passages (tagging each) inside the caller's
    transaction; returns how many were indexed."""
    raise NotImplementedError


def remove_document(conn: Connection, document_id: int) -> None:
    raise NotImplementedError


def search(
    engine: Engine,
    query: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    raise NotImplementedError
