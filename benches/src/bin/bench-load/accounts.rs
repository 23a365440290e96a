//! `bench-load accounts`: the `auth` echo call with a session cookie (store in SQLite, in
//! PostgreSQL), with a bearer MWT through the accounts authenticator (SQLite store), and with a
//! bearer MWT through a plain `MwtAuthenticator` (no store), the baseline of the ratios; the bare
//! axum echo handler for reference. Then the cost of signing in ([`super::login`]).
//!
//! Every server is its own process pinned to the server CPU, `wrk` is pinned to the client CPU,
//! and so is this process (the login measurement is its own client). The cookie and the token
//! come from `auth.login` over HTTP, the token from the SQLite server (the MWT-only server shares
//! its keys). `BENCH_WORKLOADS` picks cases by key (`session-sqlite`, `session-postgres`,
//! `bearer-sqlite`, `bearer-mwt`, `bare`, `login`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use mizan_benches::accounts::{self, AccountsServer, EMAIL, PASSWORD};
use mizan_benches::workloads::{Server, Spec, Workload, spec};

use super::report::{fmt_int, fmt_ratio, fmt_us, median, paired_ratio};
use super::server::{Running, header, request_once, stat_ticks};
use super::wrk::{Run, lua_script, wrk};
use super::{Config, Error};

/// One row of the table: a credential and the server that checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Case {
    SessionSqlite,
    SessionPostgres,
    BearerSqlite,
    BearerMwt,
    Bare,
}

/// Every case, in table order; rounds rotate through them.
const CASES: [Case; 5] = [
    Case::SessionSqlite,
    Case::SessionPostgres,
    Case::BearerSqlite,
    Case::BearerMwt,
    Case::Bare,
];

/// What every case's rounds measured.
type Runs = BTreeMap<Case, Vec<Run>>;

/// The case the ratios are against.
const BASELINE: Case = Case::BearerMwt;

impl Case {
    fn key(self) -> &'static str {
        match self {
            Self::SessionSqlite => "session-sqlite",
            Self::SessionPostgres => "session-postgres",
            Self::BearerSqlite => "bearer-sqlite",
            Self::BearerMwt => "bearer-mwt",
            Self::Bare => "bare",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::SessionSqlite | Self::SessionPostgres => "`auth` echo call, session cookie",
            Self::BearerSqlite | Self::BearerMwt => "`auth` echo call, `Bearer` MWT",
            Self::Bare => "echo call, no credentials",
        }
    }

    fn server(self) -> AccountsServer {
        match self {
            Self::SessionSqlite | Self::BearerSqlite => AccountsServer::Sqlite,
            Self::SessionPostgres => AccountsServer::Postgres,
            Self::BearerMwt => AccountsServer::Mwt,
            Self::Bare => AccountsServer::Bare,
        }
    }
}

/// What `auth.login` gave: the session cookie's value, the token and the user's id.
struct SignedIn {
    session: String,
    token: String,
    user: String,
}

/// Signs the benchmark user in on `server` over HTTP.
fn sign_in(server: &Running<AccountsServer>) -> Result<SignedIn, Error> {
    let (status, head, body) = request_once(&server.addr, &accounts::login(EMAIL, PASSWORD))?;
    if status != 200 {
        return Err(format!(
            "auth.login on {} answered {status}: {body}",
            server.server.label()
        )
        .into());
    }
    let session = header(&head, "set-cookie")
        .and_then(|c| {
            c.strip_prefix(mizan_accounts::SESSION_COOKIE)?
                .strip_prefix('=')
        })
        .and_then(|c| c.split(';').next())
        .filter(|c| !c.is_empty())
        .ok_or("auth.login set no session cookie")?;
    let json: serde_json::Value = serde_json::from_str(&body)?;
    let field = |value: &serde_json::Value| {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("auth.login answered {body}"))
    };
    Ok(SignedIn {
        session: session.to_owned(),
        token: field(&json["token"]["token"])?,
        user: field(&json["user"]["id"])?,
    })
}

