//! Signing up: the same answer for taken emails, clear errors for bad params, no half-made account.

use serde_json::json;

use crate::PASSWORD;
use crate::support::{Client, Db, app};

#[tokio::test]
async fn signup_answers_alike_for_new_and_taken_emails() {
    for db in Db::both().await {
        let app = app(&db).await;
        let mut c = Client::default();
        let first = app
            .call(
                &mut c,
                "auth.signup",
                json!({"email": "eve@example.com", "password": PASSWORD}),
            )
            .await;
        let second = app
            .call(
                &mut c,
                "auth.signup",
                json!({"email": "EVE@example.com", "password": "another password"}),
            )
            .await;
        assert_eq!(first.status, 200);
        assert_eq!(
            (first.status, &first.body),
            (second.status, &second.body),
            "{}",
            db.name
        );
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
        let login = app
            .call(
                &mut c,
                "auth.login",
                json!({"email": "eve@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(login.status, 200);
        assert_eq!(app.admin.list().await.unwrap().len(), 1);

        let named = app
            .call(
                &mut c,
                "auth.signup",
                json!({"email": "x@example.com", "password": PASSWORD, "username": "eve"}),
            )
            .await;
        assert_eq!(named.status, 200, "{:?}", named.body);
        let taken = app
            .call(
                &mut c,
                "auth.signup",
                json!({"email": "y@example.com", "password": PASSWORD, "username": "eve"}),
            )
            .await;
        assert_eq!(
            (taken.status.as_u16(), taken.reason()),
            (409, "username_taken"),
            "{}",
            db.name
        );
        assert_eq!(
            app.admin.list().await.unwrap().len(),
            2,
            "no half-created account"
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn bad_credentials_and_bad_params_get_clear_errors() {
    for db in Db::both().await {
        let app = app(&db).await;
        let _ = app.signed_in("kim@example.com", PASSWORD).await;
        let mut c = Client::default();
        let wrong = app
            .call(
                &mut c,
                "auth.login",
                json!({"email": "kim@example.com", "password": "wrong password"}),
            )
            .await;
        let unknown = app
            .call(
                &mut c,
                "auth.login",
                json!({"email": "nobody@example.com", "password": "wrong password"}),
            )
            .await;
        assert_eq!(
            (wrong.status.as_u16(), wrong.reason()),
            (401, "credentials")
        );
        assert_eq!(wrong.body, unknown.body, "{}: no enumeration", db.name);
        for (params, field) in [
            (
                json!({"email": "not an email", "password": PASSWORD}),
                "email",
            ),
            (
                json!({"email": "kim@example.com", "password": "short"}),
                "password",
            ),
            (
                json!({"email": "kim@example.com", "password": "x".repeat(1025)}),
                "password",
            ),
            (
                json!({"email": "kim@example.com", "password": ""}),
                "password",
            ),
        ] {
            let answer = app.call(&mut c, "auth.signup", params).await;
            assert_eq!(
                (answer.status.as_u16(), answer.code()),
                (422, "validation_failed"),
                "{:?}",
                answer.body
            );
            assert_eq!(answer.body["fields"][0]["path"][0], field);
        }
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
                    let mut c = Client {
                        address: Some(format!("10.0.0.{i}:1").parse().unwrap()),
                        ..Client::default()
                    };
                    app.call(
                        &mut c,
                        "auth.signup",
                        json!({"email": "race@example.com", "password": PASSWORD}),
                    )
                    .await
                    .status
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
