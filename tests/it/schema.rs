//! `mcfg schema`: the generated schemas are valid draft 2020-12 schemas (checked
//! with Python's `jsonschema` through `tests/schema_validate.py`), every real
//! artifact of `examples/ranking` passes, and mutated artifacts fail.
#![allow(clippy::unwrap_used)] // reason: helpers of tests, where a failure is a test failure

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{json, Value};

use mcfg::compile::{compile_paths, with_program, Compilation};
use mcfg::diagnostics::Diagnostics;
use mcfg::emit::schema::config_schemas;
use mcfg::loader::{MemoryFs, RealFs};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schemas_of(comp: &Compilation) -> IndexMap<String, Value> {
    assert!(!comp.has_errors(), "{:#?}", comp.diags);
    let mut diags = Diagnostics::new();
    with_program(&comp.project, &mut diags, |prog, _| {
        config_schemas(prog, &comp.artifacts)
    })
}

/// Runs the Python checker on `jobs`; panics with its report on failure.
fn validate(jobs: &Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let job_file = dir.path().join("jobs.json");
    std::fs::write(&job_file, serde_json::to_vec(jobs).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(repo().join("tests/schema_validate.py"))
        .arg(&job_file)
        .output()
        .expect("python3 must be installed to run the schema tests");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => stdout,
        Some(3) => panic!(
            "{stderr}\nthese tests need the Python package jsonschema: pip install jsonschema"
        ),
        _ => panic!("schema validation failed:\n{stdout}{stderr}"),
    }
}

/// `value` with the JSON pointer `ptr` set to `new` (`None` removes it).
fn mutate(value: &Value, ptr: &str, new: Option<Value>) -> Value {
    let mut v = value.clone();
    let (parent, key) = ptr.rsplit_once('/').unwrap();
    let obj = v.pointer_mut(parent).unwrap();
    match (obj, new) {
        (Value::Object(m), Some(n)) => {
            m.insert(key.to_owned(), n);
        }
        (Value::Object(m), None) => {
            assert!(m.shift_remove(key).is_some(), "no {ptr}");
        }
        (Value::Array(a), Some(n)) => a[key.parse::<usize>().unwrap()] = n,
        _ => panic!("cannot mutate {ptr}"),
    }
    v
}

fn invalid(why: &str, value: Value) -> Value {
    json!({"why": why, "value": value})
}

#[test]
fn ranking_artifacts_validate_and_mutations_fail() {
    let comp = compile_paths(&RealFs, &[repo().join("examples/ranking")], None).unwrap();
    let schemas = schemas_of(&comp);
    assert_eq!(
        schemas.keys().collect::<Vec<_>>(),
        ["search", "ranker", "reranker", "ranker_ab"]
    );
    let mut jobs = Vec::new();
    for (name, schema) in &schemas {
        let arts: Vec<Value> = comp
            .artifacts
            .iter()
            .filter(|a| &a.config == name)
            .map(|a| a.value.to_json())
            .collect();
        assert_eq!(arts.len(), 3, "{name}: one artifact per environment");
        let first = &arts[0];
        let first_key = first.as_object().unwrap().keys().next().unwrap().clone();
        let mut bad = vec![
            invalid("extra key", mutate(first, "/unexpected", Some(json!(1)))),
            invalid("missing key", mutate(first, &format!("/{first_key}"), None)),
            invalid(
                "wrong type",
                mutate(first, &format!("/{first_key}"), Some(json!([]))),
            ),
            invalid("not an object", json!([first])),
        ];
        let model = name == "ranker" || name == "reranker";
        if model {
            bad.extend([
                invalid(
                    "beyond a bound",
                    mutate(first, "/serving/batch_size", Some(json!(1024))),
                ),
                invalid(
                    "below a duration bound",
                    mutate(first, "/serving/timeout", Some(json!(0.001))),
                ),
                invalid(
                    "wrong type",
                    mutate(first, "/serving/replicas", Some(json!("8"))),
                ),
                invalid(
                    "float for int",
                    mutate(first, "/serving/replicas", Some(json!(1.5))),
                ),
                invalid("enum", mutate(first, "/serving/device", Some(json!("tpu")))),
                invalid("pattern", mutate(first, "/name", Some(json!("Ranker!")))),
                invalid(
                    "pattern is anchored",
                    mutate(first, "/serving/endpoint", Some(json!("x https://a.b"))),
                ),
                invalid(
                    "nested extra key",
                    mutate(first, "/serving/extra", Some(json!(true))),
                ),
                invalid("nested missing key", mutate(first, "/serving/port", None)),
                invalid(
                    "map element bound",
                    mutate(first, "/thresholds/spam", Some(json!(1.5))),
                ),
                invalid(
                    "list too short",
                    mutate(first, "/features", Some(json!([]))),
                ),
                invalid(
                    "list not unique",
                    mutate(first, "/features", Some(json!(["a", "a"]))),
                ),
                invalid(
                    "string too long",
                    mutate(first, "/name", Some(json!("a".repeat(64)))),
                ),
                invalid(
                    "null for required",
                    mutate(first, "/serving/endpoint", Some(Value::Null)),
                ),
            ]);
        } else if name == "ranker_ab" {
            bad.extend([
                invalid(
                    "map element beyond bound",
                    mutate(first, "/traffic/current", Some(json!(101))),
                ),
                invalid("map too small", mutate(first, "/traffic", Some(json!({})))),
            ]);
        }
        // Optional fields accept null; a map accepts a new key.
        let mut good = arts.clone();
        if model {
            good.push(mutate(first, "/serving/api_key", Some(Value::Null)));
            good.push(mutate(first, "/thresholds/new_label", Some(json!(0.5))));
        }
        jobs.push(json!({"name": name, "schema": schema, "valid": good, "invalid": bad}));
    }
    let report = validate(&Value::Array(jobs));
    assert!(report.contains("\"schemas\": 4"), "{report}");
}

