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

use std::collections::{BTreeMap, HashSet};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use mizan::core::{KeyPurpose, ProtocolErrorCode, RootSecret, base64url, canonical, hex};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;

/// The root secret the demo runs with here (`MIZAN_SECRET`), so the corpus can sign tokens.
const TEST_SECRET: &[u8; 32] = b"hostile corpus secret, test only";
/// A secret the demo does not know: tokens signed with it have a bad signature.
const OTHER_SECRET: &[u8; 32] = b"another secret, not the demo's!!";

/// The demo's serve options for this run: timeouts short enough that every slow case ends in a
/// few seconds, and a body budget and a connection limit small enough to reach with a handful of
/// connections (no phase of the corpus otherwise holds more than 64 connections at once).
const DEMO_FLAGS: &[&str] = &[
    "--header-timeout-ms",
    "500",
    "--idle-timeout-ms",
    "500",
    "--body-grace-ms",
    "1000",
    "--body-min-rate",
    "1000",
    "--body-budget",
    "4194304",
    "--max-connections",
    "64",
];

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
    let corpus = Corpus::load();
    let demo = Demo::spawn().await;
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

    // Warm up (the first answers allocate what the server keeps), then measure the idle level.
    for _ in 0..3 {
        assert!(demo.alive_and_answering().await, "the demo does not answer");
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

// ----------------------------------------------------------------------------------------------
// The demo process

struct Demo {
    child: std::sync::Mutex<tokio::process::Child>,
    pid: u32,
    addr: String,
}

impl Demo {
    async fn spawn() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mizan-demo"))
            .args(DEMO_FLAGS)
            .env("MIZAN_DEMO_ADDR", "127.0.0.1:0")
            .env("MIZAN_SECRET", hex::encode(TEST_SECRET))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("the demo prints its address within 30 s")
                .unwrap()
                .expect("the demo prints `listening on http://ADDR`");
            if let Some((_, addr)) = line.split_once("listening on http://") {
                break addr.trim().to_owned();
            }
        };
        // Keep reading what it prints, so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child: std::sync::Mutex::new(child),
            pid,
            addr,
        }
    }

    fn is_running(&self) -> bool {
        matches!(self.child.lock().unwrap().try_wait(), Ok(None))
    }

    async fn alive_and_answering(&self) -> bool {
        if !self.is_running() {
            return false;
        }
        let raw = "POST /api/mizan/call/echo HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"text\":\"hi\"}";
        let Ok(Ok((bytes, _))) = tokio::time::timeout(
            Duration::from_secs(5),
            exchange(&self.addr, &[Step::Send(raw.as_bytes().to_vec())]),
        )
        .await
        else {
            return false;
        };
        match parse_responses(&bytes, false) {
            Ok(responses) => {
                responses.len() == 1
                    && responses[0].status == 200
                    && serde_json::from_slice::<Value>(&responses[0].body)
                        .is_ok_and(|v| v["message"] == "hi")
            }
            Err(_) => false,
        }
    }

    fn rss_kib(&self) -> u64 {
        rss_kib(self.pid)
    }
}

/// `VmRSS` of a process, in KiB (0 once it is gone).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmRSS:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

// ----------------------------------------------------------------------------------------------
// The corpus

struct Corpus {
    cases: Vec<Case>,
}

/// Context shared by every case: tokens and schema hashes, named in the corpus as
/// `{{token:NAME}}` and `{{schema:FN}}`.
#[derive(Default)]
struct Names {
    tokens: BTreeMap<String, String>,
    schemas: BTreeMap<String, String>,
}

#[derive(Clone)]
struct Case {
    name: String,
    surface: String,
    steps: Vec<Step>,
    /// Connections opened (and left unfinished) before the case's request, closed after it.
    holds: Vec<Vec<u8>>,
    /// How long to wait after opening the held connections.
    after: Duration,
    head_request: bool,
    alone: bool,
    expect: Expect,
}

#[derive(Clone)]
enum Step {
    Send(Vec<u8>),
    Sleep(Duration),
    /// Closes the client's write half: the server reads the end of the stream.
    Shutdown,
}

#[derive(Clone)]
enum Expect {
    /// The connection is closed (or reset) without a byte of answer.
    Closed { within_ms: Option<(u64, u64)> },
    /// Answers, in order (more than one for pipelined requests), then the connection closes.
    Responses {
        responses: Vec<Value>,
        within_ms: Option<(u64, u64)>,
    },
}

#[derive(PartialEq, Eq)]
enum Phase {
    Concurrent,
    Alone,
    Slow,
}

impl Case {
    /// The bytes the case sends, on its connection and the ones it holds.
    fn bytes_sent(&self) -> usize {
        let steps: usize = self
            .steps
            .iter()
            .map(|step| match step {
                Step::Send(bytes) => bytes.len(),
                Step::Sleep(_) | Step::Shutdown => 0,
            })
            .sum();
        steps + self.holds.iter().map(Vec::len).sum::<usize>()
    }

