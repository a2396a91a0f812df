"""Serving: the shared response cache, the security headers and ``urbanagenda serve``.

The cache is tested on a small Starlette application that counts the calls reaching it (so a
hit is proved, not assumed), then on the real application with the demo database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from urbanagenda.web.httpcache import ResponseCache
from urbanagenda.web.security import CSP, SecurityHeaders

ROOT = Path(__file__).resolve().parents[2]


class Backend:
    """A Starlette app whose answers say how often they were computed."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.version = "v1"

    def _count(self, request: Request) -> int:
        key = request.url.path
        self.calls[key] = self.calls.get(key, 0) + 1
        return self.calls[key]

    def app(self) -> Starlette:
        def public(request: Request) -> Response:
            n = self._count(request)
            body = f"n={n} host={request.headers.get('host')} q={request.url.query}"
            return PlainTextResponse(
                body, headers={"Cache-Control": "public, max-age=60", "ETag": f'"e{n}"'}
            )

        def with_header(control: str, status: int = 200, **extra: str) -> Any:
            def endpoint(request: Request) -> Response:
                n = self._count(request)
                return PlainTextResponse(
                    f"n={n}", status_code=status, headers={"Cache-Control": control, **extra}
                )

            return endpoint

        def by_language(request: Request) -> Response:
            n = self._count(request)
            lang = request.headers.get("accept-language", "-")
            return PlainTextResponse(
                f"n={n} lang={lang}",
                headers={"Cache-Control": "public, max-age=60", "Vary": "Accept-Language"},
            )

        def streamed(request: Request) -> Response:
            n = self._count(request)

            def chunks() -> Iterator[bytes]:
                yield f"n={n};".encode()
                yield b"x" * 1000
                yield b";end"

            return StreamingResponse(chunks(), headers={"Cache-Control": "public, max-age=60"})

        routes = [
            Route("/public", public),
            Route("/short", with_header("public, max-age=1")),
            Route("/private", with_header("private, max-age=60")),
            Route("/nostore", with_header("public, no-store")),
            Route("/zero", with_header("public, max-age=0")),
            Route("/noheader", with_header("")),
            Route("/missing", with_header("public, max-age=60", status=404)),
            Route("/cookie", with_header("public, max-age=60", **{"Set-Cookie": "a=b"})),
            Route("/star", with_header("public, max-age=60", Vary="*")),
            Route("/lang", by_language),
            Route("/streamed", streamed),
            Route("/big", with_header("public, max-age=60")),
        ]
        return Starlette(routes=routes)


def make_client(
    size: int = 16, max_entry: int = 2**20
) -> tuple[Backend, ResponseCache, TestClient]:
    backend = Backend()
    cache = ResponseCache(
        SecurityHeaders(backend.app()),  # type: ignore[arg-type]
        version=lambda: backend.version,
        size=size,
        max_entry=max_entry,
    )
    return backend, cache, TestClient(cache)  # type: ignore[arg-type]


def test_a_public_answer_is_computed_once_and_replayed_with_its_headers() -> None:
    backend, cache, client = make_client()
    first = client.get("/public?a=1")
    second = client.get("/public?a=1")
    assert first.text == second.text == "n=1 host=testserver q=a=1"
    assert backend.calls["/public"] == 1
    assert (cache.hits, cache.misses) == (1, 1)
    for name in ("etag", "cache-control", "content-type", "content-length"):
        assert second.headers[name] == first.headers[name]
    # the stored answer carries the security headers it was sent with
    assert second.headers["content-security-policy"] == CSP
    assert second.headers["x-frame-options"] == "DENY"
    assert "age" not in first.headers
    assert int(second.headers["age"]) >= 0
    # another query string is another answer
    assert client.get("/public?a=2").text == "n=2 host=testserver q=a=2"


