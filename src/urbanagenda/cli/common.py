"""What every command module shares: the consoles and the common options."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

__all__ = ["DatabaseOpt", "JsonOpt", "console", "err"]

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
