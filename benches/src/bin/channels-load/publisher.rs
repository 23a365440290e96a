//! The publisher: a thread of the generator that calls the server's `bench.publish` function
//! over one keep-alive HTTP/1.1 connection whenever the loop asks. The publish itself, and its
//! timestamp, happen in the server, so their CPU is the server's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

/// What one `bench.publish` call published: the offsets `first ..= last` of the group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Published {
    /// The first message's offset.
    pub(crate) first: u64,
    /// The last message's offset.
    pub(crate) last: u64,
}

/// The loop's handle on the publisher thread.
pub(crate) struct Publisher {
    commands: Option<Sender<(String, u32)>>,
    results: Receiver<(String, Result<Published, String>)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Publisher {
    /// Starts the thread; it connects on its first call.
    pub(crate) fn spawn(server: SocketAddr) -> Self {
        let (commands, inbox) = channel::<(String, u32)>();
        let (outbox, results) = channel();
        let thread = std::thread::spawn(move || {
            let mut connection: Option<BufReader<TcpStream>> = None;
            for (room, count) in inbox {
                let result = call(&mut connection, server, &room, count);
                if result.is_err() {
                    // A fresh connection for the next call.
                    connection = None;
                }
                if outbox.send((room, result)).is_err() {
                    return;
                }
            }
        });
        Self {
            commands: Some(commands),
            results,
            thread: Some(thread),
        }
    }

    /// Asks for `count` messages to `room`, published back to back by one call.
    pub(crate) fn publish(&self, room: &str, count: u32) {
        if let Some(commands) = &self.commands {
            let _ = commands.send((room.to_owned(), count));
        }
    }

    /// The room and result of each call finished since the last look.
    pub(crate) fn finished(
        &self,
    ) -> impl Iterator<Item = (String, Result<Published, String>)> + '_ {
        self.results.try_iter()
    }

    /// Waits up to `timeout` for the next result.
    pub(crate) fn wait(&self, timeout: Duration) -> Option<(String, Result<Published, String>)> {
        self.results.recv_timeout(timeout).ok()
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        drop(self.commands.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One `POST <base>/call/bench.publish`.
fn call(
    connection: &mut Option<BufReader<TcpStream>>,
    server: SocketAddr,
    room: &str,
    count: u32,
) -> Result<Published, String> {
    let reader = match connection {
        Some(reader) => reader,
        None => {
            let stream = TcpStream::connect(server).map_err(|e| format!("connect: {e}"))?;
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .map_err(|e| e.to_string())?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            connection.insert(BufReader::new(stream))
        }
    };
    let body = serde_json::json!({ "room": room, "count": count }).to_string();
    let request = format!(
        "POST /api/mizan/call/bench.publish HTTP/1.1\r\nHost: {server}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    reader
        .get_mut()
        .write_all(request.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut status = String::new();
    reader
        .read_line(&mut status)
        .map_err(|e| format!("read: {e}"))?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("read: {e}"))?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().map_err(|_| "bad Content-Length")?;
        }
    }
    let mut body = vec![0u8; length];
    reader
        .read_exact(&mut body)
        .map_err(|e| format!("read: {e}"))?;
    let body = String::from_utf8_lossy(&body);
    if status.split(' ').nth(1) != Some("200") {
        return Err(format!("bench.publish answered {}: {body}", status.trim()));
    }
    let output: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| format!("bench.publish output: {e}"))?;
    // 64-bit integers travel as strings (spec §2.9).
    let offset = |name: &str| {
        output[name]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bench.publish output without {name}: {body}"))
    };
    Ok(Published {
        first: offset("first")?,
        last: offset("last")?,
    })
}
