//! `mcfg log CONFIG.PATH [--env E] [--json] PATHS...`: the commits that
//! changed one resolved value (`report::history`); with `--record LOG`, also
//! the runtime changes recorded by `check-runtime --record`, by time.

use std::path::PathBuf;

use clap::Args;

use super::{Output, Sources};
use crate::compile::with_program;
use crate::diagnostics::Diagnostics;
use crate::eval::Value;
use crate::git::Repo;
use crate::report::history::{self, Query};
use crate::report::query::QueryError;
use crate::report::runtime_log::{self, Entry};

/// Arguments of `mcfg log` and `mcfg blame`, which both walk the history.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The value (`config.path.to.field`); for `blame`, a config or a path below one.
    pub target: String,
    #[command(flatten)]
    pub sources: Sources,
    /// The environment (required when the sources declare environments).
    #[arg(long)]
    pub env: Option<String>,
    /// Print one JSON report on stdout.
    #[arg(long)]
    pub json: bool,
    /// Look at the newest N commits that change a `.mcfg` file only.
    #[arg(long, value_name = "N")]
    pub max_count: Option<usize>,
}

/// Arguments of `mcfg log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub history: HistoryArgs,
    /// Also show the runtime changes `mcfg check-runtime --record LOG` recorded
    /// for this value, interleaved with the commits by time.
    #[arg(long, value_name = "LOG", alias = "runtime-log")]
    pub record: Option<PathBuf>,
}

/// Runs `mcfg log`.
pub fn run(out: &Output, log_args: &LogArgs) -> u8 {
    let args = &log_args.history;
    let Some(comp) = out.compile(&args.sources) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    let env = args.env.as_deref();
    let valid = with_program(&comp.project, &mut Diagnostics::new(), |prog, cache| {
        history::validate(prog, cache, &args.target, env)
    });
    let root = args.sources.root_or_default(&comp);
    let query = Query {
        paths: &args.sources.paths,
        root: &root,
        target: &args.target,
        env,
    };
    let report = valid.and_then(|()| {
        Repo::discover(&root)
            .and_then(|repo| history::history(&repo, &query, args.max_count))
            .map_err(QueryError::from)
    });
    let runtime = match (&log_args.record, &report) {
        (Some(path), Ok(_)) => match runtime_log::read(path) {
            Ok((entries, warnings)) => {
                for w in warnings {
                    eprintln!("mcfg: warning: {w}");
                }
                Some(entries)
            }
            Err(e) => return out.error(&e),
        },
        _ => None,
    };
    match (report, runtime) {
        (Ok(h), Some(entries)) => {
            let mine: Vec<&Entry> = entries
                .iter()
                .filter(|e| runtime_log::touches(e, &h.config, env, &h.path))
                .collect();
            if args.json {
                let mut doc = serde_json::to_value(&h).unwrap_or_default();
                doc["runtime"] = serde_json::to_value(&mine).unwrap_or_default();
                out.json(&doc);
            } else {
                let like = comp
                    .artifacts
                    .iter()
                    .find(|a| a.config == h.config && a.env.as_deref() == env)
                    .and_then(|a| value_at(&a.value, &h.path));
                print!("{}", runtime_log::render_interleaved(&h, &mine, like));
            }
        }
        (Ok(h), None) if args.json => out.json(&h),
        (Ok(h), None) => print!("{}", history::render_human(&h)),
        (Err(e), _) => return out.error(&e),
    }
    u8::from(comp.has_errors())
}

fn value_at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |cur, k| match cur {
        Value::Object(map) => map.get(k),
        _ => None,
    })
}
