//! `mizan::serve` over real sockets: timeouts, the connection cap, the body deadline and budget,
//! and the graceful shutdown (`spec/PROTOCOL.md` §2.11). Every wait is bounded.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use mizan::{Limits, Mizan, Registry, Request, Result, ServeOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

#[mizan::client]
async fn echo(_req: &Request, text: String) -> Result<String> {
    Ok(text)
}

/// Sleeps `ms` milliseconds, then answers: a handler that takes its time.
#[mizan::client]
async fn nap(_req: &Request, ms: u32) -> Result<u32> {
    tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    Ok(ms)
}

fn app(limits: Limits) -> Router {
    let mut registry = Registry::new();
    registry.register(echo, "echo").unwrap();
    registry.register(nap, "nap").unwrap();
    Router::new().merge(Mizan::new(registry).limits(limits).router("/api/mizan"))
}

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(options: ServeOptions, limits: Limits) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(
        mizan::serve(listener, app(limits))
            .options(options)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    Server {
        addr,
        stop: Some(stop),
        done,
    }
}

fn options() -> ServeOptions {
    ServeOptions {
        header_read_timeout: Duration::from_millis(400),
        idle_timeout: Duration::from_millis(400),
        max_connections: 64,
        shutdown_grace: Duration::from_secs(2),
    }
}

fn post(name: &str, body: &str) -> String {
    format!(
        "POST /api/mizan/call/{name} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Reads one response (head and a `Content-Length` body) from a keep-alive connection.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer within 5 s")
            .unwrap();
        assert!(
            n > 0,
            "closed before a whole answer: {:?}",
            String::from_utf8_lossy(&out)
        );
        out.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&out).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .map_or(0, |v| v.parse::<usize>().unwrap());
            if body.len() >= length {
                return text;
            }
        }
    }
}

/// How long the server takes to close the connection, reading and dropping what it sends.
async fn time_to_close(stream: &mut TcpStream, limit: Duration) -> Duration {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return start.elapsed(),
            Ok(Ok(_)) => {}
            Err(_) => panic!("the server kept the connection open for {limit:?}"),
        }
    }
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let server = start(
        ServeOptions {
            idle_timeout: Duration::from_secs(1),
            ..options()
        },
        Limits::default(),
    )
    .await;
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let waited = time_to_close(&mut silent, Duration::from_secs(4)).await;
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_millis(1700),
        "closed after {waited:?}; the idle timeout is 1 s"
    );

    // After an answer the idle clock starts again, from when the answer was written.
    let mut used = TcpStream::connect(server.addr).await.unwrap();
    used.write_all(post("echo", r#"{"text":"hi"}"#).as_bytes())
        .await
        .unwrap();
    assert!(read_response(&mut used).await.starts_with("HTTP/1.1 200"));
    let waited = time_to_close(&mut used, Duration::from_secs(4)).await;
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_millis(1700),
        "closed after {waited:?}; the idle timeout is 1 s"
    );
}

