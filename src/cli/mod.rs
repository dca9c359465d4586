//! The command line: argument parsing, one function per subcommand, exit codes.
//!
//! The only module that prints, exits, or writes the output folder.
//! Exit status: 0 success (warnings allowed), 1 the sources have errors (or a
//! `--check` found a difference), 2 the command could not run.
#![allow(clippy::print_stdout, clippy::print_stderr)] // reason: the CLI is where output is printed

mod build;
mod fmt;
pub mod output;
mod schema;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::compile::Compilation;
use crate::diagnostics::{human, json, Diagnostic};
use crate::source::SourceMap;

/// Stack size for the thread that runs a command: deep but legal inputs
/// (long reference chains) recurse; limits stop them long before this.
const STACK_BYTES: usize = 512 << 20;

#[derive(Debug, Parser)]
#[command(
    name = "mcfg",
    version,
    about = "Compile typed ML configuration into per-environment artifacts"
)]
struct Cli {
    /// How diagnostics are printed on stderr.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

/// Sources to compile.
#[derive(Debug, Args)]
struct Sources {
    /// Files or folders (a folder means every `.mcfg` file below it).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The folder imports may not leave (default: the common folder of the paths).
    #[arg(long)]
    root: Option<PathBuf>,
}

impl Sources {
    /// The project root: `--root`, or the common folder of the paths.
    fn root_or_default(&self, comp: &Compilation) -> PathBuf {
        match &self.root {
            Some(r) => crate::loader::normalize(r),
            None => comp.project.root.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse, type-check and evaluate every config in every environment; write nothing.
    Check {
        #[command(flatten)]
        sources: Sources,
    },
    /// Check, then write artifacts and manifest.json to the output folder.
    Build(build::BuildArgs),
    /// Recompute artifact hashes against DIR/manifest.json; exit 1 on any difference.
    Verify {
        /// The output folder of a build.
        dir: PathBuf,
        /// Print one JSON report on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite sources in canonical layout, keeping comments.
    Fmt(fmt::FmtArgs),
    /// JSON Schema (draft 2020-12) for each emitted config's artifact.
    Schema(schema::SchemaArgs),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || std::panic::catch_unwind(move || run(cli)));
    match worker.map(|h| h.join()) {
        Ok(Ok(Ok(code))) => ExitCode::from(code),
        _ => {
            eprintln!("mcfg: internal error, please report it with the input that caused it");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> u8 {
    let out = Output {
        format: cli.message_format,
    };
    match cli.command {
        Command::Check { sources } => {
            let Some(comp) = out.compile(&sources) else {
                return 2;
            };
            out.diagnostics(&comp.project.sources, &comp.diags);
            u8::from(comp.has_errors())
        }
        Command::Build(args) => build::run(&out, &args),
        Command::Verify { dir, json } => verify(&out, &dir, json),
        Command::Fmt(args) => fmt::run(&out, &args),
        Command::Schema(args) => schema::run(&out, &args),
    }
}

fn verify(out: &Output, dir: &std::path::Path, as_json: bool) -> u8 {
    match crate::report::verify::verify(dir) {
        Ok(report) => {
            if as_json {
                println!("{}", report.to_json());
            } else {
                print!("{}", crate::report::verify::render_human(&report));
            }
            u8::from(!report.ok)
        }
        Err(msg) => {
            out.error(&msg);
            2
        }
    }
}

/// Where diagnostics and messages go.
#[derive(Debug)]
struct Output {
    format: MessageFormat,
}

impl Output {
    fn compile(&self, sources: &Sources) -> Option<Compilation> {
        match crate::compile::compile_paths(
            &crate::loader::RealFs,
            &sources.paths,
            sources.root.as_deref(),
        ) {
            Ok(c) => Some(c),
            Err(msg) => {
                self.error(&msg);
                None
            }
        }
    }

    /// A problem with the command itself (exit 2).
    fn error(&self, msg: &str) {
        eprintln!("mcfg: {msg}");
    }

    fn diagnostics(&self, sources: &SourceMap, diags: &[Diagnostic]) {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let mut buf = String::new();
        for d in diags {
            match self.format {
                MessageFormat::Json => {
                    buf.push_str(&json::render(sources, d));
                    buf.push('\n');
                }
                MessageFormat::Human => buf.push_str(&human::render(sources, d, color, 100)),
            }
        }
        if self.format == MessageFormat::Human && !diags.is_empty() {
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let warnings = diags.len() - errors;
            buf.push_str(&format!(
                "{errors} error{}, {warnings} warning{}\n",
                plural(errors),
                plural(warnings)
            ));
        }
        eprint!("{buf}");
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
