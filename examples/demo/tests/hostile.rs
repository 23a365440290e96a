//! The hostile-input corpus (issue 8): every case of `tests/hostile/*.json` is sent over its own
//! TCP connection to the real demo binary, and its answer is held to what `spec/PROTOCOL.md`
//! documents: the status, the error `code`, `details` and `fields`, and the error shape of §2.6
//! (`Content-Type: application/json`, `Cache-Control: no-store`, `X-Content-Type-Options:
//! nosniff`, a body of exactly `code`, `message`, `status` and the optional members the case
//! names). Requests the HTTP layer rejects itself are held to exactly what it does (a status with
//! an empty body, or a closed connection). Slow and unfinished requests run against the demo's
//! short timeouts and must end within their bound. After the corpus the process must be alive and
//! answer, and its resident memory must have stayed within a bound.
//!
//! The corpus is data: `tests/hostile/README.md` describes the format, so a new surface adds a
//! file, not code.

// The runner's parts, next to the corpus. A test crate's root resolves `mod x;` to `tests/x.rs`
// (where the other test crates are), so each names its file.
#[path = "hostile/case.rs"]
mod case;
#[path = "hostile/check.rs"]
mod check;
mod common;
#[path = "hostile/corpus.rs"]
mod corpus;
#[path = "hostile/demo.rs"]
mod demo;
#[path = "hostile/macros.rs"]
mod macros;
#[path = "hostile/tokens.rs"]
mod tokens;
#[path = "hostile/wire.rs"]
mod wire;
#[path = "hostile/ws_runner.rs"]
mod ws_runner;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use check::check_response;
use common::rss_kib;
use corpus::{Case, Corpus, Expect, Phase};
use demo::Demo;
use wire::{Response, exchange, parse_responses, preview};

/// Cases run this many at a time (each on its own connection).
const GROUP: usize = 8;
/// No case may take longer than this, whatever it sends.
const CASE_TIMEOUT: Duration = Duration::from_secs(10);
/// The whole corpus must finish within this.
const CORPUS_TIMEOUT: Duration = Duration::from_secs(50);

/// The resident-memory bound, over the idle level, while the corpus runs. The demo buffers at
/// most 4 MiB of request bodies at once (`--body-budget`), each at most 1 MiB (the body limit);
/// a body parses into a few times its size of JSON values while it is checked; at most `GROUP`
/// cases run at once and the large ones run alone; hyper holds at most ~400 KiB of head per
/// connection, and the demo at most 64 connections. Measured in a debug build: +33 MiB at the
/// peak. The same corpus against a budget of 1 GiB (as before issue 8) peaks at +95 MiB, mostly
/// the 60 connections of the abuse case, so 64 MiB is a bound the budget keeps and its
/// absence breaks.
const RSS_PEAK_OVER_IDLE_KIB: u64 = 64 * 1024;
/// After each pass of the corpus, with its connections closed, the process may stay at most this
/// much above its idle level: the corpus run twice must not leave more behind than once does at
/// its peak. glibc's allocator keeps what the corpus's many mid-sized allocations freed in its
/// per-thread arenas rather than give it back, so "after" stays near the peak (+19 to +39 MiB
/// measured, varying from run to run); without the budget it is +38 to +49 MiB after one pass and
/// grows with every pass. (Returning memory after a burst is `tests/memory.rs`'s subject.)
const RSS_AFTER_OVER_IDLE_KIB: u64 = 64 * 1024;

