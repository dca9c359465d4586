//! `--sweep [ENV:]CONFIG.PATH=E1,E2,...` (LANGUAGE.md §9.7): the cartesian
//! product of every axis's values, each point compiled on its own.
//!
//! The sources are loaded, parsed and resolved once, and the layer cache
//! (schema templates, parent layers) built once; each point only swaps in its
//! override table and re-runs layering of the overridden configs' own steps
//! and evaluation. Points are numbered in the order of `itertools.product`
//! (Hydra's `--multirun`): the first axis varies slowest.
//!
//! Each axis is a pseudo-file `--sweep[N]` holding the argument, so a value
//! that breaks a refinement is underlined in the argument; a diagnostic that
//! only some points give names the first such point's values.

pub mod points;

use std::ffi::OsString;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::ast::{Expr, ExprKind, UnaryOp};
use crate::compile::{evaluate_cached, Sink};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::eval::LayerCache;
use crate::loader::Project;
use crate::overrides::parse::{self, Action};
use crate::overrides::{add_pseudo_file, Override, OverrideEntry, OverrideTable, PlannedSet};
use crate::resolve::Program;
use crate::source::{FileId, Span};

/// Most points one sweep may have; a larger product is refused before any work.
pub const MAX_SWEEP_POINTS: u64 = 10_000;

/// Most artifacts one sweep may write (points × artifacts per point).
pub const MAX_SWEEP_ARTIFACTS: usize = 1_000_000;

/// Most values one `range(...)` may give (the product limit applies too).
const MAX_RANGE_VALUES: i64 = MAX_SWEEP_POINTS as i64;

/// One `--sweep` argument: a path and its values.
#[derive(Debug)]
pub struct Axis {
    /// One override per value, in the order written (`range` expanded).
    pub values: Vec<Override>,
    /// The span of the whole argument.
    pub span: Span,
}

/// Parses every `--sweep` argument into pseudo-files `--sweep[N]`;
/// `first_index` is the override index of the first value (after the `--set` ones).
pub fn register(
    project: &mut Project,
    args: &[OsString],
    first_index: u32,
) -> (Vec<Axis>, Vec<Diagnostic>) {
    let mut axes = Vec::new();
    let mut diags = Vec::new();
    let mut index = first_index;
    for (i, arg) in args.iter().enumerate() {
        let text = String::from_utf8_lossy(arg.as_encoded_bytes()).into_owned();
        let file = add_pseudo_file(project, format!("--sweep[{}]", i + 1), &text);
        if arg.to_str().is_none() {
            let at = std::str::from_utf8(arg.as_encoded_bytes())
                .err()
                .map_or(0, |e| e.valid_up_to());
            let len = text[at..].chars().next().map_or(0, char::len_utf8);
            diags.push(
                Diagnostic::error(
                    Code::Override,
                    Span::new(file, at, at + len),
                    "this sweep is not valid UTF-8",
                )
                .with_help("sweeps are mcfg text; check the shell's locale and quoting"),
            );
            continue;
        }
        match axis(file, &text, &mut index) {
            Ok(a) => axes.push(a),
            Err(d) => diags.push(d),
        }
    }
    (axes, diags)
}

const FORM: &str =
    "write `--sweep CONFIG.PATH=V1,V2,...` or `--sweep 'CONFIG.PATH=range(START, STOP[, STEP])'`";

#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
fn axis(file: FileId, text: &str, index: &mut u32) -> Result<Axis, Diagnostic> {
    let span = Span::new(file, 0, text.len());
    let head = parse::head(file, text).map_err(|mut d| {
        d.help = Some(FORM.to_owned());
        d
    })?;
    let (Action::Set, Some(start)) = (head.action, head.value_start) else {
        return Err(Diagnostic::error(
            Code::Override,
            head.path_span,
            "a sweep sets a path to each of its values",
        )
        .with_help(FORM));
    };
    let path_text = head.path_text(text).to_owned();
    let prefix = text[..head.path_span.end as usize].trim_start().to_owned();
    let mut values = Vec::new();
    for (a, b) in split_top_level(text, start) {
        let expr = parse::value(file, &text[..b], a, &path_text)?;
        for (value, shown) in expand(expr)? {
            let arg = format!("{prefix}={}", shown.as_deref().unwrap_or(text[a..b].trim()));
            let mut ov = Override::new(
                *index,
                file,
                &arg,
                head.env.clone(),
                head.keys.clone(),
                head.path_span,
                Action::Set,
                Some(value),
            );
            ov.value_text = shown;
            values.push(ov);
        }
    }
    *index = index.saturating_add(1);
    Ok(Axis { values, span })
}

