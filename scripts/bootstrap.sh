#!/usr/bin/env bash
# Create .venv with the locked dependencies (uv.lock).  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet --user "uv==0.13.8" || python3 -m pip install --quiet "uv==0.13.8"
    export PATH="$HOME/.local/bin:$PATH"
fi
export UV_PYTHON_DOWNLOADS=never
uv sync --frozen --inexact --python python3.11 "$@"
# The web platform's front-end libraries come from the npm registry (frontend/package-lock.json)
# and are bundled into src/urbanagenda/web/static/vendor/ (not committed).
if ! command -v npm >/dev/null 2>&1; then
    echo "npm (Node.js 20 or newer) is needed to build the web platform's charts: install nodejs and npm" >&2
    exit 1
fi
stamp=src/urbanagenda/web/static/vendor/.built-from
want="$(sha256sum frontend/package-lock.json frontend/package.json frontend/src/*.js | sha256sum | cut -c1-64)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -d frontend/node_modules ]]; then
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
    echo "$want" > "$stamp"
fi
