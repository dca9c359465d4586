//! Sweeps for tools: `explain --sweep` and `diff --sweep` look at the layers
//! of each point (CLI.md; docs/cli.md "Sweeps in explain and diff"), not at
//! its artifacts. The sources are resolved once; each point swaps its
//! override table into one layer cache, as a sweep build does.

use super::{count_points, digits, offsets, SweepCompilation};
use crate::diagnostics::Diagnostics;
use crate::eval::LayerCache;
use crate::overrides::{Override, OverrideEntry};
use crate::resolve::Program;

/// What a tool is shown at one place of the sweep: the base (the `--set`
/// overrides alone, `None`) or a point with the values it takes.
pub type At<'e> = Option<&'e [OverrideEntry]>;

/// The base's result and each point's, with the point's values.
pub type PerPoint<R> = (R, Vec<(Vec<OverrideEntry>, R)>);

/// Calls `f` with the program and layers of the base, then of every point
/// in point order; returns the base's result and each point's. Nothing when
/// the product is over the limit (already reported by the compilation).
pub fn each_point<T, R>(
    comp: &SweepCompilation<T>,
    mut f: impl FnMut(&Program<'_>, &LayerCache<'_>, At<'_>) -> R,
) -> Option<PerPoint<R>> {
    let n = usize::try_from(count_points(&comp.axes).ok()?).ok()?;
    let flat: Vec<Override> = comp
        .axes
        .iter()
        .flat_map(|a| a.values.iter().cloned())
        .collect();
    let offsets = offsets(&comp.axes);
    // Diagnostics were reported by the compilation that came first.
    let mut diags = Diagnostics::new();
    let mut prog = Program::build(&mut diags, &comp.project);
    let mut planned = Vec::new();
    let (table, _) = crate::overrides::plan(&mut prog, &comp.base, &mut planned);
    let set = crate::overrides::plan_each(&mut prog, &flat, &mut planned);
    let mut cache = LayerCache::build(&prog, &mut Vec::new());
    cache.set_overrides(table.with_point(&set, std::iter::empty()));
    let base = f(&prog, &cache, None);
    let mut points = Vec::with_capacity(n);
    for i in 0..n {
        let chosen: Vec<usize> = digits(&comp.axes, i)
            .iter()
            .zip(&offsets)
            .map(|(d, o)| d + o)
            .collect();
        cache.set_overrides(table.with_point(&set, chosen.iter().copied()));
        let entries: Vec<OverrideEntry> = chosen
            .iter()
            .filter_map(|&c| set.entries.get(c).cloned().flatten())
            .collect();
        let r = f(&prog, &cache, Some(&entries));
        points.push((entries, r));
    }
    Some((base, points))
}

/// `svc.lr=0.01 prod:svc.replicas=2`: a point as its arguments.
pub fn label(entries: &[OverrideEntry]) -> String {
    entries
        .iter()
        .map(|e| e.arg.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
