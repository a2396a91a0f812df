"""Signing in over HTTP: the session cookie, CSRF, API tokens, the sign-in limit, and the
``urbanagenda users`` commands, on a copy of the demo database."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Annotated, Any

import pytest
from argon2 import PasswordHasher
from fastapi import Depends, Form, Request, UploadFile
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from urbanagenda.reporting import accounts
from urbanagenda.reporting.model import User
from urbanagenda.store import schema as s
from urbanagenda.store.engine import open_engine
from urbanagenda.web import auth

PASSWORD = "correct horse battery"
HTTPS = "https://testserver"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="module", autouse=True)
def cheap_hashes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", CHEAP)
        yield


@pytest.fixture(scope="module")
def db_url(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo database this module may add accounts to."""
    path = tmp_path_factory.mktemp("auth") / "demo.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app(db_url: str) -> Any:
    from urbanagenda.web import create_app

    return create_app(db_url, warm=False)


@pytest.fixture(scope="module")
def users(engine: Engine) -> dict[str, User]:
    return {
        "nfp": accounts.add_user(
            engine, "nfp.kenya", PASSWORD, "national_focal_point", area_code="404"
        ),
        "reviewer": accounts.add_user(engine, "reviewer.one", PASSWORD, "reviewer"),
    }


def https(app: Any, address: str = "testclient") -> TestClient:
    return TestClient(app, base_url=HTTPS, client=(address, 50000), raise_server_exceptions=False)


def login(client: TestClient, username: str = "nfp.kenya") -> dict[str, Any]:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_login_sets_a_secure_httponly_samesite_cookie(app: Any, users: dict[str, User]) -> None:
    with https(app) as client:
        response = client.post(
            "/api/v1/auth/login", json={"username": "NFP.Kenya", "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["user"]["username"] == "nfp.kenya"
        assert body["user"]["role"] == "national_focal_point"
        assert body["user"]["area_code"] == "404"
        assert "password" not in response.text and "hash" not in response.text
        assert len(body["csrf_token"]) >= 43
        header = response.headers["set-cookie"]
        cookie = SimpleCookie()
        cookie.load(header)
        morsel = cookie["ua_session"]
        assert morsel["secure"] is True and morsel["httponly"] is True
        assert morsel["samesite"] == "lax" and morsel["path"] == "/"
        assert morsel["max-age"] == str(12 * 3600)
        assert response.headers["cache-control"] == "private, no-store"

        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200, me.text
        assert me.headers["cache-control"] == "private, no-store"
        info = me.json()
        assert info["user"]["username"] == "nfp.kenya"
        assert info["via"] == "session"
        assert info["csrf_token"] == body["csrf_token"]
        assert info["actions"] == [
            "report.create", "report.edit", "report.attach", "report.submit",
            "report.withdraw", "report.read", "finance.save",
        ]  # fmt: skip


def test_wrong_password_and_unknown_user_answer_alike(app: Any, users: dict[str, User]) -> None:
    with https(app, "192.0.2.10") as client:
        wrong = client.post(
            "/api/v1/auth/login", json={"username": "reviewer.one", "password": "not it at all"}
        )
        unknown = client.post(
            "/api/v1/auth/login", json={"username": "nobody.here", "password": "not it at all"}
        )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert wrong.json()["error"]["message"] == "the username or password is wrong"
    assert "set-cookie" not in wrong.headers


def test_me_without_credentials_is_401(app: Any) -> None:
    with https(app) as client:
        response = client.get("/api/v1/auth/me")
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "unauthenticated" and "sign in first" in error["message"]
        client.cookies.set("ua_session", "forged-secret")
        response = client.get("/api/v1/auth/me")
        assert response.status_code == 401
        assert "the session has expired or ended" in response.json()["error"]["message"]


def test_logout_needs_the_csrf_token(app: Any, users: dict[str, User]) -> None:
    with https(app) as client:
        csrf = login(client)["csrf_token"]
        refused = client.post("/api/v1/auth/logout")
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["code"] == "csrf_missing"
        assert "X-CSRF-Token" in error["details"][0]["fix"]
        wrong = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf[:-2] + "xx"})
        assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "csrf_mismatch"
        # the form field counts as well as the header
        form = client.post("/api/v1/auth/logout", data={"csrf_token": csrf[:-2] + "xx"})
        assert form.status_code == 403 and form.json()["error"]["code"] == "csrf_mismatch"
        assert client.get("/api/v1/auth/me").status_code == 200  # still signed in

        done = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
        assert done.status_code == 200 and done.json() == {"signed_out": True}
        assert 'ua_session=""' in done.headers["set-cookie"]
        assert "Max-Age=0" in done.headers["set-cookie"]
    # the session itself is over, even for a client that kept the cookie
    with https(app) as client:
        body = login(client)
        secret = client.cookies["ua_session"]
        ok = client.post("/api/v1/auth/logout", data={"csrf_token": body["csrf_token"]})
        assert ok.status_code == 200
    with https(app) as replay:
        replay.cookies.set("ua_session", secret)
        assert replay.get("/api/v1/auth/me").status_code == 401


