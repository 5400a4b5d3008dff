//! `renown._renown`: the Rust half of the Python package (python/renown/ is the other half).
//!
//! Each function opens the store as the CLI does (one read snapshot per call), runs the same
//! library code with the GIL released, and returns either JSON text in the shape of the CLI's
//! `--format json` output (decoded into dicts and DataFrames on the Python side) or raw
//! little-endian column buffers that pyarrow and scipy wrap without a per-row Python object.
//! Errors become `renown.RenownError` with the message the CLI prints after `renown: `.
//!
//! Every question goes through crates/app, the layer the CLI and the server share, so each
//! answers exactly as `renown … --format json` does: opening the store and choosing a graph
//! (`renown_app::open`), stats, rank, compare, explain, audit, cascades, dynamics, backtest,
//! persons (rank, explain, audit, compare and backtest per person), offline figures and the
//! gap, and the measures' parameters (`renown_app::config`). Only ingest, the demo's simulation and
//! the raw column scans (`events`, `accounts`) call the store and simulator crates directly, as
//! the CLI's `ingest`, `demo` and `export` do.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use renown_store::{EventFilter, Snapshot, StringColumn, Validity};
use std::path::{Path, PathBuf};

pyo3::create_exception!(
    _renown,
    RenownError,
    PyException,
    "An error from renown, with the message the CLI prints."
);

/// The message of `e` and its causes, as the CLI prints them (`anyhow`'s `{:#}`).
fn message(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

type Res<T> = Result<T, String>;

fn fail<E: std::error::Error + 'static>(e: E) -> String {
    message(&e)
}

fn to_py<T>(r: Res<T>) -> PyResult<T> {
    r.map_err(RenownError::new_err)
}

fn open_existing(db: &Path) -> Res<Snapshot> {
    renown_app::open::open_existing(db).map_err(fail)
}

/// Kind names as the CLI's `--kind` takes them.
fn parse_kinds(names: &[String]) -> Res<Vec<renown_model::Kind>> {
    names
        .iter()
        .map(|n| {
            renown_model::Kind::ALL
                .into_iter()
                .find(|k| k.name() == n.trim())
                .ok_or_else(|| {
                    format!(
                        "unknown kind {n:?}; kinds: {}",
                        renown_model::Kind::ALL.map(|k| k.name()).join(", ")
                    )
                })
        })
        .collect()
}

/// A bare date means the end of that day (UTC), as `--as-of` in the CLI.
fn parse_as_of(s: Option<&str>) -> Res<Option<i64>> {
    s.map(renown_app::scope::parse_as_of)
        .transpose()
        .map_err(fail)
}

fn scope(as_of: Option<i64>, topic: Option<String>, platform: Option<String>) -> renown_app::Scope {
    renown_app::Scope::new(as_of, topic, platform)
}

fn le_bytes<'py, T: Copy, const N: usize>(
    py: Python<'py>,
    values: &[T],
    f: impl Fn(T) -> [u8; N],
) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = values.iter().flat_map(|&v| f(v)).collect();
    PyBytes::new(py, &bytes)
}

fn put_validity(d: &Bound<'_, PyDict>, name: &str, v: &Validity) -> PyResult<()> {
    let py = d.py();
    d.set_item(format!("{name}_valid"), PyBytes::new(py, v.bytes()))?;
    d.set_item(format!("{name}_nulls"), v.null_count())
}

fn put_strings(d: &Bound<'_, PyDict>, name: &str, c: &StringColumn) -> PyResult<()> {
    let py = d.py();
    d.set_item(
        format!("{name}_offsets"),
        le_bytes(py, &c.offsets, i64::to_le_bytes),
    )?;
    d.set_item(format!("{name}_data"), PyBytes::new(py, &c.bytes))?;
    put_validity(d, name, &c.validity)
}

