//! Layers shared between configs: schema templates and the layers of every
//! config that others extend, computed once per environment so that a child
//! starts from a copy of its parent instead of re-layering the whole chain.

use indexmap::IndexMap;

use crate::diagnostics::Diagnostic;
use crate::merge::{self, apply_config, Applier, Layers};
use crate::resolve::{ConfigId, Program};
use crate::types::ObjId;

/// Precomputed layers, shared read-only between threads.
#[derive(Debug, Default)]
pub struct LayerCache<'a> {
    templates: IndexMap<Option<ObjId>, Layers<'a>>,
    parents: IndexMap<(ConfigId, Option<usize>), Layers<'a>>,
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
                cache.parents.insert((cid, env), layers);
            }
        }
        cache
    }

    /// Replaces the layers evaluation uses for config `cid` in `env` (tools
    /// such as `check-runtime` evaluate layers with extra steps).
    pub fn set_layers(&mut self, cid: ConfigId, env: Option<usize>, layers: Layers<'a>) {
        self.parents.insert((cid, env), layers);
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