async def _echo(text: Annotated[str, Form()], upload: UploadFile | None = None) -> dict[str, Any]:
    data = await upload.read() if upload is not None else b""
    return {"text": text, "size": len(data)}


async def _raw(request: Request) -> dict[str, Any]:
    """A route that reads the form itself (as the API's streamed uploads do)."""
    form = await request.form()
    names = sorted(form.keys())
    await form.close()
    return {"fields": names}


def test_check_csrf_leaves_the_form_to_the_route(app: Any, users: dict[str, User]) -> None:
    """Pages declare ``Form`` parameters after the ``check_csrf`` dependency, which has read
    the form already: they must still get their fields and files; a refused form is closed
    (an unclosed spooled file would show as a ResourceWarning, an error here)."""
    import gc

    app.post("/_test/echo", dependencies=[Depends(auth.check_csrf)])(_echo)
    app.post("/api/_test/echo", dependencies=[Depends(auth.check_csrf)])(_echo)
    app.post("/_test/raw", dependencies=[Depends(auth.check_csrf)])(_raw)
    pdf = ("report.pdf", b"%PDF-1.7 " + b"x" * 3000, "application/pdf")
    with https(app) as client:
        csrf = login(client)["csrf_token"]
        # a page's form: the token as a field, URL-encoded or multipart
        form = client.post("/_test/echo", data={"csrf_token": csrf, "text": "narrative"})
        assert form.status_code == 200, form.text
        assert form.json() == {"text": "narrative", "size": 0}
        multipart = client.post(
            "/_test/echo", data={"csrf_token": csrf, "text": "with a file"}, files={"upload": pdf}
        )
        assert multipart.status_code == 200, multipart.text
        assert multipart.json() == {"text": "with a file", "size": 3009}
        big = ("big.pdf", b"%PDF-1.7 " + b"x" * 1_200_000, "application/pdf")  # spooled to disk
        for path in ("/_test/echo", "/_test/raw"):
            refused = client.post(path, data={"text": "no token"}, files={"upload": big})
            assert refused.status_code == 403
            gc.collect()
        raw = client.post("/_test/raw", data={"csrf_token": csrf}, files={"upload": big})
        assert raw.json() == {"fields": ["csrf_token", "upload"]}
        gc.collect()
        # the API: URL-encoded forms may carry the field; uploads need the header
        encoded = client.post("/api/_test/echo", data={"csrf_token": csrf, "text": "api"})
        assert encoded.status_code == 200 and encoded.json()["text"] == "api"
        upload = client.post(
            "/api/_test/echo", data={"csrf_token": csrf, "text": "x"}, files={"upload": pdf}
        )
        assert upload.status_code == 403
        error = upload.json()["error"]
        assert error["code"] == "csrf_missing"
        assert "uploads to the API need the header" in error["details"][0]["fix"]
        with_header = client.post(
            "/api/_test/echo", data={"text": "x"}, files={"upload": pdf},
            headers={"X-CSRF-Token": csrf},
        )  # fmt: skip
        assert with_header.json() == {"text": "x", "size": 3009}
        gc.collect()
    with https(app) as anonymous:  # no session: nothing to forge, the route decides
        assert anonymous.post("/_test/echo", data={"text": "hello"}).json()["text"] == "hello"


