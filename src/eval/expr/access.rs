//! Field access, object literals, interpolation and indexing.

use std::sync::Arc;

use crate::ast::{AssignOp, Expr, Key, Name, Stmt, StrPart};
use crate::diagnostics::Code;
use crate::merge::{Slot, ROOT};
use crate::resolve::{ConfigId, Item};
use crate::source::Span;
use crate::suggest;

use super::super::value::Fields;
use super::super::value::{format_duration, format_float};
use super::super::{Ctx, EvalResult, Fail, Value, MAX_STRING_BYTES};
use super::*;

pub(super) fn field<'s, 'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'s, 'a>,
    p: Place<'s, 'a>,
    key: &Key,
    base: &Expr,
) -> EvalResult<Place<'s, 'a>> {
    let cid = scope.ce().cid;
    let missing = |keys: Vec<&str>, what: String| {
        let mut d = err(
            Code::UnresolvedName,
            key.span,
            format!("{what} has no field `{}`", key.name),
        );
        if let Some(s) = suggest::closest(&key.name, keys) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        cx.fail(cid, d)
    };
    match p {
        Place::Node(ev, n) => match &ev.layers.node(n).slot {
            Slot::Obj(children) => match children.get(&key.name) {
                Some(&c) => Ok(Place::Node(ev.clone(), c)),
                None => Err(missing(
                    children.keys().map(|k| &**k).collect(),
                    format!("`{}`", cx.prog.project.sources.slice(base.span)),
                )),
            },
            Slot::Leaf(_) => {
                let v = cx.force(&ev, n, base.span)?;
                value_field(cx, cid, v, key, base)
            }
        },
        Place::Config(c) => {
            let ce = cx.config(c);
            let child = match &ce.layers.node(ROOT).slot {
                Slot::Obj(children) => children.get(&key.name).copied(),
                Slot::Leaf(_) => None,
            };
            match child {
                Some(n) => Ok(Place::Node(Ev::Owned(ce), n)),
                None => {
                    let keys: Vec<Name> = match &ce.layers.node(ROOT).slot {
                        Slot::Obj(children) => children.keys().cloned().collect(),
                        Slot::Leaf(_) => Vec::new(),
                    };
                    Err(missing(
                        keys.iter().map(|k| &**k).collect(),
                        format!("config `{}`", cx.prog.configs[c].name),
                    ))
                }
            }
        }
        Place::Module(f) => match cx.prog.scopes[f.0 as usize].get(&key.name).map(|(i, _)| *i) {
            Some(Item::Config(c)) => Ok(Place::Config(c)),
            Some(_) => Err(cx.fail(
                cid,
                err(
                    Code::TypeMismatch,
                    key.span,
                    format!("`{}` is not a value", key.name),
                ),
            )),
            None if cx.prog.project.file(f).ast.is_none() => Err(Fail),
            None => {
                let keys: Vec<&str> = cx.prog.scopes[f.0 as usize].keys().map(|k| &**k).collect();
                Err(missing(
                    keys,
                    format!("`{}`", cx.prog.project.sources.slice(base.span)),
                ))
            }
        },
        Place::Val(v) => value_field(cx, cid, v, key, base),
    }
}

pub(super) fn value_field<'s, 'a>(
    cx: &Ctx<'_, 'a>,
    cid: ConfigId,
    v: Value,
    key: &Key,
    base: &Expr,
) -> EvalResult<Place<'s, 'a>> {
    match v {
        Value::Object(mut m) => match m.swap_remove(&key.name) {
            Some(v) => Ok(Place::Val(v)),
            None => {
                let mut d = err(
                    Code::UnresolvedName,
                    key.span,
                    format!("no field `{}` here", key.name),
                );
                if let Some(s) = suggest::closest(&key.name, m.keys().map(|k| &**k)) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                Err(cx.fail(cid, d))
            }
        },
        other => Err(cx.fail(
            cid,
            err(
                Code::TypeMismatch,
                key.span,
                format!(
                    "cannot read field `{}` of {}",
                    key.name,
                    other.a_type_name()
                ),
            )
            .with_label(base.span, format!("this is {}", other.short())),
        )),
    }
}

