//! The demo process under test: started with the corpus's flags and secret on a database of its
//! own, with sessions of its fixture users for the corpus's cookies, checked alive, and its
//! resident memory read from `/proc`.

use std::collections::BTreeMap;
use std::time::Duration;

use mizan::core::hex;
use serde_json::Value;

use crate::common::{DemoProcess, request_raw, set_cookie_value};

use crate::corpus::Step;
use crate::tokens::TEST_SECRET;
use crate::wire::{exchange, parse_responses};

/// The demo's serve options for this run: timeouts short enough that every slow case ends in a
/// few seconds, and a body budget and a connection limit small enough to reach with a handful of
/// connections (no phase of the corpus otherwise holds more than 64 connections at once).
const DEMO_FLAGS: &[&str] = &[
    "--header-timeout-ms",
    "500",
    "--idle-timeout-ms",
    "500",
    "--body-grace-ms",
    "1000",
    "--body-min-rate",
    "1000",
    "--body-budget",
    "4194304",
    "--max-connections",
    "64",
];

pub(crate) struct Demo {
    process: std::sync::Mutex<DemoProcess>,
    pub(crate) pid: u32,
    pub(crate) addr: String,
    /// The `mizan_session` cookie values of live sessions of the fixture users `ada` and `grace`,
    /// by user id: the corpus's `{{session:NAME}}`.
    pub(crate) sessions: BTreeMap<String, String>,
}

impl Demo {
    pub(crate) async fn spawn() -> Self {
        let process = DemoProcess::spawn(DEMO_FLAGS, Some(&hex::encode(TEST_SECRET))).await;
        let pid = process.child.id().unwrap();
        let addr = process.addr.clone();
        let sessions = sessions_of_fixture_users(&process.database).await;
        Self {
            process: std::sync::Mutex::new(process),
            pid,
            addr,
            sessions,
        }
    }

    pub(crate) fn is_running(&self) -> bool {
        matches!(self.process.lock().unwrap().child.try_wait(), Ok(None))
    }

    pub(crate) async fn alive_and_answering(&self) -> bool {
        if !self.is_running() {
            return false;
        }
        let raw = "POST /api/mizan/call/echo HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"text\":\"hi\"}";
        let Ok(Ok((bytes, _))) = tokio::time::timeout(
            Duration::from_secs(5),
            exchange(&self.addr, &[Step::Send(raw.as_bytes().to_vec())]),
        )
        .await
        else {
            return false;
        };
        match parse_responses(&bytes, false) {
            Ok(responses) => {
                responses.len() == 1
                    && responses[0].status == 200
                    && serde_json::from_slice::<Value>(&responses[0].body)
                        .is_ok_and(|v| v["message"] == "hi")
            }
            Err(_) => false,
        }
    }

    /// Sends `count` failed sign-ins at once, so that each of the accounts module's hashing
    /// threads has made the Argon2 memory (19 MiB) it keeps for its next hash.
    pub(crate) async fn warm_the_password_hasher(&self, count: usize) {
        let body = r#"{"email":"warm-up@example.com","password":"not the password"}"#;
        let raw = format!(
            "POST /api/mizan/call/auth.login HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nX-Mizan-CSRF: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut sign_ins = tokio::task::JoinSet::new();
        for _ in 0..count {
            let (addr, raw) = (self.addr.clone(), raw.clone());
            sign_ins.spawn(async move {
                let _ = tokio::time::timeout(
                    Duration::from_secs(10),
                    exchange(&addr, &[Step::Send(raw.into_bytes())]),
                )
                .await;
            });
        }
        sign_ins.join_all().await;
    }

    pub(crate) fn rss_kib(&self) -> u64 {
        crate::common::rss_kib(self.pid)
    }
}

/// Sessions of `ada` and `grace` in the database at `url`. The demo under test has no password-less
/// sign-in (no `--dev`, which the corpus checks) and its fixture users have no password, so a
/// second demo, in development mode on the same database, signs them in: sessions live in the
/// database, so the first demo knows them too.
async fn sessions_of_fixture_users(url: &str) -> BTreeMap<String, String> {
    let helper = DemoProcess::spawn_in(&std::env::temp_dir(), Some(url), &["--dev"], None).await;
    let mut sessions = BTreeMap::new();
    for user in ["ada", "grace"] {
        let body = format!(r#"{{"user":"{user}"}}"#);
        let raw = format!(
            "POST /api/mizan/call/demo.sign_in HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (status, head, answer) = request_raw(&helper.addr, raw).await;
        assert_eq!(status, 200, "demo.sign_in {user}: {answer}");
        let session = set_cookie_value(&head, "mizan_session")
            .unwrap_or_else(|| panic!("demo.sign_in {user} sets no session cookie: {head}"));
        sessions.insert(user.to_owned(), session.to_owned());
    }
    sessions
}
