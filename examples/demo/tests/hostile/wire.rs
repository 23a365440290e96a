//! The wire client: a raw exchange over one connection, and the answers parsed out of the bytes
//! (chunked bodies decoded).

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::corpus::Step;

/// Sends the steps on a new connection while reading everything the server answers, until it
/// closes the connection (or resets it). Returns the bytes and the time from the connection to
/// the close.
pub(crate) async fn exchange(addr: &str, steps: &[Step]) -> Result<(Vec<u8>, Duration), String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let connected = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let writing = {
        async move {
            for step in steps {
                match step {
                    // The server may close before it read everything (it answered already):
                    // what it answered is read below.
                    Step::Send(bytes) => {
                        if writer.write_all(bytes).await.is_err() {
                            break;
                        }
                    }
                    Step::Sleep(duration) => tokio::time::sleep(*duration).await,
                    Step::Shutdown => {
                        let _ = writer.shutdown().await;
                    }
                }
            }
            // Keep the write half open (unless a step closed it): closing it would tell the
            // server the request ended.
            writer
        }
    };
    let reading = async {
        let mut bytes = Vec::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            }
        }
        (bytes, Instant::now())
    };
    let (writer, (bytes, closed_at)) = tokio::join!(writing, reading);
    drop(writer);
    Ok((bytes, closed_at.saturating_duration_since(connected)))
}

pub(crate) struct Response {
    pub(crate) status: u16,
    /// Names lowercased, values as sent.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The answers in `bytes`, in order; a body is delimited by `Content-Length`, chunked coding, or
/// the end of the connection.
pub(crate) fn parse_responses(
    mut bytes: &[u8],
    head_request: bool,
) -> Result<Vec<Response>, String> {
    let mut responses = Vec::new();
    while !bytes.is_empty() {
        let end = find(bytes, b"\r\n\r\n").ok_or("an answer without the end of its head")?;
        let head = std::str::from_utf8(&bytes[..end]).map_err(|_| "a head that is not UTF-8")?;
        bytes = &bytes[end + 4..];
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 = status_line
            .strip_prefix("HTTP/1.1 ")
            .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
            .and_then(|rest| rest.get(..3))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("a bad status line {status_line:?}"))?;
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("a bad header line {line:?}"))?;
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
        };
        let no_body = status < 200 || status == 204 || status == 304 || head_request;
        if !no_body {
            if response
                .header_values("transfer-encoding")
                .iter()
                .any(|v| v.eq_ignore_ascii_case("chunked"))
            {
                let (body, used) = dechunk(bytes)?;
                response.body = body;
                bytes = &bytes[used..];
            } else if let Some(length) = response.header_values("content-length").first() {
                let length: usize = length.parse().map_err(|_| "a bad Content-Length")?;
                if bytes.len() < length {
                    return Err(format!(
                        "a body of {} bytes where {length} were announced",
                        bytes.len()
                    ));
                }
                response.body = bytes[..length].to_vec();
                bytes = &bytes[length..];
            } else {
                response.body = bytes.to_vec();
                bytes = &[];
            }
        }
        responses.push(response);
    }
    Ok(responses)
}

fn dechunk(mut bytes: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let total = bytes.len();
    let mut body = Vec::new();
    loop {
        let line_end = find(bytes, b"\r\n").ok_or("a chunk without its size line")?;
        let size_text = std::str::from_utf8(&bytes[..line_end]).map_err(|_| "a bad chunk size")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "a bad chunk size")?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            let trailer_end = find(bytes, b"\r\n").ok_or("no end of the chunked body")?;
            bytes = &bytes[trailer_end + 2..];
            return Ok((body, total - bytes.len()));
        }
        if bytes.len() < size + 2 {
            return Err("a truncated chunk".to_owned());
        }
        body.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(600)]).into_owned();
    if bytes.len() > 600 {
        format!("{text}… ({} bytes)", bytes.len())
    } else {
        text
    }
}
