"""Security of the web platform: headers, escaping, CORS only as configured, no debug."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from urbanagenda.web import create_app
from urbanagenda.web.settings import WebSettings

PAGES = ["/en/", "/ar/indicator/11.1.1", "/zh/area/566", "/fr/search?q=lagos", "/api/v1/series"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_pages_and_api(client: Any, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    csp = resp.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp  # no inline scripts, no eval
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_user_input_is_escaped_everywhere(client: Any) -> None:
    attack = '<script>alert("x")</script>'
    page = client.get("/en/search", params={"q": attack})
    assert page.status_code in (200, 422)
    assert attack not in page.text and "&lt;script&gt;" in page.text
    err = client.get("/en/indicator/11.1.1", params={"series": attack})
    assert err.status_code in (404, 422)
    assert attack not in err.text
    api = client.get("/api/v1/observations", params={"area": attack})
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/json")


def test_no_debug_and_no_trace_to_clients(client: Any) -> None:
    assert client.app.debug is False
    resp = client.get("/api/v1/observations", params={"year_from": "x" * 500})
    assert resp.status_code == 422
    assert "Traceback" not in resp.text and "File \"" not in resp.text


def test_cors_is_off_unless_configured(client: Any, demo_db: str) -> None:
    origin = {"Origin": "https://example.org"}
    resp = client.get("/api/v1/series", headers=origin)
    assert "access-control-allow-origin" not in resp.headers
    pre = client.options(
        "/api/v1/series",
        headers={**origin, "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in pre.headers

    app = create_app(
        demo_db, WebSettings(database=demo_db, cors_origins=("https://sdg.example.org",)),
        warm=False,
    )  # fmt: skip
    with TestClient(app) as configured:
        ok = configured.get("/api/v1/series", headers={"Origin": "https://sdg.example.org"})
        assert ok.headers["access-control-allow-origin"] == "https://sdg.example.org"
        other = configured.get("/api/v1/series", headers=origin)
        assert "access-control-allow-origin" not in other.headers


def test_links_in_answers_never_carry_the_clients_host(client: Any) -> None:
    params = {"series": "EN_LND_SLUM", "area_level": "country", "limit": 10}
    resp = client.get("/api/v1/observations", params=params, headers={"Host": "evil.example"})
    assert resp.status_code == 200
    links = resp.json()["meta"]["links"]
    assert links["self"].startswith("/api/v1/observations?")
    assert links["next"].startswith("/api/v1/observations?") and "page=2" in links["next"]
    assert "evil" not in resp.text
