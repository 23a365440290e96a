//! The process's subscribers: which sockets are in which group, and handing each message of a
//! group to them (§2.15.4, §2.15.5).
//!
//! A socket with several subscriptions in one group is one member, so it gets each message once.
//! A message's frame is written once and shared by every recipient's queue. The hub joins the
//! layer's group when its first member comes and leaves it when the last one goes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use super::frames;
use super::layer::{ChannelLayer, Delivery, DeliverySink, GroupKey, History, Position};
use super::outbox::Outbox;
use crate::{Error, Result};

/// How often a subscribe reads the history again when messages keep arriving meanwhile.
const HISTORY_ATTEMPTS: usize = 16;

/// The subscribers of this process, by group.
pub(crate) struct Hub {
    layer: Arc<dyn ChannelLayer>,
    groups: Mutex<HashMap<GroupKey, Arc<Group>>>,
}

#[derive(Default)]
struct Group {
    inner: Mutex<GroupInner>,
}

#[derive(Default)]
struct GroupInner {
    /// By socket.
    members: HashMap<u64, Member>,
    /// Subscribes under way: the group is kept (and joined) for them.
    pending: usize,
    /// The last message handed over, to drop repeats.
    last: Option<Position>,
}

struct Member {
    outbox: Arc<Outbox>,
    /// The socket's subscriptions in the group (for `gap` frames, which name them).
    ids: Vec<Box<str>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sink the layer hands messages to; weak, so the layer does not keep the hub alive.
struct Sink(Weak<Hub>);

impl DeliverySink for Sink {
    fn deliver(&self, delivery: Delivery) {
        if let Some(hub) = self.0.upgrade() {
            hub.deliver(&delivery);
        }
    }

    fn gap(&self, key: &GroupKey, position: Position) {
        if let Some(hub) = self.0.upgrade() {
            hub.gap(key, &position);
        }
    }
}

/// Whether `position` is at or before `last` in the same epoch: a message already handed over.
fn is_repeat(last: Option<&Position>, position: &Position) -> bool {
    last.is_some_and(|last| last.epoch == position.epoch && position.offset <= last.offset)
}

impl Hub {
    /// A hub attached to `layer`.
    pub(crate) fn new(layer: Arc<dyn ChannelLayer>) -> Arc<Self> {
        let hub = Arc::new(Self {
            layer,
            groups: Mutex::new(HashMap::new()),
        });
        hub.layer.attach(Arc::new(Sink(Arc::downgrade(&hub))));
        hub
    }

    fn group(&self, key: &GroupKey) -> Option<Arc<Group>> {
        lock(&self.groups).get(key).cloned()
    }

    fn deliver(&self, delivery: &Delivery) {
        let Some(group) = self.group(&delivery.key) else {
            return;
        };
        let mut inner = lock(&group.inner);
        if is_repeat(inner.last.as_ref(), &delivery.position) {
            return;
        }
        inner.last = Some(delivery.position.clone());
        if inner.members.is_empty() {
            return;
        }
        let frame = frames::message(
            &delivery.key,
            &delivery.position.epoch,
            delivery.position.offset,
            &delivery.data,
        );
        for member in inner.members.values() {
            member.outbox.push(frame.clone());
        }
    }

    fn gap(&self, key: &GroupKey, position: &Position) {
        let Some(group) = self.group(key) else {
            return;
        };
        let mut inner = lock(&group.inner);
        inner.last = Some(position.clone());
        for member in inner.members.values() {
            for id in &member.ids {
                member.outbox.push(frames::gap(id, position));
            }
        }
    }