/// The byte ranges of the comma-separated values from `start` on: commas
/// inside brackets, braces, parentheses or strings do not separate.
fn split_top_level(text: &str, start: usize) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    let mut out = Vec::new();
    let mut from = start;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' | b'(' => depth += 1,
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push((from, i));
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push((from, text.len()));
    out
}

/// A value as it is, or the integers of `range(a, b[, step])` (Python's
/// `range`: `b` excluded), each with the text the manifest records.
#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
fn expand(expr: Expr) -> Result<Vec<(Expr, Option<String>)>, Diagnostic> {
    let ExprKind::Call(name, args) = &expr.kind else {
        return Ok(vec![(expr, None)]);
    };
    if &*name.name != "range" {
        return Ok(vec![(expr, None)]);
    }
    let bad = |span: Span, msg: &str| {
        Diagnostic::error(Code::Override, span, msg.to_owned())
            .with_help("`range(START, STOP[, STEP])` takes integer literals; STOP is excluded, as in Python and Hydra")
    };
    if !(2..=3).contains(&args.len()) {
        return Err(bad(expr.span, "`range` takes two or three integers"));
    }
    let mut ints = Vec::new();
    for a in args {
        match int_literal(a) {
            Some(v) => ints.push(v),
            None => return Err(bad(a.span, "expected an integer literal")),
        }
    }
    let (lo, hi, step) = (ints[0], ints[1], ints.get(2).copied().unwrap_or(1));
    if step == 0 {
        return Err(bad(args[2].span, "the step of `range` may not be 0"));
    }
    let count = match step > 0 {
        true if hi > lo => {
            (i128::from(hi) - i128::from(lo) + i128::from(step) - 1) / i128::from(step)
        }
        false if lo > hi => {
            (i128::from(lo) - i128::from(hi) - i128::from(step) - 1) / -i128::from(step)
        }
        _ => 0,
    };
    if count == 0 {
        return Err(bad(expr.span, "this range is empty"));
    }
    if count > i128::from(MAX_RANGE_VALUES) {
        return Err(Diagnostic::error(
            Code::Limit,
            expr.span,
            format!(
                "this range has {count} values; a sweep may have at most {MAX_SWEEP_POINTS} points"
            ),
        )
        .with_help("sweep a coarser range (a larger STEP)"));
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut v = lo;
    for _ in 0..count {
        out.push((
            Expr {
                kind: ExprKind::Int(v),
                span: expr.span,
            },
            Some(v.to_string()),
        ));
        // Past the last value the sum may leave i64; it is never used then.
        v = v.saturating_add(step);
    }
    Ok(out)
}

fn int_literal(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int(v) => Some(*v),
        ExprKind::Unary(UnaryOp::Neg, inner) => match inner.kind {
            ExprKind::Int(v) => v.checked_neg(),
            _ => None,
        },
        _ => None,
    }
}

/// The number of points of `axes`, or the `mcfg::limit` error naming the product.
#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
pub fn count_points(axes: &[Axis]) -> Result<u64, Diagnostic> {
    let sizes: Vec<u64> = axes.iter().map(|a| a.values.len() as u64).collect();
    let product = sizes
        .iter()
        .try_fold(1u64, |acc, &n| acc.checked_mul(n))
        .filter(|&p| p <= MAX_SWEEP_POINTS);
    match (product, axes.first()) {
        (Some(p), _) => Ok(p),
        (None, None) => Ok(1),
        (None, Some(first)) => {
            let shown: Vec<String> = sizes.iter().map(u64::to_string).collect();
            let total = sizes
                .iter()
                .try_fold(1u128, |acc, &n| acc.checked_mul(u128::from(n)))
                .map_or_else(|| "more than 2^128".to_owned(), |p| p.to_string());
            let mut d = Diagnostic::error(
                Code::Limit,
                first.span,
                format!(
                    "this sweep has {total} points ({}); the limit is {MAX_SWEEP_POINTS}",
                    shown.join(" × ")
                ),
            )
            .with_primary_message(format!("{} values", sizes[0]))
            .with_help("sweep fewer values, or split the sweep into several builds");
            for (a, n) in axes.iter().zip(&sizes).skip(1) {
                d = d.with_label(a.span, format!("{n} values"));
            }
            Err(d)
        }
    }
}

