//! MWT sign → verify (§1.5.1, §1.5.4) of claims built from the input: the token round-trips or
//! fails with the time check the spec names, and no one-byte change of it verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mizan_fuzz::core_checks::mwt_roundtrip(data);
});
