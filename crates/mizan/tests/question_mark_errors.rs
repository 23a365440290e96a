//! `?` on any `std::error::Error` in a server function: the client gets `500 internal` with a
//! generic message, the server log gets the cause with the function's name.

mod common;

use std::fmt::{Debug, Write as _};
use std::sync::{Arc, Mutex};

use common::*;
use mizan::{Mizan, Registry, Request, Result};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[mizan::client]
fn parse_number(_req: &Request, text: String) -> Result<i64> {
    Ok(text.parse::<i64>()?)
}

#[mizan::client]
async fn read_secret(_req: &Request) -> Result<String> {
    Ok(std::fs::read_to_string("/nonexistent/mizan-secret-store")?)
}

#[mizan::client]
fn decode(_req: &Request, json: String) -> Result<u32> {
    Ok(serde_json::from_str::<u32>(&json)?)
}

/// A counter whose lock a panicking thread poisoned.
struct Poisoned(Mutex<u32>);

#[mizan::client]
async fn bump(req: &Request) -> Result<u32> {
    let value = {
        // Neither `Send` nor `'static`: the conversion takes its message at once.
        let mut counter = req.state::<Poisoned>()?.0.lock()?;
        *counter += 1;
        *counter
    };
    tokio::task::yield_now().await;
    Ok(value)
}

/// An auth check whose `?` fails: no server function runs, so the response logs the cause.
fn broken_check(_req: &Request) -> Result<bool> {
    let limit: u8 = "300".parse()?;
    Ok(limit > 0)
}

#[mizan::client(auth = broken_check)]
fn guarded(_req: &Request) -> Result<()> {
    Ok(())
}

fn app() -> axum::Router {
    let mut registry = Registry::new();
    registry
        .register(parse_number, "parse_number")
        .unwrap()
        .register(read_secret, "read_secret")
        .unwrap()
        .register(decode, "decode")
        .unwrap()
        .register(bump, "bump")
        .unwrap()
        .register(guarded, "guarded")
        .unwrap();
    let counter = Poisoned(Mutex::new(0));
    let poison = std::panic::catch_unwind(|| {
        let _guard = counter.0.lock().unwrap();
        panic!("poisoning the counter on purpose");
    });
    assert!(poison.is_err() && counter.0.is_poisoned());
    app_with(Mizan::new(registry).state(counter))
}

/// Every event's fields, as text.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<String>>>);

struct FieldsText(String);

impl Visit for FieldsText {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl Subscriber for Logs {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = FieldsText(String::new());
        event.record(&mut text);
        self.0.lock().unwrap().push(text.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn any_std_error_is_a_500_internal_whose_cause_is_logged_not_sent() {
    let logs = Logs::default();
    let _recording = tracing::subscriber::set_default(logs.clone());
    let app = app();
    let cases = [
        (
            "parse_number",
            r#"{"text":"twelve"}"#,
            "invalid digit found in string",
        ),
        ("read_secret", "{}", "No such file or directory"),
        ("decode", r#"{"json":"-1"}"#, "invalid value: integer `-1`"),
        ("bump", "{}", "poisoned lock"),
    ];
    for (function, params, cause) in cases {
        let reply = post(&app, &format!("/api/mizan/call/{function}"), params).await;
        assert_eq!(reply.status, 500, "{function}");
        assert_eq!(
            reply.json(),
            serde_json::json!({"code": "internal", "message": "internal error", "status": 500}),
            "{function}"
        );
        let body = String::from_utf8_lossy(&reply.body);
        assert!(
            !body.contains(cause) && !body.contains("mizan-secret"),
            "{body}"
        );
        let logged = logs.0.lock().unwrap().clone();
        assert!(
            logged
                .iter()
                .any(|line| line.contains(&format!("function=\"{function}\""))
                    && line.contains(cause)),
            "{function}: {logged:#?}"
        );
    }
    // Logged once each, by the engine, with the function's name.
    assert_eq!(logs.0.lock().unwrap().len(), cases.len());
}

#[tokio::test]
async fn a_failure_inside_a_batch_hides_its_cause_too() {
    let logs = Logs::default();
    let _recording = tracing::subscriber::set_default(logs.clone());
    let app = app();
    let batch = r#"{"calls":[{"fn":"parse_number","params":{"text":"x"}},{"fn":"parse_number","params":{"text":"7"}}]}"#;
    let reply = post(&app, "/api/mizan/batch", batch).await;
    let body = String::from_utf8_lossy(&reply.body);
    assert!(!body.contains("invalid digit"), "{body}");
    assert!(body.contains("\"internal error\""), "{body}");
    assert!(
        logs.0
            .lock()
            .unwrap()
            .iter()
            .any(|line| line.contains("invalid digit found in string")),
        "the cause is logged"
    );
}

#[tokio::test]
async fn an_auth_check_failing_with_a_question_mark_is_logged_when_answered() {
    let logs = Logs::default();
    let _recording = tracing::subscriber::set_default(logs.clone());
    let reply = post(&app(), "/api/mizan/call/guarded", "{}").await;
    assert_eq!((reply.status, reply.code()), (500, "internal".to_owned()));
    assert!(!String::from_utf8_lossy(&reply.body).contains("too large"));
    let logged = logs.0.lock().unwrap().clone();
    assert_eq!(
        logged
            .iter()
            .filter(|line| line.contains("number too large to fit in target type"))
            .count(),
        1,
        "{logged:#?}"
    );
}
