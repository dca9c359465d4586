//! Evaluating one (config, environment) to the end: every leaf, node-level
//! refinements and schema `check`s, missing fields, the artifact value, the
//! runtime tier and the values of `@invariant` / `@distinct` fields.

use crate::ast::Name;
use crate::diagnostics::{Code, Diagnostic};
use crate::merge::{NodeId, Op, Slot, ROOT};
use crate::resolve::{ConfigId, EnvId, Program};
use crate::source::Span;
use crate::types::Ty;

pub(super) use super::checks::holding_span;
use super::checks::node_checks;
use super::value::Fields;
use super::{ConfigEval, Ctx, LayerCache, State, Value};

/// Which cross-environment rule a field carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Invariant,
    Distinct,
}

/// The value of an `@invariant` or `@distinct` field in one environment.
#[derive(Debug, Clone)]
pub struct Marked {
    pub kind: MarkKind,
    pub path: String,
    pub marker: Span,
    /// The whole field's value (`None` when it failed to evaluate).
    pub value: Option<Value>,
    /// The assignment that holds (latest applied below the field).
    pub span: Option<Span>,
    /// Every leaf below the field: path, value, holding assignment.
    pub leaves: Vec<(String, Option<Value>, Option<Span>)>,
}

/// Everything one (config, environment) evaluation produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The artifact value; `None` when any error was found.
    pub value: Option<Value>,
    /// The artifact's bytes, when rendered from the evaluation
    /// ([`Assemble::Render`]); `value` is then `Value::Null`.
    pub rendered: Option<Vec<u8>>,
    /// The `@runtime` fields with their nesting, when the config has any.
    pub runtime: Option<Value>,
    pub runtime_paths: Vec<String>,
    pub invariant_paths: Vec<String>,
    /// The `ml.FeatureFlag` / `ml.Experiment` fields (for flagd), when the
    /// evaluation succeeded.
    pub flags: Vec<crate::types::flag::FlagField>,
    pub marked: Vec<Marked>,
    pub diags: Vec<Diagnostic>,
}

pub(super) fn dotted(keys: &[Name]) -> String {
    keys.iter().map(|k| &**k).collect::<Vec<_>>().join(".")
}

/// What an evaluation makes of the artifact value when it succeeds.
#[derive(Clone, Copy)]
pub enum Assemble<'r> {
    /// Nothing (`mcfg check` needs only the diagnostics): `value` is
    /// `Some(Value::Null)` and `runtime` is `None`.
    Nothing,
    /// The [`Value`] tree, in `value` (and `runtime`).
    Value,
    /// The bytes `render` makes of a [`View`] of the evaluation, in
    /// `rendered`, with `value` `Some(Value::Null)`: no value tree is built,
    /// copied into and dropped (`mcfg build`). A config with `@runtime`
    /// fields gets its [`Value`] tree instead (its runtime part is cut from
    /// it), and `rendered` stays `None`.
    Render(&'r Render),
}

/// Renders the artifact value of a finished evaluation.
pub type Render = dyn Fn(&View<'_, '_>) -> Vec<u8> + Sync;

impl std::fmt::Debug for Assemble<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Assemble::Nothing => "Nothing",
            Assemble::Value => "Value",
            Assemble::Render(_) => "Render",
        })
    }
}

/// The artifact value of a successful evaluation as `serde` sees it,
/// serialized straight from the layers and the leaf values: exactly what
/// serializing the [`Value`] tree `assemble_tree` builds gives.
pub struct View<'x, 'a> {
    ce: &'x ConfigEval<'a>,
    states: &'x [State],
    id: NodeId,
}

impl std::fmt::Debug for View<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("config", &self.ce.cid)
            .field("node", &self.id)
            .finish_non_exhaustive()
    }
}

impl serde::Serialize for View<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let layers = &self.ce.layers;
        match &layers.node(self.id).slot {
            Slot::Leaf(_) => match &self.states[self.id as usize] {
                State::Done(v) => v.serialize(ser),
                _ => match self.ce.constant(self.id) {
                    Some(v) => v.serialize(ser),
                    None => ser.serialize_unit(),
                },
            },
            Slot::Obj(children) => {
                // Absent is not null (LANGUAGE.md §9.1): nothing is written.
                let present = children.values().filter(|&&c| !layers.is_absent(c));
                let mut map = ser.serialize_map(Some(present.count()))?;
                for (k, &c) in children.iter() {
                    if !layers.is_absent(c) {
                        map.serialize_entry(&**k, &View { id: c, ..*self })?;
                    }
                }
                map.end()
            }
        }
    }
}

