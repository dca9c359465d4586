//! `mcfg explain CONFIG.PATH [--env E] [--json] PATHS...`: print the value and
//! every step that led to it (`report::explain`).

use clap::Args;

use super::{Output, Sources};
use crate::compile::Sink;
use crate::diagnostics::Diagnostics;
use crate::report::explain::{explain, render_human};

/// Arguments of `mcfg explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The value to explain: `config.path.to.field` (a subtree explains every leaf below it).
    pub target: String,
    #[command(flatten)]
    pub sources: Sources,
    /// The environment (default: every environment side by side).
    #[arg(long)]
    pub env: Option<String>,
    /// Print one JSON report on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub overrides: super::overrides::OverrideArgs,
}

/// Runs `mcfg explain`.
pub fn run(out: &Output, args: &ExplainArgs) -> u8 {
    let Some(comp) = out.compile_with(&args.sources, &Sink::values(), &args.overrides.sets) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    let report = crate::compile::with_program_overrides(
        &comp.project,
        &comp.overrides,
        &mut Diagnostics::new(),
        |prog, cache| explain(prog, cache, &args.target, args.env.as_deref()),
    );
    match report {
        Ok(report) => {
            if args.json {
                out.json(&report);
            } else {
                print!("{}", render_human(&report));
            }
            u8::from(comp.has_errors())
        }
        Err(e) => out.error(&e),
    }
}
