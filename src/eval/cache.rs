//! Layers shared between configs: schema templates and the layers of every
//! config that others extend, computed once per environment so that a child
//! starts from a copy of its parent instead of re-layering the whole chain.
//!
//! With a parent's layers the cache keeps its [`Consts`]: the checked values
//! of its leaves set only by literals, so that the thousands of children
//! that inherit a default do not evaluate and type-check it again.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::Stmt;
use crate::diagnostics::Diagnostic;
use crate::merge::{self, apply_body, apply_config, Applier, Layers, NodeId, Slot};
use crate::resolve::{ConfigId, EnvId, IdVec, Program};
use crate::source::Span;
use crate::types::ObjId;

use super::{ConfigEval, Ctx, Value};

/// Precomputed layers, shared read-only between threads (a sweep gives
/// each worker a copy: the copies share every layer).
#[derive(Debug, Default, Clone)]
pub struct LayerCache<'a> {
    templates: IndexMap<Option<ObjId>, Layers<'a>>,
    parents: IndexMap<(ConfigId, Option<EnvId>), Layers<'a>>,
    consts: IndexMap<(ConfigId, Option<EnvId>), Arc<Consts>>,
    /// Per config: whether no config of its chain has `env` blocks, so
    /// that its layers before its own env blocks are the same in every environment.
    env_free: IdVec<ConfigId, bool>,
    /// Whether any schema field is `@invariant` or `@distinct`.
    cross_env_markers: bool,
    /// Command-line overrides, applied last to a config's own layers (never
    /// to the cached layers its children start from).
    overrides: crate::overrides::OverrideTable<'a>,
    /// Today's date for the flag expiry warning, read once per compilation.
    today: std::sync::OnceLock<String>,
}

/// Which cached layers a body starts from: a parent's in an environment,
/// or a schema's template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyKey {
    Parent(ConfigId, Option<EnvId>),
    Template(Option<ObjId>),
}

/// Per thread of the pool (and one slot for any other thread), a private
/// copy ([`Layers::private_copy`]) of the cached layers a config body last
/// started from. A body starts from a clone of its thread's copy: the
/// threads share no reference count (they would contend on the cached
/// layers' counters), and thousands of children of one parent cost one
/// deep copy per thread instead of one each. One entry per thread bounds
/// the memory: a chain of distinct parents copies each once, as before.
///
/// Kept beside the cache for one compilation, not in it: its locks would
/// make the cache invariant in `'a`.
#[derive(Debug, Default)]
pub struct ThreadCopies<'a> {
    slots: std::sync::OnceLock<Vec<CopySlot<'a>>>,
}

/// One thread's copy, and which layers it copies.
type CopySlot<'a> = std::sync::Mutex<Option<(CopyKey, Layers<'a>)>>;

impl<'a> ThreadCopies<'a> {
    /// A clone of this thread's copy of `layers` (known as `key`).
    fn get(&self, key: CopyKey, layers: &Layers<'a>) -> Layers<'a> {
        let slots = self.slots.get_or_init(|| {
            (0..=rayon::current_num_threads())
                .map(|_| std::sync::Mutex::new(None))
                .collect()
        });
        let slot = rayon::current_thread_index().map_or(0, |i| i + 1);
        // Only this thread takes its slot's lock (another pool's thread of
        // the same index may: then it waits, or copies on its own).
        let Some(Ok(mut held)) = slots.get(slot).map(|m| m.try_lock()) else {
            return layers.private_copy();
        };
        match &*held {
            Some((k, copy)) if *k == key => copy.clone(),
            _ => {
                let copy = layers.private_copy();
                *held = Some((key, copy.clone()));
                copy
            }
        }
    }
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
    by_node: ByNode,
    /// For a private copy of the base's layers ([`Layers::private_copy`]):
    /// the address of each copied step list whose value is the base's own
    /// entry for the same node.
    carried: Vec<Option<usize>>,
    /// The table of the layers these were copied from, for the leaves not recomputed.
    base: Option<Arc<Consts>>,
}

impl Consts {
    /// The value of leaf `id` of `layers`, if its steps are the ones it was
    /// computed from. Follows the `base` tables in a loop (a table's base
    /// has none beyond its own, but nothing here needs that).
    pub fn get(&self, layers: &Layers<'_>, id: NodeId) -> Option<&Value> {
        let Slot::Leaf(steps) = &layers.node(id).slot else {
            return None;
        };
        let addr = steps.id();
        let mut table = self;
        loop {
            if let Some((a, v)) = table.by_node.get(id as usize) {
                if *a == addr {
                    return Some(v);
                }
            }
            let base = table.base.as_deref()?;
            if table.carried.get(id as usize) == Some(&Some(addr)) {
                return base.by_node.get(id as usize).map(|(_, v)| v);
            }
            table = base;
        }
    }

