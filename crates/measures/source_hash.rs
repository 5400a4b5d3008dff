//! A hash of the sources of the crates that decide a cached answer, shared by the build scripts
//! of renown-measures and renown-app (`#[path]`-included): the caches beside a store key on it,
//! so they never serve what an older build computed.

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

/// Sets the compile-time variable `var` to an FNV-1a hash of every `.rs` file under the `src`
/// of the sibling crates `crates` (names and contents, in sorted order), and asks cargo to re-run
/// the build script when any of them changes.
pub fn emit(var: &str, crates: &[&str]) {
    let here = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = Vec::new();
    for krate in crates {
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
    println!("cargo:rustc-env={var}={hash:016x}");
}
