"""``urbanagenda progress``: the global progress chart and the sentences per target."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from urbanagenda.errors import UrbanAgendaError

console = Console()
err = Console(stderr=True)

STYLE = {
    "on": "bold green",
    "progress": "yellow",
    "off": "bold red",
}


def progress_command(
    method: Annotated[
        str,
        typer.Option(
            help="Progress method (unsd-2022, unsd-2023, unsd-2024, opensdg, escap, sdsn)."
        ),
    ] = "unsd-2024",
    edition: Annotated[str | None, typer.Option(help="Edition of the method.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="en or zh.")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    database: Annotated[
        str | None, typer.Option("--database", "-d", envvar="URBANAGENDA_DATABASE_URL")
    ] = None,
) -> None:
    """SDG 11 targets × SDG regions by status, with a summary and sentences per target."""
    from urbanagenda.assess.progress import load_progress_config
    from urbanagenda.store.engine import open_engine
    from urbanagenda.store.progress import global_progress

    try:
        with console.status("aggregating and assessing the headline series…"):
            result = global_progress(
                open_engine(database), method=method, edition=edition, language=lang
            )
    except UrbanAgendaError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    groups = load_progress_config()["summary_groups"]
    table = Table(title=f"SDG 11 progress by region ({method})")
    table.add_column("target")
    for area in result.chart.columns:
        table.add_column(str(area))
    for target, row in result.chart.iterrows():
        cells = []
        for status in row:
            style = next(
                (STYLE[g] for g in ("on", "progress", "off") if status in groups[g]), "dim"
            )
            cells.append(f"[{style}]{status}[/]" if status else "")
        table.add_row(str(target), *cells)
    console.print(table)
    for line in result.summary:
        console.print(line, highlight=False)
    console.print()
    for story in result.stories:
        console.print(story.text, highlight=False)
        console.print()
