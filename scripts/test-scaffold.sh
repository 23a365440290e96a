#!/usr/bin/env bash
# `mizan new` end to end: scaffolds an application from this checkout into a temporary folder
# (crates by path, npm packages packed from packages/), then runs the application's own test
# command, as a new user would. The application builds in this workspace's target folder with a
# copy of its Cargo.lock, so the dependencies compiled for the workspace are reused, not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

cargo run -q --locked -p mizan-cli -- new scaffold-check --dir "$work"
app="$work/scaffold-check"
cp Cargo.lock "$app/Cargo.lock"
cd "$app"

bash scripts/test.sh

# The templates are written as rustfmt writes them, whatever the application's name.
cargo fmt --check

# The generated client is checked, not only written: a stale one fails the check.
cargo run -q -- --mizan-check web/src/mizan
echo "// edited by hand" >>web/src/mizan/hooks.ts
if cargo run -q -- --mizan-check web/src/mizan 2>/dev/null; then
  echo "test-scaffold: --mizan-check accepted an edited client" >&2
  exit 1
fi

# The packed packages give one copy of TanStack Query's core in the application.
copies=$(find web/node_modules -path '*node_modules/@tanstack/query-core/package.json' | wc -l)
[ "$copies" -eq 1 ] || { echo "test-scaffold: $copies copies of @tanstack/query-core" >&2; exit 1; }
echo "scaffold: a new application built and passed its own tests"
