//! The demo process under test: started with the corpus's flags and secret, checked alive, and
//! its resident memory read from `/proc`.

use std::process::Stdio;
use std::time::Duration;

use mizan::core::hex;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

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
        let mut child = Command::new(env!("CARGO_BIN_EXE_mizan-demo"))
            .args(DEMO_FLAGS)
            .env("MIZAN_DEMO_ADDR", "127.0.0.1:0")
            .env("MIZAN_SECRET", hex::encode(TEST_SECRET))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("the demo prints its address within 30 s")
                .unwrap()
                .expect("the demo prints `listening on http://ADDR`");
            if let Some((_, addr)) = line.split_once("listening on http://") {
                break addr.trim().to_owned();
            }
        };
        // Keep reading what it prints, so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
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
        rss_kib(self.pid)
    }
}

/// `VmRSS` of a process, in KiB (0 once it is gone).
pub(crate) fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmRSS:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}
