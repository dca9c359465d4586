//! `mcfg blame CONFIG[.PATH] [--env E] [--json] PATHS...`: who last changed
//! each resolved value (`report::blame`).

use clap::Args;

use super::{Output, Sources};
use crate::git::Repo;
use crate::report::blame;
use crate::report::history::Query;

/// Arguments of `mcfg blame`.
#[derive(Debug, Args)]
pub struct BlameArgs {
    /// A config, or a path below one: `ranker` or `ranker.serving`.
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

/// Runs `mcfg blame`.
pub fn run(out: &Output, args: &BlameArgs) -> u8 {
    let Some(comp) = out.compile(&args.sources) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    let root = args.sources.root_or_default(&comp);
    let query = Query {
        paths: &args.sources.paths,
        root: &root,
        target: &args.target,
        env: args.env.as_deref(),
    };
    let report =
        Repo::discover(&root).and_then(|repo| blame::blame(&repo, &comp, &query, args.max_count));
    match report {
        Ok(b) if args.json => out.json(&b),
        Ok(b) => print!("{}", blame::render_human(&b)),
        Err(msg) => {
            out.error(&msg);
            return 2;
        }
    }
    u8::from(comp.has_errors())
}