/// A string column built here: `{name}_offsets` (i64), `{name}_data`, `{name}_valid` (the
/// validity bitmap, LSB first) and `{name}_nulls`, as [`put_strings`] lays out a stored one.
fn put_built_strings<'a>(
    d: &Bound<'_, PyDict>,
    name: &str,
    values: impl ExactSizeIterator<Item = Option<&'a str>>,
) -> PyResult<()> {
    let py = d.py();
    let mut offsets: Vec<i64> = Vec::with_capacity(values.len() + 1);
    let mut valid = vec![0u8; values.len().div_ceil(8)];
    let mut data = Vec::new();
    let mut nulls = 0usize;
    offsets.push(0);
    for (i, v) in values.enumerate() {
        match v {
            Some(text) => {
                data.extend_from_slice(text.as_bytes());
                valid[i / 8] |= 1 << (i % 8);
            }
            None => nulls += 1,
        }
        offsets.push(data.len() as i64);
    }
    d.set_item(
        format!("{name}_offsets"),
        le_bytes(py, &offsets, i64::to_le_bytes),
    )?;
    d.set_item(format!("{name}_data"), PyBytes::new(py, &data))?;
    d.set_item(format!("{name}_valid"), PyBytes::new(py, &valid))?;
    d.set_item(format!("{name}_nulls"), nulls)
}

/// Scores as f64 buffers, with `{name}_whole` true when every one is a whole count (the JSON
/// prints those as integers; Python gets an int64 column).
fn put_scores(
    d: &Bound<'_, PyDict>,
    name: &str,
    scores: impl Iterator<Item = renown_app::Score>,
) -> PyResult<()> {
    let mut whole = true;
    let values: Vec<f64> = scores
        .map(|s| match s {
            renown_app::Score::Count(c) => c as f64,
            renown_app::Score::Real(x) => {
                whole = false;
                x
            }
        })
        .collect();
    d.set_item(name, le_bytes(d.py(), &values, f64::to_le_bytes))?;
    d.set_item(format!("{name}_whole"), whole)
}

/// A renown store (one SQLite file). Every call reads one committed state of it.
#[pyclass(module = "renown._renown")]
struct Store {
    path: PathBuf,
    /// The measures' parameters: `config` (or renown.toml beside the store), then `params`.
    params: renown_app::Params,
}

impl Store {
    /// The application layer's view of `store` with this Store's parameters.
    fn source<'s>(&self, store: &'s renown_store::Store) -> renown_app::Direct<'s> {
        renown_app::Direct::with_params(store, self.params.clone())
    }
}

#[pymethods]
impl Store {
    /// `params` is JSON in the shape of renown.toml (`{"earned": {"half_life_days": 90}}`).
    #[new]
    #[pyo3(signature = (path, config=None, params=None))]
    fn new(path: PathBuf, config: Option<PathBuf>, params: Option<String>) -> PyResult<Self> {
        let params = to_py((|| -> Res<renown_app::Params> {
            let from_file = renown_app::Params::load(&path, config.as_deref()).map_err(fail)?;
            match params {
                None => Ok(from_file),
                Some(json) => {
                    let file: renown_app::config::ParamsFile =
                        serde_json::from_str(&json).map_err(|e| format!("params: {e}"))?;
                    from_file.with(&file, "params").map_err(fail)
                }
            }
        })())?;
        Ok(Store { path, params })
    }

