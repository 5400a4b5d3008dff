//! PageRank on the follow graph, the baseline of Kwak, Lee, Park & Moon 2010 ("What is Twitter,
//! a social network or a news media?"), who ranked Twitter users by follower count, PageRank on
//! the follow graph and retweets; and PageRank on the weighted engagement graph (who responded
//! to whom), which counts attention that was given rather than a link that was clicked once.
//!
//! Scores are PageRank × n: 1 is the average account.

use crate::earned::graph_err;
use crate::{Log, MeasureSpec, Measured, Result, Scope, Unconverged};
use renown_graph::{pagerank_folded, Csr, EngagementParams, PageRankOptions};
use renown_model::{Kind, DEFAULT_KIND_WEIGHTS, ENGAGEMENT_KINDS};

/// PageRank × n with damping `d`, iterated until a step changes the scores (summing to 1) by
/// less than [`STEP`] = 1e-14 in L1, whatever the graph's size. Each step contracts the error
/// by d, so the scores are then within 1e-14 · d / (1 − d) = 5.7e-14 of the fixed point in
/// L1: far inside the 1e-9 to which networkx and igraph on an exported graph must agree
/// (python/tests). The step is that small for ties, not for accuracy: accounts whose scores are
/// equal at the fixed point approach it along different paths, and at a step of 1e-10 (the
/// stop until 2026-12-07) they were still up to 1e-10 relative apart on Higgs's engagement and
/// reshare graphs, gaps that fill every decade down to rounding, so no tolerance could tell them
/// from genuinely different scores. At 1e-14 those gaps are below 1e-12, the smallest gap
/// between genuinely different scores of any measure stays above 4e-11, and
/// [`crate::settle_ties`] settles the first and never the second (BENCHMARKS.md "One definition
/// of a tie"). It costs ~44 % more iterations (Higgs engagement 127 → 183). The kernel folds
/// the accounts with no in-edge into one value and sums their part of each account's gather
/// once (`pagerank_folded`: the pull kernel's scores up to rounding, 1.1e-13 relative at most
/// on Higgs, which [`crate::settle_ties`] absorbs: the same ranks).
pub(crate) fn scaled(g: &Csr, damping: f64) -> Result<Measured> {
    // The step shrinks by d each iteration from at most 2: 204 steps reach 1e-14 at d = 0.85,
    // ~3,300 at d = 0.99 (a parameters file may set it); a third more for slack.
    let needed = if damping > 0.0 {
        ((STEP / 2.0).ln() / damping.ln()).ceil() as usize
    } else {
        1
    };
    let opts = PageRankOptions {
        damping,
        tolerance: STEP / g.n().max(1) as f64,
        max_iterations: needed.saturating_add(needed / 3).max(200),
        ..Default::default()
    };
    let n = g.n() as f64;
    let pr = pagerank_folded::<f64>(g, &opts).map_err(graph_err)?;
    Ok(Measured {
        unconverged: (!pr.converged).then_some(Unconverged {
            iterations: pr.iterations,
            change: pr.delta,
            tolerance: STEP,
        }),
        scores: pr.scores.into_iter().map(|s| s * n).collect(),
    })
}

/// The largest L1 step (scores summing to 1) at which the PageRank measures stop iterating
/// (see [`scaled`]); `renown cluster`'s PageRank stops at the same.
pub const STEP: f64 = 1e-14;

/// The damping the registered PageRank measures use (a random surfer follows a link with this
/// probability, else jumps anywhere): Brin & Page's and networkx's 0.85.
pub const DEFAULT_DAMPING: f64 = 0.85;

/// PageRank over `follower → followee` edges as of the scope's date.
pub fn follow_pagerank(log: &Log, scope: &Scope) -> Result<Measured> {
    follow_pagerank_damped(log, scope, DEFAULT_DAMPING)
}

/// [`follow_pagerank`] with another damping (in [0, 1]; a parameters file sets it).
pub fn follow_pagerank_damped(log: &Log, scope: &Scope, damping: f64) -> Result<Measured> {
    log.check(scope)?;
    scaled(&log.follow_graph(scope.as_of)?, damping)
}

/// PageRank over `engager → engaged` edges weighted by kind, up to the scope's date.
pub fn engagement_pagerank(log: &Log, scope: &Scope) -> Result<Measured> {
    engagement_pagerank_damped(log, scope, DEFAULT_DAMPING)
}

/// [`engagement_pagerank`] with another damping (in [0, 1]).
pub fn engagement_pagerank_damped(log: &Log, scope: &Scope, damping: f64) -> Result<Measured> {
    log.check(scope)?;
    let p = EngagementParams::of(&scope.measures(), &DEFAULT_KIND_WEIGHTS);
    scaled(&log.engagement_graph(&p)?, damping)
}

/// A PageRank measure's function of a log with the damping as a parameter, by its registered
/// name (`pagerank`, `engagement-pagerank`, `reshare-pagerank`); `None` for any other measure.
pub type Damped = fn(&Log, &Scope, f64) -> Result<Measured>;

/// See [`Damped`].
pub fn damped(measure: &str) -> Option<Damped> {
    match measure {
        "pagerank" => Some(follow_pagerank_damped),
        "engagement-pagerank" => Some(engagement_pagerank_damped),
        "reshare-pagerank" => Some(crate::compare::reshare_pagerank_damped),
        _ => None,
    }
}

/// `pagerank`: PageRank on the follow graph.
pub const PAGERANK: MeasureSpec = MeasureSpec {
    name: "pagerank",
    describe: "PageRank on the follow graph as of the date (× n: 1 = average account)",
    follows: "Kwak et al. 2010, PageRank of the Twitter follow graph",
    counts: false,
    reads: &[Kind::Follow],
    of_log: follow_pagerank,
};

/// `engagement-pagerank`: PageRank on the engagement graph, weighted by kind.
pub const ENGAGEMENT_PAGERANK: MeasureSpec = MeasureSpec {
    name: "engagement-pagerank",
    describe: "PageRank on the engagement graph (who responded to whom, weighted by kind; × n)",
    follows: "Kwak et al. 2010's PageRank, on the engagement graph instead of follows",
    counts: false,
    reads: &ENGAGEMENT_KINDS,
    of_log: engagement_pagerank,
};
