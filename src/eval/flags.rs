//! The `ml.FeatureFlag` / `ml.Experiment` fields of one evaluated
//! (config, environment), checked for flagd (`types::flag::check`) with each
//! problem reported at the assignment that caused it.

use crate::ast::{Expr, ExprKind, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::merge::{NodeId, Op, Slot, Step, ROOT};
use crate::source::Span;
use crate::types::flag::check::{self, Finding};
use crate::types::flag::{Flag, FlagField, FlagKind};
use crate::types::Ty;

use super::finish::{dotted, holding_span};
use super::{ConfigEval, Ctx};

/// The `std/ml` flag kind of object type `o`, if it is one.
fn std_flag(cx: &Ctx<'_, '_>, o: crate::types::ObjId) -> Option<FlagKind> {
    let obj = cx.prog.obj(o);
    if !cx.prog.project.file(obj.span.file).is_std {
        return None;
    }
    FlagKind::from_schema_name(obj.name.as_deref()?)
}

/// Whether node `id` is one flag (`One`) or a list or map of flags (`Each`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    One,
    Each,
}

/// Which `std/ml` flag schema node `id` has, if any.
fn flag_kind<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, id: NodeId) -> Option<(FlagKind, Shape)> {
    if id == ROOT {
        let schema = cx.prog.configs[ce.cid].schema?;
        return std_flag(cx, schema).map(|k| (k, Shape::One));
    }
    let node = ce.layers.node(id);
    match (&node.slot, &cx.prog.ty(node.ty?).ty) {
        (Slot::Obj(_), Ty::Object(o)) => std_flag(cx, *o).map(|k| (k, Shape::One)),
        (Slot::Leaf(_), Ty::Map(e) | Ty::List(e)) => match cx.prog.ty(*e).ty {
            Ty::Object(o) => std_flag(cx, o).map(|k| (k, Shape::Each)),
            _ => None,
        },
        _ => None,
    }
}

/// Every flag field of `ce` in tree order (each element of a list or map of
/// flags is a flag `<path>.<key>`), each checked; problems are reported
/// through `cx` (errors then suppress the artifact).
pub(super) fn collect<'a>(
    cx: &Ctx<'_, 'a>,
    ce: &ConfigEval<'a>,
    order: &[NodeId],
) -> Vec<FlagField> {
    let mut out = Vec::new();
    for &id in order {
        let Some((kind, shape)) = flag_kind(cx, ce, id) else {
            continue;
        };
        let Ok(value) = cx.force(ce, id, Span::default()) else {
            continue;
        };
        let path = dotted(&ce.layers.path_of(id));
        let value = value.to_json();
        let items: Vec<(String, serde_json::Value)> = match (shape, value) {
            (_, serde_json::Value::Null) => Vec::new(),
            (Shape::One, v) => vec![(String::new(), v)],
            (Shape::Each, serde_json::Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            (Shape::Each, serde_json::Value::Object(m)) => m.into_iter().collect(),
            (Shape::Each, _) => Vec::new(),
        };
        for (key, value) in items {
            let field = FlagField {
                kind,
                path: join(&path, &key),
                value,
            };
            let flag = Flag::read(kind, &field.value);
            for finding in check::check(&flag, cx.cache.today()) {
                report(cx, ce, id, &key, &field, finding);
            }
            out.push(field);
        }
    }
    out
}

/// The span of what set `path` (relative to the flag node `id`): inside the
/// assignment of the nearest leaf at or above it, the list element or object
/// entry the rest of the path names; else the assignments below `path`, else
/// any assignment below the flag, else the config's name.
fn span_of<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, id: NodeId, path: &str) -> Span {
    let base = ce.layers.path_of(id).len();
    // Not filtered: an empty key (`traffic.`) names the entry `""`.
    let wanted: Vec<&str> = if path.is_empty() {
        Vec::new()
    } else {
        path.split('.').collect()
    };
    let leaves = ce.layers.leaves_below(id);
    let mut best: Option<(usize, Span)> = None;
    let mut below = Vec::new();
    for &l in &leaves {
        let keys = ce.layers.path_of(l);
        let rel: Vec<&str> = keys[base..].iter().map(|k| &**k).collect();
        let common = rel.iter().zip(&wanted).take_while(|(a, b)| a == b).count();
        if common == wanted.len() {
            below.push(l);
        }
        if common < rel.len() || best.is_some_and(|(n, _)| n >= rel.len()) {
            continue;
        }
        if let Some(step) = holding_step(ce, l) {
            // After `+=` list indexes count earlier steps' items too.
            let alone = ce.layers.effective_steps(l).len() == 1;
            let span = if alone {
                narrow(step.expr, &wanted[rel.len()..])
            } else {
                step.expr.span
            };
            best = Some((rel.len(), span));
        }
    }
    best.map(|(_, s)| s)
        .or_else(|| holding_span(ce, &below))
        .or_else(|| holding_span(ce, &leaves))
        .unwrap_or(cx.prog.configs[ce.cid].decl.name.span)
}

