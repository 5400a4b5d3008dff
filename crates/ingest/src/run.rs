//! The ingest pipeline: a reader thread parses, the calling thread writes batches to the store.

use crate::formats::{detect, format_named, format_names};
use crate::input::{open_input, Compression, HeadEnd, Input};
use crate::lines::{parse_chunk, read_chunks, Chunk, LineParser, MAX_LINE};
use crate::{ReadError, ReadOptions, Sink, Stop};
use crossbeam_channel::{bounded, Receiver, Sender};
use renown_model::{escape_controls, identity_at, Record};
use renown_store::{ResolvedBatch, Resolver, Store, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const BATCH: usize = 50_000;
/// Reject lines each run writes to the rejects file; the rest are counted in one last line, so
/// a file in the wrong format cannot fill a disk with them.
pub const REJECTS_KEPT: u64 = 1_000;

/// How one input is ingested.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// Forces a reader by name; otherwise it is detected from the name and content.
    pub format: Option<String>,
    /// What the reader is told (edge kind, platform namespace).
    pub read: ReadOptions,
    /// Stop at the first bad record.
    pub strict: bool,
    /// Where `file:line: reason` lines go; `None` keeps them only in the report.
    pub rejects_path: Option<PathBuf>,
    /// Keeps only the records it accepts (`renown ingest --shard`); the others are read,
    /// and their positions counted, as if kept, so identities match an unfiltered run.
    pub keep: Option<RecordFilter>,
}

/// A predicate on records, shared with the reader's thread.
#[derive(Clone)]
pub struct RecordFilter(pub std::sync::Arc<dyn Fn(&Record) -> bool + Send + Sync>);

impl std::fmt::Debug for RecordFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordFilter")
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every record read and stored.
    Clean,
    /// Some records rejected or the input damaged; every good record was stored.
    Partial,
    /// The file could not be read at all, or `--strict` stopped it.
    Failed,
}

/// What one ingest run did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunReport {
    /// The input as named.
    pub file: String,
    /// The reader that read it.
    pub format: String,
    /// How it ended.
    pub status: Status,
    /// Records the reader produced (events and profiles).
    pub read: u64,
    /// Events new to the store.
    pub added: u64,
    /// Events already in the store.
    pub duplicate: u64,
    /// Records refused.
    pub rejected: u64,
    /// Profiles written.
    pub profiles: u64,
    /// Events identical in every field to an earlier one in the same file; kept, because the
    /// source lists them separately.
    pub repeated: u64,
    /// The first rejects (the first [`REJECTS_KEPT`] are in the rejects file), control
    /// characters escaped like every text here that comes from the file.
    pub first_rejects: Vec<String>,
    /// Where and how the input was damaged (a truncated gzip), when it was.
    pub damage: Option<String>,
    /// Recoverable oddities the reader met.
    pub warnings: Vec<String>,
    /// Why the run failed, when it did.
    pub error: Option<String>,
    /// Wall time.
    pub seconds: f64,
}

/// Progress callback: (raw bytes read, raw size if known, records read so far).
pub type Progress<'a> = &'a mut dyn FnMut(u64, Option<u64>, u64);

enum Msg {
    /// Records with their identities (profiles carry 0), and which are new with their accounts
    /// and topics named when the sender resolved them; otherwise the writer does.
    Batch(Vec<(u64, Record)>, Option<ResolvedBatch>),
    Reject(u64, String),
    Damaged(u64, String),
    Warn(String),
}

struct ChannelSink {
    tx: Sender<Msg>,
    batch: Vec<(u64, Record)>,
    /// Emptied batches coming back from the dropping thread: reusing their buffers spares
    /// the reader a fresh 12 MB allocation, and its page faults, per batch.
    empties: Receiver<Vec<(u64, Record)>>,
    strict: bool,
    /// Content hashes of the events without a source id, counted for repeats once the file
    /// is read: sorting them once costs less than a hash-set probe per event.
    contents: Vec<u64>,
    keep: Option<RecordFilter>,
}

impl ChannelSink {
    fn flush(&mut self) -> Result<(), Stop> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let next = match self.empties.try_recv() {
            Ok(empty) => empty,
            Err(_) => Vec::with_capacity(BATCH),
        };
        let batch = std::mem::replace(&mut self.batch, next);
        self.tx.send(Msg::Batch(batch, None)).map_err(|_| Stop)
    }
}

/// A record's identity (0 for profiles and deletions); the content hash of an event without a
/// source id goes to `contents`, for counting repeats. Hashed by the reading threads, to keep
/// the writer's loop short.
fn identity(position: u64, record: &Record, contents: &mut Vec<u64>) -> u64 {
    match record {
        Record::Event(e) if e.source_id.is_none() => {
            let content = e.content_hash();
            contents.push(content);
            identity_at(content, position)
        }
        Record::Event(e) => e.identity(position),
        Record::Profile(_) | Record::Deletion(_) => 0,
    }
}

