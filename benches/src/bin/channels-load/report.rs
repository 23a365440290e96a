//! The results table: each figure beside the target, PASS or MISS, then the details
//! that explain it.

use std::time::Duration;

use crate::Config;
use crate::phases::Phase;
use crate::slow::SlowOutcome;
use crate::state::State;
use crate::system::Memory;

/// What the idle phase measured.
pub(crate) struct Idle {
    /// Sockets subscribed when connecting ended.
    pub(crate) sockets: usize,
    /// Of those, still subscribed after the idle wait.
    pub(crate) still_open: usize,
    pub(crate) connect: Duration,
    /// CPU seconds the server and the generator used while connecting.
    pub(crate) connect_cpu: (f64, f64),
    pub(crate) before: Memory,
    pub(crate) after: Memory,
    /// `/proc/net/sockstat` TCP `inuse` and `mem` (pages).
    pub(crate) sockstat_before: (u64, u64),
    pub(crate) sockstat_after: (u64, u64),
    /// [`crate::system::socket_slab_bytes`] before and after.
    pub(crate) slab_before: Option<u64>,
    pub(crate) slab_after: Option<u64>,
    pub(crate) client_before: Memory,
    pub(crate) client_after: Memory,
}

/// Everything measured.
pub(crate) struct Measured<'a> {
    pub(crate) config: &'a Config,
    /// The sockets asked for (more than `config.sockets` when the file limit did not allow it).
    pub(crate) asked: usize,
    pub(crate) idle: &'a Idle,
    pub(crate) steady: &'a Phase,
    pub(crate) saturated: &'a Phase,
    pub(crate) slow: &'a SlowOutcome,
    /// The steady phases with the slow client's burst but without it, after its phase.
    pub(crate) burst: &'a [Phase; 2],
    pub(crate) state: &'a State,
    pub(crate) server_alive: bool,
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "MISS" }
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1} ms"))
}

/// KiB per socket of the growth from `before` to `after`.
fn per_socket(before: u64, after: u64, sockets: usize) -> f64 {
    after.saturating_sub(before) as f64 / sockets.max(1) as f64
}

fn row(what: &str, target: &str, measured: &str, pass: bool) {
    println!(
        "| {what:<52} | {target:<10} | {measured:<26} | {} |",
        verdict(pass)
    );
}

fn phase_line(name: &str, phase: &Phase) {
    let secs = phase.elapsed.as_secs_f64().max(1e-9);
    println!(
        "  {name:<22} {:>5} broadcasts in {secs:>5.1} s, latency p50 {} p99 {} max {}; {:.0} deliveries/s; \
         server CPU {:.0} % ({:.2} µs/delivery), generator CPU {:.0} %; unfinished {}, repeats {}, publish errors {}{}",
        phase.broadcasts,
        ms(phase.quantile_ms(0.5)),
        ms(phase.quantile_ms(0.99)),
        ms(phase.quantile_ms(1.0)),
        phase.deliveries_per_sec(),
        100.0 * phase.server_cpu / secs,
        1e6 * phase.server_cpu / (phase.deliveries.max(1) as f64),
        100.0 * phase.client_cpu / secs,
        phase.unfinished,
        phase.repeats,
        phase.publish_errors.0,
        phase
            .publish_errors
            .1
            .as_deref()
            .map_or(String::new(), |e| format!(" (first: {e})")),
    );
}

/// The server's memory per idle socket: `Rss`, `Pss` and `Anonymous`, in KiB.
fn idle_memory(idle: &Idle) -> (f64, f64, f64) {
    (
        per_socket(idle.before.rss, idle.after.rss, idle.sockets),
        per_socket(idle.before.pss, idle.after.pss, idle.sockets),
        per_socket(idle.before.anonymous, idle.after.anonymous, idle.sockets),
    )
}

/// Prints the idle sockets' figures only (`BENCH_IDLE_ONLY`).
pub(crate) fn print_idle(config: &Config, asked: usize, idle: &Idle) {
    let (rss, pss, anonymous) = idle_memory(idle);
    println!(
        "{} of {asked} sockets held (asked {}); server memory per idle socket: Rss {rss:.2} KiB, Pss {pss:.2} KiB, Anonymous {anonymous:.2} KiB",
        idle.still_open, config.sockets
    );
    print_idle_details(config, idle);
}

fn print_idle_details(config: &Config, idle: &Idle) {
    let buffers = per_socket(idle.sockstat_before.1, idle.sockstat_after.1, idle.sockets) * 4.0;
    let slab = match (idle.slab_before, idle.slab_after) {
        (Some(before), Some(after)) => {
            format!(
                "{:.2} KiB",
                per_socket(before, after, idle.sockets) / 1024.0
            )
        }
        _ => "n/a (no /proc/slabinfo)".to_owned(),
    };
    println!(
        "  connect: {} sockets subscribed in {:.1} s ({:.0}/s; CPU: server {:.1} s, generator {:.1} s), {} per 127.0.0.x source, {} handshakes at a time",
        idle.sockets,
        idle.connect.as_secs_f64(),
        idle.sockets as f64 / idle.connect.as_secs_f64().max(1e-9),
        idle.connect_cpu.0,
        idle.connect_cpu.1,
        config.per_source,
        config.concurrency
    );
    println!(
        "  server memory (KiB): Rss {} -> {}, Pss {} -> {}, Anonymous {} -> {}",
        idle.before.rss,
        idle.after.rss,
        idle.before.pss,
        idle.after.pss,
        idle.before.anonymous,
        idle.after.anonymous
    );
    println!(
        "  kernel memory per connection (both ends of the loopback connection, not in the figure above): \
         {slab} of socket slabs (TCP, sock_inode_cache, filp, dentry, eventpoll), {buffers:.2} KiB of \
         buffers (sockstat mem {} -> {} pages); TCP sockets in use {} -> {}",
        idle.sockstat_before.1,
        idle.sockstat_after.1,
        idle.sockstat_before.0,
        idle.sockstat_after.0
    );
    println!(
        "  generator memory: Rss {} -> {} KiB ({:.2} KiB per socket)",
        idle.client_before.rss,
        idle.client_after.rss,
        per_socket(idle.client_before.rss, idle.client_after.rss, idle.sockets)
    );
}

