//! `mcfg check-runtime` (CLI.md "Commands"): validate a proposed runtime
//! update for one (config, environment) without a redeploy.
//!
//! The update is a JSON or YAML object in artifact form (nested objects, or
//! dotted keys such as `"serving.timeout": 0.1`; durations in seconds) that
//! names only the paths it changes. Each named leaf becomes a synthetic `=`
//! step on top of the config's layers, written as a literal whose span is the
//! value in the update file (a duration field takes a number of seconds, a
//! secret field a reference string). The layers are then evaluated like a
//! build: types, refinements and every schema `check` run against the locked
//! build values plus the update, so diagnostics point into the update file
//! and at the schema. Keys that name no field are `mcfg::unknown-field`; keys
//! that name a build-time field are `mcfg::tier`, labelled with the field's
//! declaration. New keys of a `map[...]` field are accepted.
//!
//! What the update does not name keeps its built value: a runtime field the
//! sources compute from another runtime field is frozen at its built value
//! (written as a literal at its expression), not recomputed from the update.

use crate::ast::{Assign, AssignOp, Expr, ExprKind, Ident, Key, Name, Path, Stmt};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::eval::inspect::inspect;
use crate::eval::value::NANOS_PER_SEC;
use crate::eval::{self, LayerCache, Value};
use crate::loader::Project;
use crate::merge::{Layers, Node, NodeId, Op, Origin, Slot, ROOT};
use crate::resolve::{ConfigId, EnvId, Program};
use crate::source::Span;
use crate::types::{Ty, TyId};

use super::document::{DocKey, DocNode, DocValue};
use super::lookup;
use super::query::QueryError;

/// Checks `update` (already read, spans in `project.sources`) against config
/// `config` in `env`. Returns the problems found (empty: the update may be
/// pushed), or an error when the command cannot run.
pub fn check_runtime(
    project: &Project,
    update: &DocNode,
    config: &str,
    env: Option<&str>,
) -> Result<Vec<Diagnostic>, QueryError> {
    let DocValue::Map(entries) = &update.value else {
        let d = Diagnostic::error(
            Code::TypeMismatch,
            update.span,
            "a runtime update must be an object of paths and values",
        )
        .with_help("write the paths it changes and their values: `{\"serving.timeout\": 0.1}`")
        .with_config(config)
        .with_env(env);
        return Ok(vec![d]);
    };
    let mut ignored = Diagnostics::new();
    let prog = Program::build(&mut ignored, project);
    let mut cache_diags = Vec::new();
    // Declared before `cache`, which borrows it, so that it is dropped after.
    let mut arena: Vec<Expr> = Vec::new();
    let mut cache = LayerCache::build(&prog, &mut cache_diags);
    let cid = lookup::find_config(&prog, config)?;
    let slot = lookup::find_env(&prog, env)?;
    if prog.has_envs() && slot.is_none() {
        return Err(super::history::needs_env("check-runtime", &prog));
    }
    let mut layers = cache.layers_for(&prog, cid, slot, &mut cache_diags);
    let mut plan = Plan {
        prog: &prog,
        sets: Vec::new(),
        problems: Vec::new(),
    };
    plan.entries(&mut layers, ROOT, entries);
    let Plan {
        mut sets, problems, ..
    } = plan;
    sets.extend(frozen(&prog, &cache, cid, slot, &sets));
    let ids: Vec<NodeId> = sets.iter().map(|(id, _)| *id).collect();
    arena.extend(sets.into_iter().map(|(_, e)| e));
    for (id, expr) in ids.into_iter().zip(&arena) {
        push_set(&mut layers, id, expr);
    }
    cache.set_layers(cid, slot, layers);
    let outcome = eval::evaluate(&prog, &cache, cid, slot, true);
    let env_name = prog.env_name(slot);
    let mut out: Vec<Diagnostic> = problems
        .into_iter()
        .map(|d| d.with_config(config).with_env(env_name))
        .collect();
    out.extend(outcome.diags.into_iter().filter(Diagnostic::is_error));
    let mut sorted = Diagnostics::new();
    sorted.extend(out);
    Ok(sorted.into_sorted())
}

/// Runtime leaves the update does not name but the sources compute: they
/// keep their built value, as a literal at the computing expression.
fn frozen(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    cid: ConfigId,
    slot: Option<EnvId>,
    sets: &[(NodeId, Expr)],
) -> Vec<(NodeId, Expr)> {
    let insp = inspect(prog, cache, cid, slot);
    let mut out = Vec::new();
    for id in insp.layers.leaves_below(ROOT) {
        if !insp.layers.node(id).runtime || sets.iter().any(|(s, _)| *s == id) {
            continue;
        }
        let Some(step) = lookup::holding(&insp.layers, id) else {
            continue;
        };
        if step.expr.is_literal() {
            continue;
        }
        if let Some(v) = lookup::leaf_value(&insp, id) {
            out.push((id, value_expr(&v, step.expr.span)));
        }
    }
    out
}

