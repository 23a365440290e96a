#!/usr/bin/env bash
# Regenerates the web client from the Rust functions, builds the web app, and serves {{name}} on
# http://127.0.0.1:3000 (ADDR=127.0.0.1:8080 changes the address).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo run -q -- --mizan-generate web/src/mizan
(
  cd web
  npm install --no-audit --no-fund --prefer-offline --loglevel=error
  npm run build --silent
)
exec cargo run -q
