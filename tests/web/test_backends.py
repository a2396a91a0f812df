"""The API and the pages on both backends: the same answers from SQLite and PostgreSQL."""

from __future__ import annotations

from importlib import resources

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from urbanagenda.store.load import load_files
from urbanagenda.web import create_app

DATA = resources.files("urbanagenda.data")
SLUM = (
    "un_sdg_goal11_ddf/"
    "ddf--datapoints--en_lnd_slum--by--geo_area--location--nature--units--year.csv"
)


@pytest.fixture
def web(engine: Engine):  # type: ignore[no-untyped-def]
    load_files(engine, [str(DATA.joinpath(SLUM))])
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(url, warm=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_observations_and_pages_on_each_backend(web) -> None:  # type: ignore[no-untyped-def]
    resp = web.get("/api/v1/observations", params={"series": "EN_LND_SLUM", "area": "NGA"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    values = {r["year"]: r["value"] for r in body["data"] if r["location"] == "U"}
    assert values[2020] == 48.98206 and values[2000] == 74.10729
    assert body["meta"]["total"] == len(body["data"]) == 11
    # pagination covers every row once
    seen = []
    for page in (1, 2, 3):
        part = web.get(
            "/api/v1/observations",
            params={"series": "EN_LND_SLUM", "area": "566", "limit": 4, "page": page},
        ).json()
        seen += [r["year"] for r in part["data"]]
    assert sorted(seen) == sorted(values)
    # an unknown code: the error shape, nothing else
    bad = web.get("/api/v1/observations", params={"series": "EN_LND_SLUM", "area": "ZZZ"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["where"] == "query.area"
    # a NUL character never reaches PostgreSQL
    nul = web.get("/api/v1/observations", params={"breakdown": "a\x00b"})
    assert nul.status_code == 422
    page = web.get("/en/area/566")
    assert page.status_code == 200
    assert "49.0" in page.text
