//! The pipeline as one call: load → resolve → layer → evaluate → cross-env checks.
//!
//! Configs × environments are evaluated in parallel (rayon); results are
//! collected in (config, environment) order and diagnostics sorted, so the
//! output does not depend on the number of threads.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::eval::{self, LayerCache, MarkKind, Marked, Outcome, Value};
use crate::loader::{self, FileSystem, Project};
use crate::overrides::{Override, OverrideEntry};
use crate::project::SourcesError;
use crate::resolve::{ConfigId, EnvId, Program};

/// One emitted (config, environment).
#[derive(Debug)]
pub struct ArtifactValue {
    pub config: String,
    /// `None` for a build without environments.
    pub env: Option<String>,
    /// `Value::Null` when the sink rendered the artifact (`rendered`).
    pub value: Value,
    /// The artifact's bytes, made by the sink's `render` on the evaluating
    /// thread straight from the evaluation; `None` without `render` and for
    /// a config with `@runtime` fields (then `value` holds it).
    pub rendered: Option<Vec<u8>>,
    pub runtime: Option<Value>,
    pub invariant_paths: Vec<String>,
    pub runtime_paths: Vec<String>,
    /// The `ml.FeatureFlag` / `ml.Experiment` fields, for the flagd flag set.
    pub flags: Vec<crate::emit::flagd::FlagField>,
}

/// What becomes of each artifact as soon as its evaluation ends, on the
/// evaluating thread: kept as a value (tools), rendered to bytes (`build`,
/// which then never holds every value at once) or dropped (`check`).
pub struct Sink<'f, T> {
    /// Whether artifact values are built at all; without, `finish` gets
    /// `Value::Null` values (only the diagnostics matter).
    pub values: bool,
    /// Renders an artifact straight from its evaluation (`ArtifactValue::rendered`),
    /// without building its value tree (`eval::Assemble::Render`).
    pub render: Option<&'f eval::Render>,
    /// Turns one artifact into what the compilation keeps.
    pub finish: &'f (dyn Fn(ArtifactValue) -> T + Sync),
}

impl<T> Sink<'_, T> {
    /// What evaluations make of their values for this sink.
    fn assemble(&self) -> eval::Assemble<'_> {
        match (self.values, self.render) {
            (false, _) => eval::Assemble::Nothing,
            (true, None) => eval::Assemble::Value,
            (true, Some(render)) => eval::Assemble::Render(render),
        }
    }
}

impl<T> std::fmt::Debug for Sink<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("values", &self.values)
            .finish_non_exhaustive()
    }
}

impl Sink<'static, ArtifactValue> {
    /// Keeps every artifact value.
    pub fn values() -> Sink<'static, ArtifactValue> {
        Sink {
            values: true,
            render: None,
            finish: &|a| a,
        }
    }
}

impl Sink<'static, ()> {
    /// Keeps nothing but diagnostics (`mcfg check`).
    pub fn diagnostics_only() -> Sink<'static, ()> {
        Sink {
            values: false,
            render: None,
            finish: &|_| (),
        }
    }
}

