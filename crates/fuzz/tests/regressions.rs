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

#[test]
fn export_zips_built_from_the_samples_are_read_as_exports() {
    use renown_fuzz::archive_seeds;
    let Some(dir) = renown_testdata::shared("formats") else {
        return;
    };
    let entries = std::fs::read_dir(&dir).unwrap();
    let seeds: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    let zips = archive_seeds(&seeds);
    let names: Vec<&str> = zips.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "twitter-archive.zip",
            "stored-twitter-archive.zip",
            "mastodon-backup.zip",
            "stored-mastodon-backup.zip"
        ]
    );
    for (name, bytes) in &zips {
        let reader = if name.contains("twitter") {
            "twitter-archive"
        } else {
            "mastodon"
        };
        let f = renown_ingest::format_by_name(reader).unwrap();
        match run_one(f, name, bytes) {
            // 6 events from the four Twitter samples; 8 from the three Mastodon backup samples.
            Outcome::Returned(sink, None) => {
                assert_eq!(
                    sink.records,
                    if reader == "mastodon" { 8 } else { 6 },
                    "{name}"
                )
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}
