#!/usr/bin/env bash
# The channels load benchmark (issue 11): 100,000 idle subscribed WebSockets, broadcast latency
# to 10,000 subscribers, deliveries per second, and one slow client. channels-server runs pinned
# to CPU 0, the channels-load generator pinned to CPU 1, over loopback from 127.0.0.2... sources.
# Needs root (the file limit is raised past 100,000 descriptors) and 2 CPUs. Bounded: the run
# itself stops after 6 minutes at most. Not part of scripts/test.sh.
#
# Environment (see benches/src/bin/channels-load/main.rs): BENCH_SOCKETS (100000), BENCH_FANOUT
# (10000), BENCH_SECS (10), BENCH_INTERVAL_MS (50), BENCH_WINDOW (8), BENCH_SLOW_SECS (40), BENCH_SLOW_BURST (4000 a second),
# BENCH_SERVER_CPU (0), BENCH_CLIENT_CPU (1).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in taskset ss timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "scripts/bench-channels.sh: $tool is required" >&2; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
  echo "scripts/bench-channels.sh: needs 2 CPUs (server and load generator each pinned to one)" >&2
  exit 1
fi

echo "==> building the server and the load generator (release)"
cargo build --release --locked -p mizan-benches --bin channels-server --bin channels-load
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
exec timeout --signal=INT --kill-after=10 360 \
  taskset -c "${BENCH_CLIENT_CPU:-1}" "$target_dir/release/channels-load" "$@"
