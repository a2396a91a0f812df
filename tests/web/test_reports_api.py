"""The reporting API end to end: scripted submission with API tokens (a national focal
point creates a report, saves a section, submits; a reviewer comments and publishes; a
visitor reads it and finds it by search), versions and diffs, uploads with their limits,
downloads, the VLR registry, and what may be cached.

Runs on a copy of the demo database (real areas and observations: the frozen indicator
values are the store's); one smoke of the same flow runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from urbanagenda.reporting import accounts, documents, uploads
from urbanagenda.reporting.model import User

API = "/api/v1"
PASSWORD = "correct horse battery staple"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # the tests' accounts only

#: Words no demo document holds, so that search finds exactly the test's report.
MARKER = "zebracrossingpilot"


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass
class Site:
    engine: Engine
    client: TestClient
    users: dict[str, User]
    tokens: dict[str, str]

    def h(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    def get(self, path: str, who: str | None = None, **kw: Any) -> Any:
        return self.client.get(f"{API}{path}", headers={**self.h(who), **kw.pop("headers", {})},
                               **kw)  # fmt: skip

    def send(self, method: str, path: str, who: str | None, **kw: Any) -> Any:
        headers = {**self.h(who), **kw.pop("headers", {})}
        return self.client.request(method, f"{API}{path}", headers=headers, **kw)


@contextmanager
def open_site(url: str) -> Iterator[Site]:
    from urbanagenda.web import create_app

    app = create_app(url, warm=False)
    engine = app.state.store.engine
    users = {
        "nfp": accounts.add_user(engine, "api.nfp-ng", PASSWORD, "national_focal_point",
                                 area_code="NGA", hasher=FAST),
        "nfp_ke": accounts.add_user(engine, "api.nfp-ke", PASSWORD, "national_focal_point",
                                    area_code="KEN", hasher=FAST),
        "reviewer": accounts.add_user(engine, "api.reviewer", PASSWORD, "reviewer", hasher=FAST),
        "lfp": accounts.add_user(engine, "api.lfp-lagos", PASSWORD, "local_focal_point",
                                 area_code="ng_lagos", hasher=FAST),
    }  # fmt: skip
    tokens = {k: accounts.create_api_token(engine, u, "script") for k, u in users.items()}
    with TestClient(app, base_url="https://testserver") as client:
        yield Site(engine, client, users, tokens)


@pytest.fixture(scope="module")
def site(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("reports-api") / "demo.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), path)
    with open_site(f"sqlite:///{path}") as opened:
        yield opened


def _publish(site: Site, year: int, narrative: str, **extra: Any) -> int:
    """The scripted flow: create, save the first section, submit, review, publish."""
    created = site.send("POST", "/reports", "nfp", json={
        "country": "NGA", "year": year, "modality": "new", "title": f"Nigeria {year}",
        "language": "en", **extra})  # fmt: skip
    assert created.status_code == 201, created.text
    report = created.json()["data"]
    key = site.get(f"/reports/{report['id']}", "nfp").json()["data"]["version"]["sections"][0]
    saved = site.send("PUT", f"/reports/{report['id']}/sections/{key['key']}", "nfp",
                      json={"base_version": 1, "narrative": narrative})  # fmt: skip
    assert saved.status_code == 200, saved.text
    for who, action in (("nfp", "submit"), ("reviewer", "start_review"), ("reviewer", "publish")):
        step = site.send("POST", f"/reports/{report['id']}/transitions", who,
                         json={"action": action})  # fmt: skip
        assert step.status_code == 200, step.text
    return int(report["id"])


# -- the whole flow by script -----------------------------------------------------------------


def test_scripted_submission_end_to_end(site: Site) -> None:
    # a focal point creates a draft with an API token
    created = site.send("POST", "/reports", "nfp", json={
        "country": "NGA", "year": 2027, "modality": "new", "title": "Nigeria NUA report 2027",
        "language": "en"})  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    report = created.json()["data"]
    rid = report["id"]
    assert created.headers["location"] == f"/api/v1/reports/{rid}"
    assert (report["kind"], report["status"], report["country_code"]) == (
        "national_report",
        "draft",
        "566",
    )
    assert report["current_version"] == 1 and report["published_version"] is None

    # a visitor cannot see the draft, nor list it; Kenya's focal point may not read it
    assert site.get(f"/reports/{rid}").status_code == 401
    assert rid not in [d["id"] for d in site.get("/reports?country=NGA").json()["data"]]
    assert site.get(f"/reports/{rid}", "nfp_ke").status_code == 403

    detail = site.get(f"/reports/{rid}", "nfp")
    assert detail.status_code == 200
    assert detail.headers["cache-control"] == "private, no-store"
    sections = detail.json()["data"]["version"]["sections"]
    keys = [s["key"] for s in sections]
    assert keys[:3] == ["introduction", "social_inclusion", "urban_prosperity"]
    assert keys[-1] == "indicator_annex"

    # a section saved from version 1: narrative (with an XSS attempt), good practice, series
    narrative = (f"Slum upgrading ({MARKER}) reached **12,000** households.\n\n"
                 "<script>alert('x')</script> [click](javascript:alert(1))")  # fmt: skip
    saved = site.send("PUT", f"/reports/{rid}/sections/social_inclusion", "nfp", json={
        "base_version": 1, "narrative": narrative,
        "good_practices": [{"title": "Lagos slum upgrading", "text": "Community-led."}],
        "indicator_series": ["EN_LND_SLUM"]})  # fmt: skip
    assert saved.status_code == 200, saved.text
    version = saved.json()["data"]
    assert version["number"] == 2
    section = next(s for s in version["sections"] if s["key"] == "social_inclusion")
    assert section["narrative"] == narrative  # kept as written
    html = section["narrative_html"]
    assert "<strong>12,000</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, inert
    # the value frozen from the store: Nigeria's latest urban slum share (2020)
    frozen = {i["series"]: i for i in section["indicators"]}
    assert frozen["EN_LND_SLUM"]["year"] == 2020
    assert frozen["EN_LND_SLUM"]["value"] == pytest.approx(48.98206)
    assert section["good_practices"] == [{"title": "Lagos slum upgrading",
                                          "text": "Community-led."}]  # fmt: skip

    # a second save from the same base version would overwrite: 409, nothing written
    stale = site.send("PUT", f"/reports/{rid}/sections/social_inclusion", "nfp",
                      json={"base_version": 1, "narrative": "lost?"})  # fmt: skip
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert site.get(f"/reports/{rid}", "nfp").json()["data"]["current_version"] == 2

    # an unknown section is 404; an undeclared field 422
    assert site.send("PUT", f"/reports/{rid}/sections/no_such_section", "nfp",
                     json={"base_version": 2, "narrative": "x"}).status_code == 404  # fmt: skip
    bad = site.send("PUT", f"/reports/{rid}/sections/social_inclusion", "nfp",
                    json={"base_version": 2, "narative": "typo"})  # fmt: skip
    assert bad.status_code == 422 and "narative" in bad.text

    # submit; the focal point can no longer edit
    submitted = site.send("POST", f"/reports/{rid}/transitions", "nfp",
                          json={"action": "submit", "note": "for review"})  # fmt: skip
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["data"]["status"] == "submitted"
    assert site.send("PUT", f"/reports/{rid}/sections/social_inclusion", "nfp",
                     json={"base_version": 2, "narrative": "late"}).status_code == 409  # fmt: skip

    # the reviewer takes it into review, comments on a section and publishes
    reviewer = "reviewer"
    assert (
        site.send(
            "POST", f"/reports/{rid}/transitions", reviewer, json={"action": "start_review"}
        ).json()["data"]["status"]
        == "in_review"
    )
    comment = site.send("POST", f"/reports/{rid}/comments", reviewer, json={
        "body": "Say which year the 12,000 households refer to.",
        "section_key": "social_inclusion"})  # fmt: skip
    assert comment.status_code == 201, comment.text
    listed = site.get(f"/reports/{rid}/comments", "nfp").json()["data"]
    assert [(c["author"], c["section_key"]) for c in listed] == [
        ("api.reviewer", "social_inclusion")
    ]
    published = site.send("POST", f"/reports/{rid}/transitions", reviewer,
                          json={"action": "publish"})  # fmt: skip
    assert published.status_code == 200, published.text
    assert published.json()["data"]["published_version"] == 2

    # a visitor now reads it, cached with an ETag
    public = site.get(f"/reports/{rid}")
    assert public.status_code == 200, public.text
    assert public.headers["cache-control"].startswith("public, max-age=")
    assert public.json()["data"]["status"] == "published"
    assert public.json()["data"]["version"]["number"] == 2
    again = site.get(f"/reports/{rid}", headers={"If-None-Match": public.headers["etag"]})
    assert again.status_code == 304
    assert rid in [d["id"] for d in site.get("/reports?country=NGA").json()["data"]]
    assert rid in [d["id"] for d in site.get("/reports?status=published&year=2027").json()["data"]]
    # the drafts before it stay private
    assert [v["number"] for v in site.get(f"/reports/{rid}/versions").json()["data"]] == [2]
    assert site.get(f"/reports/{rid}/versions/1").status_code == 401
    assert [v["number"] for v in site.get(f"/reports/{rid}/versions", "nfp").json()["data"]] == [
        1,
        2,
    ]
    assert site.get(f"/reports/{rid}/audit").status_code == 401

    # the audit log says who did what
    events = site.get(f"/reports/{rid}/audit", "nfp").json()["data"]
    actions = [(e["actor"], e["action"]) for e in events]
    assert actions[0] == ("api.nfp-ng", "create")
    assert ("api.reviewer", "publish") in actions
    assert [e["to_status"] for e in events if e["action"] == "submit"] == ["submitted"]

    # search finds it, in the published passage
    found = site.get(f"/search?q={MARKER}")
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["total"] == 1
    hit = body["hits"][0]
    assert hit["document"] == {
        "id": rid,
        "title": "Nigeria NUA report 2027",
        "kind": "national_report",
        "url": f"/api/v1/reports/{rid}",
    }
    assert hit["passage"]["section"] == "social_inclusion"
    assert f"<mark>{MARKER}</mark>" in hit["snippet"]
    assert hit["country"] == "566" and hit["year"] == 2027 and hit["is_example"] is False


def test_diff_between_versions_and_against_the_previous_report(site: Site) -> None:
    first = _publish(site, 2031, "Households in slums: 50 %.")
    update = site.send("POST", "/reports", "nfp", json={
        "country": "566", "year": 2035, "modality": "update"})  # fmt: skip
    assert update.status_code == 201, update.text
    doc = update.json()["data"]
    assert doc["modality"] == "update" and doc["previous_document_id"] == first
    rid = doc["id"]
    # pre-filled from the previous report's published version
    pre = site.get(f"/reports/{rid}", "nfp").json()["data"]["version"]["sections"][0]
    assert pre["narrative"] == "Households in slums: 50 %."
    site.send("PUT", f"/reports/{rid}/sections/{pre['key']}", "nfp",
              json={"base_version": 1, "narrative": "Households in slums: 45 %."})  # fmt: skip

    diff = site.get(f"/reports/{rid}/diff?from=1&to=2", "nfp")
    assert diff.status_code == 200, diff.text
    changed = [s for s in diff.json()["data"]["sections"] if s["changed"]]
    assert [s["key"] for s in changed] == [pre["key"]]
    ops = changed[0]["narrative"]
    assert ["delete", "50"] in [[op, text.strip()] for op, text in ops]
    assert ["insert", "45"] in [[op, text.strip()] for op, text in ops]

    previous = site.get(f"/reports/{rid}/diff?against=previous", "nfp").json()["data"]
    assert previous["from_document_id"] == first and previous["to_version"] == 2
    assert [s["key"] for s in previous["sections"] if s["changed"]] == [pre["key"]]
    # against=previous and from together is a mistake
    assert site.get(f"/reports/{rid}/diff?against=previous&from=1", "nfp").status_code == 422
    assert site.get(f"/reports/{first}/diff?against=previous", "nfp").status_code == 422
    assert site.get(f"/reports/{rid}/diff?from=9", "nfp").status_code == 404
    # the draft's diff is not for visitors
    assert site.get(f"/reports/{rid}/diff").status_code == 401


def test_a_report_from_an_uploaded_vnr(site: Site) -> None:
    vnr = docx_bytes(
        "Voluntary National Review of Nigeria",
        "Sustainable cities and communities",
        f"Informal settlements ({MARKER}vnr) were upgraded in Lagos and Kano.",
    )
    response = site.send("POST", "/reports/start", "nfp",
                         data={"country": "NGA", "year": "2036", "modality": "vnr"},
                         files={"file": ("nigeria-vnr.docx", vnr, DOCX)})  # fmt: skip
    assert response.status_code == 201, response.text
    rid = response.json()["data"]["id"]
    sections = site.get(f"/reports/{rid}", "nfp").json()["data"]["version"]["sections"]
    text = " ".join(s["narrative"] for s in sections)
    assert f"{MARKER}vnr" in text  # a passage of the VNR pre-fills a section
    assert any(s["sources"] for s in sections)
    # a form field the endpoint does not know, and a missing one
    assert (
        site.send(
            "POST",
            "/reports/start",
            "nfp",
            data={"country": "NGA", "year": "2036", "modality": "vnr", "colour": "red"},
        ).status_code
        == 422
    )
    missing = site.send("POST", "/reports/start", "nfp", data={"country": "NGA", "year": "2036"})
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["where"] == "body.modality"


# -- uploads and downloads ------------------------------------------------------------------------


def test_attachment_upload_and_download(site: Site) -> None:
    created = site.send("POST", "/reports", "nfp", json={"country": "NGA", "year": 2037})
    rid = created.json()["data"]["id"]
    name = "Annexe — données 2024.docx"
    upload = site.send("POST", f"/reports/{rid}/attachments", "nfp",
                       data={"section_key": "indicator_annex"},
                       files={"file": (name, docx_bytes("Annex table"), DOCX)})  # fmt: skip
    assert upload.status_code == 201, upload.text
    att = upload.json()["data"]
    assert att["media_type"] == DOCX and att["section_key"] == "indicator_annex"
    url = att["url"].removeprefix(API)

    # private while the report is a draft
    assert site.get(url).status_code == 401
    assert site.get(url, "nfp_ke").status_code == 403
    download = site.get(url, "nfp")
    assert download.status_code == 200
    assert download.content[:2] == b"PK"
    assert download.headers["content-type"] == DOCX
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["cache-control"] == "private, no-store"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Annexe%20%E2%80%94%20donn%C3%A9es%202024.docx" in disposition
    # listed with the report
    listed = site.get(f"/reports/{rid}", "nfp").json()["data"]["attachments"]
    assert [a["id"] for a in listed] == [att["id"]]


def test_uploads_are_checked_by_content_and_size(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = site.send("POST", "/reports", "nfp", json={"country": "NGA", "year": 2038}).json()[
        "data"
    ]["id"]
    path = f"/reports/{rid}/attachments"
    # a script named .pdf is refused by its content
    fake = site.send(
        "POST",
        path,
        "nfp",
        files={"file": ("report.pdf", b"<script>alert(1)</script>", "application/pdf")},
    )
    assert fake.status_code == 422, fake.text
    assert fake.json()["error"]["code"] == "upload_rejected"
    # not a form at all
    raw = site.send(
        "POST", path, "nfp", content=b"%PDF-1.7", headers={"Content-Type": "application/pdf"}
    )
    assert raw.status_code == 415
    # too large: refused from Content-Length before the body is read ...
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 64 * 1024)
    big = docx_bytes("x" * 10) + b"\0" * (512 * 1024)
    declared = site.send("POST", path, "nfp", files={"file": ("big.docx", big, DOCX)})
    assert declared.status_code == 413, declared.text
    assert declared.json()["error"]["code"] == "upload_rejected"

    # ... and, without Content-Length (chunked), while counting what arrives
    boundary = "apitestboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.docx\"\r\nContent-Type: {DOCX}\r\n\r\n").encode()  # fmt: skip
    sent = {"bytes": 0}

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(64):  # 4 MiB if it were all read
            sent["bytes"] += 65536
            yield b"\0" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    chunked = site.client.post(
        f"{API}{path}", content=chunks(),
        headers={**site.h("nfp"), "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    assert chunked.status_code == 413, chunked.text
    assert "content-length" not in {k.lower() for k in chunked.request.headers}
    assert documents.get_document(site.engine, rid).current_version == 1  # nothing stored


# -- VLRs ---------------------------------------------------------------------------------------


def test_vlr_registry(site: Site) -> None:
    form = {
        "title": "Lagos VLR 2025 (API test)",
        "government": "Lagos State Government",
        "level": "local",
        "country": "NGA",
        "area": "ng_lagos",
        "year": "2025",
        "languages": "en,yo",
        "sdgs": "6,11,13",
        "source_url": "https://example.org/lagos",
    }
    files = {"file": ("lagos.docx", docx_bytes(f"Lagos flood resilience {MARKER}vlr."), DOCX)}
    created = site.send("POST", "/vlrs", "lfp", data=form, files=files)
    assert created.status_code == 201, created.text
    vlr = created.json()["data"]
    vid = vlr["id"]
    assert (vlr["kind"], vlr["status"], vlr["area_code"], vlr["country_code"]) == (
        "vlr",
        "published",
        "ng_lagos",
        "566",
    )
    assert vlr["metadata"]["sdgs"] == [6, 11, 13] and vlr["metadata"]["languages"] == ["en", "yo"]

    public = site.get(f"/vlrs/{vid}")
    assert public.status_code == 200
    data = public.json()["data"]
    assert data["links"]["city_page"] == "/en/area/ng_lagos"
    assert data["links"]["observations"] == "/api/v1/observations?area=ng_lagos"
    assert [a["filename"] for a in data["attachments"]] == ["lagos.docx"]
    # filters
    assert vid in [d["id"] for d in site.get("/vlrs?area=ng_lagos&sdg=13").json()["data"]]
    assert vid not in [d["id"] for d in site.get("/vlrs?sdg=4").json()["data"]]
    assert vid in [d["id"] for d in site.get("/vlrs?language=yo&country=NGA").json()["data"]]
    # its text is searchable
    hits = site.get(f"/search?q={MARKER}vlr&kind=vlr").json()["hits"]
    assert [h["document"]["id"] for h in hits] == [vid]
    assert hits[0]["document"]["url"] == f"/api/v1/vlrs/{vid}"

    # a city not in the country, a city of another focal point
    wrong = site.send("POST", "/vlrs", "lfp", data={**form, "area": "ke_nairobi"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["details"][0]["where"] == "body.area"

    changed = site.send("PATCH", f"/vlrs/{vid}", "lfp", json={"sdgs": [11], "summary": "Now."})
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["metadata"]["sdgs"] == [11]
    withdrawn = site.send("POST", f"/vlrs/{vid}/withdraw", "lfp", json={"note": "superseded"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["data"]["status"] == "withdrawn"
    assert site.get(f"/vlrs/{vid}").status_code == 401
    assert vid not in [d["id"] for d in site.get("/vlrs?area=ng_lagos").json()["data"]]
    assert site.get(f"/search?q={MARKER}vlr").json()["total"] == 0
    # nothing is deleted: its focal point still reads it
    assert site.get(f"/vlrs/{vid}", "lfp").json()["data"]["status"] == "withdrawn"


# -- search -------------------------------------------------------------------------------------


def test_search_in_chinese_finds_the_demo_passages(site: Site) -> None:
    response = site.get("/search?q=贫民窟")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] > 0
    assert "11.1" in body["related_targets"]
    assert all("<mark>" in h["snippet"] for h in body["hits"])
    assert set(body["hits"][0]) >= {"document", "passage", "snippet", "score", "targets",
                                    "country", "area", "year", "is_example"}  # fmt: skip


def test_search_filters_pagination_and_errors(site: Site) -> None:
    everything = site.get("/search?q=housing&limit=2").json()
    if everything["total"] > 2:
        assert everything["links"]["next"] == "/api/v1/search?q=housing&limit=2&offset=2"
    else:
        assert everything["links"]["next"] is None
    for hit in site.get("/search?q=housing&kind=vlr").json()["hits"]:
        assert hit["document"]["kind"] == "vlr"
    assert site.get("/search").status_code == 422
    assert site.get("/search?q=x&target=12.1").status_code == 422
    unknown = site.get("/search?q=slum&contry=NGA")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["where"] == "query.contry"


# -- both backends --------------------------------------------------------------------------------


def test_the_flow_on_both_backends(engine: Engine) -> None:
    """A store without observations, on SQLite and PostgreSQL: create, save, submit,
    publish, read as a visitor, search."""
    url = engine.url.render_as_string(hide_password=False)
    with open_site(url) as site:
        rid = _publish(site, 2040, f"Public transport ({MARKER}pg) covers 38 % of Lagos.")
        public = site.get(f"/reports/{rid}")
        assert public.status_code == 200
        assert public.json()["data"]["status"] == "published"
        hits = site.get(f"/search?q={MARKER}pg").json()["hits"]
        assert [h["document"]["id"] for h in hits] == [rid]