def test_if_none_match_on_a_stored_answer_gives_304_without_a_body() -> None:
    backend, _, client = make_client()
    etag = client.get("/public").headers["etag"]
    resp = client.get("/public", headers={"If-None-Match": f'"other", {etag}'})
    assert resp.status_code == 304
    assert resp.content == b""
    assert resp.headers["etag"] == etag
    assert "content-length" not in resp.headers or resp.headers["content-length"] == "0"
    assert client.get("/public", headers={"If-None-Match": '"other"'}).status_code == 200
    assert backend.calls["/public"] == 1


def test_the_host_is_part_of_the_key() -> None:
    _backend, _, client = make_client()
    a = client.get("/public", headers={"Host": "a.example"})
    b = client.get("/public", headers={"Host": "b.example"})
    assert a.text == "n=1 host=a.example q="
    assert b.text == "n=2 host=b.example q="
    assert client.get("/public", headers={"Host": "a.example"}).text == a.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "session=1"},
        {"Authorization": "Bearer x"},
        {"Origin": "https://elsewhere.example"},
    ],
)
def test_personal_or_cross_origin_requests_bypass_the_cache(headers: dict[str, str]) -> None:
    backend, _, client = make_client()
    client.get("/public")
    assert client.get("/public", headers=headers).text == "n=2 host=testserver q="
    assert client.get("/public", headers=headers).text == "n=3 host=testserver q="
    assert backend.calls["/public"] == 3
    # and they did not replace the stored answer
    assert client.get("/public").text == "n=1 host=testserver q="


def test_a_reload_goes_to_the_application_and_refreshes_the_stored_answer() -> None:
    backend, _, client = make_client()
    client.get("/public")
    assert client.get("/public", headers={"Cache-Control": "no-cache"}).text.startswith("n=2")
    assert client.get("/public", headers={"Pragma": "no-cache"}).text.startswith("n=3")
    assert client.get("/public").text.startswith("n=3")
    assert backend.calls["/public"] == 3


@pytest.mark.parametrize(
    "path", ["/private", "/nostore", "/zero", "/noheader", "/missing", "/cookie", "/star"]
)
def test_answers_not_declared_shareable_are_never_stored(path: str) -> None:
    backend, _, client = make_client()
    first, second = client.get(path), client.get(path)
    assert (first.text, second.text) == ("n=1", "n=2")
    assert backend.calls[path] == 2


def test_head_is_not_cached() -> None:
    backend, _, client = make_client()
    client.head("/public")
    client.head("/public")
    assert backend.calls["/public"] == 2


def test_vary_headers_must_match() -> None:
    _backend, _, client = make_client()
    fr = client.get("/lang", headers={"Accept-Language": "fr"})
    assert fr.text == "n=1 lang=fr"
    assert client.get("/lang", headers={"Accept-Language": "fr"}).text == "n=1 lang=fr"
    assert client.get("/lang", headers={"Accept-Language": "ar"}).text == "n=2 lang=ar"
    assert client.get("/lang").text == "n=3 lang=-"


def test_a_new_data_version_invalidates_every_stored_answer() -> None:
    backend, _, client = make_client()
    client.get("/public")
    backend.version = "v2"
    assert client.get("/public").text.startswith("n=2")
    assert client.get("/public").text.startswith("n=2")


def test_an_answer_expires_after_its_max_age() -> None:
    _backend, _, client = make_client()
    client.get("/short")
    assert client.get("/short").text == "n=1"
    time.sleep(1.1)
    assert client.get("/short").text == "n=2"


def test_a_streamed_answer_is_stored_whole() -> None:
    backend, _, client = make_client()
    first = client.get("/streamed")
    second = client.get("/streamed")
    assert first.content == second.content
    assert first.content.startswith(b"n=1;") and first.content.endswith(b";end")
    assert len(second.content) == 4 + 1000 + 4
    assert backend.calls["/streamed"] == 1


