//! Names the code the app's cached answers come from: a hash of the sources of every crate that
//! decides them (cascades, the audit, the measures, the graphs, the store, the event model), so
//! the cache beside a store (`<db>.cache/*.bin`) never serves what an older build computed.

#[path = "../measures/source_hash.rs"]
mod source_hash;

fn main() {
    source_hash::emit(
        "RENOWN_CODE",
        &[
            "app", "spread", "audit", "measures", "graph", "store", "model",
        ],
    );
}
