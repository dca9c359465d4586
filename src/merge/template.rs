//! Schema templates: the layered tree a schema starts a config from, with
//! every default as a `Default` step (LANGUAGE.md §4).

use std::sync::Arc;

use crate::ast::{ExprKind, Name};
use crate::diagnostics::Diagnostic;
use crate::resolve::Program;
use crate::types::{ObjId, Ty, TyId};

use super::apply::Applier;
use super::{Layers, Node, NodeId, Op, Origin, Slot, Step, ROOT};

/// Object types nested deeper than this are left as leaves (recursive schemas).
const MAX_TEMPLATE_DEPTH: u32 = 64;

/// The starting layers of a config with `schema` (or a structural root).
pub fn for_schema<'a>(
    prog: &Program<'a>,
    schema: Option<ObjId>,
    diags: &mut Vec<Diagnostic>,
) -> Layers<'a> {
    let mut layers = Layers::structural();
    if let Some(obj) = schema {
        layers.nodes[ROOT as usize].ty = prog.schema_tys.get(&obj).copied();
        let mut ap = Applier::new(prog, false);
        fill_object(&mut ap, &mut layers, ROOT, obj);
        diags.append(&mut ap.diags);
    }
    layers
}

/// Whether a node of type `ty` is an object node (merged field by field).
pub(super) fn is_object_ty(prog: &Program<'_>, ty: Option<TyId>) -> bool {
    match ty {
        None => true,
        Some(t) => {
            let t = prog.ty(t);
            matches!(t.ty, Ty::Object(_) | Ty::Map(_) | Ty::Any | Ty::Error)
        }
    }
}

/// Adds a child node for `key` below `parent` with type `ty`, filled from its template.
pub(super) fn instantiate<'a>(
    ap: &mut Applier<'_, 'a>,
    layers: &mut Layers<'a>,
    parent: NodeId,
    key: Name,
    ty: Option<TyId>,
    field: Option<(ObjId, u32)>,
) -> NodeId {
    let id = layers.nodes.len() as NodeId;
    let p = layers.node(parent);
    let runtime = p.runtime
        || field.is_some_and(|(o, i)| {
            ap.prog
                .obj(o)
                .fields
                .get_index(i as usize)
                .is_some_and(|(_, f)| f.markers.runtime.is_some())
        });
    let depth = p.depth + 1;
    let declared = ty.map(|t| ap.prog.ty(t));
    // An optional object, map or `any` is a leaf until something assigns
    // inside it, so that nothing set stays absent (LANGUAGE.md §9.1).
    let object = match declared.map(|t| (&t.ty, t.optional)) {
        Some((Ty::Object(_) | Ty::Map(_) | Ty::Any, true)) => false,
        Some((Ty::Object(_) | Ty::Map(_) | Ty::Any | Ty::Error, _)) | None => true,
        Some(_) => false,
    };
    layers.nodes.push(Node {
        key: key.clone(),
        parent,
        slot: if object {
            Slot::empty_obj()
        } else {
            Slot::empty_leaf()
        },
        ty,
        field,
        runtime,
        depth,
    });
    if let Slot::Obj(children) = &mut layers.nodes[parent as usize].slot {
        Arc::make_mut(children).insert(key, id);
    }
    if let Some(Ty::Object(obj)) = declared.filter(|t| !t.optional).map(|t| &t.ty) {
        // A schema that contains itself (directly or not) cannot be expanded
        // from defaults: stop at the repeat, which leaves a required field unset.
        if depth < MAX_TEMPLATE_DEPTH && !ancestor_has(ap.prog, layers, parent, *obj) {
            fill_object(ap, layers, id, *obj);
        } else {
            layers.nodes[id as usize].slot = Slot::empty_leaf();
        }
    }
    id
}

/// Whether `id` or one of its ancestors is an object of type `obj`.
fn ancestor_has(prog: &Program<'_>, layers: &Layers<'_>, mut id: NodeId, obj: ObjId) -> bool {
    loop {
        let node = layers.node(id);
        if node.ty.is_some_and(|t| prog.ty(t).ty == Ty::Object(obj)) {
            return true;
        }
        if id == ROOT {
            return false;
        }
        id = node.parent;
    }
}

/// Creates the fields of object type `obj` below node `id` and applies their defaults.
pub(super) fn fill_object<'a>(
    ap: &mut Applier<'_, 'a>,
    layers: &mut Layers<'a>,
    id: NodeId,
    obj: ObjId,
) {
    layers.nodes[id as usize].slot = Slot::empty_obj();
    fill_fields(ap, layers, id, obj, false);
}

/// Creates the fields of object type `obj` below object node `id` with
/// their defaults; with `missing_only`, only those `id` does not have yet.
pub(super) fn fill_fields<'a>(
    ap: &mut Applier<'_, 'a>,
    layers: &mut Layers<'a>,
    id: NodeId,
    obj: ObjId,
    missing_only: bool,
) {
    let prog = ap.prog;
    // A schema's defaults may create map entries wherever it is instantiated.
    let free = std::mem::replace(&mut ap.new_keys, true);
    for (i, (name, field)) in prog.obj(obj).fields.iter().enumerate() {
        if missing_only && matches!(&layers.node(id).slot, Slot::Obj(c) if c.contains_key(name)) {
            continue;
        }
        let child = instantiate(
            ap,
            layers,
            id,
            name.clone(),
            Some(field.ty),
            Some((obj, i as u32)),
        );
        let Some(default) = field.default else {
            continue;
        };
        let origin = Origin::Schema(obj);
        match (&default.kind, &layers.node(child).slot) {
            (ExprKind::Object(stmts), Slot::Obj(_)) => ap.body(layers, child, stmts, origin, true),
            _ => {
                let seq = layers.next_seq;
                layers.next_seq += 1;
                let step = Step {
                    op: Op::Default,
                    expr: default,
                    origin,
                    seq,
                };
                layers.nodes[child as usize].slot = Slot::Leaf(super::Steps::one(step));
            }
        }
    }
    ap.new_keys = free;
}