    fn phase(&self) -> Phase {
        let timed = match &self.expect {
            Expect::Closed { within_ms } | Expect::Responses { within_ms, .. } => {
                within_ms.is_some()
            }
        };
        if self.alone || !self.holds.is_empty() {
            Phase::Alone
        } else if timed || self.steps.iter().any(|s| matches!(s, Step::Sleep(_))) {
            Phase::Slow
        } else {
            Phase::Concurrent
        }
    }

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

impl Corpus {
    fn load() -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let documents: Vec<(String, Value)> = files
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).unwrap();
                let value: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                (path.display().to_string(), value)
            })
            .collect();

        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut names = Names::default();
        for (file, document) in &documents {
            for (name, recipe) in document
                .get("tokens")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let token = make_token(recipe, now)
                    .unwrap_or_else(|e| panic!("{file}: token {name:?}: {e}"));
                assert!(
                    names.tokens.insert(name.clone(), token).is_none(),
                    "{file}: token {name:?} is defined twice"
                );
            }
        }
        // Schema hashes as the demo publishes them (the manifest is the registry's).
        let registry = mizan_demo::functions::registry().unwrap();
        for function in registry.manifest().functions {
            names
                .schemas
                .insert(function.name.clone(), function.schema_hash.clone());
        }

        // `MIZAN_HOSTILE_ONLY=<text>` runs only the cases whose name contains it (while working on
        // a surface); the whole corpus runs otherwise.
        let only = std::env::var("MIZAN_HOSTILE_ONLY").ok();
        let mut cases = Vec::new();
        let mut seen = HashSet::new();
        for (file, document) in &documents {
            let surface = document["surface"]
                .as_str()
                .unwrap_or_else(|| panic!("{file}: no \"surface\""))
                .to_owned();
            for entry in document["cases"]
                .as_array()
                .unwrap_or_else(|| panic!("{file}: no \"cases\""))
            {
                for (name, case) in expand_each(entry) {
                    let built = build_case(&case, &surface, &names)
                        .unwrap_or_else(|e| panic!("{file}: case {name:?}: {e}"));
                    assert!(
                        seen.insert(built.name.clone()),
                        "{file}: two cases are named {:?}",
                        built.name
                    );
                    if only
                        .as_ref()
                        .is_none_or(|text| built.name.contains(text.as_str()))
                    {
                        cases.push(built);
                    }
                }
            }
        }
        Self { cases }
    }
}

/// A case with `each` stands for one case per element: its variables (`{{name}}`) are replaced
/// in every string of the case (a string that is exactly `{{name}}` takes the variable's value,
/// whatever its type).
fn expand_each(entry: &Value) -> Vec<(String, Value)> {
    let name = entry["name"].as_str().unwrap_or("<unnamed>").to_owned();
    let Some(each) = entry.get("each") else {
        return vec![(name, entry.clone())];
    };
    let mut template = entry.clone();
    template.as_object_mut().unwrap().remove("each");
    each.as_array()
        .unwrap_or_else(|| panic!("case {name:?}: \"each\" must be an array"))
        .iter()
        .enumerate()
        .map(|(i, vars)| {
            let vars = vars
                .as_object()
                .unwrap_or_else(|| panic!("case {name:?}: each element must be an object"));
            let mut case = substitute(&template, vars);
            let case_name = case["name"].as_str().unwrap_or("<unnamed>").to_owned();
            if case_name == name {
                case["name"] = Value::String(format!("{name} #{i}"));
            }
            (case["name"].as_str().unwrap().to_owned(), case)
        })
        .collect()
}