    /// The table for `copy`, a private copy of `from` (whose table is
    /// `base`) that may have been layered further: an entry of `base` that
    /// holds for `from` holds for the copy's leaf when its steps are still
    /// the same ones (same sequence numbers: the copy's step lists are not
    /// `from`'s, and may be shared with its thread's copy, [`ThreadCopies`],
    /// so their addresses prove nothing about `from`'s).
    fn carry(base: &Arc<Consts>, from: &Layers<'_>, copy: &Layers<'_>) -> Consts {
        let carried = (0..copy.nodes.len() as NodeId)
            .map(|id| {
                let (a, _) = base.by_node.get(id as usize)?;
                let (Slot::Leaf(now), Some(Slot::Leaf(was))) = (
                    &copy.node(id).slot,
                    from.nodes.get(id as usize).map(|n| &n.slot),
                ) else {
                    return None;
                };
                let same = was.id() == *a && now.same_seqs(was);
                same.then_some(now.id())
            })
            .collect();
        Consts {
            by_node: ByNode::default(),
            carried,
            base: Some(Arc::clone(base)),
        }
    }

    /// Evaluates every literal-only leaf of config `cid`'s `layers` in `env`
    /// that `base` does not hold already; leaves that fail their type are
    /// left out (evaluation reports them where they are used).
    /// `inherit` is the table of the cached layers `layers` were copied
    /// from: its entries whose step list is still the leaf's hold as they
    /// are (the table shares them, [`ByNode`]), the others are dropped.
    /// The layers are passed through (evaluation borrows them, nothing changes them).
    fn compute<'a>(
        prog: &Program<'a>,
        cache: &LayerCache<'a>,
        cid: ConfigId,
        env: Option<EnvId>,
        layers: Layers<'a>,
        base: Option<Arc<Consts>>,
        inherit: Option<&Consts>,
    ) -> (Consts, Layers<'a>) {
        let cx = Ctx::new(prog, cache, env);
        let ce = ConfigEval::new(cid, layers, base.clone());
        let layers = &ce.layers;
        let mut by_node = inherit.map(|c| c.by_node.clone()).unwrap_or_default();
        for (id, node) in layers.nodes.iter().enumerate() {
            let Slot::Leaf(steps) = &node.slot else {
                continue;
            };
            if let Some((a, _)) = by_node.get(id) {
                if *a == steps.id() {
                    continue;
                }
                // Computed for another step list, which may be freed.
                by_node.set(id, None);
            }
            let effective = layers.effective_steps(id as NodeId);
            if effective.is_empty()
                || ce.constant(id as NodeId).is_some()
                || !effective.iter().all(|s| s.expr.is_literal())
            {
                continue;
            }
            if let Ok(v) = cx.force_leaf(&ce, id as NodeId, Span::default()) {
                by_node.set(id, Some((steps.id(), v)));
            }
        }
        let consts = Consts {
            by_node,
            carried: Vec::new(),
            base,
        };
        (consts, ce.layers)
    }
}

/// A leaf's value and the identity of the step list it was computed from.
type Entry = Option<(usize, Value)>;

/// Entries per [`ByNode`] chunk.
const CHUNK: usize = 16;

