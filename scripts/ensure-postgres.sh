#!/usr/bin/env bash
# Start the local PostgreSQL cluster if it is not answering (used by `make test`).
# Skipped when PODIUM_TEST_BACKENDS does not include postgresql.
set -euo pipefail
case "${PODIUM_TEST_BACKENDS:-sqlite,postgresql}" in *postgresql*) ;; *) exit 0 ;; esac
host=127.0.0.1; port=5432
if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: installing Debian's postgresql package" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  pg_isready -q -h "$host" -p "$port" && break
  sleep 1
done
pg_isready -h "$host" -p "$port"
# the tests use the `test` database as user postgres
psql -h "$host" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
  || psql -h "$host" -U postgres -c "CREATE DATABASE test" >/dev/null
