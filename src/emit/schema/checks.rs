//! Simple schema `check`s as JSON Schema: comparisons of a field with a
//! literal, combined with `and`, `or`, `not`, `in [literals]` and
//! `if … then … else …`. `check a == "x" or b <= 64` becomes
//! `{"if": <a is not "x">, "then": <b <= 64>}`.
//!
//! A check is translated only when the schema means exactly what mcfg
//! evaluates, which needs every field it reads to be known:
//!
//! - the field is named by a bare name or `self.` path through non-optional
//!   object fields of the schema;
//! - `==`, `!=` and `in` compare with literals of the field's own type (an
//!   optional field read while absent is `null`, which no such literal
//!   equals, so "absent" and "null" both fail the comparison — as `required`
//!   plus `const` do), or with `null`;
//! - `<`, `<=`, `>`, `>=` compare a non-optional number or duration with a
//!   number or duration literal.
//!
//! Anything else stays in the object's `$comment`.

use serde_json::{json, Map, Value as Json};

use crate::ast::{BinaryOp, CmpOp, Expr, ExprKind, UnaryOp};
use crate::eval::value::duration_json;
use crate::resolve::Program;
use crate::types::{Lit, ObjId, Ty, TyId};

/// The JSON Schema of `cond` read in an object of type `obj`, or `None` when
/// it has no exact translation.
pub fn check(prog: &Program<'_>, obj: ObjId, cond: &Expr) -> Option<Json> {
    let cx = Cx { prog, obj };
    match &cond.kind {
        ExprKind::Binary(BinaryOp::Or, a, b) => {
            Some(json!({"if": cx.negated(a)?, "then": cx.cond(b)?}))
        }
        _ => cx.cond(cond),
    }
}

struct Cx<'p, 'a> {
    prog: &'p Program<'a>,
    obj: ObjId,
}

/// A literal of a check, in artifact form, with its kind.
enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Duration(i64),
}

impl Literal {
    fn of(e: &Expr) -> Option<Literal> {
        Some(match &e.kind {
            ExprKind::Null => Literal::Null,
            ExprKind::Bool(b) => Literal::Bool(*b),
            ExprKind::Int(i) => Literal::Int(*i),
            ExprKind::Float(f) => Literal::Float(*f),
            ExprKind::Str(s) => Literal::Str(s.to_string()),
            ExprKind::Duration(ns) => Literal::Duration(*ns),
            ExprKind::Unary(UnaryOp::Neg, inner) => match inner.kind {
                ExprKind::Int(i) => Literal::Int(i.checked_neg()?),
                ExprKind::Float(f) => Literal::Float(-f),
                ExprKind::Duration(ns) => Literal::Duration(ns.checked_neg()?),
                _ => return None,
            },
            _ => return None,
        })
    }

    fn json(&self) -> Json {
        match self {
            Literal::Null => Json::Null,
            Literal::Bool(b) => (*b).into(),
            Literal::Int(i) => (*i).into(),
            Literal::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Literal::Str(s) => s.clone().into(),
            Literal::Duration(ns) => duration_json(*ns),
        }
    }

    fn ordered(&self) -> bool {
        matches!(
            self,
            Literal::Int(_) | Literal::Float(_) | Literal::Duration(_)
        )
    }
}

impl Cx<'_, '_> {
    fn cond(&self, e: &Expr) -> Option<Json> {
        match &e.kind {
            ExprKind::Bool(true) => Some(json!(true)),
            ExprKind::Bool(false) => Some(json!(false)),
            ExprKind::Binary(BinaryOp::Or, a, b) => {
                Some(json!({"anyOf": [self.cond(a)?, self.cond(b)?]}))
            }
            ExprKind::Binary(BinaryOp::And, a, b) => {
                Some(json!({"allOf": [self.cond(a)?, self.cond(b)?]}))
            }
            ExprKind::Unary(UnaryOp::Not, a) => self.negated(a),
            ExprKind::If(c, a, b) => Some(json!({
                "if": self.cond(c)?, "then": self.cond(a)?, "else": self.cond(b)?,
            })),
            ExprKind::Binary(BinaryOp::Cmp(op), l, r) => self.compare(l, *op, r),
            ExprKind::Binary(BinaryOp::In, l, r) => {
                let ExprKind::List(items) = &r.kind else {
                    return None;
                };
                let (path, ty) = self.path(l)?;
                let values = items
                    .iter()
                    .map(|i| Literal::of(i).filter(|lit| self.equatable(ty, lit)))
                    .collect::<Option<Vec<_>>>()?;
                let values: Vec<Json> = values.iter().map(Literal::json).collect();
                Some(at(&path, json!({ "enum": values }), true))
            }
            _ => {
                // A bool field on its own.
                let (path, ty) = self.path(e)?;
                let t = self.prog.ty(ty);
                (matches!(t.ty, Ty::Bool) && !t.optional)
                    .then(|| at(&path, json!({"const": true}), true))
            }
        }
    }

