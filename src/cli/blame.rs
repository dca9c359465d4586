//! `mcfg blame CONFIG[.PATH] [--env E] [--json] [--manifest FILE] PATHS...`:
//! who last changed each resolved value (`report::blame`).

use std::path::PathBuf;

use clap::Args;

use super::log::HistoryArgs;
use super::Output;
use crate::compile::Sink;
use crate::diagnostics::CommandError;
use crate::emit::manifest::Manifest;
use crate::git::Repo;
use crate::report::blame::{self, FromManifest};
use crate::report::history::Query;
use crate::report::query::QueryError;

/// Arguments of `mcfg blame`.
#[derive(Debug, Args)]
pub struct BlameArgs {
    #[command(flatten)]
    pub history: HistoryArgs,
    /// The `manifest.json` of a build: the `--set` overrides it records are
    /// applied, and the values they hold are blamed on them.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
}

/// Runs `mcfg blame`.
pub fn run(out: &Output, args: &BlameArgs) -> u8 {
    let h = &args.history;
    let manifest = match &args.manifest {
        None => None,
        Some(path) => match read_manifest(path) {
            Ok(m) => Some((path.display().to_string(), m)),
            Err(e) => return out.error(&e),
        },
    };
    let sets: Vec<std::ffi::OsString> = manifest
        .iter()
        .flat_map(|(_, (m, _))| m.overrides.iter().map(|o| o.arg.clone().into()))
        .collect();
    let Some(comp) = out.compile_with(&h.sources, &Sink::values(), &sets) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    let root = h.sources.root_or_default(&comp);
    let query = Query {
        paths: &h.sources.paths,
        root: &root,
        target: &h.target,
        env: h.env.as_deref(),
    };
    let from = manifest
        .as_ref()
        .map(|(path, (_, text))| FromManifest { path, text });
    let report = Repo::discover(&root)
        .map_err(QueryError::from)
        .and_then(|repo| blame::blame(&repo, &comp, &query, h.max_count, from));
    match report {
        Ok(b) if h.json => out.json(&b),
        Ok(b) => print!("{}", blame::render_human(&b)),
        Err(e) => return out.error(&e),
    }
    u8::from(comp.has_errors())
}

/// The manifest and its text.
fn read_manifest(path: &std::path::Path) -> Result<(Manifest, String), CommandError> {
    let text = crate::files::read_text(path, crate::files::MAX_DOCUMENT_BYTES).map_err(|e| {
        CommandError::io(format!("cannot read the manifest: {e}"))
            .in_file(path)
            .with_help("`--manifest` takes the `manifest.json` of a build")
    })?;
    let m = Manifest::from_bytes(text.as_bytes()).map_err(|e| e.in_file(path))?;
    Ok((m, text))
}
