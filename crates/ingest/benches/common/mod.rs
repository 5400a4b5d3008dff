//! Helpers the ingest benchmarks share.

use std::path::Path;

/// CPU seconds this process has used (user + system), from /proc: the machine is shared, so
/// events per CPU-second is the figure other work disturbs least. Readers run on the calling
/// thread.
pub fn cpu_seconds() -> f64 {
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
