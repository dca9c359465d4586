//! `mcfg build`: compile, then write every artifact and the manifest, all or
//! nothing; `--check` compares with the folder instead of writing.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::{Output, Sources};
use crate::compile::{ArtifactValue, Compilation};
use crate::emit::manifest::{git_info, ArtifactEntry, Manifest, SourceEntry};
use crate::emit::{self, Artifact, Format};
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
    /// Write nothing; exit 1 when the output folder differs from what a build would write.
    #[arg(long)]
    pub check: bool,
    /// Fsync every artifact and folder before swapping the output folder in
    /// (durable across power loss; slower with many artifacts).
    #[arg(long)]
    pub fsync: bool,
}

/// Runs `mcfg build`.
pub fn run(out: &Output, args: &BuildArgs) -> u8 {
    let Some(comp) = out.compile(&args.sources) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    if comp.has_errors() {
        return 1;
    }
    for e in &args.envs {
        if !comp.envs.contains(e) {
            let declared = if comp.envs.is_empty() {
                "none".to_owned()
            } else {
                comp.envs.join(", ")
            };
            out.error(&format!(
                "unknown environment `{e}` in --env (declared: {declared})"
            ));
            return 2;
        }
    }
    let format = match args.format {
        FormatArg::Json => Format::Json,
        FormatArg::Yaml => Format::Yaml,
    };
    let files = artifacts(
        &comp,
        &args.envs,
        format,
        args.flat,
        &args.sources.root_or_default(&comp),
    );
    if args.check {
        return check_dir(out, &args.out, &files);
    }
    match crate::cli::output::write_atomic_with(&args.out, &files, args.fsync) {
        Ok(()) => 0,
        Err(e) => {
            out.error(&format!("cannot write {}: {e}", args.out.display()));
            2
        }
    }
}

fn check_dir(out: &Output, dir: &Path, files: &[Artifact]) -> u8 {
    let diffs = crate::cli::output::compare_dir(dir, files);
    if diffs.is_empty() {
        return 0;
    }
    let mut msg = format!("{} is not what a build would write:", dir.display());
    for d in &diffs {
        let what = match d.kind {
            ProblemKind::Modified => "differs",
            ProblemKind::Missing => "missing",
            ProblemKind::Extra => "not written by a build",
        };
        msg.push_str(&format!("\n  {:<9} {}", what, d.path));
    }
    msg.push_str("\nrun `mcfg build` and commit the result");
    out.error(&msg);
    1
}

/// Renders every artifact selected by `envs`, plus the manifest (last).
pub fn artifacts(
    comp: &Compilation,
    envs: &[String],
    format: Format,
    flat: bool,
    root: &Path,
) -> Vec<Artifact> {
    let selected: Vec<&ArtifactValue> = comp
        .artifacts
        .iter()
        .filter(|a| envs.is_empty() || a.env.as_ref().is_some_and(|e| envs.contains(e)))
        .collect();
    let rendered: Vec<(Artifact, Option<Artifact>, ArtifactEntry)> = selected
        .par_iter()
        .map(|a| {
            let dir = a.env.as_ref().map(|e| format!("{e}/")).unwrap_or_default();
            let ext = format.extension();
            let main = Artifact::new(
                format!("{dir}{}.{ext}", a.config),
                render(&a.value, format, flat),
            );
            let runtime = a.runtime.as_ref().map(|rt| {
                Artifact::new(
                    format!("{dir}{}.runtime.{ext}", a.config),
                    render(rt, format, flat),
                )
            });
            // Hashing here spreads SHA-256 over the threads too.
            let entry = ArtifactEntry::new(
                a.config.clone(),
                a.env.clone(),
                &main,
                runtime.as_ref(),
                a.invariant_paths.clone(),
                a.runtime_paths.clone(),
            );
            (main, runtime, entry)
        })
        .collect();
    let mut entries = Vec::with_capacity(rendered.len());
    let mut files = Vec::with_capacity(rendered.len() * 2 + 1);
    for (main, runtime, entry) in rendered {
        entries.push(entry);
        files.push(main);
        files.extend(runtime);
    }
    let manifest = Manifest {
        compiler: Manifest::compiler_version(),
        git: git_info(if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            root
        }),
        environments: comp.envs.clone(),
        sources: sources(comp, root),
        artifacts: entries,
    };
    files.push(manifest.to_artifact());
    files
}

fn sources(comp: &Compilation, root: &Path) -> Vec<SourceEntry> {
    let mut out: Vec<SourceEntry> = comp
        .project
        .files
        .iter()
        .filter(|f| !f.is_std)
        .map(|f| {
            let rel = f.path.strip_prefix(root).unwrap_or(&f.path);
            let text = &comp.project.sources.get(f.id).text;
            SourceEntry::new(rel.to_string_lossy().replace('\\', "/"), text.as_bytes())
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn render(v: &crate::eval::Value, format: Format, flat: bool) -> Vec<u8> {
    if format == Format::Json && !flat {
        let mut buf = Vec::with_capacity(1024);
        // Invariant: `Value` serializes infallibly (eval never lets NaN or infinities through).
        serde_json::to_writer_pretty(&mut buf, v).expect("value serializes");
        buf.push(b'\n');
        return buf;
    }
    emit::render(&v.to_json(), format, flat)
}
