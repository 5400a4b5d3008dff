//! PageRank on the follow graph, the baseline of Kwak, Lee, Park & Moon 2010 ("What is Twitter,
//! a social network or a news media?"), who ranked Twitter users by follower count, PageRank on
//! the follow graph and retweets; and PageRank on the weighted engagement graph (who responded
//! to whom), which counts attention that was given rather than a link that was clicked once.
//!
//! Scores are PageRank × n: 1 is the average account.

use crate::earned::graph_err;
use crate::{Log, MeasureSpec, Result, Scope, Scores};
use renown_graph::{pagerank, Csr, EngagementParams, PageRankOptions};
use renown_model::{Kind, ENGAGEMENT_KINDS};

/// PageRank × n at the tolerance every PageRank measure uses: iterated until a step changes the
/// scores by less than 1e-15 × n (L1, scores summing to 1). 1e-10 × n left them up to 6e-9
/// (demo) and 3.7e-6 (Higgs' engagement graph, n = 304,691) off the fixed point after
/// normalising; now networkx and igraph on an exported graph agree with the measures to 1e-9
/// (python/tests). Each step contracts the error by the damping: 200 steps reach it at 0.85.
pub(crate) fn scaled(g: &Csr) -> Result<Scores> {
    let opts = PageRankOptions {
        tolerance: 1e-15,
        max_iterations: 200,
        ..Default::default()
    };
    let n = g.n() as f64;
    Ok(pagerank(g, &opts)
        .map_err(graph_err)?
        .into_iter()
        .map(|s| s * n)
        .collect())
}

/// PageRank over `follower → followee` edges as of the scope's date.
pub fn follow_pagerank(log: &Log, scope: &Scope) -> Result<Scores> {
    scaled(&log.follow_graph(scope.as_of)?)
}

/// PageRank over `engager → engaged` edges weighted by kind, up to the scope's date.
pub fn engagement_pagerank(log: &Log, scope: &Scope) -> Result<Scores> {
    let p = EngagementParams {
        until: scope.as_of,
        topic: scope.topic.clone(),
        platform: scope.platform.clone(),
        ..Default::default()
    };
    scaled(&log.engagement_graph(&p)?)
}

pub const PAGERANK: MeasureSpec = MeasureSpec {
    name: "pagerank",
    describe: "PageRank on the follow graph as of the date (× n: 1 = average account)",
    follows: "Kwak et al. 2010, PageRank of the Twitter follow graph",
    counts: false,
    reads: &[Kind::Follow],
    of_log: follow_pagerank,
};

pub const ENGAGEMENT_PAGERANK: MeasureSpec = MeasureSpec {
    name: "engagement-pagerank",
    describe: "PageRank on the engagement graph (who responded to whom, weighted by kind; × n)",
    follows: "Kwak et al. 2010's PageRank, on the engagement graph instead of follows",
    counts: false,
    reads: &ENGAGEMENT_KINDS,
    of_log: engagement_pagerank,
};
