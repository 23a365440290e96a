//! The cost of signing in: `auth.login` over HTTP against the SQLite accounts server (its own
//! process, pinned to the server CPU) with the right password, a wrong one, and an email that
//! has no account, next to Argon2id alone in this process (pinned to the client CPU).
//!
//! The three sign-ins should cost the same: an unknown email is checked against a dummy hash
//! (`spec/PROTOCOL.md` §2.14.7), so timing tells nobody which emails have accounts. Each round
//! runs every attempt `BENCH_LOGINS` times one after the other (the latency: the median of those)
//! and again from `BENCH_LOGIN_CLIENTS` concurrent clients (the throughput, and the server CPU per
//! sign-in); figures are medians over the rounds. Each request opens its own connection, which
//! on loopback costs a tenth of a millisecond against tens for the hash. Bounded: at most
//! `BENCH_ROUNDS` rounds, and no new round starts after `BENCH_LOGIN_SECS` (120) seconds.

use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use mizan_benches::accounts::{AccountsServer, EMAIL, PASSWORD, login};
use mizan_benches::workloads::Spec;

use super::report::{fmt_us, median};
use super::server::{Running, request_once};
use super::{Config, Error, env_or};

/// One kind of sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    Right,
    WrongPassword,
    UnknownEmail,
}

const ATTEMPTS: [Attempt; 3] = [
    Attempt::Right,
    Attempt::WrongPassword,
    Attempt::UnknownEmail,
];

impl Attempt {
    fn label(self) -> &'static str {
        match self {
            Self::Right => "`auth.login`, existing email, right password",
            Self::WrongPassword => "`auth.login`, existing email, wrong password",
            Self::UnknownEmail => "`auth.login`, unknown email",
        }
    }

    fn spec(self) -> Spec {
        match self {
            Self::Right => login(EMAIL, PASSWORD),
            Self::WrongPassword => login(EMAIL, "not the password at all"),
            Self::UnknownEmail => login("nobody@bench.test", PASSWORD),
        }
    }

    /// Times one attempt; fails unless it got the answer it must (`200` with a token, or `401`
    /// for wrong credentials), so a throttled or broken sign-in cannot post a figure.
    fn once(self, addr: &str, spec: &Spec) -> Result<f64, Error> {
        let start = Instant::now();
        let (status, _, body) = request_once(addr, spec)?;
        let us = start.elapsed().as_secs_f64() * 1e6;
        let expected = match self {
            Self::Right => status == 200 && body.contains("\"token\""),
            Self::WrongPassword | Self::UnknownEmail => {
                status == 401 && body.contains("\"credentials\"")
            }
        };
        if !expected {
            return Err(format!("{} answered {status}: {body}", self.label()).into());
        }
        Ok(us)
    }
}

/// Medians of one row over the rounds.
#[derive(Default)]
struct Samples {
    latency_us: Vec<f64>,
    rps: Vec<f64>,
    cpu_us: Vec<f64>,
}

/// Runs the rounds and prints the table.
pub(super) fn run(config: &Config, server: &Running<AccountsServer>) -> Result<(), Error> {
    let count: usize = env_or::<usize>("BENCH_LOGINS", 16).max(1);
    let clients: usize = env_or::<usize>("BENCH_LOGIN_CLIENTS", 4).max(1);
    let budget = Duration::from_secs(env_or("BENCH_LOGIN_SECS", 120));
    println!();
    println!(
        "Login cost: {count} sign-ins one after the other and {count} from {clients} concurrent clients per attempt and round, server on CPU {}, this client on CPU {}; Argon2id alone {count} times per round on CPU {}; up to {} interleaved rounds, medians.",
        config.server_cpu, config.client_cpu, config.client_cpu, config.rounds
    );
    // The first unknown email builds the dummy hash; warm-up keeps that out of the figures.
    for attempt in ATTEMPTS {
        for _ in 0..2 {
            attempt.once(&server.addr, &attempt.spec())?;
        }
    }
    let mut samples: Vec<Samples> = ATTEMPTS.iter().map(|_| Samples::default()).collect();
    let (mut hash_us, mut verify_us) = (Vec::new(), Vec::new());
    let started = Instant::now();
    for round in 0..config.rounds {
        if round > 0 && started.elapsed() > budget {
            println!("(stopped after {round} rounds: BENCH_LOGIN_SECS reached)");
            break;
        }
        // One more slot than attempts: Argon2 alone takes its turn in the rotation too.
        for i in 0..=ATTEMPTS.len() {
            let slot = (i + round) % (ATTEMPTS.len() + 1);
            let Some(&attempt) = ATTEMPTS.get(slot) else {
                let (hash, verify) = argon2_alone(count)?;
                hash_us.push(hash);
                verify_us.push(verify);
                continue;
            };
            let spec = attempt.spec();
            let mut latencies = Vec::with_capacity(count);
            for _ in 0..count {
                latencies.push(attempt.once(&server.addr, &spec)?);
            }
            let row = &mut samples[slot];
            row.latency_us.push(median(latencies));
            let (rps, cpu_us) = concurrent(config, server, attempt, &spec, count, clients)?;
            row.rps.push(rps);
            row.cpu_us.push(cpu_us);
            eprintln!(
                "round {} {:<46} p50 {:>9}  {:>6.1} req/s  cpu {:>9}/login",
                round + 1,
                attempt.label(),
                fmt_us(*row.latency_us.last().unwrap_or(&0.0)),
                rps,
                fmt_us(cpu_us)
            );
        }
    }
    print(&samples, median(hash_us), median(verify_us), clients);
    Ok(())
}

