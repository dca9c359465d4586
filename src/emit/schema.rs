//! JSON Schema (draft 2020-12) for each emitted config's artifact
//! (CLI.md `mcfg schema`, LANGUAGE.md §3, §4, §7).
//!
//! A schema-typed config's schema follows its mcfg schema, field by field:
//!
//! - `bool` → `boolean`, `int` → `integer`, `float` and `duration` (seconds)
//!   → `number`, `string` and `secret` → `string`, `any` → `{}`, `list[T]` →
//!   `array` with `items`, `map[T]` → `object` with `additionalProperties: T`,
//!   a literal union → `enum`, a schema or inline object → `object` with every
//!   field in `properties`, every field that is not optional in `required`,
//!   and `additionalProperties: false`;
//! - `T?` adds `null` (to `type`, to `enum`, or as `anyOf` with `{"type": "null"}`):
//!   an optional field nothing sets is absent, one assigned `null` is `null`
//!   (LANGUAGE.md §9.1);
//! - refinements: `>= > <= <` → `minimum`, `exclusiveMinimum`, `maximum`,
//!   `exclusiveMaximum` (durations in seconds); `==` → `const`; `!=` →
//!   `not: {const}`; `len` → `minLength`/`maxLength` (strings, characters),
//!   `minItems`/`maxItems` (lists), `minProperties`/`maxProperties` (maps);
//!   `matches "re"` → `pattern`, translated exactly into ECMA-262 (`u` flag)
//!   and Python `re` syntax by [`regex::ecma`], or left to `$comment` when no
//!   exact form exists; `unique` → `uniqueItems`. When a
//!   keyword is already taken (two `>=` on one type, from an alias and its
//!   use), the extra predicate goes into `allOf`. Comparisons of strings or
//!   bools by order cannot be expressed and go to `$comment`;
//! - `///` docs become `description`; `@deprecated` becomes `deprecated: true`;
//!   simple `check` rules (comparisons of fields with literals, `and`, `or`,
//!   `not`, `in`, `if`) become `allOf` entries (`a or b` as `if`/`then`, see
//!   `checks.rs`), each with the check's text in `$comment`; the others are
//!   listed in the object's `$comment` (source text and message).
//!
//! Every schema has a `$id` (`urn:mcfg:<config>.schema.json` by default).
//!
//! A structural config (no schema) gets the shape of its artifacts: the types
//! of the values in every environment, merged (a key set in only some
//! environments is not `required`; differing types become `anyOf`), with
//! `additionalProperties: false`.
//!
//! A schema referring to itself (directly or not) is cut at the second visit
//! with `{}` and a `$comment`, so generation always terminates.

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

use crate::ast::CmpOp;
use crate::compile::ArtifactValue;
use crate::eval::value::duration_json;
use crate::resolve::Program;
use crate::types::{Lit, ObjId, PredKind, Ty, TyId};

/// The `$schema` of every generated schema.
pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The prefix of every schema's `$id` unless `mcfg schema --id-base` says
/// otherwise: `urn:mcfg:ranker.schema.json` names a schema without claiming
/// a URL that serves it.
pub const DEFAULT_ID_BASE: &str = "urn:mcfg:";

/// One JSON Schema per emitted config, in the order of `artifacts` (config
/// order): keyed by config name.
pub fn config_schemas(prog: &Program<'_>, artifacts: &[ArtifactValue]) -> IndexMap<String, Json> {
    let mut out = IndexMap::new();
    for art in artifacts {
        if out.contains_key(&art.config) {
            continue;
        }
        let config = prog
            .configs
            .iter()
            .find(|c| *c.name == *art.config && c.is_emitted());
        let body = match config.and_then(|c| c.schema) {
            Some(obj) => Gen::new(prog).obj(obj),
            None => {
                let values = artifacts
                    .iter()
                    .filter(|a| a.config == art.config)
                    .map(|a| &a.value);
                structural(values)
            }
        };
        let mut root = Map::new();
        root.insert("$schema".into(), DRAFT.into());
        root.insert(
            "$id".into(),
            format!("{DEFAULT_ID_BASE}{}.schema.json", art.config).into(),
        );
        root.insert("title".into(), art.config.clone().into());
        if let Some(doc) = config.and_then(|c| c.decl.doc.as_ref()) {
            root.insert("description".into(), doc.clone().into());
        }
        if let Json::Object(fields) = body {
            for (k, v) in fields {
                if k == "description" && root.contains_key("description") {
                    continue;
                }
                root.insert(k, v);
            }
        }
        out.insert(art.config.clone(), Json::Object(root));
    }
    out
}

