//! Names the code the scores come from: a hash of the sources of every crate that decides a
//! measure's scores (this one, the graph kernels, the store's reads, the event model), so the
//! score cache beside a store (`<db>.cache/scores-*.bin`) never serves scores an older build
//! computed.

mod source_hash;

fn main() {
    source_hash::emit(
        "RENOWN_SCORES_CODE",
        &["measures", "graph", "store", "model"],
    );
}
