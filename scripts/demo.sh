#!/usr/bin/env bash
# Builds the demo web app and runs the demo server on 127.0.0.1:8000 (MIZAN_DEMO_ADDR to change), in
# development mode (`--dev`: the password-less demo sign-in is served).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build:demo
exec cargo run -p mizan-demo -- --dev
