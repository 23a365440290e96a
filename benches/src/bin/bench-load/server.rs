//! A server process of the benchmark, pinned to its core, and single requests to it.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mizan_benches::workloads::{Server, Spec};

use super::{Config, Error};

/// A running `load-server`, known to the benchmark by `server`.
pub(super) struct Running<K = Server> {
    pub(super) server: K,
    child: Child,
    pub(super) addr: String,
    /// How long to wait, once its standard input is closed, for the server to clean up and exit
    /// before it is killed.
    grace: Duration,
}

impl<K> Running<K> {
    /// Starts `load-server <mode>` on `cpu` and waits until it listens.
    pub(super) fn start(
        server: K,
        mode: &str,
        binary: &Path,
        cpu: &str,
        grace: Duration,
    ) -> Result<Self, Error> {
        let mut child = Command::new("taskset")
            .args(["-c", cpu])
            .arg(binary)
            .args([mode, "127.0.0.1:0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(addr) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{mode} server did not start: {line:?}").into());
        };
        Ok(Self {
            server,
            addr: addr.to_owned(),
            child,
            grace,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `utime + stime` of the whole process, in seconds.
    pub(super) fn cpu_secs(&self, config: &Config) -> Result<f64, Error> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        let (_, ticks) = stat_ticks(&stat).ok_or("bad /proc/<pid>/stat")?;
        Ok(ticks / config.clock_ticks)
    }

    /// A `VmRSS`-style field of `/proc/<pid>/status`, in KiB.
    /// Waits, at most 5 s, until the server is idle: less than 10% of a CPU over 50 ms. When
    /// `wrk` stops, the requests it had sent may still be running (64 of the cache benchmark's
    /// 2 ms reads are 130 ms of work); they belong to the run that sent them, not to the next one
    /// on this server, whose CPU figure and latencies they would spoil.
    pub(super) fn wait_idle(&self, config: &Config) -> Result<(), Error> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut last = self.cpu_secs(config)?;
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            let now = self.cpu_secs(config)?;
            if now - last < 0.005 {
                break;
            }
            last = now;
        }
        Ok(())
    }

    pub(super) fn status_kib(&self, field: &str) -> Result<u64, Error> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let line = status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .ok_or_else(|| format!("no {field}"))?;
        Ok(line.trim().trim_end_matches("kB").trim().parse()?)
    }
}

impl<K> Drop for Running<K> {
    fn drop(&mut self) {
        // Closing standard input asks an accounts server to remove its database and exit.
        drop(self.child.stdin.take());
        let deadline = Instant::now() + self.grace;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `spec` once over a fresh connection; returns the status, headers and body.
pub(super) fn request_once(addr: &str, spec: &Spec) -> Result<(u16, String, String), Error> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        spec.method,
        spec.path,
        spec.body.len()
    );
    for (name, value) in &spec.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(spec.body.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("no response head")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    Ok((status, head.to_owned(), body.to_owned()))
}

/// The first header `name` of a response head.
pub(super) fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// The command name and `utime + stime` (in clock ticks) of a `/proc/<pid>/stat` line. The name
/// sits in parentheses and may hold spaces, so fields are counted after the last `)`: utime and
/// stime are fields 14 and 15, the 12th and 13th after it.
pub(super) fn stat_ticks(stat: &str) -> Option<(&str, f64)> {
    let (head, rest) = stat.rsplit_once(')')?;
    let name = head.split_once('(')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((name, utime + stime))
}
