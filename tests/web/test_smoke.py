"""The web platform starts on the demo database and answers with real values."""

from __future__ import annotations

import json
import urllib.request


def test_nigeria_slum_share_through_the_api(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/v1/observations", params={"series": "EN_LND_SLUM", "area": "566"})
    assert resp.status_code == 200
    rows = resp.json()["data"]
    by_year = {r["year"]: r["value"] for r in rows if r["location"] == "U"}
    assert by_year[2020] == 48.98206
    assert by_year[2000] == 74.10729
    assert resp.headers["etag"]
    again = client.get(
        "/api/v1/observations",
        params={"series": "EN_LND_SLUM", "area": "566"},
        headers={"If-None-Match": resp.headers["etag"]},
    )
    assert again.status_code == 304


def test_real_server_serves_home_and_api(live_server: str) -> None:
    url = f"{live_server}/api/v1/observations?series=EN_LND_SLUM&area=NGA"
    with urllib.request.urlopen(url) as r:
        data = json.load(r)
    assert any(row["year"] == 2020 and row["value"] == 48.98206 for row in data["data"])
    with urllib.request.urlopen(f"{live_server}/en/") as r:
        html = r.read().decode()
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "11.1" in html and "Sub-Saharan Africa" in html


def test_api_documentation_is_served_locally_in_english(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/docs")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "/static/vendor/swagger-ui-bundle.js" in page.text and "cdn." not in page.text
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/v1/observations" in spec["paths"]
