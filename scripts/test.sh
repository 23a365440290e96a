#!/usr/bin/env bash
# Every test Mizan has: formatting, lints, Rust tests, TypeScript typecheck and tests, the runtime's
# size budget, and the browser test of the demo. It installs what it needs on a fresh machine
# (npm packages, Debian's Chromium); `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "scripts/test.sh: '$1' is required but not installed" >&2; exit 1; }
}
need cargo
need node
need npm
need python3

step "npm packages"
npm ci --no-audit --no-fund

step "Chromium (Debian's package, for the browser test)"
if [ ! -x /usr/bin/chromium ]; then
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium
fi
/usr/bin/chromium --version

step "PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (the accounts and Redis layer tests run on them)"
bash scripts/services.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (-D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc (-D warnings: broken links and bad doc HTML fail)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "Rust tests"
# cargo-nextest runs the test binaries side by side (the trybuild UI test alone compiles for
# minutes, and the socket and Redis suites mostly wait), then the doctests, which nextest does not
# run; plain `cargo test` where nextest is not installed.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast --final-status-level slow
  cargo test --workspace --locked --doc
else
  cargo test --workspace --locked
fi

step "TypeScript typecheck (packages, generated client, demo web app)"
npm run typecheck

step "guide: every code block of docs/guide and README.md checked; TypeScript snippets type-checked (the Rust ones are doctests of mizan-guide-check, run with the Rust tests)"
node --test docs/guide-check/
node docs/guide-check/check-snippets.mjs

step "TypeScript tests"
npm test

step "mizan-react size budget"
npm run size -w packages/mizan-react

step "npm packages: mizan-ts and mizan-react packed, installed in a fresh app, type-checked"
bash scripts/test-packages.sh

step "Rust crates: packaged as crates.io gets them (scripts/publish-check.sh builds them too)"
cargo publish --workspace --dry-run --no-verify --locked --allow-dirty --quiet

step "mizan new: a new application scaffolded from this checkout passes its own tests"
bash scripts/test-scaffold.sh

step "browser test: the demo server and web app in headless Chromium"
cargo build --locked -p mizan-demo
npm run build:demo
npm run test:e2e

step "mizan-edge in front of the demo server (in Node and in workerd)"
npm run test:demo -w packages/mizan-edge

step "spec conformance: a client written from spec/PROTOCOL.md alone, against the demo"
python3 spec/conformance/check.py --spawn --quiet

step "all tests passed"
