#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time, one after the other, and prints the
# executions, executions per second and findings of each (fuzz/README.md).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 s, every target
#
# Needs a nightly toolchain (`rustup toolchain install nightly`); installs cargo-fuzz if missing.
# Seeds come from the spec's vectors (scripts/fuzz-seeds.py, into fuzz/corpus/, not committed);
# the cases in fuzz/regressions/<target>/ are replayed first. A crash leaves its input in
# fuzz/artifacts/<target>/ and makes the script exit 1 after the remaining targets ran: minimize
# it (`cargo +nightly fuzz tmin <target> <file>`), fix it, and copy it to fuzz/regressions/<target>/
# so that `cargo test --workspace` checks it from then on.
# Everything runs under `nice -n 19`. Set CARGO_TARGET_DIR to build elsewhere than fuzz/target.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
all=(canonical mwt_verify mwt_roundtrip context_query call_body)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "scripts/fuzz.sh: a nightly toolchain is required: rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  nice -n 19 cargo install cargo-fuzz --locked
fi

echo "==> seeds"
python3 scripts/fuzz-seeds.py fuzz/corpus

echo "==> build (release, debug assertions on)"
nice -n 19 cargo +nightly fuzz build --debug-assertions

logs="fuzz/logs"
mkdir -p "$logs"
summary=()
failed=0
for target in "${targets[@]}"; do
  echo "==> $target for ${seconds}s"
  mkdir -p "fuzz/corpus/$target" "fuzz/regressions/$target"
  log="$logs/$target.log"
  status=0
  # -timeout: one input taking over 10 s is a finding; -rss_limit_mb bounds memory.
  nice -n 19 cargo +nightly fuzz run --debug-assertions "$target" \
    "fuzz/corpus/$target" "fuzz/regressions/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*')
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    finding="none"
  else
    failed=1
    finding="CRASH (exit $status): $(grep -o 'Test unit written to .*' "$log" | tail -n 1)"
    grep -m 3 -E "panicked at|ERROR: libFuzzer" "$log" || true
  fi
  line=$(printf '%-14s %12s execs %8s exec/s  cov %6s  corpus %6s  findings: %s' \
    "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corpus" "$finding")
  echo "$line"
  summary+=("$line")
done

echo
echo "==> summary (${seconds}s per target; logs in $logs/)"
printf '%s\n' "${summary[@]}"
exit "$failed"
