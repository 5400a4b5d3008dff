#![warn(missing_docs)]
//! renown across machines on timely dataflow (Murray, McSherry et al.): sharded inputs, and
//! followers, engagement, PageRank and earned influence computed by `processes × workers` timely workers with
//! the single-machine equations, gathered to process 0. See docs/SCALE.md.
//!
//! timely has no fault tolerance: a process that dies or cannot be reached ends the whole run.
//! Here it ends it within a bounded time with an error naming the process ([`run`]); nothing
//! is written anywhere before the gathered answer exists (the inputs are only read), so the
//! operator fixes the host and runs the same commands again.

pub mod earned;
pub mod incremental;
pub mod input;
pub mod key;
mod live;
pub mod net;
pub mod rank;

pub use key::{account_key, keeps, parse_shard, record_key, shard_of, Layout};
pub use rank::{Gathered, Row, Task, Traffic};

use renown_measures::earned::EarnedParams;
use renown_model::{Kind, ENGAGEMENT_KINDS};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
/// Why a cluster run did not complete.
pub enum ClusterError {
    /// The cluster's configuration (hosts, indices) is wrong.
    #[error("{0}")]
    Config(String),
    /// A process could not be reached, or stopped answering.
    #[error("{0}")]
    Unreachable(String),
    /// An input store could not be read.
    #[error("{0}")]
    Input(String),
    /// The run failed (on this or another process).
    #[error("{0}")]
    Failed(String),
}

/// A cluster operation's result.
pub type Result<T> = std::result::Result<T, ClusterError>;

/// The measures the cluster computes, with the single-machine meaning of the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Standing followers (follows minus unfollows) as of the date.
    Followers,
    /// Engagement events received (every kind but follows), counted.
    Engagement,
    /// PageRank on the follow graph, × n.
    PageRank,
    /// PageRank on the engagement graph weighted by kind, × n.
    EngagementPageRank,
    /// Earned influence (renown-measures' `earned`), with the job's parameters.
    Earned,
}

impl Measure {
    /// The measure's name, as `renown rank --by` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Followers => "followers",
            Measure::Engagement => "engagement",
            Measure::PageRank => "pagerank",
            Measure::EngagementPageRank => "engagement-pagerank",
            Measure::Earned => "earned",
        }
    }

    /// Whether scores are counts (printed as integers).
    pub fn counts(self) -> bool {
        matches!(self, Measure::Followers | Measure::Engagement)
    }
}

/// Where this process sits in the cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// `host:port` of every process, in process order (one entry: a single process).
    pub addresses: Vec<String>,
    /// This process's index into `addresses`.
    pub process: u32,
    /// Worker threads in this process (timely's `-w`).
    pub workers: u32,
    /// How long to wait for every process to connect.
    pub connect_timeout: Duration,
    /// A run that completes no round for this long has lost a process (a host gone silent
    /// without closing its connections).
    pub stall_timeout: Duration,
}

/// What this process reads and what the cluster computes.
#[derive(Clone, Debug)]
pub struct Job {
    /// What to compute.
    pub measure: Measure,
    /// Only events up to this time (unix seconds); `None` = all of them.
    pub as_of: Option<i64>,
    /// Only engagement on this topic (the follow graph is not cut by topic), as `renown rank
    /// --topic` reads it.
    pub topic: Option<String>,
    /// Only events on this platform (`renown rank --platform`).
    pub platform: Option<String>,
    /// Rows gathered (0 = all).
    pub top: usize,
    /// This process's shard stores.
    pub stores: Vec<PathBuf>,
    /// Earned influence's parameters (`renown.toml`'s `[earned]`, as on one machine).
    pub earned: EarnedParams,
    /// The PageRank measures' damping (`[pagerank]`).
    pub pagerank_damping: f64,
    /// The PageRank measures' cap on iterations; `None`: the single machine's for the damping
    /// ([`rank::max_iterations`]). A run that reaches it above its step warns `not-converged`.
    pub pagerank_cap: Option<usize>,
    /// Events each process sends per loading round ([`rank::LOAD_CHUNK`]): its bound on the
    /// events it holds at once while reading (the answer does not depend on it).
    pub load_chunk: usize,
}

impl Job {
    /// The kinds besides follows and unfollows its measure reads.
    fn kinds(&self) -> Vec<Kind> {
        match self.measure {
            Measure::Followers | Measure::PageRank => Vec::new(),
            Measure::Engagement | Measure::EngagementPageRank => ENGAGEMENT_KINDS.to_vec(),
            Measure::Earned => earned::kinds(&self.earned),
        }
    }
}

/// What [`run`] returns on process 0 (`gathered`) and on every process (its traffic).
#[derive(Debug)]
pub struct Outcome {
    /// The rows gathered from every worker (process 0 only; `None` elsewhere).
    pub gathered: Option<Gathered>,
    /// Per worker of this process: messages and bytes sent to other processes, per round.
    pub traffic: Vec<Traffic>,
    /// Exchange rounds the run took.
    pub rounds: u64,
}

