//! The Redis cache store against the test Redis, each test under a prefix of its own: answers,
//! purges and revs, the fill race, locks, damaged entries, purges between processes.

mod support;

use std::time::Duration;

use mizan::cache::{CacheStore, FillLock, Invalidation};
use mizan_redis::RedisCacheStore;
use support::cache::{Purges, answer, store, store_builder_at, tags, unix_ms};
use support::{REDIS, redis, unique_prefix};

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn answers_are_kept_for_their_ttl() {
    let prefix = unique_prefix();
    let store = store(&prefix).await;
    assert_eq!(store.get("k").await.unwrap(), None);
    let kept = answer("k", &["mizan:fn:f", "post:1"]);
    assert!(store.put(kept.clone(), MINUTE, 0).await.unwrap());
    assert_eq!(store.get("k").await.unwrap(), Some(kept));
    assert!(store.is_shared());

    let brief = answer("brief", &["t"]);
    assert!(
        store
            .put(brief.clone(), Duration::from_millis(300), 0)
            .await
            .unwrap()
    );
    assert_eq!(store.get("brief").await.unwrap(), Some(brief));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(store.get("brief").await.unwrap(), None);
    // The tag's set lives as long as its newest member, no longer.
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("{prefix}:tag:t"))
        .query_async(&mut redis().await)
        .await
        .unwrap();
    assert_eq!(ttl, -2);

    // A set outlives its longest-lived member, and sheds the members whose answer expired.
    let short = answer("short", &["shared", "pruned"]);
    assert!(
        store
            .put(short, Duration::from_millis(200), 0)
            .await
            .unwrap()
    );
    assert!(
        store
            .put(answer("long", &["shared"]), MINUTE, 0)
            .await
            .unwrap()
    );
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("{prefix}:tag:shared"))
        .query_async(&mut redis().await)
        .await
        .unwrap();
    assert!(ttl > 50_000, "{ttl}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    // A put looks at two members at random: of two, both.
    assert!(
        store
            .put(answer("later", &["pruned"]), MINUTE, 0)
            .await
            .unwrap()
    );
    let members: Vec<String> = redis::cmd("SMEMBERS")
        .arg(format!("{prefix}:tag:pruned"))
        .query_async(&mut redis().await)
        .await
        .unwrap();
    assert_eq!(members, ["later"]);
    // A ttl under a millisecond keeps nothing.
    assert!(
        !store
            .put(answer("zero", &[]), Duration::ZERO, 0)
            .await
            .unwrap()
    );
    assert_eq!(store.get("zero").await.unwrap(), None);
}

#[tokio::test]
async fn a_purge_removes_the_answers_of_its_tags_only() {
    let store = store(&unique_prefix()).await;
    for (key, tags) in [("a", &["x", "y"][..]), ("b", &["y"]), ("c", &["z"])] {
        assert!(store.put(answer(key, tags), MINUTE, 0).await.unwrap());
    }
    store.purge(&tags(&["x"])).await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), None);
    assert_eq!(store.get("b").await.unwrap(), Some(answer("b", &["y"])));
    store.purge(&tags(&["y", "unused"])).await.unwrap();
    assert_eq!(store.get("b").await.unwrap(), None);
    assert_eq!(store.get("c").await.unwrap(), Some(answer("c", &["z"])));
}