fn substitute(value: &Value, vars: &Map<String, Value>) -> Value {
    match value {
        Value::String(s) => {
            if let Some(var) = s
                .strip_prefix("{{")
                .and_then(|rest| rest.strip_suffix("}}"))
                .and_then(|name| vars.get(name))
            {
                return var.clone();
            }
            let mut out = s.clone();
            for (name, var) in vars {
                let text = match var {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("{{{{{name}}}}}"), &text);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, vars)).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), substitute(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

const CASE_MEMBERS: &[&str] = &[
    "name",
    "about",
    "spec",
    "method",
    "path",
    "version",
    "headers",
    "extra_head",
    "content_type",
    "no_host",
    "keep_alive",
    "body",
    "body_bytes",
    "chunked",
    "unfinished",
    "raw",
    "steps",
    "hold",
    "after_ms",
    "alone",
    "expect",
];

fn build_case(case: &Value, surface: &str, names: &Names) -> Result<Case, String> {
    let object = case.as_object().ok_or("a case is an object")?;
    for key in object.keys() {
        if !CASE_MEMBERS.contains(&key.as_str()) {
            return Err(format!("unknown member {key:?}"));
        }
    }
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .ok_or("no name")?
        .to_owned();
    let text = |key: &str| -> Result<Option<String>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => expand(s, names).map(Some),
            Some(_) => Err(format!("{key} must be a string")),
        }
    };
    let mut head_request = false;
    let steps = if let Some(raw) = text("raw")? {
        head_request = raw.starts_with("HEAD ");
        vec![Step::Send(latin1(&raw)?)]
    } else if let Some(steps) = object.get("steps") {
        let mut out = Vec::new();
        for step in steps.as_array().ok_or("steps must be an array")? {
            if let Some(send) = step.get("send").and_then(Value::as_str) {
                out.push(Step::Send(latin1(&expand(send, names)?)?));
            } else if let Some(request) = step.get("request") {
                out.push(Step::Send(structured_request(request, names)?));
            } else if let Some(ms) = step.get("sleep_ms").and_then(Value::as_u64) {
                out.push(Step::Sleep(Duration::from_millis(ms)));
            } else if step.get("shutdown") == Some(&Value::Bool(true)) {
                out.push(Step::Shutdown);
            } else {
                return Err(format!(
                    "a step is `send`, `request`, `sleep_ms` or `shutdown`: {step}"
                ));
            }
        }
        out
    } else {
        head_request = object.get("method").and_then(Value::as_str) == Some("HEAD");
        vec![Step::Send(structured_request(case, names)?)]
    };
    let mut holds = Vec::new();
    for hold in object
        .get("hold")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let count = hold.get("count").and_then(Value::as_u64).unwrap_or(1);
        let bytes = match hold.get("raw").and_then(Value::as_str) {
            Some(raw) => latin1(&expand(raw, names)?)?,
            None => structured_request(
                hold.get("request").ok_or("a hold has `raw` or `request`")?,
                names,
            )?,
        };
        for _ in 0..count {
            holds.push(bytes.clone());
        }
    }

    let expect = object.get("expect").ok_or("no expect")?;
    let within_ms = match expect.get("within_ms") {
        None => None,
        Some(v) => {
            let pair = v
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or("within_ms is [min, max]")?;
            Some((
                pair[0].as_u64().ok_or("within_ms is [min, max]")?,
                pair[1].as_u64().ok_or("within_ms is [min, max]")?,
            ))
        }
    };
    let expect = if expect.get("closed") == Some(&Value::Bool(true)) {
        Expect::Closed { within_ms }
    } else if let Some(list) = expect.get("responses") {
        Expect::Responses {
            responses: list
                .as_array()
                .ok_or("responses must be an array")?
                .iter()
                .map(|r| expand_value(r, names))
                .collect::<Result<_, _>>()?,
            within_ms,
        }
    } else {
        Expect::Responses {
            responses: vec![expand_value(expect, names)?],
            within_ms,
        }
    };
    if let Expect::Responses { responses, .. } = &expect {
        for response in responses {
            check_expectation(response)?;
        }
    }
    Ok(Case {
        name,
        surface: surface.to_owned(),
        steps,
        holds,
        after: Duration::from_millis(
            object
                .get("after_ms")
                .and_then(Value::as_u64)
                .unwrap_or(100),
        ),
        head_request,
        alone: object.get("alone") == Some(&Value::Bool(true)),
        expect,
    })
}

const EXPECT_MEMBERS: &[&str] = &[
    "status",
    "code",
    "details",
    "fields",
    "fields_count",
    "headers",
    "body",
    "json",
    "results",
    "results_each",
    "results_count",
    "empty_body",
    "html",
    "max_body_bytes",
    "informational",
    "within_ms",
    "not_contains",
    "contains",
    "outside_api",
];

fn check_expectation(expect: &Value) -> Result<(), String> {
    let object = expect.as_object().ok_or("an expectation is an object")?;
    for key in object.keys() {
        if !EXPECT_MEMBERS.contains(&key.as_str()) {
            return Err(format!("unknown expectation {key:?}"));
        }
    }
    let status = object
        .get("status")
        .and_then(Value::as_u64)
        .ok_or("an answer's expectation names its status")?;
    if let Some(code) = object.get("code").and_then(Value::as_str) {
        // The case's status is the documented one for its code (§2.6), so a typo cannot hide.
        let table = ProtocolErrorCode::from_wire(code).map(ProtocolErrorCode::status);
        if table.is_some_and(|s| u64::from(s) != status) {
            return Err(format!(
                "code {code} has status {table:?} in §2.6, not {status}"
            ));
        }
    }
    Ok(())
}

