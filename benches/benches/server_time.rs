//! Server time per request WITHOUT sockets: each router driven in-process, one request at a time
//! (tower `oneshot` on a current-thread runtime). It leaves out the HTTP/1 parsing, the syscalls
//! and the kernel's loopback that every real request also pays, so it overstates the relative
//! cost of the framework; it is for finding where the framework's own time goes, not a load
//! figure. The load figures come from the out-of-process benchmark, `scripts/bench-load.sh`.
//!
//! `cargo bench -p mizan-benches --bench server_time` prints, per workload, the fastest of 8
//! alternating rounds for each server. `... -- <bare|same|mizan> <workload> <count>` sends exactly
//! `count` requests of one workload to one server (after 100 to warm up), for instruction counts
//! under `valgrind --tool=callgrind`.

mod common;

use std::time::{Duration, Instant};

use common::send;
use mizan_benches::workloads::{SERVERS, Server, WORKLOADS, Workload, http_request, spec, token};
use tower::ServiceExt;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    runtime.block_on(async {
        let token = token();
        let mut served = Vec::new();
        for server in SERVERS {
            let router = mizan_benches::servers::router(server).await.expect("router");
            served.push(router);
        }
        let routers: Vec<(Server, axum::Router)> = SERVERS
            .into_iter()
            .zip(served.iter().map(|s| s.router.clone()))
            .collect();
        // greet's ETag, as Mizan sends it.
        let mizan = &routers[2].1;
        let greet = http_request(&spec(Workload::Greet, Server::Mizan, &token, ""));
        let response = mizan.clone().oneshot(greet).await.unwrap_or_else(|e| match e {});
        let etag = response.headers()["etag"].to_str().expect("etag").to_owned();

        if let [server, workload, count] = args.as_slice() {
            let server = Server::from_mode(server).expect("bare, same or mizan");
            let workload = WORKLOADS
                .into_iter()
                .find(|w| w.key() == workload)
                .expect("echo, greet, greet304, batch8 or auth");
            let count: u64 = count.parse().expect("a count");
            let router = &routers.iter().find(|(s, _)| *s == server).expect("server").1;
            let spec = spec(workload, server, &token, &etag);
            for _ in 0..100 {
                send(router, http_request(&spec), spec.status).await;
            }
            let start = Instant::now();
            for _ in 0..count {
                send(router, http_request(&spec), spec.status).await;
            }
            println!(
                "{} {}: {count} requests, {:.0} ns each",
                server.mode(),
                workload.key(),
                start.elapsed().as_nanos() as f64 / count as f64
            );
            return;
        }

        println!("server time per request, in-process (no sockets, no HTTP parsing; fastest of 8 alternating rounds)");
        for workload in WORKLOADS {
            let mut best = [f64::INFINITY; 3];
            for _ in 0..8 {
                for (i, (server, router)) in routers.iter().enumerate() {
                    let spec = spec(workload, *server, &token, &etag);
                    let deadline = Instant::now() + Duration::from_millis(100);
                    let start = Instant::now();
                    let mut count = 0u64;
                    while Instant::now() < deadline {
                        for _ in 0..64 {
                            send(router, http_request(&spec), spec.status).await;
                        }
                        count += 64;
                    }
                    best[i] = best[i].min(start.elapsed().as_nanos() as f64 / count as f64);
                }
            }
            println!(
                "{:<38} bare {:>6.0} ns  same-work {:>6.0} ns  Mizan {:>6.0} ns  ({:.2}x bare, {:.2}x same-work)",
                workload.label(),
                best[0],
                best[1],
                best[2],
                best[2] / best[0],
                best[2] / best[1]
            );
        }
    });
}
