//! Expressions: literals, names and paths, `if`, `is`; field access,
//! object literals and interpolation in `expr/access.rs`, operators in
//! `expr/ops.rs`, comprehensions in `comprehension.rs`.

mod access;
mod ops;
mod typed;

use std::ops::Deref;
use std::rc::Rc;

use access::{field, index, interpolate, object_literal};
pub use ops::{binary, compare, contains, equal};
use ops::{binary_expr, unary};
pub(super) use typed::{declared_field, eval_typed, item_ty};

use crate::ast::{Expr, ExprKind, Name};
use crate::diagnostics::{Code, Diagnostic};
use crate::merge::{NodeId, Slot, ROOT};
use crate::resolve::{ConfigId, Item};
use crate::source::Span;
use crate::suggest;
use crate::types::{ObjId, TyId};

use super::value::Fields;
use super::{builtins, comprehension, ConfigEval, Ctx, EvalResult, Fail, Value};

/// A config evaluator, borrowed from the caller or owned through the context.
#[derive(Debug, Clone)]
pub enum Ev<'s, 'a> {
    Borrowed(&'s ConfigEval<'a>),
    Owned(Rc<ConfigEval<'a>>),
}

impl<'a> Deref for Ev<'_, 'a> {
    type Target = ConfigEval<'a>;
    fn deref(&self) -> &ConfigEval<'a> {
        match self {
            Ev::Borrowed(ce) => ce,
            Ev::Owned(ce) => ce,
        }
    }
}

/// Where bare names are looked up.
#[derive(Debug)]
pub enum Scope<'s, 'a> {
    /// An object node of a config: its fields, then outward to the root.
    Node {
        ce: &'s ConfigEval<'a>,
        node: NodeId,
    },
    /// An object value (a list element being checked); `self` is still `ce`'s root.
    Value {
        obj: &'s Fields,
        /// The object type `obj` was checked against: its absent optional
        /// fields read as `null`.
        ty: Option<ObjId>,
        ce: &'s ConfigEval<'a>,
    },
    /// Comprehension variables (LANGUAGE.md §9.6), shadowing `outer`, each
    /// with the declared type of the item it is bound to.
    Bind {
        names: Vec<(Name, Value, Option<TyId>)>,
        outer: &'s Scope<'s, 'a>,
    },
}

impl<'s, 'a> Scope<'s, 'a> {
    fn ce(&self) -> &'s ConfigEval<'a> {
        match self {
            Scope::Node { ce, .. } | Scope::Value { ce, .. } => ce,
            Scope::Bind { outer, .. } => outer.ce(),
        }
    }

    /// The config being evaluated.
    pub fn cid(&self) -> ConfigId {
        self.ce().cid
    }
}

/// What a name or path denotes before it is read.
#[derive(Debug)]
enum Place<'s, 'a> {
    Node(Ev<'s, 'a>, NodeId),
    Config(ConfigId),
    Module(crate::source::FileId),
    /// A value, with its declared type when it was read from a typed place.
    Val(Value, Option<TyId>),
}

impl Place<'_, '_> {
    /// The declared type of what this place holds, if known.
    fn ty(&self) -> Option<TyId> {
        match self {
            Place::Node(ev, n) => ev.layers.node(*n).ty,
            Place::Val(_, ty) => *ty,
            Place::Config(_) | Place::Module(_) => None,
        }
    }
}

fn err(code: Code, span: Span, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, span, msg)
}

