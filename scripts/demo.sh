#!/usr/bin/env bash
# Builds the demo web app and runs the demo server on 127.0.0.1:8000 (MIZAN_DEMO_ADDR to change), in
# development mode (`--dev`: the password-less demo sign-in is served). No database to set up: users
# and sessions live in mizan-demo.sqlite3, created here (the repository's root) on first start;
# MIZAN_DATABASE_URL=postgres://user@host:port/db uses PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build:demo
exec cargo run -p mizan-demo -- --dev
