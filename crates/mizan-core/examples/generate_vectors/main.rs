//! Writes `spec/vectors/canonical.json`, `mwt.json`, `query.json`, `errors.json` and
//! `cache_tags.json`.
//!
//! Run once when the specification changes: `cargo run -p mizan-core --example generate_vectors`.
//! Every case states the outcome it is meant to show, and the generator refuses to write a file in
//! which the library disagrees, so a vector is never just whatever the code happened to do.

mod cache_tags;
mod canonical;
mod errors;
mod mwt;
mod query;

use std::path::Path;

use mizan_core::{RootSecret, hex};
use serde_json::Value;

pub(crate) const CACHE_SECRET: &str =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
pub(crate) const K1_SECRET: &str =
    "6d697a616e2074657374206b6579206f6e652c2033322062797465732121213f";
pub(crate) const K2_SECRET: &str =
    "6d697a616e2074657374206b65792074776f2c20333220627974657321212121";
pub(crate) const K3_SECRET: &str =
    "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f00";
pub(crate) const FOREIGN_SECRET: &str =
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
pub(crate) const ISSUER: &str = "https://mizan.test";
pub(crate) const AUDIENCE: &str = "mizan-demo";
pub(crate) const NOW: u64 = 1_800_000_000;

pub(crate) fn secret(hex_text: &str) -> RootSecret {
    RootSecret::new(hex::decode(hex_text).expect("hex")).expect("secret")
}

fn main() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors");
    std::fs::create_dir_all(&out).expect("create spec/vectors");
    write(&out.join("canonical.json"), &canonical::vectors());
    write(&out.join("mwt.json"), &mwt::vectors());
    write(&out.join("query.json"), &query::vectors());
    write(&out.join("errors.json"), &errors::vectors());
    write(&out.join("cache_tags.json"), &cache_tags::vectors());
}

fn write(path: &Path, value: &Value) {
    let mut text = serde_json::to_string_pretty(value).expect("serialize");
    text.push('\n');
    std::fs::write(path, text).expect("write vectors");
    println!("wrote {}", path.display());
}
