#!/usr/bin/env bash
# Every test Mizan has: formatting, lints, Rust tests, TypeScript typecheck and tests.
# It installs what it needs on a fresh machine (npm packages); `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "scripts/test.sh: '$1' is required but not installed" >&2; exit 1; }
}
need cargo
need node
need npm

step "npm packages"
npm ci --no-audit --no-fund

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (-D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests"
cargo test --workspace --locked

step "TypeScript typecheck"
npm run typecheck

step "TypeScript tests"
npm test

step "all tests passed"
