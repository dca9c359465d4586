//! `mcfg diff --sweep …`: each point of a sweep against the base (the
//! sources with the `--set` overrides, without the sweep's values), every
//! leaf whose value differs, in every environment or in `--env E`.

use serde::Serialize;

use super::{diff_against, Difference, ProgramSnapshot};
use crate::overrides::OverrideEntry;
use crate::report::lookup;

/// One point against the base.
#[derive(Debug, Clone, Serialize)]
pub struct PointDiff {
    pub index: usize,
    /// The point's values, one per axis, as the manifest records them.
    pub overrides: Vec<OverrideEntry>,
    /// `values`/`locations` are `[base, point]`.
    pub differences: Vec<Difference>,
}

/// The whole `diff --sweep` report.
#[derive(Debug, Clone, Serialize)]
pub struct SweepDiff {
    pub sweep: Vec<PointDiff>,
}

/// Compares every point's snapshot with the base's.
pub fn diff_sweep(
    base: &ProgramSnapshot,
    points: Vec<(Vec<OverrideEntry>, ProgramSnapshot)>,
) -> SweepDiff {
    let sweep = points
        .into_iter()
        .enumerate()
        .map(|(index, (overrides, snap))| PointDiff {
            index,
            overrides,
            differences: diff_against("base", base, &snap).differences,
        })
        .collect();
    SweepDiff { sweep }
}

/// One block per point: its values, then a table of the leaves it changes.
pub fn render_sweep(report: &SweepDiff) -> String {
    let mut blocks = Vec::with_capacity(report.sweep.len());
    for p in &report.sweep {
        let label = crate::sweep::points::label(&p.overrides);
        let mut out = format!("sweep point {}: {label}\n", p.index);
        if p.differences.is_empty() {
            out.push_str("  no value differs from the base\n");
            blocks.push(out);
            continue;
        }
        let mut rows = vec![vec![
            "  path".to_owned(),
            "env".to_owned(),
            "base".to_owned(),
            "point".to_owned(),
        ]];
        for d in &p.differences {
            rows.push(vec![
                format!("  {}.{}", d.config, d.path),
                d.env_cell().to_owned(),
                d.shown[0].clone(),
                d.shown[1].clone(),
            ]);
        }
        out.push_str(&lookup::table(&rows));
        blocks.push(out);
    }
    blocks.join("\n")
}
