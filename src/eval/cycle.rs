//! Reference cycles found while evaluating: one diagnostic naming the cycle.

use crate::diagnostics::{Code, Diagnostic};
use crate::merge::NodeId;
use crate::source::Span;

use super::{ConfigEval, Ctx, State};

pub(super) fn drop_and_report_cycle(cx: &Ctx<'_, '_>, ce: &ConfigEval<'_>, id: NodeId, at: Span) {
    let stack = cx.stack.borrow().clone();
    let Some(pos) = stack.iter().position(|&(c, n)| c == ce.cid && n == id) else {
        return;
    };
    let members = &stack[pos..];
    let mut names = Vec::new();
    let mut labels = Vec::new();
    // A cycle through several configs names every member with its config.
    let cross = members.iter().any(|&(c, _)| c != ce.cid);
    for &(cid, n) in members {
        let other = if cid == ce.cid {
            None
        } else {
            Some(cx.config(cid))
        };
        let layers = other.as_ref().map_or(&ce.layers, |o| &o.layers);
        let mut path = layers
            .path_of(n)
            .iter()
            .map(|k| &**k)
            .collect::<Vec<_>>()
            .join(".");
        if cross {
            path = format!("{}.{path}", cx.prog.configs[cid].name);
        }
        if let Some(step) = layers.effective_steps(n).first() {
            labels.push((step.expr.span, format!("`{path}` is computed here")));
        }
        names.push(path);
    }
    for &(cid, n) in members {
        if cid == ce.cid {
            ce.states.borrow_mut()[n as usize] = State::Failed;
        }
    }
    names.push(names[0].clone());
    let mut d = Diagnostic::error(
        Code::Cycle,
        at,
        format!("reference cycle: {}", names.join(" → ")),
    )
    .with_help("break the cycle by setting one of these fields to a value");
    for (span, msg) in labels {
        if span != at {
            d = d.with_label(span, msg);
        }
    }
    cx.report(ce.cid, d);
}