/// A value as a literal expression at `span`.
fn value_expr(v: &Value, span: Span) -> Expr {
    let kind = match v {
        Value::Null => ExprKind::Null,
        Value::Bool(b) => ExprKind::Bool(*b),
        Value::Int(i) => ExprKind::Int(*i),
        Value::Float(f) => ExprKind::Float(*f),
        Value::Str(s) => ExprKind::Str(s.clone()),
        Value::Duration(ns) => ExprKind::Duration(*ns),
        Value::Secret(r) => ExprKind::Call(
            Ident {
                name: Name::from("secret"),
                span,
            },
            vec![lit(ExprKind::Str(r.clone()), span)],
        ),
        Value::List(items) => ExprKind::List(items.iter().map(|i| value_expr(i, span)).collect()),
        Value::Object(map) => ExprKind::Object(
            map.iter()
                .map(|(k, v)| {
                    Stmt::Assign(Assign {
                        path: Path {
                            keys: vec![Key {
                                name: k.clone(),
                                quoted: true,
                                span,
                            }],
                            span,
                        },
                        op: AssignOp::Set,
                        value: value_expr(v, span),
                        span,
                    })
                })
                .collect(),
        ),
    };
    lit(kind, span)
}

fn push_set<'a>(layers: &mut Layers<'a>, id: NodeId, expr: &'a Expr) {
    layers.push_step(id, Op::Set, expr, Origin::Update);
}

/// The steps an update adds, and the problems found while placing them.
struct Plan<'p, 'a> {
    prog: &'p Program<'a>,
    sets: Vec<(NodeId, Expr)>,
    problems: Vec<Diagnostic>,
}

impl Plan<'_, '_> {
    fn entries(&mut self, layers: &mut Layers<'_>, at: NodeId, entries: &[(DocKey, DocNode)]) {
        for (key, value) in entries {
            self.entry(layers, at, key, value);
        }
    }

    fn entry(&mut self, layers: &mut Layers<'_>, at: NodeId, key: &DocKey, value: &DocNode) {
        let mut cur = at;
        for part in key.name.split('.') {
            match self.child(layers, cur, part) {
                Some(next) => cur = next,
                None => {
                    self.unknown(layers, cur, part, key);
                    return;
                }
            }
        }
        let is_obj = matches!(layers.node(cur).slot, Slot::Obj(_));
        let any_runtime = layers
            .leaves_below(cur)
            .iter()
            .any(|&l| layers.node(l).runtime)
            || layers.node(cur).runtime;
        if !any_runtime {
            self.tier(layers, cur, key);
            return;
        }
        match (&value.value, is_obj) {
            (DocValue::Map(inner), true) => self.entries(layers, cur, inner),
            (_, true) => {
                let path = lookup::dotted(&layers.path_of(cur));
                self.problems.push(Diagnostic::error(
                    Code::TypeMismatch,
                    value.span,
                    format!(
                        "`{path}` is an object, but the update gives it a {}",
                        kind(value)
                    ),
                ));
            }
            (_, false) if !layers.node(cur).runtime => self.tier(layers, cur, key),
            (_, false) => {
                let ty = layers.node(cur).ty;
                let expr = to_expr(self.prog, ty, value);
                self.sets.push((cur, expr));
            }
        }
    }

    /// The child `key` of object node `id`; a new entry for a map's unknown key.
    fn child(&self, layers: &mut Layers<'_>, id: NodeId, key: &str) -> Option<NodeId> {
        let node = layers.node(id);
        let Slot::Obj(children) = &node.slot else {
            return None;
        };
        if let Some(&c) = children.get(key) {
            return Some(c);
        }
        let elem = node.ty.and_then(|t| match self.prog.ty(t).ty {
            Ty::Map(e) => Some(e),
            _ => None,
        })?;
        let new = Node {
            key: Name::from(key),
            parent: id,
            slot: Slot::empty_leaf(),
            ty: Some(elem),
            field: None,
            runtime: node.runtime,
            depth: node.depth + 1,
        };
        let new_id = layers.nodes.len() as NodeId;
        layers.nodes.push(new);
        if let Slot::Obj(children) = &mut layers.nodes[id as usize].slot {
            std::sync::Arc::make_mut(children).insert(Name::from(key), new_id);
        }
        Some(new_id)
    }

