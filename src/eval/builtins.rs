//! Built-in functions (LANGUAGE.md §5): `len min max sum abs round floor ceil
//! keys values contains lower upper join secret`.

use std::sync::Arc;

use crate::ast::{BinaryOp, CmpOp, Expr, Ident};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::suggest;

use super::expr::{binary, compare, contains, eval, Scope};
use super::{Ctx, EvalResult, Value};

/// Every built-in function name.
pub const NAMES: &[&str] = &[
    "len", "min", "max", "sum", "abs", "round", "floor", "ceil", "keys", "values", "contains",
    "lower", "upper", "join", "secret", "div",
];

/// Calls built-in `name` with `args`.
pub fn call<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    name: &Ident,
    args: &[Expr],
    span: Span,
) -> EvalResult {
    let cid = scope.cid();
    if !NAMES.contains(&&*name.name) {
        let mut d = Diagnostic::error(
            Code::UnresolvedName,
            name.span,
            format!("unknown function `{}`", name.name),
        );
        d = match suggest::closest(&name.name, NAMES.iter().copied()) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!("built-in functions: {}", NAMES.join(", "))),
        };
        return Err(cx.fail(cid, d));
    }
    let mut vals = Vec::with_capacity(args.len());
    for a in args {
        vals.push(eval(cx, scope, a)?);
    }
    apply(&name.name, vals).map_err(|(code, msg)| {
        let msg = format!("`{}`: {msg}", name.name);
        cx.fail(cid, Diagnostic::error(code, span, msg))
    })
}

type R = Result<Value, (Code, String)>;

fn arity(vals: &[Value], n: usize) -> Result<(), (Code, String)> {
    if vals.len() == n {
        Ok(())
    } else {
        Err((
            Code::TypeMismatch,
            format!(
                "takes {n} argument{}, got {}",
                if n == 1 { "" } else { "s" },
                vals.len()
            ),
        ))
    }
}

fn mismatch(what: &str, v: &Value) -> (Code, String) {
    (
        Code::TypeMismatch,
        format!("expects {what}, found {}", v.type_name()),
    )
}

fn float(f: f64) -> R {
    if f.is_finite() {
        Ok(Value::Float(f))
    } else {
        Err((Code::Arithmetic, "the result is not a finite number".into()))
    }
}

fn to_int(f: f64) -> R {
    if f.is_finite() && f.abs() < 9.2e18 {
        Ok(Value::Int(f as i64))
    } else {
        Err((
            Code::Arithmetic,
            "the result does not fit in a 64-bit integer".into(),
        ))
    }
}

