//! Canonical JSON (§1.1): bytes → canonical bytes; no panic, idempotent, agrees with serde_json.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mizan_fuzz::core_checks::canonical(data);
});
