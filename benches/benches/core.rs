//! Layer 1 throughput: cache-key derivation and MWT sign/verify, against raw HMAC-SHA256 over
//! the same bytes measured in the same run.
//!
//! `cargo bench -p mizan-benches --bench core`

use std::hint::black_box;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use mizan_benches::{measure, report};
use mizan_core::cache_key::cache_key_input;
use mizan_core::mwt::{Claims, Keyring, Validation};
use mizan_core::{CacheKeyDeriver, KeyPurpose, PermissionKeyDeriver, PermissionScope, RootSecret};
use serde_json::json;
use sha2::Sha256;

fn main() {
    let budget = Duration::from_millis(
        std::env::var("BENCH_MILLIS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000),
    );
    let secret = RootSecret::new([7u8; 32]).expect("32 bytes");
    let deriver = CacheKeyDeriver::new(&secret);
    let pk = PermissionKeyDeriver::new(&secret)
        .permission_key(PermissionScope::User("42"))
        .expect("valid id");
    let params = json!({"name": "Ada Lovelace", "page": 2, "tags": ["math", "engines"]});
    let params_len = mizan_core::canonical::to_vec(&params)
        .expect("canonical")
        .len();

    let mut input = Vec::new();
    cache_key_input(&mut input, "greet", &params, &pk, 3).expect("valid input");
    let keyed = Hmac::<Sha256>::new_from_slice(&secret.derive(KeyPurpose::Cache)).expect("key");

    println!(
        "Layer 1 (Rust), params {params_len} bytes canonical, cache-key input {} bytes",
        input.len()
    );
    let baseline = measure(budget, || {
        let mut mac = keyed.clone();
        mac.update(black_box(&input));
        mac.finalize().into_bytes()
    });
    report(
        "baseline: HMAC-SHA256 of the same input",
        baseline,
        baseline,
    );
    let derive = measure(budget, || {
        deriver.derive("greet", black_box(&params), &pk, 3)
    });
    report("cache key (canonicalize + HMAC)", derive, baseline);

    let keyring = Keyring::single("k1", secret).expect("kid");
    let claims = Claims::new("mizan", "web", 1_800_000_000, 1_800_003_600, pk).with_subject("42");
    let token = keyring.sign(&claims).expect("sign");
    let validation = Validation::new("mizan", "web");
    let sign = measure(budget, || keyring.sign(black_box(&claims)));
    report("MWT sign", sign, baseline);
    let verify = measure(budget, || {
        keyring.verify_at(black_box(&token), &validation, 1_800_000_100)
    });
    report("MWT verify", verify, baseline);

    println!();
    println!(
        "targets: cache keys >= 1,000,000/s per core: {:.2}M/s ({}); MWT verify < 2 us: {:.2} us ({})",
        derive.per_second / 1e6,
        if derive.per_second >= 1e6 {
            "met"
        } else {
            "MISSED"
        },
        verify.nanos / 1e3,
        if verify.nanos < 2000.0 {
            "met"
        } else {
            "MISSED"
        },
    );
}
