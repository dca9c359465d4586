//! Operators: unary, binary, comparisons, `in`, checked arithmetic.

use std::sync::Arc;

use crate::ast::{BinaryOp, CmpOp, Expr, UnaryOp};
use crate::diagnostics::{Code, Diagnostic};
use crate::resolve::ConfigId;
use crate::source::Span;

use super::super::{Ctx, EvalResult, Value, MAX_LIST_LEN, MAX_STRING_BYTES};
use super::*;

pub(super) fn unary(
    cx: &Ctx<'_, '_>,
    cid: ConfigId,
    op: UnaryOp,
    v: Value,
    span: Span,
) -> EvalResult {
    match (op, v) {
        (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnaryOp::Neg, Value::Int(i)) => i
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| cx.fail(cid, overflow(span))),
        (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnaryOp::Neg, Value::Duration(d)) => d
            .checked_neg()
            .map(Value::Duration)
            .ok_or_else(|| cx.fail(cid, overflow(span))),
        (op, v) => Err(cx.fail(
            cid,
            err(
                Code::TypeMismatch,
                span,
                format!(
                    "`{}` does not apply to {}",
                    if op == UnaryOp::Not { "not" } else { "-" },
                    v.a_type_name()
                ),
            ),
        )),
    }
}

pub(super) fn overflow(span: Span) -> Diagnostic {
    err(Code::Arithmetic, span, "integer overflow")
        .with_help("integers are 64-bit signed; the result does not fit")
}

pub(super) fn binary_expr<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    op: BinaryOp,
    l: &Expr,
    r: &Expr,
    span: Span,
) -> EvalResult {
    let cid = scope.ce().cid;
    if let BinaryOp::And | BinaryOp::Or = op {
        let lv = eval(cx, scope, l)?;
        let Value::Bool(lb) = lv else {
            return Err(cx.fail(
                cid,
                err(
                    Code::TypeMismatch,
                    l.span,
                    format!("`{}` needs bools, found {}", op.as_str(), lv.type_name()),
                ),
            ));
        };
        if (op == BinaryOp::And && !lb) || (op == BinaryOp::Or && lb) {
            return Ok(Value::Bool(lb));
        }
        return match eval(cx, scope, r)? {
            Value::Bool(rb) => Ok(Value::Bool(rb)),
            other => Err(cx.fail(
                cid,
                err(
                    Code::TypeMismatch,
                    r.span,
                    format!("`{}` needs bools, found {}", op.as_str(), other.type_name()),
                ),
            )),
        };
    }
    let lv = eval(cx, scope, l)?;
    let rv = eval(cx, scope, r)?;
    binary(lv, op, rv).map_err(|(code, msg)| cx.fail(cid, err(code, span, msg)))
}

type OpResult = Result<Value, (Code, String)>;

/// Applies a non-short-circuit binary operator.
pub fn binary(l: Value, op: BinaryOp, r: Value) -> OpResult {
    match op {
        BinaryOp::Cmp(c) => compare(&l, c, &r).map(Value::Bool),
        BinaryOp::In => contains(&r, &l).map(Value::Bool),
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
            arith(l, op, r)
        }
        BinaryOp::And | BinaryOp::Or => Err((
            Code::TypeMismatch,
            "internal: short-circuit operator".into(),
        )),
    }
}

/// `x in container`: list membership, map key, or substring.
pub fn contains(container: &Value, x: &Value) -> Result<bool, (Code, String)> {
    match (container, x) {
        (Value::List(items), x) => Ok(items.iter().any(|i| equal(i, x))),
        (Value::Object(m), Value::Str(k)) => Ok(m.contains_key(&**k)),
        (Value::Str(s), Value::Str(sub)) => Ok(s.contains(&**sub)),
        (c, x) => Err((
            Code::TypeMismatch,
            format!("cannot look for {} in {}", x.a_type_name(), c.a_type_name()),
        )),
    }
}

/// Deep equality; `1 == 1.0`.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

