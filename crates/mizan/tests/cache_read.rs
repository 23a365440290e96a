//! Reading contexts through the server cache (spec §2.16.3, §2.16.7, §2.16.8): hits and misses,
//! ETags, scopes, what is not stored, and the headers for CDNs and edges.

mod cache_support;
mod common;

use cache_support::*;
use http::{HeaderName, header};
use serde_json::json;

fn h(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

#[tokio::test]
async fn a_second_read_is_a_hit_with_the_same_body_and_etag_and_304s_work() {
    let server = server();
    let anyone = Caller::anonymous();
    let url = url("post", json!({"id": 1}), 0);
    let first = read(&server.app, &anyone, &url).await;
    assert_eq!(first.status, 200);
    assert_eq!(status(&first), "miss");
    assert_eq!(body(&first), json!("post 1 v0"));
    let second = read(&server.app, &anyone, &url).await;
    assert_eq!(status(&second), "hit");
    assert_eq!(second.body, first.body);
    assert_eq!(second.header(header::ETAG), first.header(header::ETAG));
    assert_eq!(server.runs.count("post"), 1);
    let etag = first.header(header::ETAG).to_owned();
    let not_modified = read_with(
        &server.app,
        &anyone,
        &url,
        &[(header::IF_NONE_MATCH, etag.as_str())],
    )
    .await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    assert_eq!(status(&not_modified), "hit");
    assert_eq!(not_modified.header(header::ETAG), etag);
    assert_eq!(server.runs.count("post"), 1);
    // Other params are another answer.
    let other = read(&server.app, &anyone, &url_for(2)).await;
    assert_eq!(status(&other), "miss");
    assert_eq!(server.runs.count("post"), 2);
}

fn url_for(id: u32) -> String {
    url("post", json!({ "id": id }), 0)
}

#[tokio::test]
async fn without_a_cache_a_context_with_a_policy_is_answered_as_before() {
    let runs = std::sync::Arc::new(Runs::default());
    let version = std::sync::Arc::new(Version(std::sync::atomic::AtomicU64::new(0)));
    let app = axum::Router::new().merge(
        mizan::Mizan::new(registry())
            .state(std::sync::Arc::clone(&runs))
            .state(version)
            .router("/api/mizan"),
    );
    for _ in 0..2 {
        let reply = read(&app, &Caller::anonymous(), &url_for(1)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(status(&reply), "");
        assert_eq!(reply.header(h("cache-tag")), "");
        assert_eq!(reply.header(h("cdn-cache-control")), "");
    }
    assert_eq!(runs.count("post"), 2);
    // A rev nobody issued is not checked either.
    let reply = read(
        &app,
        &Caller::anonymous(),
        &url("post", json!({"id": 1}), 99),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn public_answers_are_shared_across_users_and_have_cdn_headers() {
    let server = server();
    let ada = Caller::user("ada");
    let first = read(&server.app, &ada, &url_for(3)).await;
    assert_eq!(status(&first), "miss");
    let second = read(&server.app, &Caller::staff("grace"), &url_for(3)).await;
    assert_eq!(status(&second), "hit");
    let third = read(&server.app, &Caller::anonymous(), &url_for(3)).await;
    assert_eq!(status(&third), "hit");
    assert_eq!(server.runs.count("post"), 1);
    // Shared caches keep only what was fetched without credentials (§2.3), even from the cache.
    for reply in [&first, &second] {
        assert_eq!(reply.header(header::CACHE_CONTROL), "private, no-cache");
        assert_eq!(reply.header(h("cdn-cache-control")), "");
        assert_eq!(reply.header(h("surrogate-control")), "");
    }
    assert_eq!(
        third.header(header::CACHE_CONTROL),
        "public, max-age=0, stale-while-revalidate=300"
    );
    assert_eq!(
        third.header(h("cdn-cache-control")),
        "public, max-age=60, stale-while-revalidate=300"
    );
    assert_eq!(
        third.header(h("surrogate-control")),
        "max-age=60, stale-while-revalidate=300"
    );
    // A hit names the stored answer's tags, which are the ones its fill made.
    assert_eq!(second.header(h("cache-tag")), first.header(h("cache-tag")));
    assert_eq!(
        third.header(h("surrogate-key")),
        first.header(h("surrogate-key"))
    );
    for reply in [&first, &second, &third] {
        let tags: Vec<&str> = reply.header(h("cache-tag")).split(',').collect();
        assert_eq!(tags.len(), 4, "{tags:?}");
        assert_eq!(tags[0], "mizan:fn:post");
        assert!(tags[1].starts_with("mizan:p:"));
        assert_eq!(&tags[2..], ["posts", "post:3"]);
        assert_eq!(reply.header(h("surrogate-key")), tags.join(" "));
        // Public answers are kept under the anonymous key.
        assert_eq!(reply.header(h("x-mizan-pk")), Caller::anonymous().pk());
    }
}

#[tokio::test]
async fn permission_scope_separates_levels_and_shares_within_one() {
    let server = server();
    let url = url("board", json!({}), 0);
    let staff = read(&server.app, &Caller::staff("grace"), &url).await;
    assert_eq!(body(&staff), json!("board for staff"));
    let user = read(&server.app, &Caller::user("ada"), &url).await;
    assert_eq!(body(&user), json!("board for users"));
    assert_eq!(status(&user), "miss");
    let other_user = read(&server.app, &Caller::user("linus"), &url).await;
    assert_eq!(body(&other_user), json!("board for users"));
    assert_eq!(status(&other_user), "hit");
    let other_staff = read(&server.app, &Caller::staff("barbara"), &url).await;
    assert_eq!(body(&other_staff), json!("board for staff"));
    assert_eq!(status(&other_staff), "hit");
    let anyone = read(&server.app, &Caller::anonymous(), &url).await;
    assert_eq!(body(&anyone), json!("board for everyone"));
    assert_eq!(server.runs.count("board"), 3);
    // Not shareable (§2.16.7), but tagged, and keyed by the token's `pk`.
    assert_eq!(staff.header(header::CACHE_CONTROL), "private, no-cache");
    assert_eq!(staff.header(h("cdn-cache-control")), "");
    assert!(staff.header(h("cache-tag")).ends_with(",board"));
    assert!(!staff.header(h("surrogate-key")).is_empty());
    assert_eq!(staff.header(h("x-mizan-pk")), Caller::staff("x").pk());
    assert_eq!(user.header(h("x-mizan-pk")), Caller::user("x").pk());
    assert_eq!(anyone.header(h("x-mizan-pk")), Caller::anonymous().pk());
}

#[tokio::test]
async fn user_scope_separates_users_and_is_never_shareable() {
    let server = server();
    let url = url("inbox", json!({}), 0);
    let ada = read(&server.app, &Caller::user("ada"), &url).await;
    assert_eq!(body(&ada), json!("inbox of ada"));
    let linus = read(&server.app, &Caller::user("linus"), &url).await;
    assert_eq!(body(&linus), json!("inbox of linus"));
    let again = read(&server.app, &Caller::user("ada"), &url).await;
    assert_eq!(body(&again), json!("inbox of ada"));
    assert_eq!(status(&again), "hit");
    assert_eq!(server.runs.count("inbox"), 2);
    for reply in [&ada, &linus, &again] {
        assert_eq!(reply.header(header::CACHE_CONTROL), "private, no-cache");
        assert_eq!(reply.header(h("cdn-cache-control")), "");
        assert_eq!(reply.header(h("surrogate-control")), "");
        assert!(reply.header(h("cache-tag")).ends_with(",inbox"));
        // Cache-Tag only, and no key an edge could keep it under.
        assert_eq!(reply.header(h("surrogate-key")), "");
        assert_eq!(reply.header(h("x-mizan-pk")), "");
    }
}

#[tokio::test]
async fn an_auth_requirement_makes_a_public_answer_unshareable_but_still_cached() {
    let server = server();
    let url = url("staff_stats", json!({}), 0);
    assert_eq!(
        read(&server.app, &Caller::user("ada"), &url).await.status,
        403
    );
    let staff = read(&server.app, &Caller::staff("grace"), &url).await;
    assert_eq!(status(&staff), "miss");
    let again = read(&server.app, &Caller::staff("barbara"), &url).await;
    assert_eq!(status(&again), "hit");
    // The auth requirement still runs on a hit.
    assert_eq!(
        read(&server.app, &Caller::anonymous(), &url).await.status,
        401
    );
    for reply in [&staff, &again] {
        assert_eq!(reply.header(header::CACHE_CONTROL), "private, no-cache");
        assert_eq!(reply.header(h("cdn-cache-control")), "");
        assert_eq!(reply.header(h("surrogate-control")), "");
        assert!(!reply.header(h("surrogate-key")).is_empty());
    }
    assert_eq!(server.runs.count("staff_stats"), 1);
}

#[tokio::test]
async fn answers_that_read_headers_set_effects_or_fail_are_not_stored() {
    let server = server();
    let anyone = Caller::anonymous();
    for _ in 0..2 {
        let reply = read(&server.app, &anyone, &url("peek", json!({"id": 1}), 0)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(status(&reply), "bypass");
        assert_eq!(reply.header(header::CACHE_CONTROL), "private, no-cache");
        assert_eq!(reply.header(h("cdn-cache-control")), "");
        assert_eq!(reply.header(h("x-mizan-pk")), "");
        let reply = read(
            &server.app,
            &anyone,
            &url("greet_cookie", json!({"id": 1}), 0),
        )
        .await;
        assert_eq!(status(&reply), "bypass");
        assert_eq!(reply.header(header::SET_COOKIE), "seen=1");
        assert_eq!(reply.header(h("cdn-cache-control")), "");
        let reply = read(&server.app, &anyone, &url("flaky", json!({"id": 0}), 0)).await;
        assert_eq!(reply.status, 409);
        assert_eq!(status(&reply), "");
    }
    assert_eq!(server.runs.count("peek"), 2);
    assert_eq!(server.runs.count("greet_cookie"), 2);
    assert_eq!(server.runs.count("flaky"), 2);
    // Bad params never reach the cache: the parameter checks answer.
    let reply = read(&server.app, &anyone, &url("post", json!({"id": "x"}), 0)).await;
    assert_eq!(reply.status, 422);
    let reply = read(&server.app, &anyone, &url("post", json!({}), 0)).await;
    assert_eq!(reply.status, 422);
}

#[tokio::test]
async fn a_rev_is_accepted_up_to_the_current_one_and_an_unissued_one_is_refused() {
    let server = server();
    let anyone = Caller::anonymous();
    let edit = call(&server.app, "edit_post", json!({"id": 5})).await;
    assert_eq!(edit.status, 200);
    assert_eq!(edit.header(h("x-mizan-invalidate")), "post:5");
    let issued = rev(&edit);
    assert!(issued > 0);
    let fresh = read(&server.app, &anyone, &url("post", json!({"id": 5}), issued)).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(body(&fresh), json!("post 5 v1"));
    let older = read(
        &server.app,
        &anyone,
        &url("post", json!({"id": 5}), issued - 1),
    )
    .await;
    assert_eq!(older.status, 200);
    // Post 6 was never purged: its current rev is 0.
    let refused = read(&server.app, &anyone, &url("post", json!({"id": 6}), issued)).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.code(), "bad_request");
    assert_eq!(
        refused.json()["details"],
        json!({"reason": "unissued_rev", "rev": 0})
    );
    let ahead = read(
        &server.app,
        &anyone,
        &url("post", json!({"id": 5}), issued + 1),
    )
    .await;
    assert_eq!(ahead.status, 400);
    assert_eq!(
        ahead.json()["details"],
        json!({"reason": "unissued_rev", "rev": issued})
    );
    // The largest rev a URL can carry is refused the same way, before authentication.
    let max = read(
        &server.app,
        &Caller::user("ada"),
        &url("post", json!({"id": 5}), (1 << 53) - 1),
    )
    .await;
    assert_eq!(max.status, 400);
    assert_eq!(max.json()["details"]["rev"], json!(issued));
    let bad_token = read_with(
        &server.app,
        &anyone,
        &url("post", json!({"id": 6}), 7),
        &[(header::AUTHORIZATION, "Bearer nonsense")],
    )
    .await;
    assert_eq!(bad_token.json()["details"]["reason"], json!("unissued_rev"));
}

/// Every header of a reply, sorted, values as text.
fn all_headers(reply: &common::Reply) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = reply
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    headers
}

/// Hits after the first are answered from headers kept for the stored answer (the server's key
/// memo): they must be exactly the first hit's, for a `200` and a `304`, for callers with and
/// without credentials, and follow the new answer after a purge.
#[tokio::test]
async fn later_hits_answer_exactly_the_first_hits_headers() {
    let server = server();
    let anyone = Caller::anonymous();
    let ada = Caller::user("ada");
    let url = url_for(5);
    assert_eq!(status(&read(&server.app, &anyone, &url).await), "miss");
    let first = read(&server.app, &anyone, &url).await;
    assert_eq!(status(&first), "hit");
    let etag = first.header(header::ETAG).to_owned();
    let revalidate = [(header::IF_NONE_MATCH, etag.as_str())];
    let first_304 = read_with(&server.app, &anyone, &url, &revalidate).await;
    assert_eq!(first_304.status, 304);
    let first_private = read(&server.app, &ada, &url).await;
    assert_eq!(status(&first_private), "hit");
    assert_eq!(
        first_private.header(header::CACHE_CONTROL),
        "private, no-cache"
    );
    for _ in 0..3 {
        let hit = read(&server.app, &anyone, &url).await;
        assert_eq!(all_headers(&hit), all_headers(&first));
        assert_eq!(hit.body, first.body);
        let not_modified = read_with(&server.app, &anyone, &url, &revalidate).await;
        assert_eq!(not_modified.status, 304);
        assert!(not_modified.body.is_empty());
        assert_eq!(all_headers(&not_modified), all_headers(&first_304));
        let private = read(&server.app, &ada, &url).await;
        assert_eq!(all_headers(&private), all_headers(&first_private));
    }
    assert_eq!(server.runs.count("post"), 1);
    // A 304's headers are the 200's without a type and with an empty length.
    let mut expected = all_headers(&first);
    expected.retain(|(name, _)| name != "content-type" && name != "content-length");
    expected.push(("content-length".to_owned(), "0".to_owned()));
    expected.sort();
    assert_eq!(all_headers(&first_304), expected);

    // A new answer under the same key gets headers of its own.
    server
        .version
        .0
        .store(1, std::sync::atomic::Ordering::SeqCst);
    server.cache.purge_tags(["post:5"]).await.unwrap();
    assert_eq!(status(&read(&server.app, &anyone, &url).await), "miss");
    let hit = read(&server.app, &anyone, &url).await;
    assert_eq!(status(&hit), "hit");
    assert_eq!(body(&hit), json!("post 5 v1"));
    assert_ne!(hit.header(header::ETAG), etag);
    let stale = read_with(&server.app, &anyone, &url, &revalidate).await;
    assert_eq!(stale.status, 200);
    assert_eq!(all_headers(&stale), all_headers(&hit));
}
