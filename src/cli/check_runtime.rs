//! `mcfg check-runtime --env E --config C UPDATE [--json] PATHS...`: validate
//! a proposed runtime update (`report::check_runtime`). Exit 0: the update
//! may be pushed without a redeploy; 1: problems (diagnostics point into the
//! update file and the schema); 2: the command could not run.
//!
//! `--json` prints `{"ok", "config", "env", "problems": [diagnostic, ...]}`
//! on stdout, each problem in the `--message-format json` diagnostic shape.

use std::path::PathBuf;

use clap::Args;

use super::{Output, Sources};
use crate::diagnostics::json;
use crate::report::check_runtime::check_runtime;
use crate::source::SourceFile;

/// Arguments of `mcfg check-runtime`.
#[derive(Debug, Args)]
pub struct CheckRuntimeArgs {
    /// The environment the update is for (required with environments).
    #[arg(long)]
    pub env: Option<String>,
    /// The config the update is for.
    #[arg(long)]
    pub config: String,
    /// The proposed update: a JSON or YAML object of runtime paths in artifact form.
    pub update: PathBuf,
    #[command(flatten)]
    pub sources: Sources,
    /// Print one JSON report on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `mcfg check-runtime`.
pub fn run(out: &Output, args: &CheckRuntimeArgs) -> u8 {
    let Some(mut comp) = out.compile(&args.sources) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    if comp.has_errors() {
        return 1;
    }
    let text = match super::drift::read_text(&args.update) {
        Ok(text) => text,
        Err(msg) => {
            out.error(&msg);
            return 2;
        }
    };
    let name = args.update.display().to_string();
    let fid = comp
        .project
        .sources
        .add(SourceFile::new(name, text.as_str()));
    let update = match crate::report::document::read(&text, fid) {
        Ok(u) => u,
        Err(e) => {
            out.diagnostics(&comp.project.sources, &[e.diagnostic()]);
            return 2;
        }
    };
    let problems = match check_runtime(&comp.project, &update, &args.config, args.env.as_deref()) {
        Ok(p) => p,
        Err(msg) => {
            out.error(&msg);
            return 2;
        }
    };
    let ok = problems.is_empty();
    if args.json {
        let list: Vec<serde_json::Value> = problems
            .iter()
            .filter_map(|d| serde_json::from_str(&json::render(&comp.project.sources, d)).ok())
            .collect();
        out.json(&serde_json::json!({
            "ok": ok,
            "config": args.config,
            "env": args.env,
            "problems": list,
        }));
    } else {
        out.diagnostics(&comp.project.sources, &problems);
        if ok {
            let env = args
                .env
                .as_deref()
                .map(|e| format!(" in env {e}"))
                .unwrap_or_default();
            println!(
                "ok: the update to `{}`{env} may be pushed without a redeploy",
                args.config
            );
        }
    }
    u8::from(!ok)
}
