//! Evaluation of a policy test's asserts (LANGUAGE.md §9.9) in one
//! environment: each expression is evaluated like a schema `check`, with
//! the names of the test's file in scope (configs, import aliases, `env`,
//! `envs`) and no enclosing object.
//!
//! A false assert becomes a `mcfg::test-failed` diagnostic at the assert
//! whose help shows the values the assert read — each config path it names
//! (`ranker.serving.device` = "cpu"), the computed operands that decide it
//! (`len(ranker.features)` = 3), and for a quantifier the first item that
//! breaks it with the paths below the loop variable — and whose labels point
//! at the assignments holding those values, as a failed `check` does.

use crate::ast::{BinaryOp, Comprehension, Expr, ExprKind, StrPart, TestDecl};
use crate::diagnostics::{Code, Diagnostic};
use crate::merge::ROOT;
use crate::resolve::ConfigId;
use crate::source::Span;

use super::expr::{eval, Scope};
use super::{Ctx, Fields, Value};

/// Most values shown in a failed assert's help, and assignments labelled.
const MAX_SHOWN: usize = 6;
const MAX_LABELS: usize = 4;

/// The outcome of one assert in one environment.
#[derive(Debug, Clone)]
pub enum Verdict {
    Pass,
    /// The assert is false: its `mcfg::test-failed` diagnostic.
    Fail(Diagnostic),
    /// The assert could not be evaluated (not a bool, division by zero, an
    /// unknown field): the diagnostics saying why.
    Error(Vec<Diagnostic>),
}

/// Runs every assert of `test` in `cx`'s environment. `anchor` is any
/// config of the program: lookups need an evaluator (tests have no `self`;
/// the resolver rejects it).
pub fn run_test(cx: &Ctx<'_, '_>, anchor: ConfigId, test: &TestDecl) -> Vec<Verdict> {
    let ce = cx.config(anchor);
    let empty = Fields::default();
    let scope = Scope::Value {
        obj: &empty,
        ce: &ce,
    };
    test.asserts
        .iter()
        .map(|a| {
            let before = cx.diags.borrow().len();
            let res = eval(cx, &scope, &a.cond);
            // Only what the assert itself caused: configs were checked by
            // the compilation, and the anchor's name means nothing here.
            let own: Vec<Diagnostic> = cx
                .diags
                .borrow_mut()
                .drain(before..)
                .filter(|d| d.is_error() && inside(d.primary.span, test.span))
                .map(|mut d| {
                    d.config = None;
                    d.env = cx.env_name().map(str::to_owned);
                    d
                })
                .collect();
            let verdict = match res {
                Ok(Value::Bool(true)) => Verdict::Pass,
                Ok(Value::Bool(false)) => Verdict::Fail(failure(cx, &scope, test, a)),
                Ok(other) => Verdict::Error(vec![Diagnostic::error(
                    Code::TypeMismatch,
                    a.cond.span,
                    format!("an `assert` must be a bool, found {}", other.type_name()),
                )
                .with_label(test.name_span, format!("in test {:?}", test.name))
                .with_help("compare values: `ranker.serving.replicas >= 4`")
                .with_env(cx.env_name())]),
                Err(_) if !own.is_empty() => Verdict::Error(own),
                Err(_) => Verdict::Error(vec![Diagnostic::error(
                    Code::TestFailed,
                    a.cond.span,
                    "the assert could not be evaluated: a value it reads has no value",
                )
                .with_label(test.name_span, format!("in test {:?}", test.name))
                .with_help(
                    "an abstract config may leave required fields unset; read an emitted config",
                )
                .with_env(cx.env_name())]),
            };
            // Explaining a failure evaluates again; what it reports is noise.
            cx.diags.borrow_mut().truncate(before);
            verdict
        })
        .collect()
}

fn inside(span: Span, outer: Span) -> bool {
    span.file == outer.file && span.start >= outer.start && span.end <= outer.end
}

