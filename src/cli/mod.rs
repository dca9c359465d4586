//! The command line: argument parsing, one function per subcommand, exit codes.
//!
//! The only module that prints, exits, or writes the output folder.
//! Exit status: 0 success (warnings allowed), 1 the sources have errors (or a
//! `--check` found a difference), 2 the command could not run.
#![allow(clippy::print_stdout, clippy::print_stderr)] // reason: the CLI is where output is printed

mod build;
mod import;
mod check_runtime;
mod diff;
mod drift;
mod explain;
mod blame;
mod log;
mod lsp;
mod fmt;
pub mod output;
mod schema;
mod shell;
mod overrides;
mod test;
mod sweep;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::compile::{Compilation, Sink};
use crate::diagnostics::{human, json, sarif, CommandError, Diagnostic, Stop};
use crate::project::SourcesError;
use crate::source::SourceMap;

/// Stack size for the thread that runs a command: deep but legal inputs
/// (long reference chains) recurse; limits stop them long before this.
const STACK_BYTES: usize = 512 << 20;

#[derive(Debug, Parser)]
#[command(
    name = "mcfg",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("MCFG_COMMIT"), ")"),
    about = "Compile typed ML configuration into per-environment artifacts"
)]
struct Cli {
    /// How diagnostics are printed on stderr.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Print the wall time of each compiler phase on stderr.
    #[arg(long, global = true)]
    timings: bool,
    /// No summary line on success (`check`, `build`).
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
    /// One SARIF 2.1.0 log on stdout (code scanning).
    Sarif,
}

/// Sources to compile.
#[derive(Debug, Args)]
pub struct Sources {
    /// Files or folders (a folder means every `.mcfg` file below it).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The folder imports may not leave (default: the common folder of the paths).
    #[arg(long)]
    pub root: Option<PathBuf>,
}

impl Sources {
    /// The folder of the project file the first path belongs to, in place of
    /// the paths (unchanged without a project file).
    fn widen_to_project(&mut self) {
        let first = self.paths.first().cloned().unwrap_or_else(|| ".".into());
        let found = crate::project::discover(&crate::loader::RealFs, &first);
        if let Some(dir) = found.as_deref().and_then(std::path::Path::parent) {
            let dir = if dir.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                dir
            };
            self.paths = vec![dir.to_path_buf()];
        }
    }

    /// The project root: `--root`, or the common folder of the paths.
    fn root_or_default<T>(&self, comp: &Compilation<T>) -> PathBuf {
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
        #[command(flatten)]
        overrides: overrides::OverrideArgs,
        /// Check every config of the project (`mcfg.toml`) the PATHS belong
        /// to, not only those they declare: for pre-commit, which passes the
        /// changed files, where a changed schema breaks configs elsewhere.
        #[arg(long)]
        project: bool,
        #[command(flatten)]
        sweep: overrides::SweepArgs,
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
    /// Turn YAML/JSON files into `.mcfg`: the first as a base config, later ones as overlays.
    Import(import::ImportArgs),
    /// The value and every assignment that led to it, in order, with locations.
    Explain(explain::ExplainArgs),
    /// Values that differ between two environments, or between a git revision and now.
    Diff(diff::DiffArgs),
    /// The history of one value: each commit that changed it.
    Log(log::LogArgs),
    /// For each resolved leaf: the commit, author and date that last changed it, and the step holding it.
    Blame(blame::BlameArgs),
    /// Run the policy tests (`test` declarations) in every environment they list.
    Test(test::TestArgs),
    /// Compare a deployed artifact with what the sources compile to; exit 1 on any difference.
    Drift(drift::DriftArgs),
    /// Validate a proposed runtime update against the schema and the locked build values.
    CheckRuntime(check_runtime::CheckRuntimeArgs),
    /// Run the language server on stdin/stdout (for editors).
    Lsp,
    /// Rewrite sources in canonical layout, keeping comments.
    Fmt(fmt::FmtArgs),
    /// JSON Schema (draft 2020-12) for each emitted config's artifact.
    Schema(schema::SchemaArgs),
    // --- workflow integration (cli/shell.rs) ---
    /// Print a shell completion script (bash, zsh, fish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff) on stdout.
    Man,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Evaluation runs on the rayon pool too (one task per config), and a
    // chain of configs each reading the previous one recurses as deep as a
    // chain of fields: the pool threads get the main worker's stack, so
    // `eval::MAX_EVAL_DEPTH` is reached before the stack is exhausted.
    // Failing to build the pool (already built) leaves rayon's default.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_BYTES)
        .build_global();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || std::panic::catch_unwind(move || run_from(args)));
    match worker.map(|h| h.join()) {
        Ok(Ok(Ok(code))) => ExitCode::from(code),
        _ => {
            eprintln!("mcfg: internal error, please report it with the input that caused it");
            ExitCode::from(2)
        }
    }
}

