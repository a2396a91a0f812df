#!/usr/bin/env bash
# Set up urbanagenda, build the demo database from the bundled real data (SQLite file
# var/urbanagenda.sqlite), and serve the web platform and API on http://127.0.0.1:8000
# (arguments go to `urbanagenda serve`, e.g. --host 0.0.0.0 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/urbanagenda demo
exec .venv/bin/urbanagenda serve "$@"
