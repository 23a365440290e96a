//! Running `wrk` against one server and reading what it measured.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use mizan_benches::workloads::Spec;

use super::server::Running;
use super::{Config, Error};

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Run {
    pub(super) rps: f64,
    pub(super) p50_us: f64,
    pub(super) p99_us: f64,
    pub(super) cpu_us: f64,
    pub(super) requests: f64,
}

pub(super) fn duration_us(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1e3)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e6)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

pub(super) fn parse_wrk(output: &str) -> Result<Run, Error> {
    let mut run = Run::default();
    for line in output.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            run.rps = v.trim().parse()?;
        } else if let Some(v) = line.strip_prefix("50%") {
            run.p50_us = duration_us(v).ok_or("bad p50")?;
        } else if let Some(v) = line.strip_prefix("99%") {
            run.p99_us = duration_us(v).ok_or("bad p99")?;
        } else if line.contains(" requests in ") {
            run.requests = line
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or("bad request count")?;
        } else if line.starts_with("Non-2xx or 3xx responses") || line.starts_with("Socket errors")
        {
            return Err(format!("wrk reported failures: {line}\n{output}").into());
        }
    }
    if run.rps == 0.0 || run.requests == 0.0 {
        return Err(format!("wrk output not understood:\n{output}").into());
    }
    Ok(run)
}

pub(super) fn lua_script(spec: &Spec) -> String {
    let mut lua = format!("wrk.method = \"{}\"\n", spec.method);
    if !spec.body.is_empty() {
        let _ = writeln!(lua, "wrk.body = [==[{}]==]", spec.body);
    }
    for (name, value) in &spec.headers {
        let _ = writeln!(lua, "wrk.headers[\"{name}\"] = [==[{value}]==]");
    }
    lua
}

pub(super) fn wrk<K>(
    config: &Config,
    running: &Running<K>,
    script: &Path,
    spec: &Spec,
    secs: u64,
) -> Result<Run, Error> {
    let before = running.cpu_secs(config)?;
    // `timeout` bounds a run whose server stopped answering: wrk's own `-d` only stops sending.
    let output = Command::new("timeout")
        .args(["--kill-after=5", &(secs + 30).to_string()])
        .args(["taskset", "-c", &config.client_cpu, "wrk", "-t1"])
        .arg(format!("-c{}", config.connections))
        .arg(format!("-d{secs}s"))
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(format!("http://{}{}", running.addr, spec.path))
        .output()?;
    running.wait_idle(config)?;
    let after = running.cpu_secs(config)?;
    if !output.status.success() {
        return Err(format!("wrk failed: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    let mut run = parse_wrk(&String::from_utf8_lossy(&output.stdout))?;
    run.cpu_us = (after - before) * 1e6 / run.requests;
    Ok(run)
}