/// Evaluates `e` in `scope`.
pub fn eval<'a>(cx: &Ctx<'_, 'a>, scope: &Scope<'_, 'a>, e: &Expr) -> EvalResult {
    let cid = scope.ce().cid;
    cx.tick(cid, e.span)?;
    match &e.kind {
        ExprKind::Null => Ok(Value::Null),
        ExprKind::Bool(b) => Ok(Value::Bool(*b)),
        ExprKind::Int(i) => Ok(Value::Int(*i)),
        ExprKind::Float(f) => Ok(Value::Float(*f)),
        ExprKind::Str(s) => Ok(Value::Str(s.clone())),
        ExprKind::Duration(ns) => Ok(Value::Duration(*ns)),
        ExprKind::Interp(parts) => interpolate(cx, scope, parts),
        ExprKind::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(eval(cx, scope, item)?);
            }
            Ok(Value::List(out))
        }
        ExprKind::Object(stmts) => {
            let mut obj = Fields::default();
            object_literal(cx, scope, stmts, &mut obj)?;
            Ok(Value::Object(obj))
        }
        ExprKind::EnvRef => Ok(cx.env_name().map_or(Value::Null, Value::str)),
        ExprKind::Name(_) | ExprKind::SelfRef | ExprKind::Field(..) | ExprKind::Index(..) => {
            let place = place(cx, scope, e)?;
            read(cx, scope, place, e.span)
        }
        ExprKind::Call(name, args) => builtins::call(cx, scope, name, args, e.span),
        ExprKind::Unary(op, inner) => {
            let v = eval(cx, scope, inner)?;
            unary(cx, cid, *op, v, e.span)
        }
        ExprKind::Binary(op, l, r) => binary_expr(cx, scope, *op, l, r, e.span),
        ExprKind::If(c, t, f) => match eval(cx, scope, c)? {
            Value::Bool(true) => eval(cx, scope, t),
            Value::Bool(false) => eval(cx, scope, f),
            other => Err(cx.fail(
                cid,
                err(
                    Code::TypeMismatch,
                    c.span,
                    format!("`if` needs a bool condition, found {}", other.type_name()),
                ),
            )),
        },
        ExprKind::Is(inner, ty) => {
            let v = eval(cx, scope, inner)?;
            Ok(Value::Bool(super::coerce::is(cx, scope.ce(), &v, ty)))
        }
        ExprKind::Quant(all, comp, cond) => comprehension::quant(cx, scope, *all, comp, cond),
        ExprKind::ListComp(elem, comp) => comprehension::list(cx, scope, elem, comp),
        ExprKind::MapComp(key, value, comp) => {
            comprehension::map(cx, scope, key, value, comp, e.span)
        }
    }
}

/// `envs`: the current environment and its ancestors, root first
/// (LANGUAGE.md §9.5); empty in a build without environments.
fn envs(cx: &Ctx<'_, '_>) -> Value {
    let mut chain = Vec::new();
    let mut cur = cx.env;
    // Bounded: inheritance cycles are reported (and cut) by `resolve`.
    while let Some(e) = cur {
        if chain.len() > cx.prog.envs.len() {
            break;
        }
        chain.push(Value::Str(cx.prog.envs[e].name.clone()));
        cur = cx.prog.envs[e].parent;
    }
    chain.reverse();
    Value::List(chain)
}

fn read<'s, 'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'s, 'a>,
    place: Place<'s, 'a>,
    span: Span,
) -> EvalResult {
    match place {
        Place::Node(ev, n) => cx.force(&ev, n, span),
        Place::Config(c) => {
            let ce = cx.config(c);
            cx.force(&ce, ROOT, span)
        }
        Place::Module(_) => Err(cx.fail(
            scope.ce().cid,
            err(Code::TypeMismatch, span, "an import alias is not a value")
                .with_help("read a config through it: `alias.config.field`"),
        )),
        Place::Val(v, _) => Ok(v),
    }
}

fn place<'s, 'a>(cx: &Ctx<'_, 'a>, scope: &Scope<'s, 'a>, e: &Expr) -> EvalResult<Place<'s, 'a>> {
    match &e.kind {
        ExprKind::Name(name) => lookup(cx, scope, name, e.span),
        ExprKind::SelfRef => Ok(Place::Node(Ev::Borrowed(scope.ce()), ROOT)),
        ExprKind::Field(base, key) => {
            let p = place(cx, scope, base)?;
            field(cx, scope, p, key, base)
        }
        ExprKind::Index(base, idx) => typed::typed_index(cx, scope, base, idx, e.span),
        _ => Ok(Place::Val(eval(cx, scope, e)?, None)),
    }
}