type Failures = Vec<String>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_survives_the_hostile_corpus() {
    let started = Instant::now();
    // The demo first: the corpus's cookies name sessions in its database.
    let demo = Demo::spawn().await;
    let corpus = Corpus::load(&demo.sessions);
    let outcome = tokio::time::timeout(CORPUS_TIMEOUT, run(&corpus, &demo)).await;
    let Ok(failures) = outcome else {
        panic!("the corpus did not finish within {CORPUS_TIMEOUT:?}");
    };
    println!(
        "hostile corpus: {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} hostile case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The channel cases (`hostile/channels/*.json`) on a demo of their own: every socket gets the
/// frame or close code the spec documents, a bystander keeps receiving, and the demo answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_survive_the_hostile_corpus() {
    let demo = Demo::spawn().await;
    let failures = tokio::time::timeout(CORPUS_TIMEOUT, ws_runner::run(&demo))
        .await
        .unwrap_or_else(|_| panic!("the channel cases did not finish within {CORPUS_TIMEOUT:?}"));
    assert!(demo.alive_and_answering().await, "the demo does not answer");
    assert!(
        failures.is_empty(),
        "{} hostile channel case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn run(corpus: &Corpus, demo: &Demo) -> Failures {
    let mut failures = Failures::new();
    let mut by_surface: BTreeMap<&str, usize> = BTreeMap::new();
    let mut sent = 0;
    for case in &corpus.cases {
        *by_surface.entry(case.surface.as_str()).or_default() += 1;
        sent += case.bytes_sent();
    }
    assert!(
        corpus.cases.len() >= 300 || std::env::var_os("MIZAN_HOSTILE_ONLY").is_some(),
        "the corpus has {} cases, fewer than 300",
        corpus.cases.len()
    );

    // Warm up (the first answers allocate what the server keeps, the password hasher's memory
    // included: 19 MiB per core, kept for the next hash), then measure the idle level.
    for _ in 0..3 {
        assert!(demo.alive_and_answering().await, "the demo does not answer");
        demo.warm_the_password_hasher(4).await;
    }
    let idle = demo.rss_kib();
    let peak = Arc::new(AtomicU64::new(idle));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, pid) = (Arc::clone(&peak), Arc::clone(&sampling), demo.pid);
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };

    // Twice: the second pass must stay within the same bounds (a leak, or a buffer that grows
    // with the traffic, would not).
    let mut after = Vec::new();
    for pass in 1..=2 {
        let pass_failures = run_pass(corpus, demo).await;
        let exited = !demo.is_running();
        failures.extend(pass_failures.into_iter().map(|f| {
            if pass == 1 {
                f
            } else {
                format!("(pass 2) {f}")
            }
        }));
        if exited {
            return failures;
        }
        // The process is alive and serves; its memory is measured once the connections closed.
        if !demo.alive_and_answering().await {
            failures.push(format!(
                "after pass {pass}, the demo no longer answers an echo call"
            ));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        after.push(demo.rss_kib());
    }
    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    let peak = peak.load(Ordering::Relaxed);
    let (after1, after2) = (after[0], after[1]);
    println!(
        "hostile corpus: {} cases ({}), {:.1} MiB sent per pass, twice; RSS idle {idle} KiB, peak {peak} KiB, after pass 1 {after1} KiB, after pass 2 {after2} KiB",
        corpus.cases.len(),
        by_surface
            .iter()
            .map(|(surface, n)| format!("{surface} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        sent as f64 / f64::from(1 << 20),
    );
    if peak > idle + RSS_PEAK_OVER_IDLE_KIB {
        failures.push(format!(
            "RSS peaked at {peak} KiB, over the idle {idle} KiB + {RSS_PEAK_OVER_IDLE_KIB} KiB"
        ));
    }
    for (pass, after) in [(1, after1), (2, after2)] {
        if after > idle + RSS_AFTER_OVER_IDLE_KIB {
            failures.push(format!(
                "RSS stayed at {after} KiB after pass {pass}, over the idle {idle} KiB + {RSS_AFTER_OVER_IDLE_KIB} KiB"
            ));
        }
    }
    failures
}

/// One pass of the corpus: the concurrent cases 8 at a time, then the large ones alone, then the
/// slow ones all at once.
async fn run_pass(corpus: &Corpus, demo: &Demo) -> Failures {
    let mut failures = Failures::new();
    let phase_started = Instant::now();
    let (mut concurrent, mut alone, mut slow) = (Vec::new(), Vec::new(), Vec::new());
    for case in &corpus.cases {
        match case.phase() {
            Phase::Concurrent => concurrent.push(case),
            Phase::Alone => alone.push(case),
            Phase::Slow => slow.push(case),
        }
    }
    for group in concurrent.chunks(GROUP) {
        failures.extend(run_group(demo, group).await);
        if !demo.is_running() {
            failures.push(format!(
                "the demo exited during the group starting at {:?}",
                group[0].name
            ));
            return failures;
        }
    }
    println!(
        "  {} concurrent cases: {:.1} s",
        concurrent.len(),
        phase_started.elapsed().as_secs_f64()
    );
    let phase_started = Instant::now();
    for case in &alone {
        failures.extend(run_group(demo, std::slice::from_ref(case)).await);
    }
    println!(
        "  {} cases alone (large bodies, held connections): {:.1} s",
        alone.len(),
        phase_started.elapsed().as_secs_f64()
    );
    let phase_started = Instant::now();
    // Slow cases wait on the server's timers, not on its CPU: all at once.
    failures.extend(run_group(demo, &slow).await);
    println!(
        "  {} slow and unfinished cases, at once: {:.1} s",
        slow.len(),
        phase_started.elapsed().as_secs_f64()
    );
    if !demo.is_running() {
        failures.push("the demo exited during the corpus".to_owned());
    }
    failures
}

async fn run_group(demo: &Demo, group: &[&Case]) -> Failures {
    let mut tasks = tokio::task::JoinSet::new();
    for case in group {
        let case = (*case).clone();
        let addr = demo.addr.clone();
        tasks.spawn(async move {
            match tokio::time::timeout(CASE_TIMEOUT, case.run(&addr)).await {
                Ok(failures) => failures,
                Err(_) => vec![format!("{}: no outcome within {CASE_TIMEOUT:?}", case.name)],
            }
        });
    }
    let mut failures = Failures::new();
    while let Some(result) = tasks.join_next().await {
        failures.extend(result.unwrap());
    }
    failures
}

// Running one case: its held connections, its exchange, and its outcome held to its expectation.
impl Case {
    async fn run(&self, addr: &str) -> Failures {
        let mut holds = Vec::new();
        for raw in &self.holds {
            match TcpStream::connect(addr).await {
                Ok(mut stream) => {
                    // The server may refuse it (and close) before it read everything.
                    let _ = stream.write_all(raw).await;
                    holds.push(stream);
                }
                Err(e) => return vec![format!("{}: cannot hold a connection: {e}", self.name)],
            }
        }
        // Let the server read the held requests' heads before the case's request arrives.
        if !holds.is_empty() {
            tokio::time::sleep(self.after).await;
        }
        let result = exchange(addr, &self.steps).await;
        // End the held requests and wait until the server closed them, so what they held (body
        // budget, connections) is given back before the next case.
        for mut stream in holds {
            let _ = stream.shutdown().await;
            let mut sink = Vec::new();
            let _ =
                tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut sink)).await;
        }
        let (bytes, elapsed) = match result {
            Ok(answer) => answer,
            Err(e) => return vec![format!("{}: {e}", self.name)],
        };
        let mut failures = Failures::new();
        let mut fail = |message: String| failures.push(format!("{}: {message}", self.name));
        let within = match &self.expect {
            Expect::Closed { within_ms } | Expect::Responses { within_ms, .. } => *within_ms,
        };
        if let Some((min, max)) = within {
            let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
            if ms < min || ms > max {
                fail(format!(
                    "the outcome came after {ms} ms, outside [{min}, {max}] ms"
                ));
            }
        }
        match &self.expect {
            Expect::Closed { .. } => {
                if !bytes.is_empty() {
                    fail(format!(
                        "expected the connection to close without an answer, got {:?}",
                        preview(&bytes)
                    ));
                }
            }
            Expect::Responses { responses, .. } => match parse_responses(&bytes, self.head_request)
            {
                Err(e) => fail(format!("{e}; received {:?}", preview(&bytes))),
                Ok(got) => {
                    let finals: Vec<&Response> = got.iter().filter(|r| r.status >= 200).collect();
                    let informational: Vec<u16> = got
                        .iter()
                        .filter(|r| r.status < 200)
                        .map(|r| r.status)
                        .collect();
                    if finals.len() != responses.len() {
                        fail(format!(
                            "expected {} answer(s), got {}: {:?}",
                            responses.len(),
                            finals.len(),
                            preview(&bytes)
                        ));
                    } else {
                        for (i, (expect, response)) in responses.iter().zip(&finals).enumerate() {
                            let label = if responses.len() > 1 {
                                format!("answer {i}: ")
                            } else {
                                String::new()
                            };
                            let wanted: Vec<u16> = expect
                                .get("informational")
                                .and_then(Value::as_array)
                                .map(|list| {
                                    list.iter()
                                        .filter_map(Value::as_u64)
                                        .filter_map(|v| u16::try_from(v).ok())
                                        .collect()
                                })
                                .unwrap_or_default();
                            if i == 0 && informational != wanted {
                                fail(format!(
                                    "{label}interim answers {informational:?}, expected {wanted:?}"
                                ));
                            }
                            for problem in check_response(expect, response, self.head_request) {
                                fail(format!("{label}{problem}"));
                            }
                        }
                    }
                }
            },
        }
        failures
    }
}
