//! The phases of the run: connecting every socket, idling, broadcasting at a steady rate (with
//! and without a slow client), and broadcasting as fast as the subscribers take it.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant};

use crate::fleet::Fleet;
use crate::publisher::{Published, Publisher};
use crate::server::Server;
use crate::state::{HOT, State};
use crate::system;
use crate::tracker::Tracker;
use crate::{Config, Error};

/// The first source port of each 127.0.0.x address.
const FIRST_PORT: u16 = 2100;

/// The room whose 10,000 subscribers every broadcast goes to.
pub(crate) const HOT_ROOM: &str = "hot";
/// The slow client's own room, where a burst fills its outbound queue.
pub(crate) const SLOW_ROOM: &str = "slow";

/// What one broadcasting phase measured.
#[derive(Debug, Default)]
pub(crate) struct Phase {
    /// Broadcasts asked for.
    pub(crate) broadcasts: u64,
    /// Publish-to-last-read latency of each finished broadcast, in ns.
    pub(crate) latencies_ns: Vec<u64>,
    /// Offsets the publish calls answered.
    pub(crate) published: Vec<u64>,
    /// Published broadcasts some subscriber had not read at the end of the drain time.
    pub(crate) unfinished: usize,
    /// `message` frames read during the phase (the drain apart).
    pub(crate) deliveries: u64,
    /// Repeated frames (must be 0).
    pub(crate) repeats: u64,
    /// Publish calls that failed, with the first error.
    pub(crate) publish_errors: (u64, Option<String>),
    /// How long the phase ran.
    pub(crate) elapsed: Duration,
    /// CPU seconds the server and the generator used during the phase.
    pub(crate) server_cpu: f64,
    pub(crate) client_cpu: f64,
}

impl Phase {
    /// The `q` latency quantile in ms.
    pub(crate) fn quantile_ms(&self, q: f64) -> Option<f64> {
        crate::tracker::quantile_ms(&self.latencies_ns, q)
    }

    /// `message` frames read per second.
    pub(crate) fn deliveries_per_sec(&self) -> f64 {
        self.deliveries as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Everything the run drives.
pub(crate) struct Bench {
    pub(crate) config: Config,
    pub(crate) server: Server,
    pub(crate) fleet: Fleet,
    pub(crate) state: State,
    pub(crate) publisher: Publisher,
    pub(crate) clock_ticks: f64,
    /// Source ports skipped because something else held them.
    pub(crate) port_skips: usize,
}

impl Bench {
    /// One turn of the loop, events handled.
    pub(crate) fn turn(&mut self, timeout: Duration) -> Result<(), Error> {
        let state = &mut self.state;
        self.fleet.turn(timeout, &mut |token, group, event, at| {
            state.on_event(token, group, event, at);
        })?;
        Ok(())
    }

    /// The source of socket `i`: `per_source` sockets per address from 127.0.0.2 on, each on its
    /// own port from [`FIRST_PORT`] (below the ephemeral range; a port some wildcard listener
    /// holds is skipped, moving the later ones up).
    fn source(&self, i: usize) -> SocketAddrV4 {
        let n = 2 + i / self.config.per_source;
        let port = FIRST_PORT as usize + i % self.config.per_source + self.port_skips;
        SocketAddrV4::new(
            Ipv4Addr::new(127, 0, (n / 256) as u8, (n % 256) as u8),
            u16::try_from(port).unwrap_or(u16::MAX),
        )
    }

    /// Connects socket `i`, skipping source ports in use.
    pub(crate) fn connect(
        &mut self,
        i: usize,
        group: u32,
        recv_buffer: Option<usize>,
    ) -> Result<usize, Error> {
        loop {
            let source = self.source(i);
            match self.fleet.connect(source, group, recv_buffer) {
                Ok(token) => return Ok(token),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && self.port_skips < 1000 => {
                    self.port_skips += 1;
                }
                Err(e) => return Err(format!("connect from {source}: {e}").into()),
            }
        }
    }

    /// The group of socket `i`: the first `fanout` in the hot room, the others in rooms of
    /// `group_size`.
    fn group(&self, i: usize) -> u32 {
        if i < self.config.fanout {
            HOT
        } else {
            1 + ((i - self.config.fanout) / self.config.group_size) as u32
        }
    }

    /// Opens and subscribes `config.sockets` sockets, `config.concurrency` handshakes at a time.
    /// Returns how long it took.
    pub(crate) fn connect_all(&mut self) -> Result<Duration, Error> {
        let total = self.config.sockets;
        let start = Instant::now();
        let deadline = start + Duration::from_secs(self.config.connect_timeout);
        let mut started = 0usize;
        let mut reported = 0usize;
        loop {
            let settled = self.state.subscribed + self.state.closed;
            if started == total && settled >= total {
                break;
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "only {} of {total} sockets subscribed within {} s ({} closed: {:?})",
                    self.state.subscribed,
                    self.config.connect_timeout,
                    self.state.closed,
                    self.state.close_reasons
                )
                .into());
            }
            if self.state.closed > 100.max(total / 100) {
                return Err(format!(
                    "{} sockets failed to subscribe: {:?}",
                    self.state.closed, self.state.close_reasons
                )
                .into());
            }
            let mut in_flight = started - settled;
            while started < total && in_flight < self.config.concurrency {
                self.connect(started, self.group(started), None)?;
                started += 1;
                in_flight += 1;
            }
            if self.state.subscribed >= reported + 20_000 {
                reported = self.state.subscribed;
                eprintln!(
                    "  {reported} subscribed ({:.1} s)",
                    start.elapsed().as_secs_f64()
                );
            }
            self.turn(Duration::from_millis(10))?;
        }
        Ok(start.elapsed())
    }