fn job_digest(layout: Layout, job: &Job) -> u64 {
    let text = format!(
        "{}|{:?}|{:?}|{:?}|{}|{}x{}|{:?}|{}|{:?}",
        job.measure.name(),
        job.as_of,
        job.topic,
        job.platform,
        job.top,
        layout.processes,
        layout.workers,
        (job.measure == Measure::Earned).then_some(&job.earned),
        job.pagerank_damping,
        job.pagerank_cap
    );
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// Why the run ended early, as the panic hook saw it.
static FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// Runs this process's part of `job`; process 0 gets the gathered ranking. Ends within
/// `connect_timeout` when a process cannot be reached, at once when a connection breaks (with
/// the process named), and within `stall_timeout` when a process stops answering.
pub fn run(config: &ClusterConfig, job: &Job) -> Result<Outcome> {
    let layout = layout_of(config)?;
    if job.measure == Measure::Earned && job.earned.trust.is_some() {
        return Err(ClusterError::Config(
            "earned influence with trust (SybilRank) does not run on a cluster".into(),
        ));
    }
    let task = Task {
        measure: job.measure,
        top: job.top,
        as_of: job.as_of,
        topic: job.topic.clone(),
        platform: job.platform.clone(),
        earned: job.earned.clone(),
        pagerank_damping: job.pagerank_damping,
        pagerank_cap: job.pagerank_cap,
        load_chunk: job.load_chunk,
    };
    let progress = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let process = config.process;
    let worker_job = job.clone();
    let worker_progress = Arc::clone(&progress);
    let worker_finished = Arc::clone(&finished);
    let work = move |worker: &mut timely::worker::Worker| {
        let mut shards = JobShards {
            job: &worker_job,
            process,
            readers: Vec::new(),
            facts: None,
        };
        let reader = (worker.index() as u32).is_multiple_of(layout.workers);
        let shards = reader.then_some(&mut shards as &mut dyn rank::Shards);
        let r = rank::run_worker(worker, layout, &task, shards, Arc::clone(&worker_progress));
        worker_finished.fetch_add(1, Ordering::SeqCst);
        r
    };
    let (gathered, traffic, rounds) = execute(
        config,
        layout,
        job_digest(layout, job),
        work,
        progress,
        finished,
    )?;
    Ok(Outcome {
        gathered,
        traffic,
        rounds,
    })
}

/// A job's shard stores on this process, read in two steps ([`rank::Shards`]).
struct JobShards<'a> {
    job: &'a Job,
    process: u32,
    readers: Vec<input::StoreReader>,
    /// What the scope holds in these stores (read with the events), for the warnings.
    facts: Option<renown_measures::ScopeFacts>,
}

impl rank::Shards for JobShards<'_> {
    fn accounts(&mut self) -> Result<Vec<(u64, u64)>> {
        let mut keyed = Vec::new();
        for path in &self.job.stores {
            let reader = input::StoreReader::open(path)?;
            keyed.extend(reader.keyed());
            self.readers.push(reader);
        }
        Ok(keyed)
    }

    fn name(&self, wanted: &rustc_hash::FxHashSet<u64>) -> Result<Vec<input::Account>> {
        let mut named = Vec::new();
        for reader in &self.readers {
            named.extend(reader.name(wanted)?);
        }
        Ok(named)
    }

    fn events(&mut self, chunk: usize, sink: &mut dyn FnMut(Vec<input::Edge>)) -> Result<()> {
        let job = self.job;
        let kinds = job.kinds();
        let scope = input::StoreScope {
            as_of: job.as_of,
            topic: job.topic.clone(),
            platform: job.platform.clone(),
            graph_under_topic: job.measure == Measure::PageRank,
        };
        let mut facts = renown_measures::ScopeFacts::empty(&renown_measures::Scope::new(
            job.as_of,
            job.topic.clone(),
            job.platform.clone(),
        ));
        for (i, reader) in self.readers.iter().enumerate() {
            let tag = u64::from(self.process) << 16 | i as u64;
            reader.scan(&scope, &kinds, tag, chunk, Some(&mut facts), sink)?;
        }
        self.facts = Some(facts);
        Ok(())
    }

    fn facts(&self) -> Vec<f64> {
        self.facts
            .as_ref()
            .map_or_else(Vec::new, renown_measures::ScopeFacts::to_numbers)
    }
}

/// The cluster's layout, once its configuration is checked.
pub(crate) fn layout_of(config: &ClusterConfig) -> Result<Layout> {
    let processes = config.addresses.len().max(1) as u32;
    if config.process >= processes {
        return Err(ClusterError::Config(format!(
            "--process {} but only {processes} processes (0 to {})",
            config.process,
            processes - 1
        )));
    }
    if config.workers == 0 {
        return Err(ClusterError::Config("--workers must be at least 1".into()));
    }
    Ok(Layout {
        processes,
        workers: config.workers,
    })
}

