"""Accounts on both backends: argon2 hashes, the sign-in limit, sessions, API tokens."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select

from urbanagenda.errors import AuthError
from urbanagenda.reporting import accounts
from urbanagenda.reporting.accounts import AccountError, RateLimited, UnknownUser
from urbanagenda.store import schema as s

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
#: argon2id with the smallest sensible cost: the tests hash dozens of passwords
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", CHEAP)


def _stored_hash(engine: Engine, username: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(s.app_user.c.password_hash).where(s.app_user.c.username == username)
            ).scalar_one()
        )


def _attempts(engine: Engine) -> list[tuple[str, str, bool]]:
    la = s.login_attempt.c
    with engine.connect() as conn:
        rows = conn.execute(select(la.username, la.client, la.succeeded).order_by(la.id)).all()
    return [(r.username, r.client, bool(r.succeeded)) for r in rows]


# -- accounts ---------------------------------------------------------------------------------


def test_add_user_stores_an_argon2_hash_never_the_password(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher())  # the real parameters
    user = accounts.add_user(
        engine, "  Amina.K ", PASSWORD, "national_focal_point", area_code="404",
        display_name="Amina Kamau", email="amina@example.org", now=T0,
    )  # fmt: skip
    assert (user.username, user.role, user.area_code, user.active) == (
        "amina.k", "national_focal_point", "404", True,
    )  # fmt: skip
    assert user.created_at == T0
    stored = _stored_hash(engine, "amina.k")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    assert accounts.get_user(engine, "AMINA.K") == user
    assert accounts.get_user(engine, user.id) == user


def test_area_binding_follows_the_role(engine: Engine) -> None:
    kenya = accounts.add_user(engine, "nfp-ken", PASSWORD, "national_focal_point", area_code="KEN")
    assert kenya.area_code == "404"  # an ISO code names the country's M49 code
    nairobi = accounts.add_user(
        engine, "lfp-nbo", PASSWORD, "local_focal_point", area_code="ke_nairobi"
    )
    assert nairobi.area_code == "ke_nairobi"
    assert accounts.add_user(engine, "rev", PASSWORD, "reviewer").area_code is None
    with pytest.raises(AccountError, match=r"area ke_nairobi \(Nairobi\) is a city.*country"):
        accounts.add_user(engine, "nfp2", PASSWORD, "national_focal_point", area_code="ke_nairobi")
    with pytest.raises(AccountError, match=r"area 404 \(Kenya\) is a country.*city"):
        accounts.add_user(engine, "lfp2", PASSWORD, "local_focal_point", area_code="404")
    with pytest.raises(AccountError, match="must be bound to a country"):
        accounts.add_user(engine, "nfp3", PASSWORD, "national_focal_point")
    with pytest.raises(AccountError, match="unknown area 'atlantis'"):
        accounts.add_user(engine, "lfp3", PASSWORD, "local_focal_point", area_code="atlantis")
    with pytest.raises(AccountError, match="not bound to an area"):
        accounts.add_user(engine, "admin2", PASSWORD, "administrator", area_code="404")
    assert [u.username for u in accounts.list_users(engine)] == ["lfp-nbo", "nfp-ken", "rev"]


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("ab", PASSWORD, "reviewer", "3 to 64 characters"),
        ("amina k", PASSWORD, "reviewer", "3 to 64 characters"),
        ("x" * 65, PASSWORD, "reviewer", "3 to 64 characters"),
        ("amina", "short pass", "reviewer", "has 10 characters; it needs at least 12"),
        ("amina", PASSWORD, "superuser", "unknown role 'superuser'; the roles are administrator"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    engine: Engine, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.add_user(engine, username, password, role)
    assert accounts.list_users(engine) == []


def test_duplicate_username_is_refused(engine: Engine) -> None:
    accounts.add_user(engine, "reviewer1", PASSWORD, "reviewer")
    with pytest.raises(AccountError, match="username 'reviewer1' is taken"):
        accounts.add_user(engine, "Reviewer1", PASSWORD + "x", "administrator")
    assert [(u.username, u.role) for u in accounts.list_users(engine)] == [
        ("reviewer1", "reviewer")
    ]
    with pytest.raises(UnknownUser, match="no account 'nobody'"):
        accounts.get_user(engine, "nobody")


# -- signing in -------------------------------------------------------------------------------


def test_wrong_password_and_unknown_user_get_the_same_answer(engine: Engine) -> None:
    accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    assert accounts.authenticate(engine, "Amina", PASSWORD, client="10.0.0.1").username == "amina"
    with pytest.raises(AuthError) as wrong:
        accounts.authenticate(engine, "amina", PASSWORD + "!", client="10.0.0.1")
    with pytest.raises(AuthError) as unknown:
        accounts.authenticate(engine, "nobody", PASSWORD, client="10.0.0.1")
    assert str(wrong.value) == str(unknown.value) == "the username or password is wrong"
    assert _attempts(engine) == [
        ("amina", "10.0.0.1", True),
        ("amina", "10.0.0.1", False),
        ("nobody", "10.0.0.1", False),
    ]


def test_unknown_user_costs_a_verification_too(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the dummy verification an unknown name would answer in microseconds."""
    slow = PasswordHasher(time_cost=2, memory_cost=32768, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", slow)
    accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    accounts._dummy_hashes.clear()
    with pytest.raises(AuthError):
        accounts.authenticate(engine, "warmup", PASSWORD, client="c")  # builds the dummy hash
    started = time.perf_counter()
    with pytest.raises(AuthError):
        accounts.authenticate(engine, "amina", "wrong password!!", client="c")
    known = time.perf_counter() - started
    started = time.perf_counter()
    with pytest.raises(AuthError):
        accounts.authenticate(engine, "nobody", "wrong password!!", client="c")
    unknown = time.perf_counter() - started
    assert unknown > known / 3, (known, unknown)


def test_password_is_rehashed_when_the_parameters_change(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    assert "$m=1024,t=1,p=1$" in _stored_hash(engine, "amina")
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", stronger)
    accounts.authenticate(engine, "amina", PASSWORD, client="c")
    rehashed = _stored_hash(engine, "amina")
    assert "$m=2048,t=2,p=1$" in rehashed
    assert stronger.verify(rehashed, PASSWORD)
    accounts.authenticate(engine, "amina", PASSWORD, client="c")  # the new hash works
    assert _stored_hash(engine, "amina") == rehashed  # and is not rehashed again


def test_five_failures_lock_the_username_for_the_window(engine: Engine) -> None:
    accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    for i in range(5):
        with pytest.raises(AuthError, match="wrong") as exc:
            accounts.authenticate(
                engine, "amina", f"guess number {i}", client=f"10.0.0.{i}",
                now=T0 + timedelta(seconds=10 * i),
            )  # fmt: skip
        assert not isinstance(exc.value, RateLimited)
    # the right password does not help now, from any address
    at = T0 + timedelta(minutes=2)
    with pytest.raises(RateLimited) as limited:
        accounts.authenticate(engine, "amina", PASSWORD, client="10.9.9.9", now=at)
    # the first failure (T0) leaves the 15-minute window at T0 + 15 min: 13 minutes from now
    assert limited.value.retry_after == 13 * 60
    assert "try again in 780 seconds (about 13 minutes)" in str(limited.value)
    # another username from the same addresses is not locked
    accounts.add_user(engine, "omar", PASSWORD, "reviewer")
    assert accounts.authenticate(engine, "omar", PASSWORD, client="10.0.0.1", now=at)
    # the refused attempt was recorded (as a failure) and keeps the count at the limit:
    # after the first failure leaves the window, the second one still counts with the
    # refused attempt, until T0 + 10 s + 15 min
    with pytest.raises(RateLimited) as still:
        accounts.authenticate(
            engine, "amina", PASSWORD, client="x", now=T0 + timedelta(minutes=15, seconds=5)
        )
    assert still.value.retry_after == 5
    # once the window has passed, the right password works again
    later = T0 + timedelta(minutes=17, seconds=30)
    assert accounts.authenticate(engine, "amina", PASSWORD, client="x", now=later).id
    la = s.login_attempt.c
    with engine.connect() as conn:
        counts = conn.execute(
            select(la.succeeded, func.count()).where(la.username == "amina").group_by(la.succeeded)
        ).all()
    assert sorted((bool(ok), n) for ok, n in counts) == [(False, 7), (True, 1)]


def test_a_successful_sign_in_clears_the_username_count(engine: Engine) -> None:
    accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    for _ in range(4):
        with pytest.raises(AuthError):
            accounts.authenticate(engine, "amina", "not the password", client="c", now=T0)
    accounts.authenticate(engine, "amina", PASSWORD, client="c", now=T0 + timedelta(seconds=1))
    for _ in range(4):
        with pytest.raises(AuthError) as exc:
            accounts.authenticate(
                engine, "amina", "not the password", client="c", now=T0 + timedelta(seconds=2)
            )
        assert not isinstance(exc.value, RateLimited)


def test_twenty_failures_lock_the_client(engine: Engine) -> None:
    accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    for i in range(20):
        with pytest.raises(AuthError) as exc:
            accounts.authenticate(
                engine, f"user{i}", "password spraying", client="203.0.113.7",
                now=T0 + timedelta(seconds=i),
            )  # fmt: skip
        assert not isinstance(exc.value, RateLimited)
    at = T0 + timedelta(minutes=5)
    with pytest.raises(RateLimited) as limited:
        accounts.authenticate(engine, "amina", PASSWORD, client="203.0.113.7", now=at)
    assert limited.value.retry_after == 10 * 60
    # another client signs in as usual
    assert accounts.authenticate(engine, "amina", PASSWORD, client="198.51.100.2", now=at)


def test_a_disabled_user_cannot_sign_in_and_loses_sessions_and_tokens(engine: Engine) -> None:
    user = accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    secret, _ = accounts.create_session(engine, user, now=T0)
    token = accounts.create_api_token(engine, user, "script", now=T0)
    assert accounts.session_user(engine, secret, now=T0) is not None
    assert accounts.token_user(engine, token, now=T0) == user
    disabled = accounts.disable_user(engine, "amina", now=T0 + timedelta(minutes=1))
    assert disabled.active is False
    assert accounts.session_user(engine, secret, now=T0 + timedelta(minutes=2)) is None
    assert accounts.token_user(engine, token, now=T0 + timedelta(minutes=2)) is None
    with pytest.raises(AuthError, match="account 'amina' is disabled"):
        accounts.authenticate(engine, "amina", PASSWORD, client="c")
    with pytest.raises(AuthError, match="the username or password is wrong"):
        accounts.authenticate(engine, "amina", "a wrong password", client="c")
    with pytest.raises(AuthError, match="disabled"):
        accounts.create_session(engine, user)
    # nothing is deleted: the account, its session and token stay, marked
    with engine.connect() as conn:
        assert conn.execute(select(s.app_user.c.disabled_at)).scalar_one() is not None
        assert conn.execute(select(s.user_session.c.revoked_at)).scalar_one() is not None
        assert conn.execute(select(s.api_token.c.revoked_at)).scalar_one() is not None
    assert [u.active for u in accounts.list_users(engine)] == [False]


# -- sessions ---------------------------------------------------------------------------------


def test_sessions_are_stored_hashed_and_expire(engine: Engine) -> None:
    user = accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    secret, csrf = accounts.create_session(engine, user, now=T0)
    assert len(secret) >= 43 and len(csrf) >= 43 and secret != csrf
    with engine.connect() as conn:
        row = conn.execute(select(s.user_session)).one()
    assert row.id == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert row.csrf_token == csrf
    assert accounts.session_user(engine, secret, now=T0 + timedelta(hours=11, minutes=59)) == (
        user,
        csrf,
    )
    assert accounts.session_user(engine, secret, now=T0 + timedelta(hours=12)) is None
    assert accounts.session_user(engine, secret[:-1] + "x", now=T0) is None
    assert accounts.session_user(engine, "", now=T0) is None
    short, _ = accounts.create_session(engine, user, now=T0, lifetime=timedelta(minutes=30))
    assert accounts.session_user(engine, short, now=T0 + timedelta(minutes=29)) is not None
    assert accounts.session_user(engine, short, now=T0 + timedelta(minutes=31)) is None


def test_signing_out_revokes_only_that_session(engine: Engine) -> None:
    user = accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    first, csrf1 = accounts.create_session(engine, user, now=T0)
    second, csrf2 = accounts.create_session(engine, user, now=T0)
    assert csrf1 != csrf2
    accounts.end_session(engine, first, now=T0 + timedelta(minutes=5))
    assert accounts.session_user(engine, first, now=T0 + timedelta(minutes=6)) is None
    assert accounts.session_user(engine, second, now=T0 + timedelta(minutes=6)) == (user, csrf2)


# -- API tokens -------------------------------------------------------------------------------


def test_api_tokens_are_hashed_listed_used_and_revoked(engine: Engine) -> None:
    user = accounts.add_user(engine, "nfp", PASSWORD, "national_focal_point", area_code="404")
    other = accounts.add_user(engine, "rev", PASSWORD, "reviewer")
    token = accounts.create_api_token(engine, user, " submission script ", now=T0)
    assert token.startswith("ua_") and len(token) >= 46
    with engine.connect() as conn:
        row = conn.execute(select(s.api_token)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:10] and token not in str(tuple(row))
    assert accounts.token_user(engine, token, now=T0 + timedelta(hours=1)) == user
    assert accounts.token_user(engine, token[:-2], now=T0) is None
    assert accounts.token_user(engine, "not-a-token", now=T0) is None
    (listed,) = accounts.list_api_tokens(engine, user)
    assert (listed.name, listed.prefix, listed.active) == ("submission script", token[:10], True)
    assert listed.last_used_at == T0 + timedelta(hours=1)
    assert accounts.list_api_tokens(engine, other) == []
    with pytest.raises(AccountError, match="no API token"):
        accounts.revoke_api_token(engine, other, listed.id)  # not theirs
    revoked = accounts.revoke_api_token(engine, user, listed.id, now=T0 + timedelta(hours=2))
    assert revoked.revoked_at == T0 + timedelta(hours=2) and not revoked.active
    assert accounts.token_user(engine, token, now=T0 + timedelta(hours=3)) is None
    with pytest.raises(AccountError, match="needs a name"):
        accounts.create_api_token(engine, user, "   ")


def test_enable_and_set_password(engine: Engine) -> None:
    user = accounts.add_user(engine, "amina", PASSWORD, "reviewer")
    old_session, _ = accounts.create_session(engine, user, now=T0)
    accounts.disable_user(engine, "amina", now=T0)
    enabled = accounts.enable_user(engine, "amina")
    assert enabled.active is True
    assert accounts.session_user(engine, old_session, now=T0) is None  # stays ended
    assert accounts.authenticate(engine, "amina", PASSWORD, client="c", now=T0).active
    session, _ = accounts.create_session(engine, user, now=T0)
    token = accounts.create_api_token(engine, user, "script", now=T0)
    with pytest.raises(AccountError, match="needs at least 12"):
        accounts.set_password(engine, "amina", "too short")
    accounts.set_password(engine, "amina", "a brand new passphrase", now=T0)
    assert accounts.session_user(engine, session, now=T0) is None
    assert accounts.token_user(engine, token, now=T0) == enabled
    with pytest.raises(AuthError, match="wrong"):
        accounts.authenticate(engine, "amina", PASSWORD, client="c", now=T0)
    assert accounts.authenticate(engine, "amina", "a brand new passphrase", client="c", now=T0)