    /// Keeps the loop turning (answering the server's pings) for `wait`.
    pub(crate) fn idle(&mut self, wait: Duration) -> Result<(), Error> {
        let end = Instant::now() + wait;
        while Instant::now() < end {
            self.turn(end.saturating_duration_since(Instant::now()))?;
        }
        Ok(())
    }

    /// CPU seconds used so far by the server and by the generator.
    pub(crate) fn cpu(&self) -> Result<(f64, f64), Error> {
        Ok((
            system::cpu_secs(self.server.pid(), self.clock_ticks)?,
            system::cpu_secs(std::process::id(), self.clock_ticks)?,
        ))
    }

    /// Takes the results of the publish calls finished so far; returns how many failed.
    fn publish_results(&mut self, phase: &mut Phase) -> usize {
        let mut failed = 0;
        for (room, result) in self.publisher.finished() {
            record(phase, &room, result, &mut failed);
        }
        failed
    }

    /// Turns until every subscriber has read every broadcast in `published`, or `limit` passes.
    fn drain(&mut self, published: &[u64], limit: Duration) -> Result<(), Error> {
        let end = Instant::now() + limit;
        let pending = |state: &State| {
            published
                .iter()
                .any(|offset| !state.tracker.is_finished(*offset))
        };
        while pending(&self.state) && Instant::now() < end {
            self.turn(Duration::from_millis(20))?;
        }
        Ok(())
    }

    fn finish_phase(
        &mut self,
        mut phase: Phase,
        start: Instant,
        cpu: (f64, f64),
    ) -> Result<Phase, Error> {
        phase.elapsed = start.elapsed();
        phase.deliveries = self.state.tracker.deliveries;
        let end_cpu = self.cpu()?;
        phase.server_cpu = end_cpu.0 - cpu.0;
        phase.client_cpu = end_cpu.1 - cpu.1;
        // The answers of the calls still in flight when the phase ended.
        let mut answered = phase.published.len() as u64 + phase.publish_errors.0;
        let answers_by = Instant::now() + Duration::from_secs(5);
        while answered < phase.broadcasts && Instant::now() < answers_by {
            self.turn(Duration::from_millis(5))?;
            self.publish_results(&mut phase);
            answered = phase.published.len() as u64 + phase.publish_errors.0;
        }
        // Let the last broadcasts arrive, without counting the wait in the rates above.
        self.drain(&phase.published, Duration::from_secs(3))?;
        let tracker = std::mem::take(&mut self.state.tracker);
        phase.unfinished = phase
            .published
            .iter()
            .filter(|offset| !tracker.is_finished(**offset))
            .count();
        phase.latencies_ns = tracker.latencies_ns;
        phase.repeats = tracker.repeats;
        Ok(phase)
    }