/// What a compilation produced.
#[derive(Debug)]
pub struct Compilation<T = ArtifactValue> {
    pub project: Project,
    /// Declared environment names in order (empty without environments).
    pub envs: Vec<String>,
    /// Every emitted (config, env) as the sink made it, in config then
    /// environment order; empty when there are errors.
    pub artifacts: Vec<T>,
    /// All diagnostics, sorted.
    pub diags: Vec<Diagnostic>,
    /// Wall time of each phase, in order (`mcfg --timings`).
    pub timings: Vec<(&'static str, Duration)>,
    /// The command-line overrides (their text is in `project.sources`).
    pub overrides: Vec<Override>,
    /// The overrides as the manifest records them (`"overrides"`).
    pub override_entries: Vec<OverrideEntry>,
}

impl<T> Compilation<T> {
    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

/// Compiles the `.mcfg` files below `paths` (root: `root` or their common folder).
pub fn compile_paths(
    fs: &dyn FileSystem,
    paths: &[PathBuf],
    root: Option<&Path>,
) -> Result<Compilation, SourcesError> {
    compile_paths_into(fs, paths, root, &Sink::values())
}

/// [`compile_paths`] with each artifact passed through `sink`.
pub fn compile_paths_into<T: Send>(
    fs: &dyn FileSystem,
    paths: &[PathBuf],
    root: Option<&Path>,
    sink: &Sink<'_, T>,
) -> Result<Compilation<T>, SourcesError> {
    compile_paths_with(fs, paths, root, sink, &[])
}

/// [`compile_paths_into`] with command-line overrides (`--set`, LANGUAGE.md
/// §9.7), each argument as given (`prod:ranker.serving.batch_size=32`).
pub fn compile_paths_with<T: Send>(
    fs: &dyn FileSystem,
    paths: &[PathBuf],
    root: Option<&Path>,
    sink: &Sink<'_, T>,
    sets: &[std::ffi::OsString],
) -> Result<Compilation<T>, SourcesError> {
    let start = Instant::now();
    let (project, diags, overrides) = load_with(fs, paths, root, sets)?;
    let loaded = start.elapsed();
    let mut comp = compile_project_with(project, diags, sink, overrides);
    comp.timings.insert(0, ("load + parse", loaded));
    Ok(comp)
}

/// Loads the sources below `paths`, parsing only the files whose text
/// `parses` has not seen (a history walk reads the same files at every
/// revision). The walk evaluates one value of a revision, and compiles the
/// rest only when it must know whether the revision compiles.
pub fn load_paths_cached(
    fs: &dyn FileSystem,
    paths: &[PathBuf],
    root: Option<&Path>,
    parses: &loader::ParseCache,
) -> Result<(Project, Diagnostics), SourcesError> {
    let (project, diags, _) = load_with_cache(fs, paths, root, &[], Some(parses))?;
    Ok((project, diags))
}

/// Loads the sources below `paths` (the whole project when a `mcfg.toml`
/// is found, LANGUAGE.md §9.8) and registers the overrides `sets` as
/// pseudo-files of the project (`--set[1]`, ...).
pub fn load_with(
    fs: &dyn FileSystem,
    paths: &[PathBuf],
    root: Option<&Path>,
    sets: &[std::ffi::OsString],
) -> Result<(Project, Diagnostics, Vec<Override>), SourcesError> {
    load_with_cache(fs, paths, root, sets, None)
}

/// [`load_with`] with the trees of earlier loads (`parses`).
fn load_with_cache(
    fs: &dyn FileSystem,
    paths: &[PathBuf],
    root: Option<&Path>,
    sets: &[std::ffi::OsString],
    parses: Option<&loader::ParseCache>,
) -> Result<(Project, Diagnostics, Vec<Override>), SourcesError> {
    let mut plan = crate::project::plan(fs, paths, root)?;
    let mut diags = Diagnostics::new();
    let mut project = match plan.error.take() {
        Some((text, diag)) => crate::project::broken(&plan, text, diag, &mut diags),
        None => {
            let mut project = loader::load_cached(&mut diags, fs, &plan.inputs, &plan.root, parses);
            crate::project::select(&mut project, plan.selected.as_deref());
            project
        }
    };
    let (overrides, problems) = crate::overrides::register(&mut project, sets);
    diags.extend(problems);
    Ok((project, diags, overrides))
}

/// Compiles an already loaded project.
pub fn compile_project(project: Project, diags: Diagnostics) -> Compilation {
    compile_project_into(project, diags, &Sink::values())
}

/// [`compile_project`] with each artifact passed through `sink`.
pub fn compile_project_into<T: Send>(
    project: Project,
    diags: Diagnostics,
    sink: &Sink<'_, T>,
) -> Compilation<T> {
    compile_project_with(project, diags, sink, Vec::new())
}

/// [`compile_project_into`] with command-line overrides registered in
/// `project` ([`crate::overrides::register`]).
pub fn compile_project_with<T: Send>(
    project: Project,
    mut diags: Diagnostics,
    sink: &Sink<'_, T>,
    overrides: Vec<Override>,
) -> Compilation<T> {
    let mut timings = Vec::new();
    let (artifacts, envs, override_entries) = {
        let start = Instant::now();
        let mut prog = Program::build(&mut diags, &project);
        let mut planned = Vec::new();
        let (table, entries) = crate::overrides::plan(&mut prog, &overrides, &mut planned);
        diags.extend(planned);
        timings.push(("resolve", start.elapsed()));
        let envs = prog.envs.iter().map(|e| e.name.to_string()).collect();
        let artifacts = evaluate_all(&mut diags, &prog, table, &mut timings, sink);
        (artifacts, envs, entries)
    };
    let mut diags = diags.into_sorted();
    crate::overrides::explain_bare_words(&project, &mut diags);
    if project.selected.is_some() {
        let keep = crate::project::reported(&project);
        diags.retain(|d| keep(d));
    }
    let artifacts = if diags.iter().any(Diagnostic::is_error) {
        Vec::new()
    } else {
        artifacts
    };
    Compilation {
        project,
        envs,
        artifacts,
        diags,
        timings,
        overrides,
        override_entries,
    }
}

/// Runs `f` with the resolved program and layer cache of a loaded project
/// (for tools that need provenance: `explain`, `diff`, `drift`, the language server).
pub fn with_program<R>(
    project: &Project,
    diags: &mut Diagnostics,
    f: impl for<'p> FnOnce(&Program<'p>, &LayerCache<'p>) -> R,
) -> R {
    with_program_overrides(project, &[], diags, f)
}

/// [`with_program`] with the command-line overrides of a compilation
/// applied (`explain --set`, `diff --set`).
pub fn with_program_overrides<R>(
    project: &Project,
    overrides: &[Override],
    diags: &mut Diagnostics,
    f: impl for<'p> FnOnce(&Program<'p>, &LayerCache<'p>) -> R,
) -> R {
    let mut prog = Program::build(diags, project);
    let mut cache_diags = Vec::new();
    let (table, _) = crate::overrides::plan(&mut prog, overrides, &mut cache_diags);
    let mut cache = LayerCache::build(&prog, &mut cache_diags);
    cache.set_overrides(table);
    diags.extend(cache_diags);
    f(&prog, &cache)
}

/// Fewer (config, environment) evaluations than this run on the calling
/// thread: starting the thread pool costs more than they do.
const PARALLEL_MIN_TASKS: usize = 64;

/// The outcomes of one config, per environment slot.
type PerEnv = Vec<(Option<EnvId>, Outcome)>;

fn evaluate_all<'a, T: Send>(
    diags: &mut Diagnostics,
    prog: &Program<'a>,
    overrides: crate::overrides::OverrideTable<'a>,
    timings: &mut Vec<(&'static str, Duration)>,
    sink: &Sink<'_, T>,
) -> Vec<T> {
    let start = Instant::now();
    let mut cache_diags = Vec::new();
    let mut cache = LayerCache::build(prog, &mut cache_diags);
    cache.set_overrides(overrides);
    diags.extend(cache_diags);
    evaluate_cached(diags, prog, &cache, start, timings, sink)
}

/// Evaluates every selected config of `prog` in every environment with the
/// layers (and overrides) of `cache` (a sweep evaluates each point with one cache).
pub(crate) fn evaluate_cached<'a, T: Send>(
    diags: &mut Diagnostics,
    prog: &Program<'a>,
    cache: &LayerCache<'a>,
    start: Instant,
    timings: &mut Vec<(&'static str, Duration)>,
    sink: &Sink<'_, T>,
) -> Vec<T> {
    evaluate_reusing(diags, prog, cache, start, timings, sink, None)
}

/// The diagnostics of configs whose inputs did not change since an earlier
/// compilation (the language server's incremental analysis, `lsp/analysis`).
pub(crate) trait Reuse {
    /// What config `cid` reported last time, if its inputs are the same and
    /// the result could be carried over to this compilation's positions.
    fn get(&self, cid: ConfigId) -> Option<Vec<Diagnostic>>;
    /// Records what config `cid` reported this time.
    fn put(&mut self, cid: ConfigId, diags: &[Diagnostic]);
}

/// [`evaluate_cached`], taking each config's diagnostics from `reuse` when it
/// has them and evaluating only the others. A reused config gives no
/// artifact, so `reuse` is only for a sink that keeps none (the editor's).
pub(crate) fn evaluate_reusing<'a, T: Send>(
    diags: &mut Diagnostics,
    prog: &Program<'a>,
    cache: &LayerCache<'a>,
    start: Instant,
    timings: &mut Vec<(&'static str, Duration)>,
    sink: &Sink<'_, T>,
    mut reuse: Option<&mut dyn Reuse>,
) -> Vec<T> {
    let slots = prog.env_slots();
    let mut emitted: Vec<(ConfigId, Option<Vec<Diagnostic>>)> = Vec::new();
    for (cid, c) in prog.configs.iter_ids() {
        if c.broken {
            continue;
        }
        if !prog.project.is_selected(c.file) {
            continue;
        }
        let known = reuse.as_deref().and_then(|r| r.get(cid));
        if c.is_emitted() {
            emitted.push((cid, known));
        } else if !c.has_children {
            // An abstract config nobody extends is still layered for its static errors.
            let d = known.unwrap_or_else(|| {
                let mut d = Vec::new();
                for &env in &slots {
                    cache.layers_for(prog, cid, env, &mut d);
                }
                d
            });
            if let Some(r) = reuse.as_deref_mut() {
                r.put(cid, &d);
            }
            diags.extend(d);
        }
    }
    let configs: Vec<ConfigId> = emitted
        .iter()
        .filter(|(_, known)| known.is_none())
        .map(|(cid, _)| *cid)
        .collect();
    // Configs that others read go first, and publish their values (`eval::board`).
    let (waves, board) = eval::board::plan(prog, &configs);
    let copies = eval::ThreadCopies::default();
    // One task per config: its environments share the layering of its body,
    // and its cross-environment checks run there too.
    let evaluate = |cid: ConfigId| -> (PerEnv, Vec<Option<T>>) {
        let assemble = sink.assemble();
        let (board, copies) = (Some(&board), Some(&copies));
        let outs = eval::evaluate_envs(prog, cache, cid, &slots, assemble, board, copies);
        outs.into_iter()
            .zip(&slots)
            .map(|(mut out, &env)| {
                let artifact = out.value.take().map(|value| {
                    let invariant_paths = out
                        .marked
                        .iter()
                        .filter(|m| m.kind == MarkKind::Invariant)
                        .map(|m| m.path.clone())
                        .collect();
                    (sink.finish)(ArtifactValue {
                        config: prog.configs[cid].name.to_string(),
                        env: prog.env_name(env).map(str::to_owned),
                        value,
                        rendered: out.rendered.take(),
                        runtime: out.runtime.take(),
                        invariant_paths,
                        runtime_paths: std::mem::take(&mut out.runtime_paths),
                        flags: std::mem::take(&mut out.flags),
                    })
                });
                ((env, out), artifact)
            })
            .unzip()
    };
    let run = |cid: ConfigId| {
        let (mut list, done) = evaluate(cid);
        let mut local: Vec<Diagnostic> = Vec::new();
        for (_, out) in &mut list {
            local.append(&mut out.diags);
        }
        cross_env(prog, cid, &list, &mut local);
        (collapse_envs(local, slots.len()), done)
    };
    let per_config = run_waves(&configs, &waves, &board, slots.len(), run);
    timings.push(("layer + evaluate + check", start.elapsed()));
    let start = Instant::now();
    let mut artifacts = Vec::new();
    let mut fresh = configs.iter().zip(per_config);
    for (cid, known) in emitted {
        let local = match known {
            Some(local) => local,
            None => {
                let Some((_, (local, done))) = fresh.next() else {
                    continue;
                };
                artifacts.extend(done.into_iter().flatten());
                local
            }
        };
        if let Some(r) = reuse.as_deref_mut() {
            r.put(cid, &local);
        }
        diags.extend(local);
    }
    timings.push(("cross-environment checks", start.elapsed()));
    artifacts
}

/// Runs `run` on every config of `waves`, wave after wave (a wave's
/// publications become readable before the next starts), and returns the
/// results in the order of `configs`.
fn run_waves<R: Send>(
    configs: &[ConfigId],
    waves: &[Vec<ConfigId>],
    board: &eval::Board<'_>,
    n_envs: usize,
    run: impl Fn(ConfigId) -> R + Sync,
) -> Vec<R> {
    let mut done: crate::map::Map<ConfigId, R> = crate::map::with_capacity(configs.len());
    for wave in waves {
        // A small wave is done before a thread pool would have started.
        let results: Vec<R> = if wave.len() * n_envs < PARALLEL_MIN_TASKS {
            wave.iter().map(|&cid| run(cid)).collect()
        } else {
            wave.par_iter().map(|&cid| run(cid)).collect()
        };
        board.end_wave();
        done.extend(wave.iter().copied().zip(results));
    }
    // Every config is in exactly one wave (`plan`).
    configs
        .iter()
        .filter_map(|cid| done.swap_remove(cid))
        .collect()
}

/// A diagnostic reported identically in every environment becomes one
/// without `env`; one reported in several becomes one listing them (`envs`).
pub(crate) fn collapse_envs(diags: Vec<Diagnostic>, n_envs: usize) -> Vec<Diagnostic> {
    if n_envs <= 1 {
        return diags;
    }
    // Group by everything but `env`: a group seen in every environment
    // becomes one env-free diagnostic, one seen in several lists them.
    let mut out = Vec::new();
    let mut groups: indexmap::IndexMap<Diagnostic, Vec<String>> = indexmap::IndexMap::new();
    for mut d in diags {
        match d.env.take() {
            None => out.push(d),
            Some(env) => groups.entry(d).or_default().push(env),
        }
    }
    for (d, envs) in groups {
        if envs.len() >= n_envs {
            out.push(d);
        } else if envs.len() == 1 {
            out.push(Diagnostic {
                env: envs.into_iter().next(),
                ..d
            });
        } else {
            out.push(Diagnostic {
                env: envs.first().cloned(),
                envs,
                ..d
            });
        }
    }
    out
}

/// `@invariant` and `@distinct` across the environments of one config.
fn cross_env(
    prog: &Program<'_>,
    cid: ConfigId,
    list: &[(Option<EnvId>, Outcome)],
    diags: &mut Vec<Diagnostic>,
) {
    if list.len() < 2 {
        return;
    }
    let config = &prog.configs[cid];
    let name = |e: Option<EnvId>| prog.env_name(e).unwrap_or("").to_owned();
    let Some((_, first)) = list.first() else {
        return;
    };
    for (mi, m0) in first.marked.iter().enumerate() {
        let per_env: Vec<(Option<EnvId>, &Marked)> = list
            .iter()
            .filter_map(|(e, o)| o.marked.get(mi).map(|m| (*e, m)))
            .collect();
        match m0.kind {
            MarkKind::Invariant => invariant(prog, config.name.as_ref(), &per_env, &name, diags),
            MarkKind::Distinct => distinct(config.name.as_ref(), &per_env, &name, diags),
        }
    }
}

fn invariant(
    _prog: &Program<'_>,
    config: &str,
    per_env: &[(Option<EnvId>, &Marked)],
    name: &dyn Fn(Option<EnvId>) -> String,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(&(ref_env, reference)) = per_env.first() else {
        return;
    };
    for &(env, m) in &per_env[1..] {
        for ((path, v, span), (_, rv, rspan)) in m.leaves.iter().zip(&reference.leaves) {
            let (Some(v), Some(rv)) = (v, rv) else {
                continue;
            };
            if eval::value_equal(v, rv) {
                continue;
            }
            let Some(span) = span.or(m.span) else {
                continue;
            };
            let mut d = Diagnostic::error(
                Code::Invariant,
                span,
                format!(
                    "`{path}` is @invariant but differs between environments: `{}` has {}, `{}` has {}",
                    name(ref_env),
                    rv.short(),
                    name(env),
                    v.short()
                ),
            )
            .with_primary_message(format!("`{}` gets {} here", name(env), v.short()));
            if let Some(rs) = rspan.filter(|rs| *rs != span) {
                d = d.with_label(rs, format!("`{}` gets {} here", name(ref_env), rv.short()));
            }
            d = d
                .with_label(m.marker, "declared @invariant here")
                .with_help(format!(
                    "set `{path}` outside `env` blocks so every environment gets the same value"
                ))
                .with_config(config)
                .with_env(Some(&name(env)));
            diags.push(d);
        }
    }
}

fn distinct(
    config: &str,
    per_env: &[(Option<EnvId>, &Marked)],
    name: &dyn Fn(Option<EnvId>) -> String,
    diags: &mut Vec<Diagnostic>,
) {
    for (j, &(env_j, mj)) in per_env.iter().enumerate() {
        let Some(vj) = &mj.value else { continue };
        let Some(&(env_i, mi)) = per_env[..j].iter().find(|(_, mi)| {
            mi.value
                .as_ref()
                .is_some_and(|vi| eval::value_equal(vi, vj))
        }) else {
            continue;
        };
        let Some(span) = mj.span.or(mi.span) else {
            continue;
        };
        let mut d = Diagnostic::error(
            Code::Distinct,
            span,
            format!(
                "`{}` is @distinct but `{}` and `{}` both get {}",
                mj.path,
                name(env_i),
                name(env_j),
                vj.short()
            ),
        )
        .with_primary_message(format!("`{}` gets this value", name(env_j)));
        let other = mi.span.unwrap_or(span);
        d = d.with_label(other, format!("`{}` gets the same value here", name(env_i)));
        d = d
            .with_label(mj.marker, "declared @distinct here")
            .with_help(format!(
                "give `{}` its own value in `env {}`",
                mj.path,
                name(env_j)
            ))
            .with_config(config)
            .with_env(Some(&name(env_j)));
        diags.push(d);
    }
}
