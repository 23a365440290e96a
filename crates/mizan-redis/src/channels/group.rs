//! A group's position and history in Redis: the one script that publishes and reads them
//! (`group.lua`), and the replies it gives turned into the layer's types.

use std::time::Duration;

use bytes::Bytes;
use mizan::channels::{GroupKey, History, HistoryOptions, LayerError, Position};
use redis::aio::ConnectionManager;
use redis::{Script, Value};

use super::keys::GroupNames;

/// Publishes to and reads the groups of one layer, each call one atomic script run, bounded by
/// the layer's timeout.
pub(crate) struct GroupStore {
    connection: ConnectionManager,
    script: Script,
    prefix: String,
    history: HistoryOptions,
    timeout: Duration,
}

impl GroupStore {
    pub(crate) fn new(
        connection: ConnectionManager,
        prefix: String,
        history: HistoryOptions,
        timeout: Duration,
    ) -> Self {
        Self {
            connection,
            script: Script::new(include_str!("group.lua")),
            prefix,
            history,
            timeout,
        }
    }

    /// The layer's bound on one round trip to Redis.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The Redis names of `key`'s group under this layer's prefix.
    pub(crate) fn names(&self, key: &GroupKey) -> GroupNames {
        GroupNames::new(&self.prefix, key)
    }

    /// Appends `data` to the group's history and publishes it; its position.
    pub(crate) async fn publish(
        &self,
        key: &GroupKey,
        data: &[u8],
    ) -> Result<Position, LayerError> {
        let names = self.names(key);
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(&names.position)
            .key(&names.history)
            .arg("publish")
            .arg(new_epoch()?)
            .arg(self.lifetime_ms())
            .arg(self.history.len)
            .arg(&names.pubsub)
            .arg(data);
        let reply = self.run(invocation, key).await?;
        match reply.as_slice() {
            [epoch, offset] => position(epoch, offset),
            _ => None,
        }
        .ok_or_else(|| malformed(key))
    }

    /// The group's position (started now when Redis has none) and its messages after `after`.
    pub(crate) async fn history(
        &self,
        key: &GroupKey,
        after: Option<u64>,
    ) -> Result<History, LayerError> {
        let names = self.names(key);
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(&names.position)
            .key(&names.history)
            .arg("history")
            .arg(new_epoch()?)
            .arg(self.lifetime_ms())
            .arg(after.map(|after| after.to_string()).unwrap_or_default());
        let reply = self.run(invocation, key).await?;
        let history = match reply.as_slice() {
            [epoch, offset, Value::Int(complete), Value::Array(entries)] => position(epoch, offset)
                .and_then(|position| {
                    let messages = entries.iter().map(entry).collect::<Option<Vec<_>>>()?;
                    Some(History {
                        position,
                        messages,
                        complete: *complete == 1,
                    })
                }),
            _ => None,
        };
        history.ok_or_else(|| malformed(key))
    }

    async fn run(
        &self,
        invocation: redis::ScriptInvocation<'_>,
        key: &GroupKey,
    ) -> Result<Vec<Value>, LayerError> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(
            self.timeout,
            invocation.invoke_async::<Vec<Value>>(&mut connection),
        )
        .await
        {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(error)) => Err(LayerError::new(format!("redis, group {key}: {error}"))),
            Err(_) => Err(LayerError::new(format!(
                "redis, group {key}: no answer within {:?}",
                self.timeout
            ))),
        }
    }

    /// At least 1 ms (the builder refuses less): PEXPIRE 0 would delete what it is given.
    fn lifetime_ms(&self) -> u64 {
        u64::try_from(self.history.lifetime.as_millis()).unwrap_or(u64::MAX)
    }
}

/// A fresh epoch: 16 random bytes, base64url (22 characters).
fn new_epoch() -> Result<String, LayerError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|error| LayerError::new(format!("no randomness for an epoch: {error}")))?;
    Ok(mizan_core::base64url::encode(&bytes))
}

fn position(epoch: &Value, offset: &Value) -> Option<Position> {
    Some(Position {
        epoch: text(epoch)?.into(),
        offset: text(offset)?.parse().ok()?,
    })
}

/// One XRANGE entry, `[id "0-<offset>", ["d", data]]`.
fn entry(value: &Value) -> Option<(u64, Bytes)> {
    let Value::Array(parts) = value else {
        return None;
    };
    let [id, Value::Array(fields)] = parts.as_slice() else {
        return None;
    };
    let offset = text(id)?.strip_prefix("0-")?.parse().ok()?;
    match fields.as_slice() {
        [_, Value::BulkString(data)] => Some((offset, Bytes::copy_from_slice(data))),
        _ => None,
    }
}

fn text(value: &Value) -> Option<&str> {
    match value {
        Value::BulkString(bytes) => std::str::from_utf8(bytes).ok(),
        _ => None,
    }
}

fn malformed(key: &GroupKey) -> LayerError {
    LayerError::new(format!(
        "redis, group {key}: the script's answer is not what it returns (another program writes under this prefix?)"
    ))
}
