//! The SybilRank experiment: a real social graph (by default Slashdot's; any SNAP edge list,
//! gzipped, e.g. ego-Facebook's `facebook_combined.txt.gz`) plus a generated sybil region of
//! 1,000 fake accounts (an Erdős–Rényi graph of mean degree 10 or 40), joined by k uniformly
//! random attack edges. Prints, as a Markdown table, the ROC AUC of the trust ranking against the
//! known fakes with the default settings (`renown trust`: every link; seeds spread over Louvain
//! communities from the best tenth of the accounts by degree, as on follow-only data, one seed
//! per 50 accounts up to 100; seed trust split by degree; ⌈log₂ n⌉ steps), next to the former
//! default (label-propagation communities, the best 2 × k candidates, trust split equally), the
//! default's seeds with trust weighted by each link's embeddedness and scored per link
//! (`EdgeWeight::Embedded`, not a default), the
//! 100 highest-degree accounts as seeds, and reciprocated links only with those seeds. It also
//! prints how well cut the sybil region is (its conductance: attack edges over the region's
//! degree sum) against the honest graph's own communities.
//!
//! `--weights` prints instead the edge-weight comparison: the default's seeds with unit weights,
//! triangle weights, and triangle weights scaled by the typical account's share of
//! triangle-closing links (`EdgeWeight::ScaledByClustering`), and that share.
//!
//! cargo run --release -p renown-audit --example sybil [-- [--ablation | --weights] PATH_TO_EDGE_LIST.txt.gz]

