//! A read that missed (`spec/PROTOCOL.md` §2.16.3, §2.16.6): one run per key in this process,
//! the fill lock across processes, and storing the answer unless a purge raced it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::HeaderValue;
use serde_json::{Map, Value};

use super::{Answer, Read, Status};
use crate::cache::fill::{self, Role};
use crate::cache::{Lookup, StoredAnswer};
use crate::engine::run;
use crate::function::Encoding;
use crate::protocol::context::etag;
use crate::{Error, Request, Result};

/// How often a process waiting for another process's fill looks for its answer.
const POLL_EVERY: Duration = Duration::from_millis(20);

impl Read<'_> {
    /// A miss: one run per key in this process, the others wait for it.
    pub(super) async fn fill(
        &self,
        request: &Request,
        key: &str,
        params: Map<String, Value>,
    ) -> Result<Answer> {
        match self.cache.fills().join(key) {
            Role::Follower(slot) => match fill::follow(slot)
                .await
                .and_then(|stored| Answer::from_stored(&stored, Status::Hit))
            {
                Some(answer) => Ok(answer),
                None => self.run_alone(request, params).await,
            },
            Role::Leader(leader) => {
                let (answer, shared) = self.lead(request, key, params).await?;
                leader.finish(shared);
                Ok(answer)
            }
        }
    }

    /// Runs the function and stores its answer when it may; with a shared store, first takes the
    /// key's fill lock, or waits a bounded time for the process holding it.
    async fn lead(
        &self,
        request: &Request,
        key: &str,
        params: Map<String, Value>,
    ) -> Result<(Answer, Option<Arc<StoredAnswer>>)> {
        let started = self.cache.last_rev().await;
        let mut lock = None;
        if started.is_some() && self.cache.is_shared() {
            match self.cache.try_lock(key).await {
                Some(Some(held)) => {
                    // Another process may have filled the key and released its lock between this
                    // process's miss and its lock: its answer is used, not made a second time.
                    if let Lookup::Hit(stored) = self.cache.get(key).await
                        && let Some(answer) = Answer::from_stored(&stored, Status::Hit)
                    {
                        self.cache.unlock(key, held).await;
                        return Ok((answer, Some(stored)));
                    }
                    lock = Some(held);
                }
                Some(None) => {
                    if let Some(stored) = self.wait_for_other_process(key).await
                        && let Some(answer) = Answer::from_stored(&stored, Status::Hit)
                    {
                        return Ok((answer, Some(stored)));
                    }
                }
                None => {}
            }
        }
        let result = run(self.function, request, params, Encoding::Canonical).await;
        let outcome = match result {
            Ok(body) => self.store(request, key, body, started).await,
            Err(error) => Err(error),
        };
        if let Some(held) = lock {
            self.cache.unlock(key, held).await;
        }
        outcome
    }

    async fn store(
        &self,
        request: &Request,
        key: &str,
        body: Vec<u8>,
        started: Option<u64>,
    ) -> Result<(Answer, Option<Arc<StoredAnswer>>)> {
        let etag = etag(&body)?;
        let body = Bytes::from(body);
        let storable = !request.has_effects() && !request.read_headers();
        let (Some(started), true) = (started, storable) else {
            return Ok((
                Answer {
                    body,
                    etag,
                    status: Status::Bypass,
                },
                None,
            ));
        };
        let stored = Arc::new(StoredAnswer {
            key: key.to_owned(),
            body: body.clone(),
            etag: etag.to_str().map_err(Error::internal)?.to_owned(),
            tags: self.tags.clone(),
        });
        let ttl = Duration::from_secs(u64::from(self.policy.max_age.max(1)));
        if self.cache.put(Arc::clone(&stored), ttl, started).await {
            Ok((
                Answer {
                    body,
                    etag,
                    status: Status::Miss,
                },
                Some(stored),
            ))
        } else {
            // A fill that raced a purge is for its own caller only: waiting readers run again.
            Ok((
                Answer {
                    body,
                    etag,
                    status: Status::Bypass,
                },
                None,
            ))
        }
    }

    /// Looks for the answer another process is filling, until its lock would have expired.
    async fn wait_for_other_process(&self, key: &str) -> Option<Arc<StoredAnswer>> {
        let deadline = Instant::now() + self.cache.lock_ttl();
        while Instant::now() < deadline {
            tokio::time::sleep(POLL_EVERY).await;
            match self.cache.get(key).await {
                Lookup::Hit(stored) if HeaderValue::from_str(&stored.etag).is_ok() => {
                    return Some(stored);
                }
                Lookup::Hit(_) | Lookup::Miss => {}
                Lookup::Unavailable => return None,
            }
        }
        None
    }

    /// Runs the function for this caller only, storing nothing.
    pub(super) async fn run_alone(
        &self,
        request: &Request,
        params: Map<String, Value>,
    ) -> Result<Answer> {
        let body = run(self.function, request, params, Encoding::Canonical).await?;
        let etag = etag(&body)?;
        Ok(Answer {
            body: Bytes::from(body),
            etag,
            status: Status::Bypass,
        })
    }
}
