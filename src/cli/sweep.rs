//! `--sweep` on `check` and `build` (LANGUAGE.md §9.7); the logic is in
//! `crate::sweep`. A sweep build writes point N's artifacts and manifest under
//! `OUT/sweep/N/`, and `OUT/manifest.json` lists every point with its
//! overrides and the hash of its manifest (so `mcfg verify OUT` checks them all).

use super::build::{self, BuildArgs, Rendered};
use super::overrides::{OverrideArgs, SweepArgs};
use super::{Output, Sources};
use crate::compile::Sink;
use crate::emit::manifest::{Manifest, MANIFEST_NAME};
use crate::sweep::SweepEntry;

/// `mcfg check --sweep ...`: every point checked, nothing written.
pub(super) fn check(out: &Output, sources: &Sources, sets: &OverrideArgs, sweep: &SweepArgs) -> u8 {
    let sink = Sink::diagnostics_only();
    let Some(comp) = out.compile_sweep(sources, &sink, &sets.sets, &sweep.sweeps) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    let code = u8::from(comp.has_errors());
    if code == 0 {
        let each = comp.points.first().map_or(0, |p| p.artifacts.len());
        out.summary(&format!(
            "checked {} ({} each)",
            points(comp.points.len()),
            super::counted(each, comp.envs.len())
        ));
    }
    code
}

/// `3 sweep points`.
fn points(n: usize) -> String {
    format!("{n} sweep point{}", if n == 1 { "" } else { "s" })
}

/// `mcfg build --sweep ...`.
pub(super) fn build(out: &Output, args: &BuildArgs, sink: &Sink<'_, Option<Rendered>>) -> u8 {
    let Some(comp) = out.compile_sweep(
        &args.sources,
        sink,
        &args.overrides.sets,
        &args.sweep.sweeps,
    ) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    if comp.has_errors() {
        return 1;
    }
    if !build::known_envs(out, &args.envs, &comp.envs) {
        return 2;
    }
    let root = match &args.sources.root {
        Some(r) => crate::loader::normalize(r),
        None => comp.project.root.clone(),
    };
    // The git state is read once; every point's manifest starts from the top one.
    let base = build::manifest(
        &comp.project,
        &comp.envs,
        &comp.override_entries,
        Vec::new(),
        Vec::new(),
        &root,
    );
    let mut top = base.clone();
    let mut files = Vec::new();
    for (index, point) in comp.points.into_iter().enumerate() {
        let dir = format!("sweep/{index}");
        let mut overrides = comp.override_entries.clone();
        overrides.extend(point.overrides.iter().cloned());
        let point_files =
            build::collect(point.artifacts.into_iter().flatten(), |entries, flags| {
                Manifest {
                    overrides,
                    artifacts: entries,
                    flags,
                    ..base.clone()
                }
            });
        for f in point_files {
            if f.rel_path == MANIFEST_NAME {
                top.sweep.push(SweepEntry {
                    index,
                    dir: dir.clone(),
                    manifest_sha256: f.sha256_hex(),
                    overrides: point.overrides.clone(),
                });
            }
            let path = format!("{dir}/{}", f.rel_path);
            files.push(f.moved_to(path));
        }
    }
    files.push(top.to_artifact());
    // Every file but the manifests (one per point and the top one).
    let artifacts = files.len().saturating_sub(top.sweep.len() + 1);
    let what = format!(
        "{artifacts} artifact{} of {}",
        if artifacts == 1 { "" } else { "s" },
        points(top.sweep.len())
    );
    if args.check {
        let code = build::check_dir(out, &args.out, &files);
        if code == 0 {
            out.summary(&format!("{} is up to date ({what})", args.out.display()));
        }
        return code;
    }
    match crate::cli::output::write_atomic_with(&args.out, &files, args.fsync) {
        Ok(()) => {
            out.summary(&format!("built {what} into {}", args.out.display()));
            0
        }
        Err(e) => out.error(&super::output::write_error(&args.out, &e)),
    }
}
