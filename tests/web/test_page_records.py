"""The institutional records page and API on the demo database (which loads the bundled
records of the seed report): every section, locale dates, citations linked to the reference
document, the filters, the charts' data, and a change of the records showing at once."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select, update

from urbanagenda.store import schema as s
from urbanagenda.synthesis.records import read_records

API = "/api/v1"
NO_CACHE = {"Cache-Control": "no-cache"}  # past the shared response cache


@pytest.fixture(scope="module")
def records(demo_db: str) -> Any:
    rec = read_records(create_engine(demo_db))
    assert rec.bodies and rec.sessions and rec.outcomes and rec.programmes and rec.funding
    return rec


def _spec(page: str, element_id: str) -> dict[str, Any]:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page,
                      re.S)  # fmt: skip
    assert match, element_id
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_every_section_in_english_with_citations(client: Any, records: Any) -> None:
    resp = client.get("/en/records")
    assert resp.status_code == 200
    page = resp.text
    for anchor in ("bodies", "sessions", "outcomes", "programmes", "funding", "sources"):
        assert f'id="{anchor}"' in page and f'href="#{anchor}"' in page
    for body in records.bodies:
        assert body["name"]["en"] in page
    # the second session of the Assembly: dates as the UN writes them, place, member States
    row = re.search(r'<tr data-session="UNHA-2">(.*?)</tr>', page, re.S)
    assert row
    assert "5–9 Jun 2023" in row.group(1) and "Nairobi" in row.group(1)
    assert ">132<" in row.group(1)
    # every session, resolution, programme and funding row cites its source and paragraph
    source = records.sessions[0]["source_doc"]
    doc_id = records.sources[source]["reference_document_id"]
    assert doc_id is not None, "the seed report is linked to the library's reference document"
    assert f'<a href="/en/documents/{doc_id}"' in page
    cites = re.findall(r'<cite class="source">(.*?)</cite>', page, re.S)
    facts = (len(records.bodies) + len(records.sessions) + len(records.outcomes)
             + len(records.programmes) + len(records.results) + len(records.funding))  # fmt: skip
    assert len(cites) == facts
    assert all("para. " in c for c in cites)
    session = records.sessions[0]
    assert f"para. {session['source_para']}" in page
    # the cited document's page exists
    assert client.get(f"/en/documents/{doc_id}", follow_redirects=False).status_code == 302


def test_chinese_page_dates_and_names(client: Any, records: Any) -> None:
    page = client.get("/zh/records").text
    assert "2023年6月5日至9日" in page
    assert records.bodies[0]["name"]["zh"] in page
    unha2 = next(x for x in records.sessions if x["code"] == "UNHA-2")
    assert unha2["name"]["zh"] in page and "内罗毕" in page


def test_other_languages_mark_the_english_text(client: Any, records: Any) -> None:
    page = client.get("/fr/records").text
    assert "5–9 juin 2023" in page
    name = records.bodies[0]["name"]["en"]
    assert f'<span lang="en">{name}</span>' in page


def test_outcome_filters(client: Any, records: Any) -> None:
    page = client.get("/en/records?kind=draft_resolution").text
    kinds = set(re.findall(r'<tr data-kind="([a-z_]+)"', page))
    assert kinds == {"draft_resolution"}
    expected = sum(1 for o in records.outcomes if o["kind"] == "draft_resolution")
    assert f"{expected} entr" in page
    page = client.get("/en/records?body=UNHA&status=in_progress").text
    rows = re.findall(r'<tr data-kind="[a-z_]+" data-status="([a-z_]+)"', page)
    wanted = [
        o
        for o in records.outcomes
        if o["body_code"] == "UNHA" and o["implementation_status"] == "in_progress"
    ]
    assert wanted and len(rows) == len(wanted) and set(rows) == {"in_progress"}
    assert '<option value="UNHA" selected>' in page
    for bad in ("body=XYZ", "kind=treaty", "status=done"):
        resp = client.get(f"/en/records?{bad}")
        assert resp.status_code == 422, bad
        assert bad.split("=")[1] in resp.text


def test_charts_hold_the_stored_figures(client: Any, records: Any) -> None:
    page = client.get("/en/records").text
    assert '<script src="/static/vendor/charts.js" defer></script>' in page
    people = _spec(page, "people-spec")
    reached = {r["programme_code"]: r["value"] for r in records.results
               if r["metric"] == "people_reached"}  # fmt: skip
    assert sorted(v["value"] for v in people["data"]["values"]) == sorted(reached.values())
    names = {p["code"]: p["name"]["en"] for p in records.programmes}
    assert {v["programme"] for v in people["data"]["values"]} == {names[c] for c in reached}
    assert 'data-spec="people-spec" role="img" aria-label=' in page
    funding = _spec(page, "funding-spec")
    stored = sorted(round(f["amount_usd"] / 1e6, 2) for f in records.funding
                    if f["amount_usd"] is not None)  # fmt: skip
    assert sorted(v["value"] for v in funding["data"]["values"]) == stored


def test_api_sections_and_citations(client: Any, records: Any) -> None:
    resp = client.get(f"{API}/records")
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert set(data) == {"sources", "bodies", "sessions", "outcomes", "programmes", "results",
                         "funding", "contributions"}  # fmt: skip
    assert [x["code"] for x in data["sessions"]] == [x["code"] for x in records.sessions]
    for section in ("bodies", "sessions", "outcomes", "programmes", "results", "funding"):
        for row in data[section]:
            c = row["citation"]
            assert c["document"] == row["source_doc"] and c["paragraph"] == row["source_para"]
            assert c["title"] and c["page"] == f"/en/documents/{c['reference_document_id']}"
    one = client.get(f"{API}/records/funding")
    assert one.status_code == 200 and one.json()["data"] == data["funding"]
    etag = one.headers["etag"]
    again = client.get(f"{API}/records/funding", headers={"If-None-Match": etag})
    assert again.status_code == 304
    bad = client.get(f"{API}/records/treaties")
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "invalid_parameter" and error["details"][0]["where"] == "path.section"
    assert client.get(f"{API}/records?section=x").status_code == 422  # unknown parameter


def test_a_changed_record_shows_at_once(demo_db: str, tmp_path: Path) -> None:
    """No figure is written into the page: change the stored income, load (a records load
    row), and the table, the chart and the API show the new figure."""
    from fastapi.testclient import TestClient

    from urbanagenda.web import create_app

    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with TestClient(create_app(url, warm=False)) as client:
        before = client.get("/en/records", headers=NO_CACHE).text
        assert '<td class="num">1,234.5</td>' not in before
        with engine.begin() as conn:
            row = conn.execute(
                select(s.funding.c.id).where(s.funding.c.amount_usd.is_not(None))
            ).first()
            assert row is not None
            conn.execute(update(s.funding).where(s.funding.c.id == row.id)
                         .values(amount_usd=1_234_500_000))  # fmt: skip
            load = {"source_file": "test", "sha256": "0" * 64, "counts": {}}
            conn.execute(insert(s.record_load).values(loaded_at=datetime.now(UTC), **load))
        after = client.get("/en/records", headers=NO_CACHE).text
        assert '<td class="num">1,234.5</td>' in after
        assert 1234.5 in [v["value"] for v in _spec(after, "funding-spec")["data"]["values"]]
        api = client.get(f"{API}/records/funding", headers=NO_CACHE).json()["data"]
        assert 1_234_500_000 in [f["amount_usd"] for f in api]
    engine.dispose()


def test_no_records_says_how_to_load_them(sqlite_engine: Any) -> None:
    from fastapi.testclient import TestClient

    from urbanagenda.web import create_app

    with TestClient(create_app(sqlite_engine.url.render_as_string(hide_password=False),
                               warm=False)) as client:  # fmt: skip
        page = client.get("/en/records")
        assert page.status_code == 200
        assert "urbanagenda records load" in page.text
        assert client.get(f"{API}/records/sessions").json() == {"data": []}
