#!/usr/bin/env bash
# Start a local PostgreSQL cluster (Debian's postgresql package) if installed and print a
# URL for a test database.  Exits non-zero when no server can be started.
set -euo pipefail
command -v pg_lsclusters >/dev/null 2>&1 || { echo "postgresql is not installed" >&2; exit 1; }
cluster="$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')"
if [[ -z "$cluster" ]]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    pg_createcluster "$version" main >/dev/null
    cluster="$version main"
fi
# shellcheck disable=SC2086
pg_ctlcluster $cluster start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
    # shellcheck disable=SC2086
    if pg_lsclusters --no-header | awk -v c="$cluster" '$1" "$2==c {print $4}' | grep -q online; then
        break
    fi
    sleep 1
done
port="$(pg_lsclusters --no-header | awk -v c="$cluster" '$1" "$2==c {print $3}')"
runuser -u postgres -- psql -p "$port" -qtAc \
    "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='urbanagenda') THEN
       CREATE ROLE urbanagenda LOGIN SUPERUSER PASSWORD 'urbanagenda'; END IF; END \$\$;" >/dev/null
if ! runuser -u postgres -- psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='urbanagenda_test'" | grep -q 1; then
    runuser -u postgres -- createdb -p "$port" -O urbanagenda urbanagenda_test
fi
echo "postgresql://urbanagenda:urbanagenda@127.0.0.1:${port}/urbanagenda_test"
