//! The checks behind Mizan's cargo-fuzz targets (`fuzz/fuzz_targets/`). Each target feeds its
//! input to one function here; the same files are compiled into the stable regression tests
//! (`crates/mizan-core/tests/fuzz_regressions.rs`, `crates/mizan/tests/fuzz_regressions.rs`), so
//! every case kept in `fuzz/regressions/` is checked by `cargo test --workspace`.

pub mod call_checks;
pub mod core_checks;

/// The parity registry: functions with one parameter or more of every constraint kind.
#[path = "../../crates/mizan/tests/parity/functions.rs"]
pub mod functions;
