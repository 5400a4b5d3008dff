//! `renown completions SHELL` and `renown man`: shell completion scripts and man pages, both
//! generated from the same clap definitions as `--help`, so they never drift from the parser.

use crate::Outcome;
use clap::CommandFactory;
use std::io::Write;
use std::path::{Path, PathBuf};

const COMPLETION_EXAMPLES: &str = "\
Examples:
  renown completions bash > ~/.local/share/bash-completion/completions/renown
  renown completions zsh > ~/.zfunc/_renown        # with fpath+=(~/.zfunc) in ~/.zshrc
  renown completions fish > ~/.config/fish/completions/renown.fish
  renown completions powershell >> $PROFILE";

/// Print a shell completion script for renown.
#[derive(clap::Args, Debug)]
#[command(after_help = COMPLETION_EXAMPLES)]
pub struct CompletionArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

pub fn completions(args: CompletionArgs) -> anyhow::Result<Outcome> {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut super::Cli::command(), "renown", &mut out);
    out.flush()?;
    Ok(Outcome::Clean)
}

const MAN_EXAMPLES: &str = "\
Examples:
  renown man | man -l -
  renown man --dir /usr/local/share/man/man1     # renown.1 and renown-<command>.1";

/// Print renown's man page, or write one page per command into a folder.
#[derive(clap::Args, Debug)]
#[command(after_help = MAN_EXAMPLES)]
pub struct ManArgs {
    /// Write renown.1 and renown-<command>.1 (renown-graph-export.1, ...) into this folder.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

pub fn man(args: ManArgs) -> anyhow::Result<Outcome> {
    let cmd = super::Cli::command();
    match args.dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
            let written = write_pages(cmd, "renown", &dir)?;
            eprintln!("{written} man pages written to {}", dir.display());
        }
    }
    Ok(Outcome::Clean)
}

/// Writes `name.1` for `cmd` and one page per subcommand, recursively; returns the count.
fn write_pages(cmd: clap::Command, name: &str, dir: &Path) -> anyhow::Result<usize> {
    // The usage line reads `renown graph export ...`; the page is named renown-graph-export.
    let cmd = cmd.bin_name(name.replace('-', " "));
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .title(name.to_string())
        .render(&mut page)?;
    std::fs::write(&path, page)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    let mut written = 1;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        written += write_pages(sub.clone(), &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(written)
}