/// A request from its parts: `method` (default `POST`), `path`, `version` (default `HTTP/1.1`),
/// `headers` (pairs, in order), `extra_head` (raw header lines, after them), and a body (`body` as UTF-8, `body_bytes` as Latin-1, or
/// `chunked`: a list of chunks). `Host: demo`, `Content-Type: application/json` (for `POST`),
/// `Content-Length` and `Connection: close` are added unless the case gives its own (or
/// `content_type` is `null`, `no_host` or `keep_alive` is true).
fn structured_request(case: &Value, names: &Names) -> Result<Vec<u8>, String> {
    let method = match case.get("method") {
        Some(m) => expand(m.as_str().ok_or("method is a string")?, names)?,
        None => "POST".to_owned(),
    };
    let path = expand(
        case.get("path").and_then(Value::as_str).ok_or("no path")?,
        names,
    )?;
    let version = case
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("HTTP/1.1");
    let mut headers: Vec<(String, String)> = Vec::new();
    for pair in case
        .get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pair = pair
            .as_array()
            .filter(|p| p.len() == 2)
            .ok_or("a header is [name, value]")?;
        headers.push((
            expand(pair[0].as_str().ok_or("header name")?, names)?,
            expand(pair[1].as_str().ok_or("header value")?, names)?,
        ));
    }
    let has = |headers: &[(String, String)], name: &str| {
        headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let flag = |key: &str| case.get(key) == Some(&Value::Bool(true));
    let mut body: Option<Vec<u8>> = None;
    if let Some(text) = case.get("body").and_then(Value::as_str) {
        body = Some(expand(text, names)?.into_bytes());
    } else if let Some(text) = case.get("body_bytes").and_then(Value::as_str) {
        body = Some(latin1(&expand(text, names)?)?);
    }
    let mut chunked = None;
    if let Some(chunks) = case.get("chunked") {
        let mut out = Vec::new();
        for chunk in chunks.as_array().ok_or("chunked is a list of chunks")? {
            let bytes = latin1(&expand(
                chunk.as_str().ok_or("a chunk is a string")?,
                names,
            )?)?;
            out.extend_from_slice(format!("{:x}\r\n", bytes.len()).as_bytes());
            out.extend_from_slice(&bytes);
            out.extend_from_slice(b"\r\n");
        }
        if !flag("unfinished") {
            out.extend_from_slice(b"0\r\n\r\n");
        }
        chunked = Some(out);
    }
    if !flag("no_host") && !has(&headers, "host") {
        headers.insert(0, ("Host".to_owned(), "demo".to_owned()));
    }
    match case.get("content_type") {
        Some(Value::Null) => {}
        Some(Value::String(ct)) => headers.push(("Content-Type".to_owned(), expand(ct, names)?)),
        Some(_) => return Err("content_type is a string or null".to_owned()),
        None => {
            if method == "POST" && !has(&headers, "content-type") {
                headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
            }
        }
    }
    if chunked.is_some() {
        if !has(&headers, "transfer-encoding") {
            headers.push(("Transfer-Encoding".to_owned(), "chunked".to_owned()));
        }
    } else if let Some(body) = &body
        && !has(&headers, "content-length")
        && !has(&headers, "transfer-encoding")
    {
        headers.push(("Content-Length".to_owned(), body.len().to_string()));
    }
    if !flag("keep_alive") && !has(&headers, "connection") {
        headers.push(("Connection".to_owned(), "close".to_owned()));
    }
    let mut out = latin1(&format!("{method} {path} {version}\r\n"))?;
    for (name, value) in &headers {
        out.extend_from_slice(&latin1(&format!("{name}: {value}\r\n"))?);
    }
    if let Some(lines) = case.get("extra_head").and_then(Value::as_str) {
        out.extend_from_slice(&latin1(&expand(lines, names)?)?);
    }
    out.extend_from_slice(b"\r\n");
    if let Some(chunked) = chunked {
        out.extend_from_slice(&chunked);
    } else if let Some(body) = body {
        out.extend_from_slice(&body);
    }
    Ok(out)
}

/// Characters U+0000..U+00FF as the bytes 0x00..0xFF, so a corpus string can hold any byte.
fn latin1(text: &str) -> Result<Vec<u8>, String> {
    text.chars()
        .map(|c| {
            u8::try_from(u32::from(c))
                .map_err(|_| format!("{c:?} is not a byte: raw text is Latin-1 (\\u0000-\\u00ff)"))
        })
        .collect()
}

