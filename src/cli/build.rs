//! `mcfg build`: compile, then write every artifact and the manifest, all or
//! nothing; `--check` compares with the folder instead of writing;
//! `--bundle` writes one document per environment (`emit::bundle`).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{Output, Sources};
use crate::compile::{ArtifactValue, Sink};
use crate::emit::flagd::ArtifactFlags;
use crate::emit::manifest::{
    git_info, ArtifactEntry, FlagSetEntry, GitInfo, Manifest, SourceEntry,
};
use crate::emit::{self, Artifact, Format};
use crate::eval::{Render, View};
use crate::loader::Project;
use crate::report::verify::ProblemKind;

/// Artifact format on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Json,
    Yaml,
}

/// Arguments of `mcfg build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub sources: Sources,
    /// Output folder.
    #[arg(short = 'o', long = "out", default_value = "build")]
    pub out: PathBuf,
    /// Only write these environments (every environment is still checked).
    #[arg(long = "env")]
    pub envs: Vec<String>,
    /// Artifact format.
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    pub format: FormatArg,
    /// Write dotted keys (`"serving.batch_size": 64`) instead of nested objects.
    #[arg(long)]
    pub flat: bool,
    /// Write one document per environment (`<env>.json`, configs keyed by
    /// name) instead of one file per config.
    #[arg(long)]
    pub bundle: bool,
    /// Write nothing; exit 1 when the output folder differs from what a build would write.
    #[arg(long)]
    pub check: bool,
    /// Fsync every artifact and folder before swapping the output folder in
    /// (durable across power loss; slower with many artifacts).
    #[arg(long)]
    pub fsync: bool,
    #[command(flatten)]
    pub overrides: super::overrides::OverrideArgs,
    #[command(flatten)]
    pub sweep: super::overrides::SweepArgs,
}

/// One artifact rendered on the thread that evaluated it: the file, the
/// runtime file, the manifest entry (hashed there too) and its flagd flags.
pub(super) type Rendered = (Artifact, Option<Artifact>, ArtifactEntry, ArtifactFlags);

/// Runs `mcfg build`.
pub fn run(out: &Output, args: &BuildArgs) -> u8 {
    let format = match args.format {
        FormatArg::Json => Format::Json,
        FormatArg::Yaml => Format::Yaml,
    };
    let selected = |a: &ArtifactValue| {
        args.envs.is_empty() || a.env.as_ref().is_some_and(|e| args.envs.contains(e))
    };
    if !args.sweep.sweeps.is_empty() {
        if args.bundle {
            return out.error(
                &crate::diagnostics::CommandError::usage(
                    "`--bundle` cannot be combined with `--sweep`",
                )
                .with_help("build the sweep without `--bundle`, or bundle one point with `--set`"),
            );
        }
        let finish = |a: ArtifactValue| selected(&a).then(|| render_artifact(a, format, args.flat));
        let sink = Sink {
            values: true,
            render: json_renderer(format, args.flat, &FILE_JSON),
            finish: &finish,
        };
        return super::sweep::build(out, args, &sink);
    }
    // `git` takes about 10 ms: it runs while the sources compile.
    let git = GitProbe::start(args);
    if args.bundle {
        let finish = |a: ArtifactValue| selected(&a).then(|| render_part(a, format, args.flat));
        let render = json_renderer(format, args.flat, &BUNDLE_MEMBER);
        build_with(
            out,
            args,
            render,
            &finish,
            git,
            |rendered, envs, manifest| collect_bundled(rendered, envs, format, manifest),
        )
    } else {
        let finish = |a: ArtifactValue| selected(&a).then(|| render_artifact(a, format, args.flat));
        let render = json_renderer(format, args.flat, &FILE_JSON);
        build_with(out, args, render, &finish, git, |rendered, _, manifest| {
            collect(rendered, manifest)
        })
    }
}

