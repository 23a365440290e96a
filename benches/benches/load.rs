//! Load on the demo's echo call and greet context over loopback, against plain axum handlers
//! doing the same work, measured in the same run with the same client.
//!
//! `cargo bench -p mizan-benches --bench load` (`BENCH_SECS`, `BENCH_CONNECTIONS` to adjust).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mizan_core::{RootSecret, base64url};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Deserialize)]
struct EchoIn {
    text: String,
}

#[derive(Serialize)]
struct EchoOut {
    count: u64,
    message: String,
}

#[derive(Deserialize)]
struct GreetIn {
    name: String,
}

#[derive(Serialize)]
struct GreetOut {
    text: String,
}

async fn plain_echo(State(count): State<Arc<AtomicU64>>, body: axum::Json<EchoIn>) -> Response {
    let out = EchoOut {
        count: count.fetch_add(1, Ordering::Relaxed) + 1,
        message: body.0.text,
    };
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(out)).into_response()
}

async fn plain_greet(Query(q): Query<GreetIn>) -> Response {
    let body = serde_json::to_vec(&GreetOut {
        text: format!("Hello, {}!", q.name.trim()),
    })
    .unwrap_or_default();
    let etag = format!("\"{}\"", base64url::encode(&Sha256::digest(&body)));
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=0, stale-while-revalidate=300"),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    (headers, body).into_response()
}

async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// Sends `request` over one keep-alive connection until `deadline`; returns latencies in µs.
async fn connection(addr: SocketAddr, request: Arc<Vec<u8>>, deadline: Instant) -> Vec<u32> {
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut stream = BufReader::new(stream);
    let mut latencies = Vec::new();
    let mut line = String::new();
    let mut body = Vec::new();
    while Instant::now() < deadline {
        let start = Instant::now();
        stream.get_mut().write_all(&request).await.expect("write");
        let mut length = 0usize;
        let mut status_ok = false;
        loop {
            line.clear();
            stream.read_line(&mut line).await.expect("read");
            if line == "\r\n" {
                break;
            }
            if line.starts_with("HTTP/1.1 ") {
                status_ok = line.as_bytes().get(9) == Some(&b'2');
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().expect("content length");
            }
        }
        body.resize(length, 0);
        stream.read_exact(&mut body).await.expect("body");
        assert!(
            status_ok,
            "the benchmark request failed: {}",
            String::from_utf8_lossy(&body)
        );
        latencies.push(u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX));
    }
    latencies
}

/// Alternating rounds per server; medians are reported, so one noisy round cannot decide.
const ROUNDS: usize = 6;

/// The round with the median throughput (the lower middle one for an even count).
fn median_run(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    runs.swap_remove((runs.len() - 1) / 2)
}

/// The median of some ratios (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

struct Run {
    per_second: f64,
    p50: u32,
    p99: u32,
}

