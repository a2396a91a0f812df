"""The authorisation matrix of the reporting API: every role × every mutating endpoint, with
the exact status each must get.

The table below is written out by hand from the policy in ``reporting/permissions.py`` (not
computed from it, so that a change of the policy shows here as a failure to look at):

* administrators may do everything;
* a reviewer takes submitted reports into review, comments, returns and publishes them, and
  never edits a report or touches a VLR;
* a national focal point creates, edits, attaches to, submits and withdraws the reports of
  *its* country (403 on another country's report); comments are the reviewers';
* a local focal point registers, changes, attaches to and withdraws the VLRs of *its* city;
* a visitor and a disabled account get 401 (no valid session or token).

Each cell runs against a fresh document in the state the step needs (a draft to edit, a
submitted report to take into review, …); further rows check 409 for a step the document's
state does not allow.  ``test_the_matrix_covers_every_mutating_route`` fails when a
mutating route is added under ``/api/v1`` without a row here.
"""

from __future__ import annotations

import io
import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from urbanagenda.reporting import accounts, documents, vlrs
from urbanagenda.reporting.model import Document, User

API = "/api/v1"
PASSWORD = "correct horse battery staple"
COUNTRY_A, COUNTRY_B = "566", "404"  # Nigeria, Kenya
CITY_X, CITY_Y = "ng_lagos", "ke_nairobi"

#: The columns of the matrix.
ROLES = ("public", "administrator", "reviewer", "nfp_a", "nfp_b", "lfp_x", "lfp_y", "disabled")

#: case -> expected status per role, in the order of ROLES.
#:            public admin  review nfp_a  nfp_b  lfp_x  lfp_y  disabled
MATRIX: dict[str, tuple[int, ...]] = {
    "report.create":         (401, 201, 403, 201, 403, 403, 403, 401),
    "report.start_upload":   (401, 201, 403, 201, 403, 403, 403, 401),
    "report.save_section":   (401, 200, 403, 200, 403, 403, 403, 401),
    "report.submit":         (401, 200, 403, 200, 403, 403, 403, 401),
    "report.start_review":   (401, 200, 200, 403, 403, 403, 403, 401),
    "report.return":         (401, 200, 200, 403, 403, 403, 403, 401),
    "report.publish":        (401, 200, 200, 403, 403, 403, 403, 401),
    "report.withdraw":       (401, 200, 403, 200, 403, 403, 403, 401),
    "report.comment":        (401, 201, 201, 403, 403, 403, 403, 401),
    "report.attach":         (401, 201, 403, 201, 403, 403, 403, 401),
    "vlr.register":          (401, 201, 403, 403, 403, 201, 403, 401),
    "vlr.change":            (401, 200, 403, 403, 403, 200, 403, 401),
    "vlr.withdraw":          (401, 200, 403, 403, 403, 200, 403, 401),
    "vlr.attach":            (401, 201, 403, 403, 403, 201, 403, 401),
    # the step is the role's, the document's state does not allow it: 409
    "report.save_stale":     (401, 409, 403, 409, 403, 403, 403, 401),
    "report.save_submitted": (401, 409, 403, 409, 403, 403, 403, 401),
    "report.submit_twice":   (401, 409, 403, 409, 403, 403, 403, 401),
    "report.publish_draft":  (401, 409, 409, 403, 403, 403, 403, 401),
    "report.return_published": (401, 409, 409, 403, 403, 403, 403, 401),
    "vlr.withdraw_twice":    (401, 409, 403, 403, 403, 409, 403, 401),
    # accounts (web/auth.py): signing in with one's own password, one's own API tokens
    "auth.login":            (401, 200, 200, 200, 200, 200, 200, 401),
    "auth.logout":           (200, 200, 200, 200, 200, 200, 200, 200),
    "auth.create_token":     (401, 201, 201, 201, 201, 201, 201, 401),
    "auth.revoke_own_token": (401, 200, 200, 200, 200, 200, 200, 401),
    "auth.revoke_other_token": (401, 200, 404, 404, 404, 404, 404, 401),
    # local finance tools: saving needs the area's focal point; computing needs no account
    "finance.save_osr":      (401, 201, 403, 201, 403, 201, 403, 401),
    "finance.save_plan":     (401, 201, 403, 201, 403, 201, 403, 401),
    "finance.analyse":       (200, 200, 200, 200, 200, 200, 200, 200),
    "finance.osr_summary":   (200, 200, 200, 200, 200, 200, 200, 200),
    "finance.rank":          (200, 200, 200, 200, 200, 200, 200, 200),
    "finance.plan_summary":  (200, 200, 200, 200, 200, 200, 200, 200),
}  # fmt: skip


