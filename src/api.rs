//! A small library surface for embedders (the Python package in `python/`):
//! compile to artifact values, validate a runtime update, and diagnostics as
//! plain data plus their human rendering.
//!
//! Every function runs the compiler on a thread of its own with the CLI's
//! big stack and turns a panic into [`Error::Internal`], so an embedding
//! process never crashes on any input.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::compile::{Compilation, Sink};
use crate::diagnostics::{human, Diagnostic};
use crate::source::{SourceFile, SourceMap};

pub mod runtime_file;

/// The compiler's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Stack size of the thread a call runs on (as `mcfg::cli`).
const STACK_BYTES: usize = 512 << 20;

/// Rendering width of the human diagnostics.
const WIDTH: usize = 100;

/// One diagnostic as data (the primary location resolved to line and column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosticData {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    pub help: Option<String>,
    pub env: Option<String>,
    pub config: Option<String>,
}

/// Diagnostics as data and as the command line prints them (no colour).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub diagnostics: Vec<DiagnosticData>,
    pub rendered: String,
}

impl Report {
    fn new(sources: &SourceMap, diags: &[Diagnostic]) -> Report {
        let mut rendered = String::new();
        for d in diags {
            rendered.push_str(&human::render(sources, d, false, WIDTH));
        }
        Report {
            diagnostics: diags.iter().map(|d| data(sources, d)).collect(),
            rendered,
        }
    }
}

fn data(sources: &SourceMap, d: &Diagnostic) -> DiagnosticData {
    let crate::diagnostics::location::Loc { file, line, column } =
        crate::diagnostics::location::locate(sources, d.primary.span);
    DiagnosticData {
        severity: d.severity.as_str().to_owned(),
        code: d.code.as_str().to_owned(),
        message: d.message.clone(),
        file,
        line,
        column,
        help: d.help.clone(),
        env: d.env.clone(),
        config: d.config.clone(),
    }
}

/// Why a call produced no result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Error {
    /// The call itself cannot run: a path that does not exist, an unknown config.
    Usage(String),
    /// The sources have errors.
    Compile(Report),
    /// A bug in mcfg (a panic), caught.
    Internal(String),
}

/// One emitted (config, environment) in artifact form (durations in seconds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArtifactJson {
    pub config: String,
    pub env: Option<String>,
    pub value: serde_json::Value,
    pub runtime: Option<serde_json::Value>,
    pub runtime_paths: Vec<String>,
}

/// A successful compilation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compiled {
    /// Declared environments in order (empty without environments).
    pub envs: Vec<String>,
    /// In config then environment order.
    pub artifacts: Vec<ArtifactJson>,
    /// Warnings (the compilation succeeded).
    pub warnings: Report,
}

/// Runs `f` on a thread with a big stack; a panic becomes [`Error::Internal`].
pub fn guarded<R: Send>(f: impl FnOnce() -> Result<R, Error> + Send) -> Result<R, Error> {
    let outcome = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            })
            .map(|h| h.join())
    });
    match outcome {
        Ok(Ok(Ok(r))) => r,
        Ok(Ok(Err(panic)) | Err(panic)) => Err(Error::Internal(panic_message(&*panic))),
        Err(e) => Err(Error::Internal(format!(
            "cannot start a compiler thread: {e}"
        ))),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal error in mcfg, please report it with the input that caused it: {what}")
}

fn load(paths: &[PathBuf], root: Option<&Path>) -> Result<Compilation, Error> {
    load_with(paths, root, &[])
}

fn load_with(
    paths: &[PathBuf],
    root: Option<&Path>,
    overrides: &[String],
) -> Result<Compilation, Error> {
    for p in paths.iter().chain(root.map(Path::to_path_buf).as_ref()) {
        if !p.exists() {
            return Err(Error::Usage(format!("{} does not exist", p.display())));
        }
    }
    let sets: Vec<std::ffi::OsString> = overrides.iter().map(Into::into).collect();
    crate::compile::compile_paths_with(&crate::loader::RealFs, paths, root, &Sink::values(), &sets)
        .map_err(|e| Error::Usage(e.to_string()))
}

/// Compiles the sources below `paths`; `overrides` are `--set` arguments.
pub fn compile_values(
    paths: &[PathBuf],
    root: Option<&Path>,
    overrides: &[String],
) -> Result<Compiled, Error> {
    let comp = load_with(paths, root, overrides)?;
    if comp.has_errors() {
        return Err(Error::Compile(Report::new(
            &comp.project.sources,
            &comp.diags,
        )));
    }
    let warnings = Report::new(&comp.project.sources, &comp.diags);
    let artifacts = comp
        .artifacts
        .iter()
        .map(|a| ArtifactJson {
            config: a.config.clone(),
            env: a.env.clone(),
            value: a.value.to_json(),
            runtime: a.runtime.as_ref().map(crate::eval::Value::to_json),
            runtime_paths: a.runtime_paths.clone(),
        })
        .collect();
    Ok(Compiled {
        envs: comp.envs,
        artifacts,
        warnings,
    })
}

/// The JSON Schema of each emitted config (as `mcfg schema`), by config name.
pub fn schemas(
    paths: &[PathBuf],
    root: Option<&Path>,
) -> Result<indexmap::IndexMap<String, serde_json::Value>, Error> {
    let comp = load(paths, root)?;
    if comp.has_errors() {
        return Err(Error::Compile(Report::new(
            &comp.project.sources,
            &comp.diags,
        )));
    }
    let mut diags = crate::diagnostics::Diagnostics::new();
    Ok(crate::compile::with_program(
        &comp.project,
        &mut diags,
        |prog, _| crate::emit::schema::config_schemas(prog, &comp.artifacts),
    ))
}

/// Validates a runtime update (`update_text`, shown as `update_name`) for
/// `config` in `env` as `mcfg check-runtime` does. `Ok` holds the problems
/// (none: the update may be applied); a document that does not parse is one
/// `mcfg::syntax` problem.
pub fn check_runtime(
    paths: &[PathBuf],
    root: Option<&Path>,
    config: &str,
    env: Option<&str>,
    update_name: &str,
    update_text: &str,
) -> Result<Report, Error> {
    let mut comp = load(paths, root)?;
    if comp.has_errors() {
        return Err(Error::Compile(Report::new(
            &comp.project.sources,
            &comp.diags,
        )));
    }
    let text = update_text.strip_prefix('\u{feff}').unwrap_or(update_text);
    let fid = comp.project.sources.add(SourceFile::new(update_name, text));
    let update = match crate::report::document::read(text, fid) {
        Ok(u) => u,
        Err(e) => {
            let d = e.to_diagnostic().with_config(config).with_env(env);
            return Ok(Report::new(&comp.project.sources, &[d]));
        }
    };
    let problems = crate::report::check_runtime::check_runtime(&comp.project, &update, config, env)
        .map_err(|e| Error::Usage(e.to_string()))?;
    Ok(Report::new(&comp.project.sources, &problems))
}
