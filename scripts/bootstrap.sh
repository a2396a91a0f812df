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
# Generated reports (PDF) need Pango for WeasyPrint and a CJK font for Chinese text; both are
# Debian packages.  Install them when missing and we may (root with apt), else say what to do.
missing=()
.venv/bin/python -c "import weasyprint" >/dev/null 2>&1 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei fontconfig)
if (( ${#missing[@]} )); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "PDF reports need these Debian packages: ${missing[*]} (install them as root)" >&2
    fi
fi