/// A [`Consts`] table by node id, in chunks shared copy-on-write: a child
/// config's table starts as its parent's (the same chunks) and copies only
/// the chunks of the leaves it changes, so that an inheritance chain where
/// each config adds a field keeps one copy of each value, not one per
/// descendant.
#[derive(Debug, Default, Clone)]
struct ByNode {
    chunks: Vec<Arc<Vec<Entry>>>,
}

impl ByNode {
    fn get(&self, id: usize) -> Option<&(usize, Value)> {
        self.chunks.get(id / CHUNK)?.get(id % CHUNK)?.as_ref()
    }

    fn set(&mut self, id: usize, entry: Entry) {
        let (c, i) = (id / CHUNK, id % CHUNK);
        if entry.is_none() && self.get(id).is_none() {
            return;
        }
        if c >= self.chunks.len() {
            self.chunks.resize_with(c + 1, Arc::default);
        }
        // A chunk holds up to its last entry set (at most `CHUNK`), so
        // that small tables stay small.
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        if chunk.len() <= i {
            chunk.resize(i + 1, None);
        }
        chunk[i] = entry;
    }
}

/// A config's layers after its body, shared by every environment; see
/// [`LayerCache::shared_body`].
#[derive(Debug)]
pub struct SharedBody<'a> {
    pub layers: Layers<'a>,
    /// Problems found applying the body (no `env` yet).
    pub diags: Vec<Diagnostic>,
    pub consts: Option<Arc<Consts>>,
    /// The layers after the env blocks of the environments asked for so
    /// far, for their descendants to start from.
    by_env: RefCell<EnvLayering<'a>>,
}

/// Incremental env layering: an environment's layers are its parent
/// environment's plus its own blocks (ancestors' blocks come first, in
/// source order within one, LANGUAGE.md §5), so each block is applied once
/// per config, not once per descendant environment.
#[derive(Debug, Default)]
struct EnvLayering<'a> {
    /// Per environment: the config's blocks naming it (statement indices);
    /// built on first use.
    blocks: Option<IdVec<EnvId, Vec<usize>>>,
    /// Per environment, once known: `None` when its layers are the body's
    /// (no block in its chain), else the state after its chain's blocks.
    /// Kept while the environment or one of its children is still to be
    /// asked for, so that an environment chain keeps about two states alive.
    known: Option<IdVec<EnvId, Option<Option<Rc<EnvState<'a>>>>>>,
    /// Per environment: 1 until it is asked for, plus its children whose
    /// states are not derived yet. A state is dropped at 0.
    pending: Option<IdVec<EnvId, u32>>,
}

/// The layers of one environment after the env blocks of its chain, and
/// the problems applying them found (in application order).
#[derive(Debug)]
struct EnvState<'a> {
    layers: Layers<'a>,
    diags: Vec<Diagnostic>,
}

