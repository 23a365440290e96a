//! The Redis cache store when Redis is down or hangs: every operation fails within about the
//! timeout, and once Redis is back the store works again, Pub/Sub included, without a restart.

mod support;

use std::time::{Duration, Instant};

use mizan::cache::{CacheStore, FillLock, Invalidation, StoreError};
use mizan_redis::RedisCacheStore;
use support::cache::{Purges, Silent, answer, store_builder_at, tags};
use support::private_redis::PrivateRedis;
use support::{PATIENCE, Proxy, unique_prefix};

const TIMEOUT: Duration = Duration::from_millis(300);
/// The timeout, with room for a loaded machine.
const BOUND: Duration = Duration::from_millis(1200);
const MINUTE: Duration = Duration::from_secs(60);

/// Runs every operation of `store`, each of which must fail within `BOUND`.
async fn every_operation_fails_quickly(store: &RedisCacheStore) {
    let tags = tags(&["x"]);
    let outcomes: Vec<(&str, Duration, Result<(), StoreError>)> = vec![
        timed("get", store.get("k")).await,
        timed("last_rev", store.last_rev()).await,
        timed("put", store.put(answer("k", &["x"]), MINUTE, 0)).await,
        timed("tags_rev", store.tags_rev(&tags)).await,
        timed("purge", store.purge(&tags)).await,
        timed("try_lock", store.try_lock("k", MINUTE)).await,
        timed("unlock", store.unlock("k", FillLock("t".into()))).await,
    ];
    for (what, took, outcome) in outcomes {
        assert!(outcome.is_err(), "{what} succeeded");
        assert!(took < BOUND, "{what} took {took:?}");
    }
}

async fn timed<T>(
    what: &'static str,
    operation: impl Future<Output = Result<T, StoreError>>,
) -> (&'static str, Duration, Result<(), StoreError>) {
    let started = Instant::now();
    let outcome = tokio::time::timeout(PATIENCE, operation)
        .await
        .unwrap_or_else(|_| panic!("{what} hung"));
    (what, started.elapsed(), outcome.map(|_| ()))
}

#[tokio::test]
async fn a_redis_that_never_answers_fails_connecting_in_time() {
    let silent = Silent::start().await;
    let started = Instant::now();
    let connected = store_builder_at(&silent.addr.to_string(), &unique_prefix())
        .timeout(TIMEOUT)
        .connect()
        .await;
    assert!(connected.is_err());
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_redis_that_stops_answering_fails_every_operation_in_time_then_recovers() {
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await;
    let store = store_builder_at(&proxy.addr.to_string(), &unique_prefix())
        .timeout(TIMEOUT)
        .connect()
        .await
        .unwrap();
    // Not of tag `x`: the purge sent while Redis hangs may still be applied when it answers.
    let kept = answer("kept", &["w"]);
    assert!(store.put(kept.clone(), MINUTE, 0).await.unwrap());
    proxy.stall();
    every_operation_fails_quickly(&store).await;
    proxy.resume();
    let deadline = Instant::now() + PATIENCE;
    while store.get("kept").await.ok().flatten().as_ref() != Some(&kept) {
        assert!(Instant::now() < deadline, "the store answers again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_restarted_redis_is_used_again_pub_sub_included() {
    let mut redis = PrivateRedis::start().await;
    let (prefix, addr) = (unique_prefix(), redis.addr());
    let connect = || store_builder_at(&addr, &prefix).timeout(TIMEOUT).connect();
    let (a, b) = (connect().await.unwrap(), connect().await.unwrap());
    let mut to_b = Purges::attach(&b);
    let rev = a.purge(&tags(&["x"])).await.unwrap();
    assert_eq!(to_b.next().await.rev, rev);

    redis.kill();
    every_operation_fails_quickly(&a).await;
    // Connecting fails too, at once.
    let started = Instant::now();
    assert!(connect().await.is_err());
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());

    redis.restart().await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        if a.put(answer("k", &["x"]), MINUTE, 0).await.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "the store works again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(a.get("k").await.unwrap(), Some(answer("k", &["x"])));
    // Whether b's Pub/Sub connection was back by then or not, the purge reaches it once.
    let rev = a.purge(&tags(&["x"])).await.unwrap();
    let heard = to_b.next().await;
    assert_eq!((heard.rev, heard.tags), (rev, tags(&["x"])));
    let next = a.purge(&tags(&["y"])).await.unwrap();
    let heard = to_b.next().await;
    assert_eq!((heard.rev, heard.tags), (next, tags(&["y"])));
    to_b.nothing_for(Duration::from_millis(200)).await;
    assert!(next > rev);
}

#[tokio::test]
async fn purges_missed_while_cut_off_are_handed_over_once_on_return() {
    let prefix = unique_prefix();
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await;
    let a = store_builder_at(support::REDIS, &prefix)
        .connect()
        .await
        .unwrap();
    let b = store_builder_at(&proxy.addr.to_string(), &prefix)
        .connect()
        .await
        .unwrap();
    let mut to_b = Purges::attach(&b);
    let before = a.purge(&tags(&["before"])).await.unwrap();
    assert_eq!(to_b.next().await.rev, before);

    proxy.cut();
    let missed = [
        a.purge(&tags(&["x"])).await.unwrap(),
        a.purge(&tags(&["y", "z"])).await.unwrap(),
    ];
    to_b.nothing_for(Duration::from_millis(100)).await;
    let _restored = Proxy::start(proxy.addr).await;
    let heard = [to_b.next().await, to_b.next().await];
    assert_eq!(
        heard,
        [
            Invalidation {
                tags: tags(&["x"]),
                rev: missed[0]
            },
            Invalidation {
                tags: tags(&["y", "z"]),
                rev: missed[1]
            },
        ]
    );
    let live = a.purge(&tags(&["after"])).await.unwrap();
    assert_eq!(to_b.next().await.rev, live);
    to_b.nothing_for(Duration::from_millis(200)).await;
}
