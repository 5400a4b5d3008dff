//! Names the code the server's kept answers come from (`<db>.cache/answer-*.bin`): a hash of the
//! sources of every crate that decides an answer, the server's own handlers included, so a
//! restarted server never serves what an older build computed.

#[path = "../measures/source_hash.rs"]
mod source_hash;

fn main() {
    source_hash::emit(
        "RENOWN_ANSWER_CODE",
        &[
            "serve", "app", "spread", "audit", "measures", "graph", "store", "model",
        ],
    );
}
