//! Signing up, in and out, and the CSRF and origin checks of cookie requests.

use serde_json::json;

use crate::PASSWORD;
use crate::support::{Client, Db, app};

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
        assert_eq!(
            me.headers["cache-control"], "private, no-cache",
            "{}",
            db.name
        );

        let refused = app.call(&mut ada, "staff_report", json!({})).await;
        assert_eq!(
            (refused.status.as_u16(), refused.code()),
            (403, "forbidden"),
            "{}",
            db.name
        );
        let anonymous_refused = app.call(&mut browser, "staff_report", json!({})).await;
        assert_eq!(
            (anonymous_refused.status.as_u16(), anonymous_refused.code()),
            (401, "unauthenticated")
        );
        assert_eq!(
            app.call(&mut ada, "ada_only", json!({})).await.status,
            200,
            "async custom check"
        );

        let stolen = ada.clone();
        let out = app.call(&mut ada, "auth.logout", json!({})).await;
        assert_eq!(out.status, 200, "{:?}", out.body);
        assert!(
            out.headers["set-cookie"]
                .to_str()
                .unwrap()
                .starts_with("mizan_session=;")
        );
        assert!(
            out.headers["set-cookie"]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        assert_eq!(ada.session, None, "the cookie is cleared");
        let mut thief = stolen;
        let after = app.context(&mut thief, "current_user").await;
        assert_eq!(
            after.body["authenticated"], false,
            "{}: a session ends at logout",
            db.name
        );
        assert_eq!(app.call(&mut thief, "whoami", json!({})).await.status, 401);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn login_starts_a_new_session_and_ends_the_old_one() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut ada = app.signed_in("ada@example.com", PASSWORD).await;
        let before = ada.clone();
        let again = app
            .call(
                &mut ada,
                "auth.login",
                json!({"email": "ada@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(again.status, 200);
        assert_ne!(ada.session, before.session, "{}: rotated", db.name);
        assert_eq!(
            app.context(&mut before.clone(), "current_user").await.body["authenticated"],
            false
        );
        assert_eq!(
            app.context(&mut ada, "current_user").await.body["authenticated"],
            true
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn cookie_requests_and_auth_calls_need_the_csrf_header_and_their_origin() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut ada = app.signed_in("ada@example.com", PASSWORD).await;
        let mut no_header = Client {
            csrf: false,
            ..ada.clone()
        };
        let refused = app.call(&mut no_header, "whoami", json!({})).await;
        assert_eq!(
            (refused.status.as_u16(), refused.reason()),
            (403, "csrf"),
            "{}",
            db.name
        );
        let mut cross = Client {
            origin: Some("https://evil.test".into()),
            ..ada.clone()
        };
        let refused = app.call(&mut cross, "whoami", json!({})).await;
        assert_eq!((refused.status.as_u16(), refused.reason()), (403, "origin"));
        let mut same = Client {
            origin: Some("http://app.test".into()),
            ..ada.clone()
        };
        assert_eq!(app.call(&mut same, "whoami", json!({})).await.status, 200);
        assert_eq!(
            app.context(&mut no_header, "current_user").await.body["authenticated"],
            true,
            "GET needs no header"
        );

        // Login CSRF: no cookie, yet auth.login refuses a cross-site or header-less request.
        let mut fresh = Client {
            csrf: false,
            ..Client::default()
        };
        let login = app
            .call(
                &mut fresh,
                "auth.login",
                json!({"email": "ada@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!((login.status.as_u16(), login.reason()), (403, "csrf"));
        let mut fresh = Client {
            origin: Some("null".into()),
            ..Client::default()
        };
        let login = app
            .call(
                &mut fresh,
                "auth.login",
                json!({"email": "ada@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!((login.status.as_u16(), login.reason()), (403, "origin"));
        let _ = app.call(&mut ada, "auth.logout", json!({})).await;
        db.drop_schema().await;
    }
}
