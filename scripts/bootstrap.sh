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