/// The `mcfg::limit` error when the sweep would write more than
/// [`MAX_SWEEP_ARTIFACTS`] artifacts (all are held until the output is swapped in).
fn too_many_artifacts(prog: &Program<'_>, axes: &[Axis], n_points: usize) -> Option<Diagnostic> {
    let configs = prog
        .configs
        .iter()
        .filter(|c| c.is_emitted() && prog.project.is_selected(c.file))
        .count();
    let per_point = configs * prog.env_slots().len();
    let total = per_point.saturating_mul(n_points);
    let first = axes.first()?;
    (total > MAX_SWEEP_ARTIFACTS).then(|| {
        Diagnostic::error(
            Code::Limit,
            first.span,
            format!(
                "this sweep would write {total} artifacts ({n_points} points × {per_point}); the limit is {MAX_SWEEP_ARTIFACTS}"
            ),
        )
        .with_help("sweep fewer values, or build fewer configs per sweep (with a `mcfg.toml`, `mcfg build PATH` builds only PATH's configs)")
    })
}

/// The value index of every axis at point `point` (the last axis varies fastest).
/// Per axis, the index of its first value among every axis's values.
fn offsets(axes: &[Axis]) -> Vec<usize> {
    axes.iter()
        .scan(0, |acc, a| {
            let at = *acc;
            *acc += a.values.len();
            Some(at)
        })
        .collect()
}

fn digits(axes: &[Axis], mut point: usize) -> Vec<usize> {
    let mut out = vec![0; axes.len()];
    for (slot, a) in out.iter_mut().zip(axes).rev() {
        let n = a.values.len().max(1);
        *slot = point % n;
        point /= n;
    }
    out
}

/// One point of a sweep as the top manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SweepEntry {
    /// The point's number (0-based, in product order).
    pub index: usize,
    /// Its folder below the output folder (`sweep/3`), holding its artifacts and manifest.
    pub dir: String,
    /// SHA-256 of the point's `manifest.json`.
    pub manifest_sha256: String,
    /// The sweep's overrides at this point, one per axis (the `--set` ones are the top manifest's).
    pub overrides: Vec<OverrideEntry>,
}

/// Loads the sources below `paths`, registers `sets` and `sweeps` and compiles every point.
pub fn compile_paths<T: Send>(
    fs: &dyn crate::loader::FileSystem,
    paths: &[std::path::PathBuf],
    root: Option<&std::path::Path>,
    sink: &Sink<'_, T>,
    sets: &[OsString],
    sweeps: &[OsString],
) -> Result<SweepCompilation<T>, crate::project::SourcesError> {
    let start = Instant::now();
    let (mut project, mut diags, base) = crate::compile::load_with(fs, paths, root, sets)?;
    let (axes, problems) = register(&mut project, sweeps, base.len() as u32);
    diags.extend(problems);
    let loaded = start.elapsed();
    let mut comp = compile(project, diags, sink, &base, &axes);
    comp.timings.insert(0, ("load + parse", loaded));
    comp.base = base;
    comp.axes = axes;
    Ok(comp)
}

/// One point of a sweep as compiled.
#[derive(Debug)]
pub struct Point<T> {
    /// The sweep's overrides at this point, one per axis, as the manifest records them.
    pub overrides: Vec<OverrideEntry>,
    /// Every artifact of the point (empty when there are errors).
    pub artifacts: Vec<T>,
}

/// What a sweep produced.
#[derive(Debug)]
pub struct SweepCompilation<T> {
    pub project: Project,
    pub envs: Vec<String>,
    /// Every point in order; empty when there are errors.
    pub points: Vec<Point<T>>,
    /// The `--set` overrides (applied to every point, before the sweep's).
    pub override_entries: Vec<OverrideEntry>,
    pub diags: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
    /// The `--set` overrides and the axes, for tools that look at each
    /// point's layers (`points::each_point`).
    pub base: Vec<Override>,
    pub axes: Vec<Axis>,
}

