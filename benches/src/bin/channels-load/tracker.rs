//! Follows each broadcast to the hot group until every reading subscriber has it, and the
//! latency percentiles of the broadcasts.

use std::collections::HashMap;

/// One broadcast not yet delivered to every subscriber.
struct Pending {
    sent_ns: u64,
    count: usize,
    last_ns: u64,
}

/// The broadcasts of one phase.
#[derive(Default)]
pub(crate) struct Tracker {
    /// How many subscribers each broadcast must reach.
    expected: usize,
    pending: HashMap<u64, Pending>,
    /// Nanoseconds from publish to the last subscriber's read, per finished broadcast.
    pub(crate) latencies_ns: Vec<u64>,
    /// `message` frames read in this phase.
    pub(crate) deliveries: u64,
    /// Frames for an offset already finished (a repeat: the server must not send one).
    pub(crate) repeats: u64,
    finished_offsets: std::collections::HashSet<u64>,
}

impl Tracker {
    /// A tracker for broadcasts that must reach `expected` subscribers.
    pub(crate) fn new(expected: usize) -> Self {
        Self {
            expected,
            ..Self::default()
        }
    }

    /// A subscriber read the message at `offset` published at `sent_ns` at `read_ns`; returns
    /// whether that finished the broadcast.
    pub(crate) fn delivered(&mut self, offset: u64, sent_ns: u64, read_ns: u64) -> bool {
        self.deliveries += 1;
        if self.finished_offsets.contains(&offset) {
            self.repeats += 1;
            return false;
        }
        let entry = self.pending.entry(offset).or_insert(Pending {
            sent_ns,
            count: 0,
            last_ns: 0,
        });
        entry.count += 1;
        entry.last_ns = entry.last_ns.max(read_ns);
        if entry.count >= self.expected {
            self.finish(offset);
            return true;
        }
        false
    }

    fn finish(&mut self, offset: u64) {
        if let Some(done) = self.pending.remove(&offset) {
            self.latencies_ns
                .push(done.last_ns.saturating_sub(done.sent_ns));
            self.finished_offsets.insert(offset);
        }
    }

    /// A subscriber closed: every broadcast now needs one fewer. Returns how many that finished.
    pub(crate) fn subscriber_lost(&mut self) -> usize {
        self.expected = self.expected.saturating_sub(1);
        let done: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.count >= self.expected)
            .map(|(offset, _)| *offset)
            .collect();
        for offset in &done {
            self.finish(*offset);
        }
        done.len()
    }

    /// Whether every subscriber has read the broadcast at `offset`.
    pub(crate) fn is_finished(&self, offset: u64) -> bool {
        self.finished_offsets.contains(&offset)
    }
}

/// The `q` quantile (nearest rank) of `values_ns`, in milliseconds.
pub(crate) fn quantile_ms(values_ns: &[u64], q: f64) -> Option<f64> {
    if values_ns.is_empty() {
        return None;
    }
    let mut sorted = values_ns.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1] as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broadcast_finishes_with_its_last_subscriber() {
        let mut tracker = Tracker::new(3);
        assert!(!tracker.delivered(1, 1_000, 2_000));
        assert!(!tracker.delivered(1, 1_000, 5_000));
        assert!(!tracker.delivered(2, 3_000, 4_000));
        assert!(tracker.delivered(1, 1_000, 3_000));
        assert_eq!(tracker.latencies_ns, [4_000]);
        assert!(!tracker.delivered(1, 1_000, 9_000), "a repeat");
        assert_eq!(tracker.repeats, 1);
        assert!(tracker.is_finished(1) && !tracker.is_finished(2));
        tracker.delivered(2, 3_000, 4_500);
        assert_eq!(tracker.subscriber_lost(), 1);
        assert_eq!(tracker.latencies_ns, [4_000, 1_500]);
        assert_eq!(tracker.deliveries, 6);
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).map(|ms| ms * 1_000_000).collect();
        assert_eq!(quantile_ms(&values, 0.5), Some(50.0));
        assert_eq!(quantile_ms(&values, 0.99), Some(99.0));
        assert_eq!(quantile_ms(&values, 1.0), Some(100.0));
        assert_eq!(quantile_ms(&[], 0.5), None);
    }
}
