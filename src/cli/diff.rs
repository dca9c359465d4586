//! `mcfg diff --env A --env B [CONFIG] PATHS...` and
//! `mcfg diff --against REV [--env E] [CONFIG] PATHS...` (`report::diff`).
//! `mcfg diff --sweep AXIS... [--env E] [CONFIG] PATHS...`: each point of
//! the sweep against the base (`report::diff::sweep`).
//! Differences are not errors: exit 0 unless the sources have errors.

use std::path::PathBuf;

use clap::Args;

use super::{Output, Sources};
use crate::compile::{compile_paths_with, with_program, with_program_overrides, Compilation, Sink};
use crate::diagnostics::{CommandError, Diagnostics};
use crate::git::{GitError, Repo};
use crate::report::diff::{self, ProgramSnapshot};
use crate::report::markdown;
use crate::report::query::QueryError;

/// Arguments of `mcfg diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Two environments to compare (or, with `--against`, at most one to limit the report).
    #[arg(long = "env")]
    pub envs: Vec<String>,
    /// Compare the working tree with this git revision instead of two environments.
    #[arg(long)]
    pub against: Option<String>,
    /// Only this config (also accepted as the first positional argument
    /// when that is not an existing file or folder).
    #[arg(long)]
    pub config: Option<String>,
    /// `[CONFIG] PATHS...`: files or folders (default `.`).
    #[arg(value_name = "CONFIG|PATHS")]
    pub items: Vec<PathBuf>,
    /// The folder imports may not leave (default: the common folder of the paths).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Print one JSON report on stdout (the same as `--format json`).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub overrides: super::overrides::OverrideArgs,
    #[command(flatten)]
    pub sweep: super::overrides::SweepArgs,
    /// How to print the report: `human` (aligned table), `json`, or
    /// `markdown` (a pull-request comment; `--against` only).
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
}

/// The shapes `mcfg diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
    Markdown,
}

impl DiffArgs {
    fn format(&self) -> DiffFormat {
        if self.json {
            DiffFormat::Json
        } else {
            self.format
        }
    }
}

/// Splits `[CONFIG] PATHS...`: a first item that is no existing path and is
/// an identifier names a config.
pub fn split_config(
    config: Option<&str>,
    items: &[PathBuf],
    root: Option<PathBuf>,
) -> (Option<String>, Sources) {
    let mut items = items.to_vec();
    let mut config = config.map(str::to_owned);
    if config.is_none() {
        if let Some(first) = items.first().and_then(|p| p.to_str()) {
            let ident = !first.is_empty()
                && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !first.starts_with(|c: char| c.is_ascii_digit());
            if ident && !items[0].exists() {
                config = Some(first.to_owned());
                items.remove(0);
            }
        }
    }
    if items.is_empty() {
        items.push(PathBuf::from("."));
    }
    (config, Sources { paths: items, root })
}

/// Runs `mcfg diff`.
pub fn run(out: &Output, args: &DiffArgs) -> u8 {
    let (config, sources) = split_config(args.config.as_deref(), &args.items, args.root.clone());
    let sets = &args.overrides.sets;
    if !args.sweep.sweeps.is_empty() {
        return sweep(out, args, &sources, config.as_deref());
    }
    let Some(comp) = out.compile_with(&sources, &Sink::values(), sets) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    let code = match &args.against {
        Some(rev) => against(out, args, &comp, &sources, config.as_deref(), rev),
        None => envs(out, args, &comp, config.as_deref()),
    };
    if code == 0 {
        u8::from(comp.has_errors())
    } else {
        code
    }
}