    /// Adds subscription `id` of socket `socket` to `key`'s group: joins the layer, reads the
    /// history, then under the group's lock queues `subscribed` and the recovered messages (or a
    /// `gap`) and adds the member, so no message published meanwhile is lost (§2.15.5).
    ///
    /// Returns the hub's own key of the group, to keep instead of a copy of its names.
    pub(crate) async fn subscribe(
        &self,
        key: GroupKey,
        socket: u64,
        outbox: &Arc<Outbox>,
        id: &str,
        since: Option<&(String, u64)>,
    ) -> Result<GroupKey> {
        let mut pending = self.begin(key);
        let key = pending.key.clone();
        self.layer
            .join(&key)
            .await
            .map_err(|e| Error::unavailable(format!("joining {key}: {e}")))?;
        for _ in 0..HISTORY_ATTEMPTS {
            let before = lock(&pending.group.inner).last.clone();
            let history = self
                .layer
                .history(&key, since.map(|(_, offset)| *offset))
                .await
                .map_err(|e| Error::unavailable(format!("reading the history of {key}: {e}")))?;
            let mut inner = lock(&pending.group.inner);
            let covered = inner
                .last
                .as_ref()
                .is_none_or(|last| is_repeat(Some(&history.position), last));
            if inner.last != before && !covered {
                // A message came after the history was read and before this lock: read again.
                continue;
            }
            queue_start(outbox, id, &key, since, &history);
            let member = inner.members.entry(socket).or_insert_with(|| Member {
                outbox: Arc::clone(outbox),
                ids: Vec::new(),
            });
            member.ids.push(id.into());
            inner.pending -= 1;
            pending.done = true;
            return Ok(key);
        }
        Err(Error::unavailable(format!(
            "the history of {key} kept moving while subscribing"
        )))
    }

    /// Counts a subscribe under way in `key`'s group, creating the group.
    fn begin(&self, key: GroupKey) -> PendingSubscribe<'_> {
        let mut groups = lock(&self.groups);
        let (key, group) = match groups.get_key_value(&key) {
            Some((key, group)) => (key.clone(), Arc::clone(group)),
            None => {
                let group = Arc::new(Group::default());
                groups.insert(key.clone(), Arc::clone(&group));
                (key, group)
            }
        };
        lock(&group.inner).pending += 1;
        PendingSubscribe {
            hub: self,
            key,
            group,
            done: false,
        }
    }

    /// Ends subscription `id` of `socket` in `key`'s group.
    pub(crate) fn unsubscribe(&self, key: &GroupKey, socket: u64, id: &str) {
        let mut groups = lock(&self.groups);
        let Some(group) = groups.get(key).cloned() else {
            return;
        };
        let mut inner = lock(&group.inner);
        if let Some(member) = inner.members.get_mut(&socket) {
            member.ids.retain(|i| &**i != id);
            if member.ids.is_empty() {
                inner.members.remove(&socket);
            }
        }
        if inner.members.is_empty() && inner.pending == 0 {
            drop(inner);
            groups.remove(key);
            // Under the hub's lock, so a subscribe that comes now joins after this leave.
            self.layer.leave(key);
        }
    }
}

/// Queues `subscribed`, then the recovered messages or a `gap` when `since` was given.
fn queue_start(
    outbox: &Outbox,
    id: &str,
    key: &GroupKey,
    since: Option<&(String, u64)>,
    history: &History,
) {
    let position = &history.position;
    outbox.push(frames::subscribed(id, key, position));
    let Some((epoch, _)) = since else {
        return;
    };
    if **epoch == *position.epoch && history.complete {
        for (offset, data) in &history.messages {
            outbox.push(frames::message(key, &position.epoch, *offset, data));
        }
    } else {
        outbox.push(frames::gap(id, position));
    }
}

/// A subscribe under way; dropped before it is done (failed or cancelled), it gives the group
/// up, and the last one out leaves the layer's group.
struct PendingSubscribe<'a> {
    hub: &'a Hub,
    key: GroupKey,
    group: Arc<Group>,
    done: bool,
}

impl Drop for PendingSubscribe<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut groups = lock(&self.hub.groups);
        let mut inner = lock(&self.group.inner);
        inner.pending -= 1;
        if inner.members.is_empty() && inner.pending == 0 {
            drop(inner);
            if groups
                .get(&self.key)
                .is_some_and(|g| Arc::ptr_eq(g, &self.group))
            {
                groups.remove(&self.key);
                self.hub.layer.leave(&self.key);
            }
        }
    }
}
