//! Coalescing concurrent misses in one process (§2.16.3): the first miss of a key runs the
//! function, the others wait for its answer and use it when it is storable, or run themselves
//! when it is not (it may depend on its caller).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use super::store::StoredAnswer;

/// What a fill ended with: the storable answer, or `None` when followers must run themselves.
pub(crate) type Outcome = Option<Arc<StoredAnswer>>;

type Slot = watch::Receiver<Option<Outcome>>;

/// The fills running in this process, by cache key.
#[derive(Default)]
pub(crate) struct Fills {
    running: Arc<Mutex<HashMap<String, Slot>>>,
}

/// The part a miss plays.
pub(crate) enum Role {
    /// Runs the function; must [`finish`](Leader::finish) (dropping it counts as `None`).
    Leader(Leader),
    /// Waits for the leader.
    Follower(Slot),
}

/// The one running the function for a key.
pub(crate) struct Leader {
    running: Arc<Mutex<HashMap<String, Slot>>>,
    key: String,
    sender: watch::Sender<Option<Outcome>>,
}

impl Fills {
    /// Joins the fill of `key`, or starts it.
    pub(crate) fn join(&self, key: &str) -> Role {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = running.get(key) {
            return Role::Follower(slot.clone());
        }
        let (sender, receiver) = watch::channel(None);
        running.insert(key.to_owned(), receiver);
        Role::Leader(Leader {
            running: Arc::clone(&self.running),
            key: key.to_owned(),
            sender,
        })
    }
}

impl Leader {
    /// Hands the outcome to the followers.
    pub(crate) fn finish(self, outcome: Outcome) {
        // Without followers nobody receives it, which is fine.
        let _ = self.sender.send(Some(outcome));
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        // A leader that panicked or was cancelled drops its sender: followers see the channel
        // closed and run themselves.
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

/// Waits for the leader of `slot`; `None` when its answer is not for everyone or it gave up.
pub(crate) async fn follow(mut slot: Slot) -> Outcome {
    match slot.wait_for(Option::is_some).await {
        Ok(outcome) => outcome.clone().flatten(),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn followers_get_the_leaders_answer_or_run_themselves() {
        let fills = Fills::default();
        let Role::Leader(leader) = fills.join("k") else {
            panic!("the first miss leads");
        };
        let Role::Follower(slot) = fills.join("k") else {
            panic!("the second miss follows");
        };
        let answer = Arc::new(StoredAnswer {
            key: "k".into(),
            body: bytes::Bytes::from_static(b"1"),
            etag: "\"e\"".into(),
            tags: vec![],
        });
        leader.finish(Some(Arc::clone(&answer)));
        assert_eq!(follow(slot).await, Some(answer));
        // The fill is over: the next miss leads again; a leader that gives up frees followers.
        let Role::Leader(leader) = fills.join("k") else {
            panic!("a finished fill is gone");
        };
        let Role::Follower(slot) = fills.join("k") else {
            panic!("follows");
        };
        drop(leader);
        assert_eq!(follow(slot).await, None);
    }
}