# -- the platform: a copy of the demo database, one account per role ----------------------------


@dataclass
class Platform:
    engine: Engine
    client: TestClient
    users: dict[str, User]
    tokens: dict[str, str]
    admin: User
    years: Iterator[int] = field(default_factory=lambda: itertools.cycle(range(2030, 2101)))

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def draft(self, country: str = COUNTRY_A) -> Document:
        return documents.create_report(
            self.engine, self.admin, country_code=country, year=next(self.years),
            title="Matrix report", language="en",
        )  # fmt: skip

    def report_in(self, status: str) -> Document:
        """A report of country A brought to ``status`` by the administrator."""
        steps = {
            "draft": [],
            "submitted": ["submit"],
            "in_review": ["submit", "start_review"],
            "published": ["submit", "start_review", "publish"],
        }[status]
        doc = self.draft()
        for step in steps:
            doc = documents.transition(self.engine, self.admin, doc.id, step)
        assert doc.status == status
        return doc

    def vlr(self, city: str = CITY_X) -> Document:
        country = COUNTRY_A if city == CITY_X else COUNTRY_B
        return vlrs.register_vlr(
            self.engine, self.admin, title="Matrix VLR", government="City government",
            level="local", country_code=country, area_code=city, year=2025,
            languages=["en"], sdgs=[11],
        )  # fmt: skip


