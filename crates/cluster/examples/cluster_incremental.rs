//! Appending a batch against recomputing from scratch (docs/SCALE.md "Incremental updates"):
//! one process of `renown_cluster::incremental` with W workers over STORE, first with every
//! event in one batch (the computation from scratch), then cut at CUT (0.99: a base of the
//! first 99 % of the events in store order, then the last 1 % appended).
//!
//! ```text
//! cargo build --release -p renown-cluster --example cluster_incremental
//! cluster_incremental WORKERS CUT STORE [STEP [MEASURE]]
//! ```
//! STEP: PageRank's stop, 1e-10 by default; MEASURE: `pagerank` (default) or `earned`.
//! Prints, per batch, the events it appended, the wall and CPU seconds of its update (CPU of
//! the whole process, from /proc/self/stat) with the top 20 gathered, the measure's
//! iterations, then (two more runs, every row gathered) the largest relative difference of
//! every account's score and counts between the two runs' final states.

use renown_cluster::incremental::{self, Cuts, Hook, Plan, Update};
use renown_cluster::{ClusterConfig, Measure};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// User + system CPU seconds of this process (Linux; clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |x| x.1);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|x| x.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn run(
    workers: u32,
    cuts: Vec<f64>,
    top: usize,
    store: &str,
    step: f64,
    measure: Measure,
) -> (Vec<Update>, Vec<f64>) {
    let marks = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&marks);
    let hook: Hook = Arc::new(move |_| sink.lock().unwrap().push(cpu_seconds()));
    let mut plan = Plan::new(
        vec![store.into()],
        Cuts::Shares(cuts),
        vec![measure, Measure::Engagement],
    );
    plan.top = top;
    plan.step = step;
    plan.hook = Some(hook);
    let config = ClusterConfig {
        addresses: vec!["127.0.0.1:24100".into()],
        process: 0,
        workers,
        connect_timeout: Duration::from_secs(60),
        stall_timeout: Duration::from_secs(600),
    };
    let updates = incremental::run(&config, &plan)
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(1)
        })
        .unwrap_or_default();
    let marks = marks.lock().unwrap().clone();
    (updates, marks)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !(3..=5).contains(&args.len()) {
        eprintln!("usage: cluster_incremental WORKERS CUT STORE [STEP [MEASURE]]");
        std::process::exit(2);
    }
    let workers: u32 = args[0].parse().unwrap_or(1);
    let cut: f64 = args[1].parse().unwrap_or(0.99);
    let step: f64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(renown_cluster::rank::STEP);
    let measure = match args.get(4).map(String::as_str) {
        None | Some("pagerank") => Measure::PageRank,
        Some("earned") => Measure::Earned,
        Some(other) => {
            eprintln!("{other}: pagerank or earned");
            std::process::exit(2);
        }
    };
    let board = |u: &Update| u.board(measure).cloned().expect("the plan asks for it");
    let counts = |u: &Update| {
        u.board(Measure::Engagement)
            .map(|g| g.rows.clone())
            .unwrap_or_default()
    };
    let report = |label: &str, updates: &[Update], marks: &[f64]| {
        for (i, u) in updates.iter().enumerate() {
            let cpu = marks
                .get(i + 1)
                .zip(marks.get(i))
                .map_or(0.0, |(b, a)| b - a);
            println!(
                "{label} batch {i}: {} events, {} accounts, wall {:.3} s, CPU {:.2} s, {} iterations",
                u.events,
                board(u).total,
                u.seconds,
                cpu,
                board(u).iterations
            );
        }
    };
    // Timed with the top 20 gathered (as `cluster rank` prints), then checked with every row.
    let (full, marks) = run(workers, Vec::new(), 20, &args[2], step, measure);
    report("from scratch", &full, &marks);
    let (appended, marks) = run(workers, vec![cut], 20, &args[2], step, measure);
    report("appended", &appended, &marks);
    let (full, _) = run(workers, Vec::new(), 0, &args[2], step, measure);
    let (appended, _) = run(workers, vec![cut], 0, &args[2], step, measure);
    let (Some(a), Some(b)) = (full.last(), appended.last()) else {
        return;
    };
    let by_key = |u: &Update| -> HashMap<u64, (f64, f64)> {
        board(u)
            .rows
            .iter()
            .map(|r| (r.account.key, (r.score, r.followers)))
            .collect()
    };
    let (x, y) = (by_key(a), by_key(b));
    let mut worst = 0.0f64;
    let mut followers_differ = 0;
    for (k, (s, f)) in &x {
        let (t, g) = y.get(k).copied().unwrap_or((f64::NAN, f64::NAN));
        let d = if *s == t {
            0.0
        } else {
            (s - t).abs() / s.abs()
        };
        worst = if d.is_nan() {
            f64::INFINITY
        } else {
            worst.max(d)
        };
        followers_differ += usize::from(f != &g);
    }
    let engagement: HashMap<u64, f64> =
        counts(a).iter().map(|r| (r.account.key, r.score)).collect();
    let engagement_differ = counts(b)
        .iter()
        .filter(|r| engagement.get(&r.account.key) != Some(&r.score))
        .count();
    println!(
        "final states: {} accounts; {} largest relative difference {worst:e}; followers differ for {followers_differ}, engagement for {engagement_differ}",
        x.len(),
        measure.name()
    );
}
