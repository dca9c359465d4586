//! Type checking of values against declared types (LANGUAGE.md §3): shape,
//! literal unions, refinements, secrets, and int-to-float widening. Objects
//! that come from expressions (list elements of a schema type) get their
//! defaults and `check`s here too.

use crate::ast::{Expr, ExprKind, Name, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::merge::NodeId;
use crate::source::Span;
use crate::types::{Lit, PredKind, Ty, TyId};

mod is;
mod object;

pub use is::is;

use super::expr::{compare, equal};
use super::{ConfigEval, Ctx, EvalResult, Value};

/// A step into a value: list index or object key.
#[derive(Debug, Clone)]
enum Seg {
    Index(usize),
    Key(Name),
}

#[derive(Debug)]
struct Problem {
    code: Code,
    message: String,
    help: Option<String>,
    label: Option<(Span, String)>,
    path: Vec<Seg>,
}

struct Checker<'c, 'p, 'a> {
    cx: &'c Ctx<'p, 'a>,
    ce: &'c ConfigEval<'a>,
    /// The node being checked (its path is computed only for messages).
    node: NodeId,
    path: Vec<Seg>,
    problems: Vec<Problem>,
}

/// Checks and coerces the value of leaf `id` against its declared type `ty`.
pub fn coerce_leaf<'a>(
    cx: &Ctx<'_, 'a>,
    ce: &ConfigEval<'a>,
    id: NodeId,
    value: Value,
    ty: TyId,
) -> EvalResult {
    let mut ck = Checker {
        cx,
        ce,
        node: id,
        path: Vec::new(),
        problems: Vec::new(),
    };
    let out = ck.check(value, ty);
    if ck.problems.is_empty() {
        return Ok(out);
    }
    let steps = ce.layers.effective_steps(id);
    let expr = steps.last().map(|s| s.expr);
    let origin = steps.last().map(|s| origin_text(cx, s.origin, s.expr.span));
    for p in ck.problems {
        let span = expr.map_or(Span::default(), |e| locate(e, &p.path));
        let mut d = Diagnostic::error(p.code, span, p.message);
        if let Some(o) = &origin {
            d = d.with_primary_message(o.clone());
        }
        if let Some((s, m)) = p.label {
            d = d.with_label(s, m);
        }
        if let Some(h) = p.help {
            d = d.with_help(h);
        }
        cx.report(ce.cid, d);
    }
    Err(super::Fail)
}

/// Where the holding step was written, for the primary label:
/// "set in `env prod` of `base`", "set in `svc`", "the schema default".
fn origin_text(cx: &Ctx<'_, '_>, origin: crate::merge::Origin, at: Span) -> String {
    match origin {
        crate::merge::Origin::Schema(_) => "the schema default".to_owned(),
        crate::merge::Origin::Update => "set by this update".to_owned(),
        // A sweep's values live in its pseudo-files `--sweep[N]`.
        crate::merge::Origin::Override(_)
            if cx
                .prog
                .project
                .sources
                .get(at.file)
                .name
                .starts_with("--sweep") =>
        {
            "set by `--sweep`".to_owned()
        }
        crate::merge::Origin::Override(_) => "set by `--set`".to_owned(),
        crate::merge::Origin::Config { config, env } => {
            let name = &cx.prog.configs[config].name;
            match env {
                Some(e) => format!("set in `env {}` of `{name}`", cx.prog.envs[e].name),
                None => format!("set in `{name}`"),
            }
        }
    }
}

/// The span of the sub-expression of `e` that wrote the value at `path`, when literal.
fn locate(e: &Expr, path: &[Seg]) -> Span {
    let Some((first, rest)) = path.split_first() else {
        return e.span;
    };
    match (&e.kind, first) {
        (ExprKind::List(items), Seg::Index(i)) => {
            items.get(*i).map_or(e.span, |item| locate(item, rest))
        }
        (ExprKind::Object(stmts), Seg::Key(k)) => stmts
            .iter()
            .find_map(|s| match s {
                Stmt::Assign(a) if a.path.keys.len() == 1 && a.path.keys[0].name == *k => {
                    Some(locate(&a.value, rest))
                }
                _ => None,
            })
            .unwrap_or(e.span),
        _ => e.span,
    }
}

impl<'a> Checker<'_, '_, 'a> {
    fn where_(&self) -> String {
        let mut s = self
            .ce
            .layers
            .path_of(self.node)
            .iter()
            .map(|k| &**k)
            .collect::<Vec<_>>()
            .join(".");
        for seg in &self.path {
            match seg {
                Seg::Index(i) => s.push_str(&format!("[{i}]")),
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
            }
        }
        s
    }

    fn problem(
        &mut self,
        code: Code,
        message: String,
        help: Option<String>,
        label: Option<(Span, String)>,
    ) {
        self.problems.push(Problem {
            code,
            message,
            help,
            label,
            path: self.path.clone(),
        });
    }

    fn mismatch(&mut self, ty: TyId, found: &Value) {
        let prog = self.cx.prog;
        let t = prog.ty(ty);
        let expected = prog.ty_name(ty);
        let shown = if matches!(
            found,
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Duration(_)
        ) {
            format!("{} {}", found.type_name(), found.short())
        } else {
            found.type_name().to_owned()
        };
        let help = match (&t.ty, found) {
            (Ty::Duration, Value::Int(_) | Value::Float(_)) => {
                Some("write a duration with a unit: `200ms`, `30s`, `5m`".to_owned())
            }
            (Ty::Int, Value::Float(_)) => Some(
                "an int field takes whole numbers; use `round(x)` or declare it `float`".to_owned(),
            ),
            (Ty::Union(_), _) => Some(format!("allowed values: {expected}")),
            (Ty::AnyOf(_), _) => Some(format!(
                "the value fits none of the members of `{expected}` (refinements included)"
            )),
            _ => None,
        };
        let msg = format!("`{}` expects {expected}, found {shown}", self.where_());
        self.problem(
            Code::TypeMismatch,
            msg,
            help,
            Some((t.span, format!("type `{expected}` declared here"))),
        );
    }

