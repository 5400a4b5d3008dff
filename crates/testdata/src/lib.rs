//! Where the tests find `../shared`: the real datasets (`data/`) and format samples (`formats/`)
//! that live beside the repository and are never copied into it.
//!
//! A developer without them gets a skipped test and a note on stderr. CI always has them, so
//! `.ci/run` sets `RENOWN_REQUIRE_DATA=1`, and then a missing path fails the test instead: a
//! green run can never hide a test that read nothing.

use std::path::{Path, PathBuf};

/// The folder that holds `data/` and `formats/`: `../shared` beside the repository.
pub fn shared_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// True when a missing shared path must fail the test (`RENOWN_REQUIRE_DATA` set, not `0`).
pub fn required() -> bool {
    std::env::var("RENOWN_REQUIRE_DATA").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// `shared_root()/rel` when it exists. When it does not: `None` with a note on stderr, or a
/// panic when [`required`] (CI).
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = shared_root().join(rel);
    present(&path).then_some(path)
}

/// Whether `path` (somewhere under `../shared`) exists; when it does not, the same note or
/// panic as [`shared`].
pub fn present(path: &Path) -> bool {
    if path.exists() {
        return true;
    }
    assert!(
        !required(),
        "{} is absent, and RENOWN_REQUIRE_DATA is set (CI always has ../shared)",
        path.display()
    );
    eprintln!("skipping: {} is absent", path.display());
    false
}

/// `shared("data/<rel>")`: a real dataset.
pub fn data(rel: &str) -> Option<PathBuf> {
    shared(&format!("data/{rel}"))
}

/// `shared("formats/<rel>")`: a platform format sample.
pub fn formats(rel: &str) -> Option<PathBuf> {
    shared(&format!("formats/{rel}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test touches the environment, so the two cases cannot race each other.
    #[test]
    fn a_missing_path_skips_unless_required() {
        std::env::remove_var("RENOWN_REQUIRE_DATA");
        assert_eq!(shared("no/such/dataset-7f3a"), None);
        std::env::set_var("RENOWN_REQUIRE_DATA", "1");
        let caught = std::panic::catch_unwind(|| shared("no/such/dataset-7f3a"));
        std::env::remove_var("RENOWN_REQUIRE_DATA");
        let message = caught.expect_err("required data that is absent must fail");
        let text = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(text.contains("RENOWN_REQUIRE_DATA"), "{text}");
    }
}
