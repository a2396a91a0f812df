"""Fixtures of the web platform's tests: an in-process client and a real server.

``client``       FastAPI's TestClient on the demo database (no network, fast)
``live_server``  ``urbanagenda serve`` as a real uvicorn process on 127.0.0.1 (a free port),
                 with the demo database; yields its base URL
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="session")
def live_server(demo_db: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "URBANAGENDA_DATABASE_URL": demo_db}
    log = ROOT / "test-artifacts" / "server.log"
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
