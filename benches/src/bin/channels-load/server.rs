//! The `channels-server` process, pinned to its core.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Error;

/// A running `channels-server`.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
}

impl Server {
    /// Starts `binary` under `taskset -c cpu` and waits until it listens. `taskset` execs the
    /// server, so the child's pid is the server's.
    pub(crate) fn start(binary: &Path, cpu: &str) -> Result<Self, Error> {
        let mut child = Command::new("taskset")
            .args(["-c", cpu])
            .arg(binary)
            .arg("127.0.0.1:0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(addr) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("channels-server did not start: {line:?}").into());
        };
        Ok(Self {
            addr: addr.parse()?,
            child,
        })
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server process has exited.
    pub(crate) fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Closing standard input asks for a graceful shutdown; a server still busy closing
        // 100,000 sockets after a few seconds is killed.
        drop(self.child.stdin.take());
        // `BENCH_SERVER_GRACE` waits longer, for a server run under a profiler that writes its
        // results as it exits.
        let grace = std::env::var("BENCH_SERVER_GRACE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5);
        let deadline = Instant::now() + Duration::from_secs(grace);
        while Instant::now() < deadline {
            if self.exited() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
