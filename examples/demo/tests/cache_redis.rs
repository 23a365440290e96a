//! The demo's context cache on Redis (spec §2.16.6): two demo processes sharing one Redis share
//! their answers and purges, fill a key once between them, and keep answering while Redis is
//! down (`bypass`), using it again once it is back.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use serde_json::json;

mod common;
#[allow(unreachable_pub)]
#[path = "../../../crates/mizan-redis/tests/support/private_redis.rs"]
mod private_redis;
use common::DemoProcess;
use private_redis::PrivateRedis;

const REDIS: &str = "redis://127.0.0.1:6379";

/// How long a test waits for something that should happen.
const PATIENCE: Duration = Duration::from_secs(10);

/// A board no other run uses (1 to 40 of `a-z 0-9 -`), so runs sharing one Redis never share
/// answers.
fn fresh_board(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{what}-{}-{nanos}", std::process::id())
}

async fn demo_on(redis_url: &str) -> DemoProcess {
    DemoProcess::spawn(&["--redis-url", redis_url], None).await
}

/// Reads `board` from the demo at `addr`: the status, `X-Mizan-Cache-Status` and the notes.
async fn read(addr: &str, board: &str) -> (u16, String, serde_json::Value) {
    let params = json!({"board": board});
    let query = mizan::encode_query(params.as_object().unwrap(), 0).unwrap();
    let raw = format!(
        "GET /api/mizan/context/notes?{query} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n"
    );
    let (status, head, body) = common::request(addr, raw).await;
    let cache = head
        .lines()
        .find_map(|line| line.strip_prefix("x-mizan-cache-status: "))
        .unwrap_or("none")
        .to_owned();
    (status, cache, serde_json::from_str(&body).unwrap())
}

/// Pins `text` to `board` through the demo at `addr`: the status and the response head.
async fn add(addr: &str, board: &str, text: &str) -> (u16, String) {
    let body = json!({"board": board, "text": text}).to_string();
    let raw = format!(
        "POST /api/mizan/call/notes.add HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, head, _) = common::request(addr, raw).await;
    (status, head)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_through_one_process_makes_the_other_miss() {
    let (a, b) = (demo_on(REDIS).await, demo_on(REDIS).await);
    let board = fresh_board("purge");
    assert_eq!(read(&b.addr, &board).await.1, "miss");
    assert_eq!(read(&b.addr, &board).await.1, "hit");
    // One store: what B filled, A serves.
    assert_eq!(read(&a.addr, &board).await.1, "hit");

    let (status, head) = add(&a.addr, &board, "hello").await;
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("x-mizan-rev: "), "{head}");
    // B's stored answer went with A's purge: B runs the function again. (Each process keeps its
    // notes in its own memory: B has none.)
    let (status, cache, notes) = read(&b.addr, &board).await;
    assert_eq!((status, cache.as_str(), notes), (200, "miss", json!([])));
    assert_eq!(read(&b.addr, &board).await.1, "hit");
    // And A serves B's fill.
    let (_, cache, notes) = read(&a.addr, &board).await;
    assert_eq!((cache.as_str(), notes), ("hit", json!([])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_across_two_processes_run_the_function_once() {
    let (a, b) = (demo_on(REDIS).await, demo_on(REDIS).await);
    for round in 0..5 {
        let board = fresh_board(&format!("fill{round}"));
        let reads = (0..16).map(|i| {
            let addr = if i % 2 == 0 { &a.addr } else { &b.addr };
            read(addr, &board)
        });
        let answers = join_all(reads).await;
        let mut statuses: Vec<&str> = answers
            .iter()
            .map(|(status, cache, _)| {
                assert_eq!(*status, 200);
                cache.as_str()
            })
            .collect();
        statuses.sort_unstable();
        assert_eq!(
            statuses.iter().filter(|&&s| s == "miss").count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|&s| s == "miss" || s == "hit"),
            "{statuses:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_down_reads_bypass_the_cache_and_use_it_again_after() {
    let mut redis = PrivateRedis::start().await;
    let url = format!("redis://{}", redis.addr());
    let demo = demo_on(&url).await;
    let board = fresh_board("outage");
    assert_eq!(read(&demo.addr, &board).await.1, "miss");
    assert_eq!(read(&demo.addr, &board).await.1, "hit");

    redis.kill();
    for _ in 0..3 {
        let started = Instant::now();
        let (status, cache, notes) = read(&demo.addr, &board).await;
        assert_eq!((status, cache.as_str()), (200, "bypass"));
        assert_eq!(notes, json!([]));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    // A write still succeeds; its purge waits for the store.
    let (status, head) = add(&demo.addr, &board, "while down").await;
    assert_eq!(status, 200, "{head}");
    let (_, cache, notes) = read(&demo.addr, &board).await;
    assert_eq!(cache, "bypass");
    assert_eq!(notes, json!([{"id": 1, "text": "while down"}]));

    redis.restart().await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (status, cache, notes) = read(&demo.addr, &board).await;
        assert_eq!(status, 200);
        assert_eq!(notes, json!([{"id": 1, "text": "while down"}]));
        if cache == "hit" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cache is used again ({cache})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
