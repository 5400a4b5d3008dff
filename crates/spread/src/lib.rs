#![warn(missing_docs)]
//! How influence spreads and compounds.
//!
//! - [`cascades`]: spread trees rebuilt from parent items, from tag chains (memes) and, where the
//!   data has no items, from the earliest earlier exposure (flagged as inferred); per cascade
//!   size, depth, breadth, structural virality and time to half size; per account who starts,
//!   who carries.
//! - [`dynamics`]: "the big get bigger" — the preferential-attachment kernel A(k) and its
//!   exponent α, per-account fitness (growth that size does not explain), and concentration of
//!   engagement over time.
//! - [`im`]: influence maximization — who to engage so that a message reaches furthest, under
//!   the independent cascade or linear threshold model (OPIM-C over reverse-reachable sets).
//!
//! Every result is a plain serde-serializable struct, so the CLI and the HTTP API show the same.

pub mod cascades;
pub mod dynamics;
pub mod im;

pub use cascades::{cascades, Cascade, CascadeOptions, CascadeReport};
pub use dynamics::{dynamics, DynamicsOptions, DynamicsReport};

/// Why a spread question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum SpreadError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] renown_store::StoreError),
    /// A bad option, or data the computation cannot use.
    #[error("{0}")]
    Invalid(String),
    /// The caller cancelled the computation (see [`renown_model::Cancel`]).
    #[error("cancelled")]
    Cancelled,
}

/// The spread crate's result.
pub type Result<T> = std::result::Result<T, SpreadError>;

#[cfg(test)]
pub(crate) mod tests {
    use renown_ingest::{format_by_name, open_input, ReadOptions, Sink, Stop};
    use renown_model::Record;
    use renown_store::{EventRow, FullEventRow};
    use std::collections::HashMap;

    /// Every event of the Twitter15 trees in `dir`, with accounts interned as the store would.
    pub fn twitter15_events(dir: &str) -> Vec<FullEventRow> {
        #[derive(Default)]
        struct Collect {
            ids: HashMap<String, u32>,
            events: Vec<FullEventRow>,
        }
        impl Collect {
            fn intern(&mut self, id: &str) -> u32 {
                let n = self.ids.len() as u32;
                *self.ids.entry(id.to_string()).or_insert(n)
            }
        }
        impl Sink for Collect {
            fn record(&mut self, _: u64, r: Record) -> Result<(), Stop> {
                if let Record::Event(e) = r {
                    let actor = self.intern(&e.actor.id);
                    let target = e.target.as_ref().map(|t| self.intern(&t.id));
                    let id = self.events.len() as i64 + 1;
                    self.events.push(FullEventRow {
                        id,
                        row: EventRow {
                            time: e.time,
                            kind: e.kind,
                            actor,
                            target,
                        },
                        item: e.item,
                        parent: e.parent,
                        topics: e.topics,
                    });
                }
                Ok(())
            }
            fn reject(&mut self, line: u64, reason: String) -> Result<(), Stop> {
                panic!("twitter15 line {line} rejected: {reason}");
            }
            fn damaged(&mut self, line: u64, reason: String) {
                panic!("twitter15 damaged at {line}: {reason}");
            }
            fn warn(&mut self, _: String) {}
        }
        let mut input = open_input(std::path::Path::new(dir)).expect("open tree folder");
        let mut sink = Collect::default();
        format_by_name("twitter15")
            .expect("twitter15 reader registered")
            .read(&mut input, &ReadOptions::default(), &mut sink)
            .expect("read trees");
        sink.events
    }
}