def test_bearer_tokens_work_without_csrf_and_can_be_revoked(
    app: Any, engine: Engine, users: dict[str, User]
) -> None:
    with https(app) as browser:
        csrf = login(browser)["csrf_token"]
        assert browser.post("/api/v1/auth/tokens", json={"name": "x"}).status_code == 403
        created = browser.post(
            "/api/v1/auth/tokens", json={"name": "submission script"},
            headers={"X-CSRF-Token": csrf},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        new = created.json()
        token = new["token"]
        assert token.startswith("ua_") and new["prefix"] == token[:10]
        assert new["name"] == "submission script" and new["active"] is True
    with engine.connect() as conn:
        stored = conn.execute(
            select(s.api_token.c.token_hash).where(s.api_token.c.id == new["id"])
        ).scalar_one()
    assert stored != token and token not in stored

    with https(app) as script:  # no cookie: only the token
        bearer = {"Authorization": f"Bearer {token}"}
        me = script.get("/api/v1/auth/me", headers=bearer)
        assert me.status_code == 200
        assert me.json()["via"] == "token" and me.json()["csrf_token"] is None
        listed = script.get("/api/v1/auth/tokens", headers=bearer).json()["data"]
        assert [t["id"] for t in listed][:1] == [new["id"]]
        assert "token" not in listed[0] and listed[0]["last_used_at"] is not None
        # a mutating request with the token needs no CSRF token
        second = script.post("/api/v1/auth/tokens", json={"name": "second"}, headers=bearer)
        assert second.status_code == 201
        revoked = script.delete(f"/api/v1/auth/tokens/{new['id']}", headers=bearer)
        assert revoked.status_code == 200 and revoked.json()["active"] is False
        gone = script.get("/api/v1/auth/me", headers=bearer)
        assert gone.status_code == 401
        assert "revoked" in gone.json()["error"]["message"]
        assert gone.headers["www-authenticate"].startswith("Bearer")
        other = {"Authorization": f"Bearer {second.json()['token']}"}
        missing = script.delete("/api/v1/auth/tokens/999999", headers=other)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        # another user's token is not theirs to revoke
        rev_token = accounts.create_api_token(engine, users["reviewer"], "reviewer's")
        theirs = accounts.list_api_tokens(engine, users["reviewer"])[0].id
        assert script.delete(f"/api/v1/auth/tokens/{theirs}", headers=other).status_code == 404
        assert accounts.token_user(engine, rev_token) == users["reviewer"]
        basic = script.get("/api/v1/auth/me", headers={"Authorization": "Basic eDp5"})
        assert basic.status_code == 401 and "Bearer" in basic.json()["error"]["message"]


def test_repeated_failures_answer_429_with_retry_after(app: Any, engine: Engine) -> None:
    accounts.add_user(engine, "target.user", PASSWORD, "reviewer")
    with https(app, "198.51.100.23") as client:
        for _ in range(5):
            response = client.post(
                "/api/v1/auth/login", json={"username": "target.user", "password": "guess guess"}
            )
            assert response.status_code == 401
        limited = client.post(
            "/api/v1/auth/login", json={"username": "target.user", "password": PASSWORD}
        )
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 900
        assert limited.json()["error"]["code"] == "too_many_requests"
        assert "set-cookie" not in limited.headers
    with https(app, "198.51.100.24") as other:  # the username is locked from everywhere
        assert (
            other.post(
                "/api/v1/auth/login", json={"username": "target.user", "password": PASSWORD}
            ).status_code
            == 429
        )
        login(other, "reviewer.one")  # other accounts are not


def test_a_disabled_user_is_signed_out_at_once(app: Any, engine: Engine) -> None:
    accounts.add_user(engine, "leaving.soon", PASSWORD, "reviewer")
    with https(app) as client:
        login(client, "leaving.soon")
        assert client.get("/api/v1/auth/me").status_code == 200
        accounts.disable_user(engine, "leaving.soon")
        assert client.get("/api/v1/auth/me").status_code == 401
        again = client.post(
            "/api/v1/auth/login", json={"username": "leaving.soon", "password": PASSWORD}
        )
        assert again.status_code == 401 and "disabled" in again.json()["error"]["message"]


def test_insecure_cookies_only_when_asked(
    db_url: str, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from urbanagenda.web import create_app

    monkeypatch.setenv("URBANAGENDA_INSECURE_COOKIES", "1")
    with TestClient(create_app(db_url, warm=False), base_url="http://testserver") as client:
        response = client.post(
            "/api/v1/auth/login", json={"username": "nfp.kenya", "password": PASSWORD}
        )
        assert response.status_code == 200
        header = response.headers["set-cookie"]
        assert "HttpOnly" in header and "SameSite=lax" in header
        assert "Secure" not in header
        assert client.get("/api/v1/auth/me").status_code == 200  # sent back over http


def test_auth_routes_are_documented(app: Any) -> None:
    with https(app) as client:
        paths = client.get("/openapi.json").json()["paths"]
        other = client.put("/api/v1/auth/tokens")
        assert other.status_code == 405 and other.headers["allow"] == "GET, POST"
        assert client.get("/api/v1/auth/login").headers["allow"] == "POST"
    assert paths["/api/v1/auth/login"]["post"]["tags"] == ["auth"]
    assert "429" in paths["/api/v1/auth/login"]["post"]["responses"]
    assert set(paths["/api/v1/auth/tokens"]) == {"get", "post"}
    assert set(paths["/api/v1/auth/tokens/{token_id}"]) == {"delete"}


# -- urbanagenda users ------------------------------------------------------------------------


def test_users_commands(db_url: str, engine: Engine, tmp_path: Path) -> None:
    from urbanagenda.cli.main import app as cli

    runner = CliRunner()
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    added = runner.invoke(
        cli,
        ["users", "add", "Nairobi.LFP", "--role", "local_focal_point", "--area", "ke_nairobi",
         "--name", "Wanjiru M", "--email", "w@example.org", "--password-file", str(secret),
         "--database", db_url],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added nairobi.lfp (local focal point bound to ke_nairobi)" in added.output
    assert accounts.authenticate(engine, "nairobi.lfp", PASSWORD, client="cli-test")

    by_env = runner.invoke(
        cli, ["users", "add", "admin.cli", "--role", "administrator", "--database", db_url],
        env={"URBANAGENDA_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert by_env.exit_code == 0, by_env.output

    prompted = runner.invoke(
        cli, ["users", "add", "typed.in", "--role", "reviewer", "--database", db_url],
        input=f"{PASSWORD}\n{PASSWORD}\n", env={"URBANAGENDA_PASSWORD": ""},
    )  # fmt: skip
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output  # hidden input

    short = runner.invoke(
        cli, ["users", "add", "shorty", "--role", "reviewer", "--database", db_url],
        env={"URBANAGENDA_PASSWORD": "too short"},
    )  # fmt: skip
    assert short.exit_code == 2
    assert "needs at least 12" in short.output
    wrong_area = runner.invoke(
        cli, ["users", "add", "nfp.x", "--role", "national_focal_point", "--area", "ke_nairobi",
              "--database", db_url], env={"URBANAGENDA_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert wrong_area.exit_code == 2 and "is a city" in wrong_area.output
    duplicate = runner.invoke(
        cli, ["users", "add", "admin.cli", "--role", "reviewer", "--database", db_url],
        env={"URBANAGENDA_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert duplicate.exit_code == 2 and "is taken" in duplicate.output

    listed = runner.invoke(cli, ["users", "list", "--database", db_url], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if "nairobi.lfp" in line)
    assert "Wanjiru M" in row and "local_focal_point" in row and "ke_nairobi" in row
    assert "yes" in row

    token = runner.invoke(
        cli, ["users", "token", "nairobi.lfp", "--name", "upload script", "--database", db_url]
    )
    assert token.exit_code == 0, token.output
    printed = token.stdout.strip().splitlines()[-1]
    assert printed.startswith("ua_")
    user = accounts.token_user(engine, printed)
    assert user is not None and user.username == "nairobi.lfp"

    disabled = runner.invoke(cli, ["users", "disable", "nairobi.lfp", "--database", db_url])
    assert disabled.exit_code == 0, disabled.output
    assert accounts.token_user(engine, printed) is None
    listed = runner.invoke(
        cli, ["users", "list", "--json", "--database", db_url], env={"COLUMNS": "200"}
    )
    rows = {r["username"]: r for r in json.loads(listed.stdout)}
    assert rows["nairobi.lfp"]["active"] is False
    assert rows["typed.in"]["role"] == "reviewer"
    enabled = runner.invoke(cli, ["users", "enable", "nairobi.lfp", "--database", db_url])
    assert enabled.exit_code == 0, enabled.output
    assert accounts.get_user(engine, "nairobi.lfp").active is True
    assert accounts.token_user(engine, printed) is None  # revoked tokens stay revoked
    changed = runner.invoke(
        cli, ["users", "password", "nairobi.lfp", "--database", db_url],
        env={"URBANAGENDA_PASSWORD": "another long passphrase"},
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert accounts.authenticate(engine, "nairobi.lfp", "another long passphrase", client="cli")
    unknown = runner.invoke(cli, ["users", "disable", "nobody", "--database", db_url])
    assert unknown.exit_code == 2 and "no account 'nobody'" in unknown.output