/// Parses `args` (the first is the program name) and runs the command on
/// the calling thread; returns the exit status. For embedders such as the
/// Python package's `mcfg` command, which provide the thread and panic guard.
pub fn run_from(args: impl IntoIterator<Item = std::ffi::OsString>) -> u8 {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    match Cli::try_parse_from(&args) {
        Ok(cli) => run(cli),
        Err(e) => {
            let raw = args
                .iter()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned());
            usage_failure(&e, raw_message_format(raw))
        }
    }
}

fn run(cli: Cli) -> u8 {
    let out = Output::new(cli.message_format, cli.timings, cli.quiet);
    let code = dispatch(&out, cli.command);
    out.finish();
    code
}

fn dispatch(out: &Output, command: Command) -> u8 {
    match command {
        Command::Check {
            mut sources,
            overrides,
            project,
            sweep,
        } => {
            if project {
                sources.widen_to_project();
            }
            if !sweep.sweeps.is_empty() {
                return sweep::check(out, &sources, &overrides, &sweep);
            }
            let sink = Sink::diagnostics_only();
            let Some(comp) = out.compile_with(&sources, &sink, &overrides.sets) else {
                return 2;
            };
            out.diagnostics(&comp.project.sources, &comp.diags);
            let code = u8::from(comp.has_errors());
            if code == 0 {
                out.summary(&format!(
                    "checked {}",
                    counted(comp.artifacts.len(), comp.envs.len())
                ));
            }
            // The process ends here: freeing the whole program piece by piece
            // would only cost time.
            std::mem::forget(comp);
            code
        }
        Command::Build(args) => build::run(out, &args),
        Command::Verify { dir, json } => verify(out, &dir, json),
        Command::Import(args) => import::run(out, &args),
        Command::Explain(args) => explain::run(out, &args),
        Command::Diff(args) => diff::run(out, &args),
        Command::Log(args) => log::run(out, &args),
        Command::Blame(args) => blame::run(out, &args),
        Command::Test(args) => test::run(out, &args),
        Command::Drift(args) => drift::run(out, &args),
        Command::CheckRuntime(args) => check_runtime::run(out, &args),
        Command::Lsp => lsp::run(out),
        Command::Fmt(args) => fmt::run(out, &args),
        Command::Schema(args) => schema::run(out, &args),
        Command::Completions(args) => shell::completions(&args),
        Command::Man => shell::man(out),
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
        Err(e) => out.error(&e),
    }
}

/// Where diagnostics and messages go.
#[derive(Debug)]
struct Output {
    format: MessageFormat,
    timings: bool,
    /// `-q`: no summary line.
    quiet: bool,
    /// When the command started (for the summary line).
    started: std::time::Instant,
    /// `--message-format sarif`: the results reported so far (`None`:
    /// nothing reported), printed as one log when the command ends.
    sarif: std::cell::RefCell<Option<Vec<serde_json::Value>>>,
}

impl Output {
    fn new(format: MessageFormat, timings: bool, quiet: bool) -> Output {
        Output {
            format,
            timings,
            quiet,
            started: std::time::Instant::now(),
            sarif: std::cell::RefCell::new(None),
        }
    }

    /// Adds SARIF results; the log is printed by [`Output::finish`].
    fn add_sarif(&self, results: impl IntoIterator<Item = serde_json::Value>) {
        self.sarif
            .borrow_mut()
            .get_or_insert_with(Vec::new)
            .extend(results);
    }

    /// Ends the command: with `--message-format sarif`, prints the one log of
    /// everything reported (every diagnostic and the error that stopped it).
    fn finish(&self) {
        if let Some(results) = self.sarif.borrow_mut().take() {
            println!("{}", sarif::log(results));
        }
    }

    /// The one-line summary of a successful `check` or `build` on stderr
    /// (CLI.md "Workflow integration"), with the wall time; not with `-q`,
    /// nor with `--message-format json|sarif`, whose stderr is for machines.
    pub(super) fn summary(&self, what: &str) {
        if self.quiet || self.format != MessageFormat::Human {
            return;
        }
        let ms = self.started.elapsed().as_millis();
        eprintln!("{what} in {ms} ms");
    }

    fn compile(&self, sources: &Sources) -> Option<Compilation> {
        self.compile_into(sources, &Sink::values())
    }

    /// Compiles `sources`, passing every artifact through `sink`; prints `--timings`.
    fn compile_into<T: Send>(
        &self,
        sources: &Sources,
        sink: &Sink<'_, T>,
    ) -> Option<Compilation<T>> {
        let res = crate::compile::compile_paths_into(
            &crate::loader::RealFs,
            &sources.paths,
            sources.root.as_deref(),
            sink,
        );
        self.finish_compile(res)
    }

    /// Prints `--timings` of a compilation, or the reason it could not run.
    fn finish_compile<T>(
        &self,
        res: Result<Compilation<T>, SourcesError>,
    ) -> Option<Compilation<T>> {
        self.finish_timed(res, |c| &c.timings)
    }