pub(super) fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Comparison of two values (numbers across int/float, strings, durations; `==` on anything).
pub fn compare(l: &Value, op: CmpOp, r: &Value) -> Result<bool, (Code, String)> {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (l, r) {
        (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
        (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
        _ => match (num(l), num(r)) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        },
    };
    match (op, ord) {
        (CmpOp::Eq, _) => Ok(equal(l, r)),
        (CmpOp::Ne, _) => Ok(!equal(l, r)),
        (_, Some(o)) => Ok(match op {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Eq | CmpOp::Ne => unreachable!("handled above"),
        }),
        (_, None) => Err((
            Code::TypeMismatch,
            format!(
                "cannot compare {} with {} using `{}`",
                l.a_type_name(),
                r.a_type_name(),
                op.as_str()
            ),
        )),
    }
}

pub(super) fn finite(f: f64) -> OpResult {
    if f.is_finite() {
        Ok(Value::Float(f))
    } else {
        Err((Code::Arithmetic, "the result is not a finite number".into()))
    }
}

pub(super) fn ovf() -> (Code, String) {
    (
        Code::Arithmetic,
        "integer overflow: the result does not fit in 64 bits".into(),
    )
}

pub(super) fn arith(l: Value, op: BinaryOp, r: Value) -> OpResult {
    use BinaryOp::{Add, Div, Mul, Rem, Sub};
    match (l, op, r) {
        (Value::Int(a), Add, Value::Int(b)) => a.checked_add(b).map(Value::Int).ok_or_else(ovf),
        (Value::Int(a), Sub, Value::Int(b)) => a.checked_sub(b).map(Value::Int).ok_or_else(ovf),
        (Value::Int(a), Mul, Value::Int(b)) => a.checked_mul(b).map(Value::Int).ok_or_else(ovf),
        (Value::Int(_), Div | Rem, Value::Int(0)) => {
            Err((Code::Arithmetic, "division by zero".into()))
        }
        (Value::Int(a), Div, Value::Int(b)) => finite(a as f64 / b as f64),
        (Value::Int(a), Rem, Value::Int(b)) => a.checked_rem(b).map(Value::Int).ok_or_else(ovf),
        (Value::Str(a), Add, Value::Str(b)) => {
            if a.len() + b.len() > MAX_STRING_BYTES {
                return Err((
                    Code::Limit,
                    format!("string longer than {} MiB", MAX_STRING_BYTES >> 20),
                ));
            }
            Ok(Value::Str(Arc::from(format!("{a}{b}"))))
        }
        (Value::List(mut a), Add, Value::List(b)) => {
            if a.len() + b.len() > MAX_LIST_LEN {
                return Err((
                    Code::Limit,
                    format!("list longer than {MAX_LIST_LEN} items"),
                ));
            }
            a.extend(b);
            Ok(Value::List(a))
        }
        (Value::Duration(a), Add, Value::Duration(b)) => {
            a.checked_add(b).map(Value::Duration).ok_or_else(ovf)
        }
        (Value::Duration(a), Sub, Value::Duration(b)) => {
            a.checked_sub(b).map(Value::Duration).ok_or_else(ovf)
        }
        (Value::Duration(_), Div, Value::Duration(0)) => {
            Err((Code::Arithmetic, "division by zero".into()))
        }
        (Value::Duration(a), Div, Value::Duration(b)) => finite(a as f64 / b as f64),
        (Value::Duration(d), Mul, n) | (n, Mul, Value::Duration(d)) if num(&n).is_some() => {
            scale(d, num(&n).unwrap_or(0.0), false)
        }
        (Value::Duration(d), Div, n) if num(&n).is_some() => scale(d, num(&n).unwrap_or(0.0), true),
        (l, op, r) => match (num(&l), num(&r), op) {
            (Some(_), Some(0.0), Div | Rem) => Err((Code::Arithmetic, "division by zero".into())),
            (Some(a), Some(b), Add) => finite(a + b),
            (Some(a), Some(b), Sub) => finite(a - b),
            (Some(a), Some(b), Mul) => finite(a * b),
            (Some(a), Some(b), Div) => finite(a / b),
            _ => Err((
                Code::TypeMismatch,
                format!(
                    "`{}` does not apply to {} and {}",
                    op.as_str(),
                    l.a_type_name(),
                    r.a_type_name()
                ),
            )),
        },
    }
}

pub(super) fn scale(ns: i64, by: f64, divide: bool) -> OpResult {
    if divide && by == 0.0 {
        return Err((Code::Arithmetic, "division by zero".into()));
    }
    let x = if divide {
        ns as f64 / by
    } else {
        ns as f64 * by
    };
    if !x.is_finite() || x.abs() >= 9.2e18 {
        return Err(ovf());
    }
    Ok(Value::Duration(x.round() as i64))
}