/// Pins this process (every thread) to `cpu`, so that it never competes with the server.
fn pin_self(cpu: &str) -> Result<(), Error> {
    let pinned = Command::new("taskset")
        .args(["-a", "-p", "-c", cpu, &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status()?;
    if !pinned.success() {
        return Err(format!("taskset could not pin the benchmark to CPU {cpu}").into());
    }
    Ok(())
}

/// Runs the accounts cases and the login measurement that `BENCH_WORKLOADS` selects.
pub(super) fn run(config: &Config, binary: &Path) -> Result<(), Error> {
    pin_self(&config.client_cpu)?;
    let only = super::selected();
    let wanted = |key: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|k| k == key))
    };
    let cases: Vec<Case> = CASES.into_iter().filter(|c| wanted(c.key())).collect();
    let measure_login = wanted("login");
    // The SQLite server signs in for every token, and the login measurement runs against it.
    let mut needed: Vec<AccountsServer> = cases.iter().map(|c| c.server()).collect();
    if measure_login || cases.contains(&Case::BearerMwt) {
        needed.push(AccountsServer::Sqlite);
    }
    needed.sort();
    needed.dedup();
    let mut servers: BTreeMap<AccountsServer, Running<AccountsServer>> = BTreeMap::new();
    for server in needed {
        // Time for an accounts server to remove its database once told to stop.
        let grace = match server {
            AccountsServer::Sqlite | AccountsServer::Postgres => Duration::from_secs(10),
            AccountsServer::Bare | AccountsServer::Mwt => Duration::ZERO,
        };
        let running = Running::start(server, server.mode(), binary, &config.server_cpu, grace)?;
        servers.insert(server, running);
    }

    let mut signed_in = BTreeMap::new();
    for server in [AccountsServer::Sqlite, AccountsServer::Postgres] {
        if let Some(running) = servers.get(&server) {
            signed_in.insert(server, sign_in(running)?);
        }
    }
    let sqlite = || {
        signed_in
            .get(&AccountsServer::Sqlite)
            .ok_or("no SQLite sign-in")
    };
    // Each request is checked once before any load: a 200 from the right user, so that a
    // credential that does not authenticate cannot post a fast figure.
    let dir = std::env::temp_dir().join(format!("mizan-bench-accounts-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut scripts: BTreeMap<Case, (std::path::PathBuf, Spec)> = BTreeMap::new();
    for case in cases.iter().copied() {
        let (spec, expected) = match case {
            Case::SessionSqlite => {
                let s = sqlite()?;
                (accounts::echo_with_cookie(&s.session), s.user.clone())
            }
            Case::SessionPostgres => {
                let s = signed_in
                    .get(&AccountsServer::Postgres)
                    .ok_or("no PostgreSQL sign-in")?;
                (accounts::echo_with_cookie(&s.session), s.user.clone())
            }
            Case::BearerSqlite | Case::BearerMwt => {
                let s = sqlite()?;
                (accounts::echo_with_token(&s.token), s.user.clone())
            }
            Case::Bare => (spec(Workload::Echo, Server::Bare, "", ""), String::new()),
        };
        let running = &servers[&case.server()];
        let (status, _, body) = request_once(&running.addr, &spec)?;
        let user_field = format!("\"user\":\"{expected}\"");
        let right_user = case == Case::Bare || body.contains(&user_field);
        if status != 200 || !body.contains("hello, world") || !right_user {
            return Err(format!(
                "{} answered {} with {status}: {body}",
                running.server.label(),
                case.key()
            )
            .into());
        }
        let path = dir.join(format!("{}.lua", case.key()));
        std::fs::write(&path, lua_script(&spec))?;
        scripts.insert(case, (path, spec));
    }

    if !cases.is_empty() {
        let (runs, postgres_cpu_us) = load(config, &cases, &servers, &scripts)?;
        print(&cases, &runs);
        if !postgres_cpu_us.is_empty() {
            println!(
                "PostgreSQL's own processes (not pinned, on either CPU) used a further {:.1} µs of CPU per session call (median), which server CPU/req leaves out; SQLite runs inside the server process and is counted.",
                median(postgres_cpu_us)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if measure_login {
        let sqlite = servers
            .remove(&AccountsServer::Sqlite)
            .ok_or("no SQLite server")?;
        // The other servers stop first, so that nothing else runs while logins are timed.
        drop(servers);
        super::login::run(config, &sqlite)?;
    }
    Ok(())
}

/// Warms every case up, then runs the rounds, each starting with the next case.
fn load(
    config: &Config,
    cases: &[Case],
    servers: &BTreeMap<AccountsServer, Running<AccountsServer>>,
    scripts: &BTreeMap<Case, (std::path::PathBuf, Spec)>,
) -> Result<(Runs, Vec<f64>), Error> {
    println!(
        "Accounts load benchmark: wrk -t1 -c{} -d{}s --latency on CPU {}, each server its own process on CPU {}, loopback; {} interleaved rounds, medians.",
        config.connections, config.secs, config.client_cpu, config.server_cpu, config.rounds
    );
    println!("warming up ...");
    for case in cases {
        let (script, spec) = &scripts[case];
        wrk(config, &servers[&case.server()], script, spec, 1)?;
    }
    let mut runs = Runs::new();
    let mut postgres_cpu_us = Vec::new();
    for round in 0..config.rounds {
        for i in 0..cases.len() {
            let case = cases[(i + round) % cases.len()];
            let (script, spec) = &scripts[&case];
            let running = &servers[&case.server()];
            let postgres = case == Case::SessionPostgres;
            let before = if postgres {
                postgres_cpu_secs(config)
            } else {
                0.0
            };
            let run = wrk(config, running, script, spec, config.secs)?;
            if postgres {
                postgres_cpu_us.push((postgres_cpu_secs(config) - before) * 1e6 / run.requests);
            }
            eprintln!(
                "round {} {:<34} {:<38} {:>9.0} req/s  p50 {:>8}  p99 {:>8}  cpu {:>5.1} µs/req",
                round + 1,
                case.label(),
                running.server.label(),
                run.rps,
                fmt_us(run.p50_us),
                fmt_us(run.p99_us),
                run.cpu_us
            );
            runs.entry(case).or_default().push(run);
        }
    }
    Ok((runs, postgres_cpu_us))
}

/// `utime + stime`, in seconds, of every process named `postgres` (the server and its
/// backends): PostgreSQL is not pinned and is not the server process, so its share of the
/// session call is measured apart.
fn postgres_cpu_secs(config: &Config) -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let ticks: f64 = entries
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path().join("stat")).ok())
        .filter_map(|stat| match stat_ticks(&stat)? {
            ("postgres", ticks) => Some(ticks),
            _ => None,
        })
        .sum();
    ticks / config.clock_ticks
}

/// The table of medians, with ratios to the `MwtAuthenticator` case when it ran.
fn print(cases: &[Case], runs: &Runs) {
    let med = |case: Case, f: fn(&Run) -> f64| median(runs[&case].iter().map(f).collect());
    println!();
    println!(
        "| workload | server | req/s | p50 | p99 | server CPU/req | vs MWT alone: req/s ratio | p99 ratio | CPU/req ratio |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases.iter().copied() {
        let rps = med(case, |r| r.rps);
        let p99 = med(case, |r| r.p99_us);
        let cpu = med(case, |r| r.cpu_us);
        // Round by round, as the main benchmark's ratios (see `report::paired_ratio`): the cases
        // of one round run one after the other, at the same moment of the machine.
        let paired = |f: fn(&Run) -> f64| paired_ratio(&runs[&case], &runs[&BASELINE], f);
        let ratios = if case == BASELINE || !runs.contains_key(&BASELINE) {
            " | | ".to_owned()
        } else {
            format!(
                "{} | {} | {}",
                fmt_ratio(paired(|r| r.rps), rps / med(BASELINE, |r| r.rps)),
                fmt_ratio(paired(|r| r.p99_us), p99 / med(BASELINE, |r| r.p99_us)),
                fmt_ratio(paired(|r| r.cpu_us), cpu / med(BASELINE, |r| r.cpu_us)),
            )
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.1} µs | {ratios} |",
            case.label(),
            case.server().label(),
            fmt_int(rps),
            fmt_us(med(case, |r| r.p50_us)),
            fmt_us(p99),
            cpu,
        );
    }
    println!(
        "(ratios are the row's figure over the `MwtAuthenticator` row's: the cost of the store lookup; req/s higher is better, p99 and CPU/req lower is better; each is the median of the rounds' own ratios, and in parentheses the ratio of the two medians)"
    );
}
