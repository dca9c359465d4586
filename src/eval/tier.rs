//! The tier rule (LANGUAGE.md §4): a build-time value may not be computed
//! from an `@runtime` one.

use crate::diagnostics::{Code, Diagnostic};
use crate::merge::{Layers, NodeId};
use crate::resolve::Program;
use crate::source::Span;

use super::{ConfigEval, Ctx};

impl<'a> Ctx<'_, 'a> {
    /// `mcfg::tier`: a build-time leaf being computed reads a runtime node.
    pub(super) fn check_tier(&self, ce: &ConfigEval<'a>, id: NodeId, at: Span) {
        let node = ce.layers.node(id);
        if !node.runtime {
            return;
        }
        let Some(&(reader_cid, reader)) = self.stack.borrow().last() else {
            return;
        };
        let reader_ce = if reader_cid == ce.cid {
            None
        } else {
            Some(self.config(reader_cid))
        };
        let reader_layers = reader_ce.as_ref().map_or(&ce.layers, |r| &r.layers);
        if reader_layers.node(reader).runtime {
            return;
        }
        let path = |l: &Layers<'_>, n| {
            l.path_of(n)
                .iter()
                .map(|k| &**k)
                .collect::<Vec<_>>()
                .join(".")
        };
        let mut d = Diagnostic::error(
            Code::Tier,
            at,
            format!("build-time `{}` is computed from runtime `{}`", path(reader_layers, reader), path(&ce.layers, id)),
        )
        .with_help("its value would go stale when the runtime value changes; mark it `@runtime` too, or do not read the runtime field");
        if let Some((o, i)) = node
            .field
            .or_else(|| runtime_field(self.prog, &ce.layers, id))
        {
            if let Some((_, f)) = self.prog.obj(o).fields.get_index(i as usize) {
                d = d.with_label(
                    f.markers.runtime.unwrap_or(f.name_span),
                    "runtime field declared here",
                );
            }
        }
        self.report(reader_cid, d);
    }
}

/// The nearest ancestor field that carries `@runtime`.
fn runtime_field(
    prog: &Program<'_>,
    layers: &Layers<'_>,
    mut id: NodeId,
) -> Option<(crate::types::ObjId, u32)> {
    loop {
        let n = layers.node(id);
        if let Some((o, i)) = n.field {
            if prog
                .obj(o)
                .fields
                .get_index(i as usize)
                .is_some_and(|(_, f)| f.markers.runtime.is_some())
            {
                return Some((o, i));
            }
        }
        if id == crate::merge::ROOT {
            return None;
        }
        id = n.parent;
    }
}
