//! Spread trees: the largest cascades (`renown cascades`, `GET /api/cascades`), one cascade's
//! tree (`renown cascade ID`, `GET /api/cascades/{id}`), who starts and carries them
//! (`renown cascades --accounts`) and one account's part (`GET /api/accounts/{id}/spread`).
//!
//! One shape for each. Where the CLI's JSON and the API disagreed, the API's won: the list is a
//! page (`scope`, `total`, `limit`, `offset`, `anomalies`, `rows`) whose rows name the root in
//! full and spell out `structural_virality`, `end` and `time_to_half_seconds`; one cascade is
//! its summary with a page of `nodes`, each naming its account and whether it is suspicious as
//! a follower (the CLI printed the library's tree with a separate `labels` list).

use crate::source::{ranks_by, AccountRef, Source};
use crate::Scope;
use renown_model::format_time;
use renown_spread::cascades::{Anomalies, Cascade, CascadeReport, Origin};
use serde::Serialize;
use std::collections::HashMap;

/// Every cascade of a scope (two nodes or more) with an index by id: what a surface memoises.
pub struct Cascades {
    /// The spread kernel's report: every cascade largest first, per-account spread, anomalies.
    pub report: CascadeReport,
    by_id: HashMap<String, usize>,
}

/// A value computed at the store's state, read from the cache beside the store when a command
/// before computed it with this build (`key` names what it is; the store state and the code are
/// added), else built and written there. Without a readable state it is built afresh.
pub(crate) fn cached<T>(
    store: &renown_store::Store,
    kind: &str,
    key: String,
    decode: impl FnOnce(&[u8]) -> Option<T>,
    build: impl FnOnce() -> crate::Result<T>,
    encode: impl FnOnce(&T) -> Vec<u8>,
) -> crate::Result<T> {
    match renown_graph::SnapshotCache::of(store) {
        Ok(cache) => {
            let key = format!("{key};code={}", env!("RENOWN_CODE"));
            Ok(cache.value(kind, &key, decode, build, encode)?.0)
        }
        Err(_) => build(),
    }
}

impl Cascades {
    /// Every cascade in `scope` (as of, topic, platform): rebuilt, or read from the cache beside
    /// the store when this build rebuilt them at this store state before.
    pub fn compute(store: &renown_store::Store, scope: &Scope) -> crate::Result<Cascades> {
        let opts = crate::scope::cascade_options(scope, 2);
        let report = cached(
            store,
            "cascades",
            format!("{opts:?}"),
            renown_spread::CascadeReport::from_bytes,
            || Ok(renown_spread::cascades(store, &opts)?),
            |r| r.to_bytes(),
        )?;
        let by_id = report
            .cascades
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        Ok(Cascades { report, by_id })
    }

    /// The cascade with this id.
    pub fn get(&self, id: &str) -> Option<&Cascade> {
        self.by_id.get(id).map(|&i| &self.report.cascades[i])
    }
}

/// How a list of cascades is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// Largest first, then earliest.
    #[default]
    Size,
    /// Most person-to-person first (structural virality), then largest.
    Virality,
}

impl Order {
    /// `size` or `virality`.
    pub fn parse(text: &str) -> crate::Result<Order> {
        match text {
            "size" => Ok(Order::Size),
            "virality" => Ok(Order::Virality),
            other => Err(crate::AppError::Invalid(format!(
                "order cascades by size or virality, not {other:?}"
            ))),
        }
    }
}

/// Which cascades to list and which page of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CascadeQuery {
    /// Smallest cascade listed (nodes, root included; at least 2).
    pub min_size: usize,
    /// The order of the list.
    pub order: Order,
    /// Rows to return; `None` = all.
    pub limit: Option<usize>,
    /// Rows to skip.
    pub offset: usize,
}

impl Default for CascadeQuery {
    fn default() -> CascadeQuery {
        CascadeQuery {
            min_size: 2,
            order: Order::Size,
            limit: Some(50),
            offset: 0,
        }
    }
}

/// One cascade at a glance.
#[derive(Clone, Debug, Serialize)]
pub struct CascadeSummary {
    /// The cascade's id (its root item), as `renown cascade ID` takes it.
    pub id: String,
    /// Whether the data named each parent or the tree was inferred by exposure.
    pub origin: Origin,
    /// The root item's first topic, if any.
    pub topic: Option<String>,
    /// The account that posted the root item.
    pub root: AccountRef,
    /// Nodes, root included.
    pub size: usize,
    /// Longest path from the root, in hops.
    pub depth: u32,
    /// Most nodes at any one depth.
    pub max_breadth: usize,
    /// Mean distance between two nodes (Goel et al. 2016).
    pub structural_virality: f64,
    /// When the root was posted (RFC 3339; `null` without times).
    pub start: Option<String>,
    /// When the last node joined.
    pub end: Option<String>,
    /// Seconds from the root until half the nodes had joined.
    pub time_to_half_seconds: Option<i64>,
}

