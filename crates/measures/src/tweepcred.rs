//! Tweepcred, Twitter's account reputation, as published in its open-sourced ranking code
//! (`twitter/the-algorithm`, `src/scala/com/twitter/graph/batch/job/tweepcred/`):
//!
//! - `UserMass.scala`: a prior mass per account — 100 if verified, 0 if suspended, otherwise
//!   `100 · max(0.01, (0.05 + 0.5 · [valid device]) · age factor)` (×0.1 if restricted), where
//!   the age factor is 1 after 30 days and `min(1, ln(1 + age/15))` before; divided by
//!   `exp(5 · (r - 0.6))` when the account follows more than 500 and `r = (1 + followings) /
//!   (1 + followers) > 0.6`.
//! - `PreparePageRankData.scala` / `WeightedPageRank.scala`: PageRank over the follow graph
//!   (optionally weighted and merged with the interaction graph, taking the larger weight per
//!   pair), random-jump probability 0.1 to the normalised mass, dangling ("dead") mass spread
//!   uniformly over all accounts, at most 20 iterations or until the L1 change is below 0.001.
//! - `Reputation.scala` / `ExtractTweepcred.scala`: the post-adjustment, dividing by
//!   `clamp(exp(3 · (r - 1) · ln ln followings), 1, 50)` for accounts following more than
//!   2500, and the scale `130 + 5.21 · ln(pagerank)` clamped to [0, 100].
//!
//! Where renown departs (it has no verified, suspended, restricted or device flags): every
//! account gets the unverified, no-device mass (5, scaled by account age when a `created_at`
//! profile attribute exists); the graph is the `--weighted`, not `--flock_edges_only` variant
//! (follows weigh 1, interactions weigh their count, the larger per pair), so the measure exists
//! on engagement-only data such as Higgs; and the final score is not rounded to a byte, so ties
//! within one point stay ordered (the ranking is that of the adjusted PageRank).

use crate::earned::{graph_err, DAY};
use crate::{Log, MeasureSpec, Measured, Result, Scope, Scores};
use renown_graph::{pagerank, Csr, EdgeList, EngagementParams, PageRankOptions};
use renown_model::{Kind, ENGAGEMENT_KINDS};

/// The prior mass of an unverified account without a known device (UserMass.scala).
fn user_mass(age_days: Option<f64>, followers: f64, followings: f64) -> f64 {
    let mut score = 0.5 * 0.1;
    let age_factor = match age_days {
        Some(a) if a <= 30.0 => (1.0 + a.max(0.0) / 15.0).ln().min(1.0),
        _ => 1.0,
    };
    score *= age_factor;
    let mass = score.clamp(0.01, 1.0) * 100.0;
    let ratio = (1.0 + followings) / (1.0 + followers);
    if followings > 500.0 && ratio > 0.6 {
        mass / (5.0 * (ratio - 0.6)).exp()
    } else {
        mass
    }
}

/// The post-calculation adjustment of Reputation.scala.
fn adjust(pagerank: f64, followers: f64, followings: f64) -> f64 {
    if followings > 2500.0 {
        let ratio = (1.0 + followings) / (1.0 + followers);
        let div = (3.0 * (ratio - 1.0) * followings.ln().ln()).exp();
        pagerank / div.clamp(1.0, 50.0)
    } else {
        pagerank
    }
}

/// Reputation.scala's scale, without the rounding to a byte.
fn scaled(pagerank: f64) -> f64 {
    if pagerank < 1e-20 {
        0.0
    } else {
        (130.0 + 5.21 * pagerank.ln()).clamp(0.0, 100.0)
    }
}

