//! The cluster's COST harness (docs/SCALE.md): one process of `renown cluster rank` with the
//! default parameters, without the CLI (whose release build needs the whole workspace), so a
//! release build of this crate alone can be timed against the single machine.
//!
//! ```text
//! cargo build --release -p renown-cluster --example cluster_cost
//! cluster_cost BY PROCESSES PROCESS WORKERS STORE...   # BY: followers | engagement |
//!                                                      # pagerank | engagement-pagerank | earned
//! ```
//! Processes listen on 127.0.0.1:24100 + I. Process 0 prints the top 20 (rank, account, score)
//! on stdout; every process prints its traffic on stderr.

use renown_cluster::{ClusterConfig, Job, Measure};
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!("usage: cluster_cost BY PROCESSES PROCESS WORKERS STORE...");
        std::process::exit(2);
    }
    let measure = match args[0].as_str() {
        "followers" => Measure::Followers,
        "engagement" => Measure::Engagement,
        "pagerank" => Measure::PageRank,
        "engagement-pagerank" => Measure::EngagementPageRank,
        "earned" => Measure::Earned,
        other => {
            eprintln!("unknown measure {other}");
            std::process::exit(2);
        }
    };
    let number = |i: usize| -> u32 {
        args[i].parse().unwrap_or_else(|_| {
            eprintln!("{}: not a number", args[i]);
            std::process::exit(2)
        })
    };
    let (processes, process, workers) = (number(1), number(2), number(3));
    let config = ClusterConfig {
        addresses: (0..processes)
            .map(|i| format!("127.0.0.1:{}", 24100 + i))
            .collect(),
        process,
        workers,
        connect_timeout: Duration::from_secs(120),
        stall_timeout: Duration::from_secs(600),
    };
    let job = Job {
        measure,
        as_of: None,
        topic: None,
        platform: None,
        top: 20,
        stores: args[4..].iter().map(Into::into).collect(),
        earned: Default::default(),
        pagerank_damping: 0.85,
        pagerank_cap: None,
        load_chunk: renown_cluster::rank::LOAD_CHUNK,
    };
    let outcome = match renown_cluster::run(&config, &job) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("process {process}: {e}");
            std::process::exit(1);
        }
    };
    // Per round, summed over this process's workers: the median round of an iterative
    // measure is one iteration's traffic.
    let rounds = outcome.traffic.iter().map(|t| t.rounds.len()).max();
    let mut per_round: Vec<(u64, u64)> = (0..rounds.unwrap_or(0))
        .map(|r| {
            outcome
                .traffic
                .iter()
                .filter_map(|t| t.rounds.get(r))
                .fold((0, 0), |a, x| (a.0 + x.0, a.1 + x.1))
        })
        .collect();
    let load = per_round.first().copied().unwrap_or((0, 0));
    per_round.sort_unstable_by_key(|r| r.1);
    let median = per_round
        .get(per_round.len() / 2)
        .copied()
        .unwrap_or((0, 0));
    eprintln!(
        "process {process}: {} rounds; load round sent {} records, {} bytes; median round {} records, {} bytes",
        outcome.rounds, load.0, load.1, median.0, median.1
    );
    if let Some(g) = outcome.gathered {
        println!(
            "# {} accounts, {} iterations, last step {:e}",
            g.total, g.iterations, g.delta
        );
        for r in g.rows {
            println!(
                "{}\t{}:{}\t{}",
                r.rank, r.account.platform, r.account.native_id, r.score
            );
        }
    }
}
