"""``urbanagenda aggregate``: a series' aggregate for a region or group, with its rule, coverage
and weight source, and the official aggregate with the difference where one is loaded."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from urbanagenda.errors import UrbanAgendaError

__all__ = ["aggregate_command"]

_SHOWN = (
    "area_code",
    "year",
    "location",
    "value",
    "official_value",
    "difference",
    "unit",
    "rule",
    "n_with_data",
    "n_members",
    "coverage_members",
    "coverage_weight",
    "weight_source",
    "reason",
)


def aggregate_command(
    series: Annotated[str, typer.Option("--series", help="Series code, e.g. EN_LND_SLUM.")],
    area: Annotated[
        str, typer.Option("--area", help="Region or group code, e.g. 202 or 1 (World).")
    ],
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            "--rule",
            help="sum_of_parts, population_weighted_mean, simple_mean or sum "
            "(default: the series' own rule).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            "-d",
            envvar="URBANAGENDA_DATABASE_URL",
            help="Database URL (default: sqlite:///var/urbanagenda.sqlite).",
        ),
    ] = None,
    store: Annotated[
        bool, typer.Option("--store", help="Also save the values in the aggregate table.")
    ] = False,
) -> None:
    """Aggregate a series for a region or group (METHODS.md section 2) and compare it with the
    official aggregate where one is loaded."""
    from urbanagenda.store.aggregates import aggregate_series, compare_official
    from urbanagenda.store.engine import open_engine

    err = Console(stderr=True)
    try:
        engine = open_engine(database)
        years = (year, year) if year is not None else None
        computed = aggregate_series(engine, series, areas=[area], years=years, rule=rule)
        frame = compare_official(computed, engine)
        written = 0
        if store:
            from urbanagenda.store.aggregates import store_aggregates

            written = store_aggregates(engine, computed)
    except UrbanAgendaError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if as_json:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    console = Console()
    empty = frame["n_with_data"] == 0 if not frame.empty else None
    if year is None and empty is not None and empty.any():
        # without --year, the years in which no member has data are only counted
        omitted = int(empty.sum())
        frame = frame[~empty]
        console.print(f"{omitted} row(s) where no member area has data not shown (use --year)")
    if frame.empty:
        console.print(f"no observations of {series} for the members of {area}")
        return
    table = Table(title=f"{series.upper()} — aggregate for {area}")
    shown = [c for c in _SHOWN if c in frame.columns]
    for c in shown:
        table.add_column(c, overflow="fold")
    for row in frame[shown].itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console.print(table)
    if store:
        console.print(f"{written} aggregate value(s) stored")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 10 else f"{value:,.2f}"
    return str(value)