/// Evaluates config `cid` in `env` completely. Without `assemble_value` the
/// artifact value is not built (`mcfg check` needs only the diagnostics):
/// `value` is then `Some(Value::Null)` on success and `runtime` is `None`.
pub fn evaluate<'a>(
    prog: &Program<'a>,
    cache: &LayerCache<'a>,
    cid: ConfigId,
    env: Option<EnvId>,
    assemble_value: bool,
) -> Outcome {
    let cx = Ctx::new(prog, cache, env);
    let ce = cx.config(cid);
    let assemble = if assemble_value {
        Assemble::Value
    } else {
        Assemble::Nothing
    };
    finish(&cx, &ce, assemble)
}

/// [`evaluate`] in each of `envs`, in order. When the config's layers before
/// its `env` blocks are the same in every environment, its body is layered
/// (and its literal values checked) once for all of them.
pub fn evaluate_envs<'a>(
    prog: &Program<'a>,
    cache: &LayerCache<'a>,
    cid: ConfigId,
    envs: &[Option<EnvId>],
    assemble: Assemble<'_>,
    board: Option<&super::Board<'a>>,
    copies: Option<&super::cache::ThreadCopies<'a>>,
) -> Vec<Outcome> {
    let first = envs.first().copied().flatten();
    let shared = match envs.len() {
        0 | 1 => None,
        _ => cache.shared_body(prog, cid, first, copies),
    };
    let Some(body) = shared else {
        return envs
            .iter()
            .map(|&env| {
                let cx = Ctx::new(prog, cache, env).with_board(board);
                let ce = cx.config(cid);
                finish(&cx, &ce, assemble)
            })
            .collect();
    };
    envs.iter()
        .map(|&env| {
            let cx = Ctx::new(prog, cache, env).with_board(board);
            let mut diags = Vec::new();
            let layers = cache.layers_from_body(prog, cid, env, &body, &mut diags);
            let ce = cx.install(cid, layers, body.consts.clone(), diags);
            finish(&cx, &ce, assemble)
        })
        .collect()
}

/// Evaluates everything left of `ce` and builds the outcome.
fn finish<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, assemble: Assemble<'_>) -> Outcome {
    let prog = cx.prog;
    let mut ok = true;
    let order = tree_order(ce);
    for &id in &order {
        if let Slot::Leaf(_) = &ce.layers.node(id).slot {
            if ce.layers.is_absent(id)
                && is_required(prog, &ce.layers, id)
                && !missing_reported(ce, id)
            {
                report_missing(cx, ce, id);
                ok = false;
                continue;
            }
            if ce.settled(id) {
                ok &= !matches!(ce.states.borrow()[id as usize], State::Failed);
                continue;
            }
            ok &= cx.force(ce, id, Span::default()).is_ok();
        }
    }
    if ok && !ce.layering_failed {
        ok &= node_checks(cx, ce, &order);
    }
    let flags = if ok && !cx.diags.borrow().iter().any(Diagnostic::is_error) {
        super::flags::collect(cx, ce, &order)
    } else {
        Vec::new()
    };
    let marked = marked_fields(cx, ce, &order);
    if let Some(board) = cx.board.filter(|b| b.wants(ce.cid)) {
        board.offer(ce, cx.env);
    }
    let (runtime_paths, invariant_paths) = tier_paths(ce, &order);
    let mut out = Outcome {
        runtime_paths,
        invariant_paths,
        flags,
        marked,
        ..Outcome::default()
    };
    if ok && !cx.diags.borrow().iter().any(Diagnostic::is_error) {
        match assemble {
            Assemble::Nothing => out.value = Some(Value::Null),
            Assemble::Render(render) if out.runtime_paths.is_empty() => {
                let states = ce.states.borrow();
                out.rendered = Some(render(&View {
                    ce,
                    states: &states,
                    id: ROOT,
                }));
                out.value = Some(Value::Null);
            }
            Assemble::Value | Assemble::Render(_) => {
                let mut states = ce.states.borrow_mut();
                let value = assemble_tree(ce, ROOT, &mut states);
                out.runtime = runtime_value(ce, &order, &value, &out.runtime_paths);
                out.value = Some(value);
            }
        }
    }
    out.diags = cx.diags.take();
    out
}