    /// Broadcasts one message to the hot room every `config.interval`, or once the previous one
    /// has reached every subscriber if that is later (so each latency is one broadcast's, not a
    /// backlog's), until `done(elapsed, broadcasts)` (asked about once a second) or `max`.
    pub(crate) fn steady(
        &mut self,
        max: Duration,
        mut done: impl FnMut(&mut Self, Duration, u64) -> Result<bool, Error>,
    ) -> Result<Phase, Error> {
        self.state.tracker = Tracker::new(self.state.hot_live);
        self.state.finished = 0;
        let mut phase = Phase::default();
        let cpu = self.cpu()?;
        let start = Instant::now();
        let mut next = start;
        let mut asked = start;
        let mut settled = 0u64;
        loop {
            let now = Instant::now();
            if now - start >= max {
                break;
            }
            if now - asked >= Duration::from_secs(1) {
                asked = now;
                if done(self, now - start, phase.broadcasts)? {
                    break;
                }
            }
            settled += std::mem::take(&mut self.state.finished) as u64;
            // A broadcast some subscriber never gets must not stop the phase: after a second
            // the next one goes anyway (and the lost one counts as unfinished).
            let previous_done = settled >= phase.broadcasts || now >= next + Duration::from_secs(1);
            if now >= next && previous_done {
                self.publisher.publish(HOT_ROOM, 1);
                phase.broadcasts += 1;
                next = (next + self.config.interval).max(now);
            }
            self.turn(
                next.saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1))
                    .min(Duration::from_millis(50)),
            )?;
            settled += self.publish_results(&mut phase) as u64;
        }
        self.finish_phase(phase, start, cpu)
    }

    /// Broadcasts at a steady rate for `config.secs`.
    pub(crate) fn latency(&mut self) -> Result<Phase, Error> {
        let secs = Duration::from_secs(self.config.secs);
        self.steady(secs, |_, elapsed, _| Ok(elapsed >= secs))
    }

    /// Keeps `config.window` broadcasts in flight (each published once the previous ones reach
    /// every subscriber) for `config.secs`: the deliveries the server and the subscribers
    /// sustain together.
    pub(crate) fn saturate(&mut self) -> Result<Phase, Error> {
        self.state.tracker = Tracker::new(self.state.hot_live);
        self.state.finished = 0;
        let mut phase = Phase::default();
        let cpu = self.cpu()?;
        let start = Instant::now();
        let end = start + Duration::from_secs(self.config.secs);
        let mut credit = self.config.window;
        while Instant::now() < end {
            for _ in 0..credit {
                self.publisher.publish(HOT_ROOM, 1);
                phase.broadcasts += 1;
            }
            self.turn(Duration::from_millis(20))?;
            // A failed call frees its place in the window too.
            credit = std::mem::take(&mut self.state.finished) + self.publish_results(&mut phase);
        }
        self.finish_phase(phase, start, cpu)
    }
}

/// Adds one publish call's result to `phase`, counting a failed broadcast to the hot room in
/// `failed`.
fn record(phase: &mut Phase, room: &str, result: Result<Published, String>, failed: &mut usize) {
    match result {
        Ok(published) if room == HOT_ROOM => {
            phase.published.extend(published.first..=published.last);
        }
        Ok(_) => {}
        Err(e) => {
            phase.publish_errors.0 += 1;
            phase.publish_errors.1.get_or_insert(e);
            if room == HOT_ROOM {
                *failed += 1;
            }
        }
    }
}
