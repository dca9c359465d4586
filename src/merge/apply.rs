//! Applying config bodies, env blocks and object literals to [`Layers`].

use crate::ast::{AssignOp, Declare, Expr, ExprKind, Key, Name, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::resolve::{ConfigId, EnvId, IdVec, Program};
use crate::source::Span;
use crate::suggest;
use crate::types::Ty;

use super::template::instantiate;
use super::{Layers, NodeId, Op, Origin, Slot, ROOT};

/// Applies statements to layers, collecting the diagnostics it finds.
#[derive(Debug)]
pub struct Applier<'p, 'a> {
    pub prog: &'p Program<'a>,
    /// A config without schema: overrides may not change a value's type.
    pub structural: bool,
    pub diags: Vec<Diagnostic>,
    /// The config being layered (for `config` on diagnostics).
    pub config: Option<ConfigId>,
    /// Whether assignments may create map entries. Inside `env` blocks a new
    /// entry needs `+=` (LANGUAGE.md §9.3), so that a typo'd key is an
    /// error instead of a new entry with the schema's defaults.
    pub new_keys: bool,
    /// Inside the object literal of a `:=`: its leaves record `Op::Replace`,
    /// so that `explain` shows the replacing statement.
    replacing: bool,
}

/// Applies config `cid`'s own body, then its env blocks for `env`'s chain.
pub fn apply_config<'a>(
    ap: &mut Applier<'_, 'a>,
    layers: &mut Layers<'a>,
    cid: ConfigId,
    env: Option<EnvId>,
) {
    apply_body(ap, layers, cid);
    apply_env_blocks(ap, layers, cid, env);
}

/// Applies config `cid`'s body outside `env` blocks.
pub fn apply_body<'a>(ap: &mut Applier<'_, 'a>, layers: &mut Layers<'a>, cid: ConfigId) {
    let body = &ap.prog.configs[cid].decl.body;
    ap.config = Some(cid);
    let plain = Origin::Config {
        config: cid,
        env: None,
    };
    for stmt in body {
        if !matches!(stmt, Stmt::Env(_)) {
            ap.stmt_at(layers, ROOT, stmt, plain, false);
        }
    }
}

/// Applies config `cid`'s `env` blocks for `env`'s chain (ancestors first).
pub fn apply_env_blocks<'a>(
    ap: &mut Applier<'_, 'a>,
    layers: &mut Layers<'a>,
    cid: ConfigId,
    env: Option<EnvId>,
) {
    let prog = ap.prog;
    let body = &prog.configs[cid].decl.body;
    ap.config = Some(cid);
    let Some(env) = env else { return };
    // The blocks naming `env` or one of its ancestors, ancestors first and
    // in source order within one: found with an O(1) ancestry test per
    // named environment, not a walk of `env`'s chain per block.
    let mut hits: Vec<(u32, usize, EnvId)> = Vec::new();
    for (i, stmt) in body.iter().enumerate() {
        let Stmt::Env(block) = stmt else { continue };
        for name in &block.envs {
            if let Some(anc) = prog.env_tree.id(&name.name) {
                if prog.env_extends(env, anc) {
                    hits.push((prog.env_tree.depth(anc), i, anc));
                }
            }
        }
    }
    hits.sort_unstable();
    hits.dedup();
    for (_, i, anc) in hits {
        apply_env_block(ap, layers, cid, anc, i);
    }
}

/// Applies the `env` block that is statement `index` of config `cid`'s
/// body, for environment `env` (one the block names): the step of layering
/// that [`apply_env_blocks`] repeats for each block of an environment's chain.
pub fn apply_env_block<'a>(
    ap: &mut Applier<'_, 'a>,
    layers: &mut Layers<'a>,
    cid: ConfigId,
    env: EnvId,
    index: usize,
) {
    let body = &ap.prog.configs[cid].decl.body;
    let Some(Stmt::Env(block)) = body.get(index) else {
        return;
    };
    ap.config = Some(cid);
    let origin = Origin::Config {
        config: cid,
        env: Some(env),
    };
    let free = std::mem::replace(&mut ap.new_keys, false);
    ap.body(layers, ROOT, &block.body, origin, false);
    ap.new_keys = free;
}