async fn run(addr: SocketAddr, request: &Arc<Vec<u8>>, connections: usize, secs: f64) -> Run {
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(connection(addr, request.clone(), deadline)))
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("client task"));
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Run {
        per_second: all.len() as f64 / elapsed,
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// Builds one request for the in-process measurement.
type MakeRequest = Box<dyn Fn() -> axum::http::Request<axum::body::Body>>;

/// Server CPU per request without sockets: the router driven in-process, one request at a time.
async fn in_process(
    router: &Router,
    make: impl Fn() -> axum::http::Request<axum::body::Body>,
    secs: f64,
) -> f64 {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let mut count = 0u64;
    while Instant::now() < deadline {
        for _ in 0..256 {
            let response = router.clone().oneshot(make()).await.expect("infallible");
            assert!(response.status().is_success());
            let body = response.into_body().collect().await.expect("body");
            std::hint::black_box(body);
        }
        count += 256;
    }
    start.elapsed().as_nanos() as f64 / count as f64
}

fn main() {
    let secs: f64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.5);
    let connections: usize = std::env::var("BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let keys = mizan_demo::Keys::new(RootSecret::new([1u8; 32]).expect("32 bytes"));
        let mizan_router = mizan_demo::app(&keys, &mizan_demo::Config::default()).expect("demo registry");
        let plain_router = Router::new()
            .route("/echo", post(plain_echo))
            .route("/greet", get(plain_greet))
            .with_state(Arc::new(AtomicU64::new(0)));
        let mizan = serve(mizan_router.clone()).await;
        let plain = serve(plain_router.clone()).await;
        let body = r#"{"text":"hello from the load benchmark"}"#;
        let echo = |path: &str| {
            Arc::new(format!("POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes())
        };
        let greet = |path: &str| Arc::new(format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").into_bytes());
        let scenarios = [
            ("echo call", echo("/echo"), echo("/api/mizan/call/echo")),
            ("greet context", greet("/greet?name=Ada"), greet("/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D")),
        ];
        let post_echo = |path: &'static str| {
            move || {
                axum::http::Request::post(path)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(axum::body::Body::from(body))
                    .expect("request")
            }
        };
        let get_greet = |path: &'static str| {
            move || axum::http::Request::get(path).body(axum::body::Body::empty()).expect("request")
        };
        // Alternating short rounds, the fastest of each kept: the figure least disturbed by the
        // other tenants of this machine.
        let mut cpu = Vec::new();
        let scenarios_in_process: [(&str, MakeRequest, MakeRequest); 2] = [
            ("echo call", Box::new(post_echo("/echo")), Box::new(post_echo("/api/mizan/call/echo"))),
            (
                "greet context",
                Box::new(get_greet("/greet?name=Ada")),
                Box::new(get_greet("/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D")),
            ),
        ];
        for (name, plain_make, mizan_make) in scenarios_in_process {
            let (mut best_plain, mut best_mizan) = (f64::INFINITY, f64::INFINITY);
            for _ in 0..8 {
                best_plain = best_plain.min(in_process(&plain_router, &plain_make, 0.15).await);
                best_mizan = best_mizan.min(in_process(&mizan_router, &mizan_make, 0.15).await);
            }
            cpu.push((name, best_plain, best_mizan));
        }
        println!("in-process (no sockets; fastest of 8 alternating rounds), server time per request:");
        for (name, plain_ns, mizan_ns) in cpu {
            println!("{name:<15} plain axum {plain_ns:>7.0} ns, mizan {mizan_ns:>7.0} ns ({:.2}x)", mizan_ns / plain_ns);
        }
        println!();
        println!("load: {connections} keep-alive connections, {secs} s per round, {ROUNDS} alternating round pairs, median pair ratio, 2 server threads, client in the same process");
        println!("{:<15} {:<11} {:>10} {:>8} {:>8}", "scenario", "server", "req/s", "p50 µs", "p99 µs");
        for (name, plain_request, mizan_request) in scenarios {
            run(plain, &plain_request, connections, 0.5).await;
            run(mizan, &mizan_request, connections, 0.5).await;
            let mut plain_runs = Vec::new();
            let mut mizan_runs = Vec::new();
            for _ in 0..ROUNDS {
                plain_runs.push(run(plain, &plain_request, connections, secs).await);
                mizan_runs.push(run(mizan, &mizan_request, connections, secs).await);
            }
            // Each Mizan round is compared with the plain round just before it, which ran under
            // the same conditions on this shared machine; the median pair ratio is reported.
            let throughput = median(plain_runs.iter().zip(&mizan_runs).map(|(p, m)| m.per_second / p.per_second).collect());
            let p99 = median(plain_runs.iter().zip(&mizan_runs).map(|(p, m)| f64::from(m.p99) / f64::from(p.p99)).collect());
            let (p, m) = (median_run(plain_runs), median_run(mizan_runs));
            println!("{name:<15} {:<11} {:>10.0} {:>8} {:>8}", "plain axum", p.per_second, p.p50, p.p99);
            println!("{name:<15} {:<11} {:>10.0} {:>8} {:>8}", "mizan", m.per_second, m.p50, m.p99);
            println!(
                "{name:<15} ratio       throughput {throughput:.2}x (target >= 0.90), p99 {p99:.2}x (target <= 1.20)"
            );
        }
    });
}
