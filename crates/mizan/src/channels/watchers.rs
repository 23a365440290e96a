//! Live invalidation (§2.16.5): which sockets watch which tags, and handing each purge to them.
//!
//! The index goes from a tag to its watching sockets, so a purge costs the number of its
//! watchers, never a scan of every socket. A socket's tags are shared with the index (one copy of
//! each tag, however many sockets watch it), and it gives them back when it re-watches or closes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::ws::Utf8Bytes;

use super::frames;
use super::outbox::Outbox;
use crate::cache::Invalidation;

/// From a tag to the sockets watching it, each with its outbound queue.
type Index = HashMap<Arc<str>, HashMap<u64, Arc<Outbox>>>;

/// The watching sockets of this server, by tag.
#[derive(Default)]
pub(crate) struct Watchers {
    index: Mutex<Index>,
}

impl Watchers {
    fn lock(&self) -> MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the tags `socket` watches, `old`, with `new`, at once: a purge handled meanwhile
    /// sees one set or the other. Returns the new set, sharing the index's copies of the tags.
    pub(crate) fn watch(
        &self,
        socket: u64,
        outbox: &Arc<Outbox>,
        old: &[Arc<str>],
        new: Vec<String>,
    ) -> Vec<Arc<str>> {
        let mut index = self.lock();
        remove(&mut index, socket, old);
        new.into_iter()
            .map(|tag| {
                let tag: Arc<str> = match index.get_key_value(tag.as_str()) {
                    Some((shared, _)) => Arc::clone(shared),
                    None => tag.into(),
                };
                let sockets = index.entry(Arc::clone(&tag)).or_default();
                sockets.insert(socket, Arc::clone(outbox));
                tag
            })
            .collect()
    }

    /// Forgets the tags a closing socket watched.
    pub(crate) fn unwatch(&self, socket: u64, tags: &[Arc<str>]) {
        if !tags.is_empty() {
            remove(&mut self.lock(), socket, tags);
        }
    }

    /// Queues one `invalidated` frame on each socket watching one of the purged tags, listing
    /// those it watches in the purge's order. Sockets with the same list share the frame's bytes.
    pub(crate) fn invalidated(&self, invalidation: &Invalidation) {
        // A tag named twice in a purge is listed once, where it first appears.
        let mut purged: Vec<&str> = Vec::with_capacity(invalidation.tags.len());
        for tag in &invalidation.tags {
            if !purged.contains(&tag.as_str()) {
                purged.push(tag);
            }
        }
        // Under the lock, so no socket hears of a tag after it stopped watching it.
        let index = self.lock();
        let mut recipients: HashMap<u64, (&Arc<Outbox>, Vec<usize>)> = HashMap::new();
        for (at, tag) in purged.iter().enumerate() {
            for (socket, outbox) in index.get(*tag).into_iter().flatten() {
                recipients
                    .entry(*socket)
                    .or_insert_with(|| (outbox, Vec::new()))
                    .1
                    .push(at);
            }
        }
        let mut frames: HashMap<Vec<usize>, Utf8Bytes> = HashMap::new();
        for (outbox, tags) in recipients.into_values() {
            let frame = frames.entry(tags).or_insert_with_key(|tags| {
                frames::invalidated(tags.iter().map(|&at| purged[at]), invalidation.rev)
            });
            outbox.push(frame.clone());
        }
    }

    /// How many tags have watchers (for tests: the index keeps no empty entries).
    #[cfg(test)]
    pub(crate) fn watched_tags(&self) -> usize {
        self.lock().len()
    }
}

/// Removes `socket` from the entries of `tags`, dropping entries left empty.
fn remove(index: &mut Index, socket: u64, tags: &[Arc<str>]) {
    for tag in tags {
        if let Some(sockets) = index.get_mut(tag) {
            sockets.remove(&socket);
            if sockets.is_empty() {
                index.remove(tag);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::channels::outbox::Next;

    fn outbox() -> Arc<Outbox> {
        Arc::new(Outbox::new(100, 1 << 20))
    }

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|&t| t.to_owned()).collect()
    }

    fn purge(list: &[&str], rev: u64) -> Invalidation {
        Invalidation {
            tags: tags(list),
            rev,
        }
    }

    /// The frames queued on `outbox`, as JSON.
    fn drain(outbox: &Outbox) -> Vec<Value> {
        let mut out = Vec::new();
        while let Next::Frame(frame) = outbox.next() {
            out.push(serde_json::from_str(frame.as_str()).unwrap());
        }
        out
    }

    #[test]
    fn a_purge_reaches_each_watching_socket_once_with_its_tags_in_purge_order() {
        let watchers = Watchers::default();
        let (a, b, c) = (outbox(), outbox(), outbox());
        watchers.watch(1, &a, &[], tags(&["x", "y", "z"]));
        watchers.watch(2, &b, &[], tags(&["y"]));
        watchers.watch(3, &c, &[], tags(&["w"]));
        watchers.invalidated(&purge(&["z", "y", "q", "y", "x"], 7));
        assert_eq!(
            drain(&a),
            [json!({"type":"invalidated","tags":["z","y","x"],"rev":7})]
        );
        assert_eq!(
            drain(&b),
            [json!({"type":"invalidated","tags":["y"],"rev":7})]
        );
        assert!(drain(&c).is_empty());
    }

    #[test]
    fn sockets_with_the_same_tags_share_one_frame() {
        let watchers = Watchers::default();
        let (a, b) = (outbox(), outbox());
        watchers.watch(1, &a, &[], tags(&["x"]));
        watchers.watch(2, &b, &[], tags(&["x", "other"]));
        watchers.invalidated(&purge(&["x"], 1));
        let (Next::Frame(fa), Next::Frame(fb)) = (a.next(), b.next()) else {
            panic!("both sockets get a frame");
        };
        assert_eq!(fa.as_str().as_ptr(), fb.as_str().as_ptr());
    }

    #[test]
    fn watching_again_replaces_the_set_and_closing_cleans_the_index() {
        let watchers = Watchers::default();
        let (a, b) = (outbox(), outbox());
        let first = watchers.watch(1, &a, &[], tags(&["x", "y"]));
        let other = watchers.watch(2, &b, &[], tags(&["y"]));
        // The index's copy of `y` is shared, not copied per socket.
        assert!(Arc::ptr_eq(&first[1], &other[0]));
        let second = watchers.watch(1, &a, &first, tags(&["z"]));
        watchers.invalidated(&purge(&["x", "y"], 2));
        assert!(drain(&a).is_empty(), "x and y are no longer watched by 1");
        assert_eq!(drain(&b).len(), 1);
        assert_eq!(watchers.watched_tags(), 2);
        watchers.unwatch(1, &second);
        watchers.unwatch(2, &other);
        assert_eq!(watchers.watched_tags(), 0);
        let cleared = watchers.watch(2, &b, &[], Vec::new());
        assert!(cleared.is_empty());
        assert_eq!(watchers.watched_tags(), 0);
    }

    #[test]
    fn an_invalidation_goes_through_the_slow_consumer_rule() {
        let watchers = Watchers::default();
        let slow = Arc::new(Outbox::new(1, 1 << 20));
        watchers.watch(1, &slow, &[], tags(&["x"]));
        watchers.invalidated(&purge(&["x"], 1));
        watchers.invalidated(&purge(&["x"], 2));
        assert!(matches!(
            slow.next(),
            Next::Close(crate::channels::outbox::SLOW_CONSUMER)
        ));
    }
}
