//! The default channel layer: one server process, history in its memory (§2.15.6).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::layer::{
    ChannelLayer, Delivery, DeliverySink, GroupKey, History, HistoryOptions, LayerError, Position,
};
use crate::BoxFuture;

/// A [`ChannelLayer`] for a single server process: offsets, epochs and history live in its
/// memory, so a restart starts every group again with a new epoch.
///
/// Memory stays bounded: each group keeps at most [`HistoryOptions::len`] messages, and a group
/// nobody published to for [`HistoryOptions::lifetime`] is forgotten.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use mizan::channels::{ChannelLayer, GroupKey, HistoryOptions, InProcess};
///
/// let layer = InProcess::new(HistoryOptions::default());
/// let key = GroupKey::new("chat", "room.lobby").unwrap();
/// let first = layer.publish(&key, "\"hi\"".into()).await.unwrap();
/// assert_eq!(first.offset, 1);
/// let history = layer.history(&key, Some(0)).await.unwrap();
/// assert!(history.complete);
/// assert_eq!(history.messages.len(), 1);
/// # });
/// ```
pub struct InProcess {
    options: HistoryOptions,
    state: Mutex<State>,
    /// The groups this process has members in, kept past their lifetime. A lock of its own:
    /// `leave` runs under the hub's lock, which a delivery takes under `state`'s.
    joined: Mutex<HashSet<GroupKey>>,
}

struct State {
    sink: Option<Arc<dyn DeliverySink>>,
    groups: HashMap<GroupKey, GroupHistory>,
    /// When groups past their lifetime are next looked for.
    next_sweep: Instant,
}

struct GroupHistory {
    epoch: Arc<str>,
    offset: u64,
    /// The last messages, oldest first.
    messages: VecDeque<(u64, Bytes)>,
    /// The last publish, or when the group was created.
    touched: Instant,
}

impl GroupHistory {
    fn new(now: Instant) -> Self {
        Self {
            epoch: new_epoch(),
            offset: 0,
            messages: VecDeque::new(),
            touched: now,
        }
    }

    fn position(&self) -> Position {
        Position {
            epoch: Arc::clone(&self.epoch),
            offset: self.offset,
        }
    }
}

/// A new epoch: 16 random bytes, 22 characters of base64url.
pub(crate) fn new_epoch() -> Arc<str> {
    let mut bytes = [0u8; 16];
    // Without randomness two runs could share an epoch and clients would take one history for
    // another; there is no sound way to go on.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no randomness for an epoch: {e}"));
    Arc::from(mizan_core::base64url::encode(&bytes))
}

impl InProcess {
    /// A layer keeping `options` of history per group.
    pub fn new(options: HistoryOptions) -> Self {
        Self {
            options,
            state: Mutex::new(State {
                sink: None,
                groups: HashMap::new(),
                next_sweep: Instant::now(),
            }),
            joined: Mutex::new(HashSet::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets the groups past their lifetime, at most a few times per lifetime, so the cost is
    /// spread over many calls.
    fn sweep(&self, state: &mut State, now: Instant) {
        if now < state.next_sweep {
            return;
        }
        let lifetime = self.options.lifetime;
        let joined = self.joined.lock().unwrap_or_else(PoisonError::into_inner);
        state.groups.retain(|key, group| {
            if now.duration_since(group.touched) < lifetime {
                return true;
            }
            // A group with members keeps its epoch, so they see no restart; its messages go.
            group.messages = VecDeque::new();
            joined.contains(key)
        });
        state.next_sweep = now + (lifetime / 4).max(Duration::from_millis(100));
    }
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("options", &self.options)
            .field("groups", &self.lock().groups.len())
            .finish()
    }
}

impl ChannelLayer for InProcess {
    fn attach(&self, sink: Arc<dyn DeliverySink>) {
        self.lock().sink = Some(sink);
    }

    fn publish<'a>(
        &'a self,
        key: &'a GroupKey,
        data: Bytes,
    ) -> BoxFuture<'a, Result<Position, LayerError>> {
        let now = Instant::now();
        let mut state = self.lock();
        self.sweep(&mut state, now);
        let len = self.options.len;
        let lifetime = self.options.lifetime;
        let group = state
            .groups
            .entry(key.clone())
            .or_insert_with(|| GroupHistory::new(now));
        if now.duration_since(group.touched) >= lifetime {
            // Nobody published for a lifetime: the history is gone, the epoch goes on.
            group.messages.clear();
        }
        group.offset += 1;
        group.touched = now;
        if len > 0 {
            if group.messages.len() >= len {
                group.messages.pop_front();
            }
            group.messages.push_back((group.offset, data.clone()));
        }
        let position = group.position();
        // Handed over under the lock, so every group's messages reach the sink in offset order.
        if let Some(sink) = &state.sink {
            sink.deliver(Delivery {
                key: key.clone(),
                position: position.clone(),
                data,
            });
        }
        Box::pin(std::future::ready(Ok(position)))
    }

    fn join<'a>(&'a self, key: &'a GroupKey) -> BoxFuture<'a, Result<(), LayerError>> {
        // Every message reaches the sink anyway (it drops those of groups without members);
        // joining only keeps the group's epoch alive.
        let mut joined = self.joined.lock().unwrap_or_else(PoisonError::into_inner);
        if !joined.contains(key) {
            joined.insert(key.clone());
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn leave(&self, key: &GroupKey) {
        self.joined
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    fn history<'a>(
        &'a self,
        key: &'a GroupKey,
        after: Option<u64>,
    ) -> BoxFuture<'a, Result<History, LayerError>> {
        let now = Instant::now();
        let mut state = self.lock();
        self.sweep(&mut state, now);
        let lifetime = self.options.lifetime;
        let group = state
            .groups
            .entry(key.clone())
            .or_insert_with(|| GroupHistory::new(now));
        if now.duration_since(group.touched) >= lifetime {
            group.messages.clear();
        }
        let history = match after {
            None => History {
                position: group.position(),
                messages: Vec::new(),
                complete: true,
            },
            Some(after) if after > group.offset => History {
                position: group.position(),
                messages: Vec::new(),
                complete: false,
            },
            Some(after) => {
                let messages: Vec<(u64, Bytes)> = group
                    .messages
                    .iter()
                    .filter(|(offset, _)| *offset > after)
                    .cloned()
                    .collect();
                let wanted = group.offset - after;
                History {
                    position: group.position(),
                    complete: messages.len() as u64 == wanted,
                    messages,
                }
            }
        };
        Box::pin(std::future::ready(Ok(history)))
    }
}
