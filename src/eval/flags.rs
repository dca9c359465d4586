//! The `ml.FeatureFlag` / `ml.Experiment` fields of one evaluated
//! (config, environment), checked for flagd (`emit::flagd::check`) with each
//! problem reported at the assignment that caused it.

use crate::diagnostics::{Code, Diagnostic};
use crate::emit::flagd::check::Finding;
use crate::emit::flagd::{check, Flag, FlagField, FlagKind};
use crate::merge::{NodeId, Slot};
use crate::source::Span;
use crate::types::Ty;

use super::finish::{dotted, holding_span};
use super::{ConfigEval, Ctx};

/// Which `std/ml` flag schema node `id` has, if any.
fn flag_kind<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, id: NodeId) -> Option<FlagKind> {
    let node = ce.layers.node(id);
    if !matches!(node.slot, Slot::Obj(_)) {
        return None;
    }
    let Ty::Object(o) = cx.prog.ty(node.ty?).ty else {
        return None;
    };
    let obj = cx.prog.obj(o);
    if !cx.prog.project.file(obj.span.file).is_std {
        return None;
    }
    FlagKind::from_schema_name(obj.name.as_deref()?)
}

/// Every flag field of `ce` in tree order, each checked; problems are
/// reported through `cx` (errors then suppress the artifact).
pub(super) fn collect<'a>(
    cx: &Ctx<'_, 'a>,
    ce: &ConfigEval<'a>,
    order: &[NodeId],
) -> Vec<FlagField> {
    let mut out = Vec::new();
    let today = crate::emit::flagd::today();
    for &id in order {
        let Some(kind) = flag_kind(cx, ce, id) else {
            continue;
        };
        let Ok(value) = cx.force(ce, id, Span::default()) else {
            continue;
        };
        let value = value.to_json();
        if value.is_null() {
            continue;
        }
        let field = FlagField {
            kind,
            path: dotted(&ce.layers.path_of(id)),
            value,
        };
        let flag = Flag::read(kind, &field.value);
        for finding in check::check(&flag, &today) {
            report(cx, ce, id, &field, finding);
        }
        out.push(field);
    }
    out
}

/// The span of the assignment that set `path` (relative to the flag node
/// `id`): the nearest leaf at or above it that the sources assign, else any
/// assignment below the flag, else the config's name.
fn span_of<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, id: NodeId, path: &str) -> Span {
    let base = ce.layers.path_of(id).len();
    let wanted: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let leaves = ce.layers.leaves_below(id);
    let mut best: Option<(usize, Span)> = None;
    for &l in &leaves {
        let keys = ce.layers.path_of(l);
        let rel: Vec<&str> = keys[base..].iter().map(|k| &**k).collect();
        let is_prefix = rel.len() <= wanted.len() && rel.iter().zip(&wanted).all(|(a, b)| a == b);
        if !is_prefix || best.is_some_and(|(n, _)| n >= rel.len()) {
            continue;
        }
        if let Some(span) = holding_span(ce, &[l]) {
            best = Some((rel.len(), span));
        }
    }
    best.map(|(_, s)| s)
        .or_else(|| holding_span(ce, &leaves))
        .unwrap_or(cx.prog.configs[ce.cid.0 as usize].decl.name.span)
}

fn report<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, id: NodeId, field: &FlagField, f: Finding) {
    let at = span_of(cx, ce, id, &f.path);
    let full = if f.path.is_empty() {
        field.path.clone()
    } else {
        format!("{}.{}", field.path, f.path)
    };
    let message = format!("{} (`{full}`)", f.message);
    let mut d = if f.warning {
        Diagnostic::warning(Code::Flag, at, message)
    } else {
        Diagnostic::error(Code::Flag, at, message)
    };
    for (path, label) in &f.also {
        let span = span_of(cx, ce, id, path);
        if span != at {
            d = d.with_label(span, label.clone());
        }
    }
    cx.report(ce.cid, d.with_help(f.help));
}
