"""Checking records rows: each field, the rules of a row, references across rows.

Private to :mod:`urbanagenda.synthesis.records`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError
from urbanagenda.ingest.report import Report
from urbanagenda.store import schema as s
from urbanagenda.synthesis._records_files import Row, issue, read_paths
from urbanagenda.synthesis._records_format import (
    SPEC,
    Bad,
    coerce,
    data_path,
    expected,
    paragraph_numbers,
)


@dataclass
class Clean:
    """A checked row: its store columns, the fields kept in the file only, where it was."""

    section: str
    values: dict[str, Any]
    extra: dict[str, Any]
    where: Row
    #: False when a field had a problem: the row is checked against the others (references,
    #: paragraphs) but not for duplicates, and never written
    complete: bool = True

    def key(self) -> tuple[Any, ...]:
        spec = SPEC[self.section]
        source = self.values if spec.table is not None else self.extra
        key = tuple(source.get(k) for k in spec.key)
        if self.section == "outcomes" and key[2] is not None:
            key = (*key[:3], None)  # a numbered outcome is one per body, kind and number
        return key


def check_row(row: Row, report: Report) -> Clean:
    spec = SPEC[row.section]
    ok = True

    def bad(
        code: str,
        message: str,
        column: str | None,
        found: Any = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        nonlocal ok
        ok = False
        issue(
            report,
            code,
            message,
            file=row.file,
            section=row.section,
            row=row.row,
            column=column,
            found=found,
            expected=expected,
            fix=fix,
        )

    for name in row.data:
        if spec.get(name) is None:
            names = ", ".join(f.name for f in spec.fields)
            bad(
                "unknown-field",
                f"not a field of {row.section}.",
                name,
                found=name,
                expected=names,
                fix="rename or remove the field",
            )
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for f in spec.fields:
        raw = row.data.get(f.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if f.required:
                bad(
                    "missing-value",
                    f"the required field {f.name!r} is missing.",
                    f.name,
                    expected=expected(f),
                    fix=f"give the {f.name} of every row",
                )
            value = None
        else:
            try:
                value = coerce(f, raw)
            except Bad as exc:
                bad(
                    exc.code,
                    exc.message,
                    f.name,
                    found=raw,
                    expected=exc.expected or expected(f),
                    fix=exc.fix,
                )
                value = None
        if f.kind == "source":
            values["source_doc"] = value["doc"] if value else None
            values["source_para"] = value["para"] if value else None
        elif f.column is not None:
            values[f.column] = value
        else:
            extra[f.name] = value
    # lengths the store enforces (PostgreSQL does; SQLite would not)
    if spec.table is not None:
        for column, value in values.items():
            limit = getattr(spec.table.c[column].type, "length", None)
            if limit and isinstance(value, str) and len(value) > limit:
                bad(
                    "invalid-value",
                    f"longer than {limit} characters.",
                    column,
                    found=value,
                    expected=f"at most {limit} characters",
                    fix="shorten it",
                )
    clean = Clean(row.section, values, extra, row, complete=ok)
    _check_rules(clean, bad)
    clean.complete = ok
    return clean


def _check_rules(clean: Clean, bad: Callable[..., None]) -> None:
    """Rules across the fields of one row."""
    v, x = clean.values, clean.extra
    pairs = {
        "sessions": ("start_date", "end_date", "start", "end"),
        "results": ("period_start", "period_end", "period_start", "period_end"),
    }
    if clean.section in pairs:
        a, b, na, nb = pairs[clean.section]
        if v[a] is not None and v[b] is not None and v[a] > v[b]:
            bad(
                "date-order",
                f"the {na} ({v[a]}) is after the {nb} ({v[b]}).",
                na,
                found=v[a],
                expected=f"{na} <= {nb}",
                fix="swap or correct the two",
            )
    if clean.section == "sources":
        first, last = x.get("period_start"), x.get("period_end")
        if first and last and first > last:
            bad(
                "date-order",
                f"the period_start ({first}) is after the period_end ({last}).",
                "period_start",
                found=first,
                expected="period_start <= period_end",
            )
    if clean.section == "sessions" and v["participants"] is None:
        v["participants"] = []
    if clean.section == "outcomes":
        if v["count"] is None:
            v["count"] = 1
        if v["count"] < 1:
            bad(
                "invalid-value",
                "an outcome row counts at least one outcome.",
                "count",
                found=v["count"],
                expected="1 or more",
            )
        elif v["number"] is not None and v["count"] != 1:
            bad(
                "invalid-value",
                "a numbered outcome is one outcome.",
                "count",
                found=v["count"],
                expected="count 1 with a number, or no number for a counted group",
                fix="remove the number, or set count to 1",
            )
    if (
        clean.complete
        and clean.section == "funding"
        and all(v[c] is None for c in ("amount_usd", "reported_change", "contributors_count"))
    ):
        bad(
            "missing-value",
            "a funding row states nothing.",
            "amount_usd",
            expected="amount_usd, reported_change or contributors_count",
            fix="give at least one of them (leave unknown ones empty)",
        )


# -- across rows: references, paragraphs, duplicates -----------------------------------------


@dataclass
class Known:
    """What rows may refer to: the load's own rows and what the store holds."""

    sources: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> body, start
    programmes: set[str] = field(default_factory=set)
    paragraphs: dict[str, set[str]] = field(default_factory=dict)  # source -> its paragraphs


