#!/usr/bin/env bash
# Instructions per request of a whole server process: hyper, the connection task, the runtime and
# the handler, everything in user space but the kernel. Each server (`load-server`, as the load
# benchmark runs it) runs under `valgrind --tool=callgrind` twice, answering 200 and then 1,200
# keep-alive requests from one sequential client; the difference of callgrind's totals over 1,000
# is one request's cost. Steadier than req/s on a shared VM (about +-2%: timers and the demo's
# background work count too), and unlike `cargo bench --bench instructions` it sees
# `mizan::serve`'s connection task against `axum::serve`'s.
#
# Usage: bash scripts/bench-server-instructions.sh [echo] [greet]   (both by default; ~8 minutes)
# Servers: `bare` (axum handlers), `mizan` (the demo on `mizan::serve`) and `mizan on axum::serve`
# (the same app on `axum::serve`, `MIZAN_BENCH_AXUM_SERVE=1`). Installs valgrind when missing.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null 2>&1; then
  echo "==> installing valgrind"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq valgrind
fi

echo "==> building the servers (release)"
cargo build --release --locked -p mizan-benches --bin load-server
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
server="$target_dir/release/load-server"
work="$(mktemp -d)"
trap 'pkill -f "callgrind-out-file=$work" 2>/dev/null || true; rm -rf "$work"' EXIT

# One sequential keep-alive client: `client.py <addr> <path> <count> <GET|POST>`; any answer but
# 200 stops the run, so a misrouted request cannot post a cheap figure.
cat > "$work/client.py" <<'PY'
import http.client, sys
addr, path, count, method = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
host, port = addr.rsplit(":", 1)
connection = http.client.HTTPConnection(host, int(port), timeout=120)
for _ in range(count):
    if method == "POST":
        connection.request("POST", path, body='{"text":"hello, world"}',
                           headers={"Content-Type": "application/json"})
    else:
        connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"{path} answered {response.status}: {body[:200]!r}")
PY

# total_instructions <label> <mode> <path> <method> <count> [env...]
total_instructions() {
  local label=$1 mode=$2 path=$3 method=$4 count=$5
  shift 5
  local out="$work/$label-$count.out" log="$work/$label-$count.log"
  env "$@" valgrind --tool=callgrind --callgrind-out-file="$out" "$server" "$mode" 127.0.0.1:0 \
    > "$log" 2>/dev/null &
  local pid=$!
  for _ in $(seq 600); do grep -q listening "$log" 2>/dev/null && break; sleep 0.2; done
  local addr
  addr="$(sed -n 's/listening on //p' "$log")"
  [ -n "$addr" ] || { echo "$label did not start" >&2; exit 1; }
  python3 "$work/client.py" "$addr" "$path" "$count" "$method"
  sleep 0.5
  pkill -TERM -f "callgrind-out-file=$out" || true
  wait "$pid" 2>/dev/null || true
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}

# per_request <label> <mode> <path> <method> [env...]
per_request() {
  local label=$1 mode=$2 path=$3 method=$4
  shift 4
  local low high
  low="$(total_instructions "$label" "$mode" "$path" "$method" 200 "$@")"
  high="$(total_instructions "$label" "$mode" "$path" "$method" 1200 "$@")"
  echo $(( (high - low) / 1000 ))
}

workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(echo greet)
greet_query='p=%7B%22name%22%3A%22Ada%22%7D'
echo
echo "| workload | bare axum | Mizan | Mizan on axum::serve | Mizan / bare |"
echo "|---|---:|---:|---:|---:|"
for workload in "${workloads[@]}"; do
  case "$workload" in
    echo)
      bare_path=/echo; mizan_path=/api/mizan/call/echo; method=POST ;;
    greet)
      bare_path='/greet?name=Ada'; mizan_path="/api/mizan/context/greet?$greet_query"; method=GET ;;
    *) echo "unknown workload $workload (echo, greet)" >&2; exit 1 ;;
  esac
  bare="$(per_request "bare-$workload" bare "$bare_path" "$method")"
  mizan="$(per_request "mizan-$workload" mizan "$mizan_path" "$method")"
  on_axum="$(per_request "axum-$workload" mizan "$mizan_path" "$method" MIZAN_BENCH_AXUM_SERVE=1)"
  ratio="$(python3 -c "print(f'{$mizan / $bare:.2f}x')")"
  echo "| $workload | $bare | $mizan | $on_axum | $ratio |"
done