/// Expands the corpus macros in `text`: `{{rep:N:TEXT}}` (TEXT N times), `{{seq:N:TEXT}}` (TEXT N
/// times joined by `,`, each `#` in it the index 0..N), `{{lbrace}}` and `{{rbrace}}` (`{`, `}`:
/// a macro ends where its braces balance, so unbalanced TEXT spells them so), `{{token:NAME}}`
/// and `{{schema:FN}}` (the function's schema hash). TEXT is expanded too.
fn expand(text: &str, names: &Names) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let mut depth = 2usize;
        let mut end = None;
        for (i, b) in after.bytes().enumerate() {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(|| format!("unbalanced macro in {text:?}"))?;
        // `after[..end]` ends with the first of the two closing braces.
        let inner = after[..end]
            .strip_suffix('}')
            .ok_or_else(|| format!("a macro ends with `}}}}` in {text:?}"))?;
        rest = &after[end + 1..];
        let repeat = |spec: &str| -> Result<(usize, String), String> {
            let (count, unit) = spec
                .split_once(':')
                .ok_or_else(|| format!("{{{{rep:N:TEXT}}}}, not {inner:?}"))?;
            let count = count
                .parse()
                .map_err(|_| format!("bad count in {inner:?}"))?;
            Ok((count, expand(unit, names)?))
        };
        if let Some(spec) = inner.strip_prefix("rep:") {
            let (count, unit) = repeat(spec)?;
            out.push_str(&unit.repeat(count));
        } else if let Some(spec) = inner.strip_prefix("seq:") {
            let (count, unit) = repeat(spec)?;
            let items: Vec<String> = (0..count)
                .map(|i| unit.replace('#', &i.to_string()))
                .collect();
            out.push_str(&items.join(","));
        } else if inner == "lbrace" {
            out.push('{');
        } else if inner == "rbrace" {
            out.push('}');
        } else if let Some(token) = inner.strip_prefix("token:") {
            out.push_str(
                names
                    .tokens
                    .get(token)
                    .ok_or_else(|| format!("no token named {token:?}"))?,
            );
        } else if let Some(function) = inner.strip_prefix("schema:") {
            out.push_str(
                names
                    .schemas
                    .get(function)
                    .ok_or_else(|| format!("no function named {function:?}"))?,
            );
        } else {
            return Err(format!("unknown macro {{{{{inner}}}}}"));
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Expands macros in every string of an expectation.
fn expand_value(value: &Value, names: &Names) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(expand(s, names)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| expand_value(v, names))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| Ok((k.clone(), expand_value(v, names)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

// ----------------------------------------------------------------------------------------------
// Tokens (spec §1.5)

/// A token from its recipe: `literal` (macros expanded), or built from `claims` (over the demo's
/// valid base claims; `null` removes a member; `"$now"`, `"$now+N"`, `"$now-N"` are times) or
/// `payload_text` (JSON text as is), signed with `secret` (`test`, the demo's, or `other`) under
/// `kid` (default `demo`) and `version` (default `mwt1`); `payload_b64` and `tag_b64` replace a
/// segment as written, `tag_bytes` truncates or extends the tag, `flip_tag` changes one bit of it.
fn make_token(recipe: &Value, now: u64) -> Result<String, String> {
    if let Some(literal) = recipe.get("literal").and_then(Value::as_str) {
        return expand(literal, &Names::default());
    }
    let version = recipe
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("mwt1");
    let kid = recipe.get("kid").and_then(Value::as_str).unwrap_or("demo");
    let payload = if let Some(segment) = recipe.get("payload_b64").and_then(Value::as_str) {
        expand(segment, &Names::default())?
    } else if let Some(text) = recipe.get("payload_text").and_then(Value::as_str) {
        base64url::encode(times_in_text(text, now)?.as_bytes())
    } else {
        let mut claims = json!({
            "iss": "mizan-demo", "aud": "mizan-demo-web", "iat": "$now", "exp": "$now+3600",
            "pk": "hostile-corpus"
        });
        for (key, value) in recipe
            .get("claims")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        for value in claims.as_object_mut().unwrap().values_mut() {
            if let Some(text) = value.as_str().filter(|t| t.starts_with("$now")) {
                *value = json!(time(text, now)?);
            }
        }
        base64url::encode(&canonical::to_vec(&claims).map_err(|e| e.to_string())?)
    };
    let tag = if let Some(segment) = recipe.get("tag_b64").and_then(Value::as_str) {
        segment.to_owned()
    } else {
        let secret: &[u8; 32] = match recipe.get("secret").and_then(Value::as_str) {
            None | Some("test") => TEST_SECRET,
            Some("other") => OTHER_SECRET,
            Some(other) => return Err(format!("unknown secret {other:?}")),
        };
        let key = RootSecret::new(*secret)
            .map_err(|e| e.to_string())?
            .derive(KeyPurpose::Token);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).map_err(|e| e.to_string())?;
        mac.update(format!("{version}.{kid}.{payload}").as_bytes());
        let mut tag = mac.finalize().into_bytes().to_vec();
        if let Some(n) = recipe.get("tag_bytes").and_then(Value::as_u64) {
            tag.resize(usize::try_from(n).map_err(|e| e.to_string())?, 0xA5);
        }
        if recipe.get("flip_tag") == Some(&Value::Bool(true)) {
            tag[0] ^= 1;
        }
        base64url::encode(&tag)
    };
    Ok(format!("{version}.{kid}.{payload}.{tag}"))
}

fn time(text: &str, now: u64) -> Result<u64, String> {
    let offset = &text["$now".len()..];
    let now = i128::from(now);
    let value = if offset.is_empty() {
        now
    } else {
        now + offset
            .parse::<i128>()
            .map_err(|_| format!("bad time {text:?}"))?
    };
    u64::try_from(value).map_err(|_| format!("bad time {text:?}"))
}

/// `$now`, `$now+N` and `$now-N` inside JSON text, as numbers.
fn times_in_text(text: &str, now: u64) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("$now") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let len = after
            .char_indices()
            .take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && (c == '+' || c == '-')))
            .count();
        out.push_str(&time(&rest[start..start + 4 + len], now)?.to_string());
        rest = &after[len..];
    }
    out.push_str(rest);
    Ok(out)
}

// ----------------------------------------------------------------------------------------------
// The wire

