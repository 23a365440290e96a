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
//! none always runs right after another; every figure is the median over the rounds. Server CPU comes from `/proc/<pid>/stat`
//! (`utime + stime` of every thread), memory from `/proc/<pid>/status` (`VmRSS`, `VmHWM`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mizan_benches::workloads::{SERVERS, Server, Spec, WORKLOADS as ALL_WORKLOADS, Workload, spec};

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

struct Running {
    server: Server,
    child: Child,
    addr: String,
}

impl Running {
    fn start(server: Server, binary: &Path, cpu: &str) -> Result<Self, Error> {
        let mut child = Command::new("taskset")
            .args(["-c", cpu])
            .arg(binary)
            .args([server.mode(), "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("{} server did not start: {line:?}", server.mode()))?
            .to_owned();
        Ok(Self {
            server,
            child,
            addr,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `utime + stime` of the whole process, in seconds.
    fn cpu_secs(&self, config: &Config) -> Result<f64, Error> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        // Fields after the `)` that ends the command name; utime and stime are fields 14 and 15.
        let rest = stat.rsplit_once(')').ok_or("bad stat")?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: f64 = fields.get(11).ok_or("no utime")?.parse()?;
        let stime: f64 = fields.get(12).ok_or("no stime")?.parse()?;
        Ok((utime + stime) / config.clock_ticks)
    }

    /// A `VmRSS`-style field of `/proc/<pid>/status`, in KiB.
    fn status_kib(&self, field: &str) -> Result<u64, Error> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let line = status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .ok_or_else(|| format!("no {field}"))?;
        Ok(line.trim().trim_end_matches("kB").trim().parse()?)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `spec` once over a fresh connection; returns the status, headers and body.
fn request_once(addr: &str, spec: &Spec) -> Result<(u16, String, String), Error> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        spec.method,
        spec.path,
        spec.body.len()
    );
    for (name, value) in &spec.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(spec.body.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("no response head")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    Ok((status, head.to_owned(), body.to_owned()))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    cpu_us: f64,
    requests: f64,
}

fn duration_us(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1e3)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e6)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

fn parse_wrk(output: &str) -> Result<Run, Error> {
    let mut run = Run::default();
    for line in output.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            run.rps = v.trim().parse()?;
        } else if let Some(v) = line.strip_prefix("50%") {
            run.p50_us = duration_us(v).ok_or("bad p50")?;
        } else if let Some(v) = line.strip_prefix("99%") {
            run.p99_us = duration_us(v).ok_or("bad p99")?;
        } else if line.contains(" requests in ") {
            run.requests = line
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or("bad request count")?;
        } else if line.starts_with("Non-2xx or 3xx responses") || line.starts_with("Socket errors")
        {
            return Err(format!("wrk reported failures: {line}\n{output}").into());
        }
    }
    if run.rps == 0.0 || run.requests == 0.0 {
        return Err(format!("wrk output not understood:\n{output}").into());
    }
    Ok(run)
}

fn lua_script(spec: &Spec) -> String {
    let mut lua = format!("wrk.method = \"{}\"\n", spec.method);
    if !spec.body.is_empty() {
        let _ = writeln!(lua, "wrk.body = [==[{}]==]", spec.body);
    }
    for (name, value) in &spec.headers {
        let _ = writeln!(lua, "wrk.headers[\"{name}\"] = [==[{value}]==]");
    }
    lua
}

fn wrk(
    config: &Config,
    running: &Running,
    script: &Path,
    spec: &Spec,
    secs: u64,
) -> Result<Run, Error> {
    let before = running.cpu_secs(config)?;
    let output = Command::new("taskset")
        .args(["-c", &config.client_cpu, "wrk", "-t1"])
        .arg(format!("-c{}", config.connections))
        .arg(format!("-d{secs}s"))
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(format!("http://{}{}", running.addr, spec.path))
        .output()?;
    let after = running.cpu_secs(config)?;
    if !output.status.success() {
        return Err(format!("wrk failed: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    let mut run = parse_wrk(&String::from_utf8_lossy(&output.stdout))?;
    run.cpu_us = (after - before) * 1e6 / run.requests;
    Ok(run)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        f64::midpoint(values[n / 2 - 1], values[n / 2])
    }
}

fn fmt_us(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

fn fmt_int(n: f64) -> String {
    let digits = format!("{n:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn main() -> Result<(), Error> {
    // `BENCH_WORKLOADS=echo,greet` runs some workloads only (to try a change quickly); the
    // targets need them all.
    let only = std::env::var("BENCH_WORKLOADS").ok();
    let workloads: Vec<Workload> = ALL_WORKLOADS
        .into_iter()
        .filter(|w| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|k| k == w.key()))
        })
        .collect();
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
    let server_binary = here.join("load-server");
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

    let token = mizan_benches::workloads::token();

    let mut servers = Vec::new();
    for server in SERVERS {
        servers.push(Running::start(server, &server_binary, &config.server_cpu)?);
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
    let mut scripts = BTreeMap::new();
    for workload in workloads.iter().copied() {
        for running in &servers {
            let spec = spec(workload, running.server, &token, &etag);
            let (status, _, body) = request_once(&running.addr, &spec)?;
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
            wrk(&config, running, script, spec, 1)?;
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
                let run = wrk(&config, running, script, spec, config.secs)?;
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
    let _ = std::fs::remove_dir_all(&dir);

    let med = |workload: Workload, server: Server, f: fn(&Run) -> f64| {
        median(runs[&(workload, server)].iter().map(f).collect())
    };
    println!();
    println!(
        "| workload | server | req/s | p50 | p99 | server CPU/req | Mizan: req/s ratio | p99 ratio | CPU/req ratio |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for workload in workloads.iter().copied() {
        for server in SERVERS {
            let rps = med(workload, server, |r| r.rps);
            let p99 = med(workload, server, |r| r.p99_us);
            let cpu = med(workload, server, |r| r.cpu_us);
            let ratios = if server == Server::Mizan {
                " | | ".to_owned()
            } else {
                format!(
                    "{:.2}x | {:.2}x | {:.2}x",
                    med(workload, Server::Mizan, |r| r.rps) / rps,
                    med(workload, Server::Mizan, |r| r.p99_us) / p99,
                    med(workload, Server::Mizan, |r| r.cpu_us) / cpu,
                )
            };
            println!(
                "| {} | {} | {} | {} | {} | {:.1} µs | {ratios} |",
                workload.label(),
                server.label(),
                fmt_int(rps),
                fmt_us(med(workload, server, |r| r.p50_us)),
                fmt_us(p99),
                cpu,
            );
        }
    }
    println!(
        "(ratios are Mizan's figure over the row's: req/s higher is better, p99 and CPU/req lower is better)"
    );

    println!();
    println!("| server | idle RSS | RSS after each round | peak RSS (VmHWM) |");
    println!("|---|---:|---|---:|");
    for server in SERVERS {
        let rounds: Vec<String> = rss_after_round[&server]
            .iter()
            .map(|kib| format!("{:.1}", *kib as f64 / 1024.0))
            .collect();
        println!(
            "| {} | {:.1} MiB | {} MiB | {:.1} MiB |",
            server.label(),
            idle[&server] as f64 / 1024.0,
            rounds.join(" / "),
            peak[&server] as f64 / 1024.0
        );
    }

    if workloads.len() < ALL_WORKLOADS.len() {
        return Ok(());
    }
    println!();
    println!("Targets:");
    let target = |name: String, ok: bool| {
        println!("- [{}] {name}", if ok { "met" } else { "MISSED" });
    };
    for workload in [Workload::Echo, Workload::Greet] {
        let m = med(workload, Server::Mizan, |r| r.rps);
        let bare = med(workload, Server::Bare, |r| r.rps);
        let same = med(workload, Server::Same, |r| r.rps);
        let p99 = med(workload, Server::Mizan, |r| r.p99_us);
        let bare_p99 = med(workload, Server::Bare, |r| r.p99_us);
        target(
            format!(
                "{}: >= 0.90x bare req/s: {:.2}x",
                workload.label(),
                m / bare
            ),
            m / bare >= 0.9,
        );
        target(
            format!(
                "{}: p99 <= 1.20x bare: {:.2}x",
                workload.label(),
                p99 / bare_p99
            ),
            p99 / bare_p99 <= 1.2,
        );
        target(
            format!(
                "{}: >= 0.97x same-work req/s: {:.2}x",
                workload.label(),
                m / same
            ),
            m / same >= 0.97,
        );
    }
    let ok304 = med(Workload::Greet304, Server::Mizan, |r| r.rps);
    let ok200 = med(Workload::Greet, Server::Mizan, |r| r.rps);
    target(
        format!(
            "304 at least as fast as 200: {} vs {} req/s ({:.2}x)",
            fmt_int(ok304),
            fmt_int(ok200),
            ok304 / ok200
        ),
        ok304 >= ok200,
    );
    let auth = med(Workload::AuthEcho, Server::Mizan, |r| r.rps)
        / med(Workload::AuthEcho, Server::Bare, |r| r.rps);
    target(
        format!("MWT-authenticated call >= 0.85x bare: {auth:.2}x"),
        auth >= 0.85,
    );
    let batch_cpu = med(Workload::Batch8, Server::Mizan, |r| r.cpu_us);
    let calls_cpu = 8.0 * med(Workload::Echo, Server::Mizan, |r| r.cpu_us);
    target(
        format!(
            "a batch of 8 costs less server CPU than 8 calls: {batch_cpu:.1} µs vs {calls_cpu:.1} µs"
        ),
        batch_cpu < calls_cpu,
    );
    let grew: Vec<&str> = SERVERS
        .iter()
        .filter(|s| {
            let r = &rss_after_round[s];
            r.len() > 1 && r[r.len() - 1] > r[0] + r[0] / 20
        })
        .map(|s| s.label())
        .collect();
    target(
        format!(
            "no RSS growth across rounds (over 5%): {}",
            if grew.is_empty() {
                "none grew".to_owned()
            } else {
                grew.join(", ")
            }
        ),
        grew.is_empty(),
    );
    Ok(())
}
