"""The reporting pages in-process (TestClient over https, so that the Secure session cookie
is sent): sign-in, the report and VLR pages for each role and a sample of languages, the
section editor, the review screen, diffs, and the defences a reader relies on: every form
needs the session's CSRF token, a focal point of one country cannot open another's editor,
the sign-in form sends nobody to another site, and a script in a narrative stays text.

The app runs over a copy of the demo database with five accounts and one Nigerian report
written through the reporting functions."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from urbanagenda.reporting import accounts, documents
from urbanagenda.reporting.model import User

PASSWORD = "correct horse battery staple 42"
XSS = (
    "Slum upgrading in Lagos.\n\n<script>alert('xss')</script>\n\n"
    "<img src=x onerror=alert(1)> [click](javascript:alert(2)) **bold**"
)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    app: Any
    engine: Engine
    users: dict[str, User]
    report_id: int  # Nigeria, draft, written by nfp_ng with the XSS narrative
    published_id: int  # Nigeria, published


@pytest.fixture(scope="module")
def site(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from urbanagenda.store.engine import open_engine
    from urbanagenda.web import create_app

    source = Path(demo_db.removeprefix("sqlite:///"))
    copy = tmp_path_factory.mktemp("pages") / "reports.sqlite"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    engine = open_engine(url)
    users = {
        "admin": accounts.add_user(engine, "admin", PASSWORD, "administrator"),
        "reviewer": accounts.add_user(engine, "reviewer", PASSWORD, "reviewer"),
        "nfp_ng": accounts.add_user(
            engine,
            "nfp_ng",
            PASSWORD,
            "national_focal_point",
            area_code="566",
            display_name="Ngozi Focal",
        ),
        "nfp_co": accounts.add_user(
            engine, "nfp_co", PASSWORD, "national_focal_point", area_code="170"
        ),
        "lfp_lagos": accounts.add_user(
            engine, "lfp_lagos", PASSWORD, "local_focal_point", area_code="ng_lagos"
        ),
    }
    published = documents.create_report(
        engine, users["nfp_ng"], country_code="566", year=2022, title="Nigeria report 2022"
    )
    version = documents.get_version(engine, published.id)
    documents.save_section(
        engine, users["nfp_ng"], published.id, version.sections[1].key,
        base_version=version.number,
        narrative="Nigeria upgraded informal settlements in Lagos and Kano.",
    )  # fmt: skip
    documents.transition(engine, users["nfp_ng"], published.id, "submit")
    documents.transition(engine, users["reviewer"], published.id, "start_review")
    documents.transition(engine, users["reviewer"], published.id, "publish")
    draft = documents.create_report(
        engine, users["nfp_ng"], country_code="566", year=2026, title="Nigeria report 2026",
        modality="update", previous_document_id=published.id,
    )  # fmt: skip
    version = documents.get_version(engine, draft.id)
    documents.save_section(
        engine, users["nfp_ng"], draft.id, version.sections[1].key,
        base_version=version.number, narrative=XSS,
    )  # fmt: skip
    app = create_app(url, warm=False)
    yield Site(app, engine, users, draft.id, published.id)
    engine.dispose()


def client_of(site: Site) -> TestClient:
    return TestClient(site.app, base_url="https://testserver", raise_server_exceptions=True)


def sign_in(site: Site, username: str) -> tuple[TestClient, str]:
    """A client with a session of ``username`` and the session's CSRF token."""
    client = client_of(site)
    answer = client.post(
        "/en/login",
        data={"username": username, "password": PASSWORD, "next": "/en/account"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/en/account"
    page = client.get("/en/account")
    assert page.status_code == 200
    found = CSRF.search(page.text)
    assert found, "the account page has no CSRF field"
    return client, found.group(1)


def section_key(site: Site, doc_id: int, index: int = 1) -> str:
    return documents.get_version(site.engine, doc_id).sections[index].key


# ----------------------------------------------------------------------------- sign-in


def test_sign_in_page_and_wrong_password(site: Site) -> None:
    client = client_of(site)
    page = client.get("/fr/login?next=/fr/reports")
    assert page.status_code == 200
    assert 'name="next" value="/fr/reports"' in page.text
    wrong = client.post(
        "/en/login", data={"username": "nfp_ng", "password": "nope", "next": "/en/reports"}
    )
    assert wrong.status_code == 401
    assert "The username or the password is wrong" in wrong.text
    assert 'value="nfp_ng"' in wrong.text  # what was typed stays
    assert "ua_session" not in wrong.headers.get("set-cookie", "")


def test_too_many_failures_show_the_wait(site: Site) -> None:
    accounts.add_user(site.engine, "victim", PASSWORD, "reviewer")
    client = client_of(site)
    statuses = [
        client.post("/en/login", data={"username": "victim", "password": "bad"}).status_code
        for _ in range(6)
    ]
    assert statuses[0] == 401
    assert statuses[-1] == 429
    limited = client.post("/en/login", data={"username": "victim", "password": PASSWORD})
    assert limited.status_code == 429
    wait = int(limited.headers["retry-after"])
    assert wait > 0
    assert f"Wait {wait} seconds" in limited.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
    ],
)
def test_sign_in_never_redirects_to_another_site(site: Site, target: str) -> None:
    client = client_of(site)
    answer = client.post(
        "/en/login",
        data={"username": "reviewer", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/en/reports"
    page = client_of(site).get("/en/login", params={"next": target})
    assert 'name="next" value="/en/reports"' in page.text


def test_sign_in_follows_a_local_next_and_the_header_names_the_user(site: Site) -> None:
    client = client_of(site)
    answer = client.post(
        "/en/login",
        data={"username": "nfp_ng", "password": PASSWORD,
              "next": f"/en/reports/{site.report_id}?version=1"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.headers["location"] == f"/en/reports/{site.report_id}?version=1"
    cookie = answer.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/en/reports")
    assert "Ngozi Focal" in page.text and "Sign out" in page.text
    assert page.headers["cache-control"] == "private, no-store"


def test_sign_out_needs_the_csrf_token(site: Site) -> None:
    client, csrf = sign_in(site, "reviewer")
    refused = client.post("/en/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/en/account").status_code == 200  # still signed in
    answer = client.post("/en/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    after = client.get("/en/account", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"].startswith("/en/login?next=")


def test_account_page_lists_role_area_and_tokens(site: Site) -> None:
    client, csrf = sign_in(site, "nfp_ng")
    page = client.get("/es/account")
    assert "Punto focal nacional" in page.text
    assert 'href="/es/area/566"' in page.text
    assert client.post("/en/account/tokens", data={"name": "ci"}).status_code == 403
    made = client.post("/en/account/tokens", data={"name": "ci", "csrf_token": csrf})
    assert made.status_code == 200
    token = re.search(r'id="new-token" class="code">([^<]+)<', made.text)
    assert token and len(token.group(1)) > 20
    assert accounts.token_user(site.engine, token.group(1)) == site.users["nfp_ng"]
    listed = accounts.list_api_tokens(site.engine, site.users["nfp_ng"])
    revoked = client.post(
        f"/en/account/tokens/{listed[0].id}/revoke",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert accounts.token_user(site.engine, token.group(1)) is None


# ----------------------------------------------------------------------------- pages by role

ROLES = ("public", "admin", "reviewer", "nfp_ng", "nfp_co", "lfp_lagos")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("lang", ["en", "zh", "ar"])
def test_every_page_renders_for_each_role(site: Site, role: str, lang: str) -> None:
    client = client_of(site) if role == "public" else sign_in(site, role)[0]
    pages = [
        "/reports",
        f"/reports/{site.published_id}",
        f"/reports/{site.report_id}/diff?against={site.published_id}",
        "/vlrs",
        "/search?q=slum",
    ]
    for path in pages:
        answer = client.get(f"/{lang}{path}")
        assert answer.status_code in (200, 303, 403), (path, answer.status_code)
        if path == "/reports" or path.startswith("/vlrs"):
            assert answer.status_code == 200
    own = client.get(f"/{lang}/reports/{site.report_id}", follow_redirects=False)
    if role in ("admin", "reviewer", "nfp_ng"):
        assert own.status_code == 200
        assert "Nigeria report 2026" in own.text
    elif role == "public":
        assert own.status_code == 303  # a draft: sign in first
        assert own.headers["location"] == f"/{lang}/login?next=/{lang}/reports/{site.report_id}"
    else:
        assert own.status_code == 403
    account = client.get(f"/{lang}/account", follow_redirects=False)
    assert account.status_code == (303 if role == "public" else 200)
    assert client.get(f"/{lang}/login").status_code == 200


def test_public_sees_published_reports_only(site: Site) -> None:
    page = client_of(site).get("/en/reports")
    assert f'href="/en/reports/{site.published_id}"' in page.text
    assert f'href="/en/reports/{site.report_id}"' not in page.text
    assert 'id="f-status"' not in page.text  # no status filter for the public
    # the map: Nigeria coloured by the year of its latest report, a click opens it
    spec = re.search(r'id="report-map-spec">(.*?)</script>', page.text, re.S)
    assert spec is not None
    assert f'"url":"/en/reports/{site.published_id}"' in spec.group(1)
    assert '"id":"566"' in spec.group(1)
    # a signed-in focal point of Nigeria sees the draft too, and may filter by status
    client, _ = sign_in(site, "nfp_ng")
    mine = client.get("/en/reports?status=draft")
    assert f'href="/en/reports/{site.report_id}"' in mine.text
    assert f'href="/en/reports/{site.published_id}"' not in mine.text


def test_report_filters_ignore_what_they_do_not_understand(site: Site) -> None:
    client = client_of(site)
    page = client.get("/en/reports?country=566&year=&modality=nonsense&status=draft")
    assert page.status_code == 200
    assert f'href="/en/reports/{site.published_id}"' in page.text
    assert client.get("/en/reports?year=2019").text.count('<tr data-document="') == 0


def test_report_view_shows_sections_workflow_and_audit(site: Site) -> None:
    client, _ = sign_in(site, "nfp_ng")
    page = client.get(f"/en/reports/{site.report_id}")
    key = section_key(site, site.report_id)
    assert f'href="/en/reports/{site.report_id}/sections/{key}/edit"' in page.text
    assert 'data-step="submit"' in page.text and 'data-step="publish"' not in page.text
    assert 'id="changes-link"' in page.text  # an update: what changed since the last report
    assert 'data-action="create"' in page.text and 'data-action="edit"' in page.text
    public = client_of(site).get(f"/en/reports/{site.published_id}")
    assert "Audit log" not in public.text and "data-step=" not in public.text


# ----------------------------------------------------------------------------- security


def test_a_script_in_a_narrative_is_inert(site: Site) -> None:
    client, _ = sign_in(site, "nfp_ng")
    page = client.get(f"/en/reports/{site.report_id}").text
    assert "Slum upgrading in Lagos." in page
    assert "<script>alert" not in page
    assert "onerror" not in page.replace("&lt;img src=x onerror", "")
    assert 'href="javascript:' not in page
    assert "<strong>bold</strong>" in page
    # the diff and the review screen show it as text too
    reviewer, _ = sign_in(site, "reviewer")
    for path in (
        f"/en/reports/{site.report_id}/review",
        f"/en/reports/{site.report_id}/diff?from=1&to=2",
    ):
        text = reviewer.get(path).text
        assert "<script>alert" not in text and 'href="javascript:' not in text


def test_forms_refuse_a_missing_or_wrong_csrf_token(site: Site) -> None:
    client, _ = sign_in(site, "nfp_ng")
    key = section_key(site, site.report_id)
    before = documents.get_document(site.engine, site.report_id).current_version
    posts = [
        (f"/en/reports/{site.report_id}/sections/{key}/edit",
         {"narrative": "forged", "base_version": str(before)}),
        (f"/en/reports/{site.report_id}/transition", {"action": "submit"}),
        (f"/en/reports/{site.report_id}/comments", {"body": "forged"}),
        ("/en/reports/new", {"year": "2027", "modality": "new"}),
        ("/en/vlrs/new", {"title": "forged"}),
        ("/en/logout", {}),
    ]  # fmt: skip
    for path, data in posts:
        for token in (None, "wrong-token"):
            sent = {**data, **({"csrf_token": token} if token else {})}
            answer = client.post(path, data=sent, follow_redirects=False)
            assert answer.status_code == 403, (path, token, answer.status_code)
    after = documents.get_document(site.engine, site.report_id)
    assert after.current_version == before and after.status == "draft"
    assert client.get("/en/account").status_code == 200  # not signed out either


def test_a_focal_point_of_another_country_gets_403(site: Site) -> None:
    client, csrf = sign_in(site, "nfp_co")
    key = section_key(site, site.report_id)
    path = f"/en/reports/{site.report_id}/sections/{key}/edit"
    assert client.get(path).status_code == 403
    version = documents.get_document(site.engine, site.report_id).current_version
    answer = client.post(
        path, data={"narrative": "hijack", "base_version": str(version), "csrf_token": csrf}
    )
    assert answer.status_code == 403
    assert documents.get_document(site.engine, site.report_id).current_version == version
    # nor may a reviewer edit, nor a local focal point start a national report
    reviewer, _ = sign_in(site, "reviewer")
    assert reviewer.get(path).status_code == 403
    local, _ = sign_in(site, "lfp_lagos")
    assert local.get("/en/reports/new").status_code == 403
    assert client_of(site).get(path, follow_redirects=False).status_code == 303


# ----------------------------------------------------------------------------- editor


def test_editor_saves_a_new_version_and_keeps_text_on_conflict(site: Site) -> None:
    client, csrf = sign_in(site, "nfp_ng")
    key = section_key(site, site.report_id, 2)
    path = f"/en/reports/{site.report_id}/sections/{key}/edit"
    page = client.get(path)
    assert page.status_code == 200
    base = re.search(r'name="base_version" value="(\d+)"', page.text)
    assert base is not None
    stale = base.group(1)
    saved = client.post(
        path,
        data={"narrative": "First text of the focal point.", "base_version": stale,
              "csrf_token": csrf, "gp_title": "Rent support", "gp_text": "Lagos, 2024"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/en/reports/{site.report_id}#section-{key}"
    version = documents.get_version(site.engine, site.report_id)
    assert str(version.number) == str(int(stale) + 1)
    section = version.section(key)
    assert section is not None and section.narrative == "First text of the focal point."
    assert section.good_practices[0]["title"] == "Rent support"
    # a second save from the same (now stale) form: 409, both texts shown, nothing lost
    conflict = client.post(
        path,
        data={"narrative": "My other text — keep me.", "base_version": stale,
              "csrf_token": csrf},
    )  # fmt: skip
    assert conflict.status_code == 409
    assert "First text of the focal point." in conflict.text  # theirs
    assert "My other text — keep me.</textarea>" in conflict.text  # mine, still in the form
    assert f'name="base_version" value="{version.number}"' in conflict.text
    assert documents.get_version(site.engine, site.report_id).number == version.number


# ----------------------------------------------------------------------------- the whole flow


def test_submit_review_comment_return_and_publish_through_the_pages(site: Site) -> None:
    focal, focal_csrf = sign_in(site, "nfp_ng")
    new = focal.post(
        "/en/reports/new",
        data={"year": "2027", "modality": "new", "title": "Nigeria 2027 pages test",
              "csrf_token": focal_csrf, "language": "en"},
        follow_redirects=False,
    )  # fmt: skip
    assert new.status_code == 303, new.text
    doc_id = int(new.headers["location"].rsplit("/", 1)[1])
    key = section_key(site, doc_id)
    focal.post(
        f"/en/reports/{doc_id}/sections/{key}/edit",
        data={"narrative": "拉各斯的贫民窟改造计划惠及十万居民。", "base_version": "1",
              "csrf_token": focal_csrf},
    )  # fmt: skip
    step = focal.post(
        f"/en/reports/{doc_id}/transition",
        data={"action": "submit", "csrf_token": focal_csrf},
        follow_redirects=False,
    )
    assert step.status_code == 303
    reviewer, reviewer_csrf = sign_in(site, "reviewer")
    review = reviewer.get(f"/en/reports/{doc_id}/review")
    assert 'data-step="start_review"' in review.text
    reviewer.post(
        f"/en/reports/{doc_id}/transition",
        data={"action": "start_review", "csrf_token": reviewer_csrf,
              "next": f"/en/reports/{doc_id}/review"},
    )  # fmt: skip
    commented = reviewer.post(
        f"/en/reports/{doc_id}/comments",
        data={"body": "Give the year of the programme.", "section_key": key,
              "csrf_token": reviewer_csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert commented.headers["location"] == f"/en/reports/{doc_id}/review#review-{key}"
    reviewer.post(
        f"/en/reports/{doc_id}/transition",
        data={"action": "return", "note": "See the comment", "csrf_token": reviewer_csrf},
    )  # fmt: skip
    assert documents.get_document(site.engine, doc_id).status == "returned"
    editor = focal.get(f"/en/reports/{doc_id}/sections/{key}/edit")
    assert "Give the year of the programme." in editor.text
    focal.post(
        f"/en/reports/{doc_id}/sections/{key}/edit",
        data={"narrative": "2025年起，拉各斯的贫民窟改造计划惠及十万居民。",
              "base_version": str(documents.get_document(site.engine, doc_id).current_version),
              "csrf_token": focal_csrf},
    )  # fmt: skip
    focal.post(f"/en/reports/{doc_id}/transition", data={"action": "submit",
                                                         "csrf_token": focal_csrf})  # fmt: skip
    reviewer.post(f"/en/reports/{doc_id}/transition",
                  data={"action": "start_review", "csrf_token": reviewer_csrf})  # fmt: skip
    reviewer.post(f"/en/reports/{doc_id}/transition",
                  data={"action": "publish", "csrf_token": reviewer_csrf})  # fmt: skip
    assert documents.get_document(site.engine, doc_id).status == "published"
    public = client_of(site)
    page = public.get(f"/zh/reports/{doc_id}")
    assert page.status_code == 200 and "2025年起" in page.text
    found = public.get("/zh/search", params={"q": "贫民窟"})
    assert f'data-document="{doc_id}"' in found.text
    assert "<mark>" in found.text
    assert (
        public.get("/en/search", params={"q": "贫民窟", "country": "170"}).text.count(
            f'data-document="{doc_id}"'
        )
        == 0
    )


# ----------------------------------------------------------------------------- local reviews

SPECIMENS = Path(__file__).resolve().parents[1] / "specimens" / "reporting"


def test_a_local_focal_point_registers_a_review_with_its_pdf(site: Site) -> None:
    client, csrf = sign_in(site, "lfp_lagos")
    form = client.get("/en/vlrs/new")
    assert form.status_code == 200
    assert "Lagos" in form.text and 'id="country"' not in form.text  # city fixed by account
    pdf = (SPECIMENS / "vlr_example.pdf").read_bytes()
    data = {
        "csrf_token": csrf, "title": "Lagos Voluntary Local Review 2025 (pages test)",
        "government": "Lagos State Government", "level": "regional", "year": "2025",
        "languages": "en", "sdgs": ["11", "6"], "feeds": str(site.published_id),
    }  # fmt: skip
    bad = client.post("/en/vlrs/new", data={**data, "year": "25"})
    assert bad.status_code == 422
    assert "four digits" in bad.text and "Lagos State Government" in bad.text  # kept
    answer = client.post(
        "/en/vlrs/new",
        data=data,
        files={"file": ("review.pdf", pdf, "application/pdf")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    doc_id = int(answer.headers["location"].rsplit("/", 1)[1])
    public = client_of(site)
    page = public.get(f"/en/vlrs/{doc_id}")
    assert page.status_code == 200
    assert 'id="city-link" href="/en/area/ng_lagos"' in page.text
    assert f'id="feeds-link" href="/en/reports/{site.published_id}"' in page.text
    assert "SDG 6, SDG 11" in page.text or "SDG 11, SDG 6" in page.text
    assert '<ol class="passages">' in page.text  # the PDF's text, extracted and tagged
    link = re.search(r'href="/en/attachments/(\d+)">review\.pdf<', page.text)
    assert link is not None
    download = public.get(f"/en/attachments/{link.group(1)}")
    assert download.status_code == 200
    assert download.content == pdf
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    listing = public.get("/en/vlrs?sdg=6&year=2025")
    assert f'href="/en/vlrs/{doc_id}"' in listing.text
    assert f'href="/en/vlrs/{doc_id}"' not in public.get("/en/vlrs?sdg=3").text
    assert public.get(f"/en/reports/{doc_id}", follow_redirects=False).status_code == 301
    # national focal points and reviewers do not register local reviews
    national, _ = sign_in(site, "nfp_ng")
    assert national.get("/en/vlrs/new").status_code == 403
