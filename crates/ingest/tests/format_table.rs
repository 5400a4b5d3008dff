//! The counts docs/FORMATS.md publishes for the line formats (higgs, snap, twitter15), read from
//! the real files in ../shared. Three of these read the full Higgs, Slashdot and Twitter15 data
//! (about 2.1 M lines).

use renown_ingest::{detect, format_by_name, open_input, Sink, Stop};
use renown_model::Record;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Default)]
struct Kinds {
    kinds: BTreeMap<&'static str, u64>,
    rejects: u64,
    untimed: u64,
    warnings: Vec<String>,
}

impl Sink for Kinds {
    fn record(&mut self, _: u64, r: Record) -> Result<(), Stop> {
        if let Record::Event(e) = r {
            *self.kinds.entry(e.kind.name()).or_default() += 1;
            self.untimed += u64::from(e.time.is_none());
        }
        Ok(())
    }
    fn reject(&mut self, _: u64, _: String) -> Result<(), Stop> {
        self.rejects += 1;
        Ok(())
    }
    fn damaged(&mut self, _: u64, reason: String) {
        panic!("damaged: {reason}");
    }
    fn warn(&mut self, w: String) {
        self.warnings.push(w);
    }
}

fn shared(rel: &str) -> Option<PathBuf> {
    renown_testdata::shared(rel)
}

fn read(rel: &str, expect: &str) -> Option<Kinds> {
    let p = shared(rel)?;
    let mut input = open_input(&p).unwrap();
    assert_eq!(detect(&input).map(|f| f.name()), Some(expect), "{rel}");
    let mut k = Kinds::default();
    format_by_name(expect)
        .unwrap()
        .read(&mut input, &Default::default(), &mut k)
        .unwrap();
    Some(k)
}

#[test]
fn higgs_activity() {
    let Some(k) = read("data/higgs/higgs-activity_time.txt.gz", "higgs") else {
        return;
    };
    assert_eq!(k.kinds.values().sum::<u64>(), 563_069);
    assert_eq!(k.kinds.get("reshare"), Some(&354_930));
    assert_eq!(k.kinds.get("mention"), Some(&171_237));
    assert_eq!(k.kinds.get("reply"), Some(&36_902));
    assert_eq!(k.rejects, 0);
}

#[test]
fn slashdot_follows() {
    let Some(k) = read("data/slashdot/soc-Slashdot0902.txt.gz", "snap") else {
        return;
    };
    assert_eq!(k.kinds.get("follow"), Some(&948_464));
    assert_eq!(k.kinds.len(), 1);
    assert_eq!(k.rejects, 0);
}

#[test]
fn snap_samples() {
    for (rel, n) in [
        ("formats/snap_web-BerkStan_head.txt", 11),
        ("formats/snap_wiki-Vote_head.txt", 3),
    ] {
        let Some(k) = read(rel, "snap") else { continue };
        assert_eq!(k.kinds.get("follow"), Some(&n), "{rel}");
        assert_eq!(k.rejects, 0, "{rel}");
    }
}

#[test]
fn twitter15_trees() {
    // The folder of 1,490 trees, read as one input (the reader belongs to crates/spread's owner).
    let Some(k) = read("data/twitter15/tree", "twitter15") else {
        return;
    };
    assert_eq!(k.kinds.get("post"), Some(&1_490));
    assert_eq!(k.kinds.get("reshare"), Some(&621_750));
    assert_eq!(k.kinds.len(), 2);
    assert_eq!((k.rejects, k.untimed), (0, 0));
    assert_eq!(
        k.warnings,
        ["skipped 1218 self-loop line(s) (a user resharing itself)"]
    );
}
