//! Expressions: literals, names and paths, operators, `if`, interpolation.

use std::ops::Deref;
use std::rc::Rc;
use std::sync::Arc;

use crate::ast::{AssignOp, BinaryOp, CmpOp, Expr, ExprKind, Key, Name, Stmt, StrPart, UnaryOp};
use crate::diagnostics::{Code, Diagnostic};
use crate::merge::{NodeId, Slot, ROOT};
use crate::resolve::{ConfigId, Item};
use crate::source::Span;
use crate::suggest;

use super::value::Fields;
use super::value::{format_duration, format_float};
use super::{
    builtins, comprehension, ConfigEval, Ctx, EvalResult, Fail, Value, MAX_LIST_LEN,
    MAX_STRING_BYTES,
};

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
        ce: &'s ConfigEval<'a>,
    },
    /// Comprehension variables (LANGUAGE.md §9.6), shadowing `outer`.
    Bind {
        names: Vec<(Name, Value)>,
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
    Val(Value),
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
        ExprKind::Name(_) | ExprKind::SelfRef | ExprKind::Field(..) => {
            let place = place(cx, scope, e)?;
            read(cx, scope, place, e.span)
        }
        ExprKind::Index(base, idx) => {
            let b = eval(cx, scope, base)?;
            let i = eval(cx, scope, idx)?;
            index(cx, cid, b, i, e.span)
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
        Place::Val(v) => Ok(v),
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
        _ => Ok(Place::Val(eval(cx, scope, e)?)),
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
        Scope::Value { obj, .. } => {
            if let Some(v) = obj.get(name) {
                return Ok(Place::Val(v.clone()));
            }
            visible.extend(obj.keys().cloned());
        }
        Scope::Bind { names, outer } => {
            if let Some((_, v)) = names.iter().find(|(n, _)| n == name) {
                return Ok(Place::Val(v.clone()));
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
        return Ok(Place::Val(envs(cx)));
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

fn field<'s, 'a>(
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
                        format!("config `{}`", cx.prog.configs[c.0 as usize].name),
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

fn value_field<'s, 'a>(
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

fn object_literal<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    stmts: &[Stmt],
    obj: &mut Fields,
) -> EvalResult<()> {
    for stmt in stmts {
        match stmt {
            Stmt::Assign(a) => {
                let v = eval(cx, scope, &a.value)?;
                let target = nested(cx, scope, obj, &a.path.keys)?;
                let merged = match (a.op, std::mem::take(target)) {
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

/// The slot for `keys` inside `obj`, creating objects on the way.
fn nested<'o>(
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

fn interpolate<'a>(cx: &Ctx<'_, 'a>, scope: &Scope<'_, 'a>, parts: &[StrPart]) -> EvalResult {
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

fn parts_span(parts: &[StrPart]) -> Span {
    parts
        .iter()
        .find_map(|p| match p {
            StrPart::Expr(e) => Some(e.span),
            StrPart::Lit(_) => None,
        })
        .unwrap_or_default()
}

fn index(cx: &Ctx<'_, '_>, cid: ConfigId, base: Value, idx: Value, span: Span) -> EvalResult {
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

fn unary(cx: &Ctx<'_, '_>, cid: ConfigId, op: UnaryOp, v: Value, span: Span) -> EvalResult {
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

fn overflow(span: Span) -> Diagnostic {
    err(Code::Arithmetic, span, "integer overflow")
        .with_help("integers are 64-bit signed; the result does not fit")
}

fn binary_expr<'a>(
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

fn num(v: &Value) -> Option<f64> {
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

fn finite(f: f64) -> OpResult {
    if f.is_finite() {
        Ok(Value::Float(f))
    } else {
        Err((Code::Arithmetic, "the result is not a finite number".into()))
    }
}

fn ovf() -> (Code, String) {
    (
        Code::Arithmetic,
        "integer overflow: the result does not fit in 64 bits".into(),
    )
}

fn arith(l: Value, op: BinaryOp, r: Value) -> OpResult {
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

fn scale(ns: i64, by: f64, divide: bool) -> OpResult {
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
