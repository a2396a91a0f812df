"""Institutional records: governance bodies, sessions, resolutions and decisions, global
programmes and their results, funding by channel and year, contributors.

Loaded from YAML or CSV (:func:`load_records`, all or nothing, every fact citing the document
and paragraph it comes from; a changed fact keeps its previous state in ``record_revision``)
and read back by :func:`read_records` for the reports and the web pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from urbanagenda.store import schema as s

__all__ = ["Records", "read_records"]


@dataclass
class Records:
    """Every institutional record in the store, as plain rows (dicts of the table columns)."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> row
    bodies: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)  # by start_date
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    programmes: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    funding: list[dict[str, Any]] = field(default_factory=list)  # by year, channel
    contributions: list[dict[str, Any]] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.bodies or self.sessions or self.programmes or self.funding)


def read_records(engine: Engine) -> Records:
    """All institutional records, ordered for reading."""
    with engine.connect() as conn:

        def rows(query: Any) -> list[dict[str, Any]]:
            return [dict(r._mapping) for r in conn.execute(query)]

        return Records(
            sources={r["code"]: r for r in rows(select(s.record_source))},
            bodies=rows(select(s.gov_body).order_by(s.gov_body.c.code)),
            sessions=rows(
                select(s.gov_session).order_by(s.gov_session.c.start_date, s.gov_session.c.code)
            ),
            outcomes=rows(
                select(s.gov_outcome).order_by(s.gov_outcome.c.session_code, s.gov_outcome.c.id)
            ),
            programmes=rows(select(s.programme).order_by(s.programme.c.source_para)),
            results=rows(
                select(s.programme_result).order_by(
                    s.programme_result.c.programme_code, s.programme_result.c.id
                )
            ),
            funding=rows(select(s.funding).order_by(s.funding.c.year, s.funding.c.channel)),
            contributions=rows(
                select(s.contribution).order_by(s.contribution.c.year, s.contribution.c.contributor)
            ),
        )