use flate2::read::GzDecoder;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use renown_audit::stats::roc_auc;
use renown_audit::sybilrank::{
    by_degree, default_seed_count, embeddedness, label_propagation, louvain, spread_seeds,
    spread_seeds_within, sybilrank, sybilrank_split, sybilrank_with, typical_triangle_share,
    undirected, EdgeWeight, SeedSplit,
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

/// An edge between two renumbered accounts.
type Link = (u32, u32);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--ablation` adds one default choice undone at a time, after the table.
    let ablation = args.iter().any(|a| a == "--ablation");
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| DEFAULT.to_string());
    if args.iter().any(|a| a == "--weights") {
        return weights_table(&path);
    }
    let (h, honest) = read_edges(&path)?;
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
    let honest_graph = {
        let mut el = EdgeList::new(h);
        for &(a, b) in &honest {
            el.push(a, b);
        }
        undirected(&Csr::from_edges(&el)?)?
    };
    let (count, median, low) = honest_conductance(&honest_graph);
    println!(
        "Honest graph alone: {count} Louvain communities of 10 or more accounts; their \
         conductance (edges leaving / degree sum) is {median:.3} for the median account's \
         community, {low:.3} or less for a tenth of the accounts.\n"
    );
    println!(
        "| sybil mean degree | attack edges k | sybil region conductance | default: seeds | seeds in sybil region | default ROC AUC | triangle-weighted, per link (not default) | former default (label propagation, best 2k, equal split) | all links, top-100 degree seeds | mutual links, top-100 degree seeds |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut ablations: Vec<String> = Vec::new();
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
            let k_seeds = default_seed_count(connected);
            let ranked = by_degree(&all);
            let seeds = spread_seeds(&all, &louvain(&all, COMMUNITY_SEED), &ranked, k_seeds);
            let in_sybil = seeds.iter().filter(|&&s| s >= h).count();
            let auc = roc_auc(&sybilrank(&all, &seeds, None), &labels).unwrap_or(f64::NAN);
            let sybil_volume: f64 = (h..n).map(|v| f64::from(adj.degree(v))).sum();
            let conductance = k as f64 / sybil_volume;
            // The former default: label propagation, the best 2 × k candidates, equal split.
            let former = spread_seeds_within(
                &all,
                &label_propagation(&all, COMMUNITY_SEED),
                &ranked,
                k_seeds,
                2 * k_seeds,
            );
            let auc_former = roc_auc(
                &sybilrank_split(&all, &former, None, SeedSplit::Equal),
                &labels,
            )
            .unwrap_or(f64::NAN);
            // The default's seeds, trust weighted by embeddedness and counted per link.
            let auc_embedded = roc_auc(
                &sybilrank_with(
                    &all,
                    &seeds,
                    None,
                    SeedSplit::ByDegree,
                    EdgeWeight::Embedded,
                ),
                &labels,
            )
            .unwrap_or(f64::NAN);
            // Every link, but the 100 highest-degree accounts as seeds: the spread's share.
            let top_all: Vec<u32> = ranked.iter().copied().take(100).collect();
            let auc_top = roc_auc(&sybilrank(&all, &top_all, None), &labels).unwrap_or(f64::NAN);
            // Reciprocated links only, the 100 highest-degree accounts.
            let mutual = graph(&reciprocated)?;
            let top: Vec<u32> = by_degree(&mutual).into_iter().take(100).collect();
            let auc_mutual = roc_auc(&sybilrank(&mutual, &top, None), &labels).unwrap_or(f64::NAN);
            println!(
                "| {degree} | {k} | {conductance:.3} | {} | {in_sybil} | {auc:.4} | {auc_embedded:.4} | {auc_former:.4} | {auc_top:.4} | {auc_mutual:.4} |",
                seeds.len()
            );
            if ablation {
                // One choice of the default undone at a time.
                let lv = louvain(&all, COMMUNITY_SEED);
                let lpa = label_propagation(&all, COMMUNITY_SEED);
                let equal = roc_auc(
                    &sybilrank_split(&all, &seeds, None, SeedSplit::Equal),
                    &labels,
                )
                .unwrap_or(f64::NAN);
                let by_lpa = spread_seeds(&all, &lpa, &ranked, k_seeds);
                let auc_lpa = roc_auc(&sybilrank(&all, &by_lpa, None), &labels).unwrap_or(f64::NAN);
                let narrow = spread_seeds_within(&all, &lv, &ranked, k_seeds, 2 * k_seeds);
                let auc_narrow =
                    roc_auc(&sybilrank(&all, &narrow, None), &labels).unwrap_or(f64::NAN);
                ablations.push(format!(
                    "| {degree} | {k} | {auc:.4} | {equal:.4} | {auc_lpa:.4} | {auc_narrow:.4} |"
                ));
            }
        }
    }
    if ablation {
        println!(
            "\n| sybil mean degree | attack edges k | default | trust split equally | label propagation | best 2k candidates |"
        );
        println!("|---:|---:|---:|---:|---:|---:|");
        for row in ablations {
            println!("{row}");
        }
    }
    Ok(())
}

/// A gzipped SNAP-style edge list (`a b` per line, `#` comments) with its ids renumbered
/// from 0: the number of accounts and the links.
fn read_edges(path: &str) -> Result<(u32, Vec<Link>), Box<dyn std::error::Error>> {
    let reader = BufReader::new(GzDecoder::new(std::fs::File::open(path)?));
    let mut ids: HashMap<u64, u32> = HashMap::new();
    let mut links: Vec<Link> = Vec::new();
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
        links.push((a, b));
    }
    Ok((ids.len() as u32, links))
}

