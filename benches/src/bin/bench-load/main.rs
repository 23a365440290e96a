//! The out-of-process HTTP load benchmark: the demo's Mizan server against two axum baselines,
//! each server its own process pinned to one core, `wrk` pinned to the other, over loopback.
//!
//! Run it with `bash scripts/bench-load.sh`, which installs `wrk` when it is missing, builds
//! this crate in release mode and runs this binary. Environment: `BENCH_SECS` (seconds per run,
//! default 3), `BENCH_ROUNDS` (default 5), `BENCH_CONNECTIONS` (default 64), `BENCH_SERVER_CPU`
//! and `BENCH_CLIENT_CPU` (default 0 and 1).
//!
//! Servers (`load-server`): `bare` (axum handlers as a user writes them), `same` (axum handlers
//! doing the work Mizan's protocol requires) and `mizan` (the demo app). Workloads: the echo
//! call, the greet context, the greet context answered `304`, a batch of 8 echo calls, and the
//! echo call with a bearer MWT. Rounds interleave the servers;
//! each round starts with the next server (bare, same, mizan; same, mizan, bare; ...), so
//! none always runs right after another; every figure is the median over the rounds, and every
//! ratio the median of the rounds' own ratios (Mizan's run over the baseline's run of the same
//! round: the machine's speed drifts over seconds, alike for one round's servers), with the ratio
//! of the two medians printed beside it. Server CPU comes from `/proc/<pid>/stat`
//! (`utime + stime` of every thread), memory from `/proc/<pid>/status` (`VmRSS`, `VmHWM`).
//!
//! `bench-load accounts` (`bash scripts/bench-accounts.sh`) measures `mizan-accounts` the same
//! way instead: see [`accounts`] for the session and bearer calls and [`login`] for the cost of
//! signing in.
//!
//! `bench-load cache` measures the context cache the same way: see [`cache`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod accounts;
mod cache;
mod login;
mod report;
mod server;
mod wrk;

use mizan_benches::workloads::{SERVERS, Server, WORKLOADS as ALL_WORKLOADS, Workload, spec};
use report::fmt_us;
use server::{Running, header, request_once};
use wrk::{Run, lua_script, wrk};

type Error = Box<dyn std::error::Error>;

struct Config {
    secs: u64,
    rounds: usize,
    connections: u32,
    server_cpu: String,
    client_cpu: String,
    clock_ticks: f64,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Error> {
    let (config, server_binary) = setup()?;
    match std::env::args().nth(1).as_deref() {
        None => load(&config, &server_binary),
        Some("accounts") => accounts::run(&config, &server_binary),
        Some("cache") => cache::run(&config, &server_binary),
        Some(other) => Err(format!("usage: bench-load [accounts|cache]; not {other:?}").into()),
    }
}

/// The settings from the environment and the `load-server` next to this binary, once `wrk` and
/// `taskset` are known to be installed.
fn setup() -> Result<(Config, PathBuf), Error> {
    let clock_ticks: f64 =
        String::from_utf8(Command::new("getconf").arg("CLK_TCK").output()?.stdout)?
            .trim()
            .parse()?;
    let config = Config {
        secs: env_or("BENCH_SECS", 3),
        rounds: env_or("BENCH_ROUNDS", 5),
        connections: env_or("BENCH_CONNECTIONS", 64),
        server_cpu: env_or("BENCH_SERVER_CPU", "0".to_owned()),
        client_cpu: env_or("BENCH_CLIENT_CPU", "1".to_owned()),
        clock_ticks,
    };
    let here: PathBuf = std::env::current_exe()?
        .parent()
        .ok_or("no exe dir")?
        .to_owned();
    for tool in ["wrk", "taskset"] {
        if Command::new("which")
            .arg(tool)
            .stdout(Stdio::null())
            .status()
            .map_or(true, |s| !s.success())
        {
            return Err(
                format!("{tool} is not installed (scripts/bench-load.sh installs it)").into(),
            );
        }
    }
    Ok((config, here.join("load-server")))
}

/// The process a workload's requests to `running` go to, and the token they carry: the MWT
/// workload's Mizan requests go to `mwt`.
fn route<'a>(
    workload: Workload,
    running: &'a Running<Server>,
    token: &'a str,
    mwt: Option<(&'a Running<Server>, &'a str)>,
) -> (&'a Running<Server>, &'a str) {
    match mwt {
        Some(mwt) if workload == Workload::AuthEcho && running.server == Server::Mizan => mwt,
        _ => (running, token),
    }
}

/// `BENCH_WORKLOADS=echo,greet` runs some workloads only (to try a change quickly); `None` when
/// it is not set.
fn selected() -> Option<String> {
    std::env::var("BENCH_WORKLOADS").ok()
}

