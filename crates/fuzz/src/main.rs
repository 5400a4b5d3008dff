//! `renown-fuzz`: mutate seed files through every reader for N seconds each, on stable Rust.
//!
//! ```text
//! renown-fuzz [--seconds 60] [--reader NAME] [--seed 1] [--out crates/fuzz/regressions] SEED_PATH...
//! ```
//! Seed paths are files or folders (walked). A panic is reported with its message and location,
//! and its input saved as `<out>/<reader>-<hash>`; an input that takes over 5 s is saved as a
//! `slow-` finding. Exit code 1 if anything was found.

use renown_fuzz::{archive_seeds, mutate, run_one, Outcome, Rng};
use renown_ingest::FORMATS;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MAX_SEED: usize = 256 * 1024;
const MAX_INPUT: usize = 4 << 20;

thread_local! {
    static LOCATION: RefCell<String> = const { RefCell::new(String::new()) };
}

fn walk(p: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            walk(&e, out);
        }
    } else if let Ok(f) = std::fs::File::open(p) {
        use std::io::Read;
        let mut buf = Vec::new();
        if f.take(MAX_SEED as u64).read_to_end(&mut buf).is_ok() && !buf.is_empty() {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, buf));
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut seconds, mut only, mut seed, mut out) = (
        60u64,
        None::<String>,
        1u64,
        PathBuf::from("crates/fuzz/regressions"),
    );
    let mut paths = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(60),
            "--reader" => only = args.next(),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1),
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            "-h" | "--help" => {
                println!("usage: renown-fuzz [--seconds N] [--reader NAME] [--seed S] [--out DIR] SEED_PATH...");
                return;
            }
            _ => paths.push(PathBuf::from(a)),
        }
    }
    let mut seeds = Vec::new();
    for p in &paths {
        walk(p, &mut seeds);
    }
    let zips = archive_seeds(&seeds);
    seeds.extend(zips);
    if seeds.is_empty() {
        eprintln!(
            "renown-fuzz: no seed files (give folders such as ../shared/formats ../shared/data)"
        );
        std::process::exit(2);
    }
    std::panic::set_hook(Box::new(|info| {
        let loc = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        LOCATION.with(|c| *c.borrow_mut() = loc);
    }));
    let _ = std::fs::create_dir_all(&out);
    let mut found = 0usize;
    println!(
        "{:<16} {:>6} {:>9} {:>10} {:>9} {:>8}  result",
        "reader", "seeds", "inputs", "records", "refused", "panics"
    );
    for format in FORMATS
        .iter()
        .filter(|f| only.as_deref().is_none_or(|o| o == f.name()))
    {
        let mut rng = Rng::new(seed ^ xxhash_rust::xxh3::xxh3_64(format.name().as_bytes()));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        // Three inputs in four start from a seed this reader recognises, so mutations reach past
        // its first checks; the rest start anywhere.
        let own: Vec<usize> = (0..seeds.len())
            .filter(|&i| {
                let (name, bytes) = &seeds[i];
                renown_ingest::input::open_reader(
                    Box::new(std::io::Cursor::new(bytes.clone())),
                    name.into(),
                    name.clone(),
                    name.clone(),
                )
                .map(|input| format.sniff(&input) > 0)
                .unwrap_or(false)
            })
            .collect();
        let (mut n, mut records, mut refused, mut panics) = (0u64, 0u64, 0u64, 0u64);
        while Instant::now() < deadline {
            let pick = if !own.is_empty() && rng.below(4) > 0 {
                own[rng.below(own.len())]
            } else {
                rng.below(seeds.len())
            };
            let (name, bytes) = &seeds[pick];
            let other = &seeds[rng.below(seeds.len())].1;
            let mut input = mutate(&mut rng, bytes, other);
            input.truncate(MAX_INPUT);
            let started = Instant::now();
            let outcome = run_one(*format, name, &input);
            n += 1;
            let hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&input));
            match outcome {
                Outcome::Returned(sink, err) => {
                    records += sink.records;
                    refused += err.is_some() as u64;
                    if started.elapsed() > Duration::from_secs(5) {
                        found += 1;
                        let path = out.join(format!("slow-{}-{hash}", format.name()));
                        let _ = std::fs::write(&path, &input);
                        println!(
                            "SLOW {} on {} ({:.1}s): saved {}",
                            format.name(),
                            name,
                            started.elapsed().as_secs_f64(),
                            path.display()
                        );
                    }
                }
                Outcome::Panicked(msg) => {
                    panics += 1;
                    found += 1;
                    let path = out.join(format!("{}-{hash}", format.name()));
                    let _ = std::fs::write(&path, &input);
                    let loc = LOCATION.with(|c| c.borrow().clone());
                    println!(
                        "PANIC {} (seed {}): {} at {} — saved {}",
                        format.name(),
                        name,
                        msg,
                        loc,
                        path.display()
                    );
                }
            }
        }
        println!(
            "{:<16} {:>6} {:>9} {:>10} {:>9} {:>8}  {}",
            format.name(),
            own.len(),
            n,
            records,
            refused,
            panics,
            if panics == 0 { "ok" } else { "PANICS" }
        );
    }
    if found > 0 {
        std::process::exit(1);
    }
}
