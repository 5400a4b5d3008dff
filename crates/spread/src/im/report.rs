//! The answers of `renown seeds` and `renown simulate`, computed here so the CLI and the API
//! only render them.

use super::learn::{learn, LearnFacts, LearnMethod, LearnOptions};
use super::{maximize, simulate, DiffusionGraph, EdgeProbabilities, ImError, ImOptions, Model};
use super::{SeedSelection, SpreadEstimate};
use renown_store::{Scope, Store};
use serde::Serialize;

// The defaults `renown seeds` and `GET /api/seeds` share.
/// The approximation ε: the seeds' spread is at least (1 − 1/e − ε) of the optimum.
pub const DEFAULT_EPSILON: f64 = 0.1;
/// Monte Carlo runs per strategy of a comparison.
pub const DEFAULT_SIMS: u64 = 10_000;
/// The random seed (runs are reproducible).
pub const DEFAULT_SEED: u64 = 1;
/// The diffusion model: independent cascade.
pub const DEFAULT_MODEL: Model = Model::Ic;
/// The edge probabilities: learned from take-ups (Bernoulli).
pub const DEFAULT_PROBABILITIES: Probabilities = Probabilities::Learned(LearnMethod::Bernoulli);

/// Where the edge probabilities come from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Probabilities {
    /// Learned from take-ups (Goyal et al. 2010).
    Learned(LearnMethod),
    /// `1 / indeg(v)` on every in-edge of `v`.
    WeightedCascade,
    /// The same on every edge.
    Constant(f32),
}

impl std::str::FromStr for Probabilities {
    type Err = String;
    fn from_str(s: &str) -> Result<Probabilities, String> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "learned" | "learned:bernoulli" => Ok(Probabilities::Learned(LearnMethod::Bernoulli)),
            "learned:jaccard" => Ok(Probabilities::Learned(LearnMethod::Jaccard)),
            "weighted-cascade" | "wc" => Ok(Probabilities::WeightedCascade),
            _ => match s.strip_prefix("constant:").map(str::parse::<f32>) {
                Some(Ok(p)) if (0.0..=1.0).contains(&p) => Ok(Probabilities::Constant(p)),
                Some(_) => Err(format!("{s:?}: constant:P needs P in [0, 1]")),
                None => Err(format!(
                    "unknown probabilities {s:?} (learned, learned:jaccard, weighted-cascade or constant:P)"
                )),
            },
        }
    }
}

impl Probabilities {
    /// The name the flags and the answers use (`learned`, `weighted-cascade`, `constant:0.1`).
    pub fn label(&self) -> String {
        match self {
            Probabilities::Learned(LearnMethod::Bernoulli) => "learned".into(),
            Probabilities::Learned(LearnMethod::Jaccard) => "learned:jaccard".into(),
            Probabilities::WeightedCascade => "weighted-cascade".into(),
            Probabilities::Constant(p) => format!("constant:{p}"),
        }
    }

    /// Puts these probabilities on a structure (for learned ones, `learned` already holds them).
    pub fn apply(&self, n: u32, src: &[u32], dst: &[u32]) -> Result<DiffusionGraph, ImError> {
        let probs = match self {
            Probabilities::WeightedCascade => EdgeProbabilities::WeightedCascade,
            Probabilities::Constant(p) => EdgeProbabilities::Constant(*p),
            Probabilities::Learned(_) => {
                return Err(ImError::Invalid(
                    "learned probabilities come from a store, not an edge list".into(),
                ))
            }
        };
        DiffusionGraph::new(n, src, dst, probs)
    }
}

/// The store scope and model of a seeds or simulate run.
#[derive(Clone, Debug)]
pub struct StoreGraphOptions {
    /// The diffusion model the graph is prepared for (LT rescales in-weights).
    pub model: Model,
    /// Where the edge probabilities come from.
    pub probabilities: Probabilities,
    /// The slice of the log the graph is learned from (as of, topic, platform).
    pub scope: Scope,
}