/// `count` attempts from `clients` threads at once: sign-ins per second, and the server's CPU
/// time per sign-in.
fn concurrent(
    config: &Config,
    server: &Running<AccountsServer>,
    attempt: Attempt,
    spec: &Spec,
    count: usize,
    clients: usize,
) -> Result<(f64, f64), Error> {
    let addr = server.addr.as_str();
    let cpu_before = server.cpu_secs(config)?;
    let start = Instant::now();
    let done: Result<usize, String> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..clients)
            .map(|c| {
                // Client c sends every clients-th of the count.
                let mine = (c..count).step_by(clients).count();
                scope.spawn(move || {
                    for _ in 0..mine {
                        attempt.once(addr, spec).map_err(|e| e.to_string())?;
                    }
                    Ok::<usize, String>(mine)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().map_err(|_| "a client panicked".to_owned())?)
            .sum()
    });
    let done = done?;
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = server.cpu_secs(config)? - cpu_before;
    let done = done as f64;
    Ok((done / elapsed, cpu * 1e6 / done))
}

/// Medians of `count` Argon2id hashes and verifications of the benchmark password, with the
/// parameters `mizan-accounts` uses (the crate's defaults: m = 19456 KiB, t = 2, p = 1).
fn argon2_alone(count: usize) -> Result<(f64, f64), Error> {
    let argon2 = Argon2::default();
    // The salt's value does not change the work; a fixed one keeps this free of the RNG.
    let salt = SaltString::encode_b64(b"mizan-bench-salt").map_err(|e| e.to_string())?;
    let mut phc = String::new();
    let mut hashes = Vec::with_capacity(count);
    for _ in 0..count {
        let start = Instant::now();
        let hash = argon2
            .hash_password(PASSWORD.as_bytes(), &salt)
            .map_err(|e| e.to_string())?;
        hashes.push(start.elapsed().as_secs_f64() * 1e6);
        phc = hash.to_string();
    }
    let parsed = PasswordHash::new(&phc).map_err(|e| e.to_string())?;
    let mut verifies = Vec::with_capacity(count);
    for _ in 0..count {
        let start = Instant::now();
        argon2
            .verify_password(PASSWORD.as_bytes(), &parsed)
            .map_err(|e| e.to_string())?;
        verifies.push(start.elapsed().as_secs_f64() * 1e6);
    }
    Ok((median(hashes), median(verifies)))
}

fn print(samples: &[Samples], hash_us: f64, verify_us: f64, clients: usize) {
    let latency = |i: usize| median(samples[i].latency_us.clone());
    println!();
    println!(
        "| sign-in | median latency | req/s ({clients} clients) | server CPU/sign-in | latency vs right password | vs Argon2id verify alone |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (i, attempt) in ATTEMPTS.iter().enumerate() {
        let row = &samples[i];
        println!(
            "| {} | {} | {:.1} | {} | {:.2}x | {:.2}x |",
            attempt.label(),
            fmt_us(latency(i)),
            median(row.rps.clone()),
            fmt_us(median(row.cpu_us.clone())),
            latency(i) / latency(0),
            latency(i) / verify_us,
        );
    }
    for (label, us) in [
        ("Argon2id hash alone (one thread)", hash_us),
        ("Argon2id verify alone (one thread)", verify_us),
    ] {
        println!(
            "| {label} | {} | {:.1} | | {:.2}x | {:.2}x |",
            fmt_us(us),
            1e6 / us,
            us / latency(0),
            us / verify_us
        );
    }
    println!(
        "(no enumeration by timing: a wrong password takes {:.2}x and an unknown email {:.2}x the time of a right one; the hash is {:.0}% of a right sign-in)",
        latency(1) / latency(0),
        latency(2) / latency(0),
        100.0 * verify_us / latency(0)
    );
}