/// Sends the steps on a new connection while reading everything the server answers, until it
/// closes the connection (or resets it). Returns the bytes and the time from the connection to
/// the close.
async fn exchange(addr: &str, steps: &[Step]) -> Result<(Vec<u8>, Duration), String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let connected = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let writing = {
        async move {
            for step in steps {
                match step {
                    // The server may close before it read everything (it answered already):
                    // what it answered is read below.
                    Step::Send(bytes) => {
                        if writer.write_all(bytes).await.is_err() {
                            break;
                        }
                    }
                    Step::Sleep(duration) => tokio::time::sleep(*duration).await,
                    Step::Shutdown => {
                        let _ = writer.shutdown().await;
                    }
                }
            }
            // Keep the write half open (unless a step closed it): closing it would tell the
            // server the request ended.
            writer
        }
    };
    let reading = async {
        let mut bytes = Vec::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            }
        }
        (bytes, Instant::now())
    };
    let (writer, (bytes, closed_at)) = tokio::join!(writing, reading);
    drop(writer);
    Ok((bytes, closed_at.saturating_duration_since(connected)))
}

struct Response {
    status: u16,
    /// Names lowercased, values as sent.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The answers in `bytes`, in order; a body is delimited by `Content-Length`, chunked coding, or
/// the end of the connection.
fn parse_responses(mut bytes: &[u8], head_request: bool) -> Result<Vec<Response>, String> {
    let mut responses = Vec::new();
    while !bytes.is_empty() {
        let end = find(bytes, b"\r\n\r\n").ok_or("an answer without the end of its head")?;
        let head = std::str::from_utf8(&bytes[..end]).map_err(|_| "a head that is not UTF-8")?;
        bytes = &bytes[end + 4..];
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 = status_line
            .strip_prefix("HTTP/1.1 ")
            .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
            .and_then(|rest| rest.get(..3))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("a bad status line {status_line:?}"))?;
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("a bad header line {line:?}"))?;
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
        };
        let no_body = status < 200 || status == 204 || status == 304 || head_request;
        if !no_body {
            if response
                .header_values("transfer-encoding")
                .iter()
                .any(|v| v.eq_ignore_ascii_case("chunked"))
            {
                let (body, used) = dechunk(bytes)?;
                response.body = body;
                bytes = &bytes[used..];
            } else if let Some(length) = response.header_values("content-length").first() {
                let length: usize = length.parse().map_err(|_| "a bad Content-Length")?;
                if bytes.len() < length {
                    return Err(format!(
                        "a body of {} bytes where {length} were announced",
                        bytes.len()
                    ));
                }
                response.body = bytes[..length].to_vec();
                bytes = &bytes[length..];
            } else {
                response.body = bytes.to_vec();
                bytes = &[];
            }
        }
        responses.push(response);
    }
    Ok(responses)
}

fn dechunk(mut bytes: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let total = bytes.len();
    let mut body = Vec::new();
    loop {
        let line_end = find(bytes, b"\r\n").ok_or("a chunk without its size line")?;
        let size_text = std::str::from_utf8(&bytes[..line_end]).map_err(|_| "a bad chunk size")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "a bad chunk size")?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            let trailer_end = find(bytes, b"\r\n").ok_or("no end of the chunked body")?;
            bytes = &bytes[trailer_end + 2..];
            return Ok((body, total - bytes.len()));
        }
        if bytes.len() < size + 2 {
            return Err("a truncated chunk".to_owned());
        }
        body.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(600)]).into_owned();
    if bytes.len() > 600 {
        format!("{text}… ({} bytes)", bytes.len())
    } else {
        text
    }
}

// ----------------------------------------------------------------------------------------------
// Expectations

/// The members an error body may have (§2.6): always `code`, `message`, `status`; `fields` and
/// `details` only when the case expects them.
const ERROR_MEMBERS: &[&str] = &["code", "message", "status", "fields", "details"];