def known_in_store(engine: Engine | None) -> Known:
    known = Known()
    if engine is None:
        return known
    try:
        with engine.connect() as conn:
            known.sources = set(conn.execute(select(s.record_source.c.code)).scalars())
            known.bodies = set(conn.execute(select(s.gov_body.c.code)).scalars())
            known.sessions = {
                r.code: (r.body_code, r.start_date)
                for r in conn.execute(
                    select(
                        s.gov_session.c.code, s.gov_session.c.body_code, s.gov_session.c.start_date
                    )
                )
            }
            known.programmes = set(conn.execute(select(s.programme.c.code)).scalars())
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the records of {engine.url!r}: {exc}") from exc
    return known


def text_file(rel: str, row: Row) -> Path:
    path = Path(rel)
    if path.is_absolute():
        return path
    beside = Path(row.file).parent / path
    return beside if beside.is_file() else data_path(rel)


def check_across(rows: list[Clean], known: Known, report: Report) -> None:
    def bad(
        c: Clean, code: str, message: str, column: str, found: Any, expected: str, fix: str
    ) -> None:
        w = c.where
        issue(
            report,
            code,
            message,
            file=w.file,
            section=w.section,
            row=w.row,
            column=column,
            found=found,
            expected=expected,
            fix=fix,
        )

    for c in rows:  # the load's own codes first: a row may name one defined later
        if c.section == "sources":
            known.sources.add(c.values["code"])
            rel = c.extra.get("text_file")
            if rel:
                path = text_file(rel, c.where)
                try:
                    known.paragraphs[c.values["code"]] = paragraph_numbers(
                        path.read_text(encoding="utf-8-sig")
                    )
                except (OSError, UnicodeDecodeError) as exc:
                    bad(
                        c,
                        "file-not-found",
                        f"the source's text cannot be read ({exc}).",
                        "text_file",
                        rel,
                        "a UTF-8 text file, relative to the records file or to urbanagenda/data",
                        "correct the path or remove text_file",
                    )
        elif c.section == "bodies":
            known.bodies.add(c.values["code"])
        elif c.section == "sessions":
            known.sessions[c.values["code"]] = (c.values["body_code"], c.values["start_date"])
        elif c.section == "programmes":
            known.programmes.add(c.values["code"])
    where = {"sources": known.sources, "bodies": known.bodies, "programmes": known.programmes}
    seen: dict[tuple[Any, ...], Clean] = {}
    for c in rows:
        spec = SPEC[c.section]
        doc, para = c.values.get("source_doc"), c.values.get("source_para")
        if doc is not None and doc not in known.sources:
            bad(
                c,
                "unknown-reference",
                f"unknown source document {doc!r}.",
                "source",
                doc,
                "the code of a row of 'sources' (in this load or in the store)",
                "add the source to the 'sources' section or correct the code",
            )
        elif doc in known.paragraphs and para is not None:
            missing = [
                t for t in para.split(", ") if t.isdigit() and t not in known.paragraphs[doc]
            ]
            if missing:
                bad(
                    c,
                    "unknown-paragraph",
                    f"{doc} has no paragraph {', '.join(missing)}.",
                    "source",
                    para,
                    "paragraph numbers of the source's text",
                    "cite the paragraph the fact is stated in",
                )
        for f in spec.fields:
            if f.kind != "ref" or f.column is None or c.values.get(f.column) is None:
                continue
            value = c.values[f.column]
            pool = known.sessions if f.ref == "sessions" else where[f.ref or ""]
            if value not in pool:
                bad(
                    c,
                    "unknown-reference",
                    f"unknown {f.name} {value!r}.",
                    f.name,
                    value,
                    f"the code of a row of '{f.ref}' (in this load or in the store)",
                    f"add it to '{f.ref}' or correct the code",
                )
        if c.section == "outcomes" and c.values["session_code"] in known.sessions:
            body, start = known.sessions[c.values["session_code"]]
            if body != c.values["body_code"]:
                bad(
                    c,
                    "unknown-reference",
                    f"session {c.values['session_code']!r} is a session "
                    f"of {body}, not of {c.values['body_code']}.",
                    "session",
                    c.values["session_code"],
                    f"a session of {c.values['body_code']}",
                    "correct the body or the session",
                )
            if c.values["year"] is None:
                c.values["year"] = int(start[:4])
        key = (c.section, *c.key())
        if not c.complete:
            continue
        if key in seen:
            first = seen[key].where
            bad(
                c,
                "duplicate-key",
                f"this row repeats the key of {first.file} {first.section} row {first.row}.",
                ", ".join(spec.key),
                list(c.key()),
                f"one row per {', '.join(spec.key)} in a load",
                "remove one of the two rows",
            )
        else:
            seen[key] = c


def check(
    paths: Sequence[Path], engine: Engine | None, progress: Callable[[str, int], None] | None
) -> tuple[Report, list[Clean]]:
    report = Report()
    report.files = [str(p) for p in paths]
    if not paths:
        issue(
            report,
            "file-not-found",
            "no records file was given.",
            fix="give one YAML file or CSV files (see data/records/README.md)",
        )
        return report, []
    rows = read_paths(paths, report, progress)
    clean = [check_row(r, report) for r in rows]
    check_across(clean, known_in_store(engine), report)
    return report, clean