def docx_bytes(text: str = "Slum upgrading in Lagos reached 12,000 households.") -> bytes:
    """A real DOCX (python-docx), the kind a focal point uploads."""
    import docx

    document = docx.Document()
    document.add_heading("Annex", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def platform(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    from urbanagenda.web import create_app

    path = tmp_path_factory.mktemp("authz") / "authz.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), path)
    app = create_app(f"sqlite:///{path}", warm=False)
    engine = app.state.store.engine
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # the tests' accounts only

    def add(name: str, role: str, area: str | None = None) -> User:
        return accounts.add_user(engine, name, PASSWORD, role, area_code=area, hasher=fast)

    users = {
        "administrator": add("matrix.admin", "administrator"),
        "reviewer": add("matrix.reviewer", "reviewer"),
        "nfp_a": add("matrix.nfp-a", "national_focal_point", COUNTRY_A),
        "nfp_b": add("matrix.nfp-b", "national_focal_point", COUNTRY_B),
        "lfp_x": add("matrix.lfp-x", "local_focal_point", CITY_X),
        "lfp_y": add("matrix.lfp-y", "local_focal_point", CITY_Y),
        "disabled": add("matrix.disabled", "national_focal_point", COUNTRY_A),
    }
    tokens = {role: accounts.create_api_token(engine, u, "matrix") for role, u in users.items()}
    accounts.disable_user(engine, "matrix.disabled")
    with TestClient(app, base_url="https://testserver") as client:
        yield Platform(engine, client, users, tokens, users["administrator"])


# -- the cases: which request, on a document in which state -------------------------------------


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the route's path as declared (checked against app.routes)
    call: Callable[..., Any]  # (platform, headers) or (platform, headers, role)


def _first_key(p: Platform, doc: Document) -> str:
    return documents.get_version(p.engine, doc.id).sections[0].key


def _create(p: Platform, h: dict[str, str]) -> Any:
    body = {"country": COUNTRY_A, "year": next(p.years), "modality": "new", "title": "New"}
    return p.client.post(f"{API}/reports", json=body, headers=h)


def _start_upload(p: Platform, h: dict[str, str]) -> Any:
    data = {"country": "NGA", "year": str(next(p.years)), "modality": "vnr"}
    files = {"file": ("vnr.docx", docx_bytes("Our VNR on sustainable cities."), DOCX)}
    return p.client.post(f"{API}/reports/start", data=data, files=files, headers=h)


def _save(p: Platform, h: dict[str, str], doc: Document, base: int | None = None) -> Any:
    body = {"base_version": base or doc.current_version, "narrative": "Matrix *edit*."}
    return p.client.put(
        f"{API}/reports/{doc.id}/sections/{_first_key(p, doc)}", json=body, headers=h
    )


def _step(p: Platform, h: dict[str, str], doc: Document, action: str) -> Any:
    body = {"action": action, "note": "matrix"}
    return p.client.post(f"{API}/reports/{doc.id}/transitions", json=body, headers=h)


def _save_stale(p: Platform, h: dict[str, str]) -> Any:
    doc = p.draft()
    newer = documents.save_section(
        p.engine, p.admin, doc.id, _first_key(p, doc), base_version=1, narrative="meanwhile"
    )
    assert newer.number == 2
    return _save(p, h, doc, base=1)


def _comment(p: Platform, h: dict[str, str]) -> Any:
    doc = p.report_in("in_review")
    body = {"body": "Please add the 2020 value.", "section_key": _first_key(p, doc)}
    return p.client.post(f"{API}/reports/{doc.id}/comments", json=body, headers=h)


def _attach(p: Platform, h: dict[str, str], path: str) -> Any:
    files = {"file": ("annex.docx", docx_bytes(), DOCX)}
    return p.client.post(path, files=files, headers=h)


def _register(p: Platform, h: dict[str, str]) -> Any:
    data = {
        "title": "Lagos Voluntary Local Review", "government": "Lagos State Government",
        "level": "local", "country": COUNTRY_A, "area": CITY_X, "year": "2025",
        "languages": "en", "sdgs": "6,11",
    }  # fmt: skip
    files = {"file": ("lagos-vlr.docx", docx_bytes(), DOCX)}
    return p.client.post(f"{API}/vlrs", data=data, files=files, headers=h)


def _withdraw_vlr(p: Platform, h: dict[str, str], doc: Document) -> Any:
    return p.client.post(f"{API}/vlrs/{doc.id}/withdraw", json={"note": "matrix"}, headers=h)


def _withdrawn_vlr(p: Platform) -> Document:
    doc = p.vlr()
    return vlrs.withdraw_vlr(p.engine, p.admin, doc.id)


def _osr(role: str) -> dict[str, Any]:
    """A small analysis of Lagos (city X of country A), different for each role so that
    every save stores something new."""
    return {
        "local_government": "Lagos State Government", "area": CITY_X, "currency": "NGN",
        "note": f"saved by {role}",
        "years": [{"year": 2024, "streams": [{"kind": "other_tax", "name": "Hotel levy",
                   "charges": [{"name": "hotels", "users_estimated": 10, "users_actual": 8,
                                "rate": 100}]}]}],
    }  # fmt: skip


def _plan(role: str) -> dict[str, Any]:
    return {
        "name": f"Lagos plan ({role})", "area": CITY_X, "currency": "NGN", "budget": 1000,
        "start_year": 2026,
        "projects": [{"id": "P1", "name": "Drains", "sector": "drainage_resilience",
                      "cost": 500, "population_served": 1000, "sdg_targets": ["11.5"]}],
    }  # fmt: skip


def _finance(path: str, body: Callable[[str], dict[str, Any]]) -> Callable[..., Any]:
    def call(p: Platform, h: dict[str, str], role: str) -> Any:
        return p.client.post(f"{API}/finance{path}", json=body(role), headers=h)

    return call


R = "/reports/{report_id}"
V = "/vlrs/{vlr_id}"
CASES: dict[str, Case] = {
    "report.create": Case("POST", "/reports", _create),
    "report.start_upload": Case("POST", "/reports/start", _start_upload),
    "report.save_section": Case(
        "PUT", f"{R}/sections/{{key}}", lambda p, h: _save(p, h, p.draft())
    ),
    "report.submit": Case(
        "POST", f"{R}/transitions", lambda p, h: _step(p, h, p.draft(), "submit")
    ),
    "report.start_review": Case(
        "POST",
        f"{R}/transitions",
        lambda p, h: _step(p, h, p.report_in("submitted"), "start_review"),
    ),
    "report.return": Case(
        "POST", f"{R}/transitions", lambda p, h: _step(p, h, p.report_in("in_review"), "return")
    ),
    "report.publish": Case(
        "POST", f"{R}/transitions", lambda p, h: _step(p, h, p.report_in("in_review"), "publish")
    ),
    "report.withdraw": Case(
        "POST", f"{R}/transitions", lambda p, h: _step(p, h, p.draft(), "withdraw")
    ),
    "report.comment": Case("POST", f"{R}/comments", _comment),
    "report.attach": Case(
        "POST",
        f"{R}/attachments",
        lambda p, h: _attach(p, h, f"{API}/reports/{p.draft().id}/attachments"),
    ),
    "vlr.register": Case("POST", "/vlrs", _register),
    "vlr.change": Case(
        "PATCH",
        V,
        lambda p, h: p.client.patch(
            f"{API}/vlrs/{p.vlr().id}", json={"summary": "Changed."}, headers=h
        ),
    ),
    "vlr.withdraw": Case("POST", f"{V}/withdraw", lambda p, h: _withdraw_vlr(p, h, p.vlr())),
    "vlr.attach": Case(
        "POST",
        f"{V}/attachments",
        lambda p, h: _attach(p, h, f"{API}/vlrs/{p.vlr().id}/attachments"),
    ),
    "report.save_stale": Case("PUT", f"{R}/sections/{{key}}", _save_stale),
    "report.save_submitted": Case(
        "PUT", f"{R}/sections/{{key}}", lambda p, h: _save(p, h, p.report_in("submitted"))
    ),
    "report.submit_twice": Case(
        "POST", f"{R}/transitions", lambda p, h: _step(p, h, p.report_in("submitted"), "submit")
    ),
    "report.publish_draft": Case(
        "POST", f"{R}/transitions", lambda p, h: _step(p, h, p.draft(), "publish")
    ),
    "report.return_published": Case(
        "POST", f"{R}/transitions", lambda p, h: _step(p, h, p.report_in("published"), "return")
    ),
    "vlr.withdraw_twice": Case(
        "POST", f"{V}/withdraw", lambda p, h: _withdraw_vlr(p, h, _withdrawn_vlr(p))
    ),
    "auth.login": Case("POST", "/auth/login", lambda p, h, role: _login(p, h, role)),
    "auth.logout": Case(
        "POST", "/auth/logout", lambda p, h: p.client.post(f"{API}/auth/logout", headers=h)
    ),
    "auth.create_token": Case(
        "POST",
        "/auth/tokens",
        lambda p, h: p.client.post(f"{API}/auth/tokens", json={"name": "ci"}, headers=h),
    ),
    "auth.revoke_own_token": Case(
        "DELETE", "/auth/tokens/{token_id}", lambda p, h, role: _revoke(p, h, role, own=True)
    ),
    "auth.revoke_other_token": Case(
        "DELETE", "/auth/tokens/{token_id}", lambda p, h, role: _revoke(p, h, role, own=False)
    ),
    "finance.save_osr": Case("POST", "/finance/osr", _finance("/osr", _osr)),
    "finance.save_plan": Case("POST", "/finance/plans", _finance("/plans", _plan)),
    "finance.analyse": Case("POST", "/finance/osr/analyse", _finance("/osr/analyse", _osr)),
    "finance.osr_summary": Case(
        "POST", "/finance/osr/summary", _finance("/osr/summary?format=html", _osr)
    ),
    "finance.rank": Case("POST", "/finance/invest/rank", _finance("/invest/rank", _plan)),
    "finance.plan_summary": Case(
        "POST", "/finance/invest/summary", _finance("/invest/summary?format=html", _plan)
    ),
}

#: Mutating routes under /api/v1 left out of the matrix, with the reason (checked below).
OUTSIDE_THE_MATRIX: dict[tuple[str, str], str] = {
    (method, "/auth/tokens"): "answers 405 (names GET, POST in Allow)"
    for method in ("PUT", "PATCH", "DELETE")
}
#: Routes that need no signed-in user by design (the matrix still covers them).
NO_USER_NEEDED = {("POST", "/auth/login"), ("POST", "/auth/logout")} | {
    ("POST", f"/finance{path}")
    for path in ("/osr/analyse", "/osr/summary", "/invest/rank", "/invest/summary")
}


def _login(p: Platform, h: dict[str, str], role: str) -> Any:
    username = p.users[role].username if role in p.users else "nobody.here"
    response = p.client.post(f"{API}/auth/login", json={"username": username,
                                                        "password": PASSWORD})  # fmt: skip
    p.client.cookies.clear()  # the matrix's other requests carry no session
    return response


def _revoke(p: Platform, h: dict[str, str], role: str, own: bool) -> Any:
    """Revoke a fresh token of the caller's (``own``) or of another user's."""
    other = "lfp_y" if role == "nfp_b" else "nfp_b"
    owner = p.users[role if own and role in p.users else other]
    if accounts.get_user(p.engine, owner.id).active:
        accounts.create_api_token(p.engine, owner, "to revoke")
    token_id = max(t.id for t in accounts.list_api_tokens(p.engine, owner))
    return p.client.delete(f"{API}/auth/tokens/{token_id}", headers=h)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(MATRIX))
def test_role_on_endpoint(platform: Platform, case: str, role: str) -> None:
    expected = MATRIX[case][ROLES.index(role)]
    call = CASES[case].call
    headers = platform.headers(role)
    takes_role = call.__code__.co_argcount == 3
    response = call(platform, headers, role) if takes_role else call(platform, headers)
    assert response.status_code == expected, (case, role, response.text[:400])
    assert "no-store" in response.headers["cache-control"]
    if expected >= 400:
        error = response.json()["error"]
        assert error["status"] == expected
        assert error["code"] == {401: "unauthenticated", 403: "forbidden", 404: "not_found",
                                 409: "conflict"}[expected]  # fmt: skip
        assert error["message"]
    if expected == 401 and case != "auth.login":
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_focal_point_gets_403_on_another_countrys_report(platform: Platform) -> None:
    """The heart of the matrix, spelled out: Kenya's focal point on Nigeria's draft."""
    doc = platform.draft(COUNTRY_A)
    response = _save(platform, platform.headers("nfp_b"), doc)
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert "matrix.nfp-b" in message and "404" in message
    # nothing changed: still version 1, still a draft
    assert documents.get_document(platform.engine, doc.id).current_version == 1
    # and Nigeria's focal point may not start a report for Kenya
    body = {"country": "KEN", "year": next(platform.years), "modality": "new"}
    response = platform.client.post(f"{API}/reports", json=body, headers=platform.headers("nfp_a"))
    assert response.status_code == 403


def mutating_routes(app: Any) -> dict[tuple[str, str], Any]:
    """Every route under /api/v1 that takes POST/PUT/PATCH/DELETE, as ``(method, path without
    /api/v1)`` (FastAPI keeps included routers lazily: ``iter_route_contexts`` gives their
    routes with the full path), of any kind: API routes, and plain ones."""
    from fastapi.routing import iter_route_contexts

    found: dict[tuple[str, str], Any] = {}
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if path.startswith(f"{API}/"):
            for method in (context.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}:
                found[(method, path.removeprefix(API))] = context.original_route
    return found


def refusals(app: Any) -> set[tuple[str, str]]:
    """Routes that only answer 405 with the full ``Allow`` (a path served by a GET and a
    POST route, see ``web/api/_reporting.refuse_other_methods``)."""
    return {key for key, route in mutating_routes(app).items()
            if getattr(route, "endpoint", None) is not None
            and route.endpoint.__name__ in ("other_methods", "tokens_other_methods")}  # fmt: skip


def test_the_matrix_covers_every_mutating_route(platform: Platform) -> None:
    """Every POST/PUT/PATCH/DELETE route under /api/v1 has a row in the matrix (or is named
    in OUTSIDE_THE_MATRIX), and every row names a real route."""
    refused = refusals(platform.client.app)
    mutating = set(mutating_routes(platform.client.app)) - refused
    assert len(mutating) == 20
    covered = {(c.method, c.route) for c in CASES.values()}
    assert mutating - covered - set(OUTSIDE_THE_MATRIX) == set(), "routes without a matrix row"
    assert covered - mutating == set(), "matrix rows without a route"
    assert set(CASES) == set(MATRIX)
    assert {("PATCH", "/reports"), ("DELETE", "/vlrs/{vlr_id}")} <= refused
    for method, path in sorted(set(OUTSIDE_THE_MATRIX) | refused):
        path = path.replace("{report_id}", "1").replace("{vlr_id}", "1")
        response = platform.client.request(
            method, f"{API}{path}", headers=platform.headers("administrator")
        )
        assert response.status_code == 405, (method, path)


def test_every_write_needs_a_user_and_the_csrf_check(platform: Platform) -> None:
    """Every mutating route but signing in and out depends on ``require_user`` and
    ``check_csrf`` (the role checks themselves are the cells above); signing out checks
    the CSRF token too (a forged sign-out is a nuisance), signing in has no session to
    protect."""
    from urbanagenda.web import auth

    def calls(dependant: Any) -> set[Any]:
        found = {dependant.call}
        for sub in dependant.dependencies:
            found |= calls(sub)
        return found

    routes = mutating_routes(platform.client.app)
    for key, route in routes.items():
        if key in OUTSIDE_THE_MATRIX or key in refusals(platform.client.app):
            continue
        found = calls(route.dependant)
        if key != ("POST", "/auth/login"):  # signing in borrows no session
            assert auth.check_csrf in found, key
        if key not in NO_USER_NEEDED:
            assert auth.require_user in found, key


# -- CSRF: a browser's session cookie alone does not authorise a write -------------------------


@pytest.fixture
def cookie_client(platform: Platform) -> Iterator[tuple[TestClient, str]]:
    from urbanagenda.web import auth

    secret, csrf = accounts.create_session(platform.engine, platform.users["nfp_a"])
    with TestClient(platform.client.app, base_url="https://testserver") as client:
        client.cookies.set(auth.SESSION_COOKIE, secret)
        yield client, csrf


def test_a_cookie_authenticated_post_without_the_csrf_token_is_403(
    platform: Platform, cookie_client: tuple[TestClient, str]
) -> None:
    client, csrf = cookie_client
    body = {"country": COUNTRY_A, "year": next(platform.years), "modality": "new"}
    before = len(documents.list_documents(platform.engine, viewer=platform.admin))
    no_token = client.post(f"{API}/reports", json=body)
    assert no_token.status_code == 403, no_token.text
    assert no_token.json()["error"]["code"] == "csrf_missing"
    wrong = client.post(f"{API}/reports", json=body, headers={"X-CSRF-Token": csrf[::-1]})
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "csrf_mismatch"
    assert len(documents.list_documents(platform.engine, viewer=platform.admin)) == before
    # the session reads its country's drafts without the token: reads need none
    doc = platform.draft()
    before += 1
    assert client.get(f"{API}/reports/{doc.id}").status_code == 200
    # with the session's token the same request goes through
    ok = client.post(f"{API}/reports", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    assert len(documents.list_documents(platform.engine, viewer=platform.admin)) == before + 1


def test_a_cookie_authenticated_upload_without_the_csrf_token_is_403(
    platform: Platform, cookie_client: tuple[TestClient, str]
) -> None:
    import gc

    client, csrf = cookie_client
    doc = platform.draft()
    files = {"file": ("annex.docx", docx_bytes(), DOCX)}
    response = client.post(f"{API}/reports/{doc.id}/attachments", files=files)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_missing"
    assert vlrs.list_attachments(platform.engine, doc.id) == []
    gc.collect()  # an unclosed upload shows here, in this test
    ok = client.post(f"{API}/reports/{doc.id}/attachments", files=files,
                     headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert ok.status_code == 201, ok.text


def test_a_disabled_accounts_session_is_401(platform: Platform) -> None:
    from urbanagenda.web import auth

    user = accounts.add_user(platform.engine, "matrix.leaver", PASSWORD, "national_focal_point",
                             area_code=COUNTRY_A)  # fmt: skip
    secret, csrf = accounts.create_session(platform.engine, user)
    accounts.disable_user(platform.engine, "matrix.leaver")
    with TestClient(platform.client.app, base_url="https://testserver") as client:
        client.cookies.set(auth.SESSION_COOKIE, secret)
        body = {"country": COUNTRY_A, "year": next(platform.years), "modality": "new"}
        response = client.post(f"{API}/reports", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 401


def test_reads_of_drafts_follow_the_same_policy(platform: Platform) -> None:
    """Not mutating, but the same boundaries: a draft is read by its country's focal point,
    reviewers and administrators; 403 for another country's, 401 for a visitor."""
    doc = platform.draft()
    expected = {"public": 401, "administrator": 200, "reviewer": 200, "nfp_a": 200,
                "nfp_b": 403, "lfp_x": 403, "lfp_y": 403, "disabled": 401}  # fmt: skip
    for role, status in expected.items():
        for path in ("", "/versions", "/audit", "/comments"):
            response = platform.client.get(f"{API}/reports/{doc.id}{path}",
                                           headers=platform.headers(role))  # fmt: skip
            assert response.status_code == status, (role, path, response.text[:300])
            if status == 200:
                assert response.headers["cache-control"] == "private, no-store"