#[tokio::test]
async fn revs_increase_from_unix_milliseconds_and_are_remembered_per_tag() {
    let prefix = unique_prefix();
    let store = store(&prefix).await;
    assert_eq!(store.last_rev().await.unwrap(), 0);
    assert_eq!(store.tags_rev(&tags(&["x"])).await.unwrap(), 0);
    assert_eq!(store.tags_rev(&[]).await.unwrap(), 0);

    let before = unix_ms();
    let first = store.purge(&tags(&["x"])).await.unwrap();
    let second = store.purge(&tags(&["y"])).await.unwrap();
    let third = store.purge(&tags(&["x"])).await.unwrap();
    // Redis's clock and this one are the machine's.
    assert!(first >= before, "{first} < {before}");
    assert!(first < second && second < third, "{first} {second} {third}");
    assert_eq!(store.last_rev().await.unwrap(), third);
    assert_eq!(store.tags_rev(&tags(&["y"])).await.unwrap(), second);
    assert_eq!(
        store.tags_rev(&tags(&["y", "x", "z"])).await.unwrap(),
        third
    );

    // A last rev ahead of the clock (a clock that went back) is still exceeded.
    let ahead = unix_ms() + 3_600_000;
    let _: () = redis::cmd("SET")
        .arg(format!("{prefix}:last-rev"))
        .arg(ahead)
        .query_async(&mut redis().await)
        .await
        .unwrap();
    assert_eq!(store.purge(&tags(&["x"])).await.unwrap(), ahead + 1);
    assert_eq!(store.last_rev().await.unwrap(), ahead + 1);
}

#[tokio::test]
async fn tag_revs_are_forgotten_after_the_retention() {
    let prefix = unique_prefix();
    let store = store_builder_at(REDIS, &prefix)
        .tag_rev_retention(Duration::from_millis(200))
        .connect()
        .await
        .unwrap();
    let rev = store.purge(&tags(&["x"])).await.unwrap();
    assert_eq!(store.tags_rev(&tags(&["x"])).await.unwrap(), rev);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.tags_rev(&tags(&["x"])).await.unwrap(), 0);
    assert_eq!(store.last_rev().await.unwrap(), rev);
}

#[tokio::test]
async fn a_fill_that_raced_a_purge_of_one_of_its_tags_is_refused() {
    let store = store(&unique_prefix()).await;
    let started = store.last_rev().await.unwrap();
    let rev = store.purge(&tags(&["post:1"])).await.unwrap();
    let raced = answer("k", &["mizan:fn:f", "post:1"]);
    assert!(!store.put(raced.clone(), MINUTE, started).await.unwrap());
    assert_eq!(store.get("k").await.unwrap(), None);
    // A fill of other tags, or one started after the purge, is kept.
    assert!(
        store
            .put(answer("o", &["post:2"]), MINUTE, started)
            .await
            .unwrap()
    );
    assert!(store.put(raced.clone(), MINUTE, rev).await.unwrap());
    assert_eq!(store.get("k").await.unwrap(), Some(raced));
}

#[tokio::test]
async fn a_fill_lock_has_one_holder_until_released_or_expired() {
    let prefix = unique_prefix();
    // As two processes would.
    let (store, other) = (store(&prefix).await, support::cache::store(&prefix).await);
    let lock = store.try_lock("k", MINUTE).await.unwrap().expect("free");
    assert_eq!(other.try_lock("k", MINUTE).await.unwrap(), None);
    assert_eq!(store.try_lock("k", MINUTE).await.unwrap(), None);
    // Another key's lock is its own.
    assert!(store.try_lock("j", MINUTE).await.unwrap().is_some());
    // A token that is not the holder's releases nothing.
    store.unlock("k", FillLock("forged".into())).await.unwrap();
    assert_eq!(store.try_lock("k", MINUTE).await.unwrap(), None);
    store.unlock("k", lock).await.unwrap();
    let short = store
        .try_lock("k", Duration::from_millis(200))
        .await
        .unwrap()
        .expect("released");

    tokio::time::sleep(Duration::from_millis(400)).await;
    let next = other.try_lock("k", MINUTE).await.unwrap().expect("expired");
    // The first holder, late, cannot release the lock its successor holds.
    store.unlock("k", short).await.unwrap();
    assert_eq!(store.try_lock("k", MINUTE).await.unwrap(), None);
    store.unlock("k", next).await.unwrap();
}

