//! A memo of recent cached reads: whether their query decodes, their cache keys, and the headers
//! their hits were answered with, so that a hot read skips decoding its query again, the key's
//! HMAC (§1.3) and the building of a dozen headers.
//!
//! The canonical query of a context read (§2.3) is the one spelling of its params and rev, so the
//! function's name, the query as received and the permission key decide the cache key: the memo
//! maps those texts to the key derived the first time. It keeps only what the same texts gave
//! before, so it can be stale in no way; the store is still asked on every read, and purges
//! reach it as before.
//!
//! A direct-mapped table of fixed size, one slot per function and query, each with the keys of a
//! few permission keys: a lookup is one hash, an uncontended lock and a comparison of the texts,
//! and allocates nothing; a read that lands on a slot another read holds takes it over. Texts
//! over [`MAX_TEXT_BYTES`] are not kept, so its memory stays bounded.

use std::sync::{Arc, MutexGuard, Weak};

use http::{HeaderMap, HeaderValue};

use super::StoredAnswer;
use crate::slot_table::SlotTable;

/// Slots of the table: the hot reads of a server, not all of them.
const SLOTS: usize = 512;

/// Permission keys a slot keeps keys for: a public read has one, a read per permission level a
/// few.
const KEYS_PER_SLOT: usize = 4;

/// The longest query and permission key a slot keeps (its memory is at most about
/// `SLOTS * KEYS_PER_SLOT * (MAX_TEXT_BYTES + 200)` bytes, besides the kept headers).
const MAX_TEXT_BYTES: usize = 512;

/// Recent cached reads, by function name, query and permission key.
#[derive(Default)]
pub(crate) struct KeyMemo {
    slots: SlotTable<Slot, SLOTS>,
}

struct Slot {
    function: Box<str>,
    query: Option<Box<str>>,
    /// Whether the query decoded to rev 0: reading it again needs no decoding before the lookup
    /// (no rev to check, and the tag templates expanded for it before).
    rev_zero: bool,
    keys: Vec<PkKey>,
}

struct PkKey {
    pk: Box<str>,
    key: Arc<str>,
    hit_headers: Option<Arc<HitHeaders>>,
}

impl Slot {
    fn holds(&self, function: &str, query: Option<&str>) -> bool {
        *self.function == *function && self.query.as_deref() == query
    }
}

/// The headers of a hit (§2.16.3) on one stored answer, built once: those of its `200` and of its
/// `304`.
pub(crate) struct HitHeaders {
    /// The stored answer they were built for, to know it again by its address (the memory store
    /// hands out the same answer on every hit; held weakly, so its memory goes with the store's
    /// entry, and its address is not reused while this is held).
    answer: Weak<StoredAnswer>,
    /// Its ETag and tags, to know it again from a store that decodes a new copy on each read:
    /// any other answer stored under the key since (a purge and a new fill) needs headers of
    /// its own.
    etag: Box<str>,
    tags: Box<[String]>,
    /// Whether they are the headers of a shareable answer (§2.3).
    shareable: bool,
    pub(crate) ok: HeaderMap,
    pub(crate) not_modified: HeaderMap,
    pub(crate) etag_value: HeaderValue,
}

impl HitHeaders {
    /// The headers of hits on the answer of `etag` and `tags`.
    pub(crate) fn new(
        answer: &Arc<StoredAnswer>,
        shareable: bool,
        (ok, not_modified): (HeaderMap, HeaderMap),
        etag_value: HeaderValue,
    ) -> Self {
        Self {
            answer: Arc::downgrade(answer),
            etag: answer.etag.as_str().into(),
            tags: answer.tags.as_slice().into(),
            shareable,
            ok,
            not_modified,
            etag_value,
        }
    }

    /// Whether these are the headers of a hit on `answer`.
    pub(crate) fn fit(&self, answer: &Arc<StoredAnswer>, shareable: bool) -> bool {
        self.shareable == shareable
            && (std::ptr::eq(self.answer.as_ptr(), Arc::as_ptr(answer))
                || (*self.etag == *answer.etag && *self.tags == *answer.tags))
    }
}

/// Where a read's texts go in the memo: its function's name and query, and their slot (`None`
/// when they are too long to keep).
pub(crate) struct Place<'a> {
    function: &'a str,
    query: Option<&'a str>,
    index: Option<usize>,
}

/// A place's slot, to find the place of the same texts again without hashing them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlaceId(Option<usize>);

impl Place<'_> {
    /// This place's slot, for [`KeyMemo::place_again`].
    pub(crate) fn id(&self) -> PlaceId {
        PlaceId(self.index)
    }
}