/// The schema generator for types of one program.
struct Gen<'p, 'a> {
    prog: &'p Program<'a>,
    /// Object types being generated (to cut recursion).
    visiting: Vec<ObjId>,
    /// Whether fields carry `x-mcfg-invariant` / `x-mcfg-secret` (the
    /// runtime schema's annotations).
    annotate: bool,
}

impl<'p, 'a> Gen<'p, 'a> {
    fn new(prog: &'p Program<'a>) -> Gen<'p, 'a> {
        Gen {
            prog,
            visiting: Vec::new(),
            annotate: false,
        }
    }

    /// The schema of an object type: its non-optional fields required, no other key.
    fn obj(&mut self, id: ObjId) -> Json {
        if self.visiting.contains(&id) {
            return json!({"$comment": "recursive schema: not checked below this point"});
        }
        self.visiting.push(id);
        let obj = self.prog.obj(id);
        let mut props = Map::new();
        for (name, field) in &obj.fields {
            let mut s = self.ty(field.ty);
            if let Json::Object(m) = &mut s {
                if let Some(doc) = &field.doc {
                    m.insert("description".into(), doc.clone().into());
                }
                if field.markers.deprecated.is_some() {
                    m.insert("deprecated".into(), true.into());
                }
                if self.annotate && field.markers.invariant.is_some() {
                    m.insert("x-mcfg-invariant".into(), true.into());
                }
            }
            props.insert(name.to_string(), s);
        }
        // An optional field may be absent (nothing set it, or `unset`).
        let required: Vec<Json> = obj
            .fields
            .iter()
            .filter(|(_, f)| !self.prog.ty(f.ty).optional)
            .map(|(k, _)| k.to_string().into())
            .collect();
        let mut m = Map::new();
        m.insert("type".into(), "object".into());
        if let Some(doc) = &obj.doc {
            m.insert("description".into(), doc.clone().into());
        }
        m.insert("properties".into(), Json::Object(props));
        m.insert("required".into(), Json::Array(required));
        m.insert("additionalProperties".into(), false.into());
        let mut checks = Vec::new();
        let mut all_of = Vec::new();
        for c in &obj.checks {
            let text = self.prog.project.sources.slice(c.cond.span);
            let text = match c.message {
                Some(msg) => format!("check {text} : {msg:?}"),
                None => format!("check {text}"),
            };
            match checks::check(self.prog, id, c.cond) {
                Some(Json::Object(mut s)) => {
                    s.insert("$comment".into(), text.into());
                    all_of.push(Json::Object(s));
                }
                _ => checks.push(text),
            }
        }
        if !all_of.is_empty() {
            m.insert("allOf".into(), Json::Array(all_of));
        }
        if !checks.is_empty() {
            m.insert(
                "$comment".into(),
                format!("not expressed in JSON Schema: {}", checks.join("; ")).into(),
            );
        }
        self.visiting.pop();
        Json::Object(m)
    }

    /// The schema of a type with its refinements and optionality.
    fn ty(&mut self, id: TyId) -> Json {
        let t = self.prog.ty(id).clone();
        let mut m = match &t.ty {
            Ty::Any | Ty::Error => Map::new(),
            Ty::Bool => type_only("boolean"),
            Ty::Int => type_only("integer"),
            Ty::Float | Ty::Duration => type_only("number"),
            Ty::Str | Ty::Secret => type_only("string"),
            Ty::List(e) => {
                let mut m = type_only("array");
                m.insert("items".into(), self.ty(*e));
                m
            }
            Ty::Map(e) => {
                let mut m = type_only("object");
                m.insert("additionalProperties".into(), self.ty(*e));
                m
            }
            Ty::Union(lits) => {
                let mut m = Map::new();
                m.insert("enum".into(), lits.iter().map(lit_json).collect());
                m
            }
            // "The first member it fits": valid when any member is (§9.4).
            Ty::AnyOf(members) => {
                let mut m = Map::new();
                let any = members.iter().map(|id| self.ty(*id)).collect();
                m.insert("anyOf".into(), Json::Array(any));
                m
            }
            Ty::Object(o) => match self.obj(*o) {
                Json::Object(m) => m,
                _ => Map::new(),
            },
        };
        let mut extra = Vec::new();
        for pred in &t.preds {
            refine(&mut m, &mut extra, &t.ty, &pred.kind);
        }
        if !extra.is_empty() {
            match m.get_mut("allOf") {
                Some(Json::Array(all)) => all.extend(extra),
                _ => {
                    m.insert("allOf".into(), Json::Array(extra));
                }
            }
        }
        if t.optional {
            m = nullable(m);
        }
        if self.annotate && matches!(t.ty, Ty::Secret) {
            m.insert("x-mcfg-secret".into(), true.into());
        }
        Json::Object(m)
    }
}

