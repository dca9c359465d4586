//! Object-level rules of one evaluation (LANGUAGE.md §4): node-level
//! refinements (a map's `len`, …) and schema `check`s, with the help that
//! shows the values a failed rule read.

use crate::diagnostics::{Code, Diagnostic};
use crate::merge::{NodeId, Op, Slot, ROOT};
use crate::resolve::ConfigId;
use crate::source::Span;
use crate::types::{ObjId, Ty};

use super::coerce::pred_failure;
use super::expr::{self, Scope};
use super::finish::dotted;
use super::{ConfigEval, Ctx, Value};

/// Node-level refinements (map `len`, …) and schema `check`s; false on any failure.
pub(super) fn node_checks<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, order: &[NodeId]) -> bool {
    let prog = cx.prog;
    let mut ok = true;
    for &id in order {
        let node = ce.layers.node(id);
        if !matches!(node.slot, Slot::Obj(_)) {
            continue;
        }
        let obj: Option<ObjId> = if id == ROOT {
            prog.configs[ce.cid].schema
        } else {
            node.ty.and_then(|t| match prog.ty(t).ty {
                Ty::Object(o) => Some(o),
                _ => None,
            })
        };
        if let Some(t) = node.ty.filter(|t| !prog.ty(*t).preds.is_empty()) {
            ok &= node_preds(cx, ce, id, t);
        }
        let Some(obj) = obj else { continue };
        for check in &prog.obj(obj).checks {
            let scope = Scope::Node { ce, node: id };
            let (res, reads) = cx.recording(|| expr::eval(cx, &scope, check.cond));
            match res {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) => {
                    ok = false;
                    report_check(cx, ce, id, check, &reads);
                }
                Ok(other) => {
                    ok = false;
                    let d = Diagnostic::error(
                        Code::TypeMismatch,
                        check.cond.span,
                        format!("a `check` must be a bool, found {}", other.type_name()),
                    );
                    cx.report(ce.cid, d);
                }
                Err(_) => ok = false,
            }
        }
    }
    ok
}

fn node_preds<'a>(
    cx: &Ctx<'_, 'a>,
    ce: &ConfigEval<'a>,
    id: NodeId,
    t: crate::types::TyId,
) -> bool {
    let Ok(v) = cx.force(ce, id, Span::default()) else {
        return false;
    };
    let mut ok = true;
    let path = dotted(&ce.layers.path_of(id));
    for pred in &cx.prog.ty(t).preds {
        let Some(why) = pred_failure(&pred.kind, &v) else {
            continue;
        };
        ok = false;
        let span = holding_span(ce, &ce.layers.leaves_below(id))
            .unwrap_or(cx.prog.configs[ce.cid].decl.name.span);
        let d = Diagnostic::error(
            Code::Constraint,
            span,
            format!("`{path}` = {} {why}", v.short()),
        )
        .with_label(pred.span, "constraint declared here")
        .with_help(format!("`{path}` must satisfy `{}`", pred.kind));
        cx.report(ce.cid, d);
    }
    ok
}

/// The latest user assignment among `leaves` (schema defaults excluded).
pub(super) fn holding_span(ce: &ConfigEval<'_>, leaves: &[NodeId]) -> Option<Span> {
    leaves
        .iter()
        .flat_map(|&l| ce.layers.effective_steps(l).iter())
        .filter(|s| s.op != Op::Default)
        .max_by_key(|s| s.seq)
        .map(|s| s.expr.span)
}

fn report_check<'a>(
    cx: &Ctx<'_, 'a>,
    ce: &ConfigEval<'a>,
    id: NodeId,
    check: &crate::types::Check<'a>,
    reads: &[(ConfigId, NodeId)],
) {
    let prog = cx.prog;
    let own: Vec<NodeId> = reads
        .iter()
        .filter(|(c, _)| *c == ce.cid)
        .map(|(_, n)| *n)
        .collect();
    let config = &prog.configs[ce.cid];
    let primary = holding_span(ce, &own).unwrap_or(config.decl.name.span);
    let text = prog.project.sources.slice(check.cond.span);
    let msg = match check.message {
        Some(m) => format!("check failed: {m}"),
        None => format!("check failed: `{text}`"),
    };
    let mut d = Diagnostic::error(Code::CheckFailed, primary, msg)
        .with_label(check.span, "check declared here");
    if primary != config.decl.name.span {
        d = d.with_label(
            config.decl.name.span,
            format!("in config `{}`", config.name),
        );
    }
    // Label the other assignments the rule read, so every involved line shows.
    let mut others: Vec<Span> = Vec::new();
    for &n in &own {
        match holding_span(ce, &[n]) {
            Some(span) if span != primary && !others.contains(&span) && others.len() < 4 => {
                others.push(span);
                d = d.with_label(
                    span,
                    format!("`{}` set here", dotted(&ce.layers.path_of(n))),
                );
            }
            _ => {}
        }
    }
    let mut shown: Vec<String> = Vec::new();
    let mut seen = indexmap::IndexSet::new();
    for &n in &own {
        let node = ce.layers.node(n);
        // Show the outermost field read below the checked object, once.
        let mut top = n;
        while ce.layers.node(top).parent != id && top != ROOT && ce.layers.node(top).parent != ROOT
        {
            top = ce.layers.node(top).parent;
        }
        if !seen.insert(top) || shown.len() >= 4 || matches!(node.slot, Slot::Obj(_)) && top != n {
            continue;
        }
        if let Ok(v) = cx.force(ce, top, check.span) {
            shown.push(format!(
                "`{}` = {}",
                dotted(&ce.layers.path_of(top)),
                v.short()
            ));
        }
    }
    let scope = Scope::Node { ce, node: id };
    for (span, v) in expr::deciding_operands(cx, &scope, check.cond) {
        shown.push(format!(
            "`{}` = {}",
            prog.project.sources.slice(span),
            v.short()
        ));
    }
    let mut help = format!("the rule is `{text}`");
    if !shown.is_empty() {
        help.push_str(&format!("; here {}", shown.join(", ")));
    }
    cx.report(ce.cid, d.with_help(help));
}
