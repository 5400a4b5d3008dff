//! What the tests that run the real `renown` binary share. Each test file compiles its own copy
//! and uses part of it.
#![allow(dead_code)]

use renown_ingest::schema::SchemaRow;
use renown_model::Event;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_renown");

/// Runs `renown ARGS` in `dir` (so the default store is `renown.db` there, whatever the
/// caller's `RENOWN_DB` and `RENOWN_CONFIG`) and fails the test if it panicked.
pub fn renown(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("RENOWN_DB")
        .env_remove("RENOWN_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run renown");
    assert_ne!(
        out.status.code(),
        Some(101),
        "renown panicked on {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes `events` as renown's own JSON Lines (what `renown export` writes).
pub fn write_jsonl(path: &Path, events: &[Event]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for e in events {
        serde_json::to_writer(&mut out, &SchemaRow::from_event(e, false)).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
}

/// The `host:port` in the first line `renown serve` prints (`… http://127.0.0.1:PORT/ …`).
pub fn served_address(first_line: &str) -> String {
    first_line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first_line:?}"))
        .to_string()
}