impl CascadeSummary {
    fn of(c: &Cascade, accounts: &[renown_store::AccountInfo]) -> CascadeSummary {
        let s = &c.stats;
        CascadeSummary {
            id: c.id.clone(),
            origin: c.origin,
            topic: c.topic.clone(),
            root: AccountRef::from(&accounts[c.root as usize]),
            size: s.size,
            depth: s.depth,
            max_breadth: s.max_breadth,
            structural_virality: s.structural_virality,
            start: s.start.map(format_time),
            end: s.end.map(format_time),
            time_to_half_seconds: s.time_to_half,
        }
    }
}

/// A listed cascade with its rank in the list's order (ties share one).
#[derive(Clone, Debug, Serialize)]
pub struct CascadeRow {
    /// Rank in the list's order (ties share one).
    pub rank: usize,
    /// The cascade at a glance, its fields at the top level.
    #[serde(flatten)]
    pub cascade: CascadeSummary,
}

/// A page of the cascades in a scope.
#[derive(Clone, Debug, Serialize)]
pub struct CascadeList {
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// Smallest cascade counted (nodes, root included).
    pub min_size: usize,
    /// The order of the list.
    pub order: Order,
    /// Cascades of at least `min_size` nodes in the scope.
    pub total: usize,
    /// Rows asked for (the page size).
    pub limit: usize,
    /// Rows skipped before this page.
    pub offset: usize,
    /// Oddities of the data met while rebuilding the trees.
    pub anomalies: Anomalies,
    /// This page's cascades.
    pub rows: Vec<CascadeRow>,
}

/// The slice `offset..offset + limit` of `0..total` (all of the rest when `limit` is `None`),
/// with the limit to report.
fn page(total: usize, limit: Option<usize>, offset: usize) -> (std::ops::Range<usize>, usize) {
    let start = offset.min(total);
    let limit = limit.unwrap_or(total - start);
    (start..start.saturating_add(limit).min(total), limit)
}

/// The cascades in `scope`, ordered and paged as `q` asks.
pub fn cascades<S: Source>(
    source: &S,
    scope: &Scope,
    q: &CascadeQuery,
) -> Result<CascadeList, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "cascades")?;
    let all = source.cascades(scope)?;
    let accounts = source.accounts()?;
    let min_size = q.min_size.max(2);
    // Cascades come largest first: those of `min_size` nodes or more are a prefix.
    let kept = all
        .report
        .cascades
        .partition_point(|c| c.stats.size >= min_size);
    let mut list: Vec<&Cascade> = all.report.cascades[..kept].iter().collect();
    let ranks = match q.order {
        Order::Size => ranks_by(&list, |c| (c.stats.size, c.stats.start)),
        Order::Virality => {
            list.sort_by(|a, b| {
                b.stats
                    .structural_virality
                    .total_cmp(&a.stats.structural_virality)
                    .then(b.stats.size.cmp(&a.stats.size))
            });
            ranks_by(&list, |c| (c.stats.structural_virality, c.stats.size))
        }
    };
    let (range, limit) = page(list.len(), q.limit, q.offset);
    let rows = list[range.clone()]
        .iter()
        .zip(&ranks[range])
        .map(|(c, &rank)| CascadeRow {
            rank,
            cascade: CascadeSummary::of(c, &accounts),
        })
        .collect();
    Ok(CascadeList {
        scope: scope.clone(),
        min_size,
        order: q.order,
        total: list.len(),
        limit,
        offset: q.offset,
        anomalies: all.report.anomalies.clone(),
        rows,
    })
}

/// One node of a tree: parents come before their children.
#[derive(Clone, Debug, Serialize)]
pub struct TreeNode {
    /// Position in the cascade's node list (0 = the root).
    pub index: usize,
    /// The parent's index in the node list (`null` for the root).
    pub parent: Option<u32>,
    /// Longest path from the root, in hops.
    pub depth: u32,
    /// When the account joined (RFC 3339; `null` without a time).
    pub time: Option<String>,
    /// How the account joined.
    pub kind: &'static str,
    /// The parent was chosen by exposure, not named by the data.
    pub inferred: bool,
    /// The account's id and label.
    pub id: u32,
    /// The account's label.
    pub account: String,
    /// Suspicious as a follower of some account it follows (the audit's verdict).
    pub suspicious: bool,
}