impl<'a> SharedBody<'a> {
    /// The state after the env blocks of `env`'s chain (`None`: the body's
    /// layers, no block applies), computed from the nearest ancestor whose
    /// state is known.
    fn env_state(&self, prog: &Program<'a>, cid: ConfigId, env: EnvId) -> Option<Rc<EnvState<'a>>> {
        let mut memo = self.by_env.borrow_mut();
        let EnvLayering {
            blocks,
            known,
            pending,
        } = &mut *memo;
        let blocks = blocks.get_or_insert_with(|| merge::env_blocks_by_env(prog, cid));
        let known = known.get_or_insert_with(|| prog.envs.map(|_| None));
        let pending = pending.get_or_insert_with(|| {
            let mut p = prog.envs.map(|_| 1u32);
            for e in &prog.envs {
                if let Some(parent) = e.parent {
                    p[parent] += 1;
                }
            }
            p
        });
        // Forgets `e`'s state once nothing will start from it again.
        let mut done = |e: EnvId, known: &mut IdVec<EnvId, Option<Option<Rc<EnvState<'a>>>>>| {
            pending[e] = pending[e].saturating_sub(1);
            if pending[e] == 0 {
                known[e] = None;
            }
        };
        // The environments from `env` up to the first known one (or the root).
        let mut path = Vec::new();
        let mut base = None;
        let mut cur = Some(env);
        while let Some(e) = cur {
            if let Some(state) = &known[e] {
                base = state.clone();
                break;
            }
            path.push(e);
            cur = prog.envs[e].parent;
        }
        for &e in path.iter().rev() {
            if !blocks[e].is_empty() {
                let (mut layers, mut diags) = match &base {
                    Some(s) => (s.layers.clone(), s.diags.clone()),
                    None => (self.layers.clone(), Vec::new()),
                };
                let mut ap = Applier::new(prog, prog.configs[cid].schema.is_none());
                for &i in &blocks[e] {
                    merge::apply_env_block(&mut ap, &mut layers, cid, e, i);
                }
                diags.append(&mut ap.diags);
                base = Some(Rc::new(EnvState { layers, diags }));
            }
            known[e] = Some(base.clone());
            if let Some(parent) = prog.envs[e].parent {
                done(parent, known);
            }
        }
        done(env, known);
        base
    }
}

