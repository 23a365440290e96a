//! Opening the two connections the channel layer and the cache store each hold: one for commands
//! (reconnecting by itself) and one for Pub/Sub, both bounded by the caller's timeout.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig, PubSub};
use tokio::time::timeout;

/// What [`open`] gives: the client (to reconnect the Pub/Sub connection later), the command
/// connection and the Pub/Sub connection.
pub(crate) type Opened = (redis::Client, ConnectionManager, PubSub);

/// Connects to `url` within `limit` per connection; the command connection reconnects with
/// delays from `min` doubling to `max`. The error is a message for logs: it names the address,
/// never the URL, which may hold a password.
pub(crate) async fn open(
    url: &str,
    limit: Duration,
    min: Duration,
    max: Duration,
) -> Result<Opened, String> {
    let client = redis::Client::open(url).map_err(|error| format!("redis: bad URL: {error}"))?;
    let address = client.get_connection_info().addr().to_string();
    let unreachable =
        |error: &dyn std::fmt::Display| format!("redis: cannot connect to {address}: {error}");
    let late = || format!("redis: {address} did not answer within {limit:?}");
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(limit))
        .set_response_timeout(Some(limit))
        .set_min_delay(min)
        .set_max_delay(max);
    let commands = timeout(limit, client.get_connection_manager_with_config(config))
        .await
        .map_err(|_| late())?
        .map_err(|error| unreachable(&error))?;
    let pubsub = timeout(limit, client.get_async_pubsub())
        .await
        .map_err(|_| late())?
        .map_err(|error| unreachable(&error))?;
    Ok((client, commands, pubsub))
}
