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

mod report;
mod wrk;

use mizan_benches::workloads::{SERVERS, Server, Spec, WORKLOADS as ALL_WORKLOADS, Workload, spec};
use report::fmt_us;
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
    report::print(&report::Measured {
        workloads: &workloads,
        runs: &runs,
        idle: &idle,
        rss_after_round: &rss_after_round,
        peak: &peak,
    });
    Ok(())
}
