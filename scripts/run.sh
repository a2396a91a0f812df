#!/usr/bin/env bash
# Set up urbanagenda and run its main job on the embedded default (SQLite):
# build the demo database from the bundled real data and print what is in it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/urbanagenda demo "$@"