fn tree_order(ce: &ConfigEval<'_>) -> Vec<NodeId> {
    let mut out = Vec::with_capacity(ce.layers.nodes.len());
    let mut stack = vec![ROOT];
    while let Some(n) = stack.pop() {
        out.push(n);
        if let Slot::Obj(children) = &ce.layers.node(n).slot {
            stack.extend(children.values().rev().copied());
        }
    }
    out
}

/// Whether layering already reported why required leaf `id` has no value
/// (`Layers::explained`).
fn missing_reported(ce: &ConfigEval<'_>, id: NodeId) -> bool {
    let node = ce.layers.node(id);
    ce.layers
        .explained
        .iter()
        .any(|(p, k)| *p == node.parent && *k == node.key)
}

/// Whether leaf `id` must have a value: a schema field that is not optional
/// (map entries and structural keys may be absent, LANGUAGE.md §9.2), or a
/// structural leaf declared `path: TYPE` with a type that is not optional.
pub fn is_required(prog: &Program<'_>, layers: &crate::merge::Layers<'_>, id: NodeId) -> bool {
    let node = layers.node(id);
    if node.field.is_none() {
        // A leaf declared without a value (`path: TYPE`) is required unless
        // its type is optional; `any` too (OmegaConf's `???`).
        return layers.declaration(id).is_some()
            && node.ty.is_some_and(|t| {
                let t = prog.ty(t);
                !t.optional && !matches!(t.ty, Ty::Error)
            });
    }
    node.ty.is_some_and(|t| {
        let t = prog.ty(t);
        !t.optional && !matches!(t.ty, Ty::Any | Ty::Error)
    })
}

fn report_missing(cx: &Ctx<'_, '_>, ce: &ConfigEval<'_>, id: NodeId) {
    let prog = cx.prog;
    let config = &prog.configs[ce.cid];
    let path = dotted(&ce.layers.path_of(id));
    let unset = ce
        .layers
        .effective_steps(id)
        .last()
        .filter(|s| s.op == Op::Unset);
    let declared = ce.layers.declaration(id);
    let mut d = match unset {
        Some(step) => Diagnostic::error(
            Code::MissingField,
            step.expr.span,
            format!("`unset` leaves required field `{path}` without a value"),
        )
        .with_help(format!(
            "set `{path}` again after the `unset`, or declare the field optional (`?`) so it may be absent"
        )),
        None if declared.is_some() => Diagnostic::error(
            Code::MissingField,
            declared.map_or(config.decl.name.span, |d| d.span),
            format!("`{path}` is required and has no value"),
        )
        .with_help(format!(
            "set it in an env block, a child config or with `--set {}.{path}=…`",
            config.name
        )),
        None => Diagnostic::error(
            Code::MissingField,
            config.decl.name.span,
            format!(
                "config `{}` does not set required field `{path}`",
                config.name
            ),
        )
        .with_help(format!(
            "add `{path} = …` to the config, or give the field a default in the schema"
        )),
    };
    if let (Some(decl), Some(_)) = (declared, unset) {
        let ty = prog.project.sources.slice(decl.ty.span);
        d = d.with_label(
            decl.span,
            format!("`{path}: {ty}` is declared here without a value"),
        );
    }
    if let Some((o, i)) = ce.layers.node(id).field {
        if let Some((_, f)) = prog.obj(o).fields.get_index(i as usize) {
            let ty = prog.ty_name(f.ty);
            let how = match unset {
                Some(_) => "not optional",
                None => "without a default",
            };
            d = d.with_label(
                f.name_span,
                format!("`{path}: {ty}` is declared here {how}"),
            );
        }
    }
    cx.report(ce.cid, d);
}

