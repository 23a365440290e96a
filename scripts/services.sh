#!/usr/bin/env bash
# Makes sure the services the tests use answer: PostgreSQL on 127.0.0.1:5432 for the accounts tests
# (trust auth, database `test`) and Redis on 127.0.0.1:6379 for the Redis channel layer's; installs
# Debian's packages and starts them where they do not answer.
# Sourced by scripts/test.sh; run it alone to prepare a machine.
set -euo pipefail

as_root=""
[ "$(id -u)" = 0 ] || as_root="sudo"

postgres_answers() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432
}

if ! postgres_answers; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "PostgreSQL is not installed: installing Debian's package"
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  config=/etc/postgresql/$version/main
  # Loopback only, trust auth for local test connections, as on the machines we run on; first in
  # the file, since the first matching line decides.
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$config/pg_hba.conf"; then
    $as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$config/pg_hba.conf"
  fi
  $as_root sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "$config/postgresql.conf"
  $as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do postgres_answers && break; sleep 1; done
  postgres_answers || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi
if ! psql -h 127.0.0.1 -U postgres -d test -tAc 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc 'create database test' >/dev/null
fi
echo "PostgreSQL answers on 127.0.0.1:5432 (database test)"

redis_answers() {
  command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]
}

if ! redis_answers; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not installed: installing Debian's package"
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq redis-server
  fi
  # Loopback only and nothing written to disk: the tests' data lives a few seconds under prefixes
  # of their own.
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes \
    --dir "${TMPDIR:-/tmp}" --logfile ""
  for _ in $(seq 1 30); do redis_answers && break; sleep 1; done
  redis_answers || { echo "Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
fi
echo "Redis answers on 127.0.0.1:6379"