/// The diffusion graph of a store scope: follows and take-ups, with the chosen probabilities
/// (rescaled per node for LT where in-weights exceed 1).
pub fn store_graph(
    store: &Store,
    o: &StoreGraphOptions,
) -> Result<(DiffusionGraph, LearnFacts), ImError> {
    let method = match o.probabilities {
        Probabilities::Learned(m) => m,
        _ => LearnMethod::Bernoulli,
    };
    let (learned, mut facts) = learn(
        store,
        &LearnOptions {
            method,
            scope: o.scope.clone(),
            ..Default::default()
        },
    )?;
    let mut g = match o.probabilities {
        Probabilities::Learned(_) => learned,
        p => {
            let (mut src, mut dst) = (Vec::new(), Vec::new());
            for v in 0..learned.n() {
                for (u, _) in learned.in_edges(v) {
                    src.push(u);
                    dst.push(v);
                }
            }
            let g = p.apply(learned.n(), &src, &dst)?;
            let m = g.m().max(1) as f64;
            facts.mean_probability = (0..g.n())
                .flat_map(|v| g.in_edges(v).map(|(_, p)| p as f64))
                .sum::<f64>()
                / m;
            g
        }
    };
    if o.model == Model::Lt {
        g.normalize_for_lt();
    }
    Ok((g, facts))
}

/// One seed, for display.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SeedRow {
    /// Its place in the greedy order (1 = chosen first).
    pub order: u32,
    /// The account's dense id (the node id for an edge-list file).
    pub id: u32,
    /// The account's label.
    pub account: String,
    /// Expected accounts this seed adds to the ones before it.
    pub marginal_gain: f64,
}

/// A seed set from some strategy, simulated under the same model.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ComparedSet {
    /// How the set was chosen (`influence maximization`, `top-k by followers`, …).
    pub strategy: String,
    /// Its accounts' labels.
    pub accounts: Vec<String>,
    /// Its simulated spread.
    pub spread: SpreadEstimate,
    /// `--holdout`: what the accounts' items actually reached after the as-of date.
    pub observed: Option<ObservedReach>,
    /// Why this strategy's set means little here, when it does (e.g. every score is 0).
    pub note: Option<String>,
}

/// The answer of `renown seeds`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SeedsReport {
    /// The diffusion model.
    pub model: Model,
    /// The edge probabilities' label.
    pub probabilities: String,
    /// The date the graph was learned as of.
    pub as_of: Option<i64>,
    /// The topic it was learned on.
    pub topic: Option<String>,
    /// What the graph rests on (absent for an edge-list file).
    pub graph: Option<LearnFacts>,
    /// Nodes of the diffusion graph.
    pub nodes: u32,
    /// Its edges.
    pub edges: u64,
    /// The seeds chosen, in order.
    pub seeds: Vec<SeedRow>,
    /// The selection with its bounds and sample sizes.
    pub selection: SeedSelection,
    /// `--compare`: the IM seeds beside top-k by other measures, all simulated alike.
    pub comparison: Vec<ComparedSet>,
    /// Wall time of the whole answer.
    pub seconds: f64,
}

/// Options of [`seeds`].
#[derive(Clone, Debug)]
pub struct SeedsOptions {
    /// The diffusion graph: its scope, model and probabilities.
    pub graph: StoreGraphOptions,
    /// Seeds to choose.
    pub k: usize,
    /// The approximation ε (see [`DEFAULT_EPSILON`]).
    pub epsilon: f64,
    /// The failure probability δ of the guarantee; `None` is 1/n.
    pub delta: Option<f64>,
    /// Accounts that may not be seeds.
    pub exclude: Vec<u32>,
    /// If given, seeds come only from these accounts.
    pub candidates: Option<Vec<u32>>,
    /// Monte Carlo runs per strategy for `--compare` (0 = no comparison).
    pub compare_sims: u64,
    /// With a comparison: also count what each set's accounts actually reached after `as_of`.
    pub holdout: bool,
    /// The random seed.
    pub seed: u64,
    /// What the compared measures (PageRank, earned influence) are computed with.
    pub params: renown_measures::params::Parameters,
}

/// The allowed-seed mask from candidates and exclusions (`None`: everyone).
pub fn allowed_mask(n: u32, candidates: Option<&[u32]>, exclude: &[u32]) -> Option<Vec<bool>> {
    if candidates.is_none() && exclude.is_empty() {
        return None;
    }
    let mut mask = match candidates {
        Some(c) => {
            let mut m = vec![false; n as usize];
            for &v in c.iter().filter(|&&v| v < n) {
                m[v as usize] = true;
            }
            m
        }
        None => vec![true; n as usize],
    };
    for &v in exclude.iter().filter(|&&v| v < n) {
        mask[v as usize] = false;
    }
    Some(mask)
}

