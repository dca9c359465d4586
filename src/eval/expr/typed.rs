//! The declared type that travels with a value read from a typed place, so
//! that an absent optional field reads as `null` everywhere (LANGUAGE.md
//! §9.1): through a comprehension variable or quantifier (`v.w` for
//! `v in vs`), an index (`vs[0].w`, `m["k"].w`), a nested object, or a
//! schema `check` on a list element. Values leave absent fields out, so
//! only their type knows that a missing key is a declared optional field.

use crate::types::{Field, ObjId, Ty, TyId};

use super::super::coerce::lit_eq;
use super::super::value::Fields;
use super::super::{Ctx, EvalResult, Value};
use super::ops::binary;
use super::{eval, index, place, read, Place, Scope};
use crate::ast::BinaryOp;
use crate::diagnostics::Diagnostic;

/// The type of the items of a list or the values of a map of type `ty`.
pub(in crate::eval) fn item_ty(cx: &Ctx<'_, '_>, ty: Option<TyId>) -> Option<TyId> {
    match cx.prog.ty(ty?).ty {
        Ty::List(t) | Ty::Map(t) => Some(t),
        _ => None,
    }
}

/// The field `key` that object `obj` of type `ty` declares.
pub(in crate::eval) fn declared_field<'p, 'a>(
    cx: &Ctx<'p, 'a>,
    ty: TyId,
    obj: &Fields,
    key: &str,
) -> Option<&'p Field<'a>> {
    cx.prog.obj(declared_obj(cx, ty, obj)?).fields.get(key)
}

/// The object type of `obj`, of type `ty`: the schema, or for a union of
/// schemas the member `obj`'s tag picks (the first object member without
/// a tag).
pub(super) fn declared_obj(cx: &Ctx<'_, '_>, ty: TyId, obj: &Fields) -> Option<ObjId> {
    let prog = cx.prog;
    Some(match &prog.ty(ty).ty {
        Ty::Object(o) => *o,
        Ty::AnyOf(members) => match prog.tags.get(&ty) {
            Some(tagged) => {
                let tag = obj.get(&tagged.field)?;
                tagged.members.iter().find(|(l, _)| lit_eq(l, tag))?.1
            }
            None => members.iter().find_map(|&m| match prog.ty(m).ty {
                Ty::Object(o) => Some(o),
                _ => None,
            })?,
        },
        _ => return None,
    })
}

/// The value of field `key` in `obj` of type `ty`, with its type: `null`
/// for a declared optional field that is absent; `None` for a key that
/// neither `obj` nor its type has.
pub(super) fn typed_field(
    cx: &Ctx<'_, '_>,
    ty: Option<TyId>,
    obj: &mut Fields,
    key: &str,
) -> Option<(Value, Option<TyId>)> {
    let field = ty.and_then(|t| declared_field(cx, t, obj, key));
    let map_item = field.is_none().then(|| item_ty(cx, ty)).flatten();
    match obj.swap_remove(key) {
        Some(v) => Some((v, field.map(|f| f.ty).or(map_item))),
        None => field
            .filter(|f| cx.prog.ty(f.ty).optional)
            .map(|f| (Value::Null, Some(f.ty))),
    }
}

/// Evaluates `e` with the declared type of the place it reads, when it is
/// a path (`vs`, `self.a.b`) or an index of one (`vs[0]`). For
/// `values(m)` the type is `m`'s: only its items' type is ever asked
/// ([`item_ty`]), and those are the list's items.
pub(in crate::eval) fn eval_typed<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    e: &crate::ast::Expr,
) -> EvalResult<(Value, Option<TyId>)> {
    use crate::ast::ExprKind;
    match &e.kind {
        ExprKind::Name(_) | ExprKind::SelfRef | ExprKind::Field(..) | ExprKind::Index(..) => {
            let p = place(cx, scope, e)?;
            let ty = p.ty();
            Ok((read(cx, scope, p, e.span)?, ty))
        }
        ExprKind::Call(name, args) if &*name.name == "values" && args.len() == 1 => {
            let (_, ty) = eval_typed(cx, scope, &args[0])?;
            let ty = ty.filter(|&t| matches!(cx.prog.ty(t).ty, Ty::Map(_)));
            Ok((eval(cx, scope, e)?, ty))
        }
        ExprKind::If(c, t, f) => match eval(cx, scope, c)? {
            Value::Bool(true) => eval_typed(cx, scope, t),
            Value::Bool(false) => eval_typed(cx, scope, f),
            // Not a bool: `eval` reports it once (the condition evaluated
            // without error and evaluates again to the same value).
            _ => Ok((eval(cx, scope, e)?, None)),
        },
        ExprKind::Binary(BinaryOp::Add, l, r) => {
            let (lv, lt) = eval_typed(cx, scope, l)?;
            let (rv, rt) = eval_typed(cx, scope, r)?;
            // Concatenated items keep a declared type only when both lists
            // declare the same one: an untyped literal's objects stay strict.
            let both_lists = matches!((&lv, &rv), (Value::List(_), Value::List(_)));
            let ty = (both_lists && same_ty(cx, item_ty(cx, lt), item_ty(cx, rt)))
                .then_some(lt)
                .flatten();
            let v = binary(lv, BinaryOp::Add, rv).map_err(|(code, msg)| {
                cx.fail(scope.cid(), Diagnostic::error(code, e.span, msg))
            })?;
            Ok((v, ty))
        }
        ExprKind::ListComp(elem, comp) => {
            super::super::comprehension::list_typed(cx, scope, elem, comp)
        }
        _ => Ok((eval(cx, scope, e)?, None)),
    }
}

/// Whether `a` and `b` are one declared type: the same id, or the same
/// schema (each field of type `list[Replica]` has its own type id).
fn same_ty(cx: &Ctx<'_, '_>, a: Option<TyId>, b: Option<TyId>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    let (ta, tb) = (cx.prog.ty(a), cx.prog.ty(b));
    a == b
        || matches!((&ta.ty, &tb.ty), (Ty::Object(x), Ty::Object(y)) if x == y && ta.optional == tb.optional)
}

/// `base[idx]` with the item's declared type (an absent optional field
/// read as `obj["w"]` is `null`, like `obj.w`).
pub(super) fn typed_index<'s, 'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'s, 'a>,
    base: &crate::ast::Expr,
    idx: &crate::ast::Expr,
    span: crate::source::Span,
) -> EvalResult<Place<'s, 'a>> {
    let (b, bty) = eval_typed(cx, scope, base)?;
    let i = eval(cx, scope, idx)?;
    let b = match (b, &i) {
        (Value::Object(mut m), Value::Str(k)) if bty.is_some() => {
            match typed_field(cx, bty, &mut m, k) {
                Some((v, ty)) => return Ok(Place::Val(v, ty)),
                None => Value::Object(m),
            }
        }
        (b, _) => b,
    };
    let ty = match &b {
        Value::List(_) => item_ty(cx, bty),
        _ => None,
    };
    Ok(Place::Val(index(cx, scope.cid(), b, i, span)?, ty))
}