/// The edge-weight table (`--weights`): the default's seeds, and SybilRank with unit weights,
/// triangle weights, and triangle weights scaled by the typical account's share of
/// triangle-closing links, with the sybil region generated as in the main table.
fn weights_table(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let (h, honest) = read_edges(path)?;
    let n = h + SYBILS;
    let honest_graph = {
        let mut el = EdgeList::new(h);
        for &(a, b) in &honest {
            el.push(a, b);
        }
        undirected(&Csr::from_edges(&el)?)?
    };
    let links = honest_graph.in_adj().targets().len() / 2;
    let share = typical_triangle_share(&honest_graph, &embeddedness(&honest_graph));
    println!(
        "{}: {h} accounts, {links} undirected links; the typical honest account's share of \
         links closing a triangle: {share:.3}\n",
        std::path::Path::new(path)
            .file_name()
            .map_or_else(|| path.to_string(), |f| f.to_string_lossy().into_owned())
    );
    println!(
        "| sybil mean degree | attack edges k | typical triangle share c (with sybils) | seeds | seeds in sybil region | unit weights (the default) | triangle-weighted | scaled by c | honest seeds: unit | honest seeds: triangle-weighted | honest seeds: scaled by c |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
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
            let mut el = EdgeList::new(n);
            for &(a, b) in &honest {
                el.push(a, b);
            }
            for &(a, b) in &sybil_edges {
                el.push(a, b);
            }
            for _ in 0..k {
                el.push(rng.gen_range(0..h), h + rng.gen_range(0..SYBILS));
            }
            let all = undirected(&Csr::from_edges(&el)?)?;
            let connected = (0..n).filter(|&v| all.in_adj().degree(v) > 0).count();
            let communities = louvain(&all, COMMUNITY_SEED);
            let ranked = by_degree(&all);
            let seeds = spread_seeds(&all, &communities, &ranked, default_seed_count(connected));
            let in_sybil = seeds.iter().filter(|&&s| s >= h).count();
            // The same spread over honest candidates only, as a seed file from someone who
            // knows them would give: the weighting without the seeding's mistakes.
            let honest_ranked: Vec<u32> = ranked.iter().copied().filter(|&v| v < h).collect();
            let honest_seeds = spread_seeds(
                &all,
                &communities,
                &honest_ranked,
                default_seed_count(connected),
            );
            let c = typical_triangle_share(&all, &embeddedness(&all));
            let auc = |seeds: &[u32], w: EdgeWeight| {
                roc_auc(
                    &sybilrank_with(&all, seeds, None, SeedSplit::ByDegree, w),
                    &labels,
                )
                .unwrap_or(f64::NAN)
            };
            println!(
                "| {degree} | {k} | {c:.3} | {} | {in_sybil} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
                seeds.len(),
                auc(&seeds, EdgeWeight::Unit),
                auc(&seeds, EdgeWeight::Embedded),
                auc(&seeds, EdgeWeight::ScaledByClustering),
                auc(&honest_seeds, EdgeWeight::Unit),
                auc(&honest_seeds, EdgeWeight::Embedded),
                auc(&honest_seeds, EdgeWeight::ScaledByClustering)
            );
        }
    }
    Ok(())
}

/// Louvain communities of the honest graph with 10 or more accounts: how many, and the
/// conductance of the median account's community and of the 10th percentile.
fn honest_conductance(g: &Csr) -> (usize, f64, f64) {
    let adj = g.in_adj();
    let community = louvain(g, COMMUNITY_SEED);
    let mut stats: HashMap<u32, (usize, f64, f64)> = HashMap::new();
    for v in 0..g.n() {
        let c = community[v as usize];
        let e = stats.entry(c).or_default();
        e.0 += 1;
        e.1 += f64::from(adj.degree(v));
        e.2 += adj
            .neighbors(v)
            .iter()
            .filter(|&&u| community[u as usize] != c)
            .count() as f64;
    }
    let mut per_account: Vec<(f64, usize)> = stats
        .values()
        .filter(|&&(size, volume, _)| size >= 10 && volume > 0.0)
        .map(|&(size, volume, cut)| (cut / volume, size))
        .collect();
    per_account.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: usize = per_account.iter().map(|p| p.1).sum();
    let quantile = |q: f64| {
        let mut seen = 0;
        for &(phi, size) in &per_account {
            seen += size;
            if seen as f64 >= q * total as f64 {
                return phi;
            }
        }
        f64::NAN
    };
    (per_account.len(), quantile(0.5), quantile(0.1))
}
