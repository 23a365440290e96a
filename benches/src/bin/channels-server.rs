//! The server of the channels benchmark (`scripts/bench-channels.sh`) in its own process:
//! `channels-server [addr]` prints `listening on <addr>` once it accepts connections, and exits
//! when its standard input closes.
//!
//! It serves one channel, `bench` (params `{room}`, group `room.<room>`, no client messages),
//! whose message is 200 bytes of JSON carrying its publish time, and one call,
//! `bench.publish {room, count}`, which publishes `count` such messages back to back and answers
//! their offsets. The generator triggers every broadcast through that call, so publishing costs
//! this process's CPU, as it does in an application. The limits are raised for 100k+ sockets;
//! every other channel setting is the reference server's default.

use std::time::{SystemTime, UNIX_EPOCH};

use mizan::channels::{Channel, ChannelOptions, Channels, NoIncoming};
use mizan::{Mizan, Registry, Request, Result, ServeOptions};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

/// The most sockets the benchmark opens, with room to spare.
const MAX_SOCKETS: usize = 250_000;
/// The size of a message's `data` in JSON, as the issue asks.
const MESSAGE_BYTES: usize = 200;

/// The benchmark's channel.
struct Bench;

/// Which room to follow.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Room {
    /// The room's name.
    #[schemars(length(min = 1, max = 40))]
    room: String,
}

/// One benchmark message: its publish time and padding up to [`MESSAGE_BYTES`].
#[derive(Serialize, JsonSchema)]
struct Stamp {
    /// `CLOCK_REALTIME` in nanoseconds when it was published (a string on the wire, §2.9).
    sent_ns: u64,
    /// Filler, so the message has the size of a small chat message.
    pad: String,
}

impl Channel for Bench {
    const NAME: &'static str = "bench";
    type Params = Room;
    type Message = Stamp;
    type Incoming = NoIncoming;

    fn group(params: &Room) -> String {
        format!("room.{}", params.room)
    }
}

/// The offsets `bench.publish` published.
#[derive(Serialize, JsonSchema)]
struct Published {
    /// The first message's offset in its group.
    first: u64,
    /// The last message's offset in its group.
    last: u64,
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The padding that makes a message's `data` [`MESSAGE_BYTES`] long: `sent_ns` is 19 digits
/// for as long as the benchmark will run, and travels as a string.
fn padding() -> String {
    let skeleton = serde_json::json!({ "sent_ns": now_ns().to_string(), "pad": "" });
    "x".repeat(MESSAGE_BYTES.saturating_sub(skeleton.to_string().len()))
}

/// Publishes `count` (1 to 1000) benchmark messages to `room`, each stamped as it is published.
#[mizan::client]
async fn publish(req: &Request, room: String, count: u32) -> Result<Published> {
    if !(1..=1000).contains(&count) {
        return Err(mizan::Error::bad_request("count is 1 to 1000"));
    }
    let params = Room { room };
    let pad = req.state::<Padding>()?.0.clone();
    let mut first = None;
    let mut last = 0;
    for _ in 0..count {
        let message = Stamp {
            sent_ns: now_ns(),
            pad: pad.clone(),
        };
        let position = req
            .channels()
            .publish::<Bench>(&params, &message)
            .await
            .map_err(mizan::Error::unavailable)?;
        first.get_or_insert(position.offset);
        last = position.offset;
    }
    Ok(Published {
        first: first.unwrap_or(last),
        last,
    })
}

/// The padding, made once.
struct Padding(String);

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    // Each socket is a descriptor: the generator raises the limit it starts this server with,
    // and a server started alone raises its own soft limit to its hard one.
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    if soft < hard {
        rlimit::setrlimit(rlimit::Resource::NOFILE, hard, hard)?;
    }
    let mut registry = Registry::new();
    registry
        .register(publish, "bench.publish")?
        .channel(Bench)?;
    let channels = Channels::in_process();
    let router = Mizan::new(registry)
        .state(Padding(padding()))
        .channels(channels)
        .channel_options(ChannelOptions {
            max_sockets: MAX_SOCKETS,
            ..ChannelOptions::default()
        })
        .router("/api/mizan");
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(addr.parse()?)?;
    // The accept queue must absorb the generator's bursts of connects.
    let listener = socket.listen(4096)?;
    println!("listening on {}", listener.local_addr()?);
    mizan::serve(listener, router)
        .options(ServeOptions {
            max_connections: MAX_SOCKETS,
            ..ServeOptions::default()
        })
        .with_graceful_shutdown(stdin_closed())
        .await?;
    Ok(())
}

/// Resolves when standard input reaches its end: the generator closes it to stop the server.
async fn stdin_closed() {
    let mut sink = [0u8; 64];
    let mut stdin = tokio::io::stdin();
    while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
}