/// One cascade and a page of its nodes (the first page is a tree on its own).
#[derive(Clone, Debug, Serialize)]
pub struct CascadeTree {
    /// The cascade at a glance, its fields at the top level.
    #[serde(flatten)]
    pub cascade: CascadeSummary,
    /// This page of the nodes, parents before children.
    pub nodes: Vec<TreeNode>,
    /// Nodes in the whole cascade.
    pub nodes_total: usize,
    /// Rows asked for (the page size).
    pub limit: usize,
    /// Rows skipped before this page.
    pub offset: usize,
}

/// The cascade `id` in `scope`, with nodes `offset..offset + limit` (all with `None`).
pub fn cascade<S: Source>(
    source: &S,
    scope: &Scope,
    id: &str,
    limit: Option<usize>,
    offset: usize,
) -> Result<CascadeTree, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "a cascade")?;
    let all = source.cascades(scope)?;
    let c = all
        .get(id)
        .ok_or_else(|| crate::AppError::NotFound(format!("no cascade {id:?} in this scope")))?;
    let accounts = source.accounts()?;
    let suspects = source.suspects(scope)?;
    let (range, limit) = page(c.nodes.len(), limit, offset);
    let nodes = c.nodes[range.clone()]
        .iter()
        .zip(range)
        .map(|(n, index)| {
            let a = &accounts[n.account as usize];
            TreeNode {
                index,
                parent: n.parent,
                depth: n.depth,
                time: n.time.map(format_time),
                kind: n.kind.name(),
                inferred: n.inferred,
                id: a.dense,
                account: a.label(),
                suspicious: suspects.get(n.account as usize).copied().unwrap_or(false),
            }
        })
        .collect();
    Ok(CascadeTree {
        cascade: CascadeSummary::of(c, &accounts),
        nodes,
        nodes_total: c.nodes.len(),
        limit,
        offset,
    })
}

/// Who starts and who carries, one account.
#[derive(Clone, Debug, Serialize)]
pub struct Spreader {
    /// Rank in the list's order (ties share one).
    pub rank: usize,
    /// The account, named in full.
    pub account: AccountRef,
    /// Cascades it is the root of.
    pub cascades_started: u64,
    /// Nodes below it in the cascades it started.
    pub downstream_reach: u64,
    /// Nodes below it in cascades others started.
    pub reach_carried: u64,
    /// Credit as a root: Σ 1/depth over the nodes below.
    pub initiator_credit: f64,
    /// Credit as an amplifier inside others' cascades.
    pub amplifier_credit: f64,
    /// initiator / (initiator + amplifier); 0 without credit.
    pub initiator_share: f64,
}

/// Accounts by the reach of the cascades they started, then by the reach they carried.
#[derive(Clone, Debug, Serialize)]
pub struct Spreaders {
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// Smallest cascade counted (nodes, root included).
    pub min_size: usize,
    /// Rows in the whole list, before paging.
    pub total: usize,
    /// Rows asked for (the page size).
    pub limit: usize,
    /// Rows skipped before this page.
    pub offset: usize,
    /// This page's accounts.
    pub rows: Vec<Spreader>,
}

/// Who starts and carries the cascades of at least `min_size` nodes in `scope`.
pub fn spreaders<S: Source>(
    source: &S,
    scope: &Scope,
    min_size: usize,
    limit: Option<usize>,
    offset: usize,
) -> Result<Spreaders, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "cascades")?;
    let all = source.cascades(scope)?;
    let accounts = source.accounts()?;
    let min_size = min_size.max(2);
    // Cascades come largest first: those of `min_size` nodes or more are a prefix.
    let kept = all
        .report
        .cascades
        .partition_point(|c| c.stats.size >= min_size);
    let recounted;
    let spread = if kept == all.report.cascades.len() {
        &all.report.accounts
    } else {
        recounted = renown_spread::cascades::account_spread(&all.report.cascades[..kept]);
        &recounted
    };
    // The report's order: reach, then reach carried; equal on both is a tie.
    let ranks = ranks_by(spread, |a| (a.downstream_reach, a.reach_carried));
    let (range, limit) = page(spread.len(), limit, offset);
    let rows = spread[range.clone()]
        .iter()
        .zip(&ranks[range])
        .map(|(a, &rank)| {
            let total = a.initiator_credit + a.amplifier_credit;
            Spreader {
                rank,
                account: AccountRef::from(&accounts[a.account as usize]),
                cascades_started: a.cascades_started,
                downstream_reach: a.downstream_reach,
                reach_carried: a.reach_carried,
                initiator_credit: a.initiator_credit,
                amplifier_credit: a.amplifier_credit,
                initiator_share: if total > 0.0 {
                    a.initiator_credit / total
                } else {
                    0.0
                },
            }
        })
        .collect();
    Ok(Spreaders {
        scope: scope.clone(),
        min_size,
        total: spread.len(),
        limit,
        offset,
        rows,
    })
}

