//! `renown export --format parquet`: the events as one Parquet file (see
//! `renown_store::parquet` for the columns).

use crate::Outcome;
use renown_store::EventFilter;
use std::path::Path;
use std::time::Instant;

pub fn run(output: &Path, db: &Path) -> anyhow::Result<Outcome> {
    let t = Instant::now();
    let store = super::open_existing(db)?;
    let summary = if output.as_os_str() == "-" {
        // Parquet's footer comes last, so a pipe gets the file whole.
        let mut buf = Vec::new();
        let s = store.write_parquet(&EventFilter::default(), &mut buf)?;
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(&buf)?;
        out.flush()?;
        s
    } else {
        let file = std::fs::File::create(output)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", output.display()))?;
        store.write_parquet(&EventFilter::default(), std::io::BufWriter::new(file))?
    };
    eprintln!(
        "{} events written as Parquet ({} row groups) in {:.3} s",
        summary.events,
        summary.row_groups,
        t.elapsed().as_secs_f64()
    );
    Ok(Outcome::Clean)
}
