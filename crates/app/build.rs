//! Names the code the app's cached answers come from: a hash of the sources of every crate that
//! decides them (cascades, the audit, the measures, the graphs, the store, the event model), so
//! the cache beside a store (`<db>.cache/*.bin`) never serves what an older build computed.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let here = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = Vec::new();
    for krate in [
        "app", "spread", "audit", "measures", "graph", "store", "model",
    ] {
        let dir = here.join("..").join(krate).join("src");
        println!("cargo:rerun-if-changed={}", dir.display());
        sources(&dir, &mut files);
    }
    files.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for f in &files {
        let name = f
            .strip_prefix(&here)
            .unwrap_or(f)
            .to_string_lossy()
            .into_owned();
        let body = std::fs::read(f).unwrap_or_default();
        for b in name.bytes().chain(body) {
            hash = (hash ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=RENOWN_CODE={hash:016x}");
}