impl Sink for ChannelSink {
    fn record(&mut self, position: u64, record: Record) -> Result<(), Stop> {
        if self.keep.as_ref().is_some_and(|keep| !(keep.0)(&record)) {
            return Ok(());
        }
        let key = identity(position, &record, &mut self.contents);
        self.batch.push((key, record));
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }
    fn reject(&mut self, line: u64, reason: String) -> Result<(), Stop> {
        self.tx.send(Msg::Reject(line, reason)).map_err(|_| Stop)?;
        if self.strict {
            Err(Stop)
        } else {
            Ok(())
        }
    }
    fn damaged(&mut self, line: u64, reason: String) {
        let _ = self.flush();
        let _ = self.tx.send(Msg::Damaged(line, reason));
    }
    fn warn(&mut self, message: String) {
        let _ = self.tx.send(Msg::Warn(message));
    }
}

/// Reads `input` with `format` on this thread and sends the writer its records in batches.
/// Returns the read's result and the repeats.
fn read_sequentially(
    format: &dyn crate::Format,
    input: &mut Input,
    opts: &IngestOptions,
    tx: Sender<Msg>,
    empties: Receiver<Vec<(u64, Record)>>,
) -> (Result<(), ReadError>, u64) {
    let mut sink = ChannelSink {
        tx,
        batch: Vec::with_capacity(BATCH),
        empties,
        strict: opts.strict,
        contents: Vec::new(),
        keep: opts.keep.clone(),
    };
    let result = format.read(input, &opts.read, &mut sink);
    let flushed = sink.flush();
    let result = match (result, flushed) {
        (Ok(()), Err(Stop)) => Err(ReadError::Stopped),
        (r, _) => r,
    };
    (result, repeats(sink.contents))
}

/// What one parsing thread makes of one chunk, sent to the writer in file order once the
/// chunks before it are sent: its rejects, then its records as one batch, then any damage
/// (the order `ChannelSink` sends them in).
struct ChunkSink<'a> {
    batch: Vec<(u64, Record)>,
    /// Rejects, and at the end the batch and the damage.
    msgs: Vec<Msg>,
    contents: Vec<u64>,
    strict: bool,
    keep: Option<&'a RecordFilter>,
}

impl Sink for ChunkSink<'_> {
    fn record(&mut self, position: u64, record: Record) -> Result<(), Stop> {
        if self.keep.is_some_and(|keep| !(keep.0)(&record)) {
            return Ok(());
        }
        let key = identity(position, &record, &mut self.contents);
        self.batch.push((key, record));
        Ok(())
    }
    fn reject(&mut self, line: u64, reason: String) -> Result<(), Stop> {
        self.msgs.push(Msg::Reject(line, reason));
        if self.strict {
            Err(Stop)
        } else {
            Ok(())
        }
    }
    fn damaged(&mut self, line: u64, reason: String) {
        self.finish();
        self.msgs.push(Msg::Damaged(line, reason));
    }
    fn warn(&mut self, message: String) {
        self.msgs.push(Msg::Warn(message));
    }
}

impl ChunkSink<'_> {
    /// Puts the records read so far after the messages.
    fn finish(&mut self) {
        if !self.batch.is_empty() {
            self.msgs
                .push(Msg::Batch(std::mem::take(&mut self.batch), None));
        }
    }
}

/// Whose turn it is to send: chunks are parsed in any order but sent in file order.
#[derive(Default)]
struct Turns {
    state: std::sync::Mutex<TurnState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct TurnState {
    /// The next chunk to send.
    next: u64,
    /// Nothing more is sent: `--strict` stopped, the writer stopped, or a parser panicked.
    stopped: bool,
}

impl Turns {
    /// Waits until chunk `seq` may send; false once sending has stopped.
    fn wait(&self, seq: u64) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !state.stopped && state.next != seq {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        !state.stopped
    }
    /// Chunk `next` has been sent (or, with `stop`, nothing more will be).
    fn pass(&self, stop: bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.next += 1;
        state.stopped |= stop;
        self.changed.notify_all();
    }
}

/// Stops every waiting parser if its thread unwinds before passing its turn.
struct StopOnPanic<'a>(&'a Turns);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.pass(true);
        }
    }
}

/// Whether chunks of `input` may be parsed on several threads. Not for a compressed stream: its
/// reading thread is busy inflating, and with the parsers and the writer beside it the run was
/// slower than parsing on the reading thread (2 cores, Higgs' .gz: 1.34-1.37 M events/s against
/// 1.66-1.71; BENCHMARKS.md, "Parsing on every core").
fn parses_in_parallel(input: &Input) -> bool {
    input.compression == Compression::None
}

