"""Full-text search over the passages of public documents, ranked, with highlighted
snippets and filters; the same hits on SQLite (FTS5) and PostgreSQL (tsvector + GIN)
because both index the terms of :mod:`urbanagenda.reporting.text`.  OWNER: search helper.

How a query runs: :func:`text.query_terms` turns it into AND-groups of OR-alternatives
(``logements`` → ``logements | logement | log``; ``贫民窟`` → ``贫民 & 民窟``), every term
made of letters and digits only.  SQLite matches ``("logements" OR "log") AND "贫民"`` on
``search_fts`` and ranks by ``bm25`` (negated, so that higher is better); PostgreSQL
matches ``to_tsquery('simple', '(''logements'' | ''log'') & ''贫民''')`` on the generated
``tsv`` column and ranks by ``ts_rank_cd(tsv, query, 32)`` (cover density, scaled to
0..1).  The match string is always a bound parameter and never contains user text other
than those letter-and-digit terms, so quotes, ``OR``, ``NEAR``, ``*``, ``:``, ``&``, ``!``
or SQL fragments in a query are just words.

Both engines find the same passages; their scores differ in scale and can order
near-equal passages differently (bm25 weighs passage length, cover density weighs how
close the matched words are), so only the set of hits and a clear best hit agree.  Ties
are broken by passage id on both.  Only passages of published documents are returned.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, text

from urbanagenda.errors import DataError
from urbanagenda.reporting import tagging
from urbanagenda.reporting.model import (
    Document,
    Hit,
    PassageIn,
    SearchFilters,
    SearchResults,
    Tag,
)
from urbanagenda.reporting.text import (
    CJK_LANGUAGES,
    guess_language,
    index_tokens,
    query_terms,
    term_spans,
)
from urbanagenda.store.schema import search_passage

__all__ = ["MAX_QUERY_CHARS", "MAX_QUERY_TERMS", "remove_document", "replace_passages", "search"]

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 20
MAX_LIMIT = 100
#: Snippet windows: words for alphabetic text, characters for Chinese, Japanese, Korean.
SNIPPET_WORDS = 30
SNIPPET_CJK_CHARS = 80

_TARGET_RE = re.compile(r"^11\.[0-9a-c]$")
_COMMITMENT_RE = re.compile(r"^[A-Za-z0-9.\-]{1,40}$")


def _codes(tags: Sequence[Tag], kind: str) -> str:
    codes = sorted({t.code for t in tags if t.kind == kind})
    return f" {' '.join(codes)} " if codes else ""


def replace_passages(conn: Connection, document: Document, passages: Sequence[PassageIn],
                     *, version: int | None = None) -> int:  # fmt: skip
    """Replace the document's indexed passages (tagging each) inside the caller's
    transaction; returns how many were indexed.  Blank passages are skipped; a passage
    without a language gets the document's (or, failing that, one guessed by script)."""
    conn.execute(delete(search_passage).where(search_passage.c.document_id == document.id))
    rows: list[dict[str, Any]] = []
    for passage in passages:
        body = passage.text.strip()
        if not body:
            continue
        language = passage.language or guess_language(body, document.language or "en")
        tags = tagging.tag(body, language)
        rows.append(
            {
                "document_id": document.id,
                "version": version if version is not None else document.published_version,
                "attachment_id": passage.attachment_id,
                "section_key": passage.section_key,
                "ordinal": len(rows),
                "language": language[:5],
                "text": body,
                "tokens": index_tokens(body, language),
                "targets": _codes(tags, "target"),
                "commitments": _codes(tags, "commitment"),
                "kind": document.kind,
                "country_code": document.country_code,
                "area_code": document.area_code,
                "year": document.year,
            }
        )
    if rows:
        conn.execute(insert(search_passage), rows)
    return len(rows)


def remove_document(conn: Connection, document_id: int) -> None:
    """Take every passage of a document out of the index (the FTS table follows by
    trigger on SQLite; the tsvector column goes with the row on PostgreSQL)."""
    conn.execute(delete(search_passage).where(search_passage.c.document_id == document_id))


def _parse(query: str, language: str | None) -> list[tuple[str, ...]]:
    if len(query) > MAX_QUERY_CHARS:
        raise DataError(
            f"the search query has {len(query)} characters; at most {MAX_QUERY_CHARS} are "
            "accepted. Shorten it to the words that matter."
        )
    groups = query_terms(query, language)
    if not groups:
        raise DataError(
            f"the search query {query!r} has no words to search for (only punctuation or "
            "symbols). Type at least one word, in any language."
        )
    if len(groups) > MAX_QUERY_TERMS:
        raise DataError(
            f"the search query has {len(groups)} terms; at most {MAX_QUERY_TERMS} are "
            "accepted (a Chinese run of n characters counts n-1). Remove some words."
        )
    return groups


