"""Alembic environment: runs on the connection urbanagenda hands it (see store.engine)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from urbanagenda.store.schema import metadata

config = context.config
target_metadata = metadata


def _include_name(name, type_, parent_names) -> bool:  # type: ignore[no-untyped-def]
    # the full-text index of migration 0003 is made by hand, per database engine
    if type_ == "table":
        return not (name or "").startswith("search_fts")
    if type_ == "column":
        return name != "tsv"
    return True


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        include_name=_include_name,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
