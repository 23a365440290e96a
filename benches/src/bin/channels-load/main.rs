//! The channels load benchmark (issue 11): `channels-server` in its own process pinned to one
//! core, this generator pinned to the other (by `scripts/bench-channels.sh`), over loopback.
//!
//! One run, bounded in time:
//! 1. raise the file limit (and `fs.nr_open` if needed), start the server, read its memory;
//! 2. open `BENCH_SOCKETS` (100,000) WebSockets from 127.0.0.2, 127.0.0.3, ... (bound before the
//!    connect, `BENCH_PER_SOURCE` per address, so the ephemeral ports of one address do not run
//!    out), each subscribed to `bench`: the first `BENCH_FANOUT` (10,000) to the hot room, the
//!    others to rooms of `BENCH_GROUP_SIZE` (1,000);
//! 3. let them idle, read the server's memory again (`/proc/<pid>/smaps_rollup`; the kernel's
//!    socket memory from `/proc/net/sockstat` apart);
//! 4. keep `BENCH_WINDOW` (8) broadcasts to the hot room in flight for `BENCH_SECS` (10) s:
//!    deliveries per second (this also warms the server up for what follows);
//! 5. broadcast a 200-byte message to the hot room every `BENCH_INTERVAL_MS` (50) ms, or once
//!    the previous one reached every subscriber if that is later, for `BENCH_SECS`: latency
//!    from the publish (the server's `CLOCK_REALTIME`, in the message) to the read by the last
//!    subscriber, of one broadcast at a time (a backlog is the saturated phase's);
//! 6. the steady broadcasts again with one more hot subscriber that stops reading, until the
//!    server drops it (at most `BENCH_SLOW_SECS`, 40: less than the idle timeout, so a close
//!    for idleness cannot pass for one for slowness): the others' p99, and its close code. The
//!    slow client also follows a room of its own, where `BENCH_SLOW_BURST` (4000) messages are
//!    published every second until the server drops it (40,000 at most): the hot room's pace
//!    alone (10 to 20 a second) would take minutes to pass the server's outbound limit of 1024
//!    frames plus what the kernel buffers (up to 4 MiB);
//! 7. twice, the steady broadcasts with the same burst (as many seconds of it as step 6 had) to
//!    that room, where nobody listens now. The slow client's p99 is compared with the mean of
//!    these two p99s, so that the one difference is the slow client itself, not the publishing
//!    that fills its queue quickly; their difference is the run's own noise.
//!
//! `BENCH_IDLE_ONLY=1` stops after step 3 (to profile the server's memory, with `BENCH_SERVER`
//! naming a wrapper that runs it under the profiler and `BENCH_SERVER_GRACE` the seconds to let
//! it exit).
//!
//! Every broadcast is a call to the server's `bench.publish`, so publishing costs the server's
//! CPU. The generator is one epoll loop (mio) with a hand-written RFC 6455 client (see [`ws`]),
//! so it holds 100,000 sockets in a few dozen MiB and reads a frame in a few microseconds.

use std::path::PathBuf;
use std::time::Duration;

mod conn;
mod fleet;
mod phases;
mod publisher;
mod report;
mod server;
mod slow;
mod state;
mod system;
mod tracker;
mod ws;

use fleet::Fleet;
use phases::{Bench, HOT_ROOM};
use publisher::Publisher;
use server::Server;
use state::State;

type Error = Box<dyn std::error::Error>;

/// Descriptors each process keeps for other than the benchmark's sockets.
const FD_MARGIN: usize = 200;

/// The run's settings, from the environment.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    sockets: usize,
    fanout: usize,
    group_size: usize,
    per_source: usize,
    concurrency: usize,
    connect_timeout: u64,
    interval: Duration,
    secs: u64,
    slow_secs: u64,
    slow_burst: u32,
    window: usize,
    slow_recv_buffer: usize,
    server_cpu: String,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

impl Config {
    fn from_env() -> Result<Self, Error> {
        let config = Self {
            sockets: env_or("BENCH_SOCKETS", 100_000),
            fanout: env_or("BENCH_FANOUT", 10_000),
            group_size: env_or("BENCH_GROUP_SIZE", 1_000).max(1),
            per_source: env_or("BENCH_PER_SOURCE", 20_000).max(1),
            concurrency: env_or("BENCH_CONCURRENCY", 256).max(1),
            connect_timeout: env_or("BENCH_CONNECT_SECS", 150),
            interval: Duration::from_millis(env_or("BENCH_INTERVAL_MS", 50).max(1)),
            secs: env_or("BENCH_SECS", 10),
            slow_secs: env_or("BENCH_SLOW_SECS", 40),
            slow_burst: env_or("BENCH_SLOW_BURST", 4000),
            window: env_or("BENCH_WINDOW", 8).max(1),
            slow_recv_buffer: env_or("BENCH_SLOW_RCVBUF", 4096),
            server_cpu: env_or("BENCH_SERVER_CPU", "0".to_owned()),
        };
        if config.fanout > config.sockets {
            return Err("BENCH_FANOUT is more than BENCH_SOCKETS".into());
        }
        if config.per_source > 30_000 {
            return Err("BENCH_PER_SOURCE is at most 30,000 (source ports 2100 to 32099)".into());
        }
        Ok(config)
    }

