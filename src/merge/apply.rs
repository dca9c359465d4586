//! Applying config bodies, env blocks and object literals to [`Layers`].

use crate::ast::{AssignOp, Expr, ExprKind, Key, Name, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::resolve::{ConfigId, Program};
use crate::source::Span;
use crate::suggest;
use crate::types::Ty;

use super::template::{fill_object, instantiate, is_object_ty};
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
    env: Option<usize>,
) {
    apply_body(ap, layers, cid);
    apply_env_blocks(ap, layers, cid, env);
}

/// Applies config `cid`'s body outside `env` blocks.
pub fn apply_body<'a>(ap: &mut Applier<'_, 'a>, layers: &mut Layers<'a>, cid: ConfigId) {
    let body = &ap.prog.configs[cid.0 as usize].decl.body;
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
    env: Option<usize>,
) {
    let prog = ap.prog;
    let body = &prog.configs[cid.0 as usize].decl.body;
    ap.config = Some(cid);
    let Some(env) = env else { return };
    for &anc in &prog.env_chains[env] {
        let name = &prog.envs[anc].name;
        let origin = Origin::Config {
            config: cid,
            env: Some(anc as u16),
        };
        for stmt in body {
            let Stmt::Env(block) = stmt else { continue };
            if block.envs.iter().any(|e| &e.name == name) {
                let free = std::mem::replace(&mut ap.new_keys, false);
                ap.body(layers, ROOT, &block.body, origin, false);
                ap.new_keys = free;
            }
        }
    }
}

