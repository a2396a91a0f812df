"""The public surface: pinned, so that removing or renaming a name is a deliberate change."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

import urbanagenda
from urbanagenda.errors import (
    AuthError,
    ConfigError,
    DataError,
    MethodError,
    StoreError,
    UrbanAgendaError,
    ValidationFailed,
)
from urbanagenda.store.bootstrap import initialise


def test_all_is_pinned() -> None:
    assert sorted(urbanagenda.__all__) == sorted(
        [
            "AuthError",
            "ConfigError",
            "DataError",
            "MethodError",
            "StoreError",
            "UrbanAgendaError",
            "ValidationFailed",
            "__version__",
            "build_demo",
            "export",
            "init",
            "load",
            "show",
            "template",
            "validate",
        ]
    )
    for name in urbanagenda.__all__:
        assert hasattr(urbanagenda, name)


def test_one_exception_tree() -> None:
    for exc in (AuthError, ConfigError, DataError, MethodError, StoreError):
        assert issubclass(exc, UrbanAgendaError)
    assert issubclass(ValidationFailed, DataError)


def test_reinitialising_an_up_to_date_store_writes_nothing(sqlite_engine: Engine, digest) -> None:
    path = Path(sqlite_engine.url.database or "")
    sqlite_engine.dispose()
    before = digest(path)
    assert initialise(sqlite_engine) == {}
    sqlite_engine.dispose()
    assert digest(path) == before


def test_database_url_errors_say_how_to_fix() -> None:
    import pytest

    with pytest.raises(StoreError) as info:
        urbanagenda.init("nosuchdialect://x")
    assert "URBANAGENDA_DATABASE_URL" in str(info.value)
