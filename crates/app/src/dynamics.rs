//! Does the big get bigger? `renown dynamics` and `GET /api/dynamics`.
//!
//! One shape for both. Where they disagreed, the API's won: the answer carries its `scope`,
//! `period` and `bootstrap`, the fitness list is a page (`fitness_total`, `limit`, `offset`),
//! and `interval_pending` says whether α's interval is still being computed (the server
//! answers the point estimate first; a command always waits for it).

use crate::Scope;
use renown_model::Cancel;
use renown_spread::dynamics::{DynamicsOptions, DynamicsReport};
use serde::Serialize;

pub use renown_spread::dynamics::{Period, Progress, Stage, DEFAULT_BOOTSTRAP};

/// What to fit besides the scope (whose kinds, if any, are what counts as an arrival).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamicsQuery {
    /// The calendar period of the concentration series.
    pub period: Period,
    /// Bootstrap replicates for α's interval (0: none).
    pub bootstrap: usize,
    /// Seed of the replicates.
    pub seed: u64,
    /// Fewest arrivals for an account to be in the fitness list.
    pub min_arrivals: u64,
}

impl Default for DynamicsQuery {
    fn default() -> DynamicsQuery {
        let d = DynamicsOptions::default();
        DynamicsQuery {
            period: d.period,
            bootstrap: d.bootstrap,
            seed: d.seed,
            min_arrivals: d.min_arrivals,
        }
    }
}

/// `day`, `week` or `month`.
pub fn parse_period(text: &str) -> crate::Result<Period> {
    match text {
        "day" => Ok(Period::Day),
        "week" => Ok(Period::Week),
        "month" => Ok(Period::Month),
        other => Err(crate::AppError::Invalid(format!(
            "period must be day, week or month, not {other:?}"
        ))),
    }
}

/// What names a fit in the cache beside the store (the store state and the code are added).
fn cache_key(scope: &Scope, q: &DynamicsQuery) -> String {
    format!("{scope:?};{q:?}")
}

fn decode(bytes: &[u8]) -> Option<DynamicsReport> {
    ciborium::from_reader(bytes).ok()
}

fn encode(report: &DynamicsReport) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory fails only on a value serde cannot express, which a report is not;
    // an empty file would be refused by `decode` and rebuilt.
    let _ = ciborium::into_writer(report, &mut bytes);
    bytes
}

/// The fit of [`fit`] when this build already computed it at the store's current state and
/// kept it beside the store (`<db>.cache/dynamics-*.bin`), without computing anything.
pub fn cached_fit(
    store: &renown_store::Store,
    scope: &Scope,
    q: &DynamicsQuery,
) -> Option<DynamicsReport> {
    // A build that refuses: only a value already on disk comes back.
    crate::cascades::cached(
        store,
        "dynamics",
        cache_key(scope, q),
        decode,
        || Err(crate::AppError::Invalid("not cached".into())),
        encode,
    )
    .ok()
}

/// Fits the attachment kernel, fitness and concentration in `scope` with every account in the
/// fitness list (a surface pages it with [`answer`]). Stops with
/// [`renown_spread::SpreadError::Cancelled`] once `cancel` is set; tells `progress` how far it
/// has got. The fit is kept beside the store keyed by its state and this build, so the next
/// command or the server's first request at the same state reads it back instead.
pub fn fit(
    store: &renown_store::Store,
    scope: &Scope,
    q: &DynamicsQuery,
    cancel: Cancel,
    progress: Progress,
) -> crate::Result<DynamicsReport> {
    crate::cascades::cached(
        store,
        "dynamics",
        cache_key(scope, q),
        decode,
        || compute(store, scope, q, cancel, progress),
        encode,
    )
}

fn compute(
    store: &renown_store::Store,
    scope: &Scope,
    q: &DynamicsQuery,
    cancel: Cancel,
    progress: Progress,
) -> crate::Result<DynamicsReport> {
    let opts = DynamicsOptions {
        scope: scope.clone(),
        period: q.period,
        bootstrap: q.bootstrap,
        seed: q.seed,
        top: 0,
        min_arrivals: q.min_arrivals,
        cancel,
        progress,
        ..DynamicsOptions::default()
    };
    Ok(renown_spread::dynamics(store, &opts)?)
}

