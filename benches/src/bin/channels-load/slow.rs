//! The slow client: one more subscriber of the hot room that stops reading, while the steady
//! broadcasts go on, until the server drops it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::Error;
use crate::phases::{Bench, Phase, SLOW_ROOM};
use crate::state::{HOT, Slow};
use crate::system;

/// The most messages published to the slow client's room: 12 MiB of frames, past any kernel
/// buffer and the server's default outbound limit.
const MAX_BURST: u64 = 40_000;

/// How the slow client fared.
#[derive(Debug, Default)]
pub(crate) struct SlowOutcome {
    /// The phase with the slow client present.
    pub(crate) phase: Phase,
    /// Messages published to its own room.
    pub(crate) burst: u64,
    /// The seconds in which they were published (one burst a second).
    pub(crate) burst_seconds: u32,
    /// Seconds into the phase, and broadcasts sent, when the server's end of its connection was
    /// seen gone (or no longer established).
    pub(crate) server_dropped: Option<(f64, u64)>,
    /// The slow client's state at the end.
    pub(crate) slow: Slow,
}

impl Bench {
    /// Adds a client to the hot room that stops reading, broadcasts at the steady rate until the
    /// server has dropped it (at least `config.secs`, at most `config.slow_secs`), then reads
    /// what reached it to find the close code.
    pub(crate) fn slow_client(&mut self) -> Result<SlowOutcome, Error> {
        // From an address of its own. A small receive window, as a phone on a bad network has:
        // the server's writes stall after a few KiB, so its own outbound limit is what decides.
        let slow = self.config.sockets.next_multiple_of(self.config.per_source);
        let token = self.connect(slow, HOT, Some(self.config.slow_recv_buffer))?;
        self.fleet.add_extra_subscription(token);
        self.state.slow = Slow {
            token: Some(token),
            ..Slow::default()
        };
        let waited = Instant::now();
        while !self.state.slow.subscribed {
            if waited.elapsed() > Duration::from_secs(10) || self.state.slow.closed.is_some() {
                return Err(
                    format!("the slow client did not subscribe: {:?}", self.state.slow).into(),
                );
            }
            self.turn(Duration::from_millis(20))?;
        }
        self.fleet.set_paused(token, true);
        let client: SocketAddr = self
            .fleet
            .get(token)
            .ok_or("the slow client closed")?
            .stream
            .local_addr()?;
        let server = self.server.addr;
        let min = Duration::from_secs(self.config.secs);
        let mut dropped: Option<(f64, u64)> = None;
        let mut burst = 0u64;
        let mut burst_seconds = 0u32;
        let phase = self.steady(
            Duration::from_secs(self.config.slow_secs),
            |bench, elapsed, sent| {
                if dropped.is_none()
                    && system::server_side_state(server, client)?.as_deref() != Some("ESTAB")
                {
                    dropped = Some((elapsed.as_secs_f64(), sent));
                }
                // Every second until the server lets go: the kernel's buffers for the
                // connection grow with the backlog (the send buffer up to `tcp_wmem`'s 4 MiB),
                // so how much it takes to pass the outbound limit varies from run to run.
                if dropped.is_none() && burst < MAX_BURST {
                    burst += bench.publish_burst();
                    burst_seconds += 1;
                }
                // A second of broadcasts after the drop, so its aftermath is measured too.
                Ok(elapsed >= min
                    && dropped.is_some_and(|(at, _)| elapsed.as_secs_f64() >= at + 1.0))
            },
        )?;
        // Read what reached the slow client, to the close frame.
        self.fleet.set_paused(token, false);
        let end = Instant::now() + Duration::from_secs(10);
        while self.state.slow.closed.is_none() && Instant::now() < end {
            let state = &mut self.state;
            self.fleet
                .read_now(token, &mut |t, g, e, at| state.on_event(t, g, e, at));
            self.turn(Duration::from_millis(20))?;
        }
        if self.state.slow.closed.is_none() {
            self.fleet.close(token);
        }
        Ok(SlowOutcome {
            phase,
            burst,
            burst_seconds,
            server_dropped: dropped,
            slow: std::mem::take(&mut self.state.slow),
        })
    }

    /// The steady broadcasts with the slow client's burst (`seconds` of it, from the first
    /// second on, as in its phase) published to its room, where nobody listens now: what its
    /// phase is compared with, so that the one difference is the slow client itself, not the
    /// publishing that fills its queue quickly.
    pub(crate) fn burst_without_slow_client(&mut self, seconds: u32) -> Result<Phase, Error> {
        let secs = Duration::from_secs(self.config.secs);
        let mut left = seconds;
        self.steady(secs, |bench, elapsed, _| {
            if left > 0 {
                bench.publish_burst();
                left -= 1;
            }
            Ok(elapsed >= secs)
        })
    }

    /// Publishes one second's burst (`config.slow_burst` messages) to the slow client's room;
    /// returns how many.
    fn publish_burst(&mut self) -> u64 {
        let mut left = self.config.slow_burst;
        while left > 0 {
            let count = left.min(1000);
            self.publisher.publish(SLOW_ROOM, count);
            left -= count;
        }
        u64::from(self.config.slow_burst)
    }
}
