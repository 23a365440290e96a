//! The budget of request-body bytes one `Mizan` buffers at once (`Limits::body_budget_bytes`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Error, ErrorCode};

/// Bytes of request bodies buffered at once, shared by every request of one `Mizan`.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    capacity: usize,
    in_use: AtomicUsize,
}

impl BodyBudget {
    pub(crate) fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            capacity,
            in_use: AtomicUsize::new(0),
        })
    }

    /// An empty reservation, grown with [`Reservation::grow`] as a body arrives.
    pub(crate) fn reserve(self: &Arc<Self>) -> Reservation {
        Reservation {
            budget: Arc::clone(self),
            bytes: 0,
        }
    }

    fn take(&self, bytes: usize) -> bool {
        self.in_use
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |in_use| {
                in_use
                    .checked_add(bytes)
                    .filter(|&total| total <= self.capacity)
            })
            .is_ok()
    }

    #[cfg(test)]
    fn in_use(&self) -> usize {
        self.in_use.load(Ordering::Acquire)
    }
}

/// Bytes of the budget held by one request body; given back when dropped.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Arc<BodyBudget>,
    bytes: usize,
}

impl Reservation {
    /// Holds at least `total` bytes of the budget, or fails with `503 overloaded`.
    pub(crate) fn grow(&mut self, total: usize) -> Result<(), Error> {
        if total <= self.bytes {
            return Ok(());
        }
        if !self.budget.take(total - self.bytes) {
            return Err(overloaded());
        }
        self.bytes = total;
        Ok(())
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.in_use.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// `503 overloaded` (its response carries `Retry-After: 1`).
fn overloaded() -> Error {
    Error::new(
        ErrorCode::Overloaded,
        "the server is reading too many request bodies at once; retry shortly",
    )
}

#[cfg(test)]
mod tests {
    use super::BodyBudget;

    #[test]
    fn reservations_share_the_budget_and_give_it_back() {
        let budget = BodyBudget::new(100);
        let mut a = budget.reserve();
        a.grow(60).unwrap();
        a.grow(50).unwrap();
        let mut b = budget.reserve();
        let refused = b.grow(41).unwrap_err();
        assert_eq!(refused.code().as_str(), "overloaded");
        b.grow(40).unwrap();
        assert_eq!(budget.in_use(), 100);
        drop(a);
        assert_eq!(budget.in_use(), 40);
        b.grow(usize::MAX).unwrap_err();
        drop(b);
        assert_eq!(budget.in_use(), 0);
    }
}