#[tokio::test]
async fn a_connection_in_use_stays_open_past_the_idle_timeout() {
    let server = start(options(), Limits::default()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    // Six requests 150 ms apart span 900 ms, over twice the idle timeout.
    for _ in 0..6 {
        stream
            .write_all(post("echo", r#"{"text":"hi"}"#).as_bytes())
            .await
            .unwrap();
        assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    // A handler that runs longer than the idle timeout is not cut off.
    stream
        .write_all(post("nap", r#"{"ms":900}"#).as_bytes())
        .await
        .unwrap();
    let reply = read_response(&mut stream).await;
    assert!(
        reply.starts_with("HTTP/1.1 200") && reply.ends_with("900"),
        "{reply}"
    );
}

#[tokio::test]
async fn a_head_trickled_in_slower_than_the_header_timeout_is_closed() {
    let server = start(
        ServeOptions {
            idle_timeout: Duration::from_secs(5),
            ..options()
        },
        Limits::default(),
    )
    .await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let start = Instant::now();
    // One byte every 50 ms keeps the connection far from idle, but the head never ends.
    let head = b"GET /api/mizan/context/greet?p=%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    let mut closed = false;
    for byte in head.iter().chain(std::iter::repeat(&b'a')).take(200) {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut probe = [0u8; 64];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await
        {
            closed = true;
            break;
        }
    }
    let waited = start.elapsed();
    assert!(closed, "a trickled head was never cut off");
    assert!(
        waited >= Duration::from_millis(350) && waited < Duration::from_secs(3),
        "closed after {waited:?}; the header timeout is 400 ms"
    );
}

#[tokio::test]
async fn a_body_slower_than_the_minimum_rate_gets_408_and_the_connection_closes() {
    let limits = Limits {
        body_grace: Duration::from_millis(300),
        body_min_rate: 1000,
        ..Limits::default()
    };
    let server = start(
        ServeOptions {
            idle_timeout: Duration::from_secs(5),
            ..options()
        },
        limits,
    )
    .await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let start = Instant::now();
    stream
        .write_all(b"POST /api/mizan/call/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"text\":\"")
        .await
        .unwrap();
    let reply = read_response(&mut stream).await;
    let waited = start.elapsed();
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains(r#""code":"request_timeout""#), "{reply}");
    assert!(reply.contains("connection: close"), "{reply}");
    assert!(reply.contains("x-content-type-options: nosniff"), "{reply}");
    // 9 bytes earn 9 ms past the 300 ms grace.
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    time_to_close(&mut stream, Duration::from_secs(2)).await;

    // A body that keeps up with the rate is read whole, however long it takes.
    let mut steady = TcpStream::connect(server.addr).await.unwrap();
    let body = format!(r#"{{"text":"{}"}}"#, "a".repeat(1200));
    steady
        .write_all(
            format!(
                "POST /api/mizan/call/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // 100 bytes every 50 ms is 2,000 bytes per second, twice the minimum, over 600 ms.
    for chunk in body.as_bytes().chunks(100) {
        steady.write_all(chunk).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = read_response(&mut steady).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

#[tokio::test]
async fn bodies_over_the_budget_get_503_with_retry_after() {
    let limits = Limits {
        body_budget_bytes: 1000,
        ..Limits::default()
    };
    let server = start(options(), limits).await;
    // The first request reserves its declared 600 bytes and waits for them.
    let mut holder = TcpStream::connect(server.addr).await.unwrap();
    holder
        .write_all(b"POST /api/mizan/call/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 600\r\n\r\n{\"text\":\"")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let body = format!(r#"{{"text":"{}"}}"#, "b".repeat(500));
    let mut refused = TcpStream::connect(server.addr).await.unwrap();
    refused
        .write_all(post("echo", &body).as_bytes())
        .await
        .unwrap();
    let reply = read_response(&mut refused).await;
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(reply.contains("retry-after: 1"), "{reply}");
    assert!(reply.contains(r#""code":"overloaded""#), "{reply}");

    // Once the first body is in, its bytes return to the budget.
    let rest = format!("{}\"}}", "a".repeat(600 - 9 - 2));
    holder.write_all(rest.as_bytes()).await.unwrap();
    assert!(read_response(&mut holder).await.starts_with("HTTP/1.1 200"));
    let mut after = TcpStream::connect(server.addr).await.unwrap();
    after
        .write_all(post("echo", &body).as_bytes())
        .await
        .unwrap();
    assert!(read_response(&mut after).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_closes() {
    let server = start(
        ServeOptions {
            max_connections: 2,
            idle_timeout: Duration::from_secs(5),
            header_read_timeout: Duration::from_secs(5),
            ..options()
        },
        Limits::default(),
    )
    .await;
    let mut first = TcpStream::connect(server.addr).await.unwrap();
    let mut second = TcpStream::connect(server.addr).await.unwrap();
    for stream in [&mut first, &mut second] {
        stream
            .write_all(post("echo", r#"{"text":"in"}"#).as_bytes())
            .await
            .unwrap();
        assert!(read_response(stream).await.starts_with("HTTP/1.1 200"));
    }
    // The third connects (the kernel's backlog holds it) but is not served yet.
    let mut third = TcpStream::connect(server.addr).await.unwrap();
    third
        .write_all(post("echo", r#"{"text":"3"}"#).as_bytes())
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(
        tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf))
            .await
            .is_err(),
        "a connection over the cap was served"
    );
    drop(first);
    let reply = read_response(&mut third).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

#[tokio::test]
async fn a_graceful_shutdown_finishes_requests_in_progress_then_returns() {
    let mut server = start(options(), Limits::default()).await;
    let mut busy = TcpStream::connect(server.addr).await.unwrap();
    busy.write_all(post("nap", r#"{"ms":300}"#).as_bytes())
        .await
        .unwrap();
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let start = Instant::now();
    server.stop.take().unwrap().send(()).unwrap();
    // The idle connection closes at once; the busy one gets its answer, marked `close`.
    let idle_closed = time_to_close(&mut idle, Duration::from_secs(2)).await;
    assert!(idle_closed < Duration::from_millis(250), "{idle_closed:?}");
    let reply = read_response(&mut busy).await;
    assert!(
        reply.starts_with("HTTP/1.1 200") && reply.ends_with("300"),
        "{reply}"
    );
    assert!(reply.contains("connection: close"), "{reply}");
    tokio::time::timeout(Duration::from_secs(2), server.done)
        .await
        .expect("serve returns once the requests are done")
        .unwrap()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(
        TcpStream::connect(server.addr).await.is_err(),
        "still accepting"
    );
}

#[tokio::test]
async fn a_shutdown_closes_what_is_left_after_the_grace_period() {
    let mut server = start(
        ServeOptions {
            shutdown_grace: Duration::from_millis(300),
            ..options()
        },
        Limits::default(),
    )
    .await;
    let mut stuck = TcpStream::connect(server.addr).await.unwrap();
    stuck
        .write_all(post("nap", r#"{"ms":30000}"#).as_bytes())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let start = Instant::now();
    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(3), server.done)
        .await
        .expect("serve returns after the grace period")
        .unwrap()
        .unwrap();
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(2),
        "{took:?}"
    );
    time_to_close(&mut stuck, Duration::from_secs(1)).await;
}
