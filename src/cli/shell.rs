//! `mcfg completions SHELL` and `mcfg man`: generated from the clap definition.

use std::io::Write;

use clap::{Args, CommandFactory, ValueEnum};

use super::{Cli, Output};

/// The shells `mcfg completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script of `args.shell` on stdout.
pub fn completions(args: &CompletionsArgs) -> u8 {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "mcfg", &mut std::io::stdout());
    0
}

/// Prints the man page (roff) on stdout.
pub fn man(out: &Output) -> u8 {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        return out.error(&format!("cannot render the man page: {e}"));
    }
    match std::io::stdout().write_all(&page) {
        Ok(()) => 0,
        Err(e) => out.error(&format!("cannot write the man page: {e}")),
    }
}