pub(super) fn field_of<'p, 'a>(
    prog: &'p Program<'a>,
    ce: &ConfigEval<'a>,
    id: NodeId,
) -> Option<&'p crate::types::Field<'a>> {
    let (o, i) = ce.layers.node(id).field?;
    prog.obj(o).fields.get_index(i as usize).map(|(_, f)| f)
}

fn marked_fields<'a>(cx: &Ctx<'_, 'a>, ce: &ConfigEval<'a>, order: &[NodeId]) -> Vec<Marked> {
    let mut out = Vec::new();
    if !cx.cache.has_cross_env_markers() {
        return out;
    }
    for &id in order {
        let Some(f) = field_of(cx.prog, ce, id) else {
            continue;
        };
        let kinds = [
            (MarkKind::Invariant, f.markers.invariant),
            (MarkKind::Distinct, f.markers.distinct),
        ];
        for (kind, marker) in kinds {
            let Some(marker) = marker else { continue };
            let leaves_ids = ce.layers.leaves_below(id);
            let leaves = leaves_ids
                .iter()
                .map(|&l| {
                    let v = cx.force(ce, l, Span::default()).ok();
                    (
                        dotted(&ce.layers.path_of(l)),
                        v,
                        holding_span(ce, &[l]).or_else(|| any_span(ce, l)),
                    )
                })
                .collect();
            out.push(Marked {
                kind,
                path: dotted(&ce.layers.path_of(id)),
                marker,
                value: cx.force(ce, id, Span::default()).ok(),
                span: holding_span(ce, &leaves_ids)
                    .or_else(|| leaves_ids.first().and_then(|&l| any_span(ce, l))),
                leaves,
            });
        }
    }
    out
}

fn any_span(ce: &ConfigEval<'_>, id: NodeId) -> Option<Span> {
    ce.layers.effective_steps(id).last().map(|s| s.expr.span)
}

/// Top-most `@runtime` paths and `@invariant` paths, in tree order.
fn tier_paths(ce: &ConfigEval<'_>, order: &[NodeId]) -> (Vec<String>, Vec<String>) {
    let mut runtime = Vec::new();
    for &id in order {
        let n = ce.layers.node(id);
        if id != ROOT && n.runtime && !ce.layers.node(n.parent).runtime {
            runtime.push(dotted(&ce.layers.path_of(id)));
        }
    }
    (runtime, Vec::new())
}

fn assemble_tree(ce: &ConfigEval<'_>, id: NodeId, states: &mut [State]) -> Value {
    match &ce.layers.node(id).slot {
        Slot::Leaf(_) => match std::mem::replace(&mut states[id as usize], State::Pending) {
            State::Done(v) => v,
            _ => ce.constant(id).cloned().unwrap_or(Value::Null),
        },
        Slot::Obj(children) => {
            let mut out = crate::map::with_capacity(children.len());
            for (k, &c) in children.iter() {
                // Absent is not null (LANGUAGE.md §9.1): nothing is written.
                if !ce.layers.is_absent(c) {
                    out.insert(k.clone(), assemble_tree(ce, c, states));
                }
            }
            Value::Object(out)
        }
    }
}

fn runtime_value(
    ce: &ConfigEval<'_>,
    order: &[NodeId],
    value: &Value,
    paths: &[String],
) -> Option<Value> {
    if paths.is_empty() {
        return None;
    }
    let mut out = Fields::default();
    for &id in order {
        let n = ce.layers.node(id);
        if id == ROOT || !n.runtime || ce.layers.node(n.parent).runtime {
            continue;
        }
        let keys = ce.layers.path_of(id);
        let mut src = Some(value);
        for k in &keys {
            src = match src {
                Some(Value::Object(m)) => m.get(k),
                _ => None,
            };
        }
        // An absent runtime field is absent from the runtime file too.
        if let Some(v) = src {
            insert_at(&mut out, &keys, v.clone());
        }
    }
    Some(Value::Object(out))
}

fn insert_at(obj: &mut Fields, keys: &[Name], v: Value) {
    let Some((last, init)) = keys.split_last() else {
        return;
    };
    let mut cur = obj;
    for k in init {
        let slot = cur
            .entry(k.clone())
            .or_insert_with(|| Value::Object(Fields::default()));
        let Value::Object(m) = slot else { return };
        cur = m;
    }
    cur.insert(last.clone(), v);
}
