//! The SybilRank experiment: Slashdot's social graph plus a generated sybil region of 1,000
//! densely connected fake accounts, joined by k attack edges. Prints the ROC AUC of the trust
//! ranking against the known fakes, next to PageRank's, as a Markdown table.
//!
//! cargo run --release -p renown-audit --example sybil [-- PATH_TO_soc-Slashdot0902.txt.gz]

use flate2::read::GzDecoder;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use renown_audit::stats::roc_auc;
use renown_audit::sybilrank::{default_iterations, sybilrank, undirected};
use renown_graph::{pagerank, Csr, EdgeList, PageRankOptions};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};

const DEFAULT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/slashdot/soc-Slashdot0902.txt.gz"
);
const SYBILS: u32 = 1000;
/// Mean degree inside the sybil region.
const SYBIL_DEGREE: u32 = 40;
const SEEDS: usize = 100;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT.to_string());
    let reader = BufReader::new(GzDecoder::new(std::fs::File::open(&path)?));
    let mut ids: HashMap<u64, u32> = HashMap::new();
    let mut honest: Vec<(u32, u32)> = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut it = line.split_whitespace().map(str::parse::<u64>);
        let (Some(Ok(a)), Some(Ok(b))) = (it.next(), it.next()) else {
            return Err(format!("{path}:{}: expected two node ids", i + 1).into());
        };
        let next = ids.len() as u32;
        let a = *ids.entry(a).or_insert(next);
        let next = ids.len() as u32;
        let b = *ids.entry(b).or_insert(next);
        honest.push((a, b));
    }
    let h = ids.len() as u32;
    let n = h + SYBILS;
    println!(
        "Slashdot: {h} accounts, {} directed links; sybil region: {SYBILS} accounts, mean degree \
         {SYBIL_DEGREE}; {SEEDS} seeds (the highest-degree honest accounts); {} SybilRank steps.\n",
        honest.len(),
        default_iterations(n as usize)
    );
    let mut rng = ChaCha8Rng::seed_from_u64(2012);
    let mut sybil_edges = Vec::new();
    let p = f64::from(SYBIL_DEGREE) / f64::from(SYBILS - 1);
    for a in 0..SYBILS {
        for b in a + 1..SYBILS {
            if rng.gen::<f64>() < p {
                sybil_edges.push((h + a, h + b));
            }
        }
    }
    // Seeds: the defender's known-real accounts, the honest hubs.
    let honest_graph = {
        let mut el = EdgeList::new(h);
        honest.iter().for_each(|&(a, b)| el.push(a, b));
        undirected(&Csr::from_edges(&el)?)?
    };
    let mut by_degree: Vec<u32> = (0..h).collect();
    by_degree.sort_by_key(|&v| std::cmp::Reverse(honest_graph.in_adj().degree(v)));
    let seeds = &by_degree[..SEEDS];
    let labels: Vec<bool> = (0..n).map(|v| v < h).collect();

    println!("| attack edges k | SybilRank ROC AUC | PageRank ROC AUC |");
    println!("|---:|---:|---:|");
    for k in [10usize, 100, 1_000, 10_000] {
        let mut el = EdgeList::new(n);
        for &(a, b) in honest.iter() {
            el.push(a, b);
        }
        for &(a, b) in &sybil_edges {
            el.push(a, b);
            el.push(b, a);
        }
        for _ in 0..k {
            let a = rng.gen_range(0..h);
            let s = h + rng.gen_range(0..SYBILS);
            el.push(a, s);
            el.push(s, a);
        }
        let directed = Csr::from_edges(&el)?;
        let trust = sybilrank(&undirected(&directed)?, seeds, None);
        let pr = pagerank(&directed, &PageRankOptions::default())?;
        let auc_trust = roc_auc(&trust, &labels).unwrap_or(f64::NAN);
        let auc_pr = roc_auc(&pr, &labels).unwrap_or(f64::NAN);
        println!("| {k} | {auc_trust:.4} | {auc_pr:.4} |");
    }
    Ok(())
}
