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

    let keyring = Keyring::single("k1", secret.clone()).expect("kid");
    let claims =
        Claims::new("mizan", "web", 1_800_000_000, 1_800_003_600, pk.clone()).with_subject("42");
    let token = keyring.sign(&claims).expect("sign");
    let validation = Validation::new("mizan", "web");
    // `-- <sign|verify|cache-key> <count>`: exactly `count` operations, for instruction counts
    // under `valgrind --tool=callgrind`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let [op, count] = args.as_slice() {
        let count: u64 = count.parse().expect("a count");
        for _ in 0..count {
            match op.as_str() {
                "sign" => drop(black_box(keyring.sign(black_box(&claims)))),
                "verify" => drop(black_box(keyring.verify_at(
                    black_box(&token),
                    &validation,
                    1_800_000_100,
                ))),
                "cache-key" => drop(black_box(deriver.derive(
                    "greet",
                    black_box(&params),
                    &pk,
                    3,
                ))),
                _ => panic!("sign, verify or cache-key"),
            }
        }
        return;
    }

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

    let sign = measure(budget, || keyring.sign(black_box(&claims)));
    report("MWT sign", sign, baseline);
    let verify = measure(budget, || {
        keyring.verify_at(black_box(&token), &validation, 1_800_000_100)
    });
    report("MWT verify", verify, baseline);

    println!();
    let ratio = |m: mizan_benches::Measurement| m.nanos / baseline.nanos;
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "targets (time vs the HMAC baseline): MWT verify <= 6x: {:.2}x ({}); MWT sign <= 5x: {:.2}x ({}); cache key <= 3x: {:.2}x ({})",
        ratio(verify),
        verdict(ratio(verify) <= 6.0),
        ratio(sign),
        verdict(ratio(sign) <= 5.0),
        ratio(derive),
        verdict(ratio(derive) <= 3.0),
    );
    println!(
        "targets: cache keys >= 1,000,000/s per core: {:.2}M/s ({}); MWT verify < 2 us: {:.2} us ({})",
        derive.per_second / 1e6,
        verdict(derive.per_second >= 1e6),
        verify.nanos / 1e3,
        verdict(verify.nanos < 2000.0),
    );
}
