//! `mcfg explain CONFIG.PATH [--env E] [--json] PATHS...`: print the value and
//! every step that led to it (`report::explain`). With `--sweep`, the same
//! report for every point, labelled by the point's values.

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
    #[command(flatten)]
    pub sweep: super::overrides::SweepArgs,
}

/// One point of `explain --sweep --json`.
#[derive(Debug, serde::Serialize)]
struct PointReport {
    index: usize,
    overrides: Vec<crate::overrides::OverrideEntry>,
    report: crate::report::explain::Explain,
}

/// `mcfg explain --sweep`: the report of every point, in point order.
fn run_sweep(out: &Output, args: &ExplainArgs) -> u8 {
    let sink = Sink::diagnostics_only();
    let Some(comp) = out.compile_sweep(
        &args.sources,
        &sink,
        &args.overrides.sets,
        &args.sweep.sweeps,
    ) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    let Some((base, points)) = crate::sweep::points::each_point(&comp, |prog, cache, _| {
        explain(prog, cache, &args.target, args.env.as_deref())
    }) else {
        return 1;
    };
    if let Err(msg) = base {
        out.error(&msg);
        return 2;
    }
    let mut reports = Vec::with_capacity(points.len());
    for (index, (overrides, report)) in points.into_iter().enumerate() {
        match report {
            Ok(report) => reports.push(PointReport {
                index,
                overrides,
                report,
            }),
            Err(msg) => {
                out.error(&msg);
                return 2;
            }
        }
    }
    if args.json {
        out.json(&serde_json::json!({ "sweep": reports }));
    } else {
        let shown: Vec<String> = reports
            .iter()
            .map(|p| {
                format!(
                    "sweep point {}: {}\n{}",
                    p.index,
                    crate::sweep::points::label(&p.overrides),
                    render_human(&p.report)
                )
            })
            .collect();
        print!("{}", shown.join("\n"));
    }
    u8::from(comp.has_errors())
}

/// Runs `mcfg explain`.
pub fn run(out: &Output, args: &ExplainArgs) -> u8 {
    if !args.sweep.sweeps.is_empty() {
        return run_sweep(out, args);
    }
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