/// Prints the table and the details.
pub(crate) fn print(m: &Measured<'_>) {
    let idle = m.idle;
    let (rss, pss, anonymous) = idle_memory(idle);
    let p99 = m.steady.quantile_ms(0.99);
    let slow_p99 = m.slow.phase.quantile_ms(0.99);
    // Without the slow client: the two phases with its burst but not it.
    let [first, second] = m.burst.each_ref().map(|phase| phase.quantile_ms(0.99));
    let without = match (first, second) {
        (Some(first), Some(second)) => Some((first + second) / 2.0),
        _ => None,
    };
    let ratio = match (slow_p99, without) {
        (Some(with), Some(without)) if without > 0.0 => Some(with / without),
        _ => None,
    };
    let noise = match (first, second, without) {
        (Some(first), Some(second), Some(mean)) if mean > 0.0 => (first - second).abs() / mean,
        _ => f64::NAN,
    };
    let close_code = m.slow.slow.closed.as_ref().and_then(|(code, _)| *code);

    println!();
    println!("| measure | target | measured | |");
    println!("|---|---|---|---|");
    row(
        "idle subscribed sockets held",
        ">= 100000",
        &format!("{} of {}", idle.still_open, m.asked),
        idle.still_open >= 100_000 && idle.still_open == idle.sockets,
    );
    row(
        "server memory per idle socket (smaps_rollup Rss)",
        "<= 8 KiB",
        &format!("{rss:.2} KiB (Pss {pss:.2}, anon {anonymous:.2})"),
        rss <= 8.0,
    );
    row(
        &format!(
            "broadcast of 200 B to {}, publish -> last read, p99",
            m.config.fanout
        ),
        "< 30 ms",
        &format!("{} (p50 {})", ms(p99), ms(m.steady.quantile_ms(0.5))),
        p99.is_some_and(|v| v < 30.0) && m.steady.unfinished == 0,
    );
    row(
        "deliveries per second at saturation",
        ">= 300000",
        &format!("{:.0}", m.saturated.deliveries_per_sec()),
        m.saturated.deliveries_per_sec() >= 300_000.0,
    );
    row(
        "others' p99 with one slow client / without",
        "<= 1.10",
        &ratio.map_or_else(
            || "n/a".to_owned(),
            |r| {
                format!(
                    "{r:.2} ({} vs {}; noise {:.0} %)",
                    ms(slow_p99),
                    ms(without),
                    100.0 * noise
                )
            },
        ),
        ratio.is_some_and(|r| r <= 1.10),
    );
    row(
        "slow client closed by the server with 4001",
        "4001",
        &format!("{close_code:?}"),
        close_code == Some(4001),
    );
    println!();

    println!("Details:");
    print_idle_details(m.config, idle);
    println!(
        "  message frame: {} bytes of JSON (data 200 bytes); steady: one broadcast to the hot room every {} ms, \
         or once the previous one reached every subscriber if later",
        m.state.message_bytes,
        m.config.interval.as_millis()
    );
    phase_line("steady", m.steady);
    phase_line(
        &format!("saturated (window {})", m.config.window),
        m.saturated,
    );
    phase_line("steady + slow client", &m.slow.phase);
    phase_line("steady + burst, no slow client", &m.burst[0]);
    phase_line("the same again", &m.burst[1]);
    match m.slow.server_dropped {
        Some((at, sent)) => println!(
            "  slow client (receive buffer {} B, {} messages to its own room, {} a second): the server dropped its connection {at:.1} s into the phase, after {sent} broadcasts; it had read {} messages, then {:?}",
            m.config.slow_recv_buffer,
            m.slow.burst,
            m.config.slow_burst,
            m.slow.slow.messages,
            m.slow.slow.closed
        ),
        None => println!(
            "  slow client (receive buffer {} B, {} messages to its own room, {} a second): the server did NOT drop it within {} s; it read {} messages, then {:?}",
            m.config.slow_recv_buffer,
            m.slow.burst,
            m.config.slow_burst,
            m.config.slow_secs,
            m.slow.slow.messages,
            m.slow.slow.closed
        ),
    }
    println!(
        "  sockets closed during the run: {} {:?}; unexpected frames: {} {:?}; idle rooms got {} messages; server {}",
        m.state.closed,
        m.state.close_reasons,
        m.state.unexpected,
        m.state.unexpected_frames,
        m.state.cold_messages,
        if m.server_alive {
            "still running"
        } else {
            "EXITED"
        }
    );
}
