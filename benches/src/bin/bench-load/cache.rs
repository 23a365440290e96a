//! `bench-load cache` (`bash scripts/bench-load.sh cache`): the context cache's speed target
//! (`spec/PROTOCOL.md` §2.16). A context whose function spends 2 ms of CPU, read from Mizan's
//! memory cache (hit) and without a policy (uncached), against a bare axum handler returning the
//! same bytes; see [`mizan_benches::cache`] for the servers. The same method as the load
//! benchmark: each server its own process pinned to the server CPU, `wrk` pinned to the other,
//! rounds interleaved (each starting with the next workload), medians, and ratios as the median
//! of the rounds' own ratios.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use mizan_benches::cache::{WORKLOADS, Workload};

use super::report::{fmt_int, fmt_ratio, fmt_us, median, paired_ratio};
use super::server::{Running, header, request_once};
use super::wrk::{Run, lua_script, wrk};
use super::{Config, Error};

/// Cached reads per uncached read, at least.
const OVER_UNCACHED: f64 = 10.0;
/// Cached reads per bare axum read, at least.
const OVER_BARE: f64 = 0.9;

pub(super) fn run(config: &Config, server_binary: &Path) -> Result<(), Error> {
    let mut servers: BTreeMap<&str, Running<&str>> = BTreeMap::new();
    for mode in ["cache-bare", "cache-mizan"] {
        let running = Running::start(
            mode,
            mode,
            server_binary,
            &config.server_cpu,
            Duration::ZERO,
        )?;
        servers.insert(mode, running);
    }
    check(&servers)?;

    let dir = std::env::temp_dir().join(format!("mizan-bench-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut scripts = BTreeMap::new();
    for workload in WORKLOADS {
        let spec = workload.spec();
        let path = dir.join(format!("{workload:?}.lua"));
        std::fs::write(&path, lua_script(&spec))?;
        scripts.insert(workload, (path, spec));
    }

    println!(
        "Cache benchmark: wrk -t1 -c{} -d{}s --latency on CPU {}, each server its own process on CPU {}, loopback; {} interleaved rounds, medians.",
        config.connections, config.secs, config.client_cpu, config.server_cpu, config.rounds
    );
    println!("warming up ...");
    for workload in WORKLOADS {
        let (script, spec) = &scripts[&workload];
        wrk(config, &servers[workload.mode()], script, spec, 1)?;
    }
    let mut runs: BTreeMap<Workload, Vec<Run>> = BTreeMap::new();
    for round in 0..config.rounds {
        for i in 0..WORKLOADS.len() {
            let workload = WORKLOADS[(i + round) % WORKLOADS.len()];
            let (script, spec) = &scripts[&workload];
            let run = wrk(config, &servers[workload.mode()], script, spec, config.secs)?;
            eprintln!(
                "round {} {:<24} {:>9.0} req/s  p50 {:>8}  p99 {:>8}  cpu {:>7.1} µs/req",
                round + 1,
                workload.label(),
                run.rps,
                fmt_us(run.p50_us),
                fmt_us(run.p99_us),
                run.cpu_us
            );
            runs.entry(workload).or_default().push(run);
        }
    }
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);
    print(&runs);
    Ok(())
}

/// Every server answers its request once, with the same bytes and `Content-Type`, and the
/// cached read comes from the cache the second time: a misconfigured server cannot post a
/// fast figure.
fn check(servers: &BTreeMap<&str, Running<&str>>) -> Result<(), Error> {
    let mut answers = Vec::new();
    for workload in WORKLOADS {
        let spec = workload.spec();
        let addr = &servers[workload.mode()].addr;
        let (mut status, mut head, mut body) = request_once(addr, &spec)?;
        if workload == Workload::Hit {
            // The first read filled the cache.
            (status, head, body) = request_once(addr, &spec)?;
            let cache_status = header(&head, "x-mizan-cache-status");
            if cache_status != Some("hit") {
                return Err(format!("the second cached read was not a hit: {head}").into());
            }
        }
        if status != spec.status {
            return Err(format!("{} answered {status}: {body}", workload.label()).into());
        }
        let content_type = header(&head, "content-type").unwrap_or_default().to_owned();
        answers.push((workload, content_type, body));
    }
    let (_, first_type, first_body) = &answers[0];
    for (workload, content_type, body) in &answers[1..] {
        if (content_type, body) != (first_type, first_body) {
            return Err(format!(
                "{} answered {content_type} {body:?}, bare axum {first_type} {first_body:?}",
                workload.label()
            )
            .into());
        }
    }
    Ok(())
}

fn print(runs: &BTreeMap<Workload, Vec<Run>>) {
    let med =
        |workload: Workload, f: fn(&Run) -> f64| median(runs[&workload].iter().map(f).collect());
    println!();
    println!("| workload | req/s | p50 | p99 | server CPU/req |");
    println!("|---|---:|---:|---:|---:|");
    for workload in WORKLOADS {
        println!(
            "| {} | {} | {} | {} | {:.1} µs |",
            workload.label(),
            fmt_int(med(workload, |r| r.rps)),
            fmt_us(med(workload, |r| r.p50_us)),
            fmt_us(med(workload, |r| r.p99_us)),
            med(workload, |r| r.cpu_us),
        );
    }
    let hit = med(Workload::Hit, |r| r.rps);
    let uncached = med(Workload::Uncached, |r| r.rps);
    let bare = med(Workload::Bare, |r| r.rps);
    // Round by round, as the load benchmark's ratios (see `report`): the machine's speed drifts
    // over seconds, alike for the runs of one round.
    let paired =
        |baseline: Workload| paired_ratio(&runs[&Workload::Hit], &runs[&baseline], |r| r.rps);
    println!();
    println!(
        "Targets (the median of the rounds' own ratios of req/s; the ratio of the medians in parentheses):"
    );
    let target = |name: String, ok: bool| {
        println!("- [{}] {name}", if ok { "met" } else { "MISSED" });
    };
    let over_uncached = paired(Workload::Uncached);
    target(
        format!(
            "cached >= {OVER_UNCACHED:.0}x uncached: {over_uncached:.1}x ({:.1}x)",
            hit / uncached
        ),
        over_uncached >= OVER_UNCACHED,
    );
    let over_bare = paired(Workload::Bare);
    target(
        format!(
            "cached >= {OVER_BARE:.2}x bare axum: {}",
            fmt_ratio(over_bare, hit / bare)
        ),
        over_bare >= OVER_BARE,
    );
}
