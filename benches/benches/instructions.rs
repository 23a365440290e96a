//! Instructions per request, counted by `valgrind --tool=callgrind`: a figure a busy machine
//! cannot disturb, for the servers of the load benchmark and the cache benchmark, each against
//! its bare axum baseline counted in the same run.
//!
//! `cargo bench -p mizan-benches --bench instructions` runs this binary once per cell and count
//! under callgrind (`-- --cell <server> <workload> <count>`), each time building one router,
//! sending 100 requests to warm it up, then `count` more through tower's `oneshot` on a
//! current-thread runtime. Each cell runs twice, with [`LOW`] and [`HIGH`] requests; the
//! difference of the two totals over `HIGH - LOW` is the cost of one request, with the setup
//! (the demo's database, schema compilation) and the warm-up cancelled out, and every thread
//! counted (the demo's SQLite worker included).
//!
//! In process, so without HTTP parsing, the connection and the kernel: those are the same for
//! every server of a row (hyper under both), and what tells the servers apart is their handlers.
//! SHA-256 runs in software under valgrind (it does not emulate the SHA extensions), so the ETag,
//! the cache key's HMAC and the MWT's signature weigh more here than on the hardware.
//!
//! `MIZAN_BENCH_CELLS=mizan/greet,bare/greet` runs only those cells;
//! `MIZAN_BENCH_KEEP=<dir>` keeps each `HIGH` run's `callgrind.out` there for
//! `callgrind_annotate`.

mod common;

use std::process::Command;

use common::send;
use mizan_benches::workloads::{Server, Spec, Workload, http_request, spec, token};
use tower::ServiceExt;

/// Requests of the short run of a cell.
const LOW: u64 = 100;
/// Requests of the long run of a cell.
const HIGH: u64 = 1100;
/// Requests sent before either count starts.
const WARM_UP: u64 = 100;

/// A server this harness can build, by its argument.
const SERVERS: [(&str, &str); 7] = [
    ("bare", "bare axum handlers"),
    ("same", "same-work axum handlers"),
    (
        "mizan",
        "the demo, as `cargo run -p mizan-demo` serves it (memory cache)",
    ),
    ("mizan-uncached", "the demo without a context cache"),
    (
        "mwt",
        "Mizan with a plain `MwtAuthenticator` (accounts benchmark)",
    ),
    ("cache-bare", "bare axum returning the report's bytes"),
    (
        "cache-mizan",
        "Mizan serving `report` from its memory cache",
    ),
];

/// One row: a label, then `(server, workload)` cells, the first the row's baseline.
struct Row {
    label: &'static str,
    cells: &'static [(&'static str, &'static str)],
}

const ROWS: &[Row] = &[
    Row {
        label: "`POST` echo call",
        cells: &[("bare", "echo"), ("same", "echo"), ("mizan", "echo")],
    },
    Row {
        label: "`GET` greet context, cached (the demo as served)",
        cells: &[("bare", "greet"), ("same", "greet"), ("mizan", "greet")],
    },
    Row {
        label: "greet, `304` from the cache (If-None-Match)",
        cells: &[
            ("bare", "greet"),
            ("same", "greet304"),
            ("mizan", "greet304"),
        ],
    },
    Row {
        label: "`GET` greet context, no cache",
        cells: &[
            ("bare", "greet"),
            ("same", "greet"),
            ("mizan-uncached", "greet"),
        ],
    },
    Row {
        label: "greet, `304`, no cache",
        cells: &[
            ("bare", "greet"),
            ("same", "greet304"),
            ("mizan-uncached", "greet304"),
        ],
    },
    Row {
        label: "cached `report` hit (cache benchmark)",
        cells: &[("cache-bare", "report"), ("cache-mizan", "report")],
    },
    Row {
        label: "echo with `Bearer` MWT, plain `MwtAuthenticator`",
        cells: &[("bare", "echo"), ("same", "auth"), ("mwt", "auth")],
    },
    Row {
        label: "echo with `Bearer` MWT, the demo (accounts on SQLite)",
        cells: &[("bare", "echo"), ("same", "auth"), ("mizan", "auth")],
    },
    Row {
        label: "`POST` batch of 8 echo calls",
        cells: &[("bare", "batch8"), ("same", "batch8"), ("mizan", "batch8")],
    },
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--cell") {
        let [server, workload, count] = &args[at + 1..] else {
            panic!("--cell <server> <workload> <count>");
        };
        let count: u64 = count.parse().expect("a count");
        cell(server, workload, count);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        for (server, what) in SERVERS {
            println!("{server:<16} {what}");
        }
        return;
    }
    table();
}

/// Counts every row under callgrind and prints the table.
fn table() {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("valgrind is not installed (Debian: apt-get install valgrind)");
        std::process::exit(2);
    }
    let only: Option<Vec<String>> = std::env::var("MIZAN_BENCH_CELLS")
        .ok()
        .map(|v| v.split(',').map(str::to_owned).collect());
    let wanted = |server: &str, workload: &str| {
        only.as_ref()
            .is_none_or(|o| o.iter().any(|c| *c == format!("{server}/{workload}")))
    };
    let mut counted: Vec<((&str, &str), f64)> = Vec::new();
    println!(
        "instructions per request under callgrind, in process ({} - {} requests after {WARM_UP} to warm up)",
        HIGH, LOW
    );
    for row in ROWS {
        if !row.cells.iter().any(|(s, w)| wanted(s, w)) {
            continue;
        }
        let mut line = format!("{:<54}", row.label);
        let mut baseline = None;
        for &(server, workload) in row.cells {
            let known = counted
                .iter()
                .find(|(c, _)| *c == (server, workload))
                .map(|(_, n)| *n);
            let per_request = match known {
                Some(n) => n,
                None => {
                    let n = per_request(server, workload);
                    counted.push(((server, workload), n));
                    n
                }
            };
            let base = *baseline.get_or_insert(per_request);
            line.push_str(&format!(
                "  {server}/{workload} {per_request:>7.0} ({:.2}x)",
                per_request / base
            ));
        }
        println!("{line}");
    }
}