/// Runs `work` on every worker of this process, in the cluster `config` describes (`digest`
/// names the job in the handshake: every process must run the same), watching for a lost or
/// silent process; returns what worker 0 returned, every worker's traffic and the rounds.
pub(crate) fn execute<F, R>(
    config: &ClusterConfig,
    layout: Layout,
    digest: u64,
    work: F,
    progress: Arc<AtomicU64>,
    finished: Arc<AtomicUsize>,
) -> Result<(Option<R>, Vec<Traffic>, u64)>
where
    F: Fn(&mut timely::worker::Worker) -> Result<(Option<R>, Traffic)> + Send + Sync + 'static,
    R: Send + 'static,
{
    *FAILURE.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let previous = Arc::new(std::panic::take_hook());
    let chained = Arc::clone(&previous);
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current().name().unwrap_or("").to_string();
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        if thread.starts_with("timely:") {
            let mut f = FAILURE.lock().unwrap_or_else(|e| e.into_inner());
            f.get_or_insert(format!("{thread}\u{0}{message}"));
        } else {
            chained(info);
        }
    }));
    let result = start_and_watch(config, layout, digest, work, &progress, &finished);
    // After a failure the timely threads are abandoned, not joined, and go on failing in turn
    // (a worker finds the queue of the lost process poisoned): the hook stays, so their
    // panics are not printed over the error. After a success every thread has ended.
    if result.is_ok() {
        drop(std::panic::take_hook());
        if let Ok(hook) = Arc::try_unwrap(previous) {
            std::panic::set_hook(hook);
        }
    }
    result
}

fn start_and_watch<F, R>(
    config: &ClusterConfig,
    layout: Layout,
    digest: u64,
    work: F,
    progress: &AtomicU64,
    finished: &AtomicUsize,
) -> Result<(Option<R>, Vec<Traffic>, u64)>
where
    F: Fn(&mut timely::worker::Worker) -> Result<(Option<R>, Traffic)> + Send + Sync + 'static,
    R: Send + 'static,
{
    let guards = if layout.processes == 1 {
        timely::execute(timely::Config::process(layout.workers as usize), work)
            .map_err(ClusterError::Failed)?
    } else {
        use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
        use timely::communication::allocator::ProcessBuilder;
        use timely::communication::{AllocatorBuilder, Hooks};
        let hello = net::Hello {
            index: u64::from(config.process),
            processes: u64::from(layout.processes),
            workers: u64::from(layout.workers),
            job: digest,
        };
        let sockets = net::connect(
            &config.addresses,
            hello,
            Instant::now() + config.connect_timeout,
        )?;
        let hooks = Hooks::default();
        let w = layout.workers as usize;
        let process_allocators = ProcessBuilder::new_typed_vector(w, hooks.refill.clone(), None);
        let (builders, guard) = initialize_networking_from_sockets(
            process_allocators,
            sockets,
            config.process as usize,
            w,
            hooks,
        )
        .map_err(|e| ClusterError::Failed(format!("starting timely's network threads: {e}")))?;
        timely::execute::execute_from(
            builders.into_iter().map(AllocatorBuilder::Tcp).collect(),
            Box::new(guard),
            timely::WorkerConfig::default(),
            work,
        )
        .map_err(ClusterError::Failed)?
    };
    // Watch: a broken connection shows as a panic of a timely network thread, a silent host
    // as no round completing.
    let mut last = (progress.load(Ordering::Relaxed), Instant::now());
    loop {
        if finished.load(Ordering::SeqCst) == layout.workers as usize {
            break;
        }
        if let Some(f) = FAILURE.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            std::mem::forget(guards);
            return Err(network_failure(&f, &config.addresses, layout));
        }
        let now = progress.load(Ordering::Relaxed);
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() >= config.stall_timeout {
            std::mem::forget(guards);
            return Err(ClusterError::Unreachable(format!(
                "no progress for {} s (after round {}): a process stopped answering or its host is unreachable; every process must be restarted",
                config.stall_timeout.as_secs(),
                now / u64::from(layout.workers)
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Every worker has returned; the network threads may still fail while closing.
    let mut gathered = None;
    let mut traffic = Vec::new();
    let mut first_error = None;
    for r in guards.join() {
        match r {
            Ok(Ok((g, t))) => {
                gathered = gathered.or(g);
                traffic.push(t);
            }
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(panic) => {
                first_error
                    .get_or_insert(ClusterError::Failed(format!("a worker failed: {panic}")));
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok((
        gathered,
        traffic,
        progress.load(Ordering::Relaxed) / u64::from(layout.workers),
    ))
}

/// The error for a panic of timely thread `name` (`timely:recv-K`, `timely:send-K`: the
/// connection to process K).
fn network_failure(recorded: &str, addresses: &[String], layout: Layout) -> ClusterError {
    let (thread, message) = recorded.split_once('\u{0}').unwrap_or((recorded, ""));
    let peer = thread
        .rsplit('-')
        .next()
        .and_then(|k| k.parse::<usize>().ok())
        .filter(|_| thread.starts_with("timely:recv-") || thread.starts_with("timely:send-"));
    match peer {
        Some(k) => ClusterError::Unreachable(format!(
            "lost process {k} ({}): {message}; the run is abandoned (timely has no fault tolerance): restart every process",
            addresses.get(k).map_or("?", String::as_str)
        )),
        None => ClusterError::Failed(format!(
            "a timely thread ({thread}) failed in a {}-process run: {message}",
            layout.processes
        )),
    }
}