fn check_response(expect: &Value, response: &Response, head_request: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let status = expect["status"].as_u64().unwrap_or(0);
    if u64::from(response.status) != status {
        problems.push(format!(
            "status {}, expected {status}; body {:?}",
            response.status,
            preview(&response.body)
        ));
        return problems;
    }
    let single = |name: &str| -> Result<&str, String> {
        match response.header_values(name).as_slice() {
            [one] => Ok(one),
            [] => Err(format!("no {name} header")),
            many => Err(format!("{} {name} headers: {many:?}", many.len())),
        }
    };
    let need_header = |name: &str, value: &str, problems: &mut Vec<String>| match single(name) {
        Ok(v) if v == value => {}
        Ok(v) => problems.push(format!("{name}: {v:?}, expected {value:?}")),
        Err(e) => problems.push(e),
    };
    // Every answer of the API (and the HTML shell) carries nosniff (§2.11): every JSON answer and
    // every page, unless the case is about what the demo serves outside the API.
    let outside_api = expect.get("outside_api") == Some(&Value::Bool(true));
    if !outside_api
        && response
            .header_values("content-type")
            .iter()
            .any(|v| v.starts_with("application/json") || v.starts_with("text/html"))
    {
        need_header("x-content-type-options", "nosniff", &mut problems);
    }
    if let Some(code) = expect.get("code").and_then(Value::as_str) {
        need_header("content-type", "application/json", &mut problems);
        need_header("cache-control", "no-store", &mut problems);
        match status {
            401 => need_header("www-authenticate", "Bearer", &mut problems),
            405 if response.header_values("allow").is_empty() => {
                problems.push("a 405 without Allow".to_owned());
            }
            // §2.11: the rest of the body was never read, so the connection is closed.
            408 => need_header("connection", "close", &mut problems),
            503 => {
                need_header("retry-after", "1", &mut problems);
                need_header("connection", "close", &mut problems);
            }
            _ => {}
        }
        if head_request {
            if !response.body.is_empty() {
                problems.push("a HEAD answer with a body".to_owned());
            }
        } else {
            match serde_json::from_slice::<Value>(&response.body) {
                Ok(body) => problems.extend(check_error(expect, &body, code, status)),
                Err(e) => problems.push(format!(
                    "the error body is not JSON ({e}): {:?}",
                    preview(&response.body)
                )),
            }
        }
    }
    if let Some(headers) = expect.get("headers").and_then(Value::as_object) {
        for (name, value) in headers {
            match value {
                Value::Null => {
                    if !response.header_values(name).is_empty() {
                        problems.push(format!(
                            "a {name} header {:?}, expected none",
                            response.header_values(name)
                        ));
                    }
                }
                Value::String(value) => need_header(name, value, &mut problems),
                _ => problems.push(format!("header {name}: the corpus gives a non-string")),
            }
        }
    }
    if let Some(body) = expect.get("body").and_then(Value::as_str)
        && response.body != body.as_bytes()
    {
        problems.push(format!(
            "body {:?}, expected {body:?}",
            preview(&response.body)
        ));
    }
    if expect.get("empty_body") == Some(&Value::Bool(true)) && !response.body.is_empty() {
        problems.push(format!("body {:?}, expected none", preview(&response.body)));
    }
    if let Some(max) = expect.get("max_body_bytes").and_then(Value::as_u64)
        && response.body.len() as u64 > max
    {
        problems.push(format!(
            "a body of {} bytes, over {max}",
            response.body.len()
        ));
    }
    if let Some(needles) = expect.get("not_contains").and_then(Value::as_array) {
        for needle in needles.iter().filter_map(Value::as_str) {
            if find(&response.body, needle.as_bytes()).is_some() {
                problems.push(format!("the body contains {needle:?}"));
            }
        }
    }
    if let Some(needles) = expect.get("contains").and_then(Value::as_array) {
        for needle in needles.iter().filter_map(Value::as_str) {
            if find(&response.body, needle.as_bytes()).is_none() {
                problems.push(format!("the body does not contain {needle:?}"));
            }
        }
    }
    if expect.get("html") == Some(&Value::Bool(true)) {
        match single("content-type") {
            Ok(v) if v.starts_with("text/html") => {}
            other => problems.push(format!("expected the HTML page, content-type {other:?}")),
        }
    }
    let body_json = || serde_json::from_slice::<Value>(&response.body);
    if let Some(wanted) = expect.get("json") {
        match body_json() {
            Ok(got) => {
                if let Err(e) = matches(wanted, &got, "$") {
                    problems.push(format!("body {got}: {e}"));
                }
            }
            Err(e) => problems.push(format!("the body is not JSON: {e}")),
        }
    }
    let results: Option<Vec<Value>> = match (
        expect.get("results").and_then(Value::as_array),
        expect.get("results_each"),
        expect.get("results_count").and_then(Value::as_u64),
    ) {
        (Some(results), _, _) => Some(results.clone()),
        (None, Some(each), Some(count)) => {
            Some(vec![each.clone(); usize::try_from(count).unwrap_or(0)])
        }
        _ => None,
    };
    if let Some(results) = results {
        match body_json() {
            Ok(got) => problems.extend(check_results(&results, &got)),
            Err(e) => problems.push(format!("the batch answer is not JSON: {e}")),
        }
    }
    problems
}

/// An error object (§2.6): `code`, `message`, `status` and, exactly when expected, `fields` and
/// `details`.
fn check_error(expect: &Value, body: &Value, code: &str, status: u64) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(object) = body.as_object() else {
        return vec![format!("the error is not an object: {body}")];
    };
    for key in object.keys() {
        if !ERROR_MEMBERS.contains(&key.as_str()) {
            problems.push(format!(
                "the error has the undocumented member {key:?}: {body}"
            ));
        }
    }
    if object.get("code").and_then(Value::as_str) != Some(code) {
        problems.push(format!(
            "code {:?}, expected {code:?}: {body}",
            object.get("code")
        ));
    }
    if object.get("status").and_then(Value::as_u64) != Some(status) {
        problems.push(format!(
            "status member {:?}, expected {status}",
            object.get("status")
        ));
    }
    match object.get("message").and_then(Value::as_str) {
        Some(m) if !m.is_empty() => {
            if code == "internal" && m != "internal error" {
                problems.push(format!("an internal error with the message {m:?}"));
            }
        }
        _ => problems.push(format!("no message: {body}")),
    }
    match (expect.get("details"), object.get("details")) {
        (None, None) => {}
        (Some(wanted), Some(got)) => {
            if let Err(e) = matches(wanted, got, "details") {
                problems.push(format!("details {got}: {e}"));
            }
        }
        (None, Some(got)) => problems.push(format!("unexpected details {got}")),
        (Some(wanted), None) => problems.push(format!("no details, expected {wanted}")),
    }
    let fields_expected = expect.get("fields").is_some() || expect.get("fields_count").is_some();
    match object.get("fields") {
        None if fields_expected => problems.push(format!("no fields: {body}")),
        None => {}
        Some(_) if !fields_expected => {
            problems.push(format!("unexpected fields: {body}"));
        }
        Some(got) => problems.extend(check_fields(expect, got)),
    }
    problems
}

