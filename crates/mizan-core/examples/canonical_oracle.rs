//! The Rust canonical JSON parser as a line-oriented oracle, for the property test that compares
//! `mizan-ts` with it (`packages/mizan-ts/test/oracle.test.ts`).
//!
//! Reads lines of lowercase hex (the input bytes; an empty line is the empty input) on stdin and
//! writes one line per input: `ok <hex of the canonical bytes>` or `err <Layer 1 error code>`.
//!
//! ```sh
//! printf '7b2262223a312c2261223a327d\n5b312e355d\n' | cargo run -q -p mizan-core --example canonical_oracle
//! # ok 7b2261223a322c2262223a317d
//! # err float_not_allowed
//! ```

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use mizan_core::{canonical, hex};

fn main() -> ExitCode {
    let stdin = io::stdin().lock();
    let mut out = BufWriter::new(io::stdout().lock());
    for (number, line) in stdin.lines().enumerate() {
        let result = line.map_err(|e| e.to_string()).and_then(|line| {
            let bytes = hex::decode(line.trim_end())
                .ok_or_else(|| format!("line {}: not hex", number + 1))?;
            let answer = match canonical::from_slice(&bytes) {
                Ok(canonical) => format!("ok {}", hex::encode(&canonical)),
                Err(error) => format!("err {}", error.code().as_str()),
            };
            writeln!(out, "{answer}").map_err(|e| e.to_string())
        });
        if let Err(message) = result {
            eprintln!("canonical_oracle: {message}");
            return ExitCode::FAILURE;
        }
    }
    match out.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("canonical_oracle: {error}");
            ExitCode::FAILURE
        }
    }
}
