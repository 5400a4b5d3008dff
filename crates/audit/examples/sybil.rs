//! The SybilRank experiment: Slashdot's social graph plus a generated sybil region of 1,000
//! fake accounts (an Erdős–Rényi graph of mean degree 10 or 40), joined by k uniformly random
//! attack edges. Prints, as a Markdown table, the ROC AUC of the trust ranking against the known
//! fakes with the default settings (`renown trust`: every link, seeds spread over
//! label-propagation communities, ranked by degree as on follow-only data, one seed per 50
//! accounts up to 100), next to every link with the 100 highest-degree accounts as seeds, and
//! the former default (reciprocated links only, the 100 highest-degree accounts as seeds).
//!
//! cargo run --release -p renown-audit --example sybil [-- PATH_TO_soc-Slashdot0902.txt.gz]

use flate2::read::GzDecoder;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use renown_audit::stats::roc_auc;
use renown_audit::sybilrank::{
    by_degree, communities, default_seed_count, spread_seeds, sybilrank, undirected,
};
use renown_audit::trust::COMMUNITY_SEED;
use renown_graph::{Csr, EdgeList};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};

const DEFAULT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/slashdot/soc-Slashdot0902.txt.gz"
);
const SYBILS: u32 = 1000;

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
    let linked: HashSet<(u32, u32)> = honest.iter().copied().collect();
    let reciprocated: Vec<(u32, u32)> = honest
        .iter()
        .copied()
        .filter(|&(a, b)| a < b && linked.contains(&(b, a)))
        .collect();
    println!(
        "{}: {h} accounts, {} directed links ({} reciprocated pairs); sybil region: {SYBILS} \
         accounts.\n",
        std::path::Path::new(&path)
            .file_name()
            .map_or_else(|| path.clone(), |f| f.to_string_lossy().into_owned()),
        honest.len(),
        reciprocated.len()
    );
    println!(
        "| sybil mean degree | attack edges k | default: seeds | seeds in sybil region | default ROC AUC | all links, top-100 degree seeds | former default (mutual, top-100 degree) ROC AUC |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let labels: Vec<bool> = (0..n).map(|v| v < h).collect();
    for degree in [10u32, 40] {
        let mut rng = ChaCha8Rng::seed_from_u64(2012 + u64::from(degree));
        let mut sybil_edges = Vec::new();
        let p = f64::from(degree) / f64::from(SYBILS - 1);
        for a in 0..SYBILS {
            for b in a + 1..SYBILS {
                if rng.gen::<f64>() < p {
                    sybil_edges.push((h + a, h + b));
                }
            }
        }
        for k in [100usize, 500, 1_000, 10_000] {
            let attack: Vec<(u32, u32)> = (0..k)
                .map(|_| (rng.gen_range(0..h), h + rng.gen_range(0..SYBILS)))
                .collect();
            let graph = |honest_links: &[(u32, u32)]| -> Result<Csr, Box<dyn std::error::Error>> {
                let mut el = EdgeList::new(n);
                for &(a, b) in honest_links.iter().chain(&sybil_edges).chain(&attack) {
                    el.push(a, b);
                }
                Ok(undirected(&Csr::from_edges(&el)?)?)
            };
            // The default: every link, seeds spread over communities by degree.
            let all = graph(&honest)?;
            let adj = all.in_adj();
            let connected = (0..n).filter(|&v| adj.degree(v) > 0).count();
            let community = communities(&all, COMMUNITY_SEED);
            let seeds = spread_seeds(
                &all,
                &community,
                &by_degree(&all),
                default_seed_count(connected),
            );
            let in_sybil = seeds.iter().filter(|&&s| s >= h).count();
            let auc = roc_auc(&sybilrank(&all, &seeds, None), &labels).unwrap_or(f64::NAN);
            // Every link, but the 100 highest-degree accounts as seeds: the spread's share.
            let top_all: Vec<u32> = by_degree(&all).into_iter().take(100).collect();
            let auc_top = roc_auc(&sybilrank(&all, &top_all, None), &labels).unwrap_or(f64::NAN);
            // The former default: reciprocated links, the 100 highest-degree accounts.
            let mutual = graph(&reciprocated)?;
            let top: Vec<u32> = by_degree(&mutual).into_iter().take(100).collect();
            let auc_mutual = roc_auc(&sybilrank(&mutual, &top, None), &labels).unwrap_or(f64::NAN);
            println!(
                "| {degree} | {k} | {} | {in_sybil} | {auc:.4} | {auc_top:.4} | {auc_mutual:.4} |",
                seeds.len()
            );
        }
    }
    Ok(())
}
