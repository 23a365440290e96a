//! The call body path (§2.2, §2.4): fuzz bytes POSTed to the real router serving the parity
//! registry; never a 5xx, every error in the shape of §2.6.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mizan_fuzz::call_checks::Harness;

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness::new(mizan_fuzz::functions::registry()))
}

fuzz_target!(|data: &[u8]| {
    harness().check(data);
});