def test_the_cache_is_bounded_in_entries_and_in_bytes() -> None:
    backend, cache, client = make_client(size=2)
    for q in ("a", "b", "c"):
        client.get(f"/public?{q}")
    assert len(cache._entries) == 2
    assert client.get("/public?a").text.startswith("n=4")  # evicted, computed again
    assert client.get("/public?c").text.startswith("n=3")  # still stored
    backend, cache, client = make_client(max_entry=500)
    client.get("/streamed")
    client.get("/streamed")
    assert backend.calls["/streamed"] == 2  # too big to keep
    assert cache._bytes == 0


def test_size_zero_turns_the_cache_off() -> None:
    backend, _, client = make_client(size=0)
    client.get("/public")
    client.get("/public")
    assert backend.calls["/public"] == 2


# -- security headers ---------------------------------------------------------------------------


def test_security_headers_do_not_override_what_the_application_set() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"x-frame-options", b"SAMEORIGIN")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok"})

    client = TestClient(SecurityHeaders(app))  # type: ignore[arg-type]
    resp = client.get("/x")
    assert resp.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert resp.headers["content-security-policy"] == CSP
    assert resp.headers["x-content-type-options"] == "nosniff"
    docs = client.get("/docs")
    assert "'unsafe-inline'" in docs.headers["content-security-policy"].split("script-src")[1]
    assert "'unsafe-inline'" not in resp.headers["content-security-policy"].split(";")[1]


# -- the real application -----------------------------------------------------------------------


def test_the_real_api_answer_is_replayed_byte_for_byte(client) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/observations?series=EN_LND_SLUM&area=566&year_from=2019"
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert [r["value"] for r in second.json()["data"]] == [48.98206]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert "age" in second.headers
    # a validation error is not stored and keeps its error shape
    bad = client.get("/api/v1/observations?series=NOPE")
    again = client.get("/api/v1/observations?series=NOPE")
    assert bad.status_code == again.status_code == 422
    assert again.json()["error"]["message"] == bad.json()["error"]["message"]
    assert "age" not in again.headers


def test_static_files_may_be_kept_and_are_replayed_from_the_cache(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/static/app.js")
    second = client.get("/static/app.js")
    assert first.status_code == second.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=600"
    assert "data-rendered" in first.text
    assert second.content == first.content
    assert "age" in second.headers
    etag = first.headers["etag"]
    assert client.get("/static/app.js", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/static/nothing-here.js").status_code == 404


def test_response_cache_zero_leaves_the_middleware_out(demo_db: str) -> None:
    from urbanagenda.web import create_app
    from urbanagenda.web.settings import WebSettings

    app = create_app(demo_db, WebSettings(database=demo_db, response_cache=0), warm=False)
    assert not any(m.cls is ResponseCache for m in app.user_middleware)
    app = create_app(demo_db, WebSettings(database=demo_db), warm=False)
    assert any(m.cls is ResponseCache for m in app.user_middleware)


# -- urbanagenda serve --------------------------------------------------------------------------


def test_serve_rejects_an_unknown_log_level() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "urbanagenda.cli.main", "serve", "--log-level", "loud"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert res.returncode == 2
    assert "unknown --log-level 'loud'" in res.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_with_two_workers_and_no_access_log(demo_db: str, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "URBANAGENDA_DATABASE_URL": demo_db}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "urbanagenda.cli.main", "serve", "--port", str(port),
             "--workers", "2", "--no-access-log"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/api/v1/observations?series=EN_LND_SLUM&area=NGA"
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    body = resp.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert b"48.98206" in body
        text = log.read_text()
        assert "2 processes" in text
        assert "GET /api/v1/observations" not in text  # no access log
        assert "died" not in text  # workers were not killed while starting
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_warming_up_moves_start_up_objects_out_of_the_collectors_sight(demo_db: str) -> None:
    import gc

    from urbanagenda.web import create_app
    from urbanagenda.web.app import _warm

    app = create_app(demo_db, warm=False)
    try:
        _warm(app.state.store)
        assert gc.get_freeze_count() > 10_000
        start = time.perf_counter()
        gc.collect()
        frozen_collect = time.perf_counter() - start
        assert frozen_collect < 1.0
    finally:
        gc.unfreeze()