    /// The parameters of every measure that takes some, as JSON text: `{"source": …,
    /// "earned": {…}, "pagerank": {"damping": …}}` (renown.toml's sections).
    #[getter]
    fn params(&self) -> String {
        let p = &self.params;
        let strip = |e: Option<renown_app::config::Echo>| e.map(|e| e.values);
        serde_json::json!({
            "source": p.source,
            "earned": strip(p.echo("earned")),
            "pagerank": strip(p.echo("pagerank")),
        })
        .to_string()
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Ingests files into the store (created if missing); a list of run reports as JSON text.
    /// `progress(bytes_read, total_bytes_or_None, records)` is called with the GIL held.
    #[pyo3(signature = (paths, format=None, strict=false, progress=None))]
    fn ingest(
        &self,
        py: Python<'_>,
        paths: Vec<PathBuf>,
        format: Option<String>,
        strict: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<String> {
        let db = self.path.clone();
        let rejects = {
            let mut p = db.clone().into_os_string();
            p.push(".rejects.txt");
            PathBuf::from(p)
        };
        let opts = renown_ingest::IngestOptions {
            format,
            strict,
            rejects_path: Some(rejects),
            ..Default::default()
        };
        let mut reports = Vec::new();
        for path in paths {
            let mut callback_error = None;
            let report = py.detach(|| -> Res<_> {
                let mut store = renown_store::Store::open(&db).map_err(fail)?;
                let mut tick = |read: u64, total: Option<u64>, records: u64| {
                    if let (Some(cb), None) = (&progress, &callback_error) {
                        Python::attach(|py| {
                            if let Err(e) = cb.call1(py, (read, total, records)) {
                                callback_error = Some(e);
                            }
                        });
                    }
                };
                renown_ingest::ingest_path(&mut store, &path, &opts, &mut tick).map_err(fail)
            });
            if let Some(e) = callback_error {
                return Err(e);
            }
            reports.push(to_py(report)?);
        }
        Ok(serde_json::to_string(&reports).expect("reports serialize"))
    }

    /// `renown stats --format json`.
    fn stats(&self, py: Python<'_>) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            let store = open_existing(&db)?;
            let s = renown_app::stats(&store).map_err(fail)?;
            serde_json::to_string(&s).map_err(fail)
        }))
    }

    /// `renown rank --format json --top N` (N = 0: every account) as the answer's JSON without
    /// its rows (`header`) and the rows as column buffers: no Python object per row.
    #[pyo3(signature = (by="earned".to_string(), as_of=None, topic=None, platform=None, top=0))]
    fn rank<'py>(
        &self,
        py: Python<'py>,
        by: String,
        as_of: Option<String>,
        topic: Option<String>,
        platform: Option<String>,
        top: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let db = self.path.clone();
        let (header, rows) = to_py(py.detach(|| -> Res<_> {
            let scope = scope(parse_as_of(as_of.as_deref())?, topic, platform);
            let store = open_existing(&db)?;
            let query = renown_app::LeaderboardQuery {
                measure: by,
                limit: (top > 0).then_some(top),
                offset: 0,
                trust: None,
            };
            let mut board =
                renown_app::leaderboard(&self.source(&store), &scope, &query).map_err(fail)?;
            let rows = std::mem::take(&mut board.rows);
            Ok((serde_json::to_string(&board).map_err(fail)?, rows))
        }))?;
        let d = PyDict::new(py);
        d.set_item("header", header)?;
        d.set_item("length", rows.len())?;
        let ids: Vec<u32> = rows.iter().map(|r| r.account.id).collect();
        d.set_item("id", le_bytes(py, &ids, u32::to_le_bytes))?;
        let ranks: Vec<u32> = rows.iter().map(|r| r.rank).collect();
        d.set_item("rank", le_bytes(py, &ranks, u32::to_le_bytes))?;
        put_built_strings(
            &d,
            "account",
            rows.iter().map(|r| Some(r.account.account.as_str())),
        )?;
        put_built_strings(
            &d,
            "platform",
            rows.iter().map(|r| Some(r.account.platform.as_str())),
        )?;
        put_built_strings(
            &d,
            "native_id",
            rows.iter().map(|r| Some(r.account.native_id.as_str())),
        )?;
        put_built_strings(
            &d,
            "handle",
            rows.iter().map(|r| r.account.handle.as_deref()),
        )?;
        put_scores(&d, "score", rows.iter().map(|r| r.score))?;
        put_scores(&d, "followers", rows.iter().map(|r| r.followers))?;
        Ok(d)
    }

    /// `renown explain ACCOUNT --format json`; with `per="person"`, `renown explain ACCOUNT
    /// --per person --format json` (ACCOUNT may then be a linked person's name; no months).
    #[pyo3(signature = (account, as_of=None, topic=None, platform=None, endorsers=10, months=12, per="account".to_string()))]
    #[allow(clippy::too_many_arguments)]
    fn explain(
        &self,
        py: Python<'_>,
        account: String,
        as_of: Option<String>,
        topic: Option<String>,
        platform: Option<String>,
        endorsers: usize,
        months: usize,
        per: String,
    ) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            let per: renown_app::Per = per.parse().map_err(fail)?;
            let scope = scope(parse_as_of(as_of.as_deref())?, topic, platform);
            let store = open_existing(&db)?;
            if per == renown_app::Per::Person {
                let id = renown_app::person_account(&store, &account).map_err(fail)?;
                let x = renown_app::person_explain(&self.source(&store), &scope, id, endorsers)
                    .map_err(fail)?;
                return serde_json::to_string(&x).map_err(fail);
            }
            let id = store.find_account(&account).map_err(fail)?;
            let x = renown_app::explain(&self.source(&store), &scope, id, endorsers, months)
                .map_err(fail)?;
            serde_json::to_string(&x).map_err(fail)
        }))
    }

    /// `renown rank --per person --format json`: persons (accounts linked by `renown link`)
    /// ranked by a measure computed over persons; top = 0: all.
    #[pyo3(signature = (by="earned".to_string(), as_of=None, topic=None, platform=None, top=0))]
    fn persons(
        &self,
        py: Python<'_>,
        by: String,
        as_of: Option<String>,
        topic: Option<String>,
        platform: Option<String>,
        top: usize,
    ) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            let scope = scope(parse_as_of(as_of.as_deref())?, topic, platform);
            let store = open_existing(&db)?;
            let board = renown_app::person_leaderboard(
                &self.source(&store),
                &scope,
                &by,
                (top > 0).then_some(top),
                0,
            )
            .map_err(fail)?;
            serde_json::to_string(&board).map_err(fail)
        }))
    }

    /// `renown offline FILE`: stores the file's offline figures; what was stored and refused.
    fn offline(&self, py: Python<'_>, file: PathBuf) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            let figures = renown_app::offline::read_offline(&file).map_err(fail)?;
            // Writes need the store itself (an existing one), not a read snapshot.
            drop(open_existing(&db)?);
            let mut store = renown_store::Store::open(&db).map_err(fail)?;
            let report = renown_app::offline::store_offline(&mut store, &figures).map_err(fail)?;
            serde_json::to_string(&report).map_err(fail)
        }))
    }

    /// `renown gap --format json` (offline: the measure, default the one most persons have;
    /// top: persons in each list, 0 = all).
    #[pyo3(signature = (offline=None, as_of=None, topic=None, platform=None, top=10))]
    fn gap(
        &self,
        py: Python<'_>,
        offline: Option<String>,
        as_of: Option<String>,
        topic: Option<String>,
        platform: Option<String>,
        top: usize,
    ) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            let scope = scope(parse_as_of(as_of.as_deref())?, topic, platform);
            let store = open_existing(&db)?;
            let query = renown_app::GapQuery {
                offline_measure: offline,
                limit: (top > 0).then_some(top),
            };
            let g = renown_app::gap(&self.source(&store), &scope, &query).map_err(fail)?;
            serde_json::to_string(&g).map_err(fail)
        }))
    }

    /// `renown compare --format json` (measures: every registered one when empty).
    #[pyo3(signature = (measures=Vec::new(), as_of=None, topic=None, platform=None, top_percent=vec![10.0, 1.0], per="account".to_string()))]
    #[allow(clippy::too_many_arguments)]
    fn compare(
        &self,
        py: Python<'_>,
        measures: Vec<String>,
        as_of: Option<String>,
        topic: Option<String>,
        platform: Option<String>,
        top_percent: Vec<f64>,
        per: String,
    ) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            let query = renown_app::CompareQuery {
                measures,
                top_percent,
                per: per.parse().map_err(fail)?,
            };
            // The measures are checked before the store is opened, as the CLI does.
            renown_app::compare::measures_of(&query).map_err(fail)?;
            let scope = scope(parse_as_of(as_of.as_deref())?, topic, platform);
            let store = open_existing(&db)?;
            let c = renown_app::compare(&self.source(&store), &scope, &query).map_err(fail)?;
            serde_json::to_string(&c).map_err(fail)
        }))
    }

    /// `renown audit ACCOUNT --format json`'s audit of one account's followers; with
    /// `per="person"`, `renown audit ACCOUNT --per person` (the audiences of the person holding
    /// ACCOUNT, or named ACCOUNT, together).
    #[pyo3(signature = (account, as_of=None, platform=None, min_reasons=2, per="account".to_string()))]
    fn audit(
        &self,
        py: Python<'_>,
        account: String,
        as_of: Option<String>,
        platform: Option<String>,
        min_reasons: u32,
        per: String,
    ) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            let per: renown_app::Per = per.parse().map_err(fail)?;
            let scope = scope(parse_as_of(as_of.as_deref())?, None, platform);
            let store = open_existing(&db)?;
            let options = renown_app::audit::AuditOptions {
                min_reasons,
                with_earned: true,
            };
            if per == renown_app::Per::Person {
                let id = renown_app::person_account(&store, &account).map_err(fail)?;
                let r = renown_app::person_audit(&self.source(&store), &scope, id, &options)
                    .map_err(fail)?;
                return serde_json::to_string(&r).map_err(fail);
            }
            let id = store.find_account(&account).map_err(fail)?;
            let r = renown_app::audit::audit_account(&self.source(&store), &scope, id, &options)
                .map_err(fail)?;
            serde_json::to_string(&r).map_err(fail)
        }))
    }

    /// `renown cascades --format json --top N` (N = 0: every cascade); with `accounts`, the
    /// spreaders (`renown cascades --accounts`).
    #[pyo3(signature = (as_of=None, topic=None, platform=None, min_size=2, by="size".to_string(), top=0, accounts=false))]
    #[allow(clippy::too_many_arguments)]
    fn cascades(
        &self,
        py: Python<'_>,
        as_of: Option<String>,
        topic: Option<String>,
        platform: Option<String>,
        min_size: usize,
        by: String,
        top: usize,
        accounts: bool,
    ) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            use renown_app::cascades::{cascades, spreaders, CascadeQuery, Order};
            let order = match by.as_str() {
                "size" => Order::Size,
                "virality" => Order::Virality,
                other => return Err(format!("by must be size or virality, not {other:?}")),
            };
            let scope = scope(parse_as_of(as_of.as_deref())?, topic, platform);
            let store = open_existing(&db)?;
            let source = self.source(&store);
            let limit = (top > 0).then_some(top);
            if accounts {
                let list = spreaders(&source, &scope, min_size, limit, 0).map_err(fail)?;
                return serde_json::to_string(&list).map_err(fail);
            }
            let query = CascadeQuery {
                min_size,
                order,
                limit,
                offset: 0,
            };
            let list = cascades(&source, &scope, &query).map_err(fail)?;
            serde_json::to_string(&list).map_err(fail)
        }))
    }

    /// `renown dynamics --format json` (top: accounts in the fitness list, 0 = all).
    #[pyo3(signature = (as_of=None, topic=None, platform=None, kinds=None, period="month".to_string(), bootstrap=renown_app::dynamics::DEFAULT_BOOTSTRAP, seed=42, top=20, min_arrivals=5))]
    #[allow(clippy::too_many_arguments)]
    fn dynamics(
        &self,
        py: Python<'_>,
        as_of: Option<String>,
        topic: Option<String>,
        platform: Option<String>,
        kinds: Option<Vec<String>>,
        period: String,
        bootstrap: usize,
        seed: u64,
        top: usize,
        min_arrivals: u64,
    ) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            use renown_app::dynamics::{dynamics, parse_period, DynamicsQuery, Progress};
            let mut scope = scope(parse_as_of(as_of.as_deref())?, topic, platform);
            scope.kinds = kinds.as_deref().map(parse_kinds).transpose()?;
            let query = DynamicsQuery {
                period: parse_period(&period).map_err(fail)?,
                bootstrap,
                seed,
                min_arrivals,
            };
            let store = open_existing(&db)?;
            let r = dynamics(
                &store,
                &scope,
                &query,
                (top > 0).then_some(top),
                Progress::default(),
            )
            .map_err(fail)?;
            serde_json::to_string(&r).map_err(fail)
        }))
    }

    /// `renown backtest --format json` (splits in UTC seconds; default three rolling origins).
    #[pyo3(signature = (splits=Vec::new(), horizon=None, k=renown_app::backtest::DEFAULT_K, measures=Vec::new(), target="distinct-engagers".to_string(), bootstrap=renown_app::backtest::DEFAULT_BOOTSTRAP, seed=1, platform=None, per="account".to_string()))]
    #[allow(clippy::too_many_arguments)]
    fn backtest(
        &self,
        py: Python<'_>,
        splits: Vec<i64>,
        horizon: Option<i64>,
        k: usize,
        measures: Vec<String>,
        target: String,
        bootstrap: usize,
        seed: u64,
        platform: Option<String>,
        per: String,
    ) -> PyResult<String> {
        let db = self.path.clone();
        to_py(py.detach(|| -> Res<String> {
            use renown_app::backtest::{backtest, BacktestOptions, Target};
            for m in &measures {
                renown_measures::measure(m.trim()).map_err(fail)?;
            }
            let store = open_existing(&db)?;
            let opts = BacktestOptions {
                splits,
                horizon,
                k,
                measures,
                target: Target::parse(&target).map_err(fail)?,
                bootstrap,
                seed,
                candidate: renown_measures::MEASURES[0].name.to_string(),
                platform: None,
                truth: None,
                cascade_reach: None,
                tune: false,
                params: Default::default(),
                per_person: per.parse::<renown_app::Per>().map_err(fail)?
                    == renown_app::Per::Person,
            };
            let scope = renown_app::Scope {
                platform,
                ..renown_app::Scope::default()
            };
            let r = backtest(&store, &scope, &opts, &self.params).map_err(fail)?;
            serde_json::to_string(&r).map_err(fail)
        }))
    }

    /// The events as Arrow-layout column buffers (see `renown_store::EventColumns`).
    #[pyo3(signature = (as_of=None, kinds=None, platform=None, topic=None))]
    fn events<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<String>,
        kinds: Option<Vec<String>>,
        platform: Option<String>,
        topic: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let db = self.path.clone();
        let columns = to_py(py.detach(|| -> Res<_> {
            let kinds = kinds.as_deref().map(parse_kinds).transpose()?;
            let filter = EventFilter {
                kinds,
                until: parse_as_of(as_of.as_deref())?,
                platform,
                topic,
                ..Default::default()
            };
            let store = open_existing(&db)?;
            store.event_columns(&filter).map_err(fail)
        }))?;
        let c = columns;
        let d = PyDict::new(py);
        d.set_item("length", c.len())?;
        d.set_item("event_id", le_bytes(py, &c.id, i64::to_le_bytes))?;
        d.set_item("time", le_bytes(py, &c.time, i64::to_le_bytes))?;
        put_validity(&d, "time", &c.time_validity)?;
        d.set_item("kind", PyBytes::new(py, &c.kind))?;
        d.set_item("actor", le_bytes(py, &c.actor, u32::to_le_bytes))?;
        d.set_item("target", le_bytes(py, &c.target, u32::to_le_bytes))?;
        put_validity(&d, "target", &c.target_validity)?;
        put_strings(&d, "item", &c.item)?;
        put_strings(&d, "parent", &c.parent)?;
        d.set_item(
            "topic_offsets",
            le_bytes(py, &c.topic_offsets, i64::to_le_bytes),
        )?;
        d.set_item("topic_count", c.topic_values.len())?;
        put_strings(&d, "topic_value", &c.topic_values)?;
        Ok(d)
    }

    /// Every account as column buffers, indexed by dense id (the graphs' node ids).
    fn accounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let db = self.path.clone();
        let c =
            to_py(py.detach(|| -> Res<_> { open_existing(&db)?.account_columns().map_err(fail) }))?;
        let d = PyDict::new(py);
        d.set_item("length", c.len())?;
        put_strings(&d, "platform", &c.platform)?;
        put_strings(&d, "native_id", &c.native_id)?;
        put_strings(&d, "handle", &c.handle)?;
        Ok(d)
    }

    /// A graph snapshot as CSR buffers: `indptr` (i64), `indices` (i32), `data` (f64 weights).
    #[pyo3(signature = (graph="engagement".to_string(), as_of=None, platform=None))]
    fn graph<'py>(
        &self,
        py: Python<'py>,
        graph: String,
        as_of: Option<String>,
        platform: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let db = self.path.clone();
        let (offsets, targets, weights, n) = to_py(py.detach(|| -> Res<_> {
            let as_of = parse_as_of(as_of.as_deref())?;
            let store = open_existing(&db)?;
            let which = renown_app::open::GraphChoice::parse(&graph).map_err(fail)?;
            let scope = renown_app::Scope::new(as_of, None, platform);
            let g = renown_app::open::graph(&store, which, &scope).map_err(fail)?;
            let out = g.require_out("graph").map_err(fail)?;
            let offsets: Vec<i64> = out.offsets().iter().map(|&o| o as i64).collect();
            let targets: Vec<i32> = out.targets().iter().map(|&t| t as i32).collect();
            let weights: Vec<f64> = match out.weights() {
                Some(w) => w.iter().map(|&x| x as f64).collect(),
                None => vec![1.0; targets.len()],
            };
            Ok((offsets, targets, weights, g.n()))
        }))?;
        let d = PyDict::new(py);
        d.set_item("nodes", n)?;
        d.set_item("indptr", le_bytes(py, &offsets, i64::to_le_bytes))?;
        d.set_item("indices", le_bytes(py, &targets, i32::to_le_bytes))?;
        d.set_item("data", le_bytes(py, &weights, f64::to_le_bytes))?;
        Ok(d)
    }
}

