//! `mcfg test [--junit FILE] [PATHS|FILTER]...`: runs the policy tests
//! (LANGUAGE.md §9.9) in every environment they list (`report::policy`).
//!
//! The sources are compiled first, as `check` does (with `--set`
//! overrides); when they have errors no test runs and the exit status is 1.
//! Then one line per test and environment on stdout, `cargo test` style,
//! the failing asserts as diagnostics on stderr (one per assert, listing the
//! environments where it fails the same way, as `check` does), and the summary
//! `N passed, M failed`. Exit status 1 on any failure.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{MessageFormat, Output, Sources};
use crate::compile::Sink;
use crate::report::{junit, policy};

/// Arguments of `mcfg test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Files or folders with the sources (default `.`), and name filters:
    /// an argument that is no file or folder (and has no `/`) runs only the
    /// tests whose name contains it.
    #[arg(value_name = "PATHS|FILTER")]
    pub args: Vec<OsString>,
    /// The folder imports may not leave (default: the common folder of the paths).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Run only the tests whose name contains this text (repeatable; also
    /// for a filter that is the name of a file).
    #[arg(long = "filter", value_name = "TEXT")]
    pub filters: Vec<String>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    #[command(flatten)]
    pub overrides: super::overrides::OverrideArgs,
}

/// Splits the positional arguments into source paths and name filters.
fn split_args(args: &TestArgs) -> (Vec<PathBuf>, Vec<String>) {
    let mut paths = Vec::new();
    let mut filters = args.filters.clone();
    for a in &args.args {
        let p = Path::new(a);
        let looks_like_path = a
            .to_str()
            .is_none_or(|s| s.contains('/') || s.ends_with(".mcfg"));
        if looks_like_path || p.symlink_metadata().is_ok() {
            paths.push(p.to_path_buf());
        } else {
            filters.push(a.to_string_lossy().into_owned());
        }
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    (paths, filters)
}

/// Runs `mcfg test`.
pub fn run(out: &Output, args: &TestArgs) -> u8 {
    let (paths, filters) = split_args(args);
    let sources = Sources {
        paths,
        root: args.root.clone(),
    };
    let sink = Sink::diagnostics_only();
    let Some(comp) = out.compile_with(&sources, &sink, &args.overrides.sets) else {
        return 2;
    };
    if comp.has_errors() {
        out.diagnostics(&comp.project.sources, &comp.diags);
        if out.format == MessageFormat::Human {
            eprintln!("mcfg: no tests ran: the sources have errors");
        }
        return 1;
    }
    let run = policy::run(&comp.project, &comp.overrides, &filters);
    let mut diags = comp.diags.clone();
    diags.extend(run.diagnostics());
    let lines = policy::render_lines(&run);
    let summary = policy::summary(&run);
    if out.format == MessageFormat::Sarif {
        // stdout is the SARIF log.
        eprint!("{lines}");
        out.diagnostics(&comp.project.sources, &diags);
        eprintln!("\n{summary}");
    } else {
        print!("{lines}");
        out.diagnostics(&comp.project.sources, &diags);
        println!("\n{summary}");
    }
    if let Some(file) = &args.junit {
        let xml = junit::render(&run, &comp.project.sources);
        if let Err(e) = super::fmt::replace_file(file, xml.as_bytes()) {
            return out.error(&super::output::write_error(file, &e));
        }
    }
    u8::from(run.failed() > 0)
}
