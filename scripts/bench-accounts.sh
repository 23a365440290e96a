#!/usr/bin/env bash
# The accounts benchmark: the `auth` echo call with a session cookie (store in SQLite, in
# PostgreSQL), with a bearer MWT checked against the store, and with a bearer MWT alone (the
# baseline of the ratios), plus the bare axum echo handler; then the cost of `auth.login` (right
# password, wrong password, unknown email) and of Argon2id alone. Same method as
# scripts/bench-load.sh: each server its own process pinned to CPU 0, wrk and the login client
# pinned to CPU 1, interleaved rounds, medians. About 3 minutes. Starts the PostgreSQL of the
# tests (scripts/services.sh) where it does not answer. Not part of scripts/test.sh.
#
# Environment: as scripts/bench-load.sh (BENCH_SECS, BENCH_ROUNDS, BENCH_CONNECTIONS,
# BENCH_SERVER_CPU, BENCH_CLIENT_CPU), and BENCH_WORKLOADS as keys among session-sqlite,
# session-postgres, bearer-sqlite, bearer-mwt, bare, login (all by default); BENCH_LOGINS (16
# sign-ins per attempt, round and mode), BENCH_LOGIN_CLIENTS (4), BENCH_LOGIN_SECS (120);
# MIZAN_BENCH_POSTGRES (postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${MIZAN_BENCH_POSTGRES:-}" ]; then
  bash scripts/services.sh
fi
exec bash scripts/bench-load.sh accounts
