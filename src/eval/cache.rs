//! Layers shared between configs: schema templates and the layers of every
//! config that others extend, computed once per environment so that a child
//! starts from a copy of its parent instead of re-layering the whole chain.
//!
//! With a parent's layers the cache keeps its [`Consts`]: the checked values
//! of its leaves set only by literals, so that the thousands of children
//! that inherit a default do not evaluate and type-check it again.

use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::{Expr, ExprKind, UnaryOp};
use crate::diagnostics::Diagnostic;
use crate::merge::{self, apply_config, Applier, Layers, NodeId, Slot};
use crate::resolve::{ConfigId, Program};
use crate::source::Span;
use crate::types::ObjId;

use super::{ConfigEval, Ctx, Value};

/// Precomputed layers, shared read-only between threads.
#[derive(Debug, Default)]
pub struct LayerCache<'a> {
    templates: IndexMap<Option<ObjId>, Layers<'a>>,
    parents: IndexMap<(ConfigId, Option<usize>), Layers<'a>>,
    consts: IndexMap<(ConfigId, Option<usize>), Consts>,
}

/// The values of the literal-only leaves of one cached [`Layers`], by node.
///
/// Each entry remembers the address of the step list it was computed from.
/// Layers copied from the cached ones share a leaf's step list until they
/// assign to that leaf (copy-on-write), so an equal address proves the
/// leaf's steps are unchanged and the value still holds; the cache keeps the
/// list alive, so the address cannot be reused meanwhile.
#[derive(Debug, Default)]
pub struct Consts {
    by_node: Vec<Option<(usize, Value)>>,
}

impl Consts {
    /// The value of leaf `id` of `layers`, if its steps are the ones it was computed from.
    pub fn get(&self, layers: &Layers<'_>, id: NodeId) -> Option<&Value> {
        let (addr, v) = self.by_node.get(id as usize)?.as_ref()?;
        match &layers.node(id).slot {
            Slot::Leaf(steps) if Arc::as_ptr(steps) as usize == *addr => Some(v),
            _ => None,
        }
    }

    /// Evaluates every literal-only leaf of config `cid`'s `layers` in `env`;
    /// leaves that fail their type are left out (children report them).
    fn compute<'a>(
        prog: &Program<'a>,
        cache: &LayerCache<'a>,
        cid: ConfigId,
        env: Option<usize>,
        layers: &Layers<'a>,
    ) -> Consts {
        let cx = Ctx::new(prog, cache, env);
        let ce = ConfigEval::new(cid, layers.clone(), None);
        let mut by_node = vec![None; layers.nodes.len()];
        for (id, node) in layers.nodes.iter().enumerate() {
            let Slot::Leaf(steps) = &node.slot else {
                continue;
            };
            let effective = layers.effective_steps(id as NodeId);
            if effective.is_empty() || !effective.iter().all(|s| is_literal(s.expr)) {
                continue;
            }
            if let Ok(v) = cx.force_leaf(&ce, id as NodeId, Span::default()) {
                by_node[id] = Some((Arc::as_ptr(steps) as usize, v));
            }
        }
        Consts { by_node }
    }
}

/// Whether `e` has the same value wherever it is evaluated.
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Duration(_) => true,
        ExprKind::List(items) => items.iter().all(is_literal),
        ExprKind::Unary(UnaryOp::Neg, inner) => is_literal(inner),
        _ => false,
    }
}

impl<'a> LayerCache<'a> {
    /// Builds templates for every schema a config uses and layers for every parent config.
    pub fn build(prog: &Program<'a>, diags: &mut Vec<Diagnostic>) -> LayerCache<'a> {
        let mut cache = LayerCache::default();
        for c in &prog.configs {
            if !cache.templates.contains_key(&c.schema) {
                let t = merge::for_schema(prog, c.schema, diags);
                cache.templates.insert(c.schema, t);
            }
        }
        // Chains list ancestors first, so walking configs by chain length
        // guarantees a parent is cached before its children need it.
        let mut order: Vec<ConfigId> = (0..prog.configs.len() as u32).map(ConfigId).collect();
        order.sort_by_key(|c| prog.configs[c.0 as usize].chain.len());
        for cid in order {
            let c = &prog.configs[cid.0 as usize];
            if !c.has_children || c.broken {
                continue;
            }
            for env in prog.env_slots() {
                let layers = cache.layers_for(prog, cid, env, diags);
                let consts = Consts::compute(prog, &cache, cid, env, &layers);
                cache.parents.insert((cid, env), layers);
                cache.consts.insert((cid, env), consts);
            }
        }
        cache
    }

    /// Replaces the layers evaluation uses for config `cid` in `env` (tools
    /// such as `check-runtime` evaluate layers with extra steps).
    pub fn set_layers(&mut self, cid: ConfigId, env: Option<usize>, layers: Layers<'a>) {
        self.parents.insert((cid, env), layers);
        self.consts.swap_remove(&(cid, env));
    }

    /// The literal values that hold for the layers [`LayerCache::layers_for`]
    /// gives config `cid` in `env` (those of the cached layers it copies).
    pub fn consts_for(
        &self,
        prog: &Program<'a>,
        cid: ConfigId,
        env: Option<usize>,
    ) -> Option<&Consts> {
        if self.parents.contains_key(&(cid, env)) {
            return self.consts.get(&(cid, env));
        }
        let c = &prog.configs[cid.0 as usize];
        let p = c.parent?;
        if prog.configs[p.0 as usize].schema != c.schema {
            return None;
        }
        self.consts.get(&(p, env))
    }

    /// The layers of config `cid` in `env`: parent layers (cached) plus its own body.
    pub fn layers_for(
        &self,
        prog: &Program<'a>,
        cid: ConfigId,
        env: Option<usize>,
        diags: &mut Vec<Diagnostic>,
    ) -> Layers<'a> {
        let c = &prog.configs[cid.0 as usize];
        if let Some(cached) = self.parents.get(&(cid, env)) {
            return cached.clone();
        }
        let structural = c.schema.is_none();
        let mut ap = Applier::new(prog, structural);
        let from_parent = c.parent.and_then(|p| {
            let same_schema = prog.configs[p.0 as usize].schema == c.schema;
            self.parents.get(&(p, env)).filter(|_| same_schema)
        });
        let mut layers = match from_parent {
            Some(parent) => {
                let mut l = parent.clone();
                apply_config(&mut ap, &mut l, cid, env);
                l
            }
            None => {
                let mut l = match self.templates.get(&c.schema) {
                    Some(t) => t.clone(),
                    None => merge::for_schema(prog, c.schema, diags),
                };
                for &link in &c.chain {
                    apply_config(&mut ap, &mut l, link, env);
                }
                l
            }
        };
        layers.nodes.shrink_to_fit();
        diags.append(&mut ap.diags);
        layers
    }
}
