"""What every command module shares: the consoles, the common options, failing the house way
and JSON output."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from urbanagenda.errors import UrbanAgendaError, ValidationFailed

__all__ = ["DatabaseOpt", "JsonOpt", "console", "err", "fail", "rejected", "write_json"]

console = Console()
err = Console(stderr=True)

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        "-d",
        envvar="URBANAGENDA_DATABASE_URL",
        help="Database URL (default: sqlite:///var/urbanagenda.sqlite).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def fail(exc: UrbanAgendaError | str) -> NoReturn:
    """An error that is not about the input's content (exit 2)."""
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def rejected(exc: ValidationFailed, as_json: bool, done: str = "nothing was saved") -> NoReturn:
    """The input's problems, every one of them (as JSON with ``--json``), and what was not
    done (exit 1)."""
    report = exc.report
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        n = len(report.issues) + report.suppressed
        err.print(f"[bold red]rejected:[/] {n} problem(s); {done}.", highlight=False)
        for issue in report.issues:
            err.print(" - " + issue.describe(), markup=False, highlight=False, soft_wrap=True)
        if report.suppressed:
            err.print(f" ... and {report.suppressed} more ({report.counts()})", markup=False)
    raise typer.Exit(code=1)


def write_json(value: Any) -> None:
    """``value`` as indented JSON on stdout (what JSON lacks, such as dates, as text)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n")
