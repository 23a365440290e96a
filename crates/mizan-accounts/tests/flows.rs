//! The account flows end to end, through the real router, on SQLite and on PostgreSQL.

mod support;

use serde_json::json;
use support::{App, Client, Db, app, app_with};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn sign_up_in_see_yourself_be_refused_staff_and_sign_out() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut browser = Client::default();
        let anonymous = app.context(&mut browser, "current_user").await;
        assert_eq!(anonymous.body["authenticated"], false, "{}", db.name);

        let mut ada = app.signed_in("Ada@Example.com", PASSWORD).await;
        let me = app.context(&mut ada, "current_user").await;
        assert_eq!(me.status, 200, "{}: {:?}", db.name, me.body);
        assert_eq!(me.body["authenticated"], true);
        assert_eq!(me.body["email"], "ada@example.com", "normalized");
        assert_eq!(me.headers["cache-control"], "private, no-cache", "{}", db.name);

        let refused = app.call(&mut ada, "staff_report", json!({})).await;
        assert_eq!((refused.status.as_u16(), refused.code()), (403, "forbidden"), "{}", db.name);
        let anonymous_refused = app.call(&mut browser, "staff_report", json!({})).await;
        assert_eq!((anonymous_refused.status.as_u16(), anonymous_refused.code()), (401, "unauthenticated"));
        assert_eq!(app.call(&mut ada, "ada_only", json!({})).await.status, 200, "async custom check");

        let stolen = ada.clone();
        let out = app.call(&mut ada, "auth.logout", json!({})).await;
        assert_eq!(out.status, 200, "{:?}", out.body);
        let cleared = out.headers["set-cookie"].to_str().unwrap();
        assert!(cleared.starts_with("mizan_session=;"), "{cleared}");
        assert!(cleared.contains("Max-Age=0") && cleared.contains("Expires="), "the browser drops it: {cleared}");
        assert_eq!(ada.session, None, "the cookie is cleared");
        let mut thief = stolen;
        let after = app.context(&mut thief, "current_user").await;
        assert_eq!(after.body["authenticated"], false, "{}: a session ends at logout", db.name);
        assert_eq!(app.call(&mut thief, "whoami", json!({})).await.status, 401);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn staff_and_superuser_levels_come_from_the_store_at_once() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut grace = app.signed_in("grace@example.com", PASSWORD).await;
        assert_eq!(app.call(&mut grace, "staff_report", json!({})).await.status, 403);
        app.admin.set_roles("grace@example.com", true, false).await.unwrap();
        let allowed = app.call(&mut grace, "staff_report", json!({})).await;
        assert_eq!(allowed.status, 200, "{}: {:?}", db.name, allowed.body);
        assert_eq!(app.context(&mut grace, "current_user").await.body["staff"], true);
        app.admin.deactivate("grace@example.com").await.unwrap();
        let gone = app.call(&mut grace, "staff_report", json!({})).await;
        assert_eq!(gone.status, 401, "{}: deactivation ends the session at once", db.name);
        let login = app
            .call(&mut Client::default(), "auth.login", json!({"email": "grace@example.com", "password": PASSWORD}))
            .await;
        assert_eq!((login.status.as_u16(), login.reason()), (401, "credentials"));
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn bearer_tokens_follow_the_store_and_refresh() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut browser = Client::default();
        app.call(&mut browser, "auth.signup", json!({"email": "bob@example.com", "password": PASSWORD})).await;
        let login = app.call(&mut browser, "auth.login", json!({"email": "bob@example.com", "password": PASSWORD})).await;
        let token = login.body["token"]["token"].as_str().unwrap().to_owned();
        assert!(login.body["token"]["expires_at"].as_u64().unwrap() > 0);
        assert_eq!(login.body["user"]["email"], "bob@example.com");

        let mut bearer = Client { bearer: Some(token.clone()), csrf: false, ..Client::default() };
        let me = app.call(&mut bearer, "whoami", json!({})).await;
        assert_eq!(me.status, 200, "{}: {:?}", db.name, me.body);
        assert_eq!(app.call(&mut bearer, "staff_report", json!({})).await.status, 403);
        app.admin.set_roles("bob@example.com", true, false).await.unwrap();
        assert_eq!(
            app.call(&mut bearer, "staff_report", json!({})).await.status,
            200,
            "{}: the store's flags, not the token's",
            db.name
        );

        bearer.csrf = true;
        let refreshed = app.call(&mut bearer, "auth.token", json!({})).await;
        assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
        assert!(refreshed.body["token"].as_str().unwrap().starts_with("mwt1."));

        let forged = Client { bearer: Some(format!("{token}x")), ..Client::default() };
        let answer = app.call(&mut forged.clone(), "whoami", json!({})).await;
        assert_eq!(answer.status, 401);

        app.admin.deactivate("bob@example.com").await.unwrap();
        let revoked = app.call(&mut bearer, "whoami", json!({})).await;
        assert_eq!((revoked.status.as_u16(), revoked.reason()), (401, "revoked"), "{}", db.name);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn signup_answers_alike_for_new_and_taken_emails() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut c = Client::default();
        let first = app.call(&mut c, "auth.signup", json!({"email": "eve@example.com", "password": PASSWORD})).await;
        let second = app.call(&mut c, "auth.signup", json!({"email": "EVE@example.com", "password": "another password"})).await;
        assert_eq!(first.status, 200);
        assert_eq!((first.status, &first.body), (second.status, &second.body), "{}", db.name);
        assert_eq!(
            first.headers.iter().filter(|(n, _)| *n != "date").count(),
            second.headers.iter().filter(|(n, _)| *n != "date").count()
        );
        assert!(c.session.is_none(), "signing up does not sign in");
        let mails = app.mails(1).await;
        assert_eq!(mails.len(), 1, "{}", db.name);
        assert_eq!(mails[0].to, "eve@example.com");
        assert_eq!(mails[0].kind, mizan_accounts::MailKind::SignupAttempt);
        // The first password still works: the account was left unchanged.
        let login = app.call(&mut c, "auth.login", json!({"email": "eve@example.com", "password": PASSWORD})).await;
        assert_eq!(login.status, 200);
        assert_eq!(app.admin.list().await.unwrap().len(), 1);

        let named = app
            .call(&mut c, "auth.signup", json!({"email": "x@example.com", "password": PASSWORD, "username": "eve"}))
            .await;
        assert_eq!(named.status, 200, "{:?}", named.body);
        let taken = app
            .call(&mut c, "auth.signup", json!({"email": "y@example.com", "password": PASSWORD, "username": "eve"}))
            .await;
        assert_eq!((taken.status.as_u16(), taken.reason()), (409, "username_taken"), "{}", db.name);
        assert_eq!(app.admin.list().await.unwrap().len(), 2, "no half-created account");
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn bad_credentials_and_bad_params_get_clear_errors() {
    for db in Db::both().await {
        let app = app(&db).await;
        let _ = app.signed_in("kim@example.com", PASSWORD).await;
        let mut c = Client::default();
        let wrong = app.call(&mut c, "auth.login", json!({"email": "kim@example.com", "password": "wrong password"})).await;
        let unknown = app.call(&mut c, "auth.login", json!({"email": "nobody@example.com", "password": "wrong password"})).await;
        assert_eq!((wrong.status.as_u16(), wrong.reason()), (401, "credentials"));
        assert_eq!(wrong.body, unknown.body, "{}: no enumeration", db.name);
        for (params, field) in [
            (json!({"email": "not an email", "password": PASSWORD}), "email"),
            (json!({"email": "kim@example.com", "password": "short"}), "password"),
            (json!({"email": "kim@example.com", "password": "x".repeat(1025)}), "password"),
            (json!({"email": "kim@example.com", "password": ""}), "password"),
        ] {
            let answer = app.call(&mut c, "auth.signup", params).await;
            assert_eq!((answer.status.as_u16(), answer.code()), (422, "validation_failed"), "{:?}", answer.body);
            assert_eq!(answer.body["fields"][0]["path"][0], field);
        }
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn sign_ins_are_throttled_per_email_and_per_address() {
    use mizan_accounts::Limit;
    use std::time::Duration;
    for db in Db::both().await {
        let app = app_with(&db, |b| {
            b.login_limits(Limit::new(2, Duration::from_secs(60)), Limit::new(5, Duration::from_secs(60)))
        })
        .await;
        let _ = app.signed_in("lee@example.com", PASSWORD).await;
        let mut c = Client::default();
        for _ in 0..2 {
            let wrong = app.call(&mut c, "auth.login", json!({"email": "lee@example.com", "password": "wrong password"})).await;
            assert_eq!(wrong.status, 401);
        }
        let right = app.call(&mut c, "auth.login", json!({"email": "LEE@example.com", "password": PASSWORD})).await;
        assert_eq!((right.status.as_u16(), right.code()), (429, "rate_limited"), "{}: {:?}", db.name, right.body);
        let wait: u64 = right.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait));
        assert_eq!(right.body["details"]["retry_after"], wait);

        // An unknown email is throttled the same way.
        for _ in 0..2 {
            app.call(&mut c, "auth.login", json!({"email": "ghost@example.com", "password": "wrong password"})).await;
        }
        let ghost = app.call(&mut c, "auth.login", json!({"email": "ghost@example.com", "password": "wrong password"})).await;
        assert_eq!(ghost.status, 429);

        // The address has failed 4 times; a fifth failure from it fills its window.
        let mut other = Client::default();
        app.call(&mut other, "auth.login", json!({"email": "x1@example.com", "password": "wrong password"})).await;
        let blocked = app.call(&mut other, "auth.login", json!({"email": "x2@example.com", "password": "wrong password"})).await;
        assert_eq!(blocked.status, 429, "{}: per address", db.name);
        let mut elsewhere = Client { address: "10.0.0.9:1".parse().unwrap(), ..Client::default() };
        let fine = app.call(&mut elsewhere, "auth.login", json!({"email": "x2@example.com", "password": "wrong password"})).await;
        assert_eq!(fine.status, 401, "another address is not blocked");
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn cookie_requests_and_auth_calls_need_the_csrf_header_and_their_origin() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut ada = app.signed_in("ada@example.com", PASSWORD).await;
        let mut no_header = Client { csrf: false, ..ada.clone() };
        let refused = app.call(&mut no_header, "whoami", json!({})).await;
        assert_eq!((refused.status.as_u16(), refused.reason()), (403, "csrf"), "{}", db.name);
        let mut cross = Client { origin: Some("https://evil.test".into()), ..ada.clone() };
        let refused = app.call(&mut cross, "whoami", json!({})).await;
        assert_eq!((refused.status.as_u16(), refused.reason()), (403, "origin"));
        let mut same = Client { origin: Some("http://app.test".into()), ..ada.clone() };
        assert_eq!(app.call(&mut same, "whoami", json!({})).await.status, 200);
        assert_eq!(app.context(&mut no_header, "current_user").await.body["authenticated"], true, "GET needs no header");

        // Login CSRF: no cookie, yet auth.login refuses a cross-site or header-less request.
        let mut fresh = Client { csrf: false, ..Client::default() };
        let login = app.call(&mut fresh, "auth.login", json!({"email": "ada@example.com", "password": PASSWORD})).await;
        assert_eq!((login.status.as_u16(), login.reason()), (403, "csrf"));
        let mut fresh = Client { origin: Some("null".into()), ..Client::default() };
        let login = app.call(&mut fresh, "auth.login", json!({"email": "ada@example.com", "password": PASSWORD})).await;
        assert_eq!((login.status.as_u16(), login.reason()), (403, "origin"));
        let _ = app.call(&mut ada, "auth.logout", json!({})).await;
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn login_starts_a_new_session_and_ends_the_old_one() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut ada = app.signed_in("ada@example.com", PASSWORD).await;
        let before = ada.clone();
        let again = app.call(&mut ada, "auth.login", json!({"email": "ada@example.com", "password": PASSWORD})).await;
        assert_eq!(again.status, 200);
        assert_ne!(ada.session, before.session, "{}: rotated", db.name);
        assert_eq!(app.context(&mut before.clone(), "current_user").await.body["authenticated"], false);
        assert_eq!(app.context(&mut ada, "current_user").await.body["authenticated"], true);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_token() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut laptop = app.signed_in("ada@example.com", PASSWORD).await;
        let mut phone = Client::default();
        let login = app.call(&mut phone, "auth.login", json!({"email": "ada@example.com", "password": PASSWORD})).await;
        let old_token = login.body["token"]["token"].as_str().unwrap().to_owned();

        let wrong = app
            .call(&mut laptop, "auth.change_password", json!({"current_password": "not it at all", "new_password": "a new passphrase"}))
            .await;
        assert_eq!((wrong.status.as_u16(), wrong.reason()), (401, "credentials"));
        let changed = app
            .call(&mut laptop, "auth.change_password", json!({"current_password": PASSWORD, "new_password": "a new passphrase"}))
            .await;
        assert_eq!(changed.status, 200, "{}: {:?}", db.name, changed.body);
        let new_token = changed.body["token"].as_str().unwrap().to_owned();

        assert_eq!(app.context(&mut laptop, "current_user").await.body["authenticated"], true, "{}: this browser stays", db.name);
        assert_eq!(app.context(&mut phone, "current_user").await.body["authenticated"], false, "other sessions end");
        let mut old = Client { bearer: Some(old_token), ..Client::default() };
        assert_eq!(app.call(&mut old, "whoami", json!({})).await.reason(), "revoked", "{}", db.name);
        let mut new = Client { bearer: Some(new_token), ..Client::default() };
        assert_eq!(app.call(&mut new, "whoami", json!({})).await.status, 200, "{}: the new token works", db.name);
        let old_password = app.call(&mut Client::default(), "auth.login", json!({"email": "ada@example.com", "password": PASSWORD})).await;
        assert_eq!(old_password.status, 401);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn password_reset_is_single_use_expiring_and_silent_about_unknown_emails() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut ada = app.signed_in("ada@example.com", PASSWORD).await;
        let mut c = Client::default();
        let unknown = app.call(&mut c, "auth.request_password_reset", json!({"email": "nobody@example.com"})).await;
        let known = app.call(&mut c, "auth.request_password_reset", json!({"email": "ADA@example.com"})).await;
        assert_eq!((unknown.status, &unknown.body), (known.status, &known.body), "{}", db.name);
        let mails = app.mails(1).await;
        assert_eq!(mails.len(), 1, "{}: only the known email gets a mail", db.name);
        let mizan_accounts::MailKind::PasswordReset { token, link } = mails[0].kind.clone() else {
            panic!("{:?}", mails[0]);
        };
        assert!(link.ends_with(&token) && mails[0].body.contains(&link));

        let reset = app.call(&mut c, "auth.reset_password", json!({"token": token, "new_password": "a brand new one"})).await;
        assert_eq!(reset.status, 200, "{}: {:?}", db.name, reset.body);
        assert_eq!(app.context(&mut ada, "current_user").await.body["authenticated"], false, "sessions end");
        let reused = app.call(&mut c, "auth.reset_password", json!({"token": token, "new_password": "yet another one"})).await;
        assert_eq!((reused.status.as_u16(), reused.reason()), (400, "reset_token"), "{}", db.name);
        let bogus = app.call(&mut c, "auth.reset_password", json!({"token": "x", "new_password": "yet another one"})).await;
        assert_eq!(bogus.reason(), "reset_token");
        let login = app.call(&mut c, "auth.login", json!({"email": "ada@example.com", "password": "a brand new one"})).await;
        assert_eq!(login.status, 200);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn an_expired_reset_token_is_refused() {
    for db in Db::both().await {
        let app = app_with(&db, |b| b.reset_lifetime(std::time::Duration::ZERO)).await;
        let _ = app.signed_in("ada@example.com", PASSWORD).await;
        let mut c = Client::default();
        app.call(&mut c, "auth.request_password_reset", json!({"email": "ada@example.com"})).await;
        let mails = app.mails(1).await;
        let mizan_accounts::MailKind::PasswordReset { token, .. } = mails[0].kind.clone() else { panic!() };
        let late = app.call(&mut c, "auth.reset_password", json!({"token": token, "new_password": "a brand new one"})).await;
        assert_eq!((late.status.as_u16(), late.reason()), (400, "reset_token"), "{}", db.name);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn concurrent_signups_of_one_email_create_one_account() {
    for db in Db::both().await {
        let app = std::sync::Arc::new(app(&db).await);
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let app = std::sync::Arc::clone(&app);
                tokio::spawn(async move {
                    let mut c = Client { address: format!("10.0.0.{i}:1").parse().unwrap(), ..Client::default() };
                    app.call(&mut c, "auth.signup", json!({"email": "race@example.com", "password": PASSWORD})).await.status
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), 200, "{}", db.name);
        }
        assert_eq!(app.admin.list().await.unwrap().len(), 1, "{}", db.name);
        db.drop_schema().await;
    }
}

#[allow(dead_code)]
fn unused(_: &App) {}
