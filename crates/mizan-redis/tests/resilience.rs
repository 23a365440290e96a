//! Redis going away under a running layer, through a proxy the tests cut: operations fail within
//! the timeout, and on return the layer resubscribes and recovers what its process missed.

mod support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use mizan::channels::{ChannelLayer, HistoryOptions};
use support::{Event, Node, Proxy, await_channels, builder, builder_at, key, unique_prefix};

/// Within the layer's 1 s timeout, with room for a loaded machine.
const BOUND: Duration = Duration::from_secs(3);

/// `b` through a fresh proxy, `a` straight to Redis, both under `prefix` with `history`.
async fn two_nodes(prefix: &str, history: HistoryOptions) -> (Node, Node, Proxy) {
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await;
    let a = Node::connect(builder(prefix).history(history)).await;
    let b = Node::connect(builder_at(&proxy.addr.to_string(), prefix).history(history)).await;
    (a, b, proxy)
}

const DEFAULT: HistoryOptions = HistoryOptions {
    len: 100,
    lifetime: Duration::from_secs(30),
};

#[tokio::test]
async fn a_cut_off_layer_fails_in_time_then_recovers_the_missed_messages() {
    let prefix = unique_prefix();
    let (a, mut b, proxy) = two_nodes(&prefix, DEFAULT).await;
    let (kept, left) = (key("chat", "kept"), key("chat", "left"));
    b.layer.join(&kept).await.unwrap();
    b.layer.join(&left).await.unwrap();
    let first = a.publish(&kept, "1").await;
    assert!(matches!(b.next().await, Event::Message(_, p, _) if p == first));

    proxy.cut();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let publish = b.layer.publish(&kept, Bytes::from_static(b"x")).await;
    assert!(publish.is_err(), "{publish:?}");
    assert!(b.layer.history(&kept, Some(0)).await.is_err());
    assert!(b.layer.join(&key("chat", "new")).await.is_err());
    assert!(started.elapsed() < BOUND * 3, "{:?}", started.elapsed());
    b.layer.leave(&left);

    let missed = [a.publish(&kept, "2").await, a.publish(&kept, "3").await];
    a.publish(&left, "not for b").await;

    let _restored = Proxy::start(proxy.addr).await;
    for position in missed {
        assert_eq!(
            b.next().await,
            Event::Message(kept.clone(), position.clone(), position.offset.to_string())
        );
    }
    // Live again, and subscribed to the group it still has, not to the one it left.
    let channels = await_channels(&prefix, 1).await;
    assert!(channels[0].contains("kept"), "{channels:?}");
    let live = a.publish(&kept, "4").await;
    assert_eq!(
        b.next().await,
        Event::Message(kept.clone(), live, "4".into())
    );

    let deadline = Instant::now() + support::PATIENCE;
    while b
        .layer
        .publish(&kept, Bytes::from_static(b"5"))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "publishing works again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(matches!(b.next().await, Event::Message(_, p, _) if p.offset == 5));
    b.nothing_for(Duration::from_millis(150)).await;
}

#[tokio::test]
async fn messages_the_history_no_longer_holds_are_a_gap() {
    let prefix = unique_prefix();
    let short = HistoryOptions {
        len: 2,
        lifetime: Duration::from_secs(30),
    };
    let (a, mut b, proxy) = two_nodes(&prefix, short).await;
    let group = key("ticker", "eur");
    b.layer.join(&group).await.unwrap();
    a.publish(&group, "1").await;
    b.next().await;

    proxy.cut();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut last = None;
    for n in 2..=5 {
        last = Some(a.publish(&group, &n.to_string()).await);
    }
    let _restored = Proxy::start(proxy.addr).await;
    assert_eq!(b.next().await, Event::Gap(group.clone(), last.unwrap()));
    let live = a.publish(&group, "6").await;
    assert_eq!(b.next().await, Event::Message(group, live, "6".into()));
}

#[tokio::test]
async fn a_history_that_restarted_meanwhile_is_a_gap() {
    let prefix = unique_prefix();
    let brief = HistoryOptions {
        len: 10,
        lifetime: Duration::from_millis(300),
    };
    let (a, mut b, proxy) = two_nodes(&prefix, brief).await;
    let group = key("chat", "room.brief");
    b.layer.join(&group).await.unwrap();
    let old = a.publish(&group, "1").await;
    b.next().await;

    proxy.cut();
    tokio::time::sleep(Duration::from_millis(450)).await;
    let new = a.publish(&group, "fresh").await;
    assert_ne!(new.epoch, old.epoch);
    assert_eq!(new.offset, 1);
    let _restored = Proxy::start(proxy.addr).await;
    // The epoch `b` sees is `new`'s, or a later one if `new` expired too before `b` was back.
    let Event::Gap(gap_group, gap) = b.next().await else {
        panic!("a gap")
    };
    assert_eq!(gap_group, group);
    assert_ne!(gap.epoch, old.epoch);
    let live = a.publish(&group, "live").await;
    assert_eq!(b.next().await, Event::Message(group, live, "live".into()));
}

#[tokio::test]
async fn health_checks_keep_a_live_connection() {
    let prefix = unique_prefix();
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await;
    let mut b = Node::connect(
        builder_at(&proxy.addr.to_string(), &prefix).health_check(Duration::from_millis(20)),
    )
    .await;
    let group = key("chat", "quiet");
    b.layer.join(&group).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // One connection for commands, one for Pub/Sub: a failing PING would have reconnected.
    assert_eq!(proxy.accepted(), 2);
    let position = b.publish(&group, "still here").await;
    assert_eq!(
        b.next().await,
        Event::Message(group, position, "still here".into())
    );
}

#[tokio::test]
async fn a_redis_that_stops_answering_fails_in_time_and_is_recovered_from() {
    let prefix = unique_prefix();
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await;
    let a = Node::connect(builder(&prefix)).await;
    let mut b = Node::connect(
        builder_at(&proxy.addr.to_string(), &prefix).health_check(Duration::from_millis(100)),
    )
    .await;
    let group = key("chat", "partitioned");
    b.layer.join(&group).await.unwrap();
    a.publish(&group, "1").await;
    b.next().await;

    proxy.stall();
    let started = Instant::now();
    // Held, not lost: Redis runs it when the proxy resumes, although `b` reported a failure (a
    // timeout cannot tell "not done" from "not answered").
    let late = b.layer.publish(&group, Bytes::from_static(b"late")).await;
    assert!(late.is_err(), "{late:?}");
    assert!(b.layer.history(&group, None).await.is_err());
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    let missed = a.publish(&group, "2").await;
    // Past the health check and its timeout: `b` has given up on its Pub/Sub connection.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    proxy.resume();

    // `missed` arrives (from the history, perhaps also late on the old connection), then the late
    // publish, then live messages.
    let live = a.publish(&group, "live").await;
    let mut seen = Vec::new();
    loop {
        let Event::Message(event_group, position, data) = b.next().await else {
            panic!("no gap: the history holds everything")
        };
        assert_eq!(event_group, group);
        if seen.last() != Some(&(position.offset, data.clone())) {
            seen.push((position.offset, data));
        }
        if position == live {
            break;
        }
    }
    assert_eq!(
        seen,
        [
            (missed.offset, "2".to_owned()),
            (missed.offset + 1, "late".to_owned()),
            (live.offset, "live".to_owned())
        ]
    );
}