#[tokio::test]
async fn damaged_or_misplaced_entries_are_misses_and_replaced() {
    let prefix = unique_prefix();
    let store = store(&prefix).await;
    let mut redis = redis().await;
    let set = |key: &str, value: &[u8]| {
        redis::cmd("SET")
            .arg(format!("{prefix}:answer:{key}"))
            .arg(value)
            .clone()
    };
    let _: () = set("garbage", b"garbage")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(store.get("garbage").await.unwrap(), None);

    // A whole, valid answer of another key, copied under this one.
    assert!(store.put(answer("a", &["t"]), MINUTE, 0).await.unwrap());
    let bytes: Vec<u8> = redis::cmd("GET")
        .arg(format!("{prefix}:answer:a"))
        .query_async(&mut redis)
        .await
        .unwrap();
    let _: () = set("b", &bytes).query_async(&mut redis).await.unwrap();
    assert_eq!(store.get("b").await.unwrap(), None);
    // Truncated.
    let _: () = set("a", &bytes[..bytes.len() / 2])
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(store.get("a").await.unwrap(), None);
    // Not even a string.
    let _: () = redis::cmd("SADD")
        .arg(format!("{prefix}:answer:set"))
        .arg("x")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(store.get("set").await.unwrap(), None);

    for key in ["garbage", "b", "a", "set"] {
        assert!(store.put(answer(key, &["t"]), MINUTE, 0).await.unwrap());
        assert_eq!(store.get(key).await.unwrap(), Some(answer(key, &["t"])));
    }
}

#[tokio::test]
async fn every_purge_reaches_every_store_on_the_prefix_once() {
    let prefix = unique_prefix();
    // Two stores on one Redis, as two processes would have.
    let (a, b) = (store(&prefix).await, store(&prefix).await);
    let elsewhere = store(&unique_prefix()).await;
    let (mut to_a, mut to_b, mut to_elsewhere) = (
        Purges::attach(&a),
        Purges::attach(&b),
        Purges::attach(&elsewhere),
    );

    let rev = a.purge(&tags(&["x", "y"])).await.unwrap();
    let expected = Invalidation {
        tags: tags(&["x", "y"]),
        rev,
    };
    assert_eq!(to_a.next().await, expected);
    assert_eq!(to_b.next().await, expected);
    let rev = b.purge(&tags(&["z"])).await.unwrap();
    let expected = Invalidation {
        tags: tags(&["z"]),
        rev,
    };
    assert_eq!(to_b.next().await, expected);
    assert_eq!(to_a.next().await, expected);

    // Messages on the channel that no store wrote are dropped.
    let _: () = redis::cmd("PUBLISH")
        .arg(format!("{prefix}:purges"))
        .arg("1 not a purge")
        .query_async(&mut redis().await)
        .await
        .unwrap();
    to_a.nothing_for(Duration::from_millis(200)).await;
    to_b.nothing_for(Duration::from_millis(10)).await;
    to_elsewhere.nothing_for(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn unusable_options_are_refused() {
    for builder in [
        store_builder_at(REDIS, "p").prefix(""),
        store_builder_at(REDIS, "p").timeout(Duration::ZERO),
        store_builder_at(REDIS, "p").tag_rev_retention(Duration::ZERO),
        store_builder_at(REDIS, "p")
            .reconnect_delay(Duration::from_secs(2), Duration::from_secs(1)),
        store_builder_at(REDIS, "p").health_check(Duration::ZERO),
    ] {
        assert!(builder.connect().await.is_err());
    }
    let error = RedisCacheStore::builder("not a url")
        .connect()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("bad URL"), "{error}");
}

#[tokio::test]
async fn a_dropped_store_leaves_no_subscription_behind() {
    let prefix = unique_prefix();
    let channel = format!("{prefix}:purges");
    let store = store(&prefix).await;
    assert_eq!(support::numsub(&channel).await, 1);
    drop(store);
    let deadline = std::time::Instant::now() + support::PATIENCE;
    while support::numsub(&channel).await != 0 {
        assert!(std::time::Instant::now() < deadline, "still subscribed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