pub(super) fn object_literal<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    stmts: &[Stmt],
    obj: &mut Fields,
) -> EvalResult<()> {
    for stmt in stmts {
        match stmt {
            Stmt::Assign(a) if a.op == AssignOp::Unset => unset_in(obj, &a.path.keys),
            Stmt::Assign(a) => {
                let v = eval(cx, scope, &a.value)?;
                let target = nested(cx, scope, obj, &a.path.keys)?;
                let merged = match (a.op, std::mem::take(target)) {
                    (AssignOp::Replace | AssignOp::Unset, _) => v,
                    (AssignOp::Append, Value::Object(mut old)) => match v {
                        Value::Object(new) => {
                            if let Some(k) = new.keys().find(|k| old.contains_key(*k)) {
                                return Err(cx.fail(
                                    scope.ce().cid,
                                    err(
                                        Code::Duplicate,
                                        a.value.span,
                                        format!("`+=` adds key `{k}`, which the map already has"),
                                    )
                                    .with_help("use `=` or `:=` to change an existing entry"),
                                ));
                            }
                            old.extend(new);
                            Value::Object(old)
                        }
                        other => {
                            return Err(cx.fail(
                                scope.ce().cid,
                                err(
                                    Code::TypeMismatch,
                                    a.value.span,
                                    format!(
                                        "`+=` on a map adds the entries of an object, not {}",
                                        other.a_type_name()
                                    ),
                                ),
                            ))
                        }
                    },
                    (AssignOp::Set, Value::Object(mut old)) => match v {
                        Value::Object(new) => {
                            old.extend(new);
                            Value::Object(old)
                        }
                        other => other,
                    },
                    (AssignOp::Set, _) => v,
                    (AssignOp::Append, Value::List(mut old)) => match v {
                        Value::List(new) => {
                            old.extend(new);
                            Value::List(old)
                        }
                        other => {
                            return Err(cx.fail(
                                scope.ce().cid,
                                err(
                                    Code::TypeMismatch,
                                    a.value.span,
                                    format!("`+=` needs a list, found {}", other.type_name()),
                                ),
                            ))
                        }
                    },
                    (AssignOp::Append, Value::Null) => v,
                    (AssignOp::Append, other) => {
                        return Err(cx.fail(
                            scope.ce().cid,
                            err(
                                Code::TypeMismatch,
                                a.path.span,
                                format!("`+=` appends to a list, not {}", other.a_type_name()),
                            ),
                        ))
                    }
                };
                *target = merged;
            }
            Stmt::Block(b) => {
                let target = nested(cx, scope, obj, &b.path.keys)?;
                let mut inner = match std::mem::take(target) {
                    Value::Object(m) => m,
                    _ => Fields::default(),
                };
                object_literal(cx, scope, &b.body, &mut inner)?;
                *target = Value::Object(inner);
            }
            Stmt::Env(e) => {
                return Err(cx.fail(
                    scope.ce().cid,
                    err(
                        Code::Syntax,
                        e.span,
                        "`env` blocks are only allowed at a config's top level",
                    ),
                ))
            }
        }
    }
    Ok(())
}

/// `unset PATH` inside an object value: removes the key if it is there.
fn unset_in(obj: &mut Fields, keys: &[Key]) {
    let Some((last, init)) = keys.split_last() else {
        return;
    };
    let mut cur = obj;
    for key in init {
        match cur.get_mut(&key.name) {
            Some(Value::Object(m)) => cur = m,
            _ => return,
        }
    }
    cur.shift_remove(&last.name);
}

