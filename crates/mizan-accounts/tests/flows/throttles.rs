//! Sign-in throttling per email and per client address.

use serde_json::json;

use crate::PASSWORD;
use crate::support::{Client, Db, app_with};

#[tokio::test]
async fn sign_ins_are_throttled_per_email_and_per_address() {
    use mizan_accounts::Limit;
    use std::time::Duration;
    for db in Db::both().await {
        let app = app_with(&db, |b| {
            b.login_limits(
                Limit::new(2, Duration::from_secs(60)),
                Limit::new(5, Duration::from_secs(60)),
            )
        })
        .await;
        let _ = app.signed_in("lee@example.com", PASSWORD).await;
        let mut c = Client::default();
        for _ in 0..2 {
            let wrong = app
                .call(
                    &mut c,
                    "auth.login",
                    json!({"email": "lee@example.com", "password": "wrong password"}),
                )
                .await;
            assert_eq!(wrong.status, 401);
        }
        let right = app
            .call(
                &mut c,
                "auth.login",
                json!({"email": "LEE@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            (right.status.as_u16(), right.code()),
            (429, "rate_limited"),
            "{}: {:?}",
            db.name,
            right.body
        );
        let wait: u64 = right.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait));
        assert_eq!(right.body["details"]["retry_after"], wait);

        // An unknown email is throttled the same way.
        for _ in 0..2 {
            app.call(
                &mut c,
                "auth.login",
                json!({"email": "ghost@example.com", "password": "wrong password"}),
            )
            .await;
        }
        let ghost = app
            .call(
                &mut c,
                "auth.login",
                json!({"email": "ghost@example.com", "password": "wrong password"}),
            )
            .await;
        assert_eq!(ghost.status, 429);

        // The address has failed 4 times; a fifth failure from it fills its window.
        let mut other = Client::default();
        app.call(
            &mut other,
            "auth.login",
            json!({"email": "x1@example.com", "password": "wrong password"}),
        )
        .await;
        let blocked = app
            .call(
                &mut other,
                "auth.login",
                json!({"email": "x2@example.com", "password": "wrong password"}),
            )
            .await;
        assert_eq!(blocked.status, 429, "{}: per address", db.name);
        let mut elsewhere = Client {
            address: Some("10.0.0.9:1".parse().unwrap()),
            ..Client::default()
        };
        let fine = app
            .call(
                &mut elsewhere,
                "auth.login",
                json!({"email": "x2@example.com", "password": "wrong password"}),
            )
            .await;
        assert_eq!(fine.status, 401, "another address is not blocked");
        db.drop_schema().await;
    }
}
