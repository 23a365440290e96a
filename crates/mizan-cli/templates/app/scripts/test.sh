#!/usr/bin/env bash
# Every test of {{name}}: the server functions over HTTP, the web client up to date with them,
# and the web app type-checked and built.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Rust tests: every server function over HTTP"
cargo test

step "web client (web/src/mizan) generated from the current functions"
if [ -d web/src/mizan ]; then
  cargo run -q -- --mizan-check web/src/mizan
else
  # A new app has none yet: its first run writes it (commit it with the app).
  cargo run -q -- --mizan-generate web/src/mizan
fi

step "web app: type-check and build"
cd web
npm install --no-audit --no-fund --prefer-offline --loglevel=error
npm run typecheck
npm run build --silent

step "all tests passed"
