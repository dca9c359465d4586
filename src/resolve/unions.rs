//! Discriminated unions of schemas (LANGUAGE.md §9.4): every object member
//! of a union declares the same field with a distinct one-literal type
//! (`kind: "disk"`), and that field's value picks the member.

use indexmap::IndexMap;

use crate::ast::Name;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::types::{Lit, ObjId, Ty, TyId};

use super::Program;

/// The tag of a union of schemas and its members, by tag value.
#[derive(Debug, Clone)]
pub struct Tagged {
    /// The field every member declares with its own literal: `kind`.
    pub field: Name,
    pub members: Vec<(Lit, ObjId)>,
}

impl Tagged {
    /// The member whose tag is `lit`.
    pub fn member(&self, lit: &Lit) -> Option<ObjId> {
        self.members.iter().find(|(l, _)| l == lit).map(|(_, o)| *o)
    }

    /// `"disk", "wandb"`: the tags, for messages.
    pub fn tag_list(&self) -> String {
        let tags: Vec<String> = self.members.iter().map(|(l, _)| lit_text(l)).collect();
        tags.join(", ")
    }
}

/// A literal as written in a source (`"disk"`, `3`, `true`).
pub fn lit_text(l: &Lit) -> String {
    l.to_string()
}

/// Finds the tag of every union with two or more schema members; a union
/// of schemas without one is a `mcfg::type-mismatch` at the union.
pub(super) fn discriminate(diags: &mut Diagnostics, prog: &mut Program<'_>) {
    let mut tags = IndexMap::new();
    for (i, t) in prog.tys.iter().enumerate() {
        let Ty::AnyOf(members) = &t.ty else { continue };
        let objs: Vec<ObjId> = members
            .iter()
            .filter_map(|&m| match prog.ty(m).ty {
                Ty::Object(o) => Some(o),
                _ => None,
            })
            .collect();
        if objs.len() < 2 {
            continue;
        }
        match tag_of(prog, &objs) {
            Ok(tagged) => {
                tags.insert(TyId(i as u32), tagged);
            }
            Err(why) => diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    t.span,
                    format!("a union of schemas must be discriminated: {why}"),
                )
                .with_help(
                    "give every member a field of the same name with its own literal type, \
                     e.g. `kind: \"disk\"` in one and `kind: \"wandb\"` in the other",
                ),
            ),
        }
    }
    prog.tags = tags;
}

/// Why a union of schemas has no tag.
#[derive(Debug)]
enum Untagged {
    /// Two members have the same literal in the only candidate field.
    SameTag {
        a: String,
        b: String,
        field: Name,
        lit: String,
    },
    /// No field has one literal type in every member.
    NoField { members: Vec<String> },
}

impl std::fmt::Display for Untagged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Untagged::SameTag { a, b, field, lit } => {
                write!(f, "{a} and {b} both have `{field}` = {lit}")
            }
            Untagged::NoField { members } => write!(
                f,
                "{} share no field with one literal type per member",
                members.join(", ")
            ),
        }
    }
}

/// The field that tells `objs` apart, or why there is none.
fn tag_of(prog: &Program<'_>, objs: &[ObjId]) -> Result<Tagged, Untagged> {
    let first = prog.obj(objs[0]);
    let name = |o: ObjId| {
        prog.obj(o)
            .name
            .as_ref()
            .map_or("an inline object".to_owned(), |n| format!("`{n}`"))
    };
    'field: for (fname, _) in &first.fields {
        let mut members: Vec<(Lit, ObjId)> = Vec::new();
        for &o in objs {
            let Some(f) = prog.obj(o).fields.get(fname) else {
                continue 'field;
            };
            let lit = match &prog.ty(f.ty).ty {
                Ty::Union(lits) if lits.len() == 1 && !prog.ty(f.ty).optional => lits[0].clone(),
                _ => continue 'field,
            };
            if let Some((_, other)) = members.iter().find(|(l, _)| *l == lit) {
                return Err(Untagged::SameTag {
                    a: name(*other),
                    b: name(o),
                    field: fname.clone(),
                    lit: lit_text(&lit),
                });
            }
            members.push((lit, o));
        }
        return Ok(Tagged {
            field: fname.clone(),
            members,
        });
    }
    Err(Untagged::NoField {
        members: objs.iter().map(|&o| name(o)).collect(),
    })
}