/// The slot for `keys` inside `obj`, creating objects on the way.
pub(super) fn nested<'o>(
    cx: &Ctx<'_, '_>,
    scope: &Scope<'_, '_>,
    obj: &'o mut Fields,
    keys: &[Key],
) -> EvalResult<&'o mut Value> {
    let Some((last, init)) = keys.split_last() else {
        return Err(Fail);
    };
    let mut cur = obj;
    for key in init {
        let slot = cur
            .entry(key.name.clone())
            .or_insert_with(|| Value::Object(Fields::default()));
        if let Value::Null = slot {
            *slot = Value::Object(Fields::default());
        }
        cur = match slot {
            Value::Object(m) => m,
            other => {
                return Err(cx.fail(
                    scope.ce().cid,
                    err(
                        Code::TypeMismatch,
                        key.span,
                        format!("`{}` is {}, not an object", key.name, other.a_type_name()),
                    ),
                ))
            }
        };
    }
    Ok(cur.entry(last.name.clone()).or_insert(Value::Null))
}

pub(super) fn interpolate<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    parts: &[StrPart],
) -> EvalResult {
    let mut out = String::new();
    for part in parts {
        match part {
            StrPart::Lit(s) => out.push_str(s),
            StrPart::Expr(e) => {
                let v = eval(cx, scope, e)?;
                match v {
                    Value::Str(s) => out.push_str(&s),
                    Value::Int(i) => out.push_str(&i.to_string()),
                    Value::Float(f) => out.push_str(&format_float(f)),
                    Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                    Value::Null => out.push_str("null"),
                    Value::Duration(ns) => out.push_str(&format_duration(ns)),
                    Value::Secret(_) => return Err(cx.fail(scope.ce().cid, err(Code::SecretLiteral, e.span, "a secret cannot be interpolated into a string").with_help("secret fields hold references; pass the reference itself"))),
                    other => return Err(cx.fail(scope.ce().cid, err(Code::TypeMismatch, e.span, format!("cannot interpolate {}", other.a_type_name())).with_help("interpolate strings, numbers, bools or durations; use `join(list, sep)` for lists"))),
                }
            }
        }
        if out.len() > MAX_STRING_BYTES {
            return Err(cx.fail(
                scope.ce().cid,
                err(
                    Code::Limit,
                    parts_span(parts),
                    format!("string longer than {} MiB", MAX_STRING_BYTES >> 20),
                ),
            ));
        }
    }
    Ok(Value::Str(Arc::from(out)))
}

pub(super) fn parts_span(parts: &[StrPart]) -> Span {
    parts
        .iter()
        .find_map(|p| match p {
            StrPart::Expr(e) => Some(e.span),
            StrPart::Lit(_) => None,
        })
        .unwrap_or_default()
}

pub(super) fn index(
    cx: &Ctx<'_, '_>,
    cid: ConfigId,
    base: Value,
    idx: Value,
    span: Span,
) -> EvalResult {
    match (base, idx) {
        (Value::List(items), Value::Int(i)) => {
            let len = items.len() as i64;
            let pos = if i < 0 { i + len } else { i };
            if (0..len).contains(&pos) {
                Ok(items.into_iter().nth(pos as usize).unwrap_or_default())
            } else {
                Err(cx.fail(
                    cid,
                    err(
                        Code::UnresolvedName,
                        span,
                        format!("index {i} is out of range for a list of {len} items"),
                    ),
                ))
            }
        }
        (Value::Object(mut m), Value::Str(k)) => match m.swap_remove(&*k) {
            Some(v) => Ok(v),
            None => Err(cx.fail(
                cid,
                err(Code::UnresolvedName, span, format!("no key {k:?} here")),
            )),
        },
        (b, i) => Err(cx.fail(
            cid,
            err(
                Code::TypeMismatch,
                span,
                format!("cannot index {} with {}", b.a_type_name(), i.a_type_name()),
            ),
        )),
    }
}
