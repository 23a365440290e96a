//! Changing and resetting passwords.

use serde_json::json;

use crate::PASSWORD;
use crate::support::{Client, Db, app, app_with};

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_token() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut laptop = app.signed_in("ada@example.com", PASSWORD).await;
        let mut phone = Client::default();
        let login = app
            .call(
                &mut phone,
                "auth.login",
                json!({"email": "ada@example.com", "password": PASSWORD}),
            )
            .await;
        let old_token = login.body["token"]["token"].as_str().unwrap().to_owned();

        let wrong = app
            .call(
                &mut laptop,
                "auth.change_password",
                json!({"current_password": "not it at all", "new_password": "a new passphrase"}),
            )
            .await;
        assert_eq!(
            (wrong.status.as_u16(), wrong.reason()),
            (401, "credentials")
        );
        let changed = app
            .call(
                &mut laptop,
                "auth.change_password",
                json!({"current_password": PASSWORD, "new_password": "a new passphrase"}),
            )
            .await;
        assert_eq!(changed.status, 200, "{}: {:?}", db.name, changed.body);
        let new_token = changed.body["token"].as_str().unwrap().to_owned();

        assert_eq!(
            app.context(&mut laptop, "current_user").await.body["authenticated"],
            true,
            "{}: this browser stays",
            db.name
        );
        assert_eq!(
            app.context(&mut phone, "current_user").await.body["authenticated"],
            false,
            "other sessions end"
        );
        let mut old = Client {
            bearer: Some(old_token),
            ..Client::default()
        };
        assert_eq!(
            app.call(&mut old, "whoami", json!({})).await.reason(),
            "revoked",
            "{}",
            db.name
        );
        let mut new = Client {
            bearer: Some(new_token),
            ..Client::default()
        };
        assert_eq!(
            app.call(&mut new, "whoami", json!({})).await.status,
            200,
            "{}: the new token works",
            db.name
        );
        let old_password = app
            .call(
                &mut Client::default(),
                "auth.login",
                json!({"email": "ada@example.com", "password": PASSWORD}),
            )
            .await;
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
        let unknown = app
            .call(
                &mut c,
                "auth.request_password_reset",
                json!({"email": "nobody@example.com"}),
            )
            .await;
        let known = app
            .call(
                &mut c,
                "auth.request_password_reset",
                json!({"email": "ADA@example.com"}),
            )
            .await;
        assert_eq!(
            (unknown.status, &unknown.body),
            (known.status, &known.body),
            "{}",
            db.name
        );
        let mails = app.mails(1).await;
        assert_eq!(
            mails.len(),
            1,
            "{}: only the known email gets a mail",
            db.name
        );
        let mizan_accounts::MailKind::PasswordReset { token, link } = mails[0].kind.clone() else {
            panic!("{:?}", mails[0]);
        };
        assert!(link.ends_with(&token) && mails[0].body.contains(&link));

        let reset = app
            .call(
                &mut c,
                "auth.reset_password",
                json!({"token": token, "new_password": "a brand new one"}),
            )
            .await;
        assert_eq!(reset.status, 200, "{}: {:?}", db.name, reset.body);
        assert_eq!(
            app.context(&mut ada, "current_user").await.body["authenticated"],
            false,
            "sessions end"
        );
        let reused = app
            .call(
                &mut c,
                "auth.reset_password",
                json!({"token": token, "new_password": "yet another one"}),
            )
            .await;
        assert_eq!(
            (reused.status.as_u16(), reused.reason()),
            (400, "reset_token"),
            "{}",
            db.name
        );
        let bogus = app
            .call(
                &mut c,
                "auth.reset_password",
                json!({"token": "x", "new_password": "yet another one"}),
            )
            .await;
        assert_eq!(bogus.reason(), "reset_token");
        let login = app
            .call(
                &mut c,
                "auth.login",
                json!({"email": "ada@example.com", "password": "a brand new one"}),
            )
            .await;
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
        app.call(
            &mut c,
            "auth.request_password_reset",
            json!({"email": "ada@example.com"}),
        )
        .await;
        let mails = app.mails(1).await;
        let mizan_accounts::MailKind::PasswordReset { token, .. } = mails[0].kind.clone() else {
            panic!()
        };
        let late = app
            .call(
                &mut c,
                "auth.reset_password",
                json!({"token": token, "new_password": "a brand new one"}),
            )
            .await;
        assert_eq!(
            (late.status.as_u16(), late.reason()),
            (400, "reset_token"),
            "{}",
            db.name
        );
        db.drop_schema().await;
    }
}