/// `diff --sweep`: every point against the base, in one environment or all.
fn sweep(out: &Output, args: &DiffArgs, sources: &Sources, config: Option<&str>) -> u8 {
    if args.against.is_some() || args.envs.len() > 1 {
        out.usage_error(
            "`diff --sweep` compares each point with the base: it takes at most one `--env` and no `--against`",
        );
        return 2;
    }
    if args.format() == DiffFormat::Markdown {
        out.error("`--format markdown` is for `diff --against REV` (a pull-request comment)");
        return 2;
    }
    let sink = Sink::diagnostics_only();
    let Some(comp) = out.compile_sweep(sources, &sink, &args.overrides.sets, &args.sweep.sweeps)
    else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    let env = args.envs.first().map(String::as_str);
    let checked = with_program(&comp.project, &mut Diagnostics::new(), |prog, _| {
        if let Some(c) = config {
            crate::report::lookup::find_config(prog, c)?;
        }
        crate::report::lookup::find_env(prog, env).map(|_| ())
    });
    if let Err(msg) = checked.map_err(String::from) {
        out.error(&msg);
        return 2;
    }
    let Some((base, points)) = crate::sweep::points::each_point(&comp, |prog, cache, _| {
        diff::snapshot_program(prog, cache, config, env)
    }) else {
        return 1;
    };
    let report = diff::sweep::diff_sweep(&base, points);
    match args.format() {
        DiffFormat::Json => out.json(&report),
        _ => print!("{}", diff::sweep::render_sweep(&report)),
    }
    u8::from(comp.has_errors())
}

fn envs(out: &Output, args: &DiffArgs, comp: &Compilation, config: Option<&str>) -> u8 {
    let [a, b] = &args.envs[..] else {
        return out.error(
            &CommandError::usage("`diff` needs exactly two `--env` options (or `--against REV`)")
                .with_help("`mcfg diff --env dev --env prod`, or `mcfg diff --against HEAD`"),
        );
    };
    let report = with_program_overrides(
        &comp.project,
        &comp.overrides,
        &mut Diagnostics::new(),
        |prog, cache| diff::diff_envs(prog, cache, [a, b], config),
    );
    if args.format() == DiffFormat::Markdown {
        return out.error(&CommandError::usage(
            "`--format markdown` is for `diff --against REV` (a pull-request comment)",
        ));
    }
    match report {
        Ok(r) if args.format() == DiffFormat::Json => out.json(&r),
        Ok(r) => print!("{}", diff::render_env_diff(&r)),
        Err(e) => return out.error(&e),
    }
    0
}

fn against(
    out: &Output,
    args: &DiffArgs,
    comp: &Compilation,
    sources: &Sources,
    config: Option<&str>,
    rev: &str,
) -> u8 {
    if args.envs.len() > 1 {
        return out.usage_error("`diff --against` takes at most one `--env`");
    }
    let env = args.envs.first().map(String::as_str);
    let root = sources.root_or_default(comp);
    let checked = with_program(&comp.project, &mut Diagnostics::new(), |prog, _| {
        if let Some(c) = config {
            crate::report::lookup::find_config(prog, c)?;
        }
        crate::report::lookup::find_env(prog, env).map(|_| ())
    });
    let old = Repo::discover(&root).and_then(|repo| -> Result<_, GitError> {
        let hash = repo.resolve(rev)?;
        let fs = repo.files_at(&hash, &root)?;
        let sink = Sink::values();
        let sets = &args.overrides.sets;
        Ok(
            match compile_paths_with(&fs, &sources.paths, Some(&root), &sink, sets) {
                Ok(old) => snapshot(&old, config, env),
                Err(_) => ProgramSnapshot::new(),
            },
        )
    });
    let old = match checked
        .map_err(QueryError::from)
        .and(old.map_err(QueryError::from))
    {
        Ok(old) => old,
        Err(e) => return out.error(&e),
    };
    let new = snapshot(comp, config, env);
    let report = diff::diff_against(rev, &old, &new);
    match args.format() {
        DiffFormat::Json => out.json(&report),
        DiffFormat::Markdown => print!("{}", markdown::render_markdown(&report)),
        DiffFormat::Human => print!("{}", diff::render_against(&report)),
    }
    0
}

fn snapshot(comp: &Compilation, config: Option<&str>, env: Option<&str>) -> ProgramSnapshot {
    with_program_overrides(
        &comp.project,
        &comp.overrides,
        &mut Diagnostics::new(),
        |prog, cache| diff::snapshot_program(prog, cache, config, env),
    )
}
