//! Helpers the ingest benchmarks share.

use std::path::Path;

/// On-CPU seconds of the calling thread, where readers run (Linux schedstat, nanoseconds; the
/// process's user + system ticks where that is missing): the machine is shared, so events per
/// CPU-second is the figure other work disturbs least. The tick count moves in steps of 10 ms,
/// which capped the rate of a reader that takes less than that (the real Mastodon backup).
pub fn cpu_seconds() -> f64 {
    if let Some(ns) = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
    {
        return ns / 1e9;
    }
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 11 and 12 counted from after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Bytes of a file, or of every file directly in a folder.
pub fn size(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .flatten()
            .map(|e| e.metadata().unwrap().len())
            .sum()
    } else {
        std::fs::metadata(path).unwrap().len()
    }
}
