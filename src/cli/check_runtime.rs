//! `mcfg check-runtime --env E --config C UPDATE [--json] PATHS...`: validate
//! a proposed runtime update (`report::check_runtime`). Exit 0: the update
//! may be pushed without a redeploy; 1: problems (diagnostics point into the
//! update file and the schema); 2: the command could not run.
//!
//! `--json` prints `{"ok", "config", "env", "problems": [diagnostic, ...]}`
//! on stdout, each problem in the `--message-format json` diagnostic shape.
//!
//! `--record LOG` appends an accepted update to the audit log
//! (`report::runtime_log`); with it, `recorded` in the JSON report is that entry (`null`: refused).

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Output, Sources};
use crate::compile::Compilation;
use crate::diagnostics::{json, CommandError, Stop};
use crate::emit::manifest::{git_info, sha256_hex};
use crate::report::check_runtime::check_runtime;
use crate::report::runtime_log::{self, Entry};
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
    /// When the update is accepted, append it to this audit log (JSON lines;
    /// `mcfg log --record LOG` shows it beside the commits).
    #[arg(long, value_name = "LOG")]
    pub record: Option<PathBuf>,
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
    // An update that does not read as one document (or writes a path
    // twice) is a problem of the update, located in it like the others.
    let (update, problems) = match crate::report::document::read(&text, fid) {
        Ok(update) => {
            match check_runtime(&comp.project, &update, &args.config, args.env.as_deref()) {
                Ok(p) => (Some(update), p),
                Err(msg) => {
                    out.error(&msg);
                    return 2;
                }
            }
        }
        Err(e) => (
            None,
            vec![e
                .to_diagnostic()
                .with_config(&args.config)
                .with_env(args.env.as_deref())],
        ),
    };
    let ok = problems.is_empty();
    let mut recorded = None;
    if let (true, Some(log), Some(update)) = (ok, &args.record, &update) {
        match record(&comp, args, &text, &update.to_json(), log) {
            Ok(entry) => recorded = Some(entry),
            Err(msg) => {
                out.error(&msg);
                return 2;
            }
        }
    }
    if args.json {
        let list: Vec<serde_json::Value> = problems
            .iter()
            .filter_map(|d| serde_json::from_str(&json::render(&comp.project.sources, d)).ok())
            .collect();
        let mut doc = serde_json::json!({
            "ok": ok,
            "config": args.config,
            "env": args.env,
            "problems": list,
        });
        if args.record.is_some() {
            doc["recorded"] = serde_json::to_value(&recorded).unwrap_or_default();
        }
        out.json(&doc);
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
        if let (Some(e), Some(log)) = (&recorded, &args.record) {
            let n = e.changes.len();
            let s = if n == 1 { "" } else { "s" };
            println!("recorded in {}: {n} change{s}", log.display());
        }
    }
    u8::from(!ok)
}

/// Appends the accepted update to `log` (`report::runtime_log`).
fn record(
    comp: &Compilation,
    args: &CheckRuntimeArgs,
    bytes: &str,
    update: &serde_json::Value,
    log: &Path,
) -> Result<Entry, CommandError> {
    let built = comp
        .artifacts
        .iter()
        .find(|a| a.config == args.config && a.env == args.env)
        .and_then(|a| a.runtime.as_ref())
        .ok_or_else(|| {
            CommandError::usage(format!(
                "config `{}` has no runtime values to record",
                args.config
            ))
            .with_help("`--record` logs updates of `@runtime` fields; mark the fields the update changes `@runtime`")
        })?;
    let (after, secrets) = runtime_log::effective(built, update);
    let (entries, _) = runtime_log::read(log).map_err(|e| e.command_error())?;
    let before = entries
        .iter()
        .rev()
        .find(|e| e.config == args.config && e.env == args.env)
        .map_or_else(
            || runtime_log::effective(built, &serde_json::json!({})).0,
            |e| e.values.clone(),
        );
    let root = args.sources.root_or_default(comp);
    let git = git_info(&root);
    let entry = Entry {
        time: runtime_log::now(),
        who: runtime_log::who(&root),
        config: args.config.clone(),
        env: args.env.clone(),
        update: args.update.display().to_string(),
        sha256: sha256_hex(bytes.as_bytes()),
        commit: git.as_ref().map(|g| g.commit.clone()),
        dirty: git.is_some_and(|g| g.dirty),
        changes: runtime_log::changes(&before, &after, &secrets, update),
        values: after,
    };
    runtime_log::append(log, &entry).map_err(|e| e.command_error())?;
    Ok(entry)
}