    fn check(&mut self, v: Value, ty: TyId) -> Value {
        let prog = self.cx.prog;
        let t = prog.ty(ty);
        if let Value::Null = v {
            if t.optional || matches!(t.ty, Ty::Any | Ty::Error) {
                return v;
            }
            self.mismatch(ty, &v);
            return v;
        }
        let out = match (&t.ty, v) {
            (Ty::Any | Ty::Error, v) => v,
            (Ty::Bool, v @ Value::Bool(_))
            | (Ty::Int, v @ Value::Int(_))
            | (Ty::Float, v @ Value::Float(_))
            | (Ty::Str, v @ Value::Str(_))
            | (Ty::Duration, v @ Value::Duration(_))
            | (Ty::Secret, v @ Value::Secret(_)) => v,
            (Ty::Float, Value::Int(i)) => Value::Float(i as f64),
            (Ty::Secret, v) => {
                let msg = format!(
                    "`{}` is a secret field; it takes only `secret(\"reference\")`",
                    self.where_()
                );
                // LANGUAGE.md §8: a secret field given anything but
                // `secret("...")` is `mcfg::secret-literal`, whatever it is.
                let code = Code::SecretLiteral;
                let help = Some(
                    "store the value in a secret manager and write `secret(\"vault:path#key\")`"
                        .to_owned(),
                );
                self.problem(
                    code,
                    msg,
                    help,
                    Some((t.span, "secret type declared here".to_owned())),
                );
                // A value of the wrong type is one mistake: its refinements
                // are not run as well.
                return v;
            }
            (Ty::List(elem), Value::List(items)) => {
                let elem = *elem;
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    out.push(self.check(item, elem));
                    self.path.pop();
                }
                Value::List(out)
            }
            (Ty::Map(elem), Value::Object(m)) => {
                let elem = *elem;
                let mut out = crate::map::with_capacity(m.len());
                for (k, item) in m {
                    self.path.push(Seg::Key(k.clone()));
                    let c = self.check(item, elem);
                    self.path.pop();
                    out.insert(k, c);
                }
                Value::Object(out)
            }
            (Ty::Union(lits), v) => {
                if !lits.iter().any(|l| lit_eq(l, &v)) {
                    self.mismatch(ty, &v);
                    return v;
                }
                v
            }
            (Ty::AnyOf(members), Value::Object(m)) if prog.tags.contains_key(&ty) => {
                return self.tagged(ty, members, m);
            }
            (Ty::AnyOf(members), v) => match self.first_fit(members, v) {
                Ok(v) => v,
                Err(v) => {
                    self.mismatch(ty, &v);
                    return v;
                }
            },
            (Ty::Object(obj), Value::Object(m)) => self.object(*obj, m),
            (_, v) => {
                self.mismatch(ty, &v);
                return v;
            }
        };
        self.preds(ty, &out);
        out
    }

    fn preds(&mut self, ty: TyId, v: &Value) {
        let prog = self.cx.prog;
        for pred in &prog.ty(ty).preds {
            if let Some(msg) = pred_failure(&pred.kind, v) {
                let msg = format!("`{}` = {} {msg}", self.where_(), v.short());
                let help = Some(format!("`{}` must satisfy `{}`", self.where_(), pred.kind));
                self.problem(
                    Code::Constraint,
                    msg,
                    help,
                    Some((pred.span, "constraint declared here".to_owned())),
                );
            }
        }
    }
}

fn lit_value(l: &Lit) -> Value {
    match l {
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Int(i) => Value::Int(*i),
        Lit::Float(f) => Value::Float(*f),
        Lit::Str(s) => Value::Str(s.clone()),
        Lit::Duration(d) => Value::Duration(*d),
    }
}

fn lit_eq(l: &Lit, v: &Value) -> bool {
    equal(&lit_value(l), v)
}

/// Why `v` fails predicate `p` ("is not <= 512"), or `None` when it holds.
pub fn pred_failure(p: &PredKind, v: &Value) -> Option<String> {
    match p {
        PredKind::Compare(op, lit) => {
            if matches!(v, Value::Null) {
                return None;
            }
            let mut rhs = lit_value(lit);
            if let (Value::Duration(_), Value::Int(i)) = (v, &rhs) {
                rhs = Value::Duration(i.saturating_mul(super::value::NANOS_PER_SEC));
            }
            match compare(v, *op, &rhs) {
                Ok(true) => None,
                Ok(false) | Err(_) => Some(format!("is not {} {lit}", op.as_str())),
            }
        }
        PredKind::Len(op, n) => {
            let len = match v {
                Value::Str(s) => s.chars().count(),
                Value::List(l) => l.len(),
                Value::Object(m) => m.len(),
                _ => return None,
            } as i64;
            match compare(&Value::Int(len), *op, &Value::Int(*n)) {
                Ok(true) => None,
                _ => Some(format!(
                    "has length {len}, which is not {} {n}",
                    op.as_str()
                )),
            }
        }
        PredKind::Matches(pattern, re) => match v {
            Value::Str(s) if !re.is_match(s) => Some(format!("does not match {pattern:?}")),
            _ => None,
        },
        PredKind::Unique => match v {
            Value::List(items) => {
                for (i, a) in items.iter().enumerate() {
                    if items[..i].iter().any(|b| equal(a, b)) {
                        return Some(format!("has a duplicate item {}", a.short()));
                    }
                }
                None
            }
            _ => None,
        },
    }
}
