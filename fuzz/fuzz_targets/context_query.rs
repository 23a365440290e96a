//! The context query decoder (§2.3): whatever decodes re-encodes to the same string.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A query reaches the decoder as text (the server takes it from a `&str` URI).
    if let Ok(query) = std::str::from_utf8(data) {
        let _ = mizan_fuzz::core_checks::context_query(query);
    }
});
