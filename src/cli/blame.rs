//! `mcfg blame CONFIG[.PATH] [--env E] [--json] PATHS...`: who last changed
//! each resolved value (`report::blame`).

use super::log::HistoryArgs;
use super::Output;
use crate::git::Repo;
use crate::report::blame;
use crate::report::history::Query;

/// Runs `mcfg blame`.
pub fn run(out: &Output, args: &HistoryArgs) -> u8 {
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