/// Applies a built-in to evaluated arguments.
pub fn apply(name: &str, vals: Vec<Value>) -> R {
    match name {
        "len" => {
            arity(&vals, 1)?;
            match &vals[0] {
                Value::Str(s) => Ok(Value::Int(s.chars().count() as i64)),
                Value::List(l) => Ok(Value::Int(l.len() as i64)),
                Value::Object(m) => Ok(Value::Int(m.len() as i64)),
                v => Err(mismatch("a string, list or map", v)),
            }
        }
        "min" | "max" => extreme(name == "min", vals),
        "sum" => {
            arity(&vals, 1)?;
            let Value::List(items) = &vals[0] else {
                return Err(mismatch("a list", &vals[0]));
            };
            let mut acc = Value::Int(0);
            for item in items {
                if !matches!(item, Value::Int(_) | Value::Float(_) | Value::Duration(_)) {
                    return Err(mismatch("a list of numbers", item));
                }
                acc = if matches!(acc, Value::Int(0)) && matches!(item, Value::Duration(_)) {
                    item.clone()
                } else {
                    binary(acc, BinaryOp::Add, item.clone())?
                };
            }
            Ok(acc)
        }
        "div" => div(&vals),
        "abs" => {
            arity(&vals, 1)?;
            match &vals[0] {
                Value::Int(i) => i
                    .checked_abs()
                    .map(Value::Int)
                    .ok_or((Code::Arithmetic, "integer overflow".into())),
                Value::Float(f) => float(f.abs()),
                Value::Duration(d) => d
                    .checked_abs()
                    .map(Value::Duration)
                    .ok_or((Code::Arithmetic, "overflow".into())),
                v => Err(mismatch("a number", v)),
            }
        }
        "round" | "floor" | "ceil" => {
            arity(&vals, 1)?;
            match &vals[0] {
                Value::Int(i) => Ok(Value::Int(*i)),
                Value::Float(f) => to_int(match name {
                    "round" => f.round(),
                    "floor" => f.floor(),
                    _ => f.ceil(),
                }),
                v => Err(mismatch("a number", v)),
            }
        }
        "keys" | "values" => {
            arity(&vals, 1)?;
            let m = match vals.into_iter().next() {
                Some(Value::Object(m)) => m,
                Some(v) => return Err(mismatch("a map", &v)),
                None => return Err((Code::TypeMismatch, "expects a map".into())),
            };
            Ok(Value::List(if name == "keys" {
                m.into_keys().map(Value::Str).collect()
            } else {
                m.into_values().collect()
            }))
        }
        "contains" => {
            arity(&vals, 2)?;
            contains(&vals[0], &vals[1]).map(Value::Bool)
        }
        "lower" | "upper" => {
            arity(&vals, 1)?;
            let Value::Str(s) = &vals[0] else {
                return Err(mismatch("a string", &vals[0]));
            };
            Ok(Value::Str(Arc::from(if name == "lower" {
                s.to_lowercase()
            } else {
                s.to_uppercase()
            })))
        }
        "join" => join(vals),
        "secret" => {
            arity(&vals, 1)?;
            match &vals[0] {
                Value::Str(s) if !s.is_empty() => Ok(Value::Secret(s.clone())),
                v => Err(mismatch(
                    "a non-empty reference string such as \"vault:path#key\"",
                    v,
                )),
            }
        }
        _ => Err((Code::UnresolvedName, "unknown function".into())),
    }
}

fn join(vals: Vec<Value>) -> R {
    arity(&vals, 2)?;
    let (Value::List(items), Value::Str(sep)) = (&vals[0], &vals[1]) else {
        return Err((
            Code::TypeMismatch,
            "expects a list of strings and a separator string".into(),
        ));
    };
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Str(s) => parts.push(s.to_string()),
            Value::Int(i) => parts.push(i.to_string()),
            v => return Err(mismatch("a list of strings", v)),
        }
    }
    Ok(Value::Str(Arc::from(parts.join(sep))))
}

fn extreme(min: bool, vals: Vec<Value>) -> R {
    let items = match vals.as_slice() {
        [Value::List(items)] => items.clone(),
        [_] | [] => {
            return Err((
                Code::TypeMismatch,
                "takes a list or two or more numbers".into(),
            ))
        }
        _ => vals,
    };
    let mut best: Option<Value> = None;
    for item in items {
        if !matches!(
            item,
            Value::Int(_) | Value::Float(_) | Value::Duration(_) | Value::Str(_)
        ) {
            return Err(mismatch("numbers", &item));
        }
        best = Some(match best {
            None => item,
            Some(b) => {
                let better = compare(&item, if min { CmpOp::Lt } else { CmpOp::Gt }, &b)?;
                if better {
                    item
                } else {
                    b
                }
            }
        });
    }
    best.ok_or((
        Code::TypeMismatch,
        "needs at least one item, found an empty list".into(),
    ))
}

/// `div(a, b)`: integer division rounding toward negative infinity
/// (LANGUAGE.md §9.5): `div(-7, 2) == -4`.
fn div(vals: &[Value]) -> R {
    arity(vals, 2)?;
    match (&vals[0], &vals[1]) {
        (Value::Int(_), Value::Int(0)) => Err((Code::Arithmetic, "division by zero".into())),
        // Toward negative infinity (LANGUAGE.md §9.5): -7 div 2 is -4.
        (Value::Int(a), Value::Int(b)) => a
            .checked_div_euclid(*b)
            .map(|q| {
                let r = a - q * b;
                // Euclid rounds toward -inf only for b > 0; fix b < 0.
                if r != 0 && *b < 0 {
                    q - 1
                } else {
                    q
                }
            })
            .map(Value::Int)
            .ok_or((Code::Arithmetic, "integer overflow".into())),
        (Value::Int(_), v) | (v, _) => Err(mismatch("two ints", v)),
    }
}