def _filters_sql(filters: SearchFilters) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = ["d.status = 'published'"]
    params: dict[str, Any] = {}
    for name, column in (
        ("country", "country_code"),
        ("area", "area_code"),
        ("year", "year"),
        ("kind", "kind"),
        ("language", "language"),
    ):
        value = getattr(filters, name)
        if value is not None and value != "":
            clauses.append(f"p.{column} = :f_{name}")
            params[f"f_{name}"] = value
    if filters.target:
        if not _TARGET_RE.match(filters.target):
            raise DataError(
                f"unknown SDG 11 target {filters.target!r} in the search filter; use one of "
                "11.1 … 11.7, 11.a, 11.b, 11.c."
            )
        clauses.append("p.targets LIKE :f_target")
        params["f_target"] = f"% {filters.target} %"
    if filters.commitment:
        if not _COMMITMENT_RE.match(filters.commitment):
            raise DataError(
                f"commitment filter {filters.commitment!r} is not a commitment code; use a "
                "code of the New Urban Agenda catalogue such as NUA.TC.1."
            )
        clauses.append("p.commitments LIKE :f_commitment")
        params["f_commitment"] = f"% {filters.commitment} %"
    return " AND ".join(clauses), params


_COLUMNS = (
    "p.id, p.document_id, p.section_key, p.language, p.text, p.targets, p.commitments, "
    "p.kind, p.country_code, p.area_code, p.year, d.title, d.is_example"
)


def _sqlite_sql(where: str) -> tuple[str, str]:
    base = (
        "FROM search_fts JOIN search_passage p ON p.id = search_fts.rowid "
        "JOIN document d ON d.id = p.document_id "
        f"WHERE search_fts MATCH :match AND {where}"
    )
    # bm25() may not sit next to a window function: rank inside, count outside
    rows = (
        f"SELECT m.*, count(*) OVER () AS total FROM (SELECT {_COLUMNS}, "
        f"-bm25(search_fts) AS score {base}) AS m "
        "ORDER BY m.score DESC, m.id LIMIT :limit OFFSET :offset"
    )
    return rows, f"SELECT count(*) {base}"


def _postgres_sql(where: str) -> tuple[str, str]:
    base = (
        "FROM search_passage p JOIN document d ON d.id = p.document_id "
        "CROSS JOIN to_tsquery('simple', :match) AS q(query) "
        f"WHERE p.tsv @@ q.query AND {where}"
    )
    # rank the matches on their ids alone, then fetch the texts of one page only (a single
    # SELECT with count(*) OVER () carries every match's text through the window and sort)
    rows = (
        "WITH m AS MATERIALIZED (SELECT p.id, ts_rank_cd(p.tsv, q.query, 32) AS score "
        f"{base}) "
        f"SELECT {_COLUMNS}, t.score, t.total FROM (SELECT m.id, m.score, "
        "count(*) OVER () AS total FROM m ORDER BY m.score DESC, m.id "
        "LIMIT :limit OFFSET :offset) AS t "
        "JOIN search_passage p ON p.id = t.id JOIN document d ON d.id = p.document_id "
        "ORDER BY t.score DESC, t.id"
    )
    return rows, f"SELECT count(*) {base}"


def _match_string(groups: list[tuple[str, ...]], dialect: str) -> str:
    """The engine's match expression; terms are letters/digits only (text.py), so the
    quotes around them can never be closed from inside."""
    for group in groups:
        for term in group:
            if not term.isalnum():  # pragma: no cover - text.py makes only such terms
                raise AssertionError(f"query term {term!r} is not letters and digits")
    if dialect == "postgresql":
        parts = ["(" + " | ".join(f"'{t}'" for t in g) + ")" for g in groups]
        return " & ".join(parts)
    parts = ["(" + " OR ".join(f'"{t}"' for t in g) + ")" for g in groups]
    return " AND ".join(parts)