    /// The schema of `not e`, simplified for comparisons.
    fn negated(&self, e: &Expr) -> Option<Json> {
        match &e.kind {
            ExprKind::Unary(UnaryOp::Not, a) => self.cond(a),
            ExprKind::Binary(BinaryOp::Cmp(op), l, r) => self.compare(l, negate(*op), r),
            _ => Some(json!({"not": self.cond(e)?})),
        }
    }

    fn compare(&self, l: &Expr, op: CmpOp, r: &Expr) -> Option<Json> {
        let (field, op, lit) = match (Literal::of(l), Literal::of(r)) {
            (None, Some(lit)) => (l, op, lit),
            (Some(lit), None) => (r, flip(op), lit),
            _ => return None,
        };
        let (path, ty) = self.path(field)?;
        let t = self.prog.ty(ty);
        let keyword = match op {
            CmpOp::Eq | CmpOp::Ne => {
                if matches!(lit, Literal::Null) {
                    // Absent reads as null: no `required`.
                    let s = at(&path, json!({"const": null}), false);
                    return Some(if op == CmpOp::Eq {
                        s
                    } else {
                        json!({"not": s})
                    });
                }
                if !self.equatable(ty, &lit) {
                    return None;
                }
                let s = at(&path, json!({"const": lit.json()}), true);
                return Some(if op == CmpOp::Eq {
                    s
                } else {
                    json!({"not": s})
                });
            }
            CmpOp::Lt => "exclusiveMaximum",
            CmpOp::Le => "maximum",
            CmpOp::Gt => "exclusiveMinimum",
            CmpOp::Ge => "minimum",
        };
        let fits = matches!(
            (&t.ty, &lit),
            (Ty::Int | Ty::Float, Literal::Int(_) | Literal::Float(_))
                | (Ty::Duration, Literal::Duration(_))
        );
        (fits && lit.ordered() && !t.optional).then(|| {
            // `type` restates what the field's schema says, for ajv's strictTypes.
            let mut m = Map::new();
            m.insert("type".into(), "number".into());
            m.insert(keyword.into(), lit.json());
            at(&path, Json::Object(m), true)
        })
    }

    /// Whether mcfg's `==` between a value of `ty` and `lit` is JSON equality.
    fn equatable(&self, ty: TyId, lit: &Literal) -> bool {
        let t = &self.prog.ty(ty).ty;
        match (t, lit) {
            (Ty::Bool, Literal::Bool(_))
            | (Ty::Int, Literal::Int(_))
            | (Ty::Float, Literal::Float(_))
            | (Ty::Str, Literal::Str(_))
            | (Ty::Duration, Literal::Duration(_)) => true,
            (Ty::Union(lits), _) => lits.iter().all(|l| {
                matches!(
                    (l, lit),
                    (Lit::Str(_), Literal::Str(_))
                        | (Lit::Bool(_), Literal::Bool(_))
                        | (Lit::Int(_), Literal::Int(_))
                        | (Lit::Float(_), Literal::Float(_))
                        | (Lit::Duration(_), Literal::Duration(_))
                )
            }),
            _ => false,
        }
    }

    /// The field path `e` names and the field's type.
    fn path(&self, e: &Expr) -> Option<(Vec<String>, TyId)> {
        let (mut names, first): (Vec<&str>, &str) = match &e.kind {
            ExprKind::Name(n) => (Vec::new(), n),
            ExprKind::Field(..) => {
                let mut keys = Vec::new();
                let mut cur = e;
                while let ExprKind::Field(base, key) = &cur.kind {
                    keys.push(&*key.name);
                    cur = base;
                }
                keys.reverse();
                match &cur.kind {
                    ExprKind::SelfRef => {
                        let first = keys.remove(0);
                        (keys, first)
                    }
                    ExprKind::Name(n) => (keys, n),
                    _ => return None,
                }
            }
            _ => return None,
        };
        names.insert(0, first);
        let mut obj = self.obj;
        let mut path = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let field = self.prog.obj(obj).fields.get(*name)?;
            path.push((*name).to_owned());
            if i + 1 == names.len() {
                return Some((path, field.ty));
            }
            let t = self.prog.ty(field.ty);
            match t.ty {
                Ty::Object(o) if !t.optional => obj = o,
                _ => return None,
            }
        }
        None
    }
}

/// `{"type": "object", "properties": {p0: {... {pn: leaf}}}, "required": [...]}`.
fn at(path: &[String], leaf: Json, required: bool) -> Json {
    path.iter()
        .rev()
        .enumerate()
        .fold(leaf, |inner, (i, name)| {
            let mut m = Map::new();
            m.insert("type".into(), "object".into());
            m.insert("properties".into(), json!({ name.as_str(): inner }));
            // Intermediate objects are non-optional: always present.
            if required || i > 0 {
                m.insert("required".into(), json!([name]));
            }
            Json::Object(m)
        })
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Ge => CmpOp::Lt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Le => CmpOp::Gt,
    }
}

/// `lit OP field` as `field OP' lit`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Eq | CmpOp::Ne => op,
    }
}