/// `fields`: each entry exactly `path` and `message`; the paths (and messages, where the case
/// gives them) as expected, in any order.
fn check_fields(expect: &Value, got: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(entries) = got.as_array() else {
        return vec![format!("fields is not an array: {got}")];
    };
    for entry in entries {
        let valid = entry.as_object().is_some_and(|e| {
            e.len() == 2
                && e.get("path").is_some_and(|p| {
                    p.as_array()
                        .is_some_and(|p| p.iter().all(|s| s.is_string() || s.as_u64().is_some()))
                })
                && e.get("message")
                    .and_then(Value::as_str)
                    .is_some_and(|m| !m.is_empty())
        });
        if !valid {
            problems.push(format!(
                "a field entry that is not {{path, message}}: {entry}"
            ));
        }
    }
    if let Some(count) = expect.get("fields_count").and_then(Value::as_u64)
        && entries.len() as u64 != count
    {
        problems.push(format!("{} field entries, expected {count}", entries.len()));
    }
    if let Some(wanted) = expect.get("fields").and_then(Value::as_array) {
        if wanted.len() != entries.len() {
            problems.push(format!(
                "fields {got}, expected {}",
                Value::Array(wanted.clone())
            ));
            return problems;
        }
        for item in wanted {
            let (path, message) = match item {
                Value::Array(_) => (item, None),
                _ => (&item["path"], item.get("message")),
            };
            let found = entries
                .iter()
                .any(|e| &e["path"] == path && message.is_none_or(|m| e.get("message") == Some(m)));
            if !found {
                problems.push(format!("no field entry {item} in {got}"));
            }
        }
    }
    problems
}

/// A batch answer: exactly `results`, one item per call, each `{ok: true, data}` or
/// `{ok: false, error}` as expected.
fn check_results(wanted: &[Value], got: &Value) -> Vec<String> {
    let results = match got.as_object() {
        Some(o) if o.len() == 1 => o.get("results").and_then(Value::as_array),
        _ => None,
    };
    let Some(results) = results else {
        return vec![format!(
            "a batch answer is exactly {{\"results\": [...]}}: {got}"
        )];
    };
    if results.len() != wanted.len() {
        return vec![format!(
            "{} results, expected {}: {got}",
            results.len(),
            wanted.len()
        )];
    }
    let mut problems = Vec::new();
    for (i, (want, item)) in wanted.iter().zip(results).enumerate() {
        let keys: Vec<&str> = item
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if want.get("ok") == Some(&Value::Bool(true)) {
            let well_formed = item["ok"] == true && keys.len() == 2 && keys.contains(&"data");
            if !well_formed {
                problems.push(format!(
                    "result {i}: expected {{ok: true, data}}, got {item}"
                ));
            } else if let Some(data) = want.get("data")
                && let Err(e) = matches(data, &item["data"], "data")
            {
                problems.push(format!("result {i}: {e}"));
            }
            continue;
        }
        if item["ok"] != false || keys.len() != 2 || !keys.contains(&"error") {
            problems.push(format!(
                "result {i}: expected {{ok: false, error}}, got {item}"
            ));
            continue;
        }
        let code = want["code"].as_str().unwrap_or_default();
        let status = u64::from(
            ProtocolErrorCode::from_wire(code)
                .map(ProtocolErrorCode::status)
                .unwrap_or(0),
        );
        for problem in check_error(want, &item["error"], code, status) {
            problems.push(format!("result {i}: {problem}"));
        }
    }
    problems
}

/// JSON equality, where the string `"$any"` matches any value.
fn matches(wanted: &Value, got: &Value, at: &str) -> Result<(), String> {
    match (wanted, got) {
        (Value::String(w), _) if w == "$any" => Ok(()),
        (Value::Object(w), Value::Object(g)) => {
            if w.len() != g.len() || w.keys().any(|k| !g.contains_key(k)) {
                return Err(format!(
                    "{at}: members {:?}, expected {:?}",
                    g.keys().collect::<Vec<_>>(),
                    w.keys().collect::<Vec<_>>()
                ));
            }
            for (k, v) in w {
                matches(v, &g[k], &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                return Err(format!("{at}: {} items, expected {}", g.len(), w.len()));
            }
            for (i, (w, g)) in w.iter().zip(g).enumerate() {
                matches(w, g, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        _ if wanted == got => Ok(()),
        _ => Err(format!("{at}: {got}, expected {wanted}")),
    }
}
