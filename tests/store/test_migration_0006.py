"""Migration 0006 moves observations to integer keys without losing or changing any of them.

A store at 0005 with observations and a revision is upgraded: the view ``observation`` gives
back every row with its id, the revision still points at its observation, and loads go on
keeping revisions.  Downgrading gives the old table back with the same rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text

from urbanagenda.store import schema as s
from urbanagenda.store.bootstrap import _area_rows, _catalogue_rows, upsert_rows
from urbanagenda.store.engine import migrate, open_engine
from urbanagenda.store.load import load_files

TIDY = Path(__file__).parents[1] / "specimens" / "tidy"
PG_ENV = "URBANAGENDA_TEST_POSTGRES_URL"

# (id, series, area, year, sex, age, location, breakdown, value, unit, nature, source, footnote)
ROWS = [
    (1, "EN_LND_SLUM", "566", 2000, "_T", "_T", "U", "", 74.10729, "PT", "E", "UN", ""),
    (2, "EN_LND_SLUM", "566", 2010, "_T", "_T", "U", "", 61.54467, "PT", "E", "UN", ""),
    (3, "EN_LND_SLUM", "566", 2020, "_T", "_T", "U", "", 48.98206, "PT", "E", "UN", "a note"),
    (4, "EN_ATM_PM25", "566", 2019, "_T", "_T", "_T", "", 52.84583, "UG_M3", "M", "WHO", ""),
    (5, "EN_ATM_PM25", "566", 2019, "_T", "_T", "U", "", 55.0, "UG_M3", "M", "WHO", ""),
    (7, "SP_TRN_PUBL", "ng_lagos", 2020, "_T", "_T", "_T", "mode=bus", 39.1, "PT", "C", "", ""),
]
NAMES = ("i", "s", "a", "y", "sx", "ag", "l", "b", "v", "u", "n", "src", "f")
VIEW = (
    "SELECT id, series_code, area_code, year, sex, age, location, breakdown, value, unit, "
    "nature, source, footnote FROM observation ORDER BY id"
)


def _alembic(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(s.__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = _alembic(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with nothing in it, on either backend."""
    if request.param == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
        yield engine
        engine.dispose()
        return
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (CI sets it)")
    admin = create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    name = f"ua_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = open_engine(url.rpartition("/")[0] + "/" + name)
    yield engine
    engine.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _store_at_0005(engine: Engine) -> None:
    migrate(engine, "0005")
    with engine.begin() as conn:
        for table, rows in {**_catalogue_rows(), **_area_rows()}.items():
            upsert_rows(conn, table, rows)
        conn.execute(
            text(
                "INSERT INTO load_run (started_at, sources, formats, rows_read, "
                "rows_inserted, rows_updated, rows_unchanged) VALUES "
                "(CURRENT_TIMESTAMP, '[]', '{}', 6, 6, 0, 0), "
                "(CURRENT_TIMESTAMP, '[]', '{}', 1, 0, 1, 0)"
            )
        )
        assert [i for (i,) in conn.execute(text("SELECT id FROM load_run"))] == [1, 2]
        for row in ROWS:
            conn.execute(
                text(
                    "INSERT INTO observation (id, series_code, area_code, year, sex, age, "
                    "location, breakdown, value, unit, nature, source, footnote, load_id) "
                    "VALUES (:i, :s, :a, :y, :sx, :ag, :l, :b, :v, :u, :n, :src, :f, 1)"
                ),
                dict(zip(NAMES, row, strict=True)),
            )
        # a changed value: the old trigger keeps the old one
        conn.execute(text("UPDATE observation SET value = 49.5, load_id = 2 WHERE id = 3"))


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_upgrade_keeps_every_observation_and_revision(empty_engine: Engine) -> None:
    engine = empty_engine
    _store_at_0005(engine)
    before = _rows(engine, VIEW)
    revisions = _rows(engine, "SELECT observation_id, value, load_id FROM observation_revision")
    assert revisions == [(3, pytest.approx(48.98206), 1)]

    migrate(engine)
    assert _rows(engine, VIEW) == before  # same ids, codes and values, through the view
    assert _rows(engine, "SELECT count(*) FROM obs_series") == [(3,)]
    assert _rows(engine, "SELECT count(*) FROM obs_area") == [(2,)]
    assert _rows(engine, "SELECT count(*) FROM obs_breakdown") == [(3,)]
    assert _rows(engine, "SELECT count(*) FROM obs_attributes") == [(4,)]
    history = _rows(
        engine,
        "SELECT o.year, r.value FROM observation_revision r "
        "JOIN observation o ON o.id = r.observation_id",
    )
    assert history == [(2020, pytest.approx(48.98206))]

    # loads go on: a new observation gets the next id, a changed one keeps a revision
    result = load_files(engine, [TIDY / "nga_slum_revised.csv"])
    assert result.updated == 1
    assert _rows(engine, "SELECT max(id) FROM observation") == [(7,)]
    assert len(_rows(engine, "SELECT id FROM observation_revision")) == 2
    fresh = load_files(engine, [TIDY / "nga_slum.csv"])
    # PM2.5 for 2010, Lagos without a breakdown and Ibadan are new: ids after the kept ones
    # (PostgreSQL's sequence also spends numbers on rows that turned out to exist)
    assert (fresh.inserted, fresh.updated) == (3, 3)
    new_ids = _rows(engine, f"SELECT id FROM observation WHERE load_id = {fresh.load_id}")
    ids = sorted(i for (i,) in new_ids)
    assert ids[:3] == [1, 2, 3] and len(ids) == 6 and min(ids[3:]) >= 8


def test_downgrade_gives_the_table_back(empty_engine: Engine) -> None:
    engine = empty_engine
    _store_at_0005(engine)
    migrate(engine)
    load_files(engine, [TIDY / "nga_slum_revised.csv"])
    after = _rows(engine, VIEW)
    revisions = _rows(engine, "SELECT observation_id, value FROM observation_revision ORDER BY id")

    _downgrade(engine, "0005")
    assert _rows(engine, VIEW) == after  # now from the table again
    again = _rows(engine, "SELECT observation_id, value FROM observation_revision ORDER BY id")
    assert again == revisions
    with engine.begin() as conn:  # the old trigger is back
        conn.execute(text("UPDATE observation SET value = 1.0, load_id = 1 WHERE id = 1"))
    assert len(_rows(engine, "SELECT id FROM observation_revision")) == len(revisions) + 1