/// Compiles with `finish` as the sink, then writes (or with `--check`
/// compares) the files `collect` makes of the rendered artifacts.
fn build_with<T: Send>(
    out: &Output,
    args: &BuildArgs,
    render: Option<&Render>,
    finish: &(dyn Fn(ArtifactValue) -> Option<T> + Sync),
    git: Option<GitProbe>,
    collect: impl FnOnce(
        Vec<T>,
        &[String],
        &(dyn Fn(Vec<ArtifactEntry>, Vec<FlagSetEntry>) -> Manifest + Sync),
    ) -> Vec<Artifact>,
) -> u8 {
    let sink = Sink {
        values: true,
        render,
        finish,
    };
    let Some(comp) = out.compile_with(&args.sources, &sink, &args.overrides.sets) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    if comp.has_errors() {
        return 1;
    }
    if !known_envs(out, &args.envs, &comp.envs) {
        return 2;
    }
    let root = args.sources.root_or_default(&comp);
    let (project, envs) = (&comp.project, &comp.envs);
    let overrides = &comp.override_entries;
    let git = std::sync::Mutex::new(git);
    let manifest = |entries, flags| {
        let probe = git.lock().ok().and_then(|mut g| g.take());
        let git = GitProbe::finish(probe, &root);
        manifest_with(project, envs, overrides, entries, flags, &root, git)
    };
    let start = std::time::Instant::now();
    let rendered: Vec<T> = comp.artifacts.into_iter().flatten().collect();
    let files = collect(rendered, envs, &manifest);
    out.timing("files + manifest", start.elapsed());
    let start = std::time::Instant::now();
    // Every file but the manifest.
    let artifacts = files.len().saturating_sub(1);
    let code = if args.check {
        let code = check_dir(out, &args.out, &files);
        if code == 0 {
            out.summary(&format!(
                "{} is up to date ({artifacts} artifacts)",
                args.out.display()
            ));
        }
        code
    } else {
        match crate::cli::output::write_atomic_with(&args.out, &files, args.fsync) {
            Ok(()) => {
                out.summary(&format!(
                    "built {artifacts} artifact{} into {}",
                    if artifacts == 1 { "" } else { "s" },
                    args.out.display()
                ));
                0
            }
            Err(e) => out.error(&crate::cli::output::write_error(&args.out, &e)),
        }
    };
    out.timing(
        if args.check { "compare" } else { "write" },
        start.elapsed(),
    );
    // The process ends here: freeing the sources and the files piece by
    // piece would only cost time.
    std::mem::forget(comp.project);
    std::mem::forget(files);
    code
}

/// `git_info` of the project root, started on a thread before compiling
/// (it runs two `git` processes) and taken when the manifest is made.
struct GitProbe {
    /// The root the sources will have, as `project::plan` predicts it, and
    /// `git_info` of it.
    handle: std::thread::JoinHandle<Option<(PathBuf, Option<GitInfo>)>>,
}

impl GitProbe {
    /// Starts finding the root `args` will compile and asking `git` about it.
    fn start(args: &BuildArgs) -> Option<GitProbe> {
        if args.check {
            // `--check` often ends before a manifest is needed.
            return None;
        }
        let paths = args.sources.paths.clone();
        let root = args.sources.root.clone();
        let handle = std::thread::Builder::new()
            .spawn(move || {
                let plan =
                    crate::project::plan(&crate::loader::RealFs, &paths, root.as_deref()).ok()?;
                let info = git_info(&git_dir(&plan.root));
                Some((plan.root, info))
            })
            .ok()?;
        Some(GitProbe { handle })
    }

    /// The `git` entry of a manifest for the sources at `root`: the probe's
    /// answer when it asked about that same root, else asked now.
    fn finish(probe: Option<GitProbe>, root: &Path) -> Option<GitInfo> {
        if let Some(Ok(Some((predicted, info)))) = probe.map(|p| p.handle.join()) {
            if predicted == root {
                return info;
            }
        }
        git_info(&git_dir(root))
    }
}

/// The folder `git` runs in for the sources at `root`.
fn git_dir(root: &Path) -> PathBuf {
    if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root.to_path_buf()
    }
}