/// The latest user assignment of leaf `l` (schema defaults excluded).
fn holding_step<'c, 'a>(ce: &'c ConfigEval<'a>, l: NodeId) -> Option<&'c Step<'a>> {
    ce.layers
        .effective_steps(l)
        .iter()
        .filter(|s| s.op != Op::Default)
        .max_by_key(|s| s.seq)
}

/// The part of literal `expr` at `rest` (`1.when.0.value`): list elements
/// by index, object entries by key; the whole expression where it is not a
/// literal that far down.
fn narrow(expr: &Expr, rest: &[&str]) -> Span {
    let Some((first, tail)) = rest.split_first() else {
        return expr.span;
    };
    match &expr.kind {
        ExprKind::List(items) => first
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i))
            .map_or(expr.span, |item| narrow(item, tail)),
        ExprKind::Object(stmts) => narrow_stmts(stmts, rest).unwrap_or(expr.span),
        _ => expr.span,
    }
}

fn narrow_stmts(stmts: &[Stmt], rest: &[&str]) -> Option<Span> {
    let prefix = |p: &crate::ast::Path| {
        let n = p.keys.len();
        (n <= rest.len() && p.keys.iter().zip(rest).all(|(k, r)| &*k.name == *r)).then_some(n)
    };
    // The last assignment wins, as in evaluation.
    stmts.iter().rev().find_map(|st| match st {
        Stmt::Assign(a) => prefix(&a.path).map(|n| narrow(&a.value, &rest[n..])),
        Stmt::Block(b) => prefix(&b.path).and_then(|n| narrow_stmts(&b.body, &rest[n..])),
        Stmt::Env(_) | Stmt::Declare(_) => None,
    })
}

/// Dotted `a.b`, or whichever of the two is not empty.
fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (_, true) => a.to_owned(),
        (true, false) => b.to_owned(),
        (false, false) => format!("{a}.{b}"),
    }
}

/// Reports `f` about `field`; `key` is the field's key below node `id`
/// (empty when the node is the flag itself).
fn report<'a>(
    cx: &Ctx<'_, 'a>,
    ce: &ConfigEval<'a>,
    id: NodeId,
    key: &str,
    field: &FlagField,
    f: Finding,
) {
    let at = span_of(cx, ce, id, &join(key, &f.path));
    let full = join(&field.path, &f.path);
    let message = format!("{} (`{full}`)", f.message);
    let mut d = if f.warning {
        Diagnostic::warning(Code::Flag, at, message)
    } else {
        Diagnostic::error(Code::Flag, at, message)
    };
    for (path, label) in &f.also {
        let span = span_of(cx, ce, id, &join(key, path));
        if span != at {
            d = d.with_label(span, label.clone());
        }
    }
    cx.report(ce.cid, d.with_help(f.help));
}
