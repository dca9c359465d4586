//! `mcfg log CONFIG.PATH [--env E] [--json] PATHS...`: the commits that
//! changed one resolved value (`report::history`).

use clap::Args;

use super::{Output, Sources};
use crate::compile::with_program;
use crate::diagnostics::Diagnostics;
use crate::git::Repo;
use crate::report::history::{self, Query};

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

/// Runs `mcfg log`.
pub fn run(out: &Output, args: &HistoryArgs) -> u8 {
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
    let report = valid
        .and_then(|()| Repo::discover(&root))
        .and_then(|repo| history::history(&repo, &query, args.max_count));
    match report {
        Ok(h) if args.json => out.json(&h),
        Ok(h) => print!("{}", history::render_human(&h)),
        Err(msg) => {
            out.error(&msg);
            return 2;
        }
    }
    u8::from(comp.has_errors())
}
