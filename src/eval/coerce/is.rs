//! `x is T` (LANGUAGE.md §9.4): whether a value fits a type written in an
//! expression. Built-in types, lists, maps, unions and refinements are
//! tested structurally; aliases and schemas through their resolved types,
//! with the same checks as a field of that type.

use crate::ast::{PredicateKind, TypeExpr, TypeKind};
use crate::resolve::{const_lit, Item};
use crate::types::{Lit, PredKind};

use super::super::{ConfigEval, Ctx, Value};
use super::{lit_eq, pred_failure, Checker};

/// Whether `v` fits `ty` (written in the file of `ty.span`).
pub fn is<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, v: &Value, ty: &TypeExpr) -> bool {
    if matches!(v, Value::Null) {
        return ty.optional || is_named(ty, "any");
    }
    shape(cx, ce, v, ty) && ty.refinements.iter().all(|p| refinement(&p.kind, v))
}

fn is_named(ty: &TypeExpr, name: &str) -> bool {
    matches!(&ty.kind, TypeKind::Named(q) if q.parts.len() == 1 && &*q.parts[0].name == name)
}

fn shape<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, v: &Value, ty: &TypeExpr) -> bool {
    match (&ty.kind, v) {
        (TypeKind::List(elem), Value::List(items)) => items.iter().all(|i| is(cx, ce, i, elem)),
        (TypeKind::Map(elem), Value::Object(m)) => m.values().all(|i| is(cx, ce, i, elem)),
        (TypeKind::List(_) | TypeKind::Map(_), _) => false,
        (TypeKind::Union(lits), v) => lits.iter().filter_map(const_lit).any(|l| lit_eq(&l, v)),
        (TypeKind::AnyOf(members), v) => members.iter().any(|m| is(cx, ce, v, m)),
        (TypeKind::Object(items), Value::Object(m)) => items.iter().all(|i| match i {
            crate::ast::SchemaItem::Field(f) => match (m.get(&f.name.name), &f.ty) {
                (Some(x), Some(t)) => is(cx, ce, x, t),
                (None, Some(t)) => t.optional || f.default.is_some(),
                _ => true,
            },
            crate::ast::SchemaItem::Check(_) => true,
        }),
        (TypeKind::Object(_), _) => false,
        (TypeKind::Named(q), v) => {
            if let [only] = q.parts.as_slice() {
                let builtin = match (&*only.name, v) {
                    ("any", _) => Some(true),
                    ("bool", Value::Bool(_))
                    | ("int", Value::Int(_))
                    | ("float", Value::Float(_) | Value::Int(_))
                    | ("string", Value::Str(_))
                    | ("duration", Value::Duration(_))
                    | ("secret", Value::Secret(_)) => Some(true),
                    ("bool" | "int" | "float" | "string" | "duration" | "secret", _) => Some(false),
                    _ => None,
                };
                if let Some(b) = builtin {
                    return b;
                }
            }
            named(cx, ce, v, q)
        }
    }
}

/// An alias or schema, possibly through an import alias.
fn named<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, v: &Value, q: &crate::ast::QualName) -> bool {
    let mut file = q.span.file;
    let Some((last, init)) = q.parts.split_last() else {
        return false;
    };
    for part in init {
        match cx.prog.scopes[file.0 as usize].get(&part.name) {
            Some((Item::Module(f), _)) => file = *f,
            _ => return false,
        }
    }
    let mut ck = Checker {
        cx,
        ce,
        node: crate::merge::ROOT,
        path: Vec::new(),
        problems: Vec::new(),
    };
    match cx.prog.scopes[file.0 as usize].get(&last.name) {
        Some((Item::Alias(a), _)) => match cx.prog.aliases[*a as usize].resolved {
            Some(ty) => {
                ck.check(v.clone(), ty);
            }
            None => return false,
        },
        Some((Item::Schema(obj), _)) => match v {
            Value::Object(m) => {
                ck.object(*obj, m.clone());
            }
            _ => return false,
        },
        _ => return false,
    }
    ck.problems.is_empty()
}

fn refinement(p: &PredicateKind, v: &Value) -> bool {
    let kind = match p {
        PredicateKind::Compare(op, e) => match const_lit(e) {
            Some(l) => PredKind::Compare(*op, l),
            None => return false,
        },
        PredicateKind::Len(op, e) => match const_lit(e) {
            Some(Lit::Int(n)) => PredKind::Len(*op, n),
            _ => return false,
        },
        PredicateKind::Unique => PredKind::Unique,
        PredicateKind::Matches(pattern) => {
            let anchored =
                pattern.starts_with('^') || (pattern.ends_with('$') && !pattern.ends_with("\\$"));
            let source = if anchored {
                pattern.clone()
            } else {
                format!("^(?:{pattern})$")
            };
            match regex::RegexBuilder::new(&source)
                .size_limit(1 << 22)
                .build()
            {
                Ok(re) => PredKind::Matches(pattern.as_str().into(), re.into()),
                Err(_) => return false,
            }
        }
    };
    pred_failure(&kind, v).is_none()
}
