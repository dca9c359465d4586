//! The JSON Schema of `<config>.runtime.json` (issue 16, CLI.md "Build
//! output"): only the `@runtime` paths, nested as in the runtime artifact.
//!
//! - every object level lists exactly the keys the runtime artifact holds
//!   (`additionalProperties: false`); `required` names the non-optional ones,
//!   never a build-time field;
//! - each top-most runtime path has `x-mcfg-tier: "runtime"`; a field marked
//!   `@invariant` has `x-mcfg-invariant: true` and, as its value may not move
//!   at runtime (it must stay equal in every environment), its locked build
//!   value as `const` (when every environment has the same one); `secret`
//!   fields have `x-mcfg-secret: true`;
//! - below a runtime path the schema is the field's full type schema
//!   (refinements, patterns, simple `check`s of objects inside it); a `check`
//!   of an enclosing object reads build-time fields, which the runtime file
//!   does not hold, and is left to `mcfg check-runtime`.
//!
//! The `x-mcfg-*` keywords are annotations: Python's `jsonschema` ignores
//! them, ajv in strict mode needs them declared (`ajv.addVocabulary([...])`).

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

use super::{Gen, DEFAULT_ID_BASE, DRAFT};
use crate::compile::ArtifactValue;
use crate::resolve::Program;
use crate::types::{Ty, TyId};

/// Path segments below one level of the runtime artifact; an empty tree is a
/// top-most runtime path.
#[derive(Default)]
struct Tree(IndexMap<String, Tree>);

/// One schema per emitted config with `@runtime` fields, keyed
/// `<config>.runtime`, in config order.
pub fn runtime_schemas(prog: &Program<'_>, artifacts: &[ArtifactValue]) -> IndexMap<String, Json> {
    let mut out = IndexMap::new();
    for art in artifacts {
        let key = format!("{}.runtime", art.config);
        if out.contains_key(&key) {
            continue;
        }
        let Some(obj) = prog
            .configs
            .iter()
            .find(|c| *c.name == *art.config && c.is_emitted())
            .and_then(|c| c.schema)
        else {
            continue;
        };
        let mine: Vec<&ArtifactValue> = artifacts
            .iter()
            .filter(|a| a.config == art.config)
            .collect();
        let mut tree = Tree::default();
        for path in mine.iter().flat_map(|a| &a.runtime_paths) {
            let mut t = &mut tree;
            for seg in path.split('.') {
                t = t.0.entry(seg.to_owned()).or_default();
            }
        }
        if tree.0.is_empty() {
            continue;
        }
        let values: Vec<Json> = mine
            .iter()
            .filter_map(|a| a.runtime.as_ref().map(|v| v.to_json()))
            .collect();
        let mut gen = Gen::new(prog);
        gen.annotate = true;
        let Json::Object(body) = level_obj(&mut gen, obj, &tree, &values) else {
            continue;
        };
        let mut root = Map::new();
        root.insert("$schema".into(), DRAFT.into());
        root.insert(
            "$id".into(),
            format!("{DEFAULT_ID_BASE}{key}.schema.json").into(),
        );
        root.insert("title".into(), key.clone().into());
        root.insert(
            "description".into(),
            format!(
                "The runtime tier of `{}`: the @runtime fields, which may change without a redeploy.",
                art.config
            )
            .into(),
        );
        root.extend(body);
        out.insert(key, Json::Object(root));
    }
    out
}

/// The schema of one object level holding the keys of `tree`; `values` are
/// this level's values in every environment.
fn level_obj(
    gen: &mut Gen<'_, '_>,
    obj: crate::types::ObjId,
    tree: &Tree,
    values: &[Json],
) -> Json {
    let prog = gen.prog;
    let mut props = Map::new();
    let mut required = Vec::new();
    for (key, sub) in &tree.0 {
        let below: Vec<Json> = values.iter().filter_map(|v| v.get(key).cloned()).collect();
        let Some(field) = prog.obj(obj).fields.get(key.as_str()) else {
            props.insert(key.clone(), json!({}));
            continue;
        };
        let mut s = if sub.0.is_empty() {
            let mut s = gen.ty(field.ty);
            if let Json::Object(m) = &mut s {
                m.insert("x-mcfg-tier".into(), "runtime".into());
            }
            s
        } else {
            level_ty(gen, field.ty, sub, &below)
        };
        if let Json::Object(m) = &mut s {
            if let Some(doc) = &field.doc {
                m.insert("description".into(), doc.clone().into());
            }
            if field.markers.invariant.is_some() {
                m.insert("x-mcfg-invariant".into(), true.into());
                // Locked: the same value in every environment, which a
                // runtime update may not move.
                if let Some(first) = below.first() {
                    if below.len() == values.len() && below.iter().all(|v| v == first) {
                        m.insert("const".into(), first.clone());
                    }
                }
            }
        }
        if !prog.ty(field.ty).optional {
            required.push(Json::from(key.clone()));
        }
        props.insert(key.clone(), s);
    }
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

/// A level reached through a field of type `ty` (an object, or a map whose
/// entries hold runtime fields).
fn level_ty(gen: &mut Gen<'_, '_>, ty: TyId, tree: &Tree, values: &[Json]) -> Json {
    match gen.prog.ty(ty).ty {
        Ty::Object(o) => level_obj(gen, o, tree, values),
        Ty::Map(e) => {
            let mut props = Map::new();
            for (key, sub) in &tree.0 {
                let below: Vec<Json> = values.iter().filter_map(|v| v.get(key).cloned()).collect();
                let s = if sub.0.is_empty() {
                    gen.ty(e)
                } else {
                    level_ty(gen, e, sub, &below)
                };
                props.insert(key.clone(), s);
            }
            json!({"type": "object", "properties": props, "additionalProperties": false})
        }
        _ => json!({"$comment": "runtime fields below a type mcfg cannot describe here"}),
    }
}