/// Reads `stream` in chunks of whole lines, parses them with `parser` on one thread per core
/// and sends the writer exactly the messages the sequential reader would, in the same order
/// (the chunks' records as batches in file order). Returns the read's result and the repeats.
fn read_in_parallel(
    stream: &mut dyn std::io::BufRead,
    parser: &dyn LineParser,
    chunk_lines: u64,
    opts: &IngestOptions,
    resolver: Option<&std::sync::Mutex<Resolver>>,
    tx: Sender<Msg>,
    empties: Receiver<Vec<(u64, Record)>>,
) -> (Result<(), ReadError>, u64) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    let (work_tx, work_rx) = bounded::<Chunk>(threads);
    // Chunk buffers go back to the reading loop, so it does not fault in fresh pages for each.
    let (spare_tx, spare_rx) = bounded::<Vec<u8>>(2 * threads + 2);
    let turns = Turns::default();
    std::thread::scope(|scope| {
        let parsers: Vec<_> = (0..threads)
            .map(|_| {
                let (work_rx, tx, empties, spare_tx) = (
                    work_rx.clone(),
                    tx.clone(),
                    empties.clone(),
                    spare_tx.clone(),
                );
                let turns = &turns;
                scope.spawn(move || {
                    let _guard = StopOnPanic(turns);
                    let mut contents = Vec::new();
                    let mut strict_stop = false;
                    for chunk in work_rx.iter() {
                        let mut sink = ChunkSink {
                            batch: empties
                                .try_recv()
                                .unwrap_or_else(|_| Vec::with_capacity(BATCH)),
                            msgs: Vec::new(),
                            contents: Vec::new(),
                            strict: opts.strict,
                            keep: opts.keep.as_ref(),
                        };
                        let parsed = parse_chunk(&chunk, MAX_LINE, parser, &mut sink);
                        sink.finish();
                        let _ = spare_tx.try_send(chunk.bytes);
                        if !turns.wait(chunk.seq) {
                            break;
                        }
                        let sent = sink.msgs.into_iter().all(|m| {
                            let m = match (m, resolver) {
                                // Resolved here, in file order as the turns go, so the
                                // writer's thread only writes.
                                (Msg::Batch(batch, None), Some(resolver)) => {
                                    let resolved = resolve(resolver, &batch);
                                    Msg::Batch(batch, Some(resolved))
                                }
                                (m, _) => m,
                            };
                            tx.send(m).is_ok()
                        });
                        contents.extend_from_slice(&sink.contents);
                        strict_stop = parsed.is_err();
                        turns.pass(strict_stop || !sent);
                        if strict_stop || !sent {
                            break;
                        }
                    }
                    (contents, strict_stop)
                })
            })
            .collect();
        // The parsers hold the only senders now: the writer's loop ends when they do.
        drop((work_rx, tx));
        let read = read_chunks(
            stream,
            chunk_lines,
            MAX_LINE,
            || spare_rx.try_recv().unwrap_or_default(),
            |chunk| work_tx.send(chunk).map_err(|_| Stop),
        );
        drop(work_tx);
        let mut contents = Vec::new();
        let mut result = read.map_err(|_| ReadError::Stopped);
        for parser in parsers {
            match parser.join() {
                Ok((mut theirs, strict_stop)) => {
                    contents.append(&mut theirs);
                    if strict_stop {
                        result = Err(ReadError::Stopped);
                    }
                }
                // Its resolver may be half updated: the reader's thread fails as a whole, so
                // the store reloads its view.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        (result, repeats(contents))
    })
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Which of `batch`'s events are new, and their accounts and topics named.
fn resolve(resolver: &std::sync::Mutex<Resolver>, batch: &[(u64, Record)]) -> ResolvedBatch {
    lock(resolver).resolve(batch)
}

/// How many of `contents` equal an earlier one.
fn repeats(mut contents: Vec<u64>) -> u64 {
    contents.sort_unstable();
    contents.windows(2).filter(|w| w[0] == w[1]).count() as u64
}

/// Reads `path` with the chosen or detected reader and writes it into `store`.
///
/// Errors are only store failures; everything about the input goes into the report.
pub fn ingest_path(
    store: &mut Store,
    path: &Path,
    opts: &IngestOptions,
    progress: Progress<'_>,
) -> Result<RunReport, StoreError> {
    let started = Instant::now();
    let display = path.display().to_string();
    let mut report = empty_report(display.clone());
    let input = match open_input(path) {
        Ok(i) => i,
        Err(e) => {
            report.error =
                Some(escape_controls(&format!("{display}: cannot open: {e}")).into_owned());
            return Ok(report);
        }
    };
    ingest_opened(store, input, opts, progress, report, started)
}

/// Like [`ingest_path`] for an already opened input, such as an HTTP upload wrapped with
/// [`crate::input::open_reader`]; the report names it by `input.display`.
pub fn ingest_input(
    store: &mut Store,
    input: Input,
    opts: &IngestOptions,
    progress: Progress<'_>,
) -> Result<RunReport, StoreError> {
    let started = Instant::now();
    let report = empty_report(input.display.clone());
    ingest_opened(store, input, opts, progress, report, started)
}

fn empty_report(file: String) -> RunReport {
    RunReport {
        file,
        format: String::new(),
        status: Status::Failed,
        read: 0,
        added: 0,
        duplicate: 0,
        rejected: 0,
        profiles: 0,
        repeated: 0,
        first_rejects: Vec::new(),
        damage: None,
        warnings: Vec::new(),
        error: None,
        seconds: 0.0,
    }
}

fn ingest_opened(
    store: &mut Store,
    mut input: Input,
    opts: &IngestOptions,
    progress: Progress<'_>,
    mut report: RunReport,
    started: Instant,
) -> Result<RunReport, StoreError> {
    let display = report.file.clone();
    if let (None, HeadEnd::Damaged(reason)) = (&opts.format, &input.head_end) {
        // A cut or corrupt compressed file whose first 64 KiB do not even decompress: what
        // little there is could pass for several formats (one line of Higgs reads as a SNAP
        // follow), so nothing is guessed.
        report.error = Some(escape_controls(&format!(
            "{display}: the stream is damaged after {} bytes of content ({reason}): too little to tell its format; --format reads the complete records before the damage",
            input.head.len()
        )).into_owned());
        return Ok(report);
    }
    let blank = matches!(input.head_end, HeadEnd::End)
        && input.head.iter().all(|b| b.is_ascii_whitespace());
    let format = match &opts.format {
        Some(name) => format_named(name),
        // An empty file has no format to tell: say what it is, not "use --format".
        None if blank && !input.is_dir => Err(escape_controls(&format!(
            "{display}: {}: there is nothing to read",
            if input.head.is_empty() {
                "the file is empty"
            } else {
                "the file holds nothing but white space"
            }
        ))
        .into_owned()),
        None => detect(&input).ok_or_else(|| {
            escape_controls(&format!(
                "{display}: cannot tell its format from its name and content; use --format (one of: {})",
                format_names().join(", ")
            ))
            .into_owned()
        }),
    };
    let format = match format {
        Ok(format) => format,
        Err(e) => {
            report.error = Some(e);
            return Ok(report);
        }
    };
    report.format = format.name().to_string();
    let run = store.begin_run(&display, format.name())?;
    let outcome = pump(store, run, format, &mut input, opts, &mut report, progress);
    report.seconds = started.elapsed().as_secs_f64();
    let (status, message) = match outcome {
        Err(e) => {
            let _ = store.finish_run(run, "failed", Some(&e.to_string()));
            return Err(e);
        }
        Ok(Err(read_err)) => {
            let msg = match &read_err {
                ReadError::Stopped => match report.first_rejects.first() {
                    Some(first) => format!("stopped at the first bad record (--strict): {first}"),
                    None => read_err.to_string(),
                },
                other => format!("{display}: {other}"),
            };
            let msg = escape_controls(&msg).into_owned();
            report.error = Some(msg.clone());
            (Status::Failed, Some(msg))
        }
        Ok(Ok(())) if report.read == 0 && report.rejected > 0 => {
            // Not one good record: the file is not in this format, whatever was detected or
            // forced, and "partial" would call a wrong guess a success.
            let how = if opts.format.is_some() {
                "--format"
            } else {
                "detection"
            };
            let msg = format!(
                "{display}: every one of its {} records was rejected: this is not {} data (chosen by {how}; the first, line {}); see `renown ingest --help` for the formats",
                report.rejected,
                format.name(),
                report
                    .first_rejects
                    .first()
                    .and_then(|r| r.strip_prefix(escape_controls(&display).as_ref()))
                    .map_or("?", |r| r.trim_start_matches(':')),
            );
            let msg = escape_controls(&msg).into_owned();
            report.error = Some(msg.clone());
            (Status::Failed, Some(msg))
        }
        Ok(Ok(())) if input.is_dir && report.read == 0 && report.damage.is_none() => {
            let msg = format!(
                "{display}: a folder in which the {} reader found nothing to read",
                format.name()
            );
            let msg = escape_controls(&msg).into_owned();
            report.error = Some(msg.clone());
            (Status::Failed, Some(msg))
        }
        Ok(Ok(())) if report.rejected > 0 || report.damage.is_some() => (Status::Partial, None),
        Ok(Ok(())) => (Status::Clean, None),
    };
    report.status = status;
    let status_name = match status {
        Status::Clean => "clean",
        Status::Partial => "partial",
        Status::Failed => "failed",
    };
    store.finish_run(
        run,
        status_name,
        message.as_deref().or(report.damage.as_deref()),
    )?;
    Ok(report)
}

/// Runs the reader on its own thread and writes what it sends. The outer result is the store's,
/// the inner one the reader's.
fn pump(
    store: &mut Store,
    run: renown_store::RunId,
    format: &'static dyn crate::Format,
    input: &mut Input,
    opts: &IngestOptions,
    report: &mut RunReport,
    progress: Progress<'_>,
) -> Result<Result<(), ReadError>, StoreError> {
    let (tx, rx) = bounded::<Msg>(4);
    let bytes = input.bytes_read.clone();
    let size = input.size;
    let mut rejects_file: Option<std::io::BufWriter<std::fs::File>> = None;
    let mut rejects_unwritable = false;
    let display = report.file.clone();
    // Batches are resolved (which events are new, their accounts named) in file order: by the
    // writer after a sequential reader, the longer stage (BENCHMARKS.md, "Toward 2 M
    // events/s"); by the parsing thread whose turn it is to send after a parallel one, so the
    // writer, then the longer stage, only writes.
    let resolver = std::sync::Mutex::new(store.take_resolver()?);
    let resolver = &resolver;
    // Optional: without it the close checkpoints everything at once.
    let checkpointer = store.checkpointer().ok();
    std::thread::scope(|scope| {
        // Freeing a batch's strings costs the writer as much as some of the writing: another
        // thread does it, hands the emptied buffer back to the reader, then checkpoints. (Made
        // inside the scope, so the writer's end closes before the scope waits for that thread.)
        let (drop_tx, drop_rx) = bounded::<(Vec<(u64, Record)>, ResolvedBatch)>(2);
        // Room for every batch the pipeline holds (one per parser, four sent, two written).
        let (empty_tx, empties) = bounded::<Vec<(u64, Record)>>(8);
        let parallel = parses_in_parallel(input);
        let reader = scope.spawn(move || {
            match parallel
                .then(|| format.line_parser(input, &opts.read))
                .flatten()
            {
                // Chunks of a batch's lines: on a clean file the writer's batches and transactions
                // are those of the sequential reader.
                Some(parser) => read_in_parallel(
                    &mut input.stream,
                    &*parser,
                    BATCH as u64,
                    opts,
                    Some(resolver),
                    tx,
                    empties,
                ),
                None => read_sequentially(format, input, opts, tx, empties),
            }
        });
        // Batches arrive here once committed: the same thread checkpoints them while the next
        // batches are parsed, so that the close has little left to copy.
        scope.spawn(move || {
            for (mut batch, resolved) in drop_rx.iter() {
                batch.clear();
                drop(resolved);
                let _ = empty_tx.try_send(batch);
                if let Some(c) = checkpointer.as_ref().filter(|_| drop_rx.is_empty()) {
                    // A failed passive checkpoint leaves the pages for the next one or the close.
                    let _ = c.checkpoint();
                }
            }
        });
        let mut pending_rejects = 0u64;
        let mut last_progress = Instant::now();
        let mut store_result: Result<(), StoreError> = Ok(());
        for msg in rx.iter() {
            match msg {
                Msg::Batch(batch, resolved) => {
                    let resolved = resolved.unwrap_or_else(|| resolve(resolver, &batch));
                    match store.write_resolved_batch(run, &batch, &resolved, pending_rejects) {
                        Ok(c) => {
                            report.read += batch.len() as u64;
                            report.added += c.added;
                            report.duplicate += c.duplicate;
                            report.profiles += c.profiles;
                            pending_rejects = 0;
                        }
                        Err(e) => {
                            store_result = Err(e);
                            break; // dropping rx stops the reader
                        }
                    }
                    let _ = drop_tx.send((batch, resolved));
                    if last_progress.elapsed() > Duration::from_millis(100) {
                        progress(bytes.load(Ordering::Relaxed), size, report.read);
                        last_progress = Instant::now();
                    }
                }
                Msg::Reject(line, reason) => {
                    report.rejected += 1;
                    pending_rejects += 1;
                    let text = escape_controls(&format!("{display}:{line}: {reason}")).into_owned();
                    if report.rejected > REJECTS_KEPT {
                        continue;
                    }
                    if let Some(path) = opts.rejects_path.as_ref().filter(|_| !rejects_unwritable) {
                        if rejects_file.is_none() {
                            match std::fs::OpenOptions::new()
                                .create(true)
                                .append(true)
                                .open(path)
                            {
                                Ok(f) => rejects_file = Some(std::io::BufWriter::new(f)),
                                Err(e) => {
                                    // Said once: the rejects are then only in this report.
                                    rejects_unwritable = true;
                                    report.warnings.push(
                                        escape_controls(&format!(
                                            "{}: cannot write the rejects file: {e}",
                                            path.display()
                                        ))
                                        .into_owned(),
                                    );
                                }
                            }
                        }
                        if let Some(f) = rejects_file.as_mut() {
                            let _ = writeln!(f, "{text}");
                        }
                    }
                    if report.first_rejects.len() < 10 {
                        report.first_rejects.push(text);
                    }
                }
                Msg::Damaged(line, reason) => {
                    report.damage =
                        Some(escape_controls(&format!("{display}:{line}: {reason}")).into_owned());
                }
                Msg::Warn(w) => report
                    .warnings
                    .push(escape_controls(&format!("{display}: {w}")).into_owned()),
            }
        }
        drop(rx);
        if let Some(f) = rejects_file.as_mut() {
            if report.rejected > REJECTS_KEPT {
                let _ = writeln!(
                    f,
                    "{}: {} more rejects not written (the rejects file keeps the first {REJECTS_KEPT} of each run)",
                    escape_controls(&display),
                    report.rejected - REJECTS_KEPT
                );
            }
            let _ = f.flush();
        }
        let (read_result, repeated) = match reader.join() {
            Ok((result, repeated)) => {
                // Every batch it resolved was written unless the store failed: then it is
                // dropped and the store reloads its view from disk.
                if store_result.is_ok() {
                    let resolver = std::mem::take(&mut *lock(resolver));
                    store.put_resolver(resolver);
                }
                (result, repeated)
            }
            Err(_) => (Err(ReadError::Format("the reader crashed".into())), 0),
        };
        report.repeated = repeated;
        store_result?;
        // Rejects after the last batch still count in the run's row.
        if pending_rejects > 0 {
            store.write_batch(run, &[], pending_rejects)?;
        }
        progress(bytes.load(Ordering::Relaxed), size, report.read);
        Ok(read_result)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_count_every_copy_after_the_first() {
        assert_eq!(repeats(vec![]), 0);
        assert_eq!(repeats(vec![3, 1, 2]), 0);
        assert_eq!(repeats(vec![5, 1, 5, 5, 1, 9]), 3);
    }

    /// Repeated lines across several batches (so emptied batch buffers are reused) are all
    /// kept, counted as repeats, and a second ingest adds nothing.
    #[test]
    fn repeated_records_are_kept_and_counted_across_batches() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("activity.txt");
        let lines = 2 * BATCH + 1_000;
        let mut text = String::new();
        for i in 0..lines {
            // Every 10th line repeats the line before it exactly.
            let j = if i % 10 == 9 { i - 1 } else { i };
            text.push_str(&format!("{} {} {} RT\n", j, j + 1, 1_341_100_972 + j));
        }
        std::fs::write(&file, text).unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let opts = IngestOptions::default();
        let first = ingest_path(&mut store, &file, &opts, &mut |_, _, _| {}).unwrap();
        assert_eq!(first.status, Status::Clean);
        assert_eq!((first.read, first.added), (lines as u64, lines as u64));
        assert_eq!(first.repeated, (lines / 10) as u64);
        let again = ingest_path(&mut store, &file, &opts, &mut |_, _, _| {}).unwrap();
        assert_eq!((again.added, again.duplicate), (0, lines as u64));
        assert_eq!(again.repeated, (lines / 10) as u64);
    }

    /// What the reader sends: its records in order (across batches: the parallel reader cuts
    /// batches by lines, the sequential one by records), its other messages in order (a reject
    /// reaches the writer before the records around it either way), then the read's result
    /// and the repeats.
    fn messages(path: &Path, opts: &IngestOptions, parallel: bool) -> Sent {
        let mut input = open_input(path).unwrap();
        let format = match &opts.format {
            Some(name) => format_named(name).unwrap(),
            None => detect(&input).unwrap(),
        };
        let (tx, rx) = bounded::<Msg>(4);
        let (_empty_tx, empties) = bounded::<Vec<(u64, Record)>>(2);
        // The parallel reader resolves its batches as it sends them, the writer those of the
        // sequential one: either way each store sees the same new and duplicate events.
        let resolver = std::sync::Mutex::new(Resolver::default());
        let (mut added, mut duplicate) = (0, 0);
        std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                if parallel {
                    let parser = format
                        .line_parser(&input, &opts.read)
                        .expect("a line format");
                    let resolver = Some(&resolver);
                    read_in_parallel(
                        &mut input.stream,
                        &*parser,
                        CHUNK,
                        opts,
                        resolver,
                        tx,
                        empties,
                    )
                } else {
                    read_sequentially(format, &mut input, opts, tx, empties)
                }
            });
            let (mut records, mut others) = (Vec::new(), Vec::new());
            for msg in rx.iter() {
                match msg {
                    Msg::Batch(mut batch, resolved) => {
                        assert_eq!(resolved.is_some(), parallel);
                        let counts = resolved
                            .unwrap_or_else(|| resolve(&resolver, &batch))
                            .counts();
                        (added, duplicate) = (added + counts.added, duplicate + counts.duplicate);
                        records.append(&mut batch);
                    }
                    Msg::Reject(line, reason) => others.push(format!("reject {line}: {reason}")),
                    Msg::Damaged(line, reason) => others.push(format!("damaged {line}: {reason}")),
                    Msg::Warn(w) => others.push(format!("warn {w}")),
                }
            }
            let (result, repeated) = reader.join().unwrap();
            (
                records,
                others,
                format!("{result:?}, {repeated} repeated, {added} new, {duplicate} duplicate"),
            )
        })
    }

    /// Lines per chunk in these tests: small, so a small file makes several chunks.
    const CHUNK: u64 = 1_000;

    /// Records with their identities, other messages, how the read ended.
    type Sent = (Vec<(u64, Record)>, Vec<String>, String);

    /// Higgs lines over several chunks, with bad, blank and repeated lines in later chunks.
    fn activity(lines: usize, bad: &[usize]) -> String {
        let mut text = String::new();
        for i in 1..=lines {
            // Every 100th line repeats the one before it.
            let j = if i % 100 == 0 { i - 1 } else { i };
            match j {
                _ if bad.contains(&i) => text.push_str("12 13 not-a-time RT\n"),
                _ if i % 777 == 0 => text.push_str("  \r\n"),
                _ if j % 3 == 0 => text.push_str(&format!(
                    "{} {} {} MT\r\n",
                    j % 900,
                    j % 700,
                    1_341_100_972 + j
                )),
                _ => text.push_str(&format!(
                    "{} {} {} RT\n",
                    j % 900,
                    j % 700,
                    1_341_100_972 + j
                )),
            }
        }
        text
    }

    /// Plain line files are parsed on every core; a compressed one on its reading thread, which
    /// measured faster on two cores (see `parses_in_parallel`).
    #[test]
    fn only_uncompressed_input_is_parsed_in_parallel() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let text = activity(100, &[]);
        let plain = dir.path().join("activity.txt");
        std::fs::write(&plain, &text).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let packed = dir.path().join("activity.txt.gz");
        std::fs::write(&packed, gz.finish().unwrap()).unwrap();
        assert!(parses_in_parallel(&open_input(&plain).unwrap()));
        assert!(!parses_in_parallel(&open_input(&packed).unwrap()));
    }

    /// The parallel reader sends the writer what the sequential one sends, in the same order:
    /// the same records with the same identities, the same rejects with their line numbers,
    /// the same damage, the same repeats; with `--strict` it stops at the same record.
    #[test]
    fn parallel_parsing_sends_what_the_sequential_reader_sends() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let lines = 5_500;
        // A bad line in the second chunk, and one in the fifth.
        let text = activity(lines, &[1_777, 4_010]);
        let plain = dir.path().join("activity.txt");
        std::fs::write(&plain, &text).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let cut = dir.path().join("cut.txt.gz");
        std::fs::write(&cut, &gz[..gz.len() * 4 / 5]).unwrap();
        let edges: String = std::iter::once("# Undirected graph\r\n".to_string())
            .chain((0..5_000).map(|i| match i {
                _ if i == 1_005 => "1\tx\n".to_string(),
                _ if i % 500 == 0 => "# a comment after the data\n".to_string(),
                _ => format!("{}\t{}\r\n", i % 3_000, i % 1_000),
            }))
            .collect();
        let snap = dir.path().join("soc-Test.txt");
        std::fs::write(&snap, edges).unwrap();

        let higgs = IngestOptions {
            format: Some("higgs".into()),
            ..IngestOptions::default()
        };
        let strict = IngestOptions {
            strict: true,
            ..higgs.clone()
        };
        let detected = IngestOptions::default();
        let cases = [
            (&plain, &higgs),
            (&cut, &higgs),
            (&plain, &strict),
            (&snap, &detected),
        ];
        let [plain_sent, cut_sent, strict_sent, snap_sent] = cases.map(|(path, opts)| {
            let (records, others, ended) = messages(path, opts, false);
            let parallel = messages(path, opts, true);
            assert_eq!(ended, parallel.2, "{path:?}");
            assert_eq!(others, parallel.1, "{path:?}");
            assert_eq!(records.len(), parallel.0.len(), "{path:?}");
            if let Some(i) = (0..records.len()).find(|&i| records[i] != parallel.0[i]) {
                panic!(
                    "{path:?}: record {i} differs: {:?} / {:?}",
                    records[i], parallel.0[i]
                );
            }
            parallel
        });
        // What the cases above are meant to reach: 55 exact repeats, blank lines at every
        // 777th line, rejects in later chunks, damage, a strict stop mid-chunk.
        let (records, others, ended) = plain_sent;
        assert_eq!(
            ended,
            format!("Ok(()), 55 repeated, {} new, 0 duplicate", records.len())
        );
        assert_eq!(records.len(), lines - 2 - lines / 777);
        assert_eq!(
            others,
            [1_777, 4_010].map(|l| format!("reject {l}: timestamp is not an integer"))
        );
        let (records, others, _) = cut_sent;
        assert!(records.len() > 2 * CHUNK as usize && records.len() < lines - 500);
        assert!(others.last().unwrap().starts_with("damaged "), "{others:?}");
        let (records, others, ended) = strict_sent;
        assert_eq!(ended, "Err(Stopped), 17 repeated, 1774 new, 0 duplicate");
        assert_eq!(records.len(), 1_777 - 1 - 2);
        assert_eq!(others.len(), 1);
        let (records, others, _) = snap_sent;
        assert!(records.len() > 5_000, "undirected: edges both ways");
        assert_eq!(others, ["reject 1007: target node is not a numeric id"]);
    }

    fn ingest_file(dir: &Path, name: &str, bytes: &[u8], format: Option<&str>) -> RunReport {
        let file = dir.join(name);
        std::fs::write(&file, bytes).unwrap();
        let mut store = Store::open(&dir.join("r.db")).unwrap();
        let opts = IngestOptions {
            format: format.map(str::to_string),
            rejects_path: Some(dir.join("rejects.txt")),
            ..IngestOptions::default()
        };
        ingest_path(&mut store, &file, &opts, &mut |_, _, _| {}).unwrap()
    }

    /// A SNAP edge list forced through the Higgs reader: every line is rejected. That is a
    /// failed run naming the format, not a "partial" one, and the rejects file stays small.
    #[test]
    fn a_run_that_rejects_every_record_fails_and_its_rejects_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let lines = REJECTS_KEPT as usize * 3;
        let text: String = (0..lines).map(|i| format!("{i}\t{}\n", i + 1)).collect();
        let r = ingest_file(dir.path(), "edges.txt", text.as_bytes(), Some("higgs"));
        assert_eq!(r.status, Status::Failed);
        assert_eq!((r.read, r.rejected), (0, lines as u64));
        let err = r.error.unwrap();
        assert!(err.contains("this is not higgs data"), "{err}");
        let rejects = std::fs::read_to_string(dir.path().join("rejects.txt")).unwrap();
        let kept: Vec<&str> = rejects.lines().collect();
        assert_eq!(kept.len() as u64, REJECTS_KEPT + 1);
        assert!(kept[0].ends_with("edges.txt:1: expected 4 fields: userA userB unix_ts RT|MT|RE"));
        assert!(
            kept[REJECTS_KEPT as usize].contains(&format!(
                "{} more rejects not written",
                lines as u64 - REJECTS_KEPT
            )),
            "{}",
            kept[REJECTS_KEPT as usize]
        );
    }

    /// Higgs lines gzipped and cut after 100 bytes: one whole line and a cut one. The cut
    /// line read as a SNAP follow; now nothing is guessed, and a forced format reads the whole
    /// line and reports the damage.
    #[test]
    fn a_cut_compressed_file_is_not_guessed_at() {
        use std::io::Write;
        let text: String = (0..2000)
            .map(|i| format!("{} {} {} RT\n", 223_789 + i, 213_163 + i, 1_341_100_972 + i))
            .collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let r = ingest_file(dir.path(), "cut.gz", &gz[..100], None);
        assert_eq!(r.status, Status::Failed);
        assert_eq!(r.read, 0);
        let err = r.error.unwrap();
        assert!(err.contains("damaged") && err.contains("--format"), "{err}");
        let r = ingest_file(dir.path(), "cut.gz", &gz[..100], Some("higgs"));
        assert_eq!(r.status, Status::Partial);
        assert!(r.read >= 1 && r.rejected == 0, "{r:?}");
        assert!(r.damage.unwrap().contains("damaged"));
    }

    /// An empty file, plain or compressed, or one of white space only, is said to be so, not
    /// sent to `--format`; forced through a reader it reads nothing, cleanly.
    #[test]
    fn an_empty_file_is_said_to_be_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"").unwrap();
        let gz = gz.finish().unwrap();
        for (name, bytes, said) in [
            ("empty.csv", &b""[..], "the file is empty"),
            ("empty.csv.gz", &gz[..], "the file is empty"),
            (
                "blank.jsonl",
                &b"\r\n \n\t\n"[..],
                "nothing but white space",
            ),
        ] {
            let r = ingest_file(dir.path(), name, bytes, None);
            assert_eq!(r.status, Status::Failed, "{name}");
            let err = r.error.unwrap();
            assert!(
                err.contains(said) && err.contains("nothing to read") && !err.contains("--format"),
                "{name}: {err}"
            );
        }
        let r = ingest_file(dir.path(), "empty.csv", b"", Some("csv"));
        assert_eq!((r.status, r.read), (Status::Clean, 0), "{r:?}");
    }

    /// Bytes that are not text (here a PNG-like header) are claimed by no line format.
    #[test]
    fn binary_content_is_not_detected_as_an_edge_list() {
        let dir = tempfile::tempdir().unwrap();
        // Every line starts with two numbers (what the SNAP sniffer checks); the rest is binary.
        let bytes = b"1 2 \x89PNG\x00\x00\x1a\x00\n3 4 \x00\x01\x02\x03\x00\n".to_vec();
        let r = ingest_file(dir.path(), "blob", &bytes, None);
        assert_eq!(r.status, Status::Failed);
        assert!(r.error.unwrap().contains("cannot tell its format"));
    }

    /// Terminal control sequences from the input (here in its name, as a crafted archive
    /// member would carry them) reach the report and the rejects file escaped.
    #[test]
    fn control_characters_from_the_input_are_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let text = "time,platform,kind,actor\n,x,follow,a\n,x,nope,b\n";
        let name = "e\x1b]0;PWNED\x07.csv";
        let r = ingest_file(dir.path(), name, text.as_bytes(), None);
        assert_eq!((r.status, r.read, r.rejected), (Status::Partial, 1, 1));
        let rejects = std::fs::read_to_string(dir.path().join("rejects.txt")).unwrap();
        for shown in [&r.first_rejects[0], &rejects] {
            assert!(
                !shown.contains('\x1b') && !shown.contains('\x07'),
                "{shown:?}"
            );
            assert!(shown.contains("\\x1b]0;PWNED\\x07"), "{shown:?}");
        }
    }

    /// A rejects file that cannot be written is said, once, rather than silently missing.
    #[test]
    fn an_unwritable_rejects_file_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "1 2 1341100972 RT\n1 2 x RT\n3 4 y MT\n").unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let opts = IngestOptions {
            format: Some("higgs".into()),
            rejects_path: Some(dir.path().join("no/such/folder/rejects.txt")),
            ..IngestOptions::default()
        };
        let r = ingest_path(&mut store, &file, &opts, &mut |_, _, _| {}).unwrap();
        assert_eq!((r.status, r.rejected), (Status::Partial, 2));
        let about: Vec<_> = r
            .warnings
            .iter()
            .filter(|w| w.contains("rejects file"))
            .collect();
        assert_eq!(about.len(), 1, "{:?}", r.warnings);
        assert!(
            about[0].contains("no/such/folder/rejects.txt: cannot write"),
            "{about:?}"
        );
    }

    /// A folder the reader finds nothing in is an error, never a silent "read 0".
    #[test]
    fn a_folder_with_nothing_to_read_fails() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("empty");
        std::fs::create_dir(&folder).unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let opts = IngestOptions {
            format: Some("twitter15".into()),
            ..IngestOptions::default()
        };
        let r = ingest_path(&mut store, &folder, &opts, &mut |_, _, _| {}).unwrap();
        assert_eq!(r.status, Status::Failed);
        assert!(r.error.unwrap().contains("found nothing to read"));
    }
}
