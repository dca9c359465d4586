//! The shape of layered nodes: turning a leaf into an object when a path
//! or literal writes into it, an object into a leaf when a value replaces
//! it, the structural type-change rule and `@deprecated` warnings.

use crate::ast::{Expr, ExprKind};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::types::Ty;

use super::apply::Applier;
use super::template::{fill_object, is_object_ty};
use super::{Layers, NodeId, Op, Slot};

/// "a" or "an" for a type name.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A short static kind of a literal expression, for structural type checks.
pub(super) fn static_kind(e: &Expr) -> Option<&'static str> {
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

impl<'a> Applier<'_, 'a> {
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
            .last_set()
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
        let last = steps.last_set().copied();
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
        let path = layers.dotted(id);
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
    pub(super) fn replace_object(
        &mut self,
        layers: &mut Layers<'a>,
        id: NodeId,
        at: Span,
        op: Op,
        expr: &'a Expr,
    ) -> bool {
        let path = layers.dotted(id);
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

    pub(super) fn check_type_change(&mut self, layers: &Layers<'a>, id: NodeId, expr: &'a Expr) {
        let Slot::Leaf(steps) = &layers.node(id).slot else {
            return;
        };
        let Some(prev) = steps.last_set() else {
            return;
        };
        let (Some(old), Some(new)) = (static_kind(prev.expr), static_kind(expr)) else {
            return;
        };
        if old == new {
            return;
        }
        let path = layers.dotted(id);
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

    pub(super) fn deprecated(&mut self, layers: &Layers<'a>, id: NodeId, at: Span, default: bool) {
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
