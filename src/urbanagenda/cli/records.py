"""``urbanagenda records``: load and list the institutional records (governance bodies,
sessions, resolutions and decisions, global programmes and their results, funding)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from urbanagenda.cli.common import DatabaseOpt, JsonOpt, console, fail, rejected, write_json
from urbanagenda.errors import UrbanAgendaError, ValidationFailed

__all__ = ["KINDS", "records_app"]

KINDS = ("bodies", "sessions", "outcomes", "programmes", "results", "funding")

records_app = typer.Typer(
    help="Institutional records: governance bodies, sessions, outcomes, programmes, funding.",
    no_args_is_help=True,
)


def _engine(database: str | None):  # type: ignore[no-untyped-def]
    from urbanagenda.store.engine import migrate, open_engine

    engine = open_engine(database)
    migrate(engine)  # the records tables; they need neither the catalogue nor the areas
    return engine


@records_app.command("load")
def load_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="A records YAML file, or CSV files (sessions.csv, outcomes.csv, …)."),
    ],
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check and load records files: all or nothing; changed facts keep their old values."""
    from urbanagenda.synthesis.records import load_records

    try:
        result = load_records(_engine(database), paths)
    except ValidationFailed as exc:
        rejected(exc, as_json, done="nothing was loaded")
    except UrbanAgendaError as exc:
        fail(exc)
    if as_json:
        write_json(result.to_dict())
        return
    console.print(
        f"loaded (records load {result.load_id}): {result.report.rows_read} rows read, "
        f"{result.inserted} new, {result.updated} changed (previous values kept as "
        f"revisions), {result.unchanged} unchanged",
        highlight=False,
    )


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or "")
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    return str(value)


def _source(row: dict[str, Any]) -> str:
    return f"{row['source_doc']} ¶{row['source_para']}"


#: the columns shown per kind: (header, how to get the cell from a row)
_COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "bodies": [("code", "code"), ("name", "name"), ("established by", "established_by")],
    "sessions": [
        ("code", "code"),
        ("body", "body_code"),
        ("name", "name"),
        ("start", "start_date"),
        ("end", "end_date"),
        ("place", "place"),
        ("status", "status"),
        ("member states", "member_states_count"),
    ],
    "outcomes": [
        ("body", "body_code"),
        ("session", "session_code"),
        ("year", "year"),
        ("kind", "kind"),
        ("number", "number"),
        ("count", "count"),
        ("title", "title"),
        ("status", "implementation_status"),
        ("document", "document_symbol"),
    ],
    "programmes": [("code", "code"), ("name", "name"), ("theme", "theme"), ("since", "started")],
    "results": [
        ("programme", "programme_code"),
        ("metric", "metric"),
        ("qualifier", "qualifier"),
        ("value", "value"),
        ("period", lambda r: _period(r)),
        ("as of", "as_of"),
    ],
    "funding": [
        ("year", "year"),
        ("channel", "channel"),
        ("amount (USD)", "amount_usd"),
        ("change", lambda r: "" if r["reported_change"] is None else f"{r['reported_change']:+}"),
        ("contributors", "contributors_count"),
        ("note", "note"),
    ],
}


#: columns of prose, which wrap; the others (codes, numbers, dates) keep to one line
_WRAPPED = {"name", "title", "note", "established by", "place"}


def _period(row: dict[str, Any]) -> str:
    if row["period_years"] is not None:
        return f"{row['period_years']} years"
    if row["period_start"] is not None and row["period_end"] is not None:
        return f"{row['period_start']}–{row['period_end']}"
    if row["period_start"] is not None:
        return f"since {row['period_start']}"
    return ""


def _rows(kind: str, database: str | None) -> list[dict[str, Any]]:
    from urbanagenda.synthesis.records import read_records

    rows: list[dict[str, Any]] = getattr(read_records(_engine(database)), kind)
    return rows


@records_app.command("list")
def list_command(
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=f"One of {', '.join(KINDS)}; default: all of them."),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of names and titles: en or zh.")
    ] = "en",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the records in the store, each with the document and paragraph it comes from.
    With --json, the stored rows (texts in both languages)."""
    if kind is not None and kind not in KINDS:
        fail(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if lang not in ("en", "zh"):
        fail(f"unknown language {lang!r}; expected en or zh")
    kinds = [kind] if kind else list(KINDS)
    try:
        found = {k: _rows(k, database) for k in kinds}
    except UrbanAgendaError as exc:
        fail(exc)
    if as_json:
        payload: Any = found[kinds[0]] if kind else found
        write_json(payload)
        return
    for k in kinds:
        rows = found[k]
        table = Table(title=f"{k} ({len(rows)})")
        columns = [*_COLUMNS[k], ("source", _source)]
        for header, _ in columns:
            prose = header in _WRAPPED
            table.add_column(header, overflow="fold", min_width=16 if prose else None)
        for row in rows:
            cells = [get(row) if callable(get) else row[get] for _, get in columns]
            table.add_row(*[_text(c, lang) for c in cells])
        console.print(table)
