#!/usr/bin/env bash
# The edge benchmark: the hit path of packages/mizan-edge under Node (node:http adapted to its fetch
# handler, the answer in its in-memory cache) against a bare node:http handler writing the same
# bytes and headers, and against the adapter alone around a handler returning them (what the edge's
# own work costs beyond the fetch API). Each server its own process pinned to CPU 0, wrk pinned to
# CPU 1, over loopback; interleaved rounds, medians. About 1 minute; stopped after 170 s at most.
# Installs wrk (Debian package) when it is missing. Not part of scripts/test.sh or npm test.
#
# Environment: BENCH_SECS (3), BENCH_ROUNDS (5), BENCH_CONNECTIONS (64), BENCH_SERVER_CPU (0),
# BENCH_CLIENT_CPU (1).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BENCH_EDGE_BOUNDED:-}" ]; then
  BENCH_EDGE_BOUNDED=1 exec timeout --signal=TERM --kill-after=5 170 bash "$0" "$@"
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "==> installing wrk"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq wrk
fi
command -v taskset >/dev/null 2>&1 || { echo "scripts/bench-edge.sh: taskset (util-linux) is required" >&2; exit 1; }
if [ "$(nproc)" -lt 2 ]; then
  echo "scripts/bench-edge.sh: needs 2 CPUs (servers and load generator each pinned to one)" >&2
  exit 1
fi
[ -d node_modules/esbuild ] || npm ci --no-audit --no-fund

secs="${BENCH_SECS:-3}"
rounds="${BENCH_ROUNDS:-5}"
connections="${BENCH_CONNECTIONS:-64}"
server_cpu="${BENCH_SERVER_CPU:-0}"
client_cpu="${BENCH_CLIENT_CPU:-1}"
path='/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D'

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> bundling the bench server (esbuild)"
node_modules/.bin/esbuild packages/mizan-edge/bench/server.ts --bundle --platform=node --format=esm \
  --target=node20 --alias:mizan-ts=./packages/mizan-ts/src/index.ts --outfile="$work/server.mjs" --log-level=warning

modes=(bare adapter edge)
declare -A ports
port=47310
for mode in "${modes[@]}"; do
  ports[$mode]=$port
  taskset -c "$server_cpu" node "$work/server.mjs" "$mode" "$port" >"$work/$mode.log" 2>&1 &
  pids+=($!)
  port=$((port + 1))
done
for mode in "${modes[@]}"; do
  for _ in $(seq 100); do
    grep -q ready "$work/$mode.log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q ready "$work/$mode.log" || { echo "the $mode server did not start:" >&2; cat "$work/$mode.log" >&2; exit 1; }
done

echo "==> warming up (1 s per server, not counted)"
for mode in "${modes[@]}"; do
  taskset -c "$client_cpu" wrk -t1 -c"$connections" -d1s "http://127.0.0.1:${ports[$mode]}$path" >/dev/null
done

echo "==> $rounds interleaved rounds of ${secs}s per server, $connections connections"
for round in $(seq "$rounds"); do
  for mode in "${modes[@]}"; do
    rps="$(taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"${secs}s" "http://127.0.0.1:${ports[$mode]}$path" |
      awk '/^Requests\/sec:/ { print $2 }')"
    echo "$mode $rps" >>"$work/results"
    printf '  round %d  %-8s %10s req/s\n' "$round" "$mode" "$rps"
  done
done
curl -s -D - -o /dev/null "http://127.0.0.1:${ports[edge]}$path" | grep -i '^x-mizan-edge: hit' >/dev/null ||
  { echo "the edge server no longer answers hits" >&2; exit 1; }

python3 - "$work/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    mode, rps = line.split()
    rows.setdefault(mode, []).append(float(rps))
med = {mode: statistics.median(v) for mode, v in rows.items()}
print()
print(f"| {'server':<36} | {'req/s (median)':>14} | {'vs bare':>7} |")
print(f"|{'-' * 38}|{'-' * 16}|{'-' * 9}|")
names = {
    'bare': 'bare node:http handler',
    'adapter': 'node:http -> fetch adapter, constant',
    'edge': 'edge hit (adapter + mizan-edge)',
}
for mode in ('bare', 'adapter', 'edge'):
    print(f"| {names[mode]:<36} | {med[mode]:>14,.0f} | {med[mode] / med['bare']:>7.2f} |")
print(f"\nedge / adapter: {med['edge'] / med['adapter']:.2f} (the edge's own work on a hit)")
PY