impl<T> SweepCompilation<T> {
    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

/// Compiles every point of `axes` over the loaded `project` (with the
/// `--set` overrides `base` applied first at every point).
pub fn compile<T: Send>(
    project: Project,
    mut diags: Diagnostics,
    sink: &Sink<'_, T>,
    base: &[Override],
    axes: &[Axis],
) -> SweepCompilation<T> {
    let mut timings = Vec::new();
    // Refused before anything is resolved or evaluated.
    let n_points = match count_points(axes) {
        Ok(n) => n as usize,
        Err(d) => {
            diags.push(d);
            return SweepCompilation {
                project,
                envs: Vec::new(),
                points: Vec::new(),
                override_entries: Vec::new(),
                diags: diags.into_sorted(),
                timings,
                base: Vec::new(),
                axes: Vec::new(),
            };
        }
    };
    let flat: Vec<Override> = axes.iter().flat_map(|a| a.values.iter().cloned()).collect();
    let offsets = offsets(axes);
    let (envs, results, override_entries) = {
        let start = Instant::now();
        let mut prog = Program::build(&mut diags, &project);
        let mut planned = Vec::new();
        let (table, entries) = crate::overrides::plan(&mut prog, base, &mut planned);
        let set = crate::overrides::plan_each(&mut prog, &flat, &mut planned);
        diags.extend(planned);
        timings.push(("resolve", start.elapsed()));
        let envs: Vec<String> = prog.envs.iter().map(|e| e.name.to_string()).collect();
        // `check` keeps no artifacts, so only a build is bounded by their number.
        if sink.values && !diags.has_errors() {
            diags.extend(too_many_artifacts(&prog, axes, n_points));
        }
        if diags.has_errors() {
            (envs, Vec::new(), entries)
        } else {
            let start = Instant::now();
            let mut cache_diags = Vec::new();
            let cache = LayerCache::build(&prog, &mut cache_diags);
            diags.extend(cache_diags);
            let run = Run {
                prog: &prog,
                table: &table,
                set: &set,
                axes,
                offsets: &offsets,
            };
            // Points in parallel, a few chunks with one copy of the cache each.
            let chunk = n_points
                .div_ceil(rayon::current_num_threads().max(1) * 4)
                .max(1);
            let results: Vec<_> = (0..n_points)
                .collect::<Vec<_>>()
                .par_chunks(chunk)
                .flat_map_iter(|idx| {
                    let mut cache = cache.clone();
                    idx.iter()
                        .map(|&i| run.point(&mut cache, i, sink))
                        .collect::<Vec<_>>()
                })
                .collect();
            timings.push(("layer + evaluate + check (all points)", start.elapsed()));
            (envs, results, entries)
        }
    };
    let mut points = Vec::with_capacity(results.len());
    let mut per_point = Vec::with_capacity(results.len());
    for (p, d, chosen) in results {
        points.push(p);
        per_point.push((d, chosen));
    }
    diags.extend(name_points(&project, &flat, per_point));
    let mut diags = diags.into_sorted();
    crate::overrides::explain_bare_words(&project, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        points.clear();
    }
    SweepCompilation {
        project,
        envs,
        points,
        override_entries,
        diags,
        timings,
        base: Vec::new(),
        axes: Vec::new(),
    }
}

/// What every point shares.
struct Run<'r, 'a> {
    prog: &'r Program<'a>,
    table: &'r OverrideTable<'a>,
    set: &'r PlannedSet<'a>,
    axes: &'r [Axis],
    offsets: &'r [usize],
}

/// A compiled point, its diagnostics and the indexes of its values.
type PointResult<T> = (Point<T>, Vec<Diagnostic>, Vec<usize>);

impl<'a> Run<'_, 'a> {
    /// Compiles point `i` with `cache` (whose overrides it replaces).
    fn point<T: Send>(
        &self,
        cache: &mut LayerCache<'a>,
        i: usize,
        sink: &Sink<'_, T>,
    ) -> PointResult<T> {
        let chosen: Vec<usize> = digits(self.axes, i)
            .iter()
            .zip(self.offsets)
            .map(|(d, o)| d + o)
            .collect();
        cache.set_overrides(self.table.with_point(self.set, chosen.iter().copied()));
        let mut local = Diagnostics::new();
        let mut timings = Vec::new();
        let artifacts = evaluate_cached(
            &mut local,
            self.prog,
            cache,
            Instant::now(),
            &mut timings,
            sink,
        );
        let overrides = chosen
            .iter()
            .filter_map(|&c| self.set.entries.get(c).cloned().flatten())
            .collect();
        (
            Point {
                overrides,
                artifacts,
            },
            local.into_sorted(),
            chosen,
        )
    }
}

