"""What the ``osr`` and ``invest`` commands share: failing the house way, the store they read
and write, JSON output and the formatting of money, shares and ranges."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.table import Table
from sqlalchemy import Engine

from urbanagenda.cli.common import console, err
from urbanagenda.errors import UrbanAgendaError, ValidationFailed

__all__ = [
    "example_file",
    "fail",
    "fixed",
    "migrated",
    "money",
    "opened",
    "rejected",
    "share",
    "span",
    "table",
    "with_data",
    "write_json",
]


def fail(exc: UrbanAgendaError | str) -> NoReturn:
    """An error that is not about the input's content (exit 2)."""
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def rejected(exc: ValidationFailed, as_json: bool, done: str = "nothing was saved") -> NoReturn:
    """The input's problems, every one of them, as the other commands print them (exit 1)."""
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


@contextmanager
def migrated(database: str | None) -> Iterator[Engine]:
    """The store, migrated (the finance tables need neither observations nor a catalogue);
    closed on the way out."""
    from urbanagenda.store.engine import migrate, open_engine

    engine = open_engine(database)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def with_data(database: str | None) -> Iterator[Engine | None]:
    """The store to read populations and indicator gaps from, when there is one with data;
    None rather than creating an empty database file just to look something up."""
    from urbanagenda.store.engine import database_url, is_initialised, open_engine

    url = database_url(database)
    sqlite_file = url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:")
    if sqlite_file and not Path(url.removeprefix("sqlite:///")).is_file():
        yield None
        return
    engine = open_engine(url)
    try:
        yield engine if is_initialised(engine) else None
    finally:
        engine.dispose()


def opened(database: str | None, *, save: bool) -> AbstractContextManager[Engine | None]:
    """:func:`migrated` to save into, else :func:`with_data` to look things up in."""
    return migrated(database) if save else with_data(database)


def example_file(kind: str) -> Path:
    """The bundled example (``finance/data/examples/*_<kind>.yaml``, kind ``osr`` or
    ``projects``)."""
    from urbanagenda.finance._store_demo import EXAMPLES, example_files

    found = example_files(kind)
    if not found:
        fail(f"no bundled example *_{kind}.yaml in {EXAMPLES}; reinstall urbanagenda")
    return found[0]


def write_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n")


def money(value: float | None) -> str:
    """Money in the local currency, whole units with thousands separators."""
    return "" if value is None else f"{value:,.0f}"


def fixed(value: float | None, suffix: str = "") -> str:
    """A small amount (per capita) with two decimals."""
    return "" if value is None else f"{value:,.2f}{suffix}"


def share(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}%}"


def span(figure: Mapping[str, Any] | None) -> str:
    """A computed figure (a :class:`~urbanagenda.finance.model.Range` dict): the central
    value, and its range when the inputs carried one."""
    if figure is None:
        return ""
    text = money(figure["central"])
    if figure["low"] != figure["high"]:
        text += f" ({money(figure['low'])}–{money(figure['high'])})"
    return text


def table(
    title: str | None,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[str] = (),
) -> None:
    """A Rich table; the ``right`` columns (numbers) are right-aligned.  In a narrow
    terminal every column folds (a number is never cut short with an ellipsis, and a text
    column keeps room for a word)."""
    out = Table(title=title, title_justify="left")
    for h in headers:
        if h in right:
            out.add_column(h, justify="right", overflow="fold")
        else:
            out.add_column(h, overflow="fold", min_width=min(len(h), 10))
    for row in rows:
        out.add_row(*row)
    console.print(out)
