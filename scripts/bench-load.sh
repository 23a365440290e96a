#!/usr/bin/env bash
# The HTTP load benchmark: the demo's Mizan server against bare axum handlers and axum handlers
# doing the same work, each server its own process pinned to CPU 0, wrk pinned to CPU 1, over
# loopback; 5 interleaved rounds of 3 s per workload and server, medians. About 5 minutes.
# Installs wrk (Debian package) when it is missing. Not part of scripts/test.sh.
#
# Environment: BENCH_SECS (3), BENCH_ROUNDS (5), BENCH_CONNECTIONS (64), BENCH_SERVER_CPU (0),
# BENCH_CLIENT_CPU (1), BENCH_WORKLOADS (e.g. echo,greet; all by default).
# `bash scripts/bench-load.sh accounts` runs the accounts benchmark instead (see
# scripts/bench-accounts.sh, which also starts PostgreSQL). `bash scripts/bench-load.sh cache`
# runs the context cache benchmark instead: a context spending 2 ms of CPU, cached and uncached,
# against bare axum (about 1 minute with the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "==> installing wrk"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq wrk
fi
command -v taskset >/dev/null 2>&1 || { echo "scripts/bench-load.sh: taskset (util-linux) is required" >&2; exit 1; }
if [ "$(nproc)" -lt 2 ]; then
  echo "scripts/bench-load.sh: needs 2 CPUs (server and load generator each pinned to one)" >&2
  exit 1
fi

echo "==> building the servers (release)"
cargo build --release --locked -p mizan-benches --bin load-server --bin bench-load
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
exec "$target_dir/release/bench-load" "$@"
