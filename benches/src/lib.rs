//! A small timing harness (runs a closure for a fixed time and reports throughput and latency),
//! and the servers and workloads of the load benchmark.

pub mod accounts;
pub mod cache;
pub mod servers;
pub mod workloads;

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The result of timing one operation.
#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    /// Operations per second.
    pub per_second: f64,
    /// Nanoseconds per operation.
    pub nanos: f64,
}

/// Runs `op` repeatedly for about `budget` after a short warm-up and reports the best of 5 rounds,
/// so a burst of noise from the other core does not decide the figure.
pub fn measure<T>(budget: Duration, mut op: impl FnMut() -> T) -> Measurement {
    let warm_up = Instant::now();
    let mut batch: u64 = 0;
    while warm_up.elapsed() < Duration::from_millis(50) {
        black_box(op());
        batch += 1;
    }
    let batch = (batch / 5).max(1);
    let round_budget = budget / 5;
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let mut count = 0u64;
        while start.elapsed() < round_budget {
            for _ in 0..batch {
                black_box(op());
            }
            count += batch;
        }
        let nanos = start.elapsed().as_nanos() as f64 / count as f64;
        best = best.min(nanos);
    }
    Measurement {
        per_second: 1e9 / best,
        nanos: best,
    }
}

/// Prints one row of a results table, with the ratio of its time to the baseline's.
pub fn report(name: &str, m: Measurement, baseline: Measurement) {
    println!(
        "{name:<44} {:>12.0} ops/s {:>9.1} ns/op {:>7.2}x baseline time",
        m.per_second,
        m.nanos,
        m.nanos / baseline.nanos
    );
}
