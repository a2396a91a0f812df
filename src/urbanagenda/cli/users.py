"""``urbanagenda users``: accounts of the reporting platform, for administrators.

Passwords never appear on the command line (where the shell history and ``ps`` would
show them): they come from a file (``--password-file``), from ``URBANAGENDA_PASSWORD``
(scripts), or are asked for twice without echo.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import click
import typer
from rich.table import Table

from urbanagenda.cli.common import DatabaseOpt, JsonOpt, console, err
from urbanagenda.errors import UrbanAgendaError

__all__ = ["PASSWORD_ENV", "users_app"]

PASSWORD_ENV = "URBANAGENDA_PASSWORD"

users_app = typer.Typer(
    help="Accounts of the reporting platform: add, list, disable, enable, password; API tokens.",
    no_args_is_help=True,
)


def _fail(exc: UrbanAgendaError | str) -> NoReturn:
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _engine(database: str | None):  # type: ignore[no-untyped-def]
    from urbanagenda.store.bootstrap import initialise
    from urbanagenda.store.engine import open_engine

    engine = open_engine(database)
    initialise(engine)  # the schema and the areas focal points are bound to
    return engine


def _password(path: Path | None) -> str:
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot read the password file {str(path)!r}: {exc.strerror or exc}")
        return text.rstrip("\r\n")  # the line break an editor adds is not part of it
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    try:
        first = typer.prompt("Password (at least 12 characters)", hide_input=True)
        again = typer.prompt("The same password again", hide_input=True)
    except (click.exceptions.Abort, typer.Abort):  # no terminal and nothing on standard input
        _fail(
            f"no password: give --password-file, set {PASSWORD_ENV}, or type it when asked (twice)"
        )
    if first != again:
        _fail("the two passwords differ; nothing was written")
    return str(first)


@users_app.command("add")
def add_command(
    username: Annotated[str, typer.Argument(help="3 to 64 of a-z, 0-9, '.', '_', '-'.")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="administrator, reviewer, national_focal_point or local_focal_point.",
        ),
    ],
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            help="The country of a national focal point (404 or KEN), the city of a local "
            "one (ke_nairobi).",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The name shown.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="A contact address.")] = None,
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file",
            help=f"Read the password from this file (else {PASSWORD_ENV}, else asked twice).",
        ),
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Add an account."""
    from urbanagenda.reporting import accounts
    from urbanagenda.reporting.model import ROLES

    role = role.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        # cheap checks before asking for a password that would then be thrown away
        accounts.normalise_username(username)
        if role not in ROLES:
            raise accounts.AccountError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}.")
        password = _password(password_file)
        user = accounts.add_user(
            _engine(database), username, password, role,
            area_code=area, display_name=name, email=email,
        )  # fmt: skip
    except UrbanAgendaError as exc:
        _fail(exc)
    bound = f" bound to {user.area_code}" if user.area_code else ""
    console.print(
        f"added {user.username} ({user.role.replace('_', ' ')}{bound}), id {user.id}",
        highlight=False,
    )


@users_app.command("list")
def list_command(database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """List the accounts, disabled ones too."""
    from urbanagenda.reporting import accounts

    try:
        users = accounts.list_users(_engine(database))
    except UrbanAgendaError as exc:
        _fail(exc)
    if as_json:
        rows = [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "area_code": u.area_code,
                "active": u.active,
                "email": u.email,
                "created_at": u.created_at.isoformat() if u.created_at else None,
            }
            for u in users
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"{len(users)} account{'s' if len(users) != 1 else ''}")
    for column in ("username", "name", "role", "area", "active", "created"):
        table.add_column(column, overflow="fold")
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            u.role,
            u.area_code or "",
            "yes" if u.active else "no",
            u.created_at.strftime("%Y-%m-%d %H:%M") if u.created_at else "",
        )
    console.print(table)


@users_app.command("disable")
def disable_command(
    username: Annotated[str, typer.Argument(help="The account to disable.")],
    database: DatabaseOpt = None,
) -> None:
    """Disable an account (it is never deleted): it can no longer sign in, and its
    sessions and API tokens stop working at once."""
    from urbanagenda.reporting import accounts

    try:
        user = accounts.disable_user(_engine(database), username)
    except UrbanAgendaError as exc:
        _fail(exc)
    console.print(f"disabled {user.username}; its sessions and API tokens no longer work")


@users_app.command("enable")
def enable_command(
    username: Annotated[str, typer.Argument(help="The account to enable again.")],
    database: DatabaseOpt = None,
) -> None:
    """Enable a disabled account; its old sessions and API tokens stay revoked."""
    from urbanagenda.reporting import accounts

    try:
        user = accounts.enable_user(_engine(database), username)
    except UrbanAgendaError as exc:
        _fail(exc)
    console.print(f"enabled {user.username}; it signs in anew and makes new API tokens")


@users_app.command("password")
def password_command(
    username: Annotated[str, typer.Argument(help="Whose password to set.")],
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file",
            help=f"Read the password from this file (else {PASSWORD_ENV}, else asked twice).",
        ),
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Set a new password; the account's sessions end (its API tokens do not)."""
    from urbanagenda.reporting import accounts

    try:
        engine = _engine(database)
        accounts.get_user(engine, username)  # before asking for a password
        user = accounts.set_password(engine, username, _password(password_file))
    except UrbanAgendaError as exc:
        _fail(exc)
    console.print(f"new password for {user.username}; its sessions have ended")


@users_app.command("token")
def token_command(
    username: Annotated[str, typer.Argument(help="Whose token it is.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    database: DatabaseOpt = None,
) -> None:
    """Create an API token and print it once (it is stored only hashed): scripts send it
    as ``Authorization: Bearer <token>``."""
    from urbanagenda.reporting import accounts

    try:
        engine = _engine(database)
        token = accounts.create_api_token(engine, accounts.get_user(engine, username), name)
    except UrbanAgendaError as exc:
        _fail(exc)
    err.print(
        f"API token {name!r} for {username.strip().lower()}; it is shown only now, keep it secret:",
        highlight=False,
    )
    sys.stdout.write(token + "\n")
