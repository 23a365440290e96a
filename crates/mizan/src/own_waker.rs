//! A waker of its own for one of the futures a task polls, so that the task polls it only when it
//! was woken.
//!
//! `tokio::select!` (and `futures`' `select`) poll every branch on every wake-up of the task. A
//! connection's task is woken for every read and write of its socket, so its deadline timer and
//! shutdown watch, which fire about never, would be polled once or more per request; a channel
//! socket's task is woken for every message it writes, so its reading half (a lock, a read that
//! would block, four timers and watches) would be polled once per delivery. Here such a future
//! gets a waker that marks it woken and wakes the task, and the task polls it only when that mark
//! is set.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Wake, Waker};

use futures_util::task::AtomicWaker;

/// The waker handed to the future.
#[derive(Default)]
struct Mark {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Mark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

/// The mark and its waker, for one future of a task.
pub(crate) struct OwnWaker {
    mark: Arc<Mark>,
    waker: Waker,
}

impl OwnWaker {
    /// Marked woken, so the first poll polls the future and it registers its waker.
    pub(crate) fn new() -> Self {
        let mark = Arc::new(Mark::default());
        mark.woken.store(true, Ordering::Relaxed);
        let waker = Waker::from(Arc::clone(&mark));
        Self { mark, waker }
    }

    /// Registers the task's waker, then says whether the future must be polled now. Registering
    /// first means a wake-up after the answer wakes the task again.
    pub(crate) fn woken(&self, task: &Context<'_>) -> bool {
        self.mark.task.register(task.waker());
        self.mark.woken.swap(false, Ordering::AcqRel)
    }

    /// The context to poll the future with.
    pub(crate) fn context(&self) -> Context<'_> {
        Context::from_waker(&self.waker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::sync::atomic::AtomicUsize;
    use std::task::Poll;

    /// Counts the task's wake-ups.
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_future_is_polled_first_then_only_when_it_wakes() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let task_waker = Waker::from(Arc::clone(&count));
        let task = Context::from_waker(&task_waker);
        let own = OwnWaker::new();
        let (sender, receiver) = tokio::sync::oneshot::channel::<()>();
        let mut receiver = pin!(receiver);

        assert!(own.woken(&task), "the first poll polls the future");
        assert!(receiver.as_mut().poll(&mut own.context()).is_pending());
        assert!(!own.woken(&task), "not woken since");
        assert_eq!(count.0.load(Ordering::SeqCst), 0);

        sender.send(()).unwrap();
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            1,
            "its wake-up wakes the task"
        );
        assert!(own.woken(&task));
        assert_eq!(
            receiver.as_mut().poll(&mut own.context()),
            Poll::Ready(Ok(()))
        );
        assert!(!own.woken(&task), "the mark is cleared once seen");
    }
}
