"""Institutional records: governance bodies, sessions, resolutions and decisions, global
programmes and their results, funding by channel and year, contributors.

Loaded from YAML or CSV (:func:`load_records`, all or nothing, every fact citing the document
and paragraph it comes from; a changed fact keeps its previous state in ``record_revision``)
and read back by :func:`read_records` for the reports and the web pages.  The file format is
documented in ``urbanagenda/data/records/README.md``; the bundled seed records are
:data:`SEED_RECORDS`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, Table, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError, ValidationFailed
from urbanagenda.ingest.report import Report
from urbanagenda.store import schema as s
from urbanagenda.synthesis._records_check import Clean, check, text_file
from urbanagenda.synthesis._records_files import Row, issue
from urbanagenda.synthesis._records_format import (
    ADOPTIONS,
    CHANNELS,
    METRICS,
    OUTCOME_KINDS,
    QUALIFIERS,
    SECTIONS,
    SEED_RECORDS,
    SESSION_STATUSES,
    SPECS,
    STATUSES,
    data_path,
    paragraph_numbers,
)

__all__ = [
    "ADOPTIONS",
    "CHANNELS",
    "METRICS",
    "OUTCOME_KINDS",
    "QUALIFIERS",
    "SECTIONS",
    "SEED_RECORDS",
    "SESSION_STATUSES",
    "STATUSES",
    "RecordLoadResult",
    "Records",
    "channel_definitions",
    "load_records",
    "load_seed_records",
    "paragraph_numbers",
    "read_records",
    "record_counts",
    "validate_records",
]


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


def channel_definitions(path: Path | str | None = None) -> dict[str, dict[str, Any]]:
    """The funding channels of a records YAML file (default: the seed's), by code:
    ``{"name": {"en", "zh"}, "definition": {"en", "zh"}, "source": {...}}``.  The store keeps
    only the channel code of each funding row; names and definitions live in the file."""
    file = Path(path) if path is not None else data_path(SEED_RECORDS)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(file.read_text(encoding="utf-8"), Loader=loader) or {}
    return {
        str(c["code"]): {k: v for k, v in c.items() if k != "code"}
        for c in doc.get("channels") or []
    }


def validate_records(paths: Iterable[Path | str], engine: Engine | None = None) -> None:
    """Check records files; raise :class:`ValidationFailed` with every problem found.

    References (bodies, sessions, programmes, sources) resolve within the files and, with
    ``engine``, against the records already in the store.  Writes nothing."""
    report, _ = check([Path(p) for p in paths], engine, None)
    if not report.valid:
        raise ValidationFailed(report)


# -- writing -------------------------------------------------------------------------------


@dataclass
class RecordLoadResult:
    load_id: int | None
    report: Report
    files: list[str] = field(default_factory=list)
    #: table -> {"inserted": n, "updated": n, "unchanged": n}
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def total(self, what: str) -> int:
        return sum(c.get(what, 0) for c in self.counts.values())

    @property
    def inserted(self) -> int:
        return self.total("inserted")

    @property
    def updated(self) -> int:
        return self.total("updated")

    @property
    def unchanged(self) -> int:
        return self.total("unchanged")

    def to_dict(self) -> dict[str, object]:
        return {
            "load_id": self.load_id,
            "files": self.files,
            "rows_read": self.report.rows_read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "counts": self.counts,
            "valid": self.report.valid,
        }


def _store_key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    spec = next(sec for sec in SPECS if sec.table is table)
    return Clean(spec.name, row, {}, Row(spec.name, "", 0, {})).key()


def _reference_document(conn: Connection, path: Path) -> int | None:
    """The id of the reference document whose text has this file's SHA-256, if any."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    query = select(s.document.c.id, s.document.c.metadata).where(s.document.c.kind == "reference")
    for doc_id, metadata in conn.execute(query.order_by(s.document.c.id)):
        if isinstance(metadata, dict) and metadata.get("sha256") == digest:
            return int(doc_id)
    return None


def _write(
    conn: Connection, rows: list[Clean], load_id: int, report: Report, now: datetime
) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for spec in SPECS:
        table = spec.table
        if table is None:
            continue
        mine = [c for c in rows if c.section == spec.name]
        if not mine:
            continue
        tally = counts.setdefault(table.name, {"inserted": 0, "updated": 0, "unchanged": 0})
        stored = {
            _store_key(table, dict(r._mapping)): dict(r._mapping)
            for r in conn.execute(select(table))
        }
        pk = next(iter(table.primary_key.columns))
        for c in mine:
            values = dict(c.values)
            if spec.name == "sources":
                values = _source_values(conn, c, report)
            old = stored.get(c.key())
            if old is None:
                conn.execute(insert(table).values(**values))
                tally["inserted"] += 1
                continue
            if all(_same(old.get(k), v) for k, v in values.items()):
                tally["unchanged"] += 1
                continue
            conn.execute(
                insert(s.record_revision).values(
                    table_name=table.name,
                    record_key=json.dumps(list(c.key()), ensure_ascii=False),
                    previous=json.loads(json.dumps(old, default=str)),
                    load_id=load_id,
                    replaced_at=now,
                )
            )
            conn.execute(update(table).where(pk == old[pk.name]).values(**values))
            tally["updated"] += 1
    return counts


def _source_values(conn: Connection, c: Clean, report: Report) -> dict[str, Any]:
    values = dict(c.values)
    values["title"] = values["title"]["en"]  # the store keeps one title: the English one
    doc_id = values.get("reference_document_id")
    if doc_id is not None:
        if conn.execute(select(s.document.c.id).where(s.document.c.id == doc_id)).first() is None:
            w = c.where
            issue(
                report,
                "unknown-reference",
                f"no document {doc_id} in the store.",
                file=w.file,
                section=w.section,
                row=w.row,
                column="reference_document_id",
                found=doc_id,
                expected="the id of a document of the library",
                fix="remove reference_document_id (text_file links the reference document)",
            )
    elif c.extra.get("text_file"):
        values["reference_document_id"] = _reference_document(
            conn, text_file(c.extra["text_file"], c.where)
        )
    return values


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return bool(old == new)


def _sha256(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_records(
    engine: Engine,
    paths: Iterable[Path | str],
    *,
    progress: Callable[[str, int], None] | None = None,
) -> RecordLoadResult:
    """Check and load records files, all or nothing, in one transaction.

    Raises :class:`ValidationFailed` (the report lists every problem; nothing is written).
    A fact already stored with the same values is left as it is; a changed one is updated and
    its previous row kept in ``record_revision`` with this load's id; every load that passes
    the checks writes one ``record_load`` row."""
    files = [Path(p) for p in paths]
    report, rows = check(files, engine, progress)
    if not report.valid:
        raise ValidationFailed(report)
    result = RecordLoadResult(load_id=None, report=report, files=[str(p) for p in files])
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            load_id = int(
                conn.execute(
                    insert(s.record_load).values(
                        source_file="; ".join(result.files),
                        sha256=_sha256(files),
                        loaded_at=now,
                        counts={},
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            counts = _write(conn, rows, load_id, report, now)
            if not report.valid:
                raise ValidationFailed(report)  # leaves the transaction: rolled back
            conn.execute(
                update(s.record_load).where(s.record_load.c.id == load_id).values(counts=counts)
            )
    except SQLAlchemyError as exc:
        raise StoreError(
            f"the records load failed in the database and was rolled back: {exc}"
        ) from exc
    result.load_id, result.counts = load_id, counts
    return result


def load_seed_records(
    engine: Engine, *, progress: Callable[[str, int], None] | None = None
) -> RecordLoadResult:
    """Load the bundled records of the seed Secretary-General's report."""
    return load_records(engine, [data_path(SEED_RECORDS)], progress=progress)


def record_counts(engine: Engine) -> dict[str, int]:
    """How many records of each kind the store holds (the ``records list --kind`` names)."""
    found = read_records(engine)
    return {
        "sources": len(found.sources),
        "bodies": len(found.bodies),
        "sessions": len(found.sessions),
        "outcomes": len(found.outcomes),
        "programmes": len(found.programmes),
        "results": len(found.results),
        "funding": len(found.funding),
        "contributions": len(found.contributions),
    }
