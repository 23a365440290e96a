//! What the benchmark reads from and sets in the operating system: the file limit, a process's
//! memory (`/proc/<pid>/smaps_rollup`) and CPU time (`/proc/<pid>/stat`), the kernel's TCP
//! memory (`/proc/net/sockstat`), and the state of one TCP connection (`ss`).

use std::process::Command;

use crate::Error;

/// Raises this process's file limit (soft and hard) to at least `wanted` descriptors, raising
/// `fs.nr_open` first when it is lower; children inherit the limit. Raising the hard limit needs
/// `CAP_SYS_RESOURCE`: without it the soft limit is raised to the hard one and the note says
/// so. Returns the soft limit in force and a note on what was changed.
pub(crate) fn raise_file_limit(wanted: u64) -> Result<(u64, String), Error> {
    let mut notes = Vec::new();
    let nr_open: u64 = read_number("/proc/sys/fs/nr_open")?;
    if nr_open < wanted {
        match std::fs::write("/proc/sys/fs/nr_open", wanted.to_string()) {
            Ok(()) => notes.push(format!("fs.nr_open {nr_open} -> {wanted}")),
            Err(e) => notes.push(format!("fs.nr_open is {nr_open} and cannot be raised: {e}")),
        }
    }
    let file_max: u64 = read_number("/proc/sys/fs/file-max")?;
    if file_max < wanted {
        notes.push(format!("fs.file-max is only {file_max}"));
    }
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    if soft < wanted || hard < wanted {
        match rlimit::setrlimit(rlimit::Resource::NOFILE, wanted.max(soft), hard.max(wanted)) {
            Ok(()) => notes.push(format!(
                "RLIMIT_NOFILE {soft}/{hard} -> {}/{}",
                wanted.max(soft),
                hard.max(wanted)
            )),
            Err(e) => {
                rlimit::setrlimit(rlimit::Resource::NOFILE, hard, hard)?;
                notes.push(format!(
                    "RLIMIT_NOFILE {soft}/{hard} cannot be raised to {wanted} ({e}; raising a hard \
                     limit needs CAP_SYS_RESOURCE{}), so the soft limit is {hard}",
                    if has_sys_resource() {
                        ""
                    } else {
                        ", which this process lacks"
                    }
                ));
            }
        }
    }
    let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    Ok((soft, notes.join(", ")))
}

/// Whether this process's effective capabilities include `CAP_SYS_RESOURCE` (bit 24).
fn has_sys_resource() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let hex = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
            u64::from_str_radix(hex.trim(), 16).ok()
        })
        .is_some_and(|caps| caps & (1 << 24) != 0)
}

fn read_number(path: &str) -> Result<u64, Error> {
    Ok(std::fs::read_to_string(path)?.trim().parse()?)
}

/// `Rss`, `Pss` and `Anonymous` of a process, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Memory {
    pub(crate) rss: u64,
    pub(crate) pss: u64,
    pub(crate) anonymous: u64,
}

/// The memory of process `pid` from `/proc/<pid>/smaps_rollup`.
pub(crate) fn memory(pid: u32) -> Result<Memory, Error> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
    let field = |name: &str| -> Result<u64, Error> {
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .ok_or_else(|| format!("smaps_rollup has no {name}"))?;
        Ok(line.trim().trim_end_matches("kB").trim().parse()?)
    };
    Ok(Memory {
        rss: field("Rss")?,
        pss: field("Pss")?,
        anonymous: field("Anonymous")?,
    })
}

/// The kernel's TCP sockets in use and the pages of memory they hold (`/proc/net/sockstat`),
/// for both ends of every loopback connection together.
pub(crate) fn tcp_sockstat() -> Result<(u64, u64), Error> {
    let text = std::fs::read_to_string("/proc/net/sockstat")?;
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("TCP:"))
        .ok_or("sockstat has no TCP line")?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let value = |key: &str| -> Result<u64, Error> {
        let at = words
            .iter()
            .position(|w| *w == key)
            .ok_or_else(|| format!("sockstat has no TCP {key}"))?;
        Ok(words.get(at + 1).ok_or("short sockstat")?.parse()?)
    };
    Ok((value("inuse")?, value("mem")?))
}

/// The slab caches a TCP socket of a process's epoll loop occupies in the kernel: the socket,
/// its inode, its file, its dentry and its epoll entries.
const SOCKET_SLABS: [&str; 6] = [
    "TCP",
    "sock_inode_cache",
    "filp",
    "dentry",
    "eventpoll_epi",
    "eventpoll_pwq",
];

/// Bytes in use in [`SOCKET_SLABS`] (`/proc/slabinfo`: active objects times object size), or
/// `None` when `/proc/slabinfo` cannot be read (it needs root). Other processes' files count
/// too, so only a difference over a burst of sockets means anything.
pub(crate) fn socket_slab_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/slabinfo").ok()?;
    let mut total = 0;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else { continue };
        if SOCKET_SLABS.contains(&name) {
            let active: u64 = words.next()?.parse().ok()?;
            let _all = words.next()?;
            let size: u64 = words.next()?.parse().ok()?;
            total += active * size;
        }
    }
    Some(total)
}

/// `utime + stime` of process `pid` (every thread), in seconds.
pub(crate) fn cpu_secs(pid: u32, clock_ticks: f64) -> Result<f64, Error> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let rest = stat.rsplit_once(')').ok_or("bad stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11).ok_or("no utime")?.parse()?;
    let stime: f64 = fields.get(12).ok_or("no stime")?.parse()?;
    Ok((utime + stime) / clock_ticks)
}

/// The clock ticks per second of `/proc/<pid>/stat`.
pub(crate) fn clock_ticks() -> Result<f64, Error> {
    let out = Command::new("getconf").arg("CLK_TCK").output()?;
    Ok(String::from_utf8(out.stdout)?.trim().parse()?)
}

/// The state (`ESTAB`, `FIN-WAIT-1`, ...) of the server's end of the connection from `client`,
/// or `None` when the server holds no such socket any more. `ss` asks the kernel with a filter,
/// so this stays cheap with 200,000 sockets open.
pub(crate) fn server_side_state(
    server: std::net::SocketAddr,
    client: std::net::SocketAddr,
) -> Result<Option<String>, Error> {
    let out = Command::new("ss")
        .args([
            "-Htan",
            "src",
            &server.to_string(),
            "dst",
            &client.to_string(),
        ])
        .output()?;
    if !out.status.success() {
        return Err(format!("ss failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?
        .split_whitespace()
        .next()
        .map(str::to_owned))
}

/// The load average and the processes using the most CPU, to say how quiet the machine was.
pub(crate) fn machine_load() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let top = Command::new("ps")
        .args(["-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .take(4)
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    format!(
        "load average {} (top: {top})",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}
