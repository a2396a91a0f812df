"""Shared fixtures: databases on both backends, built from the bundled real data.

PostgreSQL tests use ``URBANAGENDA_TEST_POSTGRES_URL``.  Without it they are skipped on a
developer machine and *fail* in CI (``CI=true``), where .ci/run starts a real server.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text

from urbanagenda.model.observations import COLUMNS
from urbanagenda.store.bootstrap import initialise
from urbanagenda.store.engine import open_engine

PG_ENV = "URBANAGENDA_TEST_POSTGRES_URL"

# Rich sizes its tables to the terminal; tests read the CLI's tables, so every run (a
# terminal, CI, a pytest-xdist worker without one) gets the same wide one.
os.environ["COLUMNS"] = "200"
DATA = Path(str(resources.files("urbanagenda.data")))
SPECIMENS = Path(__file__).parent / "specimens"


def data_path(rel: str) -> Path:
    return DATA / rel


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} is not set in CI: .ci/run must start PostgreSQL")
        return None
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised SQLite store (catalogue and areas, no observations), built once."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = open_engine(f"sqlite:///{path}")
    initialise(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """An initialised PostgreSQL template database, built once per session."""
    url = _pg_admin_url()
    if url is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (CI sets it)")
    admin = create_engine(_pg(url), isolation_level="AUTOCOMMIT")
    name = f"ua_tmpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    tmpl_url = _with_db(url, name)
    engine = open_engine(tmpl_url)
    initialise(engine)
    engine.dispose()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def _with_db(url: str, db: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{db}"


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "store.sqlite"
    shutil.copy(sqlite_template, path)
    engine = open_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_template: str) -> Iterator[Engine]:
    url = os.environ[PG_ENV]
    admin = create_engine(_pg(url), isolation_level="AUTOCOMMIT")
    name = f"ua_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    engine = open_engine(_with_db(url, name))
    yield engine
    engine.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The contract suite runs on both backends."""
    fixture = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(fixture)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo database built from all bundled real data (once per session)."""
    from urbanagenda.api import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    build_demo(url)
    return url


@pytest.fixture
def digest():  # type: ignore[no-untyped-def]
    """SHA-256 of a file's bytes."""
    return file_digest


DDF_LOCATION = {"urban": "U", "rural": "R", "allarea": "_T", "city": "CITY", "tsub": "TSUB"}
DDF_UNITS = {"percent": "PT", "mgr_m_3": "GPERM3"}


def real_ddf_frame(series: str, nrows: int) -> pd.DataFrame:
    """The first ``nrows`` real rows of a bundled by-location DDF series, as observations."""
    name = f"ddf--datapoints--{series.lower()}--by--geo_area--location--nature--units--year.csv"
    raw = pd.read_csv(
        data_path("un_sdg_goal11_ddf") / name, dtype=str, keep_default_na=False, nrows=nrows
    )
    return pd.DataFrame(
        {
            "series_code": series,
            "area_code": raw["geo_area"],
            "year": raw["year"].astype("int64"),
            "sex": "_T",
            "age": "_T",
            "location": raw["location"].map(DDF_LOCATION),
            "breakdown": "",
            "value": raw[series.lower()].astype(float),
            "unit": raw["units"].map(DDF_UNITS),
            "nature": raw["nature"].str.upper(),
            "source": "",
            "footnote": "",
        },
        columns=list(COLUMNS),
    )


# -- the web platform: an in-process client and a real server (one each per session) ---------
#
# ``client``       FastAPI's TestClient on the demo database (no network, fast)
# ``live_server``  ``urbanagenda serve`` as a real uvicorn process on 127.0.0.1 (a free port),
#                  with the demo database; yields its base URL (shared by tests/web and the
#                  browser tests in tests/browser)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def web_app(demo_db: str):  # type: ignore[no-untyped-def]
    from urbanagenda.web import create_app

    return create_app(demo_db, warm=False)


@pytest.fixture(scope="session")
def client(web_app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(web_app, raise_server_exceptions=False) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(database_url: str, log_name: str = "server.log") -> Iterator[str]:
    """``urbanagenda serve`` as a real uvicorn process on a free port of 127.0.0.1 over
    ``database_url``; yields its base URL, stops it on exit (log in test-artifacts/)."""
    port = _free_port()
    env = {**os.environ, "URBANAGENDA_DATABASE_URL": database_url}
    log = ROOT / "test-artifacts" / log_name
    log.parent.mkdir(exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "urbanagenda.cli.main", "serve", "--port", str(port),
             "--log-level", "warning"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server stopped: see {log}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"the server did not start in 120 s: see {log}")
            time.sleep(0.3)
        try:
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def live_server(demo_db: str) -> Iterator[str]:
    with serve(demo_db) as base:
        yield base


@pytest.fixture(scope="session")
def start_server():  # type: ignore[no-untyped-def]
    """:func:`serve` for tests that need a server over a database of their own."""
    return serve