/// Whether every `--env` names a declared environment (else reported).
pub(super) fn known_envs(out: &Output, selected: &[String], envs: &[String]) -> bool {
    for e in selected {
        if !envs.contains(e) {
            let declared = if envs.is_empty() {
                "none".to_owned()
            } else {
                envs.join(", ")
            };
            out.error(
                &crate::diagnostics::CommandError::usage(format!(
                    "unknown environment `{e}` in --env (declared: {declared})"
                ))
                .with_help("`--env` takes an environment the sources declare"),
            );
            return false;
        }
    }
    true
}

pub(super) fn check_dir(out: &Output, dir: &Path, files: &[Artifact]) -> u8 {
    let diffs = crate::cli::output::compare_dir(dir, files);
    if diffs.is_empty() {
        return 0;
    }
    let mut msg = "is not what a build would write:".to_owned();
    for d in &diffs {
        let what = match d.kind {
            ProblemKind::Modified => "differs",
            ProblemKind::Missing => "missing",
            ProblemKind::Extra => "not written by a build",
        };
        msg.push_str(&format!("\n  {:<9} {}", what, d.path));
    }
    let e = crate::diagnostics::CommandError::io(msg)
        .in_file(dir)
        .with_help("run `mcfg build` and commit the result");
    out.error(&e);
    1
}

/// Renders one artifact (and its runtime part) and hashes it for the manifest.
fn render_artifact(mut a: ArtifactValue, format: Format, flat: bool) -> Rendered {
    let dir = a.env.as_ref().map(|e| format!("{e}/")).unwrap_or_default();
    let ext = format.extension();
    let bytes = a
        .rendered
        .take()
        .unwrap_or_else(|| render(&a.value, format, flat));
    let main = Artifact::new(format!("{dir}{}.{ext}", a.config), bytes);
    let runtime = a.runtime.as_ref().map(|rt| {
        Artifact::new(
            format!("{dir}{}.runtime.{ext}", a.config),
            render(rt, format, flat),
        )
    });
    let entry = ArtifactEntry::new(
        a.config.clone(),
        a.env.clone(),
        &main,
        runtime.as_ref(),
        a.invariant_paths.clone(),
        a.runtime_paths.clone(),
    );
    let flags = ArtifactFlags::new(&a.config, a.env.clone(), &a.flags);
    (main, runtime, entry, flags)
}

/// The files of a build in order: artifacts, flagd flag sets, the manifest
/// (made from the entries) last.
pub(super) fn collect(
    rendered: impl IntoIterator<Item = Rendered>,
    manifest: impl FnOnce(Vec<ArtifactEntry>, Vec<FlagSetEntry>) -> Manifest,
) -> Vec<Artifact> {
    let mut entries = Vec::new();
    let mut files = Vec::new();
    let mut flags = Vec::new();
    for (main, runtime, entry, f) in rendered {
        entries.push(entry);
        files.push(main);
        files.extend(runtime);
        flags.push(f);
    }
    let (sets, set_entries): (Vec<Artifact>, Vec<FlagSetEntry>) =
        emit::flagd::flag_sets(flags).into_iter().unzip();
    files.extend(sets);
    files.push(manifest(entries, set_entries).to_artifact());
    files
}

/// One config's part of a `--bundle` build, rendered on the thread that
/// evaluated it, and its flagd flags.
type BundleRendered = (emit::bundle::Part, ArtifactFlags);

/// Renders one artifact (and its runtime part) as bundle members; unlike
/// [`render_artifact`] nothing is hashed: the manifest lists the bundles.
fn render_part(mut a: ArtifactValue, format: Format, flat: bool) -> BundleRendered {
    let member = |v: &crate::eval::Value| {
        if format == Format::Json && !flat {
            bundle_json(v)
        } else {
            emit::bundle::member(&render(v, format, flat))
        }
    };
    let part = emit::bundle::Part {
        config: a.config.clone(),
        env: a.env.clone(),
        main: a.rendered.take().unwrap_or_else(|| member(&a.value)),
        runtime: a.runtime.as_ref().map(member),
    };
    (part, ArtifactFlags::new(&a.config, a.env.clone(), &a.flags))
}

