#!/usr/bin/env bash
# Packs mizan-ts and mizan-react as `npm publish` would (each `prepack` builds its dist/) into the
# folder given as the only argument, and prints the two tarballs' paths. `mizan new` and
# scripts/test-packages.sh use exactly these tarballs.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 <out-dir>" >&2; exit 2; }
out=$1
cd "$(dirname "$0")/../.."
[ -d node_modules/typescript ] || npm ci --no-audit --no-fund --loglevel=error >&2
mkdir -p "$out"
out=$(cd "$out" && pwd)
for package in mizan-ts mizan-react; do
  # npm does not follow symlinks into a tarball, so each package keeps copies: they must not drift.
  for license in LICENSE-MIT LICENSE-APACHE; do
    cmp -s "$license" "packages/$package/$license" \
      || { echo "packages/$package/$license differs from $license at the root" >&2; exit 1; }
  done
  npm pack --silent --pack-destination "$out" -w "packages/$package" >/dev/null
done
ls "$out"/mizan-ts-*.tgz "$out"/mizan-react-*.tgz
