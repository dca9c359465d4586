use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::compile::{compile_paths, with_program};
use crate::diagnostics::Diagnostics;
use crate::loader::MemoryFs;

fn schemas(text: &str) -> IndexMap<String, Json> {
    let mut fs = MemoryFs::new();
    fs.insert("/p/main.mcfg", text);
    let comp = compile_paths(&fs, &[PathBuf::from("/p")], None).unwrap();
    assert!(!comp.has_errors(), "{:#?}", comp.diags);
    let mut diags = Diagnostics::new();
    with_program(&comp.project, &mut diags, |prog, _| {
        config_schemas(prog, &comp.artifacts)
    })
}

#[test]
fn scalar_types_and_refinements() {
    let s = schemas(
        "/// A schema.\nschema S {\n  /// Batch.\n  b: int(>= 1, < 512) = 1\n  f: float(> 0, <= 1) = 0.5\n  t: duration(>= 10ms, <= 30s) = 1s\n  n: string(len >= 1, len <= 3, matches \"[a-z]+\") = \"ab\"\n  e: int(== 3, != 4) = 3\n  x: string(!= \"no\") = \"yes\"\n}\n/// The config.\nconfig c: S {}\n",
    );
    let c = &s["c"];
    assert_eq!(c["$schema"], DRAFT);
    assert_eq!(c["title"], "c");
    assert_eq!(c["description"], "The config.");
    assert_eq!(c["additionalProperties"], false);
    assert_eq!(c["required"], json!(["b", "f", "t", "n", "e", "x"]));
    let p = &c["properties"];
    assert_eq!(
        p["b"],
        json!({"type": "integer", "minimum": 1, "exclusiveMaximum": 512, "description": "Batch."})
    );
    assert_eq!(
        p["f"],
        json!({"type": "number", "exclusiveMinimum": 0, "maximum": 1})
    );
    assert_eq!(
        p["t"],
        json!({"type": "number", "minimum": 0.01, "maximum": 30})
    );
    assert_eq!(
        p["n"],
        json!({"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-z]+$(?!\\n)"})
    );
    assert_eq!(
        p["e"],
        json!({"type": "integer", "const": 3, "not": {"const": 4}})
    );
    assert_eq!(p["x"], json!({"type": "string", "not": {"const": "no"}}));
}

#[test]
fn containers_unions_optionals_and_checks() {
    let s = schemas(
        "schema S {\n  l: list[string](len >= 1, unique) = [\"a\"]\n  m: map[int](len <= 2) = {}\n  u: \"cpu\" | \"gpu\" = \"cpu\"\n  o: int? \n  q: string(len >= 2)? \n  k: (int(== 1))?\n  a: any = 1\n  s: secret?\n  old: int? @deprecated(\"no\")\n  i: { x: bool = true }\n  check len(l) < 5 : \"short\"\n}\nconfig c: S {}\n",
    );
    let p = &s["c"]["properties"];
    assert_eq!(
        p["l"],
        json!({"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": true})
    );
    assert_eq!(
        p["m"],
        json!({"type": "object", "additionalProperties": {"type": "integer"}, "maxProperties": 2})
    );
    assert_eq!(p["u"], json!({"enum": ["cpu", "gpu"]}));
    assert_eq!(p["o"], json!({"type": ["integer", "null"]}));
    assert_eq!(p["q"], json!({"type": ["string", "null"], "minLength": 2}));
    assert_eq!(p["a"], json!({}));
    assert_eq!(p["s"], json!({"type": ["string", "null"]}));
    assert_eq!(p["old"]["deprecated"], true);
    assert_eq!(
        p["i"],
        json!({"type": "object", "properties": {"x": {"type": "boolean"}},
               "required": ["x"], "additionalProperties": false})
    );
    assert_eq!(
        s["c"]["$comment"],
        "not expressed in JSON Schema: check len(l) < 5 : \"short\""
    );
    // `const` would refuse null: optional types with it become `anyOf`.
    assert_eq!(
        p["k"],
        json!({"anyOf": [{"type": "integer", "const": 1}, {"type": "null"}]})
    );
}

