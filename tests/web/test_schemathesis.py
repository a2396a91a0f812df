"""Schemathesis against the API's own OpenAPI document (a short run; the long one is
``benchmarks/bench_schemathesis.py``).

Every operation gets generated valid and invalid requests; every answer must be no server
error and conform to the document: a documented status code and content type, a body that
matches the documented schema (the data shapes and the one error shape), documented headers,
405 with ``Allow`` for other methods, and 4xx for requests the schema rules out.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

EXAMPLES_PER_OPERATION = 20


def _schema() -> Any:
    """The OpenAPI document of the application.  It does not depend on the data, so it is
    read at collection time from an application on an empty in-memory store; every request
    then goes to the application on the demo database (``web_app``).  (A lazy
    ``schemathesis.pytest.from_fixture`` schema fails on pytest 9: it sets ``_nodeid``.)"""
    from urbanagenda.web import create_app

    document_app = create_app("sqlite://", warm=False)
    # /api/v1/publications/{kind} generates whole reports (seconds each, one at a time): its
    # requests are tested in tests/web/test_publications.py, not fuzzed here
    return (
        schemathesis.openapi.from_asgi("/openapi.json", document_app)
        .include(path_regex="^/api/v1")
        .exclude(path="/api/v1/publications/{kind}")
    )


schema = _schema()


@pytest.fixture(scope="module")
def fuzz_app(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The application on its own copy of the demo database: the fuzzer's failed sign-ins
    lock its client out for a quarter of an hour, which must not reach the other tests."""
    from urbanagenda.web import create_app

    path = tmp_path_factory.mktemp("fuzz") / "demo.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), path)
    return create_app(f"sqlite:///{path}", warm=False)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_conforms_to_its_schema(case: Any, fuzz_app: Any) -> None:
    # positive_data_acceptance is left out: a well-formed code that names nothing (series
    # AB_CD, area 999999) is refused with 422 by design, not accepted
    response = case.call_and_validate(
        app=fuzz_app, excluded_checks=[schemathesis.checks.positive_data_acceptance]
    )
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == response.status_code
        assert "Traceback" not in response.text
