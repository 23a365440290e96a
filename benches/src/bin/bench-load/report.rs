//! The benchmark's tables (medians per workload and server, ratios, memory) and its targets.

use std::collections::BTreeMap;

use mizan_benches::workloads::{SERVERS, Server, WORKLOADS as ALL_WORKLOADS, Workload};

use super::wrk::Run;

pub(super) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        f64::midpoint(values[n / 2 - 1], values[n / 2])
    }
}

/// The median over rounds of `f(mizan) / f(baseline)`, the two runs of a round paired by their
/// place in the lists (the benchmark pushes one run per server and round, in round order).
pub(super) fn paired_ratio(mizan: &[Run], baseline: &[Run], f: fn(&Run) -> f64) -> f64 {
    median(
        mizan
            .iter()
            .zip(baseline)
            .map(|(m, b)| f(m) / f(b))
            .collect(),
    )
}

/// A ratio as the tables print it: the paired one, then the ratio of the medians in parentheses.
pub(super) fn fmt_ratio(paired: f64, of_medians: f64) -> String {
    format!("{paired:.2}x ({of_medians:.2}x)")
}

pub(super) fn fmt_us(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

pub(super) fn fmt_int(n: f64) -> String {
    let digits = format!("{n:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the rounds measured, for the report.
pub(super) struct Measured<'a> {
    pub(super) workloads: &'a [Workload],
    pub(super) runs: &'a BTreeMap<(Workload, Server), Vec<Run>>,
    pub(super) idle: &'a BTreeMap<Server, u64>,
    pub(super) rss_after_round: &'a BTreeMap<Server, Vec<u64>>,
    pub(super) peak: &'a BTreeMap<Server, u64>,
}

/// Prints the tables, then the targets when every workload ran.
pub(super) fn print(m: &Measured<'_>) {
    let Measured {
        workloads,
        runs,
        idle,
        rss_after_round,
        peak,
    } = *m;
    let med = |workload: Workload, server: Server, f: fn(&Run) -> f64| {
        median(runs[&(workload, server)].iter().map(f).collect())
    };
    // Mizan's figure over the baseline's, round by round, then the median: the machine's speed
    // drifts by 10-30% over seconds, alike for the servers of one round (they run one after
    // the other), so a round's ratio is far steadier than a ratio of two medians taken over
    // different moments.
    let paired = |workload: Workload, baseline: Server, f: fn(&Run) -> f64| {
        paired_ratio(
            &runs[&(workload, Server::Mizan)],
            &runs[&(workload, baseline)],
            f,
        )
    };
    println!();
    println!(
        "| workload | server | req/s | p50 | p99 | server CPU/req | Mizan: req/s ratio | p99 ratio | CPU/req ratio |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for workload in workloads.iter().copied() {
        for server in SERVERS {
            let rps = med(workload, server, |r| r.rps);
            let p99 = med(workload, server, |r| r.p99_us);
            let cpu = med(workload, server, |r| r.cpu_us);
            let ratios = if server == Server::Mizan {
                " | | ".to_owned()
            } else {
                format!(
                    "{} | {} | {}",
                    fmt_ratio(
                        paired(workload, server, |r| r.rps),
                        med(workload, Server::Mizan, |r| r.rps) / rps
                    ),
                    fmt_ratio(
                        paired(workload, server, |r| r.p99_us),
                        med(workload, Server::Mizan, |r| r.p99_us) / p99
                    ),
                    fmt_ratio(
                        paired(workload, server, |r| r.cpu_us),
                        med(workload, Server::Mizan, |r| r.cpu_us) / cpu
                    ),
                )
            };
            println!(
                "| {} | {} | {} | {} | {} | {:.1} µs | {ratios} |",
                workload.label(),
                server.label(),
                fmt_int(rps),
                fmt_us(med(workload, server, |r| r.p50_us)),
                fmt_us(p99),
                cpu,
            );
        }
    }
    println!(
        "(ratios are Mizan's figure over the row's: req/s higher is better, p99 and CPU/req lower is better; each is the median of the rounds' own ratios, and in parentheses the ratio of the two medians)"
    );

    println!();
    println!("| server | idle RSS | RSS after each round | peak RSS (VmHWM) |");
    println!("|---|---:|---|---:|");
    for server in SERVERS {
        let rounds: Vec<String> = rss_after_round[&server]
            .iter()
            .map(|kib| format!("{:.1}", *kib as f64 / 1024.0))
            .collect();
        println!(
            "| {} | {:.1} MiB | {} MiB | {:.1} MiB |",
            server.label(),
            idle[&server] as f64 / 1024.0,
            rounds.join(" / "),
            peak[&server] as f64 / 1024.0
        );
    }

    if workloads.len() < ALL_WORKLOADS.len() {
        return;
    }
    println!();
    println!("Targets:");
    let target = |name: String, ok: bool| {
        println!("- [{}] {name}", if ok { "met" } else { "MISSED" });
    };
    println!(
        "(ratios are medians of the rounds' own ratios; the ratio of the medians in parentheses)"
    );
    for workload in [Workload::Echo, Workload::Greet] {
        let of_medians = |baseline: Server, f: fn(&Run) -> f64| {
            med(workload, Server::Mizan, f) / med(workload, baseline, f)
        };
        let bare = paired(workload, Server::Bare, |r| r.rps);
        let p99 = paired(workload, Server::Bare, |r| r.p99_us);
        let same = paired(workload, Server::Same, |r| r.rps);
        target(
            format!(
                "{}: >= 0.90x bare req/s: {}",
                workload.label(),
                fmt_ratio(bare, of_medians(Server::Bare, |r| r.rps))
            ),
            bare >= 0.9,
        );
        target(
            format!(
                "{}: p99 <= 1.20x bare: {}",
                workload.label(),
                fmt_ratio(p99, of_medians(Server::Bare, |r| r.p99_us))
            ),
            p99 <= 1.2,
        );
        target(
            format!(
                "{}: >= 0.97x same-work req/s: {}",
                workload.label(),
                fmt_ratio(same, of_medians(Server::Same, |r| r.rps))
            ),
            same >= 0.97,
        );
    }
    let ok304 = med(Workload::Greet304, Server::Mizan, |r| r.rps);
    let ok200 = med(Workload::Greet, Server::Mizan, |r| r.rps);
    target(
        format!(
            "304 at least as fast as 200: {} vs {} req/s ({:.2}x)",
            fmt_int(ok304),
            fmt_int(ok200),
            ok304 / ok200
        ),
        ok304 >= ok200,
    );
    let auth = paired(Workload::AuthEcho, Server::Bare, |r| r.rps);
    target(
        format!(
            "MWT-authenticated call >= 0.85x bare: {}",
            fmt_ratio(
                auth,
                med(Workload::AuthEcho, Server::Mizan, |r| r.rps)
                    / med(Workload::AuthEcho, Server::Bare, |r| r.rps)
            )
        ),
        auth >= 0.85,
    );
    let batch_cpu = med(Workload::Batch8, Server::Mizan, |r| r.cpu_us);
    let calls_cpu = 8.0 * med(Workload::Echo, Server::Mizan, |r| r.cpu_us);
    target(
        format!(
            "a batch of 8 costs less server CPU than 8 calls: {batch_cpu:.1} µs vs {calls_cpu:.1} µs"
        ),
        batch_cpu < calls_cpu,
    );
    let grew: Vec<&str> = SERVERS
        .iter()
        .filter(|s| {
            let r = &rss_after_round[s];
            r.len() > 1 && r[r.len() - 1] > r[0] + r[0] / 20
        })
        .map(|s| s.label())
        .collect();
    target(
        format!(
            "no RSS growth across rounds (over 5%): {}",
            if grew.is_empty() {
                "none grew".to_owned()
            } else {
                grew.join(", ")
            }
        ),
        grew.is_empty(),
    );
}
