"""Opening the store: SQLite file by default, PostgreSQL when the URL says so."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError

__all__ = ["DEFAULT_DATABASE_PATH", "database_url", "migrate", "open_engine"]

#: Where the embedded database lives unless ``URBANAGENDA_DATABASE_URL`` says otherwise.
DEFAULT_DATABASE_PATH = Path("var") / "urbanagenda.sqlite"


def database_url(url: str | None = None) -> str:
    """The database URL: the argument, else ``URBANAGENDA_DATABASE_URL``, else the default file."""
    if url:
        return url
    env = os.environ.get("URBANAGENDA_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{DEFAULT_DATABASE_PATH}"


def _normalise(url: str) -> str:
    # A bare PostgreSQL URL means psycopg 3, the driver urbanagenda ships with.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def open_engine(url: str | None = None) -> Engine:
    """An engine on the store.  The SQLite file's folder is created when missing."""
    url = _normalise(database_url(url))
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(
            f"cannot open the database at {url!r}: {exc}. Expected a URL such as "
            "'sqlite:///var/urbanagenda.sqlite' or 'postgresql://user:pass@host/db'; "
            "set URBANAGENDA_DATABASE_URL or pass --database."
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_connection.cursor()
    # The rollback journal (not WAL) keeps a rejected load from touching the file at all.
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-200000")
    cur.close()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not migrate the database {engine.url!r}: {exc}") from exc


def is_initialised(engine: Engine) -> bool:
    try:
        # "load_run" exists from the first migration on ("observation" is a view from 0006)
        return inspect(engine).has_table("load_run")
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot reach the database {engine.url!r}: {exc}") from exc