    fn unknown(&mut self, layers: &Layers<'_>, at: NodeId, part: &str, key: &DocKey) {
        let parent = lookup::dotted(&layers.path_of(at));
        let what = if parent.is_empty() {
            "the config".to_owned()
        } else {
            format!("`{parent}`")
        };
        let mut d = Diagnostic::error(
            Code::UnknownField,
            key.span,
            format!("{what} has no field `{part}`"),
        );
        if let Slot::Obj(children) = &layers.node(at).slot {
            if let Some(s) = crate::suggest::closest(part, children.keys().map(|k| &**k)) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
        }
        self.problems.push(d);
    }

    fn tier(&mut self, layers: &Layers<'_>, id: NodeId, key: &DocKey) {
        let path = lookup::dotted(&layers.path_of(id));
        let mut d = Diagnostic::error(
            Code::Tier,
            key.span,
            format!("`{path}` is a build-time field: a runtime update cannot change it"),
        )
        .with_help("only `@runtime` fields may change without a redeploy; change the sources and rebuild instead");
        let mut cur = id;
        loop {
            let node = layers.node(cur);
            if let Some((o, i)) = node.field {
                if let Some((_, f)) = self.prog.obj(o).fields.get_index(i as usize) {
                    d = d.with_label(
                        f.name_span,
                        format!("`{}` is declared here without @runtime", f.name),
                    );
                    break;
                }
            }
            if cur == ROOT {
                break;
            }
            cur = node.parent;
        }
        self.problems.push(d);
    }
}

fn kind(node: &DocNode) -> &'static str {
    match node.value {
        DocValue::Null => "null",
        DocValue::Bool(_) => "bool",
        DocValue::Int(_) => "int",
        DocValue::Float(_) => "float",
        DocValue::Str(_) => "string",
        DocValue::List(_) => "list",
        DocValue::Map(_) => "object",
    }
}

/// An artifact-form value as the literal expression the sources would write
/// for a field of type `ty` (seconds → duration, reference → `secret(…)`).
fn to_expr(prog: &Program<'_>, ty: Option<TyId>, node: &DocNode) -> Expr {
    let span = node.span;
    let ty = ty.map(|t| &prog.ty(t).ty);
    let kind = match (&node.value, ty) {
        (DocValue::Int(i), Some(Ty::Duration)) => i
            .checked_mul(NANOS_PER_SEC)
            .map_or(ExprKind::Float(*i as f64), ExprKind::Duration),
        (DocValue::Float(f), Some(Ty::Duration)) => {
            let ns = (f * NANOS_PER_SEC as f64).round();
            if ns.abs() < 9.0e18 {
                ExprKind::Duration(ns as i64)
            } else {
                ExprKind::Float(*f)
            }
        }
        (DocValue::Str(s), Some(Ty::Secret)) => ExprKind::Call(
            Ident {
                name: Name::from("secret"),
                span,
            },
            vec![lit(ExprKind::Str(s.as_str().into()), span)],
        ),
        (DocValue::List(items), _) => {
            let elem = match ty {
                Some(Ty::List(e)) => Some(*e),
                _ => None,
            };
            ExprKind::List(items.iter().map(|i| to_expr(prog, elem, i)).collect())
        }
        (DocValue::Map(entries), _) => ExprKind::Object(
            entries
                .iter()
                .map(|(k, v)| object_entry(prog, ty, k, v))
                .collect(),
        ),
        (DocValue::Null, _) => ExprKind::Null,
        (DocValue::Bool(b), _) => ExprKind::Bool(*b),
        (DocValue::Int(i), _) => ExprKind::Int(*i),
        (DocValue::Float(f), _) => ExprKind::Float(*f),
        (DocValue::Str(s), _) => ExprKind::Str(s.as_str().into()),
    };
    lit(kind, span)
}

fn object_entry(prog: &Program<'_>, ty: Option<&Ty>, key: &DocKey, value: &DocNode) -> Stmt {
    let field_ty = match ty {
        Some(Ty::Map(e)) => Some(*e),
        Some(Ty::Object(o)) => prog.obj(*o).fields.get(key.name.as_str()).map(|f| f.ty),
        _ => None,
    };
    let k = Key {
        name: Name::from(key.name.as_str()),
        quoted: true,
        span: key.span,
    };
    Stmt::Assign(Assign {
        path: Path {
            keys: vec![k],
            span: key.span,
        },
        op: AssignOp::Set,
        value: to_expr(prog, field_ty, value),
        span: key.span.join(value.span),
    })
}

fn lit(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}
