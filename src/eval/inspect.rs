//! Evaluation for tools (`explain`, `diff`, `drift`, the language server):
//! the layers of one (config, environment) with every node's value, so a
//! caller can show each value next to the steps that produced it.

use crate::ast::Expr;
use crate::diagnostics::Diagnostic;
use crate::merge::{Layers, NodeId, Slot};
use crate::resolve::{ConfigId, EnvId, Program};
use crate::source::Span;

use super::{Ctx, LayerCache, Value};

/// One evaluated (config, environment) with its provenance.
#[derive(Debug)]
pub struct Inspected<'a> {
    pub config: ConfigId,
    pub env: Option<EnvId>,
    /// The layered tree: for each leaf, its steps in the order applied.
    pub layers: Layers<'a>,
    /// The value of every leaf node (`None` for objects and failed leaves).
    pub values: Vec<Option<Value>>,
    /// Diagnostics met while evaluating.
    pub diags: Vec<Diagnostic>,
}

impl Inspected<'_> {
    /// The value of node `id`: a leaf's value, or an object assembled from its leaves.
    pub fn value(&self, id: NodeId) -> Option<Value> {
        match &self.layers.node(id).slot {
            Slot::Leaf(_) => self.values[id as usize].clone(),
            Slot::Obj(children) => {
                let mut out = crate::map::with_capacity(children.len());
                for (k, &c) in children.iter() {
                    if !self.layers.is_absent(c) {
                        out.insert(k.clone(), self.value(c)?);
                    }
                }
                Some(Value::Object(out))
            }
        }
    }
}

/// Evaluates every leaf of config `cid` in `env` and keeps the layers.
pub fn inspect<'a>(
    prog: &Program<'a>,
    cache: &LayerCache<'a>,
    cid: ConfigId,
    env: Option<EnvId>,
) -> Inspected<'a> {
    let cx = Ctx::new(prog, cache, env);
    let ce = cx.config(cid);
    for id in 0..ce.layers.nodes.len() as NodeId {
        if let Slot::Leaf(steps) = &ce.layers.node(id).slot {
            if !steps.is_empty() {
                let _ = cx.force(&ce, id, Span::default());
            }
        }
    }
    let values = (0..ce.layers.nodes.len() as NodeId)
        .map(|id| ce.known(id))
        .collect();
    let diags = cx.diags.take();
    drop(cx);
    let layers = match std::rc::Rc::try_unwrap(ce) {
        Ok(ce) => ce.layers,
        Err(rc) => rc.layers.clone(),
    };
    Inspected {
        config: cid,
        env,
        layers,
        values,
        diags,
    }
}

/// The values of `exprs` read from object node `scope` of config `cid` in
/// `env`, looked up exactly as evaluation looks names up (enclosing objects,
/// the file's configs and imports, `env`, `envs`); `None` where evaluation
/// fails. `explain` uses it for the names a step reads.
pub fn eval_at<'a>(
    prog: &Program<'a>,
    cache: &LayerCache<'a>,
    cid: ConfigId,
    env: Option<EnvId>,
    scope: NodeId,
    exprs: &[&Expr],
) -> Vec<Option<Value>> {
    let cx = Ctx::new(prog, cache, env);
    let ce = cx.config(cid);
    let sc = super::expr::Scope::Node {
        ce: &ce,
        node: scope,
    };
    exprs
        .iter()
        .map(|e| super::expr::eval(&cx, &sc, e).ok())
        .collect()
}