    /// [`Output::finish_compile`] for any compilation that keeps its phase
    /// timings (`timings_of`).
    fn finish_timed<C>(
        &self,
        res: Result<C, SourcesError>,
        timings_of: impl Fn(&C) -> &[(&'static str, std::time::Duration)],
    ) -> Option<C> {
        match res {
            Ok(c) => {
                for (phase, t) in timings_of(&c) {
                    self.timing(phase, *t);
                }
                Some(c)
            }
            Err(e) => {
                self.error(&e);
                None
            }
        }
    }

    /// Prints one phase's wall time with `--timings`.
    fn timing(&self, phase: &str, t: std::time::Duration) {
        if self.timings {
            eprintln!("timing: {phase:<28} {:>9.3} ms", t.as_secs_f64() * 1000.0);
        }
    }

    /// Prints one JSON document on stdout.
    fn json(&self, value: &impl serde::Serialize) {
        match serde_json::to_string(value) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                self.error(&CommandError::io(format!(
                    "cannot write the JSON report: {e}"
                )));
            }
        }
    }

    /// A command line that cannot run (exit 2), from its text.
    fn usage_error(&self, msg: &str) -> u8 {
        self.error(&CommandError::usage(msg))
    }

    /// Prints an error that stops the command in the chosen message format
    /// (the one edge where every such error is rendered); returns its exit
    /// status, 2. `e` is a module's error type, a [`CommandError`], or (text
    /// only, an `mcfg::io` error) a string.
    fn error(&self, e: &(impl Stop + ?Sized)) -> u8 {
        let e = e.command_error();
        match self.format {
            MessageFormat::Human => eprint!("{}", human::render_command_error(&e)),
            MessageFormat::Json => eprintln!("{}", json::render_command_error(&e)),
            MessageFormat::Sarif => self.add_sarif([sarif::command_result(&e)]),
        }
        2
    }

    fn diagnostics(&self, sources: &SourceMap, diags: &[Diagnostic]) {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let mut buf = String::new();
        if self.format == MessageFormat::Sarif {
            self.add_sarif(sarif::results(sources, diags));
            return;
        }
        for d in diags {
            match self.format {
                MessageFormat::Sarif => {}
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

/// A command line clap rejected: help and version print as usual; errors honour
/// `--message-format` (`format`, as far as it can be read from the raw arguments).
fn usage_failure(e: &clap::Error, format: MessageFormat) -> u8 {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Printing help can only fail on a closed stdout; nothing is left to report to.
        let _ = e.print();
        return if e.use_stderr() { 2 } else { 0 };
    }
    let out = Output::new(format, false, true);
    let code = match format {
        MessageFormat::Human => {
            let _ = e.print();
            2
        }
        _ => out.error(&usage_error_of(e)),
    };
    out.finish();
    code
}

/// clap's error as a [`CommandError`]: its first paragraph is the message,
/// its `Usage:` line the help.
fn usage_error_of(e: &clap::Error) -> CommandError {
    let rendered = e.render().to_string();
    let mut parts = rendered.trim_end().split("\n\n");
    let mut first = parts.next().unwrap_or_default().lines();
    let head = first.next().unwrap_or_default();
    let message = head.strip_prefix("error: ").unwrap_or(head).trim_end();
    // `[possible values: json, yaml]`, `tip: ...`: part of the help.
    let mut help: Vec<String> = first.map(|l| l.trim().to_owned()).collect();
    help.extend(parts.filter_map(|p| p.trim().strip_prefix("tip: ").map(str::to_owned)));
    let usage = rendered
        .lines()
        .find_map(|l| l.trim().strip_prefix("Usage: "));
    help.push(match usage {
        Some(u) => format!("usage: {u} (`--help` lists every option)"),
        None => "`mcfg COMMAND --help` lists every option".to_owned(),
    });
    CommandError::usage(message).with_help(help.join("; "))
}

/// `3 configs × 2 environments` for `artifacts` (config, environment) pairs.
pub(super) fn counted(artifacts: usize, envs: usize) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    if envs == 0 {
        return plural(artifacts, "config");
    }
    format!(
        "{} × {}",
        plural(artifacts / envs, "config"),
        plural(envs, "environment")
    )
}

/// The `--message-format` value among raw arguments (human when absent or unknown).
fn raw_message_format(args: impl Iterator<Item = String>) -> MessageFormat {
    let mut format = MessageFormat::Human;
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        let value = match a.strip_prefix("--message-format") {
            Some("") => args.next(),
            Some(rest) => rest.strip_prefix('=').map(str::to_owned),
            None => None,
        };
        match value.as_deref() {
            Some("json") => format = MessageFormat::Json,
            Some("sarif") => format = MessageFormat::Sarif,
            Some("human") => format = MessageFormat::Human,
            _ => {}
        }
    }
    format
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