    /// The rooms: the hot one, then the idle ones.
    fn rooms(&self) -> Vec<String> {
        let idle = (self.sockets - self.fanout).div_ceil(self.group_size);
        std::iter::once(HOT_ROOM.to_owned())
            .chain((0..idle).map(|i| format!("idle-{i}")))
            .collect()
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("channels-load: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Error> {
    let mut config = Config::from_env()?;
    let asked = config.sockets;
    let (limit, raised) = system::raise_file_limit(config.sockets as u64 + 20_000)?;
    // Each process holds one descriptor per socket, plus a few of its own.
    let room = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_sub(FD_MARGIN);
    if config.sockets > room {
        eprintln!(
            "channels-load: WARNING: the file limit is {limit} ({raised}): running with {room} sockets, not {asked}"
        );
        config.sockets = room;
        config.fanout = config.fanout.min(room);
    }
    let affinity = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find_map(|l| {
            l.strip_prefix("Cpus_allowed_list:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    let load_before = system::machine_load();
    // `BENCH_SERVER` runs another server binary (taking the same argument and printing the
    // same first line), such as a baseline.
    let binary: PathBuf = match std::env::var_os("BENCH_SERVER") {
        Some(path) => path.into(),
        None => std::env::current_exe()?
            .parent()
            .ok_or("no exe dir")?
            .join("channels-server"),
    };
    let server = Server::start(&binary, &config.server_cpu)?;
    let publisher = Publisher::spawn(server.addr);
    let fleet = Fleet::new(
        server.addr,
        "/api/mizan/ws",
        "bench",
        &config.rooms(),
        phases::SLOW_ROOM,
    )?;
    let mut bench = Bench {
        config: config.clone(),
        server,
        fleet,
        state: State::default(),
        publisher,
        clock_ticks: system::clock_ticks()?,
        port_skips: 0,
    };
    println!(
        "Channels benchmark: server {} on CPU {}, generator (pid {}) on CPU {affinity}, loopback; file limit {limit}{}",
        bench.server.addr,
        config.server_cpu,
        std::process::id(),
        if raised.is_empty() {
            String::new()
        } else {
            format!(" ({raised})")
        }
    );
    println!("machine before: {load_before}");

    // A publish before any subscriber: the call works and the message has the size asked for.
    bench.publisher.publish("warm-up", 1);
    match bench.publisher.wait(Duration::from_secs(10)) {
        Some((_, Ok(_))) => {}
        Some((_, Err(e))) => return Err(format!("bench.publish failed: {e}").into()),
        None => return Err("bench.publish did not answer in 10 s".into()),
    }
    std::thread::sleep(Duration::from_millis(300));
    let memory_before = system::memory(bench.server.pid())?;
    let sockstat_before = system::tcp_sockstat()?;
    let slab_before = system::socket_slab_bytes();
    let client_memory_before = system::memory(std::process::id())?;

    eprintln!("connecting {} sockets ...", config.sockets);
    let cpu_before = bench.cpu()?;
    let connect = bench.connect_all()?;
    let cpu_after = bench.cpu()?;
    let subscribed = bench.state.subscribed;
    eprintln!("idling 3 s ...");
    bench.idle(Duration::from_secs(3))?;
    let idle = report::Idle {
        sockets: subscribed,
        still_open: bench.state.subscribed,
        connect,
        connect_cpu: (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1),
        before: memory_before,
        after: system::memory(bench.server.pid())?,
        sockstat_before,
        sockstat_after: system::tcp_sockstat()?,
        slab_before,
        slab_after: system::socket_slab_bytes(),
        client_before: client_memory_before,
        client_after: system::memory(std::process::id())?,
    };

    if std::env::var_os("BENCH_IDLE_ONLY").is_some() {
        // For a memory profile of the server: the idle sockets only.
        report::print_idle(&config, asked, &idle);
        return Ok(());
    }
    // Saturation first: it also warms the server (queues, allocator) so that the three steady
    // phases after it are alike but for the slow client.
    eprintln!("saturating ...");
    let saturated = bench.saturate()?;
    eprintln!("steady broadcasts ...");
    let steady = bench.latency()?;
    eprintln!("steady broadcasts with a slow client ...");
    let slow = bench.slow_client()?;
    eprintln!("steady broadcasts with the slow client's burst, without it (twice) ...");
    let burst = [
        bench.burst_without_slow_client(slow.burst_seconds)?,
        bench.burst_without_slow_client(slow.burst_seconds)?,
    ];
    let server_alive = !bench.server.exited();
    let load_after = system::machine_load();

    report::print(&report::Measured {
        config: &config,
        asked,
        idle: &idle,
        steady: &steady,
        saturated: &saturated,
        slow: &slow,
        burst: &burst,
        state: &bench.state,
        server_alive,
    });
    println!("machine after: {load_after}");
    bench.fleet.close_all();
    Ok(())
}
