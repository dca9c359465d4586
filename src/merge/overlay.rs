//! The overlay statements of LANGUAGE.md §9.2–§9.3: `unset PATH`,
//! `PATH := expr` (the emptying half; `Applier::assign` applies the value)
//! and `MAP += { new entries }`, and the unknown-key rule for map entries
//! assigned in `env` blocks.

use crate::ast::{Assign, Key, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::suggest;
use crate::types::Ty;

use super::apply::Applier;
use super::template::fill_object;
use super::{Layers, NodeId, Origin, Slot};

impl<'a> Applier<'_, 'a> {
    /// `unset PATH` below node `at`: the target keeps an `Unset` step. Keys
    /// on the way must exist; below a value that is already absent there is
    /// nothing to remove.
    pub(super) fn unset(
        &mut self,
        layers: &mut Layers<'a>,
        at: NodeId,
        a: &'a Assign,
        origin: Origin,
    ) {
        let mut cur = at;
        for key in &a.path.keys {
            if layers.is_absent(cur) {
                return;
            }
            let next = match &layers.node(cur).slot {
                Slot::Obj(children) => children.get(&key.name).copied(),
                Slot::Leaf(_) => {
                    let d = Diagnostic::error(
                        Code::TypeMismatch,
                        key.span,
                        format!(
                            "cannot unset `{}`: `{}` is a value, not an object",
                            key.name,
                            layers.dotted(cur)
                        ),
                    )
                    .with_help("unset the whole value instead");
                    let d = self.with_config(d);
                    self.diags.push(d);
                    return;
                }
            };
            match next {
                Some(id) => cur = id,
                None if self.is_typed_object(layers, cur) => {
                    // Reports the undeclared field with its did-you-mean.
                    let _ = self.child(layers, cur, key);
                    return;
                }
                None => {
                    self.unknown_key(layers, cur, key, false);
                    return;
                }
            }
        }
        layers.unset(cur, &a.value, origin);
    }

    /// The emptying half of `PATH := expr`: node `id` forgets what earlier
    /// steps put there. A schema-typed object starts again from its
    /// template (its defaults are part of its type); a map, an `any` or a
    /// structural object starts empty; a leaf loses its steps.
    pub(super) fn clear(&mut self, layers: &mut Layers<'a>, id: NodeId) {
        let prog = self.prog;
        let typed = layers.node(id).ty.and_then(|t| match prog.ty(t).ty {
            Ty::Object(o) => Some(o),
            _ => None,
        });
        match (&layers.node(id).slot, typed) {
            (Slot::Obj(_), Some(obj)) => fill_object(self, layers, id, obj),
            (Slot::Obj(_), None) => layers.nodes[id as usize].slot = Slot::empty_obj(),
            (Slot::Leaf(_), _) => layers.nodes[id as usize].slot = Slot::empty_leaf(),
        }
    }

    /// Whether node `id` is declared as a map.
    pub(super) fn is_map(&self, layers: &Layers<'a>, id: NodeId) -> bool {
        let prog = self.prog;
        layers
            .node(id)
            .ty
            .is_some_and(|t| matches!(prog.ty(t).ty, Ty::Map(_)))
    }

    fn is_typed_object(&self, layers: &Layers<'a>, id: NodeId) -> bool {
        let prog = self.prog;
        layers
            .node(id)
            .ty
            .is_some_and(|t| matches!(prog.ty(t).ty, Ty::Object(_)))
    }

    /// `MAP += { k = …, k2 { … } }`: adds entries the map does not have; an
    /// entry it has already is a `mcfg::duplicate` (change it with `=`).
    pub(super) fn add_entries(
        &mut self,
        layers: &mut Layers<'a>,
        id: NodeId,
        stmts: &'a [Stmt],
        origin: Origin,
        default: bool,
        at: crate::source::Span,
    ) {
        if !self.make_object_for_literal(layers, id, at) {
            return;
        }
        let free = std::mem::replace(&mut self.new_keys, true);
        for stmt in stmts {
            let key = match stmt {
                Stmt::Assign(a) => a.path.keys.first(),
                Stmt::Block(b) => b.path.keys.first(),
                Stmt::Declare(d) => d.path.keys.first(),
                Stmt::Env(_) => None,
            };
            if let Some(key) = key {
                if self.has_entry(layers, id, key) {
                    continue;
                }
            }
            self.stmt_at(layers, id, stmt, origin, default);
        }
        self.new_keys = free;
    }

    /// Whether map node `map` already has a present entry `key` (reported).
    fn has_entry(&mut self, layers: &Layers<'a>, map: NodeId, key: &Key) -> bool {
        let Slot::Obj(children) = &layers.node(map).slot else {
            return false;
        };
        let Some(&entry) = children.get(&key.name) else {
            return false;
        };
        if layers.is_absent(entry) {
            return false;
        }
        let path = layers.dotted(map);
        let mut d = Diagnostic::error(
            Code::Duplicate,
            key.span,
            format!("`+=` adds `{}`, but `{path}` already has it", key.name),
        )
        .with_help(format!(
            "change the existing entry with `{path}.{} = …`, or replace the map with `{path} := {{ … }}`",
            key.name
        ));
        if let Some(span) = first_set(layers, entry) {
            d = d.with_label(span, "already set here");
        }
        let d = self.with_config(d);
        self.diags.push(d);
        true
    }

    /// `mcfg::unknown-key`: `key` is not an entry of map (or structural
    /// object) `at`.
    /// `creating`: the key was assigned (not unset), so the help says how to
    /// add an entry on purpose.
    pub(super) fn unknown_key(
        &mut self,
        layers: &Layers<'a>,
        at: NodeId,
        key: &Key,
        creating: bool,
    ) {
        let path = layers.dotted(at);
        let present: Vec<&str> = match &layers.node(at).slot {
            Slot::Obj(children) => children
                .iter()
                .filter(|(_, &c)| !layers.is_absent(c))
                .map(|(k, _)| &**k)
                .collect(),
            Slot::Leaf(_) => Vec::new(),
        };
        let owner = if path.is_empty() {
            "the config".to_owned()
        } else {
            format!("`{path}`")
        };
        let mut d = Diagnostic::error(
            Code::UnknownKey,
            key.span,
            format!("unknown key `{}`: {owner} has no such entry here", key.name),
        );
        if let Some((o, i)) = layers.node(at).field {
            if let Some((_, f)) = self.prog.obj(o).fields.get_index(i as usize) {
                d = d.with_label(f.name_span, "the map is declared here");
            }
        }
        let adding = (creating && !path.is_empty()).then(|| {
            format!(
                "to add an entry in an `env` block, write `{path} += {{ {} = … }}`",
                crate::syntax::write::key_text(&key.name)
            )
        });
        let help = match (suggest::closest(&key.name, present.iter().copied()), adding) {
            (Some(s), Some(adding)) => format!("did you mean `{s}`? Or, {adding}"),
            (Some(s), None) => format!("did you mean `{s}`?"),
            (None, Some(adding)) => adding,
            (None, None) if present.is_empty() => format!("{owner} has no entries here"),
            (None, None) => format!("existing keys: {}", present.join(", ")),
        };
        d = d.with_help(help);
        let d = self.with_config(d);
        self.diags.push(d);
    }
}

/// The first assignment below node `id`, for a label.
fn first_set(layers: &Layers<'_>, id: NodeId) -> Option<crate::source::Span> {
    layers
        .leaves_below(id)
        .into_iter()
        .find_map(|l| match &layers.node(l).slot {
            Slot::Leaf(steps) => steps.last().map(|s| s.expr.span),
            Slot::Obj(_) => None,
        })
}
