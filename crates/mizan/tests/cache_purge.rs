//! Purges and revs (spec §2.16.4): by tag, function and params from the application, from calls'
//! declarations and run-time tags, fills racing a purge, and coalesced misses.

mod cache_support;
mod common;

use cache_support::*;
use futures_util::future::join_all;
use http::HeaderName;
use serde_json::json;

fn post_url(id: u32) -> String {
    url("post", json!({ "id": id }), 0)
}

async fn warm(server: &Server, ids: &[u32]) {
    for id in ids {
        read(&server.app, &Caller::anonymous(), &post_url(*id)).await;
        let again = read(&server.app, &Caller::anonymous(), &post_url(*id)).await;
        assert_eq!(status(&again), "hit");
    }
}

async fn status_of(server: &Server, id: u32) -> String {
    status(&read(&server.app, &Caller::anonymous(), &post_url(id)).await).to_owned()
}

#[tokio::test]
async fn purging_a_tag_removes_every_answer_having_it() {
    let server = server();
    warm(&server, &[1, 2]).await;
    let mut events = server.cache.subscribe();
    let purged = server.cache.purge_tags(["post:1"]).await.unwrap();
    assert_eq!(purged.tags, ["post:1"]);
    let issued = purged.rev.unwrap();
    assert_eq!(
        events.recv().await.unwrap(),
        mizan::cache::Invalidation {
            tags: vec!["post:1".into()],
            rev: issued
        }
    );
    assert_eq!(status_of(&server, 1).await, "miss");
    assert_eq!(status_of(&server, 2).await, "hit");
    let again = server.cache.purge_tags(["posts", "posts"]).await.unwrap();
    assert_eq!(again.tags, ["posts"]);
    assert!(again.rev.unwrap() > issued, "revs increase");
    assert_eq!(status_of(&server, 1).await, "miss");
    assert_eq!(status_of(&server, 2).await, "miss");
    assert!(server.cache.purge_tags(["a,b"]).await.is_err());
    assert!(server.cache.purge_tags([""]).await.is_err());
    assert_eq!(
        server
            .cache
            .purge_tags(Vec::<String>::new())
            .await
            .unwrap()
            .rev,
        None
    );
}

#[tokio::test]
async fn purging_a_function_or_one_params_object() {
    let server = server();
    warm(&server, &[1, 2]).await;
    let params = json!({"id": 1}).as_object().unwrap().clone();
    server.cache.purge_params("post", &params).await.unwrap();
    assert_eq!(status_of(&server, 1).await, "miss");
    assert_eq!(status_of(&server, 2).await, "hit");
    server.cache.purge_function("post").await.unwrap();
    assert_eq!(status_of(&server, 1).await, "miss");
    assert_eq!(status_of(&server, 2).await, "miss");
    // Another function's answers stay.
    let board_url = url("board", json!({}), 0);
    read(&server.app, &Caller::anonymous(), &board_url).await;
    server.cache.purge_function("post").await.unwrap();
    assert_eq!(
        status(&read(&server.app, &Caller::anonymous(), &board_url).await),
        "hit"
    );
}

#[tokio::test]
async fn a_successful_call_purges_its_declared_tags_and_carries_the_rev() {
    let server = server();
    warm(&server, &[4, 5]).await;
    let edit = call(&server.app, "edit_post", json!({"id": 4})).await;
    assert_eq!(edit.status, 200);
    assert_eq!(
        edit.header(HeaderName::from_static("x-mizan-invalidate")),
        "post:4"
    );
    let issued = rev(&edit);
    let fresh = read(
        &server.app,
        &Caller::anonymous(),
        &url("post", json!({"id": 4}), issued),
    )
    .await;
    assert_eq!(body(&fresh), json!("post 4 v1"));
    assert_eq!(status(&fresh), "miss");
    // The old URL was purged too: no reader gets the answer from before the write.
    let old = read(&server.app, &Caller::anonymous(), &post_url(4)).await;
    assert_eq!(body(&old), json!("post 4 v1"));
    assert_eq!(status_of(&server, 5).await, "hit");
    // A call refused by its checks purges nothing.
    let refused = call(&server.app, "edit_post", json!({"id": "x"})).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.header(HeaderName::from_static("x-mizan-rev")), "");
}

#[tokio::test]
async fn run_time_tags_are_purged_on_success_and_returned_errors_but_not_panics() {
    let server = server();
    warm(&server, &[1]).await;
    let failed = call(&server.app, "touch", json!({"tag": "posts", "fail": true})).await;
    assert_eq!(failed.status, 409);
    assert_eq!(
        failed.header(HeaderName::from_static("x-mizan-invalidate")),
        "posts"
    );
    assert!(rev(&failed) > 0);
    assert_eq!(status_of(&server, 1).await, "miss");
    let panicked = call(&server.app, "touch_then_panic", json!({"tag": "posts"})).await;
    assert_eq!(panicked.status, 500);
    assert_eq!(
        panicked.header(HeaderName::from_static("x-mizan-invalidate")),
        ""
    );
    assert_eq!(status_of(&server, 1).await, "hit");
    // A batch purges the union once: one rev.
    let batch = common::post(
        &server.app,
        "/api/mizan/batch",
        r#"{"calls":[{"fn":"edit_post","params":{"id":1}},{"fn":"touch","params":{"tag":"board","fail":false}}]}"#,
    )
    .await;
    assert_eq!(
        batch.header(HeaderName::from_static("x-mizan-invalidate")),
        "post:1, board"
    );
    assert!(rev(&batch) > rev(&failed));
    assert_eq!(status_of(&server, 1).await, "miss");
}

#[tokio::test]
async fn a_fill_that_races_a_purge_is_not_stored() {
    let server = server();
    let app = server.app.clone();
    let slow = url("slow_post", json!({"id": 8}), 0);
    let reader = tokio::spawn({
        let slow = slow.clone();
        async move { read(&app, &Caller::anonymous(), &slow).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let edit = call(&server.app, "edit_post", json!({"id": 8})).await;
    assert!(rev(&edit) > 0);
    let raced = reader.await.unwrap();
    assert_eq!(body(&raced), json!("slow post 8 v0"));
    assert_eq!(status(&raced), "bypass");
    assert_eq!(raced.header(HeaderName::from_static("x-mizan-pk")), "");
    let after = read(&server.app, &Caller::anonymous(), &slow).await;
    assert_eq!(body(&after), json!("slow post 8 v1"));
    assert_eq!(status(&after), "miss");
}

#[tokio::test]
async fn concurrent_misses_run_the_function_once() {
    let server = server();
    let slow = url("slow_post", json!({"id": 9}), 0);
    let anyone = Caller::anonymous();
    let replies = join_all((0..8).map(|_| read(&server.app, &anyone, &slow))).await;
    assert_eq!(server.runs.count("slow_post"), 1);
    let statuses: Vec<&str> = replies.iter().map(status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "miss").count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == "hit").count(),
        7,
        "{statuses:?}"
    );
    for reply in &replies {
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, replies[0].body);
    }
}

#[tokio::test]
async fn functions_reach_the_cache_through_their_request() {
    let bare = mizan::Request::builder().build();
    let error = bare.cache().unwrap_err();
    assert_eq!(error.code(), mizan::ErrorCode::Internal);
    let server = server();
    let request = mizan::Request::builder()
        .state(server.cache.clone())
        .build();
    warm(&server, &[1]).await;
    let purged = request
        .cache()
        .unwrap()
        .purge_function("post")
        .await
        .unwrap();
    assert!(purged.rev.is_some());
    assert_eq!(status_of(&server, 1).await, "miss");
}