def search(
    engine: Engine,
    query: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Passages of published documents matching every word of ``query`` (each word in any
    of its stemmed forms), best first, with ``total`` the number of matches."""
    filters = filters or SearchFilters()
    if not 1 <= limit <= MAX_LIMIT:
        raise DataError(f"limit must be between 1 and {MAX_LIMIT}; got {limit}.")
    if offset < 0:
        raise DataError(f"offset must be zero or more; got {offset}.")
    groups = _parse(query, filters.language)
    where, params = _filters_sql(filters)
    dialect = engine.dialect.name
    rows_sql, count_sql = (_postgres_sql if dialect == "postgresql" else _sqlite_sql)(where)
    params["match"] = _match_string(groups, dialect)
    with engine.connect() as conn:
        if dialect == "postgresql":
            # the passages' index is read from memory or SSD: at the default cost of a
            # random page (4, spinning disks) the planner scans every passage instead of
            # the GIN index once a word matches more than a few percent of them (2-4x slower)
            conn.execute(text("SET LOCAL random_page_cost = 1.1"))
        # one pass: the page and, through count(*) OVER (), the number of matches
        page = {**params, "limit": limit, "offset": offset}
        rows = conn.execute(text(rows_sql), page).mappings().all()
        if rows:
            total = int(rows[0]["total"])
        else:  # past the last page (or nothing at all): count on its own
            total = int(conn.execute(text(count_sql), params).scalar_one()) if offset else 0
    matched = {term for group in groups for term in group}
    hits = tuple(
        Hit(
            document_id=row["document_id"],
            document_title=row["title"],
            kind=row["kind"],
            passage_id=row["id"],
            section_key=row["section_key"],
            language=row["language"],
            snippet_html=snippet(row["text"], row["language"], matched),
            score=round(float(row["score"]), 6),
            country_code=row["country_code"],
            area_code=row["area_code"],
            year=row["year"],
            targets=tuple(row["targets"].split()),
            commitments=tuple(row["commitments"].split()),
            is_example=bool(row["is_example"]),
        )
        for row in rows
    )
    terms = tuple(dict.fromkeys(term for group in groups for term in group))
    return SearchResults(
        query=query,
        total=total,
        hits=hits,
        terms=terms,
        related_targets=tuple(tagging.targets_for_query(query)),
    )


def snippet(passage: str, language: str, terms: set[str] | frozenset[str]) -> str:
    """About 30 words (80 characters of Chinese, Japanese or Korean) of ``passage`` around
    its densest run of matched terms, HTML-escaped, with ``<mark>`` around those terms."""
    spans = term_spans(passage, language)
    # Units to count the window in: words and single CJK characters (not the bigrams,
    # which are the two-character CJK terms).
    units: list[tuple[int, int]] = []
    marks_raw: list[tuple[int, int]] = []
    cjk_units = 0
    for term, a, b in spans:
        # terms are letters and digits: from U+2E80 on they are Han, Kana or Hangul (a
        # comparison instead of is_cjk's regex, run for every term of every snippet)
        size = len(term)
        cjk_char = size == 1 and term >= "\u2e80"
        if cjk_char or not (size == 2 and term[0] >= "\u2e80"):
            units.append((a, b))
            cjk_units += cjk_char
        if term in terms:
            marks_raw.append((a, b))
    if not units:
        return html.escape(passage[: SNIPPET_CJK_CHARS * 2])
    cjk = language[:2] in CJK_LANGUAGES or cjk_units * 2 > len(units)
    width = SNIPPET_CJK_CHARS if cjk else SNIPPET_WORDS
    marks = _merge(marks_raw)
    hit_units: list[int] = []
    k = 0
    for i, (start, end) in enumerate(units):  # both sorted by start: one sweep
        while k < len(marks) and marks[k][1] <= start:
            k += 1
        if k < len(marks) and marks[k][0] < end:
            hit_units.append(i)
    best_start, best_count = 0, -1
    right = 0
    for left, i in enumerate(hit_units):
        start = max(0, i - width // 3)
        right = max(right, left)
        while right < len(hit_units) and hit_units[right] < start + width:
            right += 1
        if right - left > best_count:
            best_start, best_count = start, right - left
    end_unit = min(len(units), best_start + width) - 1
    lo = 0 if best_start == 0 else units[best_start][0]
    hi = len(passage) if end_unit == len(units) - 1 else units[end_unit][1]
    out = ["…"] if lo > 0 else []
    pos = lo
    for a, b in marks:
        a, b = max(a, lo), min(b, hi)
        if a >= b:
            continue
        out.append(html.escape(passage[pos:a]))
        out.append(f"<mark>{html.escape(passage[a:b])}</mark>")
        pos = b
    out.append(html.escape(passage[pos:hi]))
    if hi < len(passage):
        out.append("…")
    return "".join(out).strip()


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
