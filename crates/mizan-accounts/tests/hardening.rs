//! What a security review of the module asked for, each pinned by a test that fails without it.

mod support;

use std::sync::Arc;
use std::time::Duration;

use mizan_accounts::Limit;
use serde_json::json;
use support::{App, Client, Db, app, app_with};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn a_taken_username_says_nothing_about_the_email() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut c = Client::default();
        let first = app
            .call(
                &mut c,
                "auth.signup",
                json!({"email": "eve@example.com", "password": PASSWORD, "username": "Eve"}),
            )
            .await;
        assert_eq!(first.status, 200, "{:?}", first.body);
        for email in ["eve@example.com", "new@example.com"] {
            let again = app
                .call(
                    &mut c,
                    "auth.signup",
                    json!({"email": email, "password": PASSWORD, "username": "eve"}),
                )
                .await;
            assert_eq!(
                (again.status.as_u16(), again.reason()),
                (409, "username_taken"),
                "{}: {email}, usernames compared without case",
                db.name
            );
        }
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn sign_ins_at_the_same_moment_cannot_pass_the_throttle_together() {
    let db = Db::sqlite().await;
    let app = Arc::new(
        app_with(&db, |b| {
            b.login_limits(
                Limit::new(2, Duration::from_secs(60)),
                Limit::new(1000, Duration::from_secs(60)),
            )
        })
        .await,
    );
    let _ = app.signed_in("ada@example.com", PASSWORD).await;
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                let mut c = Client::default();
                app.call(
                    &mut c,
                    "auth.login",
                    json!({"email": "ada@example.com", "password": "a wrong guess"}),
                )
                .await
                .status
                .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let guesses = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(guesses, 2, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10);
}

