//! Auth levels and bearer tokens, as the store says at the time of each request.

use serde_json::json;

use crate::PASSWORD;
use crate::support::{Client, Db, app};

#[tokio::test]
async fn staff_and_superuser_levels_come_from_the_store_at_once() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut grace = app.signed_in("grace@example.com", PASSWORD).await;
        assert_eq!(
            app.call(&mut grace, "staff_report", json!({})).await.status,
            403
        );
        app.admin
            .set_roles("grace@example.com", true, false)
            .await
            .unwrap();
        let allowed = app.call(&mut grace, "staff_report", json!({})).await;
        assert_eq!(allowed.status, 200, "{}: {:?}", db.name, allowed.body);
        assert_eq!(
            app.context(&mut grace, "current_user").await.body["staff"],
            true
        );
        app.admin.deactivate("grace@example.com").await.unwrap();
        let gone = app.call(&mut grace, "staff_report", json!({})).await;
        assert_eq!(
            gone.status, 401,
            "{}: deactivation ends the session at once",
            db.name
        );
        let login = app
            .call(
                &mut Client::default(),
                "auth.login",
                json!({"email": "grace@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            (login.status.as_u16(), login.reason()),
            (401, "credentials")
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn bearer_tokens_follow_the_store_and_refresh() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut browser = Client::default();
        app.call(
            &mut browser,
            "auth.signup",
            json!({"email": "bob@example.com", "password": PASSWORD}),
        )
        .await;
        let login = app
            .call(
                &mut browser,
                "auth.login",
                json!({"email": "bob@example.com", "password": PASSWORD}),
            )
            .await;
        let token = login.body["token"]["token"].as_str().unwrap().to_owned();
        assert!(login.body["token"]["expires_at"].as_u64().unwrap() > 0);
        assert_eq!(login.body["user"]["email"], "bob@example.com");

        let mut bearer = Client {
            bearer: Some(token.clone()),
            csrf: false,
            ..Client::default()
        };
        let me = app.call(&mut bearer, "whoami", json!({})).await;
        assert_eq!(me.status, 200, "{}: {:?}", db.name, me.body);
        assert_eq!(
            app.call(&mut bearer, "staff_report", json!({}))
                .await
                .status,
            403
        );
        bearer.csrf = true;
        let refreshed = app.call(&mut bearer, "auth.token", json!({})).await;
        assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
        assert!(
            refreshed.body["token"]
                .as_str()
                .unwrap()
                .starts_with("mwt1.")
        );

        // A change of level revokes the tokens that carry the old one; the session goes on with
        // the store's new flags.
        app.admin
            .set_roles("bob@example.com", true, false)
            .await
            .unwrap();
        let old_level = app.call(&mut bearer, "staff_report", json!({})).await;
        assert_eq!(
            (old_level.status.as_u16(), old_level.reason()),
            (401, "revoked"),
            "{}",
            db.name
        );
        let mut session = browser.clone();
        assert_eq!(
            app.call(&mut session, "staff_report", json!({}))
                .await
                .status,
            200,
            "{}",
            db.name
        );
        let fresh = app.call(&mut session, "auth.token", json!({})).await;
        let mut bearer = Client {
            bearer: Some(
                fresh.body["token"]["token"]
                    .as_str()
                    .or(fresh.body["token"].as_str())
                    .unwrap()
                    .to_owned(),
            ),
            ..Client::default()
        };
        assert_eq!(
            app.call(&mut bearer, "staff_report", json!({}))
                .await
                .status,
            200,
            "{}: the store's flags",
            db.name
        );

        let forged = Client {
            bearer: Some(format!("{token}x")),
            ..Client::default()
        };
        let answer = app.call(&mut forged.clone(), "whoami", json!({})).await;
        assert_eq!(answer.status, 401);

        app.admin.deactivate("bob@example.com").await.unwrap();
        let revoked = app.call(&mut bearer, "whoami", json!({})).await;
        assert_eq!(
            (revoked.status.as_u16(), revoked.reason()),
            (401, "revoked"),
            "{}",
            db.name
        );
        db.drop_schema().await;
    }
}