/// One cell's instructions per request: two runs, the difference over the extra requests.
fn per_request(server: &str, workload: &str) -> f64 {
    let low = collected(server, workload, LOW);
    let high = collected(server, workload, HIGH);
    (high as f64 - low as f64) / (HIGH - LOW) as f64
}

/// The instructions callgrind collected over one whole run of a cell.
fn collected(server: &str, workload: &str, count: u64) -> u64 {
    let exe = std::env::current_exe().expect("this binary");
    let keep = std::env::var("MIZAN_BENCH_KEEP")
        .ok()
        .filter(|_| count == HIGH);
    let out_file = match &keep {
        Some(dir) => format!("{dir}/callgrind.out.{server}.{workload}"),
        None => "/dev/null".to_owned(),
    };
    let output = Command::new("timeout")
        .arg("600")
        .arg("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={out_file}"))
        .arg(exe)
        .args(["--cell", server, workload, &count.to_string()])
        .output()
        .expect("valgrind runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{server}/{workload} x{count} failed under callgrind:\n{stderr}"
    );
    // `==<pid>== Collected : <n>`
    stderr
        .lines()
        .find_map(|l| {
            l.split_once("Collected :")
                .map(|(_, n)| n.trim().to_owned())
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no callgrind total for {server}/{workload}:\n{stderr}"))
}

/// Serves `count` requests of one workload to one server, after [`WARM_UP`].
fn cell(server: &str, workload: &str, count: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (router, _kept) = router(server).await;
        let spec = request(&router, server, workload).await;
        for _ in 0..WARM_UP {
            send(&router, http_request(&spec), spec.status).await;
        }
        // A cached read must be counted as the hit it is meant to be.
        if matches!(server, "mizan" | "cache-mizan") && spec.method == "GET" {
            let response = router
                .clone()
                .oneshot(http_request(&spec))
                .await
                .unwrap_or_else(|e| match e {});
            let status = response.headers().get(mizan::CACHE_STATUS_HEADER);
            assert_eq!(
                status.map(axum::http::HeaderValue::as_bytes),
                Some(&b"hit"[..]),
                "not a hit"
            );
        }
        for _ in 0..count {
            send(&router, http_request(&spec), spec.status).await;
        }
    });
}

/// The router of `server`, and what must live as long as it serves.
async fn router(server: &str) -> (axum::Router, Box<dyn std::any::Any>) {
    use mizan_benches::{accounts, cache, servers};
    let kept = |served: servers::Served| -> (axum::Router, Box<dyn std::any::Any>) {
        (served.router.clone(), Box::new(served))
    };
    match server {
        "bare" => (servers::bare(), Box::new(())),
        "same" => (
            servers::same(servers::secret()).expect("same"),
            Box::new(()),
        ),
        "mizan" => kept(servers::demo(true).await.expect("demo")),
        "mizan-uncached" => kept(servers::demo(false).await.expect("demo")),
        "mwt" => {
            let (router, _) = accounts::router(accounts::AccountsServer::Mwt)
                .await
                .expect("mwt");
            (router, Box::new(()))
        }
        "cache-bare" => (cache::bare_router(), Box::new(())),
        "cache-mizan" => (cache::mizan_router().expect("cache"), Box::new(())),
        other => panic!("no server {other:?}; --list names them"),
    }
}

/// The request `workload` sends to `server`.
async fn request(router: &axum::Router, server: &str, workload: &str) -> Spec {
    if workload == "report" {
        let which = if server == "cache-bare" {
            mizan_benches::cache::Workload::Bare
        } else {
            mizan_benches::cache::Workload::Hit
        };
        return which.spec();
    }
    let workload = mizan_benches::workloads::WORKLOADS
        .into_iter()
        .find(|w| w.key() == workload)
        .unwrap_or_else(|| panic!("no workload {workload:?}"));
    let kind = match server {
        "bare" | "cache-bare" => Server::Bare,
        "same" => Server::Same,
        _ => Server::Mizan,
    };
    if server == "mwt" {
        let token = mizan_benches::accounts::mwt_token().expect("a token for the mwt server");
        return mizan_benches::accounts::echo_with_token(&token);
    }
    // greet's ETag, as this server sends it, for the `304` workload.
    let mut etag = String::new();
    if workload == Workload::Greet304 {
        let greet = http_request(&spec(Workload::Greet, kind, "", ""));
        let response = router
            .clone()
            .oneshot(greet)
            .await
            .unwrap_or_else(|e| match e {});
        etag = response.headers()["etag"]
            .to_str()
            .expect("etag")
            .to_owned();
    }
    spec(workload, kind, &token(), &etag)
}