/// Simulates the demo's social network (`renown demo`'s defaults) into a new store at `db`.
#[pyfunction]
#[pyo3(signature = (db, seed=42, accounts=3000))]
fn demo(py: Python<'_>, db: PathBuf, seed: u64, accounts: usize) -> PyResult<String> {
    to_py(py.detach(|| -> Res<String> {
        if db.exists() {
            return Err(format!(
                "{} exists; the demo makes a new store",
                db.display()
            ));
        }
        let cfg = renown_sim::SimConfig {
            seed,
            accounts: accounts.max(100),
            quality_spread: 1.0,
            ..Default::default()
        };
        let sim = renown_sim::simulate(&cfg);
        let mut store = renown_store::Store::open(&db).map_err(fail)?;
        let run = store.begin_run("demo", "simulation").map_err(fail)?;
        for (c, chunk) in sim.events.chunks(50_000).enumerate() {
            let records: Vec<(u64, renown_model::Record)> = chunk
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    (
                        (c * 50_000 + i) as u64,
                        renown_model::Record::Event(e.clone()),
                    )
                })
                .collect();
            store.write_batch(run, &records, 0).map_err(fail)?;
        }
        store.finish_run(run, "clean", None).map_err(fail)?;
        Ok(db.display().to_string())
    }))
}

/// The measures `rank(by=...)` accepts: name and description.
#[pyfunction]
fn measures() -> Vec<(&'static str, &'static str)> {
    renown_measures::MEASURES
        .iter()
        .map(|m| (m.name, m.describe))
        .collect()
}

/// The kind names, indexed by the codes `events()` returns.
#[pyfunction]
fn kind_names() -> Vec<&'static str> {
    let mut names = vec![""; 256];
    for k in renown_model::Kind::ALL {
        names[k.code() as usize] = k.name();
    }
    let last = renown_model::Kind::ALL
        .iter()
        .map(|k| k.code())
        .max()
        .unwrap_or(0);
    names.truncate(last as usize + 1);
    names
}

#[pymodule]
fn _renown(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Store>()?;
    m.add_function(wrap_pyfunction!(demo, m)?)?;
    m.add_function(wrap_pyfunction!(measures, m)?)?;
    m.add_function(wrap_pyfunction!(kind_names, m)?)?;
    m.add("RenownError", m.py().get_type::<RenownError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
