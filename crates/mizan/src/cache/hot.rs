//! The answers the memory store handed out last, in front of its `moka` map: a hit on a hot key
//! is one hash, one uncontended lock and one comparison of the key, instead of `moka`'s lookup
//! with its bookkeeping (the frequency sketch, the access queue, the clock), which costs a
//! cached read more than all of its header building.
//!
//! The table never answers with what the map would not: every way an answer leaves the map
//! clears its slot. Purges and replacing puts clear it before they return, so a purge is seen by
//! the next read; evictions (budget, expiry) clear it from the map's eviction listener; and an
//! entry carries the instant its time to live ends, checked on every read as the map checks it.
//! A read that found its answer in the map puts it here only if nothing left the map since the
//! read started (a counter of removals), so a removal racing that read cannot be undone by it.
//!
//! Hits served here do not reach the map, whose eviction order counts reads: the first hit and
//! one in [`TOUCH_EVERY`] after it also read the map, so a hot answer stays hot there and is not
//! the first one dropped when the budget is reached.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::store::StoredAnswer;
use crate::slot_table::SlotTable;

/// Slots of the table: the hot answers of a server, not all of them.
const SLOTS: usize = 256;

/// One hit in this many served from the table also reads the map (see the module's docs).
pub(super) const TOUCH_EVERY: u32 = 64;

/// Recently read answers by key.
#[derive(Default)]
pub(super) struct HotAnswers {
    slots: SlotTable<Hot, SLOTS>,
    /// Answers that left the map (or were replaced in it) so far.
    removals: AtomicU64,
}

struct Hot {
    answer: Arc<StoredAnswer>,
    /// When the answer's time to live in the map ends.
    expires: Instant,
    /// Hits served from this slot, to read the map on the first and every [`TOUCH_EVERY`]th.
    hits: u32,
}

/// A hit from the table: the answer, and whether this hit should also read the map.
pub(super) struct HotHit {
    pub(super) answer: Arc<StoredAnswer>,
    pub(super) touch: bool,
}

/// Where a read that missed the table stands, to offer what the map gave it.
pub(super) struct Missed {
    index: usize,
    removals: u64,
}

impl HotAnswers {
    /// The hot answer under `key`, or where the read stands to [`offer`](Self::offer) what the
    /// map gives it.
    pub(super) fn find(&self, key: &str) -> Result<HotHit, Missed> {
        let index = self.slots.index_of(key);
        // Read before the slot: a removal after this point makes the offer of this read void.
        let removals = self.removals.load(Ordering::SeqCst);
        let mut slot = self.slots.lock(index);
        if let Some(hot) = slot.as_mut()
            && hot.answer.key == key
        {
            if Instant::now() < hot.expires {
                hot.hits = hot.hits.wrapping_add(1);
                return Ok(HotHit {
                    answer: Arc::clone(&hot.answer),
                    touch: hot.hits % TOUCH_EVERY == 1,
                });
            }
            *slot = None;
        }
        Err(Missed { index, removals })
    }

    /// Keeps `answer`, which the map held under its key until `expires` when the read of
    /// `missed` looked, unless an answer left the map since.
    pub(super) fn offer(&self, missed: Missed, answer: &Arc<StoredAnswer>, expires: Instant) {
        let mut slot = self.slots.lock(missed.index);
        if self.removals.load(Ordering::SeqCst) == missed.removals {
            *slot = Some(Hot {
                answer: Arc::clone(answer),
                expires,
                hits: 0,
            });
        }
    }

    /// Forgets the answer under `key`: it left the map, or is being replaced there.
    pub(super) fn forget(&self, key: &str) {
        self.removals.fetch_add(1, Ordering::SeqCst);
        let mut slot = self.slots.lock(self.slots.index_of(key));
        if slot.as_ref().is_some_and(|hot| hot.answer.key == key) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;

    fn answer(key: &str) -> Arc<StoredAnswer> {
        Arc::new(StoredAnswer {
            key: key.to_owned(),
            body: Bytes::from_static(b"{}"),
            etag: "\"e\"".to_owned(),
            tags: Vec::new(),
        })
    }

    /// Offers `key`'s answer after a read that found the table without it.
    fn offered(hot: &HotAnswers, key: &str, expires: Instant) {
        let Err(missed) = hot.find(key) else {
            panic!("{key} was not in the table yet")
        };
        hot.offer(missed, &answer(key), expires);
    }

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[test]
    fn an_offered_answer_is_found_by_its_key_only() {
        let hot = HotAnswers::default();
        offered(&hot, "a", later());
        assert_eq!(hot.find("a").ok().expect("kept").answer.key, "a");
        assert!(hot.find("b").is_err());
    }

    #[test]
    fn a_forgotten_or_expired_answer_is_not_found() {
        let hot = HotAnswers::default();
        offered(&hot, "a", later());
        hot.forget("a");
        assert!(hot.find("a").is_err());
        offered(&hot, "b", Instant::now());
        assert!(hot.find("b").is_err());
    }

    #[test]
    fn an_offer_made_after_a_removal_is_dropped() {
        let hot = HotAnswers::default();
        let Err(missed) = hot.find("a") else {
            panic!("empty table")
        };
        // A purge of `a` between the map's answer and the offer.
        hot.forget("a");
        hot.offer(missed, &answer("a"), later());
        assert!(hot.find("a").is_err());
    }

    #[test]
    fn every_so_many_hits_touch_the_map() {
        let hot = HotAnswers::default();
        offered(&hot, "a", later());
        let touches = (0..TOUCH_EVERY * 3)
            .filter(|_| hot.find("a").ok().expect("kept").touch)
            .count();
        assert_eq!(touches, 3);
    }
}