/// The `mcfg::test-failed` diagnostic of a false assert.
fn failure<'a>(
    cx: &Ctx<'_, 'a>,
    scope: &Scope<'_, 'a>,
    test: &TestDecl,
    a: &crate::ast::CheckDecl,
) -> Diagnostic {
    let text = cx.prog.project.sources.slice(a.cond.span);
    let msg = match &a.message {
        Some(m) => format!("assert failed: {m}"),
        None => format!("assert failed: `{text}`"),
    };
    let mut why = Why::default();
    why.walk(cx, scope, &a.cond);
    let mut d = Diagnostic::error(Code::TestFailed, a.span, msg)
        .with_label(test.name_span, format!("in test {:?}", test.name));
    for (span, label) in why.labels {
        d = d.with_label(span, label);
    }
    let mut help = format!("the assert is `{text}`");
    if !why.shown.is_empty() {
        help.push_str(&format!("; here {}", why.shown.join(", ")));
    }
    d.with_help(help).with_env(cx.env_name())
}

/// What a failed assert read: values for the help line, assignments to label.
#[derive(Default)]
struct Why<'e> {
    shown: Vec<String>,
    labels: Vec<(Span, String)>,
    /// A quantifier's variable bound to an item written out in its list
    /// (`c` to `reranker`), so paths below it are labelled where set.
    alias: Option<(crate::ast::Name, &'e Expr)>,
}

impl<'e> Why<'e> {
    fn show(&mut self, cx: &Ctx<'_, '_>, e: &Expr, v: &Value) {
        let line = format!(
            "`{}` = {}",
            cx.prog.project.sources.slice(e.span),
            v.short()
        );
        if self.shown.len() < MAX_SHOWN && !self.shown.contains(&line) {
            self.shown.push(line);
        }
    }

