//! `renown ingest` without the rest of the command line, for profiling the pipeline with a
//! small build: `cargo run --release -p renown-ingest --example ingest_file -- DB FILE...`
//! prints, per file, the events added and duplicate, the wall time and the rate, and at the
//! end the whole process's wall time (opening and closing the store included); run it under
//! `/usr/bin/time` for its CPU time.

use renown_ingest::{ingest_path, IngestOptions};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let Some((db, files)) = args.split_first() else {
        eprintln!("usage: ingest_file DB FILE...");
        std::process::exit(2);
    };
    let started = Instant::now();
    let mut store = renown_store::Store::open(db).expect("open the store");
    let opts = IngestOptions::default();
    for file in files {
        let t = Instant::now();
        let r = ingest_path(&mut store, file, &opts, &mut |_, _, _| {}).expect("ingest");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{}: {:?}, read {}, added {}, duplicate {}, {:.3} s, {:.0} events/s",
            file.display(),
            r.status,
            r.read,
            r.added,
            r.duplicate,
            secs,
            r.read as f64 / secs
        );
    }
    drop(store);
    println!(
        "process: {:.3} s wall with open and close",
        started.elapsed().as_secs_f64()
    );
}
