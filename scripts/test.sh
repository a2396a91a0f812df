#!/usr/bin/env bash
# Set up urbanagenda with its development tools and run the checks and the test suite.
# PostgreSQL tests run against URBANAGENDA_TEST_POSTGRES_URL; when it is unset, a local
# PostgreSQL server is started if one is installed (scripts/postgres.sh).  In CI (CI=true)
# tests that need PostgreSQL fail instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --extra dev
if [[ -z "${URBANAGENDA_TEST_POSTGRES_URL:-}" ]]; then
    if url="$(bash scripts/postgres.sh 2>/dev/null)"; then
        export URBANAGENDA_TEST_POSTGRES_URL="$url"
    fi
fi
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
# the suite runs on every core (pytest-xdist; a test file stays on one worker, so its
# module fixtures are built once); PYTEST_WORKERS=0 runs it in one process
echo "== pytest"; .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist loadfile "$@"