    /// Shows the paths and deciding operands of `e`, following `and`/`or`
    /// and `if` as evaluation did.
    fn walk<'a>(&mut self, cx: &Ctx<'_, 'a>, scope: &Scope<'_, 'a>, e: &'e Expr) {
        if self.shown.len() >= MAX_SHOWN {
            return;
        }
        if is_path(e) {
            self.path(cx, scope, e);
            return;
        }
        match &e.kind {
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), l, r) => {
                self.walk(cx, scope, l);
                let go_on = matches!(
                    (op, eval(cx, scope, l)),
                    (BinaryOp::And, Ok(Value::Bool(true))) | (BinaryOp::Or, Ok(Value::Bool(false)))
                );
                if go_on {
                    self.walk(cx, scope, r);
                }
            }
            ExprKind::Binary(op, l, r) => {
                if !matches!(op, BinaryOp::Cmp(_) | BinaryOp::In) {
                    self.scalar(cx, scope, e);
                }
                self.walk(cx, scope, l);
                self.walk(cx, scope, r);
            }
            ExprKind::Call(_, args) => {
                self.scalar(cx, scope, e);
                args.iter().for_each(|x| self.walk(cx, scope, x));
            }
            ExprKind::Unary(_, x) | ExprKind::Is(x, _) => self.walk(cx, scope, x),
            ExprKind::List(items) => items.iter().for_each(|x| self.walk(cx, scope, x)),
            ExprKind::Interp(parts) => parts.iter().for_each(|p| {
                if let StrPart::Expr(x) = p {
                    self.walk(cx, scope, x);
                }
            }),
            ExprKind::If(c, t, f) => {
                self.walk(cx, scope, c);
                match eval(cx, scope, c) {
                    Ok(Value::Bool(true)) => self.walk(cx, scope, t),
                    Ok(Value::Bool(false)) => self.walk(cx, scope, f),
                    _ => {}
                }
            }
            ExprKind::Quant(all, comp, body) => self.quant(cx, scope, *all, comp, body),
            ExprKind::ListComp(_, comp) | ExprKind::MapComp(_, _, comp) => {
                self.walk(cx, scope, &comp.iter);
            }
            _ => {}
        }
    }

    /// A scalar computed operand (`len(ranker.features)` = 3).
    fn scalar<'a>(&mut self, cx: &Ctx<'_, 'a>, scope: &Scope<'_, 'a>, e: &Expr) {
        if let Ok(v @ (Value::Int(_) | Value::Float(_) | Value::Duration(_) | Value::Str(_))) =
            eval(cx, scope, e)
        {
            self.show(cx, e, &v);
        }
    }

    /// A path (`ranker.serving.device`): its value, and the assignment
    /// holding it when it is a node of a config.
    fn path<'a>(&mut self, cx: &Ctx<'_, 'a>, scope: &Scope<'_, 'a>, e: &Expr) {
        let Ok(v) = eval(cx, scope, e) else { return };
        self.show(cx, e, &v);
        // The node read: the path itself, or the path below an aliased item.
        let (root, keys) = match (path_keys(e), &self.alias) {
            (Some((var, keys)), Some((alias, item))) if &var == alias => (*item, keys),
            _ => (e, Vec::new()),
        };
        let (_, reads) = cx.recording(|| eval(cx, scope, root));
        let Some(&(cid, top)) = reads.first() else {
            return;
        };
        let ce = cx.config(cid);
        let Some(node) = ce.layers.find(top, &keys) else {
            return;
        };
        let leaves = ce.layers.leaves_below(node);
        let Some(span) = super::finish::holding_span(&ce, &leaves) else {
            return;
        };
        if self.labels.len() < MAX_LABELS && !self.labels.iter().any(|(s, _)| *s == span) {
            let name = &cx.prog.configs[cid].name;
            let path = ce.layers.path_of(node);
            let shown = if node == ROOT {
                name.to_string()
            } else {
                let keys: Vec<&str> = path.iter().map(|k| &**k).collect();
                format!("{name}.{}", keys.join("."))
            };
            let verb = if leaves.len() == 1 { "set" } else { "last set" };
            self.labels.push((span, format!("`{shown}` {verb} here")));
        }
    }

    /// `all`/`any`: the source, then the first item that decides the
    /// quantifier's value, with what its condition read.
    fn quant<'a>(
        &mut self,
        cx: &Ctx<'_, 'a>,
        scope: &Scope<'_, 'a>,
        all: bool,
        comp: &'e Comprehension,
        body: &'e Expr,
    ) {
        let written = match &comp.iter.kind {
            ExprKind::List(items) => Some(items),
            _ => None,
        };
        // A list written out is named item by item below; a computed one is shown.
        if written.is_none() {
            self.walk(cx, scope, &comp.iter);
        }
        if !all {
            // `any` is false: every item failed; nothing singles one out.
            return;
        }
        let var = comp.vars.first().map_or("", |v| &*v.name);
        // Errors are the assert's own, reported already.
        let _ = super::comprehension::each(cx, scope, comp, |index, inner| {
            if !matches!(eval(cx, inner, body), Ok(Value::Bool(false))) {
                return Ok(true);
            }
            let bound = match inner {
                Scope::Bind { names, .. } => names.first().map(|(_, v)| v),
                _ => None,
            };
            let name = bound.map_or_else(String::new, |v| item_name(cx, &comp.iter, index, v));
            if self.shown.len() < MAX_SHOWN {
                self.shown.push(format!("for `{var}` = {name}"));
            }
            let item = written
                .and_then(|items| items.get(index))
                .filter(|x| is_path(x));
            self.alias = item.map(|x| (var.into(), x));
            self.walk(cx, inner, body);
            self.alias = None;
            Ok(false)
        });
    }
}

/// How the `i`-th item of a quantifier's list is named: its source text
/// when the list is written out (`reranker` in `[ranker, reranker]`),
/// otherwise its value.
fn item_name(cx: &Ctx<'_, '_>, iter: &Expr, i: usize, v: &Value) -> String {
    match &iter.kind {
        ExprKind::List(items) => items.get(i).map_or_else(
            || v.short(),
            |x| format!("`{}`", cx.prog.project.sources.slice(x.span)),
        ),
        _ => v.short(),
    }
}

/// `c.serving.replicas` as the name `c` and the keys below it.
fn path_keys(e: &Expr) -> Option<(crate::ast::Name, Vec<crate::ast::Name>)> {
    match &e.kind {
        ExprKind::Name(n) => Some((n.clone(), Vec::new())),
        ExprKind::Field(base, key) => {
            let (root, mut keys) = path_keys(base)?;
            keys.push(key.name.clone());
            Some((root, keys))
        }
        _ => None,
    }
}

/// `a`, `a.b.c`, `a.b["k"]`: a name with field and index accesses.
fn is_path(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_) => true,
        ExprKind::Field(base, _) => is_path(base),
        ExprKind::Index(base, idx) => is_path(base) && idx.is_literal(),
        _ => false,
    }
}
