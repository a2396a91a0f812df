"""Shared fixtures of the reporting tests: a user of every role, and observations so that
indicators can be frozen into report versions.

Users are inserted into ``app_user`` directly with one fixed argon2id hash (of
:data:`PASSWORD`), so these fixtures do not depend on ``accounts`` and cost no hashing time.
Nigeria (M49 566) is the country of the reports; Kenya (404) is "another country" for the
cross-country checks; Lagos (``ng_lagos``) is the local focal point's city.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from urbanagenda.reporting.model import User
from urbanagenda.store import schema as s
from urbanagenda.store.load import load_files

SPECIMENS = Path(__file__).resolve().parents[1] / "specimens"
#: the password of every fixture user
PASSWORD = "reporting-test-password"
PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$DnQ5IzMgOzAp+ERZvlCFHQ"
    "$+8KrhVAjsqDiny0nh7jzQiPov8vag/R0EnP4fDrv2y8"
)
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NIGERIA = "566"
KENYA = "404"
LAGOS = "ng_lagos"


def make_user(
    engine: Engine, username: str, role: str, area_code: str | None = None, *, active: bool = True
) -> User:
    """A user row as ``accounts.add_user`` would write it (password: :data:`PASSWORD`)."""
    with engine.begin() as conn:
        uid = conn.execute(
            insert(s.app_user).values(
                username=username,
                display_name=username.replace("_", " ").title(),
                email=f"{username}@example.org",
                password_hash=PASSWORD_HASH,
                role=role,
                area_code=area_code,
                active=active,
                created_at=T0,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    return User(
        id=int(uid),
        username=username,
        display_name=username.replace("_", " ").title(),
        role=role,
        area_code=area_code,
        active=active,
        email=f"{username}@example.org",
        created_at=T0,
    )


@dataclass(frozen=True)
class Users:
    admin: User
    reviewer: User
    nigeria: User  # national focal point of Nigeria
    kenya: User  # national focal point of Kenya
    lagos: User  # local focal point of Lagos


@pytest.fixture
def users(engine: Engine) -> Users:
    """One user of every role on the test database (both backends)."""
    return Users(
        admin=make_user(engine, "ada_admin", "administrator"),
        reviewer=make_user(engine, "rex_reviewer", "reviewer"),
        nigeria=make_user(engine, "ngozi_focal", "national_focal_point", NIGERIA),
        kenya=make_user(engine, "kamau_focal", "national_focal_point", KENYA),
        lagos=make_user(engine, "lola_lagos", "local_focal_point", LAGOS),
    )


def load_specimen(engine: Engine, name: str) -> None:
    """Load a tidy-CSV specimen of ``tests/specimens/tidy`` through the real loader."""
    load_files(engine, [SPECIMENS / "tidy" / name])


@pytest.fixture
def nigeria_data(engine: Engine) -> Engine:
    """Real UN SDG values for Nigeria and two of its cities (``nga_slum.csv``: urban slum
    share 2000/2010/2020, PM2.5 2010, Lagos and Ibadan public transport access 2020)."""
    load_specimen(engine, "nga_slum.csv")
    return engine