fn lookup<'s, 'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'s, 'a>,
    name: &Name,
    span: Span,
) -> EvalResult<Place<'s, 'a>> {
    let mut visible: Vec<Name> = Vec::new();
    match scope {
        Scope::Node { ce, node } => {
            let mut cur = *node;
            loop {
                if let Slot::Obj(children) = &ce.layers.node(cur).slot {
                    if let Some(&c) = children.get(name) {
                        return Ok(Place::Node(Ev::Borrowed(ce), c));
                    }
                    visible.extend(children.keys().cloned());
                }
                if cur == ROOT {
                    break;
                }
                cur = ce.layers.node(cur).parent;
            }
        }
        Scope::Value { obj, ty, .. } => {
            let field = ty.and_then(|o| cx.prog.obj(o).fields.get(name));
            if let Some(v) = obj.get(name) {
                return Ok(Place::Val(v.clone(), field.map(|f| f.ty)));
            }
            // Absent, read as `null` (LANGUAGE.md §9.1).
            if let Some(f) = field.filter(|f| cx.prog.ty(f.ty).optional) {
                return Ok(Place::Val(Value::Null, Some(f.ty)));
            }
            visible.extend(obj.keys().cloned());
        }
        Scope::Bind { names, outer } => {
            if let Some((_, v, ty)) = names.iter().find(|(n, ..)| n == name) {
                return Ok(Place::Val(v.clone(), *ty));
            }
            return lookup(cx, outer, name, span);
        }
    }
    let file_scope = &cx.prog.scopes[span.file.0 as usize];
    match file_scope.get(name).map(|(item, _)| *item) {
        Some(Item::Config(c)) => return Ok(Place::Config(c)),
        Some(Item::Module(f)) => return Ok(Place::Module(f)),
        Some(Item::Schema(_) | Item::Alias(_)) => {
            return Err(cx.fail(
                scope.ce().cid,
                err(
                    Code::TypeMismatch,
                    span,
                    format!("`{name}` is a type, not a value"),
                ),
            ));
        }
        None => {}
    }
    if &**name == "envs" {
        return Ok(Place::Val(envs(cx), None));
    }
    if cx.prog.lookup_is_follow_on(span.file, [&**name]) {
        return Err(Fail);
    }
    visible.extend(file_scope.keys().cloned());
    let mut d = err(Code::UnresolvedName, span, format!("cannot find `{name}`"));
    if let Some(s) = suggest::closest(name, visible.iter().map(|k| &**k)) {
        d = d.with_help(format!("did you mean `{s}`?"));
    } else {
        d = d.with_help("names are fields of the enclosing objects, configs, or import aliases; `self.a.b` reads from the config root");
    }
    Err(cx.fail(scope.ce().cid, d))
}

/// The computed operands that decide a failed condition, for its help line
/// (`sum(values(traffic))` = 90): calls and arithmetic with a scalar value,
/// outermost first, at most three. Only sub-expressions the condition
/// itself evaluated are visited (`and`/`or`/`if` follow their short
/// circuit; comprehension bodies are not entered), so this reports nothing
/// new.
pub fn deciding_operands<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    cond: &Expr,
) -> Vec<(Span, Value)> {
    fn walk<'a>(cx: &Ctx<'_, 'a>, scope: &Scope<'_, 'a>, e: &Expr, out: &mut Vec<(Span, Value)>) {
        use crate::ast::BinaryOp;
        if out.len() >= 3 {
            return;
        }
        match &e.kind {
            ExprKind::Binary(BinaryOp::And | BinaryOp::Or, l, r) => {
                walk(cx, scope, l, out);
                let go_on = matches!(
                    (&e.kind, eval(cx, scope, l)),
                    (ExprKind::Binary(BinaryOp::And, ..), Ok(Value::Bool(true)))
                        | (ExprKind::Binary(BinaryOp::Or, ..), Ok(Value::Bool(false)))
                );
                if go_on {
                    walk(cx, scope, r, out);
                }
            }
            ExprKind::Binary(op, l, r) => {
                if !matches!(op, BinaryOp::Cmp(_) | BinaryOp::In) {
                    shown(cx, scope, e, out);
                }
                walk(cx, scope, l, out);
                walk(cx, scope, r, out);
            }
            ExprKind::Call(_, args) => {
                shown(cx, scope, e, out);
                args.iter().for_each(|a| walk(cx, scope, a, out));
            }
            ExprKind::Unary(_, inner) | ExprKind::Is(inner, _) => walk(cx, scope, inner, out),
            ExprKind::If(c, t, f) => {
                walk(cx, scope, c, out);
                match eval(cx, scope, c) {
                    Ok(Value::Bool(true)) => walk(cx, scope, t, out),
                    Ok(Value::Bool(false)) => walk(cx, scope, f, out),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    fn shown<'a>(cx: &Ctx<'_, 'a>, scope: &Scope<'_, 'a>, e: &Expr, out: &mut Vec<(Span, Value)>) {
        if out.len() >= 3 {
            return;
        }
        if let Ok(v @ (Value::Int(_) | Value::Float(_) | Value::Duration(_) | Value::Str(_))) =
            eval(cx, scope, e)
        {
            out.push((e.span, v));
        }
    }
    let mut out = Vec::new();
    walk(cx, scope, cond, &mut out);
    out
}
