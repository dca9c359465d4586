//! Comprehensions and quantifiers (LANGUAGE.md §9.6): `all(x in L: c)`,
//! `any(...)`, `[e for x in L if c]`, `{ k = e for k, v in M if c }`.
//!
//! Each loop runs once per item of its already evaluated source, so
//! evaluation stays total. The loop variables live in a [`Scope::Bind`]
//! that shadows outer names inside the comprehension only.

use crate::ast::{Comprehension, Expr, Key};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::types::TyId;

use super::expr::{declared_field, eval, eval_typed, item_ty, Scope};
use super::value::Fields;
use super::{Ctx, EvalResult, Value};

/// Runs `body` once per item of `comp`'s source that passes its filter,
/// with the item's position in the source and the loop variables bound;
/// `body` returns `false` to stop early. Returns the source's declared type.
pub(super) fn each<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    comp: &Comprehension,
    mut body: impl FnMut(usize, &Scope<'_, 'a>) -> EvalResult<bool>,
) -> EvalResult<Option<TyId>> {
    let cid = scope.cid();
    // The items keep the declared type of the source's items, so that their
    // absent optional fields read as `null` (LANGUAGE.md §9.1).
    let (source, ty) = eval_typed(cx, scope, &comp.iter)?;
    let item = item_ty(cx, ty);
    let items: Vec<Vec<(Value, Option<TyId>)>> = match (&source, comp.vars.len()) {
        (Value::List(items), 1) => items.iter().map(|v| vec![(v.clone(), item)]).collect(),
        (Value::Object(m), 1) => m
            .keys()
            .map(|k| vec![(Value::Str(k.clone()), None)])
            .collect(),
        (Value::Object(m), _) => m
            .iter()
            .map(|(k, v)| {
                let field = ty.and_then(|t| declared_field(cx, t, m, k)).map(|f| f.ty);
                vec![(Value::Str(k.clone()), None), (v.clone(), field.or(item))]
            })
            .collect(),
        (Value::List(_), _) => {
            let d = Diagnostic::error(
                Code::TypeMismatch,
                comp.vars[1].span,
                "a list is iterated with one name; two names iterate a map's keys and values",
            )
            .with_help("write `for x in list`");
            return Err(cx.fail(cid, d));
        }
        (other, _) => {
            let d = Diagnostic::error(
                Code::TypeMismatch,
                comp.iter.span,
                format!(
                    "a comprehension iterates a list or a map, found {}",
                    other.type_name()
                ),
            );
            return Err(cx.fail(cid, d));
        }
    };
    for (index, values) in items.into_iter().enumerate() {
        let names = comp
            .vars
            .iter()
            .zip(values)
            .map(|(n, (v, ty))| (n.name.clone(), v, ty))
            .collect();
        let inner = Scope::Bind {
            names,
            outer: scope,
        };
        if let Some(cond) = &comp.cond {
            if !truth(cx, &inner, cond, "`if` filter")? {
                continue;
            }
        }
        if !body(index, &inner)? {
            break;
        }
    }
    Ok(ty)
}

/// Evaluates a condition that must be a bool.
fn truth<'a>(cx: &Ctx<'_, 'a>, scope: &Scope<'_, 'a>, e: &Expr, what: &str) -> EvalResult<bool> {
    match eval(cx, scope, e)? {
        Value::Bool(b) => Ok(b),
        other => Err(cx.fail(
            scope.cid(),
            Diagnostic::error(
                Code::TypeMismatch,
                e.span,
                format!("the {what} must be a bool, found {}", other.type_name()),
            ),
        )),
    }
}

/// `all(x in L: cond)` (`all`) or `any(x in L: cond)`.
pub fn quant<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    all: bool,
    comp: &Comprehension,
    cond: &Expr,
) -> EvalResult {
    let mut result = all;
    let what = if all {
        "`all` condition"
    } else {
        "`any` condition"
    };
    each(cx, scope, comp, |_, inner| {
        let b = truth(cx, inner, cond, what)?;
        if b != all {
            result = !all;
            return Ok(false);
        }
        Ok(true)
    })?;
    Ok(Value::Bool(result))
}

/// `[e for x in L if cond]`.
pub fn list<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    elem: &Expr,
    comp: &Comprehension,
) -> EvalResult {
    list_typed(cx, scope, elem, comp).map(|(v, _)| v)
}

/// [`list`], with a declared type when every item has the declared type of
/// the source's items (`[r for r in replicas if r.gpu != null]`,
/// `[v for _, v in m]`): the result then reads like the source, absent
/// optional fields as `null` (LANGUAGE.md §9.1). The source's type stands
/// for the list's: only its items' type is ever asked ([`item_ty`]).
pub(super) fn list_typed<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    elem: &Expr,
    comp: &Comprehension,
) -> EvalResult<(Value, Option<TyId>)> {
    let mut out = Vec::new();
    // `Some(t)` while every item so far has type `t`; `None` once one differs.
    let mut common: Option<Option<TyId>> = None;
    let source = each(cx, scope, comp, |_, inner| {
        let (v, t) = eval_typed(cx, inner, elem)?;
        common = match common {
            None => Some(t),
            Some(c) if c == t => Some(c),
            Some(_) => Some(None),
        };
        out.push(v);
        Ok(true)
    })?;
    let item = item_ty(cx, source);
    let ty = match common {
        None => source,
        Some(t) if t.is_some() && t == item => source,
        Some(_) => None,
    };
    Ok((Value::List(out), ty))
}

/// `{ k = e for k, v in M if cond }`: a bare key is evaluated, a quoted one
/// is a constant; keys must be strings and distinct.
pub fn map<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    key: &Key,
    value: &Expr,
    comp: &Comprehension,
    span: Span,
) -> EvalResult {
    let cid = scope.cid();
    let mut out = Fields::default();
    each(cx, scope, comp, |_, inner| {
        let k = if key.quoted {
            Value::Str(key.name.clone())
        } else {
            let e = Expr {
                kind: crate::ast::ExprKind::Name(key.name.clone()),
                span: key.span,
            };
            eval(cx, inner, &e)?
        };
        let Value::Str(k) = k else {
            let d = Diagnostic::error(
                Code::TypeMismatch,
                key.span,
                format!(
                    "a map comprehension's keys must be strings, found {}",
                    k.type_name()
                ),
            )
            .with_help(
                "convert the key with string interpolation in the source, or pick a string field",
            );
            return Err(cx.fail(cid, d));
        };
        let v = eval(cx, inner, value)?;
        if out.insert(k.clone(), v).is_some() {
            let d = Diagnostic::error(
                Code::Duplicate,
                key.span,
                format!("the map comprehension produces the key `{k}` twice"),
            )
            .with_label(span, "in this comprehension")
            .with_help("each iteration must produce a distinct key; filter with `if` or derive the key from the item");
            return Err(cx.fail(cid, d));
        }
        Ok(true)
    })?;
    Ok(Value::Object(out))
}
