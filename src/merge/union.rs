//! Layering a discriminated union of schemas (LANGUAGE.md §9.4): the tag in
//! an object literal or block picks the member, the node is then layered as
//! that member's object; changing the tag with `=` keeps the fields set so
//! far and checks them against the new member; `:=` starts afresh.

use std::sync::Arc;

use crate::ast::{AssignOp, Expr, ExprKind, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::resolve::{lit_text, Tagged};
use crate::source::Span;
use crate::types::{Lit, ObjId, Ty, TyId};

use super::apply::Applier;
use super::template::{fill_fields, fill_object};
use super::{Layers, NodeId, Op, Slot};

/// A literal expression as a type literal.
fn literal(e: &Expr) -> Option<Lit> {
    Some(match &e.kind {
        ExprKind::Str(s) => Lit::Str(s.clone()),
        ExprKind::Int(i) => Lit::Int(*i),
        ExprKind::Bool(b) => Lit::Bool(*b),
        _ => return None,
    })
}

impl<'p, 'a> Applier<'p, 'a> {
    /// The type node `id` is declared with: its schema field's, or its map's
    /// element type (a union narrowed to a member keeps its union here).
    pub(super) fn declared_ty(&self, layers: &Layers<'a>, id: NodeId) -> Option<TyId> {
        let prog = self.prog;
        let node = layers.node(id);
        match node.field {
            Some((o, i)) => prog.obj(o).fields.get_index(i as usize).map(|(_, f)| f.ty),
            None if id != super::ROOT => {
                match layers.node(node.parent).ty.map(|t| &prog.ty(t).ty) {
                    Some(Ty::Map(elem)) => Some(*elem),
                    _ => node.ty,
                }
            }
            None => None,
        }
    }

    /// The declared union type of node `id` and its tag, if it is a union of schemas.
    pub(super) fn tagged(&self, layers: &Layers<'a>, id: NodeId) -> Option<(TyId, &'p Tagged)> {
        let declared = self.declared_ty(layers, id)?;
        self.prog.tags.get(&declared).map(|t| (declared, t))
    }

    /// The only schema member of node `id`'s declared union (`P | "off"`),
    /// which an object written there must be.
    pub(super) fn sole_object_member(
        &self,
        layers: &Layers<'a>,
        id: NodeId,
    ) -> Option<(TyId, ObjId)> {
        let prog = self.prog;
        let declared = self.declared_ty(layers, id)?;
        let Ty::AnyOf(members) = &prog.ty(declared).ty else {
            return None;
        };
        let mut objs = members.iter().filter_map(|&m| match prog.ty(m).ty {
            Ty::Object(o) => Some((m, o)),
            _ => None,
        });
        let first = objs.next()?;
        objs.next().is_none().then_some(first)
    }

    /// Makes union node `id` an object of its only schema member, unless it
    /// is one already.
    pub(super) fn enter_sole_member(&mut self, layers: &mut Layers<'a>, id: NodeId) -> bool {
        let Some((ty, obj)) = self.sole_object_member(layers, id) else {
            return false;
        };
        let node = layers.node(id);
        let is_member = matches!(node.slot, Slot::Obj(_)) && node.ty == Some(ty);
        if !is_member {
            layers.nodes[id as usize].ty = Some(ty);
            fill_object(self, layers, id, obj);
        }
        true
    }

    /// Picks the member of union node `id` from the tag `stmts` assign (an
    /// object literal's or a block's). False when it cannot, after reporting.
    pub(super) fn select_member(
        &mut self,
        layers: &mut Layers<'a>,
        id: NodeId,
        stmts: &'a [Stmt],
        op: AssignOp,
        at: Span,
    ) -> bool {
        let Some((union, tagged)) = self.tagged(layers, id) else {
            self.enter_sole_member(layers, id);
            return true;
        };
        let tag = stmts.iter().find_map(|s| match s {
            Stmt::Assign(a) if a.path.keys.len() == 1 && a.path.keys[0].name == tagged.field => {
                Some(&a.value)
            }
            _ => None,
        });
        let current = self.current_member(layers, id, tagged);
        let Some(expr) = tag else {
            if current.is_some() && op != AssignOp::Replace {
                return true;
            }
            self.tag_problem(layers, id, tagged, at, None);
            return false;
        };
        let Some(member) = literal(expr).and_then(|l| tagged.member(&l)) else {
            self.tag_problem(layers, id, tagged, expr.span, Some(expr));
            return false;
        };
        match current {
            Some(old) if old == member => {}
            Some(_) if op == AssignOp::Set => self.retag(layers, id, union, member, expr.span),
            _ => {
                layers.nodes[id as usize].ty = member_ty(self, union, member);
                fill_object(self, layers, id, member);
            }
        }
        true
    }

    /// After a step on leaf `id`: when it is the tag of a union object and
    /// assigned a literal, the object takes the member that tag names.
    pub(super) fn tag_changed(&mut self, layers: &mut Layers<'a>, id: NodeId, expr: &'a Expr) {
        let parent = layers.node(id).parent;
        if id == super::ROOT {
            return;
        }
        let Some((union, tagged)) = self.tagged(layers, parent) else {
            return;
        };
        if layers.node(id).key != tagged.field {
            return;
        }
        match literal(expr).and_then(|l| tagged.member(&l)) {
            Some(member) if Some(member) != self.current_member(layers, parent, tagged) => {
                self.retag(layers, parent, union, member, expr.span);
            }
            Some(_) => {}
            None => self.tag_problem(layers, parent, tagged, expr.span, Some(expr)),
        }
    }

    fn current_member(&self, layers: &Layers<'a>, id: NodeId, tagged: &Tagged) -> Option<ObjId> {
        let node = layers.node(id);
        if !matches!(node.slot, Slot::Obj(_)) {
            return None;
        }
        match node.ty.map(|t| &self.prog.ty(t).ty) {
            Some(Ty::Object(o)) if tagged.members.iter().any(|(_, m)| m == o) => Some(*o),
            _ => None,
        }
    }

    /// Object node `id` becomes member `member`: fields the new member
    /// declares stay (with the new declarations), fields set for the old one
    /// that it does not declare are `mcfg::unknown-field`, defaults of the
    /// old member go, the new member's other fields come with their defaults.
    fn retag(&mut self, layers: &mut Layers<'a>, id: NodeId, union: TyId, member: ObjId, at: Span) {
        let prog = self.prog;
        let Slot::Obj(children) = &layers.node(id).slot else {
            return;
        };
        let children = Arc::clone(children);
        let fields = &prog.obj(member).fields;
        let mut keep = super::Children::default();
        for (k, &c) in children.iter() {
            if let Some((i, _, f)) = fields.get_full(k) {
                let n = &mut layers.nodes[c as usize];
                n.ty = Some(f.ty);
                n.field = Some((member, i as u32));
                keep.insert(k.clone(), c);
                continue;
            }
            let set = layers
                .leaves_below(c)
                .into_iter()
                .find_map(|l| match &layers.node(l).slot {
                    Slot::Leaf(steps) => steps.iter().rev().find(|s| s.op != Op::Default).copied(),
                    Slot::Obj(_) => None,
                });
            if let Some(step) = set {
                let what = prog
                    .obj(member)
                    .name
                    .as_ref()
                    .map_or("the new member".to_owned(), |n| format!("schema `{n}`"));
                let d = Diagnostic::error(
                    Code::UnknownField,
                    step.expr.span,
                    format!("unknown field `{k}`: the tag now selects {what}, which declares no such field"),
                )
                .with_label(at, "the tag changes here")
                .with_help(
                    "`unset` the field after changing the tag, or write the whole value with `:=` to start afresh",
                );
                let d = self.with_config(d);
                self.diags.push(d);
            }
        }
        layers.nodes[id as usize].slot = Slot::Obj(Arc::new(keep));
        layers.nodes[id as usize].ty = member_ty(self, union, member);
        fill_fields(self, layers, id, member, true);
    }

    pub(super) fn tag_problem(
        &mut self,
        layers: &mut Layers<'a>,
        id: NodeId,
        tagged: &Tagged,
        at: Span,
        found: Option<&Expr>,
    ) {
        let prog = self.prog;
        if id != super::ROOT {
            let node = layers.node(id);
            let key = (node.parent, node.key.clone());
            layers.explained.push(key);
        }
        let path = layers.dotted(id);
        let field = &tagged.field;
        let message = match found {
            Some(e) => format!(
                "`{path}.{field}` = {} names no member of the union",
                prog.project.sources.slice(e.span)
            ),
            None => format!("`{path}` needs its tag `{field}` to pick a member of the union"),
        };
        let d = Diagnostic::error(Code::TypeMismatch, at, message).with_help(format!(
            "set `{field}` to one of {} in the same object: `{path} = {{ {field} = {}, … }}`",
            tagged.tag_list(),
            tagged
                .members
                .first()
                .map_or(String::new(), |(l, _)| lit_text(l))
        ));
        let d = match self.tagged(layers, id) {
            Some((union, _)) => d.with_label(prog.ty(union).span, "union declared here"),
            None => d,
        };
        let d = self.with_config(d);
        self.diags.push(d);
    }
}

/// The member type of `union` that is object `obj`.
fn member_ty(ap: &Applier<'_, '_>, union: TyId, obj: ObjId) -> Option<TyId> {
    let prog = ap.prog;
    match &prog.ty(union).ty {
        Ty::AnyOf(members) => members
            .iter()
            .copied()
            .find(|&m| prog.ty(m).ty == Ty::Object(obj)),
        _ => None,
    }
}