#[test]
fn optional_unions_accept_null_and_aliases_stack_bounds() {
    let s = schemas(
        "type P = float(>= 0, <= 1)\nschema S {\n  u: (1 | 2)? \n  p: P(>= 0.5) = 0.5\n}\nconfig c: S {}\n",
    );
    let p = &s["c"]["properties"];
    assert_eq!(p["u"], json!({"enum": [1, 2, null]}));
    assert_eq!(
        p["p"],
        json!({"type": "number", "minimum": 0, "maximum": 1, "allOf": [{"minimum": 0.5}]})
    );
}

#[test]
fn structural_shapes_merge_environments() {
    let s = schemas(
        "environments { dev; prod }\nconfig s {\n  n = 1\n  l = []\n  env prod { l = [\"a\"]; x = null }\n}\n",
    );
    assert_eq!(
        s["s"],
        json!({
            "$schema": DRAFT,
            "$id": "urn:mcfg:s.schema.json",
            "title": "s",
            "type": "object",
            "properties": {
                "n": {"type": "integer"},
                "l": {"type": "array", "items": {"type": "string"}},
                "x": {"type": "null"},
            },
            "required": ["n", "l"],
            "additionalProperties": false,
        })
    );
}

#[test]
fn simple_checks_become_if_then_and_the_rest_stays_a_comment() {
    let s = schemas(
        "schema S {\n  device: \"cpu\" | \"gpu\" = \"cpu\"\n  batch: int = 8\n  tag: string?\n  check device == \"gpu\" or batch <= 64 : \"cpu batches\"\n  check tag == null or len(tag) > 1\n}\nconfig c: S {}\n",
    );
    let c = &s["c"];
    assert_eq!(
        c["required"],
        json!(["device", "batch"]),
        "optional `tag` may be absent"
    );
    assert_eq!(
        c["allOf"],
        json!([{
            "if": {"not": {"type": "object", "properties": {"device": {"const": "gpu"}}, "required": ["device"]}},
            "then": {"type": "object", "properties": {"batch": {"type": "number", "maximum": 64}}, "required": ["batch"]},
            "$comment": "check device == \"gpu\" or batch <= 64 : \"cpu batches\"",
        }])
    );
    assert_eq!(
        c["$comment"],
        "not expressed in JSON Schema: check tag == null or len(tag) > 1"
    );
}

#[test]
fn patterns_are_searched_like_mcfg_and_refusals_are_comments() {
    let s = schemas(
        "schema S {\n  u: string(matches \"^https://\") = \"https://x\"\n  w: string(matches \"(?i)ab\") = \"AB\"\n  b: string(matches \"\\\\bx\\\\b\\\\b\\\\b\") = \"x\"\n}\nconfig c: S {}\n",
    );
    let p = &s["c"]["properties"];
    // An anchored pattern is a prefix test in mcfg, and in the schema.
    assert_eq!(p["u"]["pattern"], "^https:\\/\\/");
    assert_eq!(p["w"]["pattern"], "^[Aa][Bb]$(?!\\n)");
    assert!(p["b"].get("pattern").is_none());
    let comment = p["b"]["$comment"].as_str().expect("a comment");
    assert!(
        comment.starts_with(
            "not expressed: matches \"\\\\bx\\\\b\\\\b\\\\b\" (its exact ECMA-262 form is "
        ),
        "{comment}"
    );
}

#[test]
fn runtime_schema_holds_only_runtime_paths_with_annotations() {
    let mut fs = MemoryFs::new();
    fs.insert(
        "/p/main.mcfg",
        "environments { dev; prod }\nschema S {\n  a: int = 1 @runtime @invariant\n  b: int = 2\n  k: secret? @runtime\n}\nconfig c: S { env prod { b = 3 } }\n",
    );
    let comp = compile_paths(&fs, &[PathBuf::from("/p")], None).unwrap();
    assert!(!comp.has_errors(), "{:#?}", comp.diags);
    let mut diags = Diagnostics::new();
    let rt = with_program(&comp.project, &mut diags, |prog, _| {
        runtime_schemas(prog, &comp.artifacts)
    });
    let s = &rt["c.runtime"];
    assert_eq!(s["$id"], "urn:mcfg:c.runtime.schema.json");
    assert_eq!(s["required"], json!(["a"]));
    assert_eq!(
        s["properties"],
        json!({
            "a": {"type": "integer", "x-mcfg-tier": "runtime", "x-mcfg-invariant": true, "const": 1},
            "k": {"type": ["string", "null"], "x-mcfg-secret": true, "x-mcfg-tier": "runtime"},
        })
    );
    assert_eq!(s["additionalProperties"], false);
}
