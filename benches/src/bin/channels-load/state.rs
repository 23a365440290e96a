//! What the loop learns from the sockets' events, kept apart from the sockets themselves so the
//! event handler can update it while the fleet is being polled.

use crate::conn::Event;
use crate::tracker::Tracker;

/// The group index of the hot room, whose broadcasts are measured.
pub(crate) const HOT: u32 = 0;
/// How many failure reasons are kept for the report.
const KEPT: usize = 5;

/// The slow client's view of the run.
#[derive(Debug, Default)]
pub(crate) struct Slow {
    /// Its mio token, once connected.
    pub(crate) token: Option<usize>,
    pub(crate) subscribed: bool,
    /// `message` frames it read (when it finally reads).
    pub(crate) messages: u64,
    /// The close code and reason, once closed.
    pub(crate) closed: Option<(Option<u16>, String)>,
}

/// Counters and the broadcasts in progress.
#[derive(Default)]
pub(crate) struct State {
    /// Sockets subscribed (the slow client apart).
    pub(crate) subscribed: usize,
    /// Subscribed sockets of the hot room still open (the slow client apart).
    pub(crate) hot_live: usize,
    /// Sockets that closed, and the first few reasons.
    pub(crate) closed: usize,
    pub(crate) close_reasons: Vec<String>,
    /// Frames the benchmark did not expect, and the first few.
    pub(crate) unexpected: usize,
    pub(crate) unexpected_frames: Vec<String>,
    /// `message` frames read outside the hot room (the idle rooms get none).
    pub(crate) cold_messages: u64,
    /// Broadcasts finished since the last look (the closed-loop publisher's credit).
    pub(crate) finished: usize,
    pub(crate) tracker: Tracker,
    /// The length of a `message` frame's payload (the last one read).
    pub(crate) message_bytes: usize,
    pub(crate) slow: Slow,
}

impl State {
    /// Handles one socket's event.
    pub(crate) fn on_event(&mut self, token: usize, group: u32, event: Event, read_ns: u64) {
        let is_slow = self.slow.token == Some(token);
        match event {
            Event::Subscribed if is_slow => self.slow.subscribed = true,
            Event::Subscribed => {
                self.subscribed += 1;
                if group == HOT {
                    self.hot_live += 1;
                }
            }
            Event::Message { .. } if is_slow => self.slow.messages += 1,
            Event::Message {
                offset,
                sent_ns,
                len,
            } if group == HOT => {
                self.message_bytes = len;
                if self.tracker.delivered(offset, sent_ns, read_ns) {
                    self.finished += 1;
                }
            }
            Event::Message { .. } => self.cold_messages += 1,
            Event::Unexpected(frame) => {
                self.unexpected += 1;
                if self.unexpected_frames.len() < KEPT {
                    self.unexpected_frames.push(frame);
                }
            }
            Event::Closed { code, why, .. } if is_slow => self.slow.closed = Some((code, why)),
            Event::Closed {
                code,
                why,
                subscribed,
            } => {
                self.closed += 1;
                if self.close_reasons.len() < KEPT {
                    self.close_reasons
                        .push(format!("{why} (close code {code:?})"));
                }
                if subscribed {
                    self.subscribed -= 1;
                    if group == HOT {
                        self.hot_live -= 1;
                        self.finished += self.tracker.subscriber_lost();
                    }
                }
            }
        }
    }
}