fn compile_text(text: &str) -> Compilation {
    let mut fs = MemoryFs::new();
    fs.insert("/p/main.mcfg", text);
    compile_paths(&fs, &[PathBuf::from("/p")], None).unwrap()
}

#[test]
fn structural_configs_get_the_shape_of_every_environment() {
    let comp = compile_text(
        "environments { dev; prod }\nconfig s {\n  a = 1\n  b { c = \"x\"; d = [1.5] }\n  env prod { e = true }\n}\n",
    );
    let schemas = schemas_of(&comp);
    let s = &schemas["s"];
    assert_eq!(s["required"], json!(["a", "b"]));
    assert_eq!(s["properties"]["e"], json!({"type": "boolean"}));
    assert_eq!(
        s["properties"]["b"]["properties"]["d"]["items"],
        json!({"type": "number"})
    );
    let arts: Vec<Value> = comp.artifacts.iter().map(|a| a.value.to_json()).collect();
    let jobs = json!([{
        "name": "s", "schema": s, "valid": arts,
        "invalid": [
            invalid("wrong type", json!({"a": "1", "b": {"c": "x", "d": []}})),
            invalid("extra key", json!({"a": 1, "b": {"c": "x", "d": []}, "z": 1})),
            invalid("missing key", json!({"b": {"c": "x", "d": []}})),
        ],
    }]);
    validate(&jobs);
}

#[test]
fn cli_writes_one_file_per_config_or_prints_one() {
    let dir = tempfile::tempdir().unwrap();
    let mcfg = env!("CARGO_BIN_EXE_mcfg");
    let example = repo().join("examples/ranking");
    let out = std::process::Command::new(mcfg)
        .args(["schema", "-o"])
        .arg(dir.path())
        .arg(&example)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ranker.runtime.schema.json",
            "ranker.schema.json",
            "ranker_ab.schema.json",
            "reranker.runtime.schema.json",
            "reranker.schema.json",
            "search.schema.json"
        ]
    );
    let rt = std::fs::read_to_string(dir.path().join("ranker.runtime.schema.json")).unwrap();
    let rt: Value = serde_json::from_str(&rt).unwrap();
    assert_eq!(rt["title"], "ranker.runtime");
    assert_eq!(rt["required"], json!(["serving", "diversity"]));
    let text = std::fs::read_to_string(dir.path().join("ranker_ab.schema.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["title"], "ranker_ab");
    assert!(v["$comment"]
        .as_str()
        .unwrap()
        .contains("traffic shares must add up to 100"));

    let one = std::process::Command::new(mcfg)
        .args(["schema", "--config", "reranker"])
        .arg(&example)
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(v["title"], "reranker");

    let all = std::process::Command::new(mcfg)
        .arg("schema")
        .arg(Path::new(&example))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(v["$defs"].as_object().unwrap().len(), 4);
    assert_eq!(v["$defs"]["ranker"]["title"], "ranker");
    assert!(v["$defs"]["ranker"].get("$schema").is_none());
    assert_eq!(v["anyOf"][3], json!({ "$ref": "#/$defs/ranker_ab" }));

    let missing = std::process::Command::new(mcfg)
        .args(["schema", "--config", "nope"])
        .arg(&example)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
