//! MWT verification (§1.5.4) with the keyring of spec/vectors/mwt.json: arbitrary tokens, and
//! arbitrary payloads and segments behind a valid tag; whatever verifies is the token its claims
//! sign to.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mizan_fuzz::core_checks::mwt_verify(data);
});
