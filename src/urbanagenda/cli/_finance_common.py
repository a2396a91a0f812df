"""What the ``osr`` and ``invest`` commands share: the store they read and write, the
commands alike in both (the Excel template, reading the store) and the formatting of money,
shares and ranges (failing and JSON output are :mod:`urbanagenda.cli.common`'s)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from rich.table import Table

from urbanagenda.cli.common import console, fail
from urbanagenda.errors import UrbanAgendaError

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = [
    "example_file",
    "fixed",
    "migrated",
    "money",
    "opened",
    "share",
    "span",
    "stored",
    "table",
    "with_data",
    "write_template",
]

T = TypeVar("T")


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


def stored(database: str | None, query: Callable[[Engine], T]) -> T:
    """What ``query`` reads from the store (:func:`migrated`); a failure ends the command."""
    try:
        with migrated(database) as engine:
            return query(engine)
    except UrbanAgendaError as exc:
        fail(exc)


def write_template(kind: Literal["osr", "projects"], out: Path, *, example: bool) -> None:
    """Write the Excel template of an OSR analysis or a project list to ``out``, empty or
    filled with the bundled example."""
    from urbanagenda.finance import templates
    from urbanagenda.finance.files import read_osr_file, read_plan_file

    try:
        if not example:
            (templates.osr_template if kind == "osr" else templates.plan_template)(out)
        elif kind == "osr":
            templates.write_osr_xlsx(read_osr_file(example_file(kind)), out)
        else:
            templates.write_plan_xlsx(read_plan_file(example_file(kind)), out)
    except UrbanAgendaError as exc:
        fail(exc)
    console.print(f"template written: {out}", highlight=False)


def example_file(kind: str) -> Path:
    """The bundled example (``finance/data/examples/*_<kind>.yaml``, kind ``osr`` or
    ``projects``)."""
    from urbanagenda.finance._store_demo import EXAMPLES, example_files

    found = example_files(kind)
    if not found:
        fail(f"no bundled example *_{kind}.yaml in {EXAMPLES}; reinstall urbanagenda")
    return found[0]


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
