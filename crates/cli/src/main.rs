//! The `renown` binary: parse arguments, run one command, map the outcome to an exit code.

mod cmd;
mod output;

use clap::Parser;
use std::process::ExitCode;

/// Exit codes: 0 clean, 1 failed, 2 usage (clap), 3 partial (some input rejected, good data kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    Partial,
}

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(3),
        Err(e) => {
            // A closed stdout (`renown rank | head`) is not an error worth a message.
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("renown: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether the error is a write to a closed pipe, however it was wrapped (the CSV and JSON
/// writers wrap it in their own error types).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().map(|io| io.kind());
        let csv = cause
            .downcast_ref::<csv::Error>()
            .and_then(|c| match c.kind() {
                csv::ErrorKind::Io(io) => Some(io.kind()),
                _ => None,
            });
        let json = cause
            .downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind);
        [io, csv, json].contains(&Some(BrokenPipe))
    })
}