/// The load benchmark proper: the demo's Mizan server against the two axum baselines.
fn load(config: &Config, server_binary: &Path) -> Result<(), Error> {
    // The targets need every workload.
    let only = selected();
    let workloads: Vec<Workload> = ALL_WORKLOADS
        .into_iter()
        .filter(|w| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|k| k == w.key()))
        })
        .collect();
    let token = mizan_benches::workloads::token();
    // The MWT workload's Mizan figure is the framework's own verification: a Mizan app with a
    // plain `MwtAuthenticator`, as the same-work baseline verifies the token and nothing more.
    // The demo also reads each token's session from its accounts store; that cost is measured
    // by `bench-load accounts`.
    // Its memory is not in the memory table, which is the demo's.
    let mwt_token = mizan_benches::accounts::mwt_token()?;
    let mwt = if workloads.contains(&Workload::AuthEcho) {
        Some(Running::start(
            Server::Mizan,
            "mwt",
            server_binary,
            &config.server_cpu,
            Duration::ZERO,
        )?)
    } else {
        None
    };

    let mut servers = Vec::new();
    for server in SERVERS {
        servers.push(Running::start(
            server,
            server.mode(),
            server_binary,
            &config.server_cpu,
            Duration::ZERO,
        )?);
    }
    std::thread::sleep(Duration::from_millis(300));
    let idle: BTreeMap<Server, u64> = servers
        .iter()
        .map(|r| Ok((r.server, r.status_kib("VmRSS")?)))
        .collect::<Result<_, Error>>()?;

    // The ETag of greet, from Mizan itself; then every request is checked once against every
    // server before any load, so a misconfigured server cannot post a fast figure.
    let greet = spec(Workload::Greet, Server::Mizan, &token, "");
    let (_, head, _) = request_once(&servers[2].addr, &greet)?;
    let etag = header(&head, "etag").ok_or("greet has no ETag")?.to_owned();
    let dir = std::env::temp_dir().join(format!("mizan-bench-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    // The process a workload's requests go to, and the token they carry.
    let mwt_target = mwt.as_ref().map(|mwt| (mwt, mwt_token.as_str()));
    let target = |workload: Workload, running| route(workload, running, &token, mwt_target);
    let mut scripts = BTreeMap::new();
    for workload in workloads.iter().copied() {
        for running in &servers {
            let (to, token) = target(workload, running);
            let spec = spec(workload, running.server, token, &etag);
            let (status, _, body) = request_once(&to.addr, &spec)?;
            if status != spec.status
                || (status == 200
                    && !(body.contains("Hello, Ada!") || body.contains("hello, world")))
            {
                return Err(format!(
                    "{} answered {} with {status}: {body}",
                    running.server.label(),
                    workload.label()
                )
                .into());
            }
            let path = dir.join(format!("{}-{:?}.lua", running.server.mode(), workload));
            std::fs::write(&path, lua_script(&spec))?;
            scripts.insert((workload, running.server), (path, spec));
        }
    }

    println!(
        "Load benchmark: wrk -t1 -c{} -d{}s --latency on CPU {}, each server its own process on CPU {}, loopback; {} interleaved rounds, medians.",
        config.connections, config.secs, config.client_cpu, config.server_cpu, config.rounds
    );
    println!("warming up ...");
    for workload in workloads.iter().copied() {
        for running in &servers {
            let (script, spec) = &scripts[&(workload, running.server)];
            wrk(config, target(workload, running).0, script, spec, 1)?;
        }
    }

    let mut runs: BTreeMap<(Workload, Server), Vec<Run>> = BTreeMap::new();
    let mut rss_after_round: BTreeMap<Server, Vec<u64>> = BTreeMap::new();
    for round in 0..config.rounds {
        for workload in workloads.iter().copied() {
            // Each round starts with the next server, so none always runs right after another.
            for i in 0..servers.len() {
                let running = &servers[(i + round) % servers.len()];
                let (script, spec) = &scripts[&(workload, running.server)];
                let run = wrk(
                    config,
                    target(workload, running).0,
                    script,
                    spec,
                    config.secs,
                )?;
                eprintln!(
                    "round {} {:<38} {:<15} {:>9.0} req/s  p50 {:>8}  p99 {:>8}  cpu {:>5.1} µs/req",
                    round + 1,
                    workload.label(),
                    running.server.label(),
                    run.rps,
                    fmt_us(run.p50_us),
                    fmt_us(run.p99_us),
                    run.cpu_us
                );
                runs.entry((workload, running.server))
                    .or_default()
                    .push(run);
            }
        }
        for running in &servers {
            rss_after_round
                .entry(running.server)
                .or_default()
                .push(running.status_kib("VmRSS")?);
        }
    }
    let peak: BTreeMap<Server, u64> = servers
        .iter()
        .map(|r| Ok((r.server, r.status_kib("VmHWM")?)))
        .collect::<Result<_, Error>>()?;
    drop(servers);
    drop(mwt);
    let _ = std::fs::remove_dir_all(&dir);
    report::print(&report::Measured {
        workloads: &workloads,
        runs: &runs,
        idle: &idle,
        rss_after_round: &rss_after_round,
        peak: &peak,
    });
    Ok(())
}
