//! Evaluation of a policy test's `assert` (LANGUAGE.md §9.9): the
//! expression is evaluated like a schema `check`, with the names of the
//! test's file in scope (configs, import aliases) and no enclosing object.

use crate::ast::Expr;
use crate::resolve::ConfigId;

use super::expr::{eval, Scope};
use super::{Ctx, Fail, Fields, Value};

/// A leaf an assert read: its config, its path below the config root, its value.
#[derive(Debug, Clone)]
pub struct Read {
    pub config: ConfigId,
    pub path: String,
    pub value: Value,
}

/// Evaluates `cond` in `cx`'s environment. `anchor` is any config of the
/// program: lookups need an evaluator, and `self` reads its root (tests have
/// no `self`; the resolver rejects it). Returns the value and the leaves read.
pub fn eval_assert(
    cx: &Ctx<'_, '_>,
    anchor: ConfigId,
    cond: &Expr,
) -> (Result<Value, Fail>, Vec<Read>) {
    let ce = cx.config(anchor);
    let empty = Fields::default();
    let scope = Scope::Value {
        obj: &empty,
        ce: &ce,
    };
    let (out, reads) = cx.recording(|| eval(cx, &scope, cond));
    let mut seen = Vec::new();
    let mut shown = Vec::new();
    for (cid, node) in reads {
        if seen.contains(&(cid, node)) {
            continue;
        }
        seen.push((cid, node));
        let owner = cx.config(cid);
        let Ok(value) = cx.force(&owner, node, cond.span) else {
            continue;
        };
        let path = owner
            .layers
            .path_of(node)
            .iter()
            .map(|k| &**k)
            .collect::<Vec<_>>()
            .join(".");
        shown.push(Read {
            config: cid,
            path,
            value,
        });
    }
    (out, shown)
}
