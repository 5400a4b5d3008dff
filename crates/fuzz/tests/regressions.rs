//! Every input the fuzzer ever found (kept in `regressions/`) replayed through every reader:
//! none may panic.

use renown_fuzz::{regressions, run_one, Outcome};
use renown_ingest::FORMATS;
use std::path::Path;

#[test]
fn every_regression_input_through_every_reader() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/regressions"));
    let inputs = regressions(dir);
    let mut panics = Vec::new();
    for (name, bytes) in &inputs {
        for f in FORMATS {
            if let Outcome::Panicked(msg) = run_one(*f, name, bytes) {
                panics.push(format!("{} on {name}: {msg}", f.name()));
            }
        }
    }
    println!(
        "{} regression inputs x {} readers replayed",
        inputs.len(),
        FORMATS.len()
    );
    assert!(panics.is_empty(), "{panics:#?}");
}

#[test]
fn the_harness_catches_panics_and_mutates_deterministically() {
    use renown_fuzz::{mutate, Rng};
    let a: Vec<Vec<u8>> = {
        let mut r = Rng::new(7);
        (0..50)
            .map(|_| mutate(&mut r, b"<rss><channel/></rss>", b"{\"a\":1}"))
            .collect()
    };
    let mut r = Rng::new(7);
    let b: Vec<Vec<u8>> = (0..50)
        .map(|_| mutate(&mut r, b"<rss><channel/></rss>", b"{\"a\":1}"))
        .collect();
    assert_eq!(a, b);
    assert!(a.iter().any(|m| m != b"<rss><channel/></rss>"));
}