impl<'a> LayerCache<'a> {
    /// Builds templates for every schema a config uses and layers for every parent config.
    pub fn build(prog: &Program<'a>, diags: &mut Vec<Diagnostic>) -> LayerCache<'a> {
        let mut cache = LayerCache {
            cross_env_markers: prog.objs.iter().any(|o| {
                o.fields
                    .values()
                    .any(|f| f.markers.invariant.is_some() || f.markers.distinct.is_some())
            }),
            ..LayerCache::default()
        };
        let own_env_free: IdVec<ConfigId, bool> = prog
            .configs
            .map(|c| !c.decl.body.iter().any(|s| matches!(s, Stmt::Env(_))));
        // Parents before children (by depth), so each config reads its
        // parent's answer instead of walking its chain.
        let mut by_depth: Vec<ConfigId> = prog.configs.ids().collect();
        by_depth.sort_by_key(|&c| prog.configs[c].depth);
        cache.env_free = own_env_free.clone();
        for &c in &by_depth {
            if let Some(p) = prog.configs[c].parent {
                cache.env_free[c] = own_env_free[c] && cache.env_free[p];
            }
        }
        for c in &prog.configs {
            if !cache.templates.contains_key(&c.schema) {
                let t = merge::for_schema(prog, c.schema, diags);
                cache.templates.insert(c.schema, t);
            }
        }
        // Walking configs by depth guarantees a parent is cached before its
        // children need it.
        for cid in by_depth {
            let c = &prog.configs[cid];
            if !c.has_children || c.broken {
                continue;
            }
            for env in prog.env_slots() {
                let layers = cache.source_layers(prog, cid, env, diags);
                let inherit = Self::base_parent(prog, cid)
                    .and_then(|p| cache.consts.get(&(p, env)))
                    .cloned();
                let (consts, layers) =
                    Consts::compute(prog, &cache, cid, env, layers, None, inherit.as_deref());
                cache.parents.insert((cid, env), layers);
                cache.consts.insert((cid, env), Arc::new(consts));
            }
        }
        cache
    }

    /// Whether any schema field is `@invariant` or `@distinct` (else no
    /// evaluation needs to look for them).
    pub fn has_cross_env_markers(&self) -> bool {
        self.cross_env_markers
    }

    /// The layers of config `cid` after its body, before its `env` blocks,
    /// when they are the same in every environment (they start from a
    /// parent without `env` blocks in its chain, or from the schema): then
    /// each environment only adds its env blocks to a copy, instead of
    /// layering the body again. `None` when the layers differ by environment.
    pub fn shared_body(
        &self,
        prog: &Program<'a>,
        cid: ConfigId,
        env: Option<EnvId>,
        copies: Option<&ThreadCopies<'a>>,
    ) -> Option<SharedBody<'a>> {
        let copy = |key, layers: &Layers<'a>| match copies {
            Some(c) => c.get(key, layers),
            None => layers.private_copy(),
        };
        let c = &prog.configs[cid];
        let (mut layers, parent) = match c.parent {
            Some(p) if self.env_free.get(p) == Some(&true) => {
                if Self::base_parent(prog, cid) != Some(p) {
                    return None;
                }
                // A private copy: the threads evaluating children of one
                // parent would otherwise contend on its reference counts.
                let parent = self.parents.get(&(p, env))?;
                (
                    copy(CopyKey::Parent(p, env), parent),
                    Some((parent, self.consts.get(&(p, env)))),
                )
            }
            Some(_) => return None,
            None => {
                let template = self.templates.get(&c.schema)?;
                (copy(CopyKey::Template(c.schema), template), None)
            }
        };
        let mut ap = Applier::new(prog, c.schema.is_none());
        apply_body(&mut ap, &mut layers, cid);
        let base = match parent {
            Some((from, Some(consts))) => Some(Arc::new(Consts::carry(consts, from, &layers))),
            _ => None,
        };
        let (consts, layers) = Consts::compute(prog, self, cid, env, layers, base, None);
        Some(SharedBody {
            layers,
            diags: ap.diags,
            consts: Some(Arc::new(consts)),
            by_env: RefCell::default(),
        })
    }

    /// Adds config `cid`'s `env` blocks for `env` to a copy of its shared
    /// body: to a copy of the layers of `env`'s parent environment, when
    /// they were asked for before (see [`EnvLayering`]).
    pub fn layers_from_body(
        &self,
        prog: &Program<'a>,
        cid: ConfigId,
        env: Option<EnvId>,
        body: &SharedBody<'a>,
        diags: &mut Vec<Diagnostic>,
    ) -> Layers<'a> {
        diags.extend(body.diags.iter().cloned());
        let state = env.and_then(|e| body.env_state(prog, cid, e));
        let mut layers = match state {
            None => body.layers.clone(),
            Some(state) => match Rc::try_unwrap(state) {
                Ok(own) => {
                    diags.extend(own.diags);
                    own.layers
                }
                Err(shared) => {
                    diags.extend(shared.diags.iter().cloned());
                    shared.layers.clone()
                }
            },
        };
        crate::overrides::apply(prog, &self.overrides, &mut layers, cid, env, diags);
        layers
    }

    /// Makes `overrides` the command-line overrides of every later layering.
    pub fn set_overrides(&mut self, overrides: crate::overrides::OverrideTable<'a>) {
        self.overrides = overrides;
    }

    /// Today's UTC date (`YYYY-MM-DD`) for the flag expiry warning: the
    /// clock is read on the first flag of the compilation, never per
    /// evaluation (unless [`LayerCache::set_today`] gave the date).
    pub fn today(&self) -> &str {
        self.today.get_or_init(crate::types::flag::today)
    }

    /// Makes `date` the date of every flag expiry check of this compilation.
    pub fn set_today(&mut self, date: String) {
        self.today = std::sync::OnceLock::from(date);
    }

    /// Replaces the layers evaluation uses for config `cid` in `env` (tools
    /// such as `check-runtime` evaluate layers with extra steps).
    pub fn set_layers(&mut self, cid: ConfigId, env: Option<EnvId>, layers: Layers<'a>) {
        self.parents.insert((cid, env), layers);
        self.consts.swap_remove(&(cid, env));
    }

    /// The parent whose cached layers config `cid` starts from: its parent,
    /// when both have the same schema (else it starts from its schema).
    fn base_parent(prog: &Program<'a>, cid: ConfigId) -> Option<ConfigId> {
        let c = &prog.configs[cid];
        let p = c.parent?;
        (prog.configs[p].schema == c.schema).then_some(p)
    }

    /// The literal values that hold for the layers [`LayerCache::layers_for`]
    /// gives config `cid` in `env` (those of the cached layers it copies).
    pub fn consts_for(
        &self,
        prog: &Program<'a>,
        cid: ConfigId,
        env: Option<EnvId>,
    ) -> Option<&Arc<Consts>> {
        if self.parents.contains_key(&(cid, env)) {
            return self.consts.get(&(cid, env));
        }
        self.consts.get(&(Self::base_parent(prog, cid)?, env))
    }

    /// The layers of config `cid` in `env`: parent layers (cached) plus its
    /// own body, then the command-line overrides.
    pub fn layers_for(
        &self,
        prog: &Program<'a>,
        cid: ConfigId,
        env: Option<EnvId>,
        diags: &mut Vec<Diagnostic>,
    ) -> Layers<'a> {
        let mut layers = self.source_layers(prog, cid, env, diags);
        crate::overrides::apply(prog, &self.overrides, &mut layers, cid, env, diags);
        layers
    }

    /// [`LayerCache::layers_for`] without the overrides.
    fn source_layers(
        &self,
        prog: &Program<'a>,
        cid: ConfigId,
        env: Option<EnvId>,
        diags: &mut Vec<Diagnostic>,
    ) -> Layers<'a> {
        let c = &prog.configs[cid];
        if let Some(cached) = self.parents.get(&(cid, env)) {
            return cached.clone();
        }
        let structural = c.schema.is_none();
        let mut ap = Applier::new(prog, structural);
        let from_parent = Self::base_parent(prog, cid).and_then(|p| self.parents.get(&(p, env)));
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
                for link in prog.config_chain(cid) {
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

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::path::PathBuf;

    use crate::compile::{compile_paths, with_program};
    use crate::diagnostics::Diagnostics;
    use crate::loader::MemoryFs;
    use crate::merge::{apply_env_blocks, Applier, Layers, Op, Origin, Slot, Steps, ROOT};
    use crate::resolve::Program;

    /// Runs `f` on the program and cache of the one-file project `text`.
    fn with(text: &str, f: impl for<'p> FnOnce(&Program<'p>, &super::LayerCache<'p>)) {
        let mut fs = MemoryFs::new();
        fs.insert("/p/main.mcfg", text);
        let comp = compile_paths(&fs, &[PathBuf::from("/p")], None).unwrap();
        assert!(!comp.has_errors(), "{:#?}", comp.diags);
        let mut diags = Diagnostics::new();
        with_program(&comp.project, &mut diags, f);
    }

    fn steps_of<'s, 'a>(layers: &'s Layers<'a>, key: &str) -> &'s Steps<'a> {
        let id = layers.find(ROOT, &[key.into()]).unwrap();
        match &layers.node(id).slot {
            Slot::Leaf(steps) => steps,
            Slot::Obj(_) => panic!("`{key}` is an object"),
        }
    }

    #[test]
    fn a_child_config_shares_its_parents_steps() {
        let n = 300;
        let mut s = String::from("config c0 { v = 0 }\n");
        for i in 1..n {
            writeln!(s, "config c{i} extends c{} {{ v = {i} }}", i - 1).unwrap();
        }
        with(&s, |prog, cache| {
            let id = |i: usize| {
                prog.configs
                    .position(|c| *c.name == format!("c{i}"))
                    .unwrap()
            };
            let mut d = Vec::new();
            let parent = cache.layers_for(prog, id(n - 2), None, &mut d);
            let child = cache.layers_for(prog, id(n - 1), None, &mut d);
            let (p, c) = (steps_of(&parent, "v"), steps_of(&child, "v"));
            assert_eq!((p.len(), c.len()), (n - 1, n));
            // The child's list is the parent's plus one step, not a copy.
            assert!(c.extends(p));
            assert_eq!(c.effective().len(), 1);
            let seqs: Vec<u32> = c.iter().map(|s| s.seq).collect();
            assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
            assert!(d.is_empty(), "{d:#?}");
        });
    }

    #[test]
    fn a_long_environment_chain_derives_each_environment_from_its_parent() {
        let n = 10_000;
        let mut s = String::from("environments {\n  e0\n");
        for i in 1..n {
            writeln!(s, "  e{i} extends e{}", i - 1).unwrap();
        }
        s.push_str("}\nconfig one {\n  v = 0\n  tags = []\n");
        for i in 0..n {
            writeln!(s, "  env e{i} {{ v = {i} }}").unwrap();
            if i % 1000 == 0 {
                writeln!(s, "  env e{i} {{ tags += [{i}] }}").unwrap();
            }
        }
        s.push_str("}\n");
        with(&s, |prog, cache| {
            let cid = prog.configs.position(|c| &*c.name == "one").unwrap();
            let slots = prog.env_slots();
            let body = cache.shared_body(prog, cid, slots[0], None).unwrap();
            let mut prev: Option<Layers<'_>> = None;
            for (i, &env) in slots.iter().enumerate() {
                let mut d = Vec::new();
                let layers = cache.layers_from_body(prog, cid, env, &body, &mut d);
                assert!(d.is_empty(), "{d:#?}");
                let v = steps_of(&layers, "v");
                assert_eq!(v.len(), i + 2);
                if let Some(prev) = &prev {
                    // Its parent environment's steps plus its own block.
                    assert!(v.extends(steps_of(prev, "v")), "e{i}");
                }
                let last = v.last().unwrap();
                assert_eq!(last.op, Op::Set);
                assert_eq!(last.origin, Origin::Config { config: cid, env });
                if i % 1111 == 0 || i == n - 1 {
                    // The same steps, in the same order, as applying every
                    // block of the chain to the body again.
                    let mut full = body.layers.clone();
                    let mut ap = Applier::new(prog, true);
                    apply_env_blocks(&mut ap, &mut full, cid, env);
                    assert!(ap.diags.is_empty());
                    for key in ["v", "tags"] {
                        let key_of = |l: &Layers<'_>| {
                            steps_of(l, key)
                                .iter()
                                .map(|s| (s.op, s.origin, s.seq, s.expr.span))
                                .collect::<Vec<_>>()
                        };
                        assert_eq!(key_of(&layers), key_of(&full), "e{i} `{key}`");
                    }
                    assert_eq!(layers.next_seq, full.next_seq);
                    assert_eq!(steps_of(&layers, "tags").effective().len(), i / 1000 + 2);
                }
                prev = Some(layers);
            }
        });
    }

    #[test]
    fn a_child_configs_literal_values_share_its_parents_table() {
        let n = 200;
        let mut s = String::from("config c0 { f0 = 0 }\n");
        for i in 1..n {
            writeln!(s, "config c{i} extends c{} {{ f{i} = {i} }}", i - 1).unwrap();
        }
        with(&s, |prog, cache| {
            let id = |i: usize| {
                prog.configs
                    .position(|c| *c.name == format!("c{i}"))
                    .unwrap()
            };
            let (p, c) = (id(150), id(151));
            let (pt, ct) = (
                cache.consts_for(prog, p, None).unwrap(),
                cache.consts_for(prog, c, None).unwrap(),
            );
            // Every chunk but the one holding the child's new leaf is shared.
            assert_eq!(ct.by_node.chunks.len(), pt.by_node.chunks.len());
            let shared = (ct.by_node.chunks.iter())
                .zip(&pt.by_node.chunks)
                .filter(|(a, b)| std::sync::Arc::ptr_eq(a, b))
                .count();
            assert_eq!(shared, ct.by_node.chunks.len() - 1);
            let mut d = Vec::new();
            let layers = cache.layers_for(prog, c, None, &mut d);
            for i in [0, 15, 16, 150, 151] {
                let leaf = layers
                    .find(ROOT, &[format!("f{i}").as_str().into()])
                    .unwrap();
                let v = ct.get(&layers, leaf).map(|v| format!("{v:?}"));
                assert_eq!(
                    v,
                    Some(format!("{:?}", super::Value::Int(i as i64))),
                    "f{i}"
                );
            }
        });
    }
}
