//! The servers of the cache benchmark (`bash scripts/bench-load.sh cache`): a context whose
//! function spends 2 ms of CPU, read through Mizan's memory cache and without it, against a bare
//! axum handler returning the same bytes.
//!
//! - `cache-mizan`: one Mizan app with a memory [`Cache`] serving [`report`] twice, as `report`
//!   with `cache(scope = "public", max_age = 3600)` and as `report_uncached` without a policy;
//! - `cache-bare`: `GET /report?id=7` as a user writes it with axum: `Query` in, `Json` out, the
//!   same bytes and `Content-Type` as Mizan's answer, without the 2 ms of work (what an answer
//!   kept anywhere, by hand, costs to serve).
//!
//! The work is a spin on [`Instant`], not a sleep: a sleeping function lets one core overlap
//! many requests, so the uncached figure would measure the load generator's concurrency, not the
//! server.

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use mizan::cache::Cache;
use mizan::{Mizan, Registry, Request, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How long [`report`]'s work takes.
pub const WORK: Duration = Duration::from_millis(2);

/// The report every server answers with (fields in canonical order, so `serde_json` writes the
/// same bytes as Mizan's canonical JSON).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Report {
    /// The report's id.
    pub id: u32,
    /// Rows in the report.
    pub rows: u32,
    /// Its title.
    pub title: String,
}

/// The report `id` is, computed without the work.
pub fn report_of(id: u32) -> Report {
    Report {
        id,
        rows: id % 100 + 12,
        title: format!("Report {id}"),
    }
}

/// Spends [`WORK`] of CPU time on this thread.
pub fn work() {
    let start = Instant::now();
    let mut x = 0u64;
    while start.elapsed() < WORK {
        x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
    }
    black_box(x);
}

/// The report, after 2 ms of work; cached for an hour by every process and CDN.
#[mizan::client(context = "local", cache(scope = "public", max_age = 3600))]
pub fn report(_req: &Request, id: u32) -> Result<Report> {
    work();
    Ok(report_of(id))
}

// Two declarations of one body: a function's policy is part of its declaration.

/// [`report`] without a cache policy: every read runs it.
#[mizan::client(context = "local")]
pub fn report_uncached(_req: &Request, id: u32) -> Result<Report> {
    work();
    Ok(report_of(id))
}

/// The Mizan server: both reports, one app, a memory cache keyed with
/// [`crate::servers::secret`].
pub fn mizan_router() -> Result<Router, Box<dyn std::error::Error>> {
    let mut registry = Registry::new();
    registry
        .register(report, "report")?
        .register(report_uncached, "report_uncached")?;
    let cache = Cache::builder(&crate::servers::secret()).build();
    Ok(Mizan::new(registry).cache(cache).router("/api/mizan"))
}

#[derive(Deserialize)]
struct ReportIn {
    id: u32,
}

/// The bare axum server: the same answer, without the work.
pub fn bare_router() -> Router {
    async fn report(Query(q): Query<ReportIn>) -> axum::Json<Report> {
        axum::Json(report_of(q.id))
    }
    Router::new().route("/report", get(report))
}

/// A workload of the cache benchmark: one request, sent over and over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Workload {
    /// `GET /report?id=7` on the bare axum server.
    Bare,
    /// The cached `report` context, answered from the cache.
    Hit,
    /// `report_uncached`: every read runs the 2 ms of work.
    Uncached,
}

/// Every workload, in the order rounds interleave them.
pub const WORKLOADS: [Workload; 3] = [Workload::Bare, Workload::Hit, Workload::Uncached];

/// The report every workload reads.
pub const REPORT_ID: u32 = 7;

impl Workload {
    /// The name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bare => "bare axum, same bytes",
            Self::Hit => "Mizan, cached (hit)",
            Self::Uncached => "Mizan, uncached",
        }
    }

    /// The `load-server` argument of the server it reads.
    pub fn mode(self) -> &'static str {
        match self {
            Self::Bare => "cache-bare",
            Self::Hit | Self::Uncached => "cache-mizan",
        }
    }

    /// Path and query of its request.
    pub fn path(self) -> String {
        // The canonical query of `{"id":7}` (§2.3).
        let query = format!("p=%7B%22id%22%3A{REPORT_ID}%7D");
        match self {
            Self::Bare => format!("/report?id={REPORT_ID}"),
            Self::Hit => format!("/api/mizan/context/report?{query}"),
            Self::Uncached => format!("/api/mizan/context/report_uncached?{query}"),
        }
    }

    /// Its request.
    pub fn spec(self) -> crate::workloads::Spec {
        crate::workloads::Spec {
            method: "GET",
            path: self.path(),
            headers: Vec::new(),
            body: String::new(),
            status: 200,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_takes_at_least_its_time() {
        let start = Instant::now();
        work();
        assert!(start.elapsed() >= WORK);
    }

    #[test]
    fn the_report_serializes_with_sorted_keys() {
        let text = serde_json::to_string(&report_of(7)).unwrap();
        assert_eq!(text, r#"{"id":7,"rows":19,"title":"Report 7"}"#);
    }
}
