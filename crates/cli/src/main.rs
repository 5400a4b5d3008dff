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
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("renown: {e:#}");
            ExitCode::from(1)
        }
    }
}
