//! A socket's outbound queue: frames waiting to be written, bounded in frames and bytes
//! (§2.15.8). Anything may push (the hub delivering a message, the socket answering a frame);
//! the socket's writer takes them one at a time.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Notify;

/// The WebSocket close code of a slow consumer.
pub(crate) const SLOW_CONSUMER: u16 = 4001;

/// What the writer does next.
#[derive(Debug)]
pub(crate) enum Next {
    /// Write this text frame.
    Frame(Utf8Bytes),
    /// Send a close frame with this code; the queue is dropped.
    Close(u16),
    /// Nothing to do until [`Outbox::notified`].
    Wait,
}

/// The queue of one socket.
pub(crate) struct Outbox {
    queue: Mutex<Queue>,
    wake: Notify,
    /// Woken when the socket starts closing.
    closing: Notify,
    max_frames: usize,
    max_bytes: usize,
}

#[derive(Default)]
struct Queue {
    /// Empty and unallocated while the socket keeps up.
    frames: VecDeque<Utf8Bytes>,
    bytes: usize,
    /// Set once: the socket is closing with this code, nothing more is queued.
    close: Option<u16>,
    /// Whether the writer has taken the close.
    close_taken: bool,
}

impl Outbox {
    /// An empty queue holding at most `max_frames` frames and `max_bytes` bytes.
    pub(crate) fn new(max_frames: usize, max_bytes: usize) -> Self {
        Self {
            queue: Mutex::new(Queue::default()),
            wake: Notify::new(),
            closing: Notify::new(),
            max_frames,
            max_bytes,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `frame`. Over the limits the queue is dropped and the socket closes with 4001.
    pub(crate) fn push(&self, frame: Utf8Bytes) {
        let mut queue = self.lock();
        if queue.close.is_some() {
            return;
        }
        let len = frame.as_str().len();
        if queue.frames.len() >= self.max_frames || queue.bytes + len > self.max_bytes {
            queue.frames = VecDeque::new();
            queue.bytes = 0;
            queue.close = Some(SLOW_CONSUMER);
            self.closing.notify_waiters();
        } else {
            queue.bytes += len;
            queue.frames.push_back(frame);
        }
        drop(queue);
        self.wake.notify_one();
    }

    /// Closes the socket with `code` once the frames queued before are written (a slow
    /// consumer's are dropped instead). The first close wins.
    pub(crate) fn close(&self, code: u16) {
        let mut queue = self.lock();
        if queue.close.is_none() {
            queue.close = Some(code);
            self.closing.notify_waiters();
        }
        drop(queue);
        self.wake.notify_one();
    }

    /// What the writer does next.
    pub(crate) fn next(&self) -> Next {
        let mut queue = self.lock();
        if queue.close == Some(SLOW_CONSUMER) && !queue.close_taken {
            queue.close_taken = true;
            return Next::Close(SLOW_CONSUMER);
        }
        if let Some(frame) = queue.frames.pop_front() {
            queue.bytes -= frame.as_str().len();
            if queue.frames.is_empty() {
                // Give the buffer back: an idle socket holds no queue memory.
                queue.frames = VecDeque::new();
            }
            return Next::Frame(frame);
        }
        match queue.close {
            Some(code) if !queue.close_taken => {
                queue.close_taken = true;
                Next::Close(code)
            }
            _ => Next::Wait,
        }
    }

    /// Resolves once the socket is closing (at once if it already is).
    pub(crate) async fn closing(&self) {
        loop {
            let notified = self.closing.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.lock().close.is_some() {
                return;
            }
            notified.await;
        }
    }

    /// Resolves when something was queued since the writer last waited.
    pub(crate) async fn notified(&self) {
        self.wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_frame_limit_drops_the_queue_and_closes_4001() {
        let outbox = Outbox::new(2, 1 << 20);
        outbox.push("a".into());
        outbox.push("b".into());
        outbox.push("c".into());
        assert!(matches!(outbox.next(), Next::Close(SLOW_CONSUMER)));
        assert!(matches!(outbox.next(), Next::Wait));
    }

    #[test]
    fn over_the_byte_limit_closes_4001_and_later_frames_are_ignored() {
        let outbox = Outbox::new(100, 4);
        outbox.push("abc".into());
        outbox.push("de".into());
        outbox.push("f".into());
        assert!(matches!(outbox.next(), Next::Close(SLOW_CONSUMER)));
    }

    #[test]
    fn a_close_comes_after_the_frames_queued_before_it() {
        let outbox = Outbox::new(100, 100);
        outbox.push("a".into());
        outbox.close(4000);
        outbox.push("b".into());
        assert!(matches!(outbox.next(), Next::Frame(f) if f.as_str() == "a"));
        assert!(matches!(outbox.next(), Next::Close(4000)));
        assert!(matches!(outbox.next(), Next::Wait));
    }
}