/// "a" or "an" for a type name.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A short static kind of a literal expression, for structural type checks.
fn static_kind(e: &Expr) -> Option<&'static str> {
    Some(match &e.kind {
        ExprKind::Bool(_) => "bool",
        ExprKind::Int(_) => "int",
        ExprKind::Float(_) => "float",
        ExprKind::Str(_) | ExprKind::Interp(_) => "string",
        ExprKind::Duration(_) => "duration",
        ExprKind::List(_) => "list",
        ExprKind::Object(_) => "object",
        ExprKind::Unary(crate::ast::UnaryOp::Neg, inner) => return static_kind(inner),
        _ => return None,
    })
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
            Some(c) => d.with_config(&*self.prog.configs[c.0 as usize].name),
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
                    layers.typos.push((at, Name::from(s)));
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

    /// Turns leaf `id` into an object node when its type allows; reports otherwise.
    pub(super) fn make_object(
        &mut self,
        layers: &mut Layers<'a>,
        id: NodeId,
        at: Span,
    ) -> Option<()> {
        let node = layers.node(id);
        let Slot::Leaf(steps) = &node.slot else {
            return Some(());
        };
        let fresh = steps
            .iter()
            .rev()
            .find(|s| s.op != Op::Append)
            .is_none_or(|s| matches!(s.expr.kind, ExprKind::Null));
        if fresh && self.enter_sole_member(layers, id) {
            return Some(());
        }
        if fresh && self.tagged(layers, id).is_some() {
            // A union of schemas is entered only once its tag picked a member.
            if let Some((_, tagged)) = self.tagged(layers, id) {
                self.tag_problem(layers, id, tagged, at, None);
            }
            return None;
        }
        let node = layers.node(id);
        let Slot::Leaf(steps) = &node.slot else {
            return Some(());
        };
        let last = steps.iter().rev().find(|s| s.op != Op::Append).copied();
        let prog = self.prog;
        let declared = node.ty.map(|t| prog.ty(t));
        let typed_obj = declared.and_then(|t| match t.ty {
            Ty::Object(o) => Some(o),
            _ => None,
        });
        let convertible = match last.map(|s| &s.expr.kind) {
            None | Some(ExprKind::Null | ExprKind::Object(_)) => true,
            Some(_) => false,
        };
        if convertible && (typed_obj.is_some() || is_object_ty(prog, node.ty)) {
            match typed_obj {
                Some(obj) => fill_object(self, layers, id, obj),
                None => layers.nodes[id as usize].slot = Slot::empty_obj(),
            }
            return Some(());
        }
        let path = layers
            .path_of(id)
            .iter()
            .map(|k| &**k)
            .collect::<Vec<_>>()
            .join(".");
        let mut d = match last {
            Some(step) if static_kind(step.expr).is_none() => Diagnostic::error(
                Code::TypeMismatch,
                at,
                format!("cannot assign into `{path}`: its value is computed by an expression"),
            )
            .with_label(step.expr.span, "computed here")
            .with_help(
                "set the whole value in one expression, or assign fields instead of an expression",
            ),
            Some(step) => Diagnostic::error(Code::TypeMismatch, at, {
                let kind = static_kind(step.expr).unwrap_or("value");
                format!("`{path}` is {} {kind}, not an object", article(kind))
            })
            .with_label(step.expr.span, "set here"),
            None => Diagnostic::error(Code::TypeMismatch, at, {
                let kind = node.ty.map_or("value".to_owned(), |t| prog.ty_name(t));
                format!("`{path}` is {} {kind}, not an object", article(&kind))
            }),
        };
        if let Some((o, i)) = node.field {
            if let Some((_, f)) = prog.obj(o).fields.get_index(i as usize) {
                d = d.with_label(f.name_span, "declared here");
            }
        }
        let d = self.with_config(d);
        self.diags.push(d);
        None
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

    /// Prepares node `id` for an object literal; false when it must stay a leaf.
    pub(super) fn make_object_for_literal(
        &mut self,
        layers: &mut Layers<'a>,
        id: NodeId,
        at: Span,
    ) -> bool {
        let node = layers.node(id);
        if let Slot::Obj(_) = node.slot {
            return true;
        }
        let prog = self.prog;
        let objectish = match node.ty.map(|t| &prog.ty(t).ty) {
            None | Some(Ty::Object(_) | Ty::Map(_)) => true,
            Some(_) => false,
        };
        objectish && self.make_object(layers, id, at).is_some()
    }

    /// A `Set` of a non-object expression on an object node: replace it by a leaf.
    fn replace_object(
        &mut self,
        layers: &mut Layers<'a>,
        id: NodeId,
        at: Span,
        op: Op,
        expr: &'a Expr,
    ) -> bool {
        let path = layers
            .path_of(id)
            .iter()
            .map(|k| &**k)
            .collect::<Vec<_>>()
            .join(".");
        let fresh = matches!(&layers.node(id).slot, Slot::Obj(c) if c.is_empty());
        if op == Op::Append && fresh && layers.node(id).ty.is_none() {
            // `+=` on a path nothing has set yet starts from `[]`.
            layers.nodes[id as usize].slot = Slot::empty_leaf();
            return true;
        }
        if op == Op::Append {
            let d = Diagnostic::error(
                Code::TypeMismatch,
                at,
                format!("`+=` appends to lists, but `{path}` is an object"),
            )
            .with_help("use `=` or a block to set its fields");
            let d = self.with_config(d);
            self.diags.push(d);
            return false;
        }
        let has_children = matches!(&layers.node(id).slot, Slot::Obj(c) if !c.is_empty());
        let literal = static_kind(expr);
        if self.structural && has_children && literal.is_some() {
            let d = Diagnostic::error(
                Code::TypeMismatch,
                expr.span,
                format!(
                    "`{path}` changes type from object to {}",
                    literal.unwrap_or("value")
                ),
            )
            .with_help("a structural config keeps each value's type; an object stays an object");
            let first =
                layers
                    .leaves_below(id)
                    .into_iter()
                    .find_map(|l| match &layers.node(l).slot {
                        Slot::Leaf(steps) => steps.first().map(|s| s.expr.span),
                        Slot::Obj(_) => None,
                    });
            let d = match first {
                Some(span) => d.with_label(span, "object field set here"),
                None => d,
            };
            let d = self.with_config(d);
            self.diags.push(d);
            return false;
        }
        layers.nodes[id as usize].slot = Slot::empty_leaf();
        // A union narrowed to its object member takes any member again.
        if let Some(ty) = self.declared_ty(layers, id) {
            layers.nodes[id as usize].ty = Some(ty);
        }
        true
    }

    fn check_type_change(&mut self, layers: &Layers<'a>, id: NodeId, expr: &'a Expr) {
        let Slot::Leaf(steps) = &layers.node(id).slot else {
            return;
        };
        let Some(prev) = steps.iter().rev().find(|s| s.op != Op::Append) else {
            return;
        };
        let (Some(old), Some(new)) = (static_kind(prev.expr), static_kind(expr)) else {
            return;
        };
        if old == new {
            return;
        }
        let path = layers
            .path_of(id)
            .iter()
            .map(|k| &**k)
            .collect::<Vec<_>>()
            .join(".");
        let d = Diagnostic::error(Code::TypeMismatch, expr.span, format!("`{path}` changes type from {old} to {new}"))
            .with_primary_message(format!("{new} here"))
            .with_label(prev.expr.span, format!("{old} set here"))
            .with_help(format!(
                "a structural config keeps each value's type; write {} {old} here, or give the config a schema",
                article(old)
            ));
        let d = self.with_config(d);
        self.diags.push(d);
    }

    fn deprecated(&mut self, layers: &Layers<'a>, id: NodeId, at: Span, default: bool) {
        if default {
            return;
        }
        let Some((o, i)) = layers.node(id).field else {
            return;
        };
        let Some((name, field)) = self.prog.obj(o).fields.get_index(i as usize) else {
            return;
        };
        let Some((marker, msg)) = &field.markers.deprecated else {
            return;
        };
        let mut d = Diagnostic::warning(Code::Deprecated, at, format!("`{name}` is deprecated"))
            .with_label(*marker, "marked deprecated here");
        if !msg.is_empty() {
            d = d.with_help(msg.clone());
        }
        let d = self.with_config(d);
        self.diags.push(d);
    }
}