/// The answer: the fit (its fields at the top level, as the API has always answered) with a
/// page of its fitness list.
#[derive(Clone, Debug, Serialize)]
pub struct Dynamics {
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// The step arrivals are counted in (day, week, month).
    pub period: Period,
    /// Resamples behind α's interval.
    pub bootstrap: usize,
    /// The fit, its `fitness` cut to the page: the accounts with at least the query's
    /// arrivals, fittest first.
    #[serde(flatten)]
    pub report: DynamicsReport,
    /// Accounts in the whole fitness list, before paging.
    pub fitness_total: usize,
    /// Rows asked for (the page size).
    pub limit: usize,
    /// Rows skipped before this page.
    pub offset: usize,
    /// The interval is still being computed (ask again).
    pub interval_pending: bool,
    /// Why the interval could not be computed, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_error: Option<String>,
}

/// What the fit says, with fitness rows `offset..offset + limit` (all with `None`).
/// `bootstrap` is the number of replicates asked for; `pending` says that `report` is the
/// point estimate while they run.
#[allow(clippy::too_many_arguments)]
pub fn answer(
    report: &DynamicsReport,
    scope: &Scope,
    period: Period,
    bootstrap: usize,
    limit: Option<usize>,
    offset: usize,
    pending: bool,
    interval_error: Option<String>,
) -> Dynamics {
    let total = report.fitness.len();
    let start = offset.min(total);
    let limit = limit.unwrap_or(total - start);
    let end = start.saturating_add(limit).min(total);
    Dynamics {
        scope: scope.clone(),
        period,
        bootstrap,
        report: DynamicsReport {
            fitness: report.fitness[start..end].to_vec(),
            ..report.clone()
        },
        fitness_total: total,
        limit,
        offset,
        interval_pending: pending,
        interval_error,
    }
}

/// Fits and answers at once, the fitness list cut to `limit` (all with `None`): what a command
/// asks.
pub fn dynamics(
    store: &renown_store::Store,
    scope: &Scope,
    q: &DynamicsQuery,
    limit: Option<usize>,
    progress: Progress,
) -> crate::Result<Dynamics> {
    let report = fit(store, scope, q, Cancel::new(), progress)?;
    Ok(answer(
        &report,
        scope,
        q.period,
        q.bootstrap,
        limit,
        0,
        false,
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use renown_model::{AccountRef as Who, Event, Kind, Record};
    use renown_store::Store;

    fn write(store: &mut Store, from: i64, n: i64) {
        let run = store.begin_run("test", "test").unwrap();
        // Reshares of a few accounts by many, so the kernel has bins with arrivals.
        let batch: Vec<(u64, Record)> = (from..from + n)
            .map(|i| {
                let mut e = Event::new("t", Kind::Reshare, Who::new(format!("a{i}")));
                e.target = Some(Who::new(format!("s{}", i % 7 * (i % 3))));
                e.time = Some(1_000 + i * 60);
                (i as u64, Record::Event(e))
            })
            .collect();
        store.write_batch(run, &batch, 0).unwrap();
    }

    #[test]
    fn the_fit_is_kept_beside_the_store_until_the_store_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        write(&mut store, 0, 400);
        let scope = Scope::default();
        let q = DynamicsQuery {
            bootstrap: 5,
            ..DynamicsQuery::default()
        };
        assert_eq!(cached_fit(&store, &scope, &q), None);
        let first = fit(&store, &scope, &q, Cancel::new(), Progress::default()).unwrap();
        assert_eq!(
            first,
            compute(&store, &scope, &q, Cancel::new(), Progress::default()).unwrap()
        );
        // Read back whole, interval and fitness list included; another query is not served it.
        assert_eq!(cached_fit(&store, &scope, &q), Some(first.clone()));
        let other = DynamicsQuery {
            seed: 7,
            ..q.clone()
        };
        assert_eq!(cached_fit(&store, &scope, &other), None);
        // Progress is reported only when computing: a hit tells nothing.
        let told = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = told.clone();
        let progress = Progress::new(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        assert_eq!(
            fit(&store, &scope, &q, Cancel::new(), progress).unwrap(),
            first
        );
        assert_eq!(told.load(std::sync::atomic::Ordering::Relaxed), 0);
        // New arrivals: the kept fit no longer answers, and the next one is the recomputed one.
        write(&mut store, 400, 100);
        assert_eq!(cached_fit(&store, &scope, &q), None);
        let after = fit(&store, &scope, &q, Cancel::new(), Progress::default()).unwrap();
        assert_ne!(after, first);
        assert_eq!(
            after,
            compute(&store, &scope, &q, Cancel::new(), Progress::default()).unwrap()
        );
    }
}