/// TweepCred scores of every account in `scope`.
pub fn tweepcred(log: &Log, scope: &Scope) -> Result<Scores> {
    let nu = log.accounts();
    let n = nu as u32;
    if nu == 0 {
        return Ok(Vec::new());
    }
    // Follows carry no topic: under --topic the graph is the topic's interactions alone.
    let follows = if scope.topic.is_none() {
        Some(log.follow_graph(scope.as_of)?)
    } else {
        None
    };
    let unit_weights: Vec<(Kind, f32)> = ENGAGEMENT_KINDS.iter().map(|&k| (k, 1.0)).collect();
    let inter = log.engagement_graph(&EngagementParams::of(&scope.measures(), &unit_weights))?;
    let (mut followers, mut followings) = (vec![0.0; nu], vec![0.0; nu]);
    let mut pairs: Vec<(u64, f32)> = Vec::new();
    let mut add_edges = |g: &Csr, unit: bool, counts: bool| {
        if let Some(out) = g.out_adj() {
            for a in 0..g.n() {
                let ws = out.neighbor_weights(a);
                for (i, &b) in out.neighbors(a).iter().enumerate() {
                    let w = if unit { 1.0 } else { ws.map_or(1.0, |w| w[i]) };
                    pairs.push(((a as u64) << 32 | b as u64, w));
                    if counts {
                        followings[a as usize] += 1.0;
                        followers[b as usize] += 1.0;
                    }
                }
            }
        }
    };
    if let Some(f) = &follows {
        add_edges(f, true, true);
    }
    add_edges(&inter, false, false);
    drop(follows);
    drop(inter);
    pairs.sort_unstable_by_key(|p| p.0);
    let mut el = EdgeList::new(n);
    let mut i = 0;
    while i < pairs.len() {
        let (key, mut w) = pairs[i];
        i += 1;
        while i < pairs.len() && pairs[i].0 == key {
            w = w.max(pairs[i].1);
            i += 1;
        }
        el.push_weighted((key >> 32) as u32, key as u32, w);
    }
    drop(pairs);
    let g = Csr::from_edges(&el).map_err(graph_err)?;
    drop(el);

    let created = log.created();
    let mut age = vec![None; nu];
    if !created.is_empty() {
        let now = scope.as_of.or(log.last_event_time());
        if let Some(now) = now {
            for &(a, c) in created {
                if (a as usize) < nu {
                    age[a as usize] = Some((now as f64 - c) / DAY as f64);
                }
            }
        }
    }
    let mass: Vec<f64> = (0..nu)
        .map(|a| user_mass(age[a], followers[a], followings[a]))
        .collect();
    let opts = PageRankOptions {
        damping: 0.9,
        max_iterations: 20,
        tolerance: 0.001 / nu as f64,
        personalization: Some(mass),
        dangling: Some(vec![1.0; nu]),
        weighted: true,
    };
    let pr = pagerank(&g, &opts).map_err(graph_err)?;
    Ok(pr
        .iter()
        .enumerate()
        .map(|(a, &x)| scaled(adjust(x, followers[a], followings[a])))
        .collect())
}

/// `tweepcred`: the TweepCred reputation measure.
pub const TWEEPCRED: MeasureSpec = MeasureSpec {
    name: "tweepcred",
    describe: "Twitter's Tweepcred: PageRank from a per-account mass prior, rescaled to 0-100",
    follows:
        "twitter/the-algorithm, graph/batch/job/tweepcred (UserMass, WeightedPageRank, Reputation)",
    counts: false,
    reads: &crate::FOLLOWS_AND_ENGAGEMENT,
    of_log: |log, scope| tweepcred(log, scope).map(Measured::from),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_follow_the_published_code() {
        // An old, unverified account without device: 100 · 0.05.
        assert_eq!(user_mass(None, 10.0, 10.0), 5.0);
        // A new account (3 days): ln(1.2) · 0.05 < 0.01, floored.
        assert!((user_mass(Some(3.0), 0.0, 0.0) - 1.0).abs() < 1e-12);
        // Following 1000 with 100 followers: r = 1001/101, mass / exp(5 (r - 0.6)).
        let r = 1001.0 / 101.0;
        assert!((user_mass(None, 100.0, 1000.0) - 5.0 / (5.0 * (r - 0.6f64)).exp()).abs() < 1e-12);
        assert_eq!(adjust(0.5, 10.0, 100.0), 0.5);
        assert_eq!(adjust(0.5, 10.0, 10_000.0), 0.01); // divisor capped at 50
        assert_eq!(scaled(0.0), 0.0);
        assert!((scaled(1e-6) - (130.0 - 5.21 * 6.0 * 10f64.ln())).abs() < 1e-9);
        assert_eq!(scaled(1.0), 100.0);
    }
}