/// Selects seeds on `g` and labels them; no comparison.
pub fn seeds_on_graph(
    g: &DiffusionGraph,
    opts: &ImOptions,
    probabilities: &Probabilities,
    label: &dyn Fn(u32) -> String,
) -> Result<SeedsReport, ImError> {
    let start = std::time::Instant::now();
    let selection = maximize(g, opts)?;
    let seeds = selection
        .seeds
        .iter()
        .map(|s| SeedRow {
            order: s.order,
            id: s.node,
            account: label(s.node),
            marginal_gain: s.marginal_gain,
        })
        .collect();
    Ok(SeedsReport {
        model: opts.model,
        probabilities: probabilities.label(),
        as_of: None,
        topic: None,
        graph: None,
        nodes: g.n(),
        edges: g.m(),
        seeds,
        selection,
        comparison: Vec::new(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// `renown seeds` on a store.
pub fn seeds(store: &Store, o: &SeedsOptions) -> Result<SeedsReport, ImError> {
    let start = std::time::Instant::now();
    let (g, facts) = store_graph(store, &o.graph)?;
    let accounts = store
        .accounts()
        .map_err(|e| ImError::Invalid(e.to_string()))?;
    let label = |v: u32| accounts[v as usize].label();
    let allowed = allowed_mask(g.n(), o.candidates.as_deref(), &o.exclude);
    let opts = ImOptions {
        k: o.k,
        model: o.graph.model,
        epsilon: o.epsilon,
        delta: o.delta,
        allowed: allowed.clone(),
        seed: o.seed,
    };
    let mut report =
        seeds_on_graph(&g, &opts, &o.graph.probabilities, &label).map_err(|e| match e {
            // Said with what the store held, which is why.
            ImError::NoEdges => ImError::Invalid(format!(
                "no account can pass an item on in this scope: the diffusion graph has no \
                 edges ({} follows, {} take-ups: reshares, quotes, replies or comments of an \
                 item), so every account reaches only itself and no seed set is better than \
                 another",
                facts.follow_edges, facts.take_ups
            )),
            e => e,
        })?;
    report.as_of = o.graph.scope.as_of;
    report.topic = o.graph.scope.topic.clone();
    if o.compare_sims > 0 {
        let im: Vec<u32> = report.selection.seeds.iter().map(|s| s.node).collect();
        let mut sets = vec![("influence maximization".to_string(), im, None)];
        let scope = o.graph.scope.measures();
        let pagerank = if facts.follow_edges > 0 {
            "pagerank"
        } else {
            // No follow graph in scope (Higgs): PageRank over who engaged whom.
            "engagement-pagerank"
        };
        for name in ["followers", pagerank, "earned"] {
            let spec =
                renown_measures::measure(name).map_err(|e| ImError::Invalid(e.to_string()))?;
            let scores = o
                .params
                .compute(spec, store, &scope)
                .map_err(|e| ImError::Invalid(e.to_string()))?;
            let (top, note) = top_k(&scores, o.k, allowed.as_deref());
            sets.push((format!("top-k by {name}"), top, note));
        }
        let after = match (o.holdout, o.graph.scope.as_of) {
            (false, _) => None,
            (true, Some(t)) => Some(t),
            (true, None) => {
                return Err(ImError::Invalid(
                    "a holdout needs an as-of date: what happened after it is the outcome".into(),
                ))
            }
        };
        let later = match after {
            Some(t) => Some(later_take_ups(store, t, &o.graph)?),
            None => None,
        };
        for (strategy, nodes, note) in sets {
            let spread = simulate(&g, o.graph.model, &nodes, o.compare_sims, o.seed)?;
            report.comparison.push(ComparedSet {
                strategy,
                accounts: nodes.iter().map(|&v| label(v)).collect(),
                spread,
                observed: later.as_ref().map(|l| observed_reach(l, g.n(), &nodes)),
                note,
            });
        }
    }
    report.graph = Some(facts);
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

/// The k allowed accounts with the highest scores (ties by id), and a note when the scores do
/// not single them out (fewer than k accounts score above 0).
fn top_k(scores: &[f64], k: usize, allowed: Option<&[bool]>) -> (Vec<u32>, Option<String>) {
    let order = renown_measures::ranking(scores);
    let top: Vec<(u32, f64)> = order
        .into_iter()
        .filter(|&(v, _)| allowed.is_none_or(|a| a[v as usize]))
        .take(k)
        .collect();
    let positive = top.iter().filter(|&&(_, s)| s > 0.0).count();
    let note = (positive < k).then(|| {
        format!(
            "only {positive} of the {k} accounts score above 0 in this scope: the rest are picked by id, not by the measure"
        )
    });
    (top.into_iter().map(|(v, _)| v).collect(), note)
}

/// The answer of `renown simulate`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SimulateReport {
    /// The diffusion model.
    pub model: Model,
    /// The edge probabilities' label.
    pub probabilities: String,
    /// The date the graph was learned as of.
    pub as_of: Option<i64>,
    /// The topic it was learned on.
    pub topic: Option<String>,
    /// The seeds' labels.
    pub seeds: Vec<String>,
    /// Their simulated spread.
    pub spread: SpreadEstimate,
    /// Wall time.
    pub seconds: f64,
}

/// `renown simulate`: Monte Carlo spread of given seeds on a store's graph.
pub fn simulate_seeds(
    store: &Store,
    o: &StoreGraphOptions,
    seeds: &[u32],
    sims: u64,
    seed: u64,
) -> Result<SimulateReport, ImError> {
    let start = std::time::Instant::now();
    let (g, _) = store_graph(store, o)?;
    let accounts = store
        .accounts()
        .map_err(|e| ImError::Invalid(e.to_string()))?;
    let spread = simulate(&g, o.model, seeds, sims, seed)?;
    Ok(SimulateReport {
        model: o.model,
        probabilities: o.probabilities.label(),
        as_of: o.scope.as_of,
        topic: o.scope.topic.clone(),
        seeds: seeds
            .iter()
            .map(|&v| accounts[v as usize].label())
            .collect(),
        spread,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// What a seed set's accounts actually reached after the as-of date (an out-of-sample outcome).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ObservedReach {
    /// Distinct accounts that took up (reshared, quoted, replied to, commented on) an item of a
    /// seed after the date.
    pub direct: u64,
    /// Distinct accounts reached along time-respecting chains of take-ups from the seeds: `u`
    /// is reached when it takes up an item of an account reached before that moment (without
    /// item ids, as on Higgs, a take-up of anything the account put out counts).
    pub cascade: u64,
}

/// Take-ups after `after` (within the topic and platform): `(time, engager, author)`, by time.
fn later_take_ups(
    store: &Store,
    after: i64,
    o: &StoreGraphOptions,
) -> Result<Vec<(i64, u32, u32)>, ImError> {
    let filter = renown_store::EventFilter {
        kinds: Some(super::learn::TAKE_UP_KINDS.to_vec()),
        since: Some(after.saturating_add(1)),
        until: None,
        topic: o.scope.topic.clone(),
        platform: o.scope.platform.clone(),
    };
    let mut out = Vec::new();
    store
        .scan_events(&filter, |e| {
            if let (Some(t), Some(author)) = (e.time, e.target) {
                if author != e.actor {
                    out.push((t, e.actor, author));
                }
            }
        })
        .map_err(|e| ImError::Invalid(e.to_string()))?;
    out.sort_unstable();
    Ok(out)
}

fn observed_reach(later: &[(i64, u32, u32)], n: u32, seeds: &[u32]) -> ObservedReach {
    let mut is_seed = vec![false; n as usize];
    for &s in seeds {
        is_seed[s as usize] = true;
    }
    let mut direct = vec![false; n as usize];
    let mut reached = is_seed.clone();
    let (mut d, mut c) = (0u64, 0u64);
    for &(_, engager, author) in later {
        let (u, v) = (engager as usize, author as usize);
        if is_seed[v] && !is_seed[u] && !direct[u] {
            direct[u] = true;
            d += 1;
        }
        if reached[v] && !reached[u] {
            reached[u] = true;
            c += 1;
        }
    }
    ObservedReach {
        direct: d,
        cascade: c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_reach_follows_time_respecting_chains() {
        // Seed 0. 1 takes 0 up at t=1; 2 takes 1 up at t=2 (reached through 1); 3 took 2 up at
        // t=0, before 2 was reached (not reached); 4 takes 0 up twice (counted once).
        let later = vec![(0, 3, 2), (1, 1, 0), (2, 2, 1), (3, 4, 0), (4, 4, 0)];
        let r = observed_reach(&later, 5, &[0]);
        assert_eq!(
            r,
            ObservedReach {
                direct: 2,
                cascade: 3
            }
        );
        assert_eq!(
            observed_reach(&later, 5, &[3]),
            ObservedReach {
                direct: 0,
                cascade: 0
            }
        );
    }

    #[test]
    fn probabilities_parse() {
        let p = |s: &str| s.parse::<Probabilities>();
        assert_eq!(
            p("learned"),
            Ok(Probabilities::Learned(LearnMethod::Bernoulli))
        );
        assert_eq!(
            p("learned:jaccard"),
            Ok(Probabilities::Learned(LearnMethod::Jaccard))
        );
        assert_eq!(p("weighted-cascade"), Ok(Probabilities::WeightedCascade));
        assert_eq!(p("constant:0.05"), Ok(Probabilities::Constant(0.05)));
        assert!(p("constant:2").is_err());
        assert!(p("constant:x").is_err());
        assert!(p("pagerank").is_err());
    }
}