/// A read's key, as the memo gave or kept it.
pub(crate) struct Memoized {
    pub(crate) key: Arc<str>,
    /// The hit headers kept with it, if any.
    pub(crate) hit_headers: Option<Arc<HitHeaders>>,
    index: Option<usize>,
}

impl KeyMemo {
    /// The place of a read of `function` with `query`.
    pub(crate) fn place<'a>(&self, function: &'a str, query: Option<&'a str>) -> Place<'a> {
        let fits = query.map_or(0, str::len) <= MAX_TEXT_BYTES;
        let index = fits.then(|| self.slots.index_of((function, query)));
        Place {
            function,
            query,
            index,
        }
    }

    /// The place of `function` and `query` found before as `id`: the same texts, moved since
    /// (from the request's head into the request).
    pub(crate) fn place_again<'a>(
        &self,
        function: &'a str,
        query: Option<&'a str>,
        id: PlaceId,
    ) -> Place<'a> {
        debug_assert_eq!(
            id.0,
            self.place(function, query).index,
            "not the same texts"
        );
        Place {
            function,
            query,
            index: id.0,
        }
    }

    /// Whether a read of this place was decoded before, to rev 0: decoding its query again
    /// would give the same params, and nothing is checked before the lookup but the caller.
    pub(crate) fn is_known_rev_zero(&self, place: &Place<'_>) -> bool {
        place.index.is_some_and(|index| {
            self.lock(index)
                .as_ref()
                .is_some_and(|slot| slot.rev_zero && slot.holds(place.function, place.query))
        })
    }

    /// The kept key of this place under `pk`, if any.
    pub(crate) fn find(&self, place: &Place<'_>, pk: &str) -> Option<Memoized> {
        let index = place.index?;
        let slot = self.lock(index);
        let slot = slot.as_ref()?;
        if !slot.holds(place.function, place.query) {
            return None;
        }
        let kept = slot.keys.iter().find(|k| *k.pk == *pk)?;
        Some(Memoized {
            key: Arc::clone(&kept.key),
            hit_headers: kept.hit_headers.clone(),
            index: Some(index),
        })
    }

    /// Keeps `key`, derived for this place under `pk` from a query that decoded to `rev`.
    pub(crate) fn keep(&self, place: &Place<'_>, pk: &str, rev: u64, key: String) -> Memoized {
        let key: Arc<str> = key.into();
        let Some(index) = place.index.filter(|_| pk.len() <= MAX_TEXT_BYTES) else {
            return Memoized {
                key,
                hit_headers: None,
                index: None,
            };
        };
        let kept = PkKey {
            pk: pk.into(),
            key: Arc::clone(&key),
            hit_headers: None,
        };
        let mut slot = self.lock(index);
        match &mut *slot {
            Some(held) if held.holds(place.function, place.query) => {
                held.keys.retain(|k| *k.pk != *pk);
                if held.keys.len() == KEYS_PER_SLOT {
                    held.keys.remove(0);
                }
                held.keys.push(kept);
            }
            _ => {
                *slot = Some(Slot {
                    function: place.function.into(),
                    query: place.query.map(Into::into),
                    rev_zero: rev == 0,
                    keys: vec![kept],
                });
            }
        }
        Memoized {
            key,
            hit_headers: None,
            index: Some(index),
        }
    }

    /// Keeps `headers` with the key of `memoized`, if the memo still holds that key.
    pub(crate) fn keep_hit_headers(&self, memoized: &Memoized, headers: HitHeaders) {
        let Some(index) = memoized.index else {
            return;
        };
        let mut slot = self.lock(index);
        let kept = slot.as_mut().and_then(|slot| {
            slot.keys
                .iter_mut()
                .find(|k| Arc::ptr_eq(&k.key, &memoized.key))
        });
        if let Some(kept) = kept {
            kept.hit_headers = Some(Arc::new(headers));
        }
    }

    fn lock(&self, index: usize) -> MutexGuard<'_, Option<Slot>> {
        self.slots.lock(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(memo: &KeyMemo, function: &str, query: Option<&str>, pk: &str) -> Option<Arc<str>> {
        memo.find(&memo.place(function, query), pk).map(|m| m.key)
    }

    #[test]
    fn a_kept_key_is_found_by_the_same_texts_only() {
        let memo = KeyMemo::default();
        let place = memo.place("greet", Some("p=1"));
        assert!(memo.find(&place, "pk").is_none());
        let kept = memo.keep(&place, "pk", 0, "k1".to_owned());
        let found = key_of(&memo, "greet", Some("p=1"), "pk").expect("kept");
        assert!(Arc::ptr_eq(&kept.key, &found));
        for (function, query, pk) in [
            ("greet2", Some("p=1"), "pk"),
            ("greet", Some("p=2"), "pk"),
            ("greet", None, "pk"),
            ("greet", Some("p=1"), "pk2"),
        ] {
            assert!(
                key_of(&memo, function, query, pk).is_none(),
                "{function} {query:?} {pk}"
            );
        }
    }

    #[test]
    fn a_slot_keeps_a_few_permission_keys_and_drops_the_oldest() {
        let memo = KeyMemo::default();
        let place = memo.place("greet", Some("p=1"));
        for i in 0..=KEYS_PER_SLOT {
            memo.keep(&place, &format!("pk{i}"), 0, format!("k{i}"));
        }
        assert!(key_of(&memo, "greet", Some("p=1"), "pk0").is_none());
        for i in 1..=KEYS_PER_SLOT {
            let key = key_of(&memo, "greet", Some("p=1"), &format!("pk{i}")).expect("kept");
            assert_eq!(&*key, format!("k{i}"));
        }
    }

    #[test]
    fn only_a_query_kept_with_rev_zero_is_known() {
        let memo = KeyMemo::default();
        let zero = memo.place("greet", Some("p=1"));
        assert!(!memo.is_known_rev_zero(&zero));
        memo.keep(&zero, "pk", 0, "k1".to_owned());
        assert!(memo.is_known_rev_zero(&zero));
        let with_rev = memo.place("greet", Some("p=1&rev=3"));
        memo.keep(&with_rev, "pk", 3, "k2".to_owned());
        assert!(!memo.is_known_rev_zero(&with_rev));
        assert!(!memo.is_known_rev_zero(&memo.place("greet", Some("p=2"))));
    }

    #[test]
    fn long_texts_are_not_kept() {
        let memo = KeyMemo::default();
        let query = "p=".to_owned() + &"x".repeat(MAX_TEXT_BYTES);
        let place = memo.place("greet", Some(&query));
        let kept = memo.keep(&place, "pk", 0, "k1".to_owned());
        assert_eq!(&*kept.key, "k1");
        assert!(memo.find(&place, "pk").is_none());
        assert!(!memo.is_known_rev_zero(&place));
        let short = memo.place("greet", Some("p=1"));
        memo.keep(&short, &"p".repeat(MAX_TEXT_BYTES + 1), 0, "k2".to_owned());
        assert!(!memo.is_known_rev_zero(&short));
    }

    fn stored(etag: &str, tags: &[&str]) -> Arc<StoredAnswer> {
        Arc::new(StoredAnswer {
            key: "k1".to_owned(),
            body: bytes::Bytes::from_static(b"{}"),
            etag: etag.to_owned(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        })
    }

    fn headers(etag: &str, shareable: bool) -> HitHeaders {
        let value = HeaderValue::from_str(etag).unwrap();
        let maps = (HeaderMap::new(), HeaderMap::new());
        HitHeaders::new(&stored(etag, &["t"]), shareable, maps, value)
    }

    #[test]
    fn hit_headers_are_kept_with_their_key_and_fit_only_their_answer() {
        let memo = KeyMemo::default();
        let place = memo.place("greet", Some("p=1"));
        let read = memo.keep(&place, "pk", 0, "k1".to_owned());
        memo.keep_hit_headers(&read, headers("\"e\"", true));
        let kept = memo
            .find(&place, "pk")
            .and_then(|m| m.hit_headers)
            .expect("kept");
        let tags = ["t"];
        // A copy of the answer (as a shared store decodes one per read) fits by its texts.
        assert!(kept.fit(&stored("\"e\"", &tags), true));
        assert!(!kept.fit(&stored("\"f\"", &tags), true));
        assert!(!kept.fit(&stored("\"e\"", &["u"]), true));
        assert!(!kept.fit(&stored("\"e\"", &tags), false));
    }

    #[test]
    fn hit_headers_of_a_replaced_key_are_dropped() {
        let memo = KeyMemo::default();
        let place = memo.place("greet", Some("p=1"));
        let read = memo.keep(&place, "pk", 0, "k1".to_owned());
        // Another read keeps a key for the same texts before the first keeps its headers.
        memo.keep(&place, "pk", 0, "k1".to_owned());
        memo.keep_hit_headers(&read, headers("\"e\"", true));
        let found = memo.find(&place, "pk").expect("kept");
        assert!(found.hit_headers.is_none());
    }
}
