//! The Redis layer between processes, on a real Redis: each `Node` is one process's layer.

mod support;

use std::time::{Duration, Instant};

use mizan::channels::{ChannelLayer, HistoryOptions};
use redis::AsyncCommands;
use support::{Event, Node, await_channels, builder, key, numsub, redis, unique_prefix};

#[tokio::test]
async fn a_message_reaches_every_joined_process_and_no_other() {
    let prefix = unique_prefix();
    let mut a = Node::connect(builder(&prefix)).await;
    let mut b = Node::connect(builder(&prefix)).await;
    let mut idle = Node::connect(builder(&prefix)).await;
    let lobby = key("chat", "room.lobby");
    b.layer.join(&lobby).await.unwrap();
    a.layer.join(&lobby).await.unwrap();

    let first = a.publish(&lobby, r#"{"text":"hi"}"#).await;
    assert_eq!(first.offset, 1);
    assert_eq!(first.epoch.len(), 22, "{first:?}");
    let second = b.publish(&lobby, r#"{"text":"hello"}"#).await;
    assert_eq!(
        (second.epoch.clone(), second.offset),
        (first.epoch.clone(), 2)
    );

    for node in [&mut a, &mut b] {
        assert_eq!(
            node.next().await,
            Event::Message(lobby.clone(), first.clone(), r#"{"text":"hi"}"#.into())
        );
        assert_eq!(
            node.next().await,
            Event::Message(lobby.clone(), second.clone(), r#"{"text":"hello"}"#.into())
        );
    }
    idle.nothing_for(Duration::from_millis(200)).await;
    // Another group of the same channel is another stream of messages.
    a.publish(&key("chat", "room.other"), "1").await;
    b.nothing_for(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn join_resolves_with_the_subscription_confirmed() {
    let prefix = unique_prefix();
    let mut node = Node::connect(builder(&prefix)).await;
    let group = key("feed", "all");
    node.layer.join(&group).await.unwrap();
    // No wait in between: the message published right after the join resolves arrives.
    let position = node.publish(&group, "true").await;
    assert_eq!(
        node.next().await,
        Event::Message(group.clone(), position, "true".into())
    );
    // Joining again is a no-op: one subscription, each message once.
    node.layer.join(&group).await.unwrap();
    let channels = await_channels(&prefix, 1).await;
    assert_eq!(numsub(&channels[0]).await, 1);
    let position = node.publish(&group, "false").await;
    assert_eq!(
        node.next().await,
        Event::Message(group.clone(), position, "false".into())
    );
    node.nothing_for(Duration::from_millis(150)).await;
}

#[tokio::test]
async fn history_reads_after_an_offset_and_starts_an_epoch_for_new_groups() {
    let prefix = unique_prefix();
    let node = Node::connect(builder(&prefix)).await;
    let group = key("chat", "room.new");

    let fresh = node.layer.history(&group, None).await.unwrap();
    assert_eq!(fresh.position.offset, 0);
    assert!(fresh.messages.is_empty() && fresh.complete);
    let again = node.layer.history(&group, Some(0)).await.unwrap();
    assert_eq!(
        again.position, fresh.position,
        "the epoch is kept, not drawn again"
    );
    assert!(again.complete && again.messages.is_empty());
    // The first message published after it has the epoch the history announced.
    let first = node.publish(&group, "1").await;
    assert_eq!(
        (first.epoch.clone(), first.offset),
        (fresh.position.epoch.clone(), 1)
    );
    node.publish(&group, "2").await;
    node.publish(&group, "3").await;

    let after_one = node.layer.history(&group, Some(1)).await.unwrap();
    assert_eq!(after_one.position.offset, 3);
    assert!(after_one.complete);
    let messages: Vec<(u64, &[u8])> = after_one
        .messages
        .iter()
        .map(|(offset, data)| (*offset, &data[..]))
        .collect();
    assert_eq!(messages, [(2, &b"2"[..]), (3, &b"3"[..])]);
    let beyond = node.layer.history(&group, Some(4)).await.unwrap();
    assert!(!beyond.complete && beyond.messages.is_empty());
}

#[tokio::test]
async fn the_history_is_trimmed_to_its_length() {
    let prefix = unique_prefix();
    let node = Node::connect(builder(&prefix).history(HistoryOptions {
        len: 3,
        lifetime: Duration::from_secs(30),
    }))
    .await;
    let group = key("ticker", "eur");
    for n in 1..=5 {
        node.publish(&group, &n.to_string()).await;
    }
    let kept = node.layer.history(&group, Some(2)).await.unwrap();
    let offsets: Vec<u64> = kept.messages.iter().map(|(offset, _)| *offset).collect();
    assert_eq!(offsets, [3, 4, 5]);
    assert!(kept.complete, "3..=5 are all there");
    let lost = node.layer.history(&group, Some(1)).await.unwrap();
    assert!(!lost.complete, "offset 2 was trimmed");
    assert_eq!(lost.position.offset, 5);
}

#[tokio::test]
async fn without_history_length_offsets_still_count() {
    let prefix = unique_prefix();
    let node = Node::connect(builder(&prefix).history(HistoryOptions {
        len: 0,
        lifetime: Duration::from_secs(30),
    }))
    .await;
    let group = key("ticker", "usd");
    node.publish(&group, "1").await;
    assert_eq!(node.publish(&group, "2").await.offset, 2);
    let history = node.layer.history(&group, Some(1)).await.unwrap();
    assert!(!history.complete && history.messages.is_empty());
    assert!(node.layer.history(&group, Some(2)).await.unwrap().complete);
}

#[tokio::test]
async fn offsets_and_epoch_survive_a_restart_of_every_process() {
    let prefix = unique_prefix();
    let group = key("chat", "room.lobby");
    let before = {
        let a = Node::connect(builder(&prefix)).await;
        let b = Node::connect(builder(&prefix)).await;
        a.publish(&group, "1").await;
        b.publish(&group, "2").await
    };
    let mut restarted = Node::connect(builder(&prefix)).await;
    let history = restarted.layer.history(&group, Some(0)).await.unwrap();
    assert_eq!(history.position, before);
    assert_eq!(history.messages.len(), 2);
    restarted.layer.join(&group).await.unwrap();
    let next = restarted.publish(&group, "3").await;
    assert_eq!((next.epoch.clone(), next.offset), (before.epoch.clone(), 3));
    assert!(matches!(restarted.next().await, Event::Message(_, p, _) if p == next));
}

#[tokio::test]
async fn an_expired_history_starts_a_new_epoch() {
    let prefix = unique_prefix();
    let node = Node::connect(builder(&prefix).history(HistoryOptions {
        len: 10,
        lifetime: Duration::from_millis(300),
    }))
    .await;
    let group = key("chat", "room.brief");
    let old = node.publish(&group, "1").await;
    node.publish(&group, "2").await;
    let mut redis = redis().await;
    let keys: Vec<String> = redis.keys(format!("{prefix}:*")).await.unwrap();
    assert_eq!(keys.len(), 2, "position and history: {keys:?}");
    for key in &keys {
        let ttl: i64 = redis.pttl(key).await.unwrap();
        assert!((1..=300).contains(&ttl), "{key} expires: {ttl}");
    }

    tokio::time::sleep(Duration::from_millis(450)).await;
    let keys: Vec<String> = redis.keys(format!("{prefix}:*")).await.unwrap();
    assert!(keys.is_empty(), "everything expired: {keys:?}");
    let fresh = node.layer.history(&group, Some(2)).await.unwrap();
    assert_ne!(fresh.position.epoch, old.epoch);
    assert_eq!(fresh.position.offset, 0);
    assert!(!fresh.complete);
    let next = node.publish(&group, "3").await;
    assert_eq!((next.epoch.clone(), next.offset), (fresh.position.epoch, 1));
}

#[tokio::test]
async fn the_last_safe_offset_is_followed_by_a_new_epoch() {
    let prefix = unique_prefix();
    let node = Node::connect(builder(&prefix)).await;
    let group = key("chat", "room.busy");
    let start = node.publish(&group, "1").await;
    let mut redis = redis().await;
    let keys: Vec<String> = redis.keys(format!("{prefix}:*:position")).await.unwrap();
    let max = (1u64 << 53) - 2;
    let () = redis.hset(&keys[0], "offset", max).await.unwrap();
    let last = node.publish(&group, "2").await;
    assert_eq!(
        (last.epoch.clone(), last.offset),
        (start.epoch.clone(), max + 1)
    );
    let read = node.layer.history(&group, Some(max)).await.unwrap();
    assert_eq!(read.messages.len(), 1);
    assert_eq!(
        read.messages[0].0,
        max + 1,
        "no float formatting on the way"
    );
    let next = node.publish(&group, "3").await;
    assert_ne!(next.epoch, start.epoch);
    assert_eq!(next.offset, 1);
}

#[tokio::test]
async fn subscriptions_exist_only_for_joined_groups_and_end_with_leave_and_drop() {
    let prefix = unique_prefix();
    let a = Node::connect(builder(&prefix)).await;
    let b = Node::connect(builder(&prefix)).await;
    let (one, two) = (key("chat", "one"), key("chat", "two"));
    a.layer.join(&one).await.unwrap();
    a.layer.join(&two).await.unwrap();
    b.layer.join(&one).await.unwrap();
    // Publishing or reading history subscribes nobody.
    b.publish(&key("chat", "three"), "1").await;
    b.layer.history(&key("chat", "four"), None).await.unwrap();

    let channels = await_channels(&prefix, 2).await;
    let [first, second] = [&channels[0], &channels[1]];
    assert!(
        first.contains("one") && second.contains("two"),
        "{channels:?}"
    );
    assert_eq!((numsub(first).await, numsub(second).await), (2, 1));

    a.layer.leave(&two);
    await_channels(&prefix, 1).await;
    assert_eq!(numsub(second).await, 0);
    a.layer.leave(&two); // leaving again is harmless
    drop(a);
    let deadline = Instant::now() + support::PATIENCE;
    while numsub(first).await != 1 {
        assert!(Instant::now() < deadline, "a's subscription ends with a");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    b.layer.leave(&one);
    await_channels(&prefix, 0).await;

    // Nothing about membership was written: only the groups' positions and histories.
    let keys: Vec<String> = redis().await.keys(format!("{prefix}:*")).await.unwrap();
    assert!(
        keys.iter()
            .all(|k| k.ends_with(":position") || k.ends_with(":history")),
        "{keys:?}"
    );
}

#[tokio::test]
async fn odd_group_names_do_not_collide() {
    let prefix = unique_prefix();
    let mut node = Node::connect(builder(&prefix)).await;
    let keys = [
        key("chat", "a:b"),
        key("chat:a", "b"),
        key("chat", "a%3Ab"),
        key("chat", "{a}"),
        key("chat", "a"),
        key("chat", "é ü 東京 🎉"),
        key("chat", "%C3%A9"),
        key("chat", "a b"),
    ];
    for key in &keys {
        node.layer.join(key).await.unwrap();
    }
    await_channels(&prefix, keys.len()).await;
    for (n, key) in keys.iter().enumerate() {
        let position = node.publish(key, &n.to_string()).await;
        assert_eq!(position.offset, 1, "{key} is a group of its own");
        assert_eq!(
            node.next().await,
            Event::Message(key.clone(), position, n.to_string())
        );
    }
    for (n, key) in keys.iter().enumerate() {
        let history = node.layer.history(key, Some(0)).await.unwrap();
        assert_eq!(history.messages.len(), 1);
        assert_eq!(&history.messages[0].1[..], n.to_string().as_bytes());
    }
}

#[tokio::test]
async fn unusable_options_and_unreachable_redis_fail_to_connect() {
    let started = Instant::now();
    let refused = mizan_redis::RedisLayer::builder("redis://ada:hunter2@127.0.0.1:1")
        .prefix(unique_prefix())
        .timeout(Duration::from_millis(500));
    let error = refused.connect().await.unwrap_err().to_string();
    assert!(error.contains("127.0.0.1:1"), "{error}");
    assert!(!error.contains("hunter2"), "no password in logs: {error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        mizan_redis::RedisLayer::builder("http://example.invalid")
            .connect()
            .await
            .is_err()
    );
    for bad in [
        builder("a{b}"),
        builder(""),
        builder("p").history(HistoryOptions {
            len: 1,
            lifetime: Duration::ZERO,
        }),
        builder("p").timeout(Duration::ZERO),
        builder("p").reconnect_delay(Duration::from_secs(2), Duration::from_secs(1)),
        builder("p").health_check(Duration::ZERO),
    ] {
        let error = bad.connect().await.unwrap_err();
        assert!(error.to_string().starts_with("redis layer:"), "{error}");
    }
}
