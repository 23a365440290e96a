//! The store's operations on Redis, each one round trip (a command or a script) bounded by the
//! store's timeout.

use std::sync::Arc;
use std::time::Duration;

use mizan::cache::{FillLock, StoreError, StoredAnswer};
use redis::aio::ConnectionManager;
use redis::{Cmd, FromRedisValue, Script, ScriptInvocation};

use super::codec;
use super::names::Names;

/// What every operation needs: the connection, the names, the scripts and the bounds.
pub(crate) struct Ops {
    pub(crate) connection: ConnectionManager,
    pub(crate) names: Names,
    timeout: Duration,
    retention: Duration,
    /// This store's id in purge messages, so that its own come back to it only once.
    pub(crate) origin: String,
    put: Script,
    purge: Script,
    unlock: Script,
}

impl Ops {
    pub(crate) fn new(
        connection: ConnectionManager,
        names: Names,
        timeout: Duration,
        retention: Duration,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            connection,
            names,
            timeout,
            retention,
            origin: random_token()?,
            put: Script::new(include_str!("put.lua")),
            purge: Script::new(include_str!("purge.lua")),
            unlock: Script::new(include_str!("unlock.lua")),
        })
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<Arc<StoredAnswer>>, StoreError> {
        let bytes: Option<Vec<u8>> = match self.query(Cmd::get(self.names.answer(key))).await {
            Ok(bytes) => bytes,
            // Not a string: something else was written there, which a put replaces like garbage.
            Err(error) if error.is_wrong_type() => return Ok(None),
            Err(error) => return Err(error.into_store_error("get")),
        };
        Ok(bytes
            .and_then(|bytes| codec::decode_answer(&bytes))
            .filter(|answer| answer.key == key)
            .map(Arc::new))
    }

    pub(crate) async fn last_rev(&self) -> Result<u64, StoreError> {
        let rev: Option<String> = self
            .query(Cmd::get(self.names.last_rev()))
            .await
            .map_err(|error| error.into_store_error("last rev"))?;
        rev.map_or(Ok(0), |rev| parse_rev(&rev, "the last rev"))
    }

    pub(crate) async fn put(
        &self,
        answer: &StoredAnswer,
        ttl: Duration,
        started_at_rev: u64,
    ) -> Result<bool, StoreError> {
        let ttl = millis(ttl);
        if ttl == 0 {
            // PX 0 is refused by Redis; an answer kept for no time is not kept.
            return Ok(false);
        }
        let encoded = codec::encode_answer(answer)
            .ok_or_else(|| StoreError::new("put: a field of the answer is over 4 GiB"))?;
        let mut invocation = self.put.prepare_invoke();
        invocation.key(self.names.answer(&answer.key));
        for tag in &answer.tags {
            invocation
                .key(self.names.tag_set(tag))
                .key(self.names.tag_rev(tag));
        }
        invocation
            .arg(encoded)
            .arg(ttl)
            .arg(started_at_rev)
            .arg(&answer.key)
            .arg(self.names.answer(""));
        let stored: i64 = self.script(invocation, "put").await?;
        Ok(stored == 1)
    }

    pub(crate) async fn tags_rev(&self, tags: &[String]) -> Result<u64, StoreError> {
        if tags.is_empty() {
            return Ok(0);
        }
        let keys: Vec<String> = tags.iter().map(|tag| self.names.tag_rev(tag)).collect();
        let revs: Vec<Option<String>> = self
            .query(redis::cmd("MGET").arg(keys).clone())
            .await
            .map_err(|error| error.into_store_error("tags rev"))?;
        revs.iter().flatten().try_fold(0, |highest, rev| {
            Ok(highest.max(parse_rev(rev, "a tag's rev")?))
        })
    }

    pub(crate) async fn purge(&self, tags: &[String]) -> Result<u64, StoreError> {
        let tail = codec::encode_purge(&self.origin, tags)
            .ok_or_else(|| StoreError::new("purge: a tag is over 4 GiB"))?;
        let mut invocation = self.purge.prepare_invoke();
        invocation.key(self.names.last_rev()).key(self.names.log());
        for tag in tags {
            invocation
                .key(self.names.tag_set(tag))
                .key(self.names.tag_rev(tag));
        }
        invocation
            .arg(millis(self.retention).max(1))
            .arg(self.names.channel())
            .arg(self.names.answer(""))
            .arg(tail);
        let rev: String = self.script(invocation, "purge").await?;
        parse_rev(&rev, "the purge's rev")
    }

    pub(crate) async fn try_lock(
        &self,
        key: &str,
        ttl: Duration,
    ) -> Result<Option<FillLock>, StoreError> {
        let token = random_token()?;
        let taken: Option<String> = self
            .query(
                redis::cmd("SET")
                    .arg(self.names.lock(key))
                    .arg(&token)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(ttl).max(1))
                    .clone(),
            )
            .await
            .map_err(|error| error.into_store_error("try lock"))?;
        Ok(taken.map(|_| FillLock(token)))
    }

    pub(crate) async fn unlock(&self, key: &str, lock: &FillLock) -> Result<(), StoreError> {
        let mut invocation = self.unlock.prepare_invoke();
        invocation.key(self.names.lock(key)).arg(&lock.0);
        let _released: i64 = self.script(invocation, "unlock").await?;
        Ok(())
    }

    async fn query<T: FromRedisValue>(&self, command: Cmd) -> Result<T, Failure> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.timeout, command.query_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(Failure::Redis(error)),
            Err(_) => Err(Failure::Late(self.timeout)),
        }
    }

    async fn script<T: FromRedisValue>(
        &self,
        invocation: ScriptInvocation<'_>,
        what: &str,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.timeout, invocation.invoke_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(Failure::Redis(error).into_store_error(what)),
            Err(_) => Err(Failure::Late(self.timeout).into_store_error(what)),
        }
    }
}

/// Why one round trip failed.
enum Failure {
    Redis(redis::RedisError),
    Late(Duration),
}

impl Failure {
    fn is_wrong_type(&self) -> bool {
        matches!(self, Self::Redis(error) if error.code() == Some("WRONGTYPE"))
    }

    fn into_store_error(self, what: &str) -> StoreError {
        match self {
            Self::Redis(error) => StoreError::new(format!("redis, {what}: {error}")),
            Self::Late(timeout) => {
                StoreError::new(format!("redis, {what}: no answer within {timeout:?}"))
            }
        }
    }
}

fn parse_rev(text: &str, what: &str) -> Result<u64, StoreError> {
    text.parse().map_err(|_| {
        StoreError::new(format!(
            "redis: {what} is not a rev ({text:?}; another program writes under this prefix?)"
        ))
    })
}

/// Whole milliseconds, saturating.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// 16 random bytes, base64url: a lock's token, a store's id.
fn random_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|error| StoreError::new(format!("no randomness for a token: {error}")))?;
    Ok(mizan_core::base64url::encode(&bytes))
}