/// The files of a `--bundle` build: one bundle (and runtime bundle) per
/// environment, the flagd flag sets, the manifest (listing the bundles and
/// no per-config artifacts) last.
fn collect_bundled(
    rendered: Vec<BundleRendered>,
    envs: &[String],
    format: Format,
    manifest: impl FnOnce(Vec<ArtifactEntry>, Vec<FlagSetEntry>) -> Manifest + Send,
) -> Vec<Artifact> {
    let (parts, flags): (Vec<emit::bundle::Part>, Vec<ArtifactFlags>) =
        rendered.into_iter().unzip();
    // The bundles beside the rest of the manifest (flag sets, the sources'
    // hashes, the git probe).
    let (bundles, (sets, mut m)) = rayon::join(
        || emit::bundle::bundles(parts, envs, format),
        || {
            let (sets, set_entries): (Vec<Artifact>, Vec<FlagSetEntry>) =
                emit::flagd::flag_sets(flags).into_iter().unzip();
            (sets, manifest(Vec::new(), set_entries))
        },
    );
    let mut files = Vec::new();
    for (bundle_files, entry) in bundles {
        files.extend(bundle_files);
        m.bundles.push(entry);
    }
    files.extend(sets);
    files.push(m.to_artifact());
    files
}

pub(super) fn manifest(
    project: &Project,
    envs: &[String],
    overrides: &[crate::overrides::OverrideEntry],
    entries: Vec<ArtifactEntry>,
    flags: Vec<FlagSetEntry>,
    root: &Path,
) -> Manifest {
    let git = git_info(&git_dir(root));
    manifest_with(project, envs, overrides, entries, flags, root, git)
}

/// [`manifest`] with the `git` entry already known.
fn manifest_with(
    project: &Project,
    envs: &[String],
    overrides: &[crate::overrides::OverrideEntry],
    entries: Vec<ArtifactEntry>,
    flags: Vec<FlagSetEntry>,
    root: &Path,
    git: Option<GitInfo>,
) -> Manifest {
    Manifest {
        compiler: Manifest::compiler_version(),
        git,
        environments: envs.to_vec(),
        sources: sources(project, root),
        overrides: overrides.to_vec(),
        artifacts: entries,
        sweep: Vec::new(),
        flags,
        bundles: Vec::new(),
    }
}

fn sources(project: &Project, root: &Path) -> Vec<SourceEntry> {
    let mut out: Vec<SourceEntry> = project
        .files
        .iter()
        .filter(|f| !f.is_std)
        .map(|f| {
            let rel = f.path.strip_prefix(root).unwrap_or(&f.path);
            let text = &project.sources.get(f.id).text;
            SourceEntry::new(rel.to_string_lossy().replace('\\', "/"), text.as_bytes())
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn render(v: &crate::eval::Value, format: Format, flat: bool) -> Vec<u8> {
    if format == Format::Json && !flat {
        return pretty_json(v);
    }
    emit::render(&v.to_json(), format, flat)
}

/// `json`, which makes an artifact straight from its evaluation, where the
/// format allows (pretty JSON): `None` for YAML and `--flat`, which are
/// rendered from the value tree.
fn json_renderer(format: Format, flat: bool, json: &'static Render) -> Option<&'static Render> {
    (format == Format::Json && !flat).then_some(json)
}

/// [`render`]'s pretty JSON of an evaluation.
static FILE_JSON: fn(&View<'_, '_>) -> Vec<u8> = |v| pretty_json(v);

/// [`render_part`]'s bundle member of an evaluation.
static BUNDLE_MEMBER: fn(&View<'_, '_>) -> Vec<u8> = |v| bundle_json(v);

/// [`emit::bundle::json_member`] of a value or an evaluation.
fn bundle_json<T: serde::Serialize + ?Sized>(v: &T) -> Vec<u8> {
    // Invariant: values serialize infallibly (eval never lets NaN or infinities through).
    emit::bundle::json_member(v).expect("value serializes")
}

/// Two-space pretty JSON and a final line break: an artifact file.
fn pretty_json<T: serde::Serialize + ?Sized>(v: &T) -> Vec<u8> {
    let mut buf = Vec::with_capacity(1024);
    // Invariant: values serialize infallibly (eval never lets NaN or infinities through).
    serde_json::to_writer_pretty(&mut buf, v).expect("value serializes");
    buf.push(b'\n');
    buf
}