/// The `env` blocks of config `cid` by the environment they name: per
/// environment, the indices of the body's statements that are its blocks,
/// in source order (a block naming several environments is in each list).
pub fn env_blocks_by_env(prog: &Program<'_>, cid: ConfigId) -> IdVec<EnvId, Vec<usize>> {
    let mut out = prog.envs.map(|_| Vec::new());
    for (i, stmt) in prog.configs[cid].decl.body.iter().enumerate() {
        let Stmt::Env(block) = stmt else { continue };
        for name in &block.envs {
            if let Some(env) = prog.env_tree.id(&name.name) {
                // `env` indexes `prog.envs`, which `out` maps.
                let list = &mut out[env];
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
    }
    out
}

impl<'p, 'a> Applier<'p, 'a> {
    /// An applier for `prog`.
    pub fn new(prog: &'p Program<'a>, structural: bool) -> Applier<'p, 'a> {
        Applier {
            prog,
            structural,
            diags: Vec::new(),
            config: None,
            new_keys: true,
            replacing: false,
        }
    }

    pub(super) fn with_config(&self, d: Diagnostic) -> Diagnostic {
        match self.config {
            Some(c) => d.with_config(&*self.prog.configs[c].name),
            None => d,
        }
    }

    /// Applies statements at node `at`.
    pub fn body(
        &mut self,
        layers: &mut Layers<'a>,
        at: NodeId,
        stmts: &'a [Stmt],
        origin: Origin,
        default: bool,
    ) {
        for stmt in stmts {
            self.stmt_at(layers, at, stmt, origin, default);
        }
    }

    /// Applies one statement at the root (a command-line override).
    pub fn root_stmt(&mut self, layers: &mut Layers<'a>, stmt: &'a Stmt, origin: Origin) {
        self.stmt_at(layers, ROOT, stmt, origin, false);
    }

    /// Applies one statement at node `at`.
    pub(super) fn stmt_at(
        &mut self,
        layers: &mut Layers<'a>,
        at: NodeId,
        stmt: &'a Stmt,
        origin: Origin,
        default: bool,
    ) {
        match stmt {
            Stmt::Assign(a) if a.op == AssignOp::Unset => self.unset(layers, at, a, origin),
            Stmt::Assign(a) => {
                let Some((last, init)) = a.path.keys.split_last() else {
                    return;
                };
                let Some(parent) = self.navigate(layers, at, init) else {
                    return;
                };
                let Some(node) = self.child(layers, parent, last) else {
                    return;
                };
                self.assign(layers, node, last.span, a.op, &a.value, origin, default);
            }
            Stmt::Block(b) => {
                let Some((last, init)) = b.path.keys.split_last() else {
                    return;
                };
                let Some(parent) = self.navigate(layers, at, init) else {
                    return;
                };
                let Some(node) = self.child(layers, parent, last) else {
                    return;
                };
                // A union of schemas takes its member from the block's tag.
                if !self.select_member(layers, node, &b.body, AssignOp::Set, last.span) {
                    return;
                }
                if self.make_object(layers, node, last.span).is_some() {
                    self.body(layers, node, &b.body, origin, default);
                }
            }
            // Env blocks below the top level are rejected by the parser.
            Stmt::Env(_) => {}
            Stmt::Declare(d) => self.declare(layers, at, d, origin),
        }
    }

    /// Follows `keys` from `at`, making every node on the way an object.
    fn navigate(&mut self, layers: &mut Layers<'a>, at: NodeId, keys: &'a [Key]) -> Option<NodeId> {
        let mut cur = at;
        for key in keys {
            let next = self.child(layers, cur, key)?;
            self.make_object(layers, next, key.span)?;
            cur = next;
        }
        Some(cur)
    }

    /// The child `key` of object node `at`, created when the type allows.
    pub(super) fn child(
        &mut self,
        layers: &mut Layers<'a>,
        at: NodeId,
        key: &'a Key,
    ) -> Option<NodeId> {
        let Slot::Obj(children) = &layers.node(at).slot else {
            return None;
        };
        let prog = self.prog;
        let ty = layers.node(at).ty.map(|t| prog.ty(t));
        let is_map = matches!(ty.map(|t| &t.ty), Some(Ty::Map(_)));
        if let Some(&id) = children.get(&key.name) {
            if !(is_map && !self.new_keys && layers.is_absent(id)) {
                return Some(id);
            }
        }
        if is_map && !self.new_keys {
            self.unknown_key(layers, at, key, true);
            return None;
        }
        match ty.map(|t| &t.ty) {
            Some(Ty::Object(obj)) => {
                let o = prog.obj(*obj);
                let what = match &o.name {
                    Some(n) => format!("schema `{n}`"),
                    None => "this object type".to_owned(),
                };
                let mut d = Diagnostic::error(
                    Code::UnknownField,
                    key.span,
                    format!(
                        "unknown field `{}`: {what} declares no such field",
                        key.name
                    ),
                )
                .with_label(o.span, format!("{what} declared here"));
                if let Some(s) = suggest::closest(&key.name, o.fields.keys().map(|k| &**k)) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                    // The field it meant is then unset: that is this mistake too.
                    layers.explained.push((at, Name::from(s)));
                } else {
                    let names: Vec<&str> = o.fields.keys().map(|k| &**k).take(12).collect();
                    d = d.with_help(format!("declared fields: {}", names.join(", ")));
                }
                let d = self.with_config(d);
                self.diags.push(d);
                None
            }
            Some(Ty::Map(elem)) => {
                let elem = *elem;
                Some(instantiate(
                    self,
                    layers,
                    at,
                    key.name.clone(),
                    Some(elem),
                    None,
                ))
            }
            _ => Some(instantiate(self, layers, at, key.name.clone(), None, None)),
        }
    }

    /// `path: TYPE` (a leaf declared without a value): the leaf gets the
    /// declared type, which every later step's value is checked against,
    /// and is recorded in `Layers::declared` so that `finish` reports it
    /// when nothing sets it. Refused by `resolve` in `env` blocks and in
    /// configs with a schema, and ignored here.
    fn declare(&mut self, layers: &mut Layers<'a>, at: NodeId, d: &'a Declare, origin: Origin) {
        if !self.structural || matches!(origin, Origin::Config { env: Some(_), .. }) {
            return;
        }
        let Some(&ty) = self.prog.decl_tys.get(&d.span) else {
            return;
        };
        let Some((last, init)) = d.path.keys.split_last() else {
            return;
        };
        let Some(parent) = self.navigate(layers, at, init) else {
            return;
        };
        let Some(node) = self.child(layers, parent, last) else {
            return;
        };
        if let Slot::Obj(children) = &layers.node(node).slot {
            // A structural key starts as an empty object until assigned.
            if children.is_empty() {
                layers.nodes[node as usize].slot = Slot::empty_leaf();
            } else {
                let path = layers.dotted(node);
                let d = Diagnostic::error(
                    Code::TypeMismatch,
                    d.span,
                    format!(
                        "`{path}` is declared `{}`, but it is an object",
                        self.prog.ty_name(ty)
                    ),
                )
                .with_help("declare the object's leaves one by one, or assign the object");
                let d = self.with_config(d);
                self.diags.push(d);
                return;
            }
        }
        layers.nodes[node as usize].ty = Some(ty);
        layers.declared.push((node, d, origin));
    }

    #[allow(clippy::too_many_arguments)] // reason: one call site; a struct would only rename these
    fn assign(
        &mut self,
        layers: &mut Layers<'a>,
        id: NodeId,
        key_span: Span,
        op: AssignOp,
        expr: &'a Expr,
        origin: Origin,
        default: bool,
    ) {
        if op == AssignOp::Replace {
            self.clear(layers, id);
        }
        if let (AssignOp::Set | AssignOp::Replace, ExprKind::Object(stmts)) = (op, &expr.kind) {
            if !self.select_member(layers, id, stmts, op, key_span) {
                return;
            }
        }
        match (op, &expr.kind) {
            (AssignOp::Set | AssignOp::Replace, ExprKind::Object(stmts))
                if self.make_object_for_literal(layers, id, key_span) =>
            {
                // `:=` starts afresh: what it writes may add map keys.
                let replace = op == AssignOp::Replace;
                let (free, was) = (self.new_keys, self.replacing);
                self.new_keys |= replace;
                self.replacing |= replace;
                self.body(layers, id, stmts, origin, default);
                self.new_keys = free;
                self.replacing = was;
                return;
            }
            (AssignOp::Append, ExprKind::Object(stmts)) if self.is_map(layers, id) => {
                self.add_entries(layers, id, stmts, origin, default, key_span);
                return;
            }
            _ => {}
        }
        self.deprecated(layers, id, key_span, default);
        let op = match (op, default) {
            (_, true) => Op::Default,
            (AssignOp::Set, false) if self.replacing => Op::Replace,
            (AssignOp::Set, false) => Op::Set,
            (AssignOp::Append, false) => Op::Append,
            (AssignOp::Replace, false) => Op::Replace,
            (AssignOp::Unset, false) => Op::Unset,
        };
        if let Slot::Obj(_) = layers.node(id).slot {
            if !self.replace_object(layers, id, key_span, op, expr) {
                return;
            }
        }
        if matches!(op, Op::Set | Op::Default) && self.structural {
            self.check_type_change(layers, id, expr);
        }
        layers.push_step(id, op, expr, origin);
        if matches!(op, Op::Set | Op::Replace) {
            self.tag_changed(layers, id, expr);
        }
    }
}
