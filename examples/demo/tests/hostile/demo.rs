//! The demo process under test: started with the corpus's flags and secret, checked alive, and
//! its resident memory read from `/proc`.

use std::time::Duration;

use mizan::core::hex;
use serde_json::Value;

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
    child: std::sync::Mutex<tokio::process::Child>,
    pub(crate) pid: u32,
    pub(crate) addr: String,
}

impl Demo {
    pub(crate) async fn spawn() -> Self {
        let (child, addr) =
            crate::common::spawn_demo(DEMO_FLAGS, Some(&hex::encode(TEST_SECRET))).await;
        let pid = child.id().unwrap();
        Self {
            child: std::sync::Mutex::new(child),
            pid,
            addr,
        }
    }

    pub(crate) fn is_running(&self) -> bool {
        matches!(self.child.lock().unwrap().try_wait(), Ok(None))
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

    pub(crate) fn rss_kib(&self) -> u64 {
        crate::common::rss_kib(self.pid)
    }
}