#[tokio::test]
async fn a_successful_sign_in_does_not_count_as_a_failure() {
    let db = Db::sqlite().await;
    let app = app_with(&db, |b| {
        b.login_limits(
            Limit::new(2, Duration::from_secs(60)),
            Limit::new(2, Duration::from_secs(60)),
        )
    })
    .await;
    let _ = app.signed_in("ada@example.com", PASSWORD).await;
    let mut c = Client::default();
    for _ in 0..5 {
        let login = app
            .call(
                &mut c,
                "auth.login",
                json!({"email": "ada@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(login.status, 200, "{:?}", login.body);
    }
}

#[tokio::test]
async fn logout_ends_the_tokens_bound_to_its_session() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut browser = app.signed_in("ada@example.com", PASSWORD).await;
        let login = app
            .call(
                &mut browser,
                "auth.login",
                json!({"email": "ada@example.com", "password": PASSWORD}),
            )
            .await;
        let token = login.body["token"]["token"].as_str().unwrap().to_owned();
        let mut stolen = Client {
            bearer: Some(token),
            ..Client::default()
        };
        assert_eq!(app.call(&mut stolen, "whoami", json!({})).await.status, 200);
        // Refreshing from the token keeps it bound to the same session.
        let refreshed = app.call(&mut stolen, "auth.token", json!({})).await;
        assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
        let mut refreshed = Client {
            bearer: Some(refreshed.body["token"].as_str().unwrap().to_owned()),
            ..Client::default()
        };

        assert_eq!(
            app.call(&mut browser, "auth.logout", json!({}))
                .await
                .status,
            200
        );
        for client in [&mut stolen, &mut refreshed] {
            let after = app.call(client, "whoami", json!({})).await;
            assert_eq!(
                (after.status.as_u16(), after.reason()),
                (401, "revoked"),
                "{}",
                db.name
            );
        }
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn a_token_bound_to_no_session_is_not_refreshed() {
    let db = Db::sqlite().await;
    let app = app(&db).await;
    let user = app
        .admin
        .create_user("svc@example.com", None, false, false)
        .await
        .unwrap();
    let token = app.accounts.token(&user);
    let mut service = Client {
        bearer: Some(token.token),
        ..Client::default()
    };
    assert_eq!(
        app.call(&mut service, "whoami", json!({})).await.status,
        200
    );
    let refresh = app.call(&mut service, "auth.token", json!({})).await;
    assert_eq!(
        (refresh.status.as_u16(), refresh.reason()),
        (401, "session")
    );
}

#[tokio::test]
async fn reactivation_does_not_revive_earlier_tokens() {
    let db = Db::sqlite().await;
    let app = app(&db).await;
    let mut browser = app.signed_in("ada@example.com", PASSWORD).await;
    let user = app.admin.find("ada@example.com").await.unwrap();
    let token = app.accounts.token(&user).token;
    app.admin.deactivate("ada@example.com").await.unwrap();
    app.admin.activate("ada@example.com").await.unwrap();
    let mut old = Client {
        bearer: Some(token),
        ..Client::default()
    };
    assert_eq!(
        app.call(&mut old, "whoami", json!({})).await.reason(),
        "revoked"
    );
    assert_eq!(
        app.context(&mut browser, "current_user").await.body["authenticated"],
        false,
        "deactivation ended the session for good"
    );
}

#[tokio::test]
async fn without_a_client_address_nobody_shares_a_bucket() {
    let db = Db::sqlite().await;
    let app = app_with(&db, |b| {
        b.login_limits(
            Limit::new(100, Duration::from_secs(60)),
            Limit::new(2, Duration::from_secs(60)),
        )
    })
    .await;
    for i in 0..5 {
        let mut unknown = Client {
            address: None,
            ..Client::default()
        };
        let login = app
            .call(
                &mut unknown,
                "auth.login",
                json!({"email": format!("u{i}@example.com"), "password": "a wrong guess"}),
            )
            .await;
        assert_eq!(login.status, 401, "attempt {i}: {:?}", login.body);
    }
}

#[tokio::test]
async fn ipv6_clients_are_counted_by_their_64() {
    let db = Db::sqlite().await;
    let app = app_with(&db, |b| {
        b.login_limits(
            Limit::new(100, Duration::from_secs(60)),
            Limit::new(2, Duration::from_secs(60)),
        )
    })
    .await;
    for (i, address) in ["[2001:db8:1:2::1]:1", "[2001:db8:1:2:ffff::9]:2"]
        .iter()
        .enumerate()
    {
        let mut c = App::client_at(address);
        let login = app
            .call(
                &mut c,
                "auth.login",
                json!({"email": format!("v{i}@example.com"), "password": "a wrong guess"}),
            )
            .await;
        assert_eq!(login.status, 401);
    }
    let mut same_64 = App::client_at("[2001:db8:1:2::77]:3");
    let blocked = app
        .call(
            &mut same_64,
            "auth.login",
            json!({"email": "v9@example.com", "password": "a wrong guess"}),
        )
        .await;
    assert_eq!(blocked.status, 429);
    let mut other_64 = App::client_at("[2001:db8:1:3::1]:3");
    let fine = app
        .call(
            &mut other_64,
            "auth.login",
            json!({"email": "v9@example.com", "password": "a wrong guess"}),
        )
        .await;
    assert_eq!(fine.status, 401);
}

#[tokio::test]
async fn a_websocket_upgrade_with_the_session_cookie_must_come_from_its_origin() {
    let db = Db::sqlite().await;
    let app = app(&db).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let mut hijack = Client {
        origin: Some("https://evil.test".into()),
        extra: vec![
            ("upgrade", "websocket".into()),
            ("connection", "upgrade".into()),
        ],
        ..ada.clone()
    };
    let refused = app.context(&mut hijack, "current_user").await;
    assert_eq!((refused.status.as_u16(), refused.reason()), (403, "origin"));
    let mut own = Client {
        origin: Some("http://app.test".into()),
        ..hijack
    };
    assert_eq!(
        app.context(&mut own, "current_user").await.body["authenticated"],
        true
    );
}

#[tokio::test]
async fn cookies_are_secure_when_told_so_behind_a_proxy() {
    let db = Db::sqlite().await;
    let app = app_with(&db, |b| b.secure_cookies(true)).await;
    let mut c = Client::default();
    app.call(
        &mut c,
        "auth.signup",
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await;
    let login = app
        .call(
            &mut c,
            "auth.login",
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    let cookie = login.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}
