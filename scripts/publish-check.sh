#!/usr/bin/env bash
# Every publishable crate as crates.io would get it: packaged (metadata, README, licenses, only
# files inside the crate), then each package built on its own from its .crate file, the crates
# of this workspace resolved from the other packages (cargo's local overlay), not from their
# folders. `publish = false` packages (the demo, the benchmarks) are skipped.
#
# The test command (scripts/test.sh) runs the same without building the packages (seconds); this
# build takes minutes on two cores, so it is a separate command: run it before a release and
# after changing a Cargo.toml, a build script or an include_str!.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo publish --workspace --dry-run --locked --allow-dirty "$@"