/// Diagnostics of the points: one given by every point is reported once as
/// it is; one given by only some names the first such point's values (and
/// how many other points give it).
fn name_points(
    project: &Project,
    flat: &[Override],
    per_point: Vec<(Vec<Diagnostic>, Vec<usize>)>,
) -> Vec<Diagnostic> {
    let n = per_point.len();
    let mut groups: indexmap::IndexMap<Diagnostic, Vec<(usize, Vec<usize>)>> =
        indexmap::IndexMap::new();
    for (i, (diags, chosen)) in per_point.into_iter().enumerate() {
        for d in diags {
            groups.entry(d).or_default().push((i, chosen.clone()));
        }
    }
    let mut out = Vec::new();
    for (mut d, points) in groups {
        if points.len() == n {
            out.push(d);
            continue;
        }
        let Some((first, chosen)) = points.first() else {
            continue;
        };
        let values: Vec<&str> = chosen
            .iter()
            .filter_map(|&c| flat.get(c))
            .map(|o| o.text.as_str())
            .collect();
        let others = match points.len() - 1 {
            0 => String::new(),
            1 => "; 1 other point too".to_owned(),
            k => format!("; {k} other points too"),
        };
        d.message = format!(
            "{} (sweep point {first}: {}{others})",
            d.message,
            values.join(" ")
        );
        for &c in chosen {
            if let Some(v) = flat.get(c).and_then(|o| o.value.as_ref()) {
                if v.span != d.primary.span && !d.labels.iter().any(|l| l.span == v.span) {
                    let shown = project.sources.slice(v.span).to_owned();
                    d = d.with_label(v.span, format!("sweep point {first} takes `{shown}` here"));
                }
            }
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_commas_split_values_but_not_lists_or_strings() {
        let text = "a.b=1,[2, 3],\"x,y\",{ c = 1, d = 2 }";
        let parts: Vec<&str> = split_top_level(text, 4)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(parts, ["1", "[2, 3]", "\"x,y\"", "{ c = 1, d = 2 }"]);
    }

    #[test]
    fn range_expands_like_python() {
        let mut i = 0;
        let a = axis(FileId(0), "x=range(0, 10, 3)", &mut i).expect("parses");
        let shown: Vec<_> = a.values.iter().map(|o| o.text.clone()).collect();
        assert_eq!(shown, ["x=0", "x=3", "x=6", "x=9"]);
        let b = axis(FileId(0), "x=range(3, -3, -2),7", &mut i).expect("parses");
        let shown: Vec<_> = b.values.iter().map(|o| o.value_text.clone()).collect();
        assert_eq!(
            shown,
            [Some("3".into()), Some("1".into()), Some("-1".into()), None]
        );
        let e = axis(FileId(0), "x=range(1, 1)", &mut i).expect_err("empty");
        assert_eq!(e.message, "this range is empty");
        let e = axis(FileId(0), "x=range(0, 1, 0)", &mut i).expect_err("zero step");
        assert_eq!(e.message, "the step of `range` may not be 0");
    }

    #[test]
    fn points_are_numbered_with_the_last_axis_fastest() {
        let mut i = 0;
        let axes = [
            axis(FileId(0), "a=1,2", &mut i).expect("parses"),
            axis(FileId(0), "b=1,2,3", &mut i).expect("parses"),
        ];
        assert_eq!(count_points(&axes).expect("small"), 6);
        assert_eq!(digits(&axes, 0), [0, 0]);
        assert_eq!(digits(&axes, 1), [0, 1]);
        assert_eq!(digits(&axes, 3), [1, 0]);
        assert_eq!(digits(&axes, 5), [1, 2]);
    }
}