/// One account's part in the cascades of a scope.
#[derive(Clone, Debug, Serialize)]
pub struct AccountSpread {
    /// The account's id (dense; what the API accepts back).
    pub id: u32,
    /// Cascades it is the root of.
    pub cascades_started: u64,
    /// Nodes below it in the cascades it started.
    pub downstream_reach: u64,
    /// Nodes below it in cascades others started.
    pub reach_carried: u64,
    /// Credit as a root: Σ 1/depth over the nodes below.
    pub initiator_credit: f64,
    /// Credit as an amplifier inside others' cascades.
    pub amplifier_credit: f64,
    /// The largest cascades it started (at most 20).
    pub largest_started: Vec<CascadeSummary>,
}

/// How much the account `id` starts and carries in `scope`.
pub fn account_spread<S: Source>(
    source: &S,
    scope: &Scope,
    id: u32,
) -> Result<AccountSpread, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "an account's spread")?;
    let all = source.cascades(scope)?;
    let accounts = source.accounts()?;
    let row = all.report.accounts.iter().find(|a| a.account == id);
    let largest_started = all
        .report
        .cascades
        .iter()
        .filter(|c| c.root == id)
        .take(20)
        .map(|c| CascadeSummary::of(c, &accounts))
        .collect();
    Ok(AccountSpread {
        id,
        cascades_started: row.map_or(0, |r| r.cascades_started),
        downstream_reach: row.map_or(0, |r| r.downstream_reach),
        reach_carried: row.map_or(0, |r| r.reach_carried),
        initiator_credit: row.map_or(0.0, |r| r.initiator_credit),
        amplifier_credit: row.map_or(0.0, |r| r.amplifier_credit),
        largest_started,
    })
}

/// The suspicious-follower verdict per account id in `scope` (without its topic: an audience
/// is not topical), as the cascade tree colours its nodes.
pub fn suspects(store: &renown_store::Store, scope: &Scope) -> crate::Result<Vec<bool>> {
    let scope = scope.without_topic().measures();
    let build = || {
        let act = renown_audit::Activity::load(store, &scope)?;
        let config = renown_audit::audit::SuspicionConfig::default();
        Ok(renown_audit::audit::Auditor::new(&act, config).suspicious_accounts())
    };
    let decode = |b: &[u8]| b.iter().map(|&x| (x < 2).then_some(x == 1)).collect();
    let encode = |s: &Vec<bool>| s.iter().map(|&x| x as u8).collect();
    cached(
        store,
        "suspects",
        format!("{scope:?}"),
        decode,
        build,
        encode,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use renown_model::{AccountRef as Who, Event, Kind, Record};
    use renown_store::Store;

    fn reshare(actor: &str, target: &str, t: i64) -> Record {
        let mut e = Event::new("t", Kind::Reshare, Who::new(actor));
        e.target = Some(Who::new(target));
        e.time = Some(t);
        Record::Event(e)
    }

    fn write(store: &mut Store, records: Vec<Record>) {
        let run = store.begin_run("test", "test").unwrap();
        let batch: Vec<(u64, Record)> = records
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64, r))
            .collect();
        store.write_batch(run, &batch, 0).unwrap();
    }

    #[test]
    fn the_cached_forest_is_the_rebuilt_one_and_an_ingest_changes_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        write(
            &mut store,
            (0..5)
                .map(|i| reshare(&format!("a{i}"), "star", 100 + i))
                .collect(),
        );
        let scope = Scope::default();
        let fresh = |store: &Store| {
            renown_spread::cascades(store, &crate::scope::cascade_options(&scope, 2)).unwrap()
        };
        let first = Cascades::compute(&store, &scope).unwrap();
        assert_eq!(first.report, fresh(&store));
        let cache = renown_graph::cache_dir(store.path());
        let files = || {
            let mut f: Vec<String> = std::fs::read_dir(&cache)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            f.sort();
            f
        };
        let written = files();
        assert!(
            written.iter().any(|f| f.starts_with("cascades-")),
            "{written:?}"
        );
        // Read back: the same forest.
        let again = Cascades::compute(&store, &scope).unwrap();
        assert_eq!(again.report, first.report);
        assert_eq!(files(), written);
        // More reshares: the answer changes, and is what a rebuild gives.
        write(
            &mut store,
            (0..3)
                .map(|i| reshare(&format!("b{i}"), "star", 200 + i))
                .collect(),
        );
        let after = Cascades::compute(&store, &scope).unwrap();
        assert_ne!(after.report, first.report);
        assert_eq!(after.report, fresh(&store));
        assert_eq!(after.get("from/t:star").unwrap().nodes.len(), 9);
        assert!(!files()
            .iter()
            .any(|f| f.starts_with("cascades-") && written.contains(f)));
    }
}
