#![warn(missing_docs)]
//! Readers: one per format, each turning a source's records into [`renown_model::Record`]s.
//!
//! A reader never stops at a bad record: it reports `line: reason` to its [`Sink`] and goes on.
//! [`run::ingest_path`] connects a reader to the store, batching records into transactions.

pub mod formats;
pub mod input;
pub mod lines;
pub mod run;
pub mod schema;

pub use formats::{detect, format_by_name, format_named, format_names, Format, FORMATS};
pub use input::{folder_files, open_input, Input, STDIN};
pub use run::{ingest_input, ingest_path, IngestOptions, RecordFilter, RunReport};

use renown_model::{Kind, Record};

/// The consumer asked the reader to stop (strict mode, or the store failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// Where a reader sends what it finds.
pub trait Sink {
    /// `position` is the record's line (or ordinal) in the source, used for event identity.
    fn record(&mut self, position: u64, record: Record) -> Result<(), Stop>;
    /// A bad record: `line` is 1-based; `reason` says what is wrong, never the raw content.
    fn reject(&mut self, line: u64, reason: String) -> Result<(), Stop>;
    /// The input itself is damaged (truncated or corrupt compression); records before are kept.
    fn damaged(&mut self, line: u64, reason: String);
    /// Recoverable oddities (a wrong encoding declaration, an undeclared namespace).
    fn warn(&mut self, message: String);
}

/// A sink that counts what a reader sends and keeps nothing: for benchmarks and dry runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CountingSink {
    /// Events sent.
    pub events: u64,
    /// Profiles and deletions sent.
    pub profiles: u64,
    /// Records rejected.
    pub rejects: u64,
    /// Times the input was reported damaged.
    pub damaged: u64,
    /// Warnings.
    pub warnings: u64,
}

impl CountingSink {
    /// Events and profiles together.
    pub fn records(&self) -> u64 {
        self.events + self.profiles
    }
}

impl Sink for CountingSink {
    fn record(&mut self, _: u64, r: Record) -> Result<(), Stop> {
        // black_box: the reader must really build the record even though nobody reads it.
        match std::hint::black_box(&r) {
            Record::Event(_) => self.events += 1,
            // A deletion comes where a profile used to carry it: counted with them.
            Record::Profile(_) | Record::Deletion(_) => self.profiles += 1,
        }
        Ok(())
    }
    fn reject(&mut self, _: u64, _: String) -> Result<(), Stop> {
        self.rejects += 1;
        Ok(())
    }
    fn damaged(&mut self, _: u64, _: String) {
        self.damaged += 1;
    }
    fn warn(&mut self, _: String) {
        self.warnings += 1;
    }
}

/// Options every reader honours where they apply.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Forces the kind of edge-list events (SNAP lists default to follow).
    pub kind: Option<Kind>,
    /// Overrides the platform namespace the reader would choose.
    pub platform: Option<String>,
}

/// Why a reader stopped before the end of its input.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Reading the input failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file as a whole is not readable as this format.
    #[error("{0}")]
    Format(String),
    /// The sink asked to stop (`--strict` at the first bad record).
    #[error("stopped at the first bad record (--strict)")]
    Stopped,
}

impl From<Stop> for ReadError {
    fn from(_: Stop) -> Self {
        ReadError::Stopped
    }
}