fn type_only(name: &str) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("type".into(), name.into());
    m
}

/// The artifact form of a literal.
fn lit_json(lit: &Lit) -> Json {
    match lit {
        Lit::Bool(b) => (*b).into(),
        Lit::Int(i) => (*i).into(),
        Lit::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Lit::Str(s) => s.to_string().into(),
        Lit::Duration(ns) => duration_json(*ns),
    }
}

/// Adds `null` to the values a schema accepts.
fn nullable(mut m: Map<String, Json>) -> Map<String, Json> {
    if m.is_empty() {
        return m;
    }
    if let Some(Json::Array(values)) = m.get_mut("enum") {
        if !values.contains(&Json::Null) {
            values.push(Json::Null);
        }
        return m;
    }
    // Type-specific keywords (`minimum`, `pattern`, `items`, `required`, …)
    // accept `null` already; `const`, `not` and `allOf` might not.
    let simple = !["const", "not", "allOf", "anyOf"]
        .iter()
        .any(|k| m.contains_key(*k));
    if let (true, Some(Json::String(t))) = (simple, m.get("type")) {
        let t = t.clone();
        m.insert("type".into(), json!([t, "null"]));
        return m;
    }
    let mut out = Map::new();
    out.insert("anyOf".into(), json!([Json::Object(m), {"type": "null"}]));
    out
}

/// Adds one refinement to `m` (or to `extra` when its keyword is taken).
fn refine(m: &mut Map<String, Json>, extra: &mut Vec<Json>, ty: &Ty, pred: &PredKind) {
    let mut put = |key: &str, value: Json| {
        if let (Some(Json::String(old)), Json::String(new)) = (m.get_mut(key), &value) {
            if key == "$comment" {
                old.push_str("; ");
                old.push_str(new);
                return;
            }
        }
        if m.contains_key(key) {
            let mut one = Map::new();
            one.insert(key.into(), value);
            extra.push(Json::Object(one));
        } else {
            m.insert(key.into(), value);
        }
    };
    match pred {
        PredKind::Compare(op, lit) => {
            let v = lit_json(lit);
            let ordered = matches!(lit, Lit::Int(_) | Lit::Float(_) | Lit::Duration(_));
            match op {
                CmpOp::Eq => put("const", v),
                CmpOp::Ne => put("not", json!({ "const": v })),
                CmpOp::Ge if ordered => put("minimum", v),
                CmpOp::Gt if ordered => put("exclusiveMinimum", v),
                CmpOp::Le if ordered => put("maximum", v),
                CmpOp::Lt if ordered => put("exclusiveMaximum", v),
                CmpOp::Ge | CmpOp::Gt | CmpOp::Le | CmpOp::Lt => {
                    put("$comment", format!("not expressed: {pred}").into());
                }
            }
        }
        PredKind::Len(op, n) => {
            let (min_key, max_key) = match ty {
                Ty::List(_) => ("minItems", "maxItems"),
                Ty::Map(_) | Ty::Object(_) => ("minProperties", "maxProperties"),
                _ => ("minLength", "maxLength"),
            };
            let n = *n;
            match op {
                CmpOp::Ge => put(min_key, n.max(0).into()),
                CmpOp::Gt => put(min_key, n.saturating_add(1).max(0).into()),
                CmpOp::Le => put(max_key, n.max(-1).into()),
                CmpOp::Lt => put(max_key, n.saturating_sub(1).max(-1).into()),
                CmpOp::Eq => {
                    put(min_key, n.into());
                    put(max_key, n.into());
                }
                CmpOp::Ne => put("not", json!({ min_key: n, max_key: n })),
            }
        }
        PredKind::Matches(pattern, _) => match regex::ecma(&pattern_source(pattern)) {
            Ok(p) => put("pattern", p.into()),
            Err(why) => put(
                "$comment",
                format!("not expressed: matches {pattern:?} ({why})").into(),
            ),
        },
        PredKind::Unique => put("uniqueItems", true.into()),
    }
}

mod checks;
pub mod regex;
mod runtime;
mod structural;

use crate::resolve::pattern_source;
pub use runtime::runtime_schemas;
use structural::structural;

#[cfg(test)]
mod tests;
