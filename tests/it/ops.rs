//! The operations commands run as the real binary: `explain`, `diff`, `log`,
//! `drift`, `check-runtime` — human output snapshots, `--json` shapes and
//! exit codes, on a multi-file project with a three-config inheritance chain
//! and environment inheritance (`prod_eu extends prod`).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

const SCHEMAS: &str = r#"schema Serving {
  replicas: int(>= 1) = 1
  timeout: duration(>= 10ms, <= 30s) = 200ms @runtime
  retries: int(>= 0) = 2 @runtime
  endpoint: string @distinct
  token: secret?
  check timeout * retries <= 2s : "retries times timeout must stay under 2s"
}

schema Svc {
  name: string
  version: string @invariant
  serving: Serving
  tags: list[string] = []
  limits: map[int] = {}
}
"#;

const SVC: &str = r#"import "./schemas.mcfg" as s

environments {
  dev
  prod
  prod_eu extends prod
}

abstract config base: s.Svc {
  version = "1.0.0"
  serving.replicas = 2
  serving.endpoint = "https://${env}.example.com"
  tags = ["a"]
  env prod { serving.replicas = 8 }
}

abstract config mid extends base {
  tags += ["b"]
  env prod { serving.token = secret("vault:svc#token") }
}

config svc extends mid {
  name = "svc"
  limits { cpu = 2 }
  env prod { serving.replicas = 6 }
  env prod_eu { serving.replicas = len(self.tags) * 5 }
}
"#;

pub(super) fn mcfg(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("mcfg runs")
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

pub(super) fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn svc_project() -> tempfile::TempDir {
    project(&[("schemas.mcfg", SCHEMAS), ("svc.mcfg", SVC)])
}

pub(super) fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

pub(super) fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8")
}

pub(super) fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

pub(super) fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

// ----- explain

#[test]
fn explain_json_lists_every_step_through_three_configs_and_env_inheritance() {
    let dir = svc_project();
    let out = mcfg(
        dir.path(),
        &[
            "explain",
            "svc.serving.replicas",
            "--env",
            "prod_eu",
            "--json",
            ".",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["config"], "svc");
    assert_eq!(report["env"], "prod_eu");
    assert_eq!(report["path"], "serving.replicas");
    assert_eq!(report["value"], 10);
    let steps = report["steps"].as_array().expect("steps");
    let summary: Vec<(String, String, String, u64)> = steps
        .iter()
        .map(|s| {
            (
                s["op"].as_str().unwrap().to_owned(),
                s["text"].as_str().unwrap().to_owned(),
                s["from"].as_str().unwrap().to_owned(),
                s["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("default", "1", "Serving", 2),
        ("set", "2", "base", 11),
        ("set", "8", "base, env prod", 14),
        ("set", "6", "svc, env prod", 25),
        ("set", "len(self.tags) * 5", "svc, env prod_eu", 26),
    ];
    let expected: Vec<(String, String, String, u64)> = expected
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), *d))
        .collect();
    assert_eq!(summary, expected);
    assert_eq!(steps[0]["file"], "schemas.mcfg");
    assert_eq!(steps[0]["column"], 25);
    assert_eq!(steps[4]["file"], "svc.mcfg");
    assert_eq!(steps[4]["column"], 36);
    assert_eq!(
        steps[4]["reads"],
        json!([{"name": "self.tags", "value": ["a", "b"]}])
    );
    assert!(steps[1].get("reads").is_none(), "literals read nothing");
}

#[test]
fn explain_appends_and_secrets_by_reference() {
    let dir = svc_project();
    let out = mcfg(
        dir.path(),
        &["explain", "svc.tags", "--env", "dev", "--json"],
    );
    let report = json_of(&out);
    assert_eq!(report["value"], json!(["a", "b"]));
    let ops: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["default", "set", "append"]);
    assert_eq!(report["steps"][2]["from"], "mid");

    let out = mcfg(
        dir.path(),
        &["explain", "svc.serving.token", "--env", "prod"],
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("svc.serving.token in env prod = secret(\"vault:svc#token\")\n"),
        "{text}"
    );
}

#[test]
fn explain_human_shows_every_environment_side_by_side() {
    let dir = svc_project();
    let out = mcfg(dir.path(), &["explain", "svc.serving.replicas", "."]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("explain_all_envs", stdout(&out));
}

#[test]
fn explain_subtree_and_all_envs_json_shapes() {
    let dir = svc_project();
    let out = mcfg(
        dir.path(),
        &["explain", "svc.serving", "--env", "dev", "--json"],
    );
    let report = json_of(&out);
    assert_eq!(report["path"], "serving");
    assert_eq!(report["value"]["timeout"], 0.2);
    let leaves: Vec<&str> = report["leaves"]
        .as_array()
        .expect("leaves")
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        leaves,
        [
            "serving.replicas",
            "serving.timeout",
            "serving.retries",
            "serving.endpoint",
            "serving.token"
        ]
    );
    assert_eq!(report["leaves"][4]["steps"], json!([]));
    assert_eq!(report["leaves"][4]["value"], Value::Null);

    let out = mcfg(dir.path(), &["explain", "svc.serving.replicas", "--json"]);
    let report = json_of(&out);
    assert!(report.get("env").is_none());
    let envs: Vec<(&str, i64)> = report["envs"]
        .as_array()
        .expect("envs")
        .iter()
        .map(|e| (e["env"].as_str().unwrap(), e["value"].as_i64().unwrap()))
        .collect();
    assert_eq!(envs, [("dev", 2), ("prod", 6), ("prod_eu", 10)]);
}

#[test]
fn explain_without_environments_and_bad_targets() {
    let dir = project(&[("main.mcfg", "config a {\n  x = 1\n  y = x + 1\n}\n")]);
    let out = mcfg(dir.path(), &["explain", "a.y", "--json"]);
    let report = json_of(&out);
    assert_eq!(report["env"], Value::Null);
    assert_eq!(report["value"], 2);
    assert_eq!(
        report["steps"][0]["reads"],
        json!([{"name": "x", "value": 1}])
    );

    let out = mcfg(dir.path(), &["explain", "a.z"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("config `a` has no field `z`"),
        "{}",
        stderr(&out)
    );
    let out = mcfg(dir.path(), &["explain", "b.x"]);
    assert_eq!(code(&out), Some(2));
    let out = mcfg(dir.path(), &["explain", "a.x", "--env", "prod"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("declare no environments"));
}

// ----- diff --env

#[test]
fn diff_envs_json_lists_leaves_with_holding_assignments() {
    let dir = svc_project();
    let out = mcfg(
        dir.path(),
        &["diff", "--env", "dev", "--env", "prod_eu", "--json", "."],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["envs"], json!(["dev", "prod_eu"]));
    let diffs = report["differences"].as_array().unwrap();
    let paths: Vec<&str> = diffs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["serving.replicas", "serving.endpoint", "serving.token"]
    );
    assert_eq!(diffs[0]["config"], "svc");
    assert_eq!(diffs[0]["values"], json!([2, 10]));
    assert_eq!(
        diffs[0]["locations"],
        json!([
            {"file": "svc.mcfg", "line": 11, "column": 22},
            {"file": "svc.mcfg", "line": 26, "column": 36}
        ])
    );
    assert_eq!(diffs[2]["values"], json!([null, "vault:svc#token"]));
    assert_eq!(diffs[2]["locations"][0], Value::Null);
}

#[test]
fn diff_envs_human_table_marks_distinct_fields() {
    let dir = svc_project();
    let out = mcfg(
        dir.path(),
        &["diff", "--env", "dev", "--env", "prod", "svc"],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("diff_envs", stdout(&out));
}

#[test]
fn diff_needs_two_envs_and_known_names() {
    let dir = svc_project();
    assert_eq!(code(&mcfg(dir.path(), &["diff", "--env", "dev"])), Some(2));
    assert_eq!(
        code(&mcfg(dir.path(), &["diff", "--env", "dev", "--env", "qa"])),
        Some(2)
    );
    let out = mcfg(
        dir.path(),
        &["diff", "--env", "prod", "--env", "prod", "nosuch"],
    );
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("no config named `nosuch`"));
    let out = mcfg(
        dir.path(),
        &["diff", "--env", "prod", "--env", "prod", "--json"],
    );
    assert_eq!(json_of(&out)["differences"], json!([]));
}

// ----- drift

fn built_artifact(dir: &Path, env: &str) -> Value {
    let out = mcfg(dir, &["build", ".", "-o", "out"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.join(format!("out/{env}/svc.json"))).expect("artifact");
    serde_json::from_str(&text).expect("artifact JSON")
}

#[test]
fn drift_is_clean_on_the_built_artifact_and_compares_numbers_by_value() {
    let dir = svc_project();
    let mut artifact = built_artifact(dir.path(), "prod");
    artifact["serving"]["replicas"] = json!(6.0);
    write(dir.path(), "live.json", &artifact.to_string());
    let args = [
        "drift",
        "--env",
        "prod",
        "--config",
        "svc",
        "--deployed",
        "live.json",
        ".",
    ];
    let out = mcfg(dir.path(), &args);
    assert_eq!(code(&out), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        stdout(&out),
        "svc in env prod: the deployed artifact matches the sources\n"
    );
    // The same artifact as YAML, durations in seconds.
    let yaml = "name: svc\nversion: \"1.0.0\"\nserving:\n  replicas: 6\n  timeout: 0.2\n  retries: 2\n  endpoint: https://prod.example.com\n  token: vault:svc#token\ntags: [a, b]\nlimits: {cpu: 2}\n";
    write(dir.path(), "live.yaml", yaml);
    let out = mcfg(
        dir.path(),
        &[
            "drift",
            "--env",
            "prod",
            "--config",
            "svc",
            "--deployed",
            "live.yaml",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stdout(&out));
}

#[test]
fn drift_reports_changed_missing_and_extra_paths() {
    let dir = svc_project();
    let mut artifact = built_artifact(dir.path(), "prod");
    artifact["serving"]["replicas"] = json!(7);
    artifact["serving"]
        .as_object_mut()
        .unwrap()
        .remove("timeout");
    artifact["debug"] = json!(true);
    write(dir.path(), "live.json", &artifact.to_string());
    let args = [
        "drift",
        "--env",
        "prod",
        "--config",
        "svc",
        "--deployed",
        "live.json",
    ];
    let out = mcfg(dir.path(), &[&args[..], &["--json"]].concat());
    assert_eq!(code(&out), Some(1));
    assert_eq!(
        json_of(&out),
        json!({"config": "svc", "env": "prod", "differences": [
            {"kind": "changed", "path": "serving.replicas", "expected": 6, "deployed": 7,
             "location": {"file": "svc.mcfg", "line": 25, "column": 33}},
            {"kind": "missing", "path": "serving.timeout", "expected": 0.2,
             "location": {"file": "schemas.mcfg", "line": 3, "column": 40}},
            {"kind": "extra", "path": "debug", "deployed": true}
        ]})
    );
    let out = mcfg(dir.path(), &args);
    assert_eq!(code(&out), Some(1));
    insta::assert_snapshot!("drift_human", stdout(&out));
}

#[test]
fn drift_rejects_duplicate_keys_and_unknown_names() {
    let dir = svc_project();
    write(
        dir.path(),
        "dup.yaml",
        "name: svc\nserving:\n  replicas: 1\n  replicas: 2\n",
    );
    let out = mcfg(
        dir.path(),
        &[
            "drift",
            "--env",
            "prod",
            "--config",
            "svc",
            "--deployed",
            "dup.yaml",
        ],
    );
    assert_eq!(code(&out), Some(1));
    // A diagnostic in the document, rendered like any other.
    let err = stderr(&out);
    assert!(err.starts_with("mcfg::duplicate\n"), "{err}");
    assert!(err.contains("duplicate key `replicas`"), "{err}");
    assert!(err.contains("first written here"), "{err}");
    assert!(err.contains("[dup.yaml:4:3]"), "{err}");
    let json = mcfg(
        dir.path(),
        &[
            "--message-format",
            "json",
            "drift",
            "--env",
            "prod",
            "--config",
            "svc",
            "--deployed",
            "dup.yaml",
        ],
    );
    assert_eq!(code(&json), Some(1));
    let d: Value = serde_json::from_str(stderr(&json).trim()).expect("one JSON line");
    assert_eq!(
        (&d["code"], &d["file"], &d["line"], &d["column"]),
        (
            &json!("mcfg::duplicate"),
            &json!("dup.yaml"),
            &json!(4),
            &json!(3)
        )
    );
    write(dir.path(), "dup.json", "{\"a\": 1, \"a\": 1}");
    let out = mcfg(
        dir.path(),
        &[
            "drift",
            "--env",
            "prod",
            "--config",
            "svc",
            "--deployed",
            "dup.json",
        ],
    );
    assert_eq!(code(&out), Some(1));
    write(dir.path(), "ok.json", "{}");
    let out = mcfg(
        dir.path(),
        &[
            "drift",
            "--env",
            "qa",
            "--config",
            "svc",
            "--deployed",
            "ok.json",
        ],
    );
    // An unknown environment: the command cannot run.
    assert_eq!(code(&out), Some(2));
}

// ----- check-runtime

fn check_runtime(dir: &Path, update: &str, extra: &[&str]) -> Output {
    write(dir, "update.yaml", update);
    let args = [
        "check-runtime",
        "--env",
        "prod",
        "--config",
        "svc",
        "update.yaml",
        ".",
    ];
    mcfg(dir, &[&args[..], extra].concat())
}

#[test]
fn check_runtime_accepts_runtime_paths_nested_or_dotted() {
    let dir = svc_project();
    let out = check_runtime(
        dir.path(),
        "serving:\n  timeout: 0.5\n\"serving.retries\": 4\n",
        &[],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ok: the update to `svc` in env prod may be pushed without a redeploy\n"
    );
    let out = check_runtime(dir.path(), "{\"serving\": {\"timeout\": 1}}", &["--json"]);
    assert_eq!(
        json_of(&out),
        json!({"ok": true, "config": "svc", "env": "prod", "problems": []})
    );
}

#[test]
fn check_runtime_rejects_build_time_paths_with_the_declaration() {
    let dir = svc_project();
    let out = check_runtime(dir.path(), "serving:\n  replicas: 3\n", &["--json"]);
    assert_eq!(code(&out), Some(1));
    let report = json_of(&out);
    assert_eq!(report["ok"], false);
    let p = &report["problems"][0];
    assert_eq!(p["code"], "mcfg::tier");
    assert_eq!(
        (&p["file"], &p["line"], &p["column"]),
        (&json!("update.yaml"), &json!(2), &json!(3))
    );
    assert_eq!(p["labels"][0]["file"], "schemas.mcfg");
    assert_eq!(p["labels"][0]["line"], 2);
    assert_eq!(report["problems"].as_array().unwrap().len(), 1);
}

#[test]
fn check_runtime_checks_types_refinements_and_schema_checks() {
    let dir = svc_project();
    // 1.5s * 2 retries breaks the schema check; 60s breaks the refinement elsewhere.
    let out = check_runtime(dir.path(), "serving:\n  timeout: 1.5\n", &[]);
    assert_eq!(code(&out), Some(1));
    insta::assert_snapshot!("check_runtime_check_failed", stderr(&out));
    let out = check_runtime(
        dir.path(),
        "serving:\n  timeout: 60\n  retries: -1\n  retires: 1\n",
        &["--json"],
    );
    let codes: Vec<(String, u64)> = json_of(&out)["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_owned(),
                p["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("mcfg::constraint".to_owned(), 2),
            ("mcfg::constraint".to_owned(), 3),
            ("mcfg::unknown-field".to_owned(), 4)
        ]
    );
}

#[test]
fn check_runtime_allows_new_map_keys_only_in_runtime_maps() {
    let dir = svc_project();
    let out = check_runtime(dir.path(), "serving:\n  timeout: \"fast\"\n", &["--json"]);
    assert_eq!(json_of(&out)["problems"][0]["code"], "mcfg::type-mismatch");
    let out = check_runtime(dir.path(), "limits:\n  gpu: 1\n", &["--json"]);
    assert_eq!(code(&out), Some(1));
    assert_eq!(json_of(&out)["problems"][0]["code"], "mcfg::tier");
}

// ----- git: diff --against and log

pub(super) fn git(dir: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=A. Person",
            "-c",
            "user.email=a@example.com",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(super) fn commit(dir: &Path, message: &str, date: &str) {
    git(dir, &["add", "-A"], date);
    git(dir, &["commit", "-q", "-m", message], date);
}

/// A repository whose project lives in `cfg/`: replicas in prod go 6 → 7 → 9,
/// with an unrelated commit in between.
fn history_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    git(d, &["init", "-q"], "2026-11-20T10:00:00Z");
    write(d, "README", "not mcfg\n");
    commit(d, "readme", "2026-11-20T09:00:00Z");
    write(d, "cfg/schemas.mcfg", SCHEMAS);
    write(d, "cfg/svc.mcfg", SVC);
    commit(d, "add svc", "2026-11-20T10:04:00Z");
    write(
        d,
        "cfg/svc.mcfg",
        &SVC.replace("serving.replicas = 6", "serving.replicas = 7"),
    );
    commit(d, "scale prod", "2026-11-21T11:00:00Z");
    write(
        d,
        "cfg/svc.mcfg",
        &SVC.replace("serving.replicas = 6", "serving.replicas = 7 // peak"),
    );
    commit(
        d,
        "broken: the comment eats the brace",
        "2026-11-22T12:00:00Z",
    );
    write(
        d,
        "cfg/svc.mcfg",
        &SVC.replace("serving.replicas = 6", "serving.replicas = 7 /* peak */"),
    );
    commit(d, "comment only", "2026-11-22T12:30:00Z");
    let v4 = SVC.replace("serving.replicas = 6", "serving.replicas = 9");
    write(
        d,
        "cfg/svc.mcfg",
        &format!("{v4}\nconfig extra extends mid {{ name = \"extra\" }}\n"),
    );
    commit(d, "scale prod again, add extra", "2026-11-23T13:30:00Z");
    dir
}

#[test]
fn log_lists_each_commit_that_changed_the_value() {
    let repo = history_repo();
    let out = mcfg(
        repo.path(),
        &[
            "log",
            "svc.serving.replicas",
            "--env",
            "prod",
            "--json",
            "cfg",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["config"], "svc");
    assert_eq!(report["env"], "prod");
    assert_eq!(report["path"], "serving.replicas");
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3, "{report}");
    assert!(changes[0].get("old").is_none());
    assert_eq!(changes[0]["new"], 6);
    assert_eq!(changes[0]["subject"], "add svc");
    assert_eq!(changes[0]["author"], "A. Person");
    assert_eq!(changes[0]["date"], "2026-11-20T10:04:00Z");
    assert_eq!(changes[0]["commit"].as_str().unwrap().len(), 40);
    assert_eq!(
        changes[0]["location"],
        json!({"file": "cfg/svc.mcfg", "line": 25, "column": 33})
    );
    assert_eq!(
        (&changes[1]["old"], &changes[1]["new"]),
        (&json!(6), &json!(7))
    );
    assert_eq!(changes[1]["subject"], "scale prod");
    assert_eq!(
        (&changes[2]["old"], &changes[2]["new"]),
        (&json!(7), &json!(9))
    );
    assert_eq!(changes[2]["date"], "2026-11-23T13:30:00Z");

    // From inside the project folder the same history is found.
    let out = mcfg(
        &repo.path().join("cfg"),
        &["log", "svc.serving.replicas", "--env", "prod"],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let filtered: String = text
        .lines()
        .map(|l| {
            if l.len() > 12 && l[..12].chars().all(|c| c.is_ascii_hexdigit()) {
                format!("[commit]{}", &l[12..])
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("log_human", filtered);
}

#[test]
fn diff_against_a_revision_lists_changed_and_added_values() {
    let repo = history_repo();
    let out = mcfg(
        repo.path(),
        &[
            "diff",
            "--against",
            "HEAD~1",
            "--env",
            "prod",
            "--json",
            "cfg",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["against"], "HEAD~1");
    assert!(report.get("envs").is_none());
    let diffs = report["differences"].as_array().unwrap();
    assert_eq!(diffs[0]["config"], "svc");
    assert_eq!(diffs[0]["env"], "prod");
    assert_eq!(diffs[0]["path"], "serving.replicas");
    assert_eq!(diffs[0]["values"], json!([7, 9]));
    assert_eq!(diffs[0]["locations"][0]["line"], 25);
    assert_eq!(diffs[0]["locations"][1]["line"], 25);
    // The added config: every leaf, null at the revision.
    let added: Vec<&Value> = diffs.iter().filter(|d| d["config"] == "extra").collect();
    assert!(added
        .iter()
        .all(|d| d["values"][0].is_null() && d["locations"][0].is_null()));
    assert!(added
        .iter()
        .any(|d| d["path"] == "name" && d["values"][1] == "extra"));

    // Nothing changed in prod_eu's replicas (it is computed there).
    let out = mcfg(
        repo.path(),
        &[
            "diff",
            "--against",
            "HEAD~1",
            "--env",
            "prod_eu",
            "svc",
            "cfg",
        ],
    );
    assert_eq!(stdout(&out), "no value changed since HEAD~1\n");
    let out = mcfg(repo.path(), &["diff", "--against", "HEAD~3", "svc", "cfg"]);
    insta::assert_snapshot!("diff_against_human", stdout(&out));
}

#[test]
fn git_commands_outside_a_repository_exit_2() {
    let dir = svc_project();
    let out = mcfg(dir.path(), &["diff", "--against", "HEAD"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("not inside a git repository"),
        "{}",
        stderr(&out)
    );
    let out = mcfg(
        dir.path(),
        &["log", "svc.serving.replicas", "--env", "prod"],
    );
    assert_eq!(code(&out), Some(2));
    let repo = history_repo();
    let out = mcfg(repo.path(), &["diff", "--against", "nosuchrev", "cfg"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("unknown git revision"));
}

#[test]
fn check_runtime_keeps_built_values_and_accepts_new_map_entries() {
    let src = r#"schema S {
  base: duration = 100ms @runtime
  total: duration = 1s @runtime
  weights: map[float(>= 0)] = {} @runtime
  check total >= base : "total must cover base"
}

config c: S {
  total = base * 3
  weights { a = 1.0 }
}
"#;
    let dir = project(&[("main.mcfg", src)]);
    let run = |update: &str| {
        write(dir.path(), "u.json", update);
        mcfg(
            dir.path(),
            &[
                "check-runtime",
                "--config",
                "c",
                "u.json",
                "--json",
                "main.mcfg",
            ],
        )
    };
    // `total` keeps its built 300ms, which no longer covers a 500ms base.
    let out = run("{\"base\": 0.5}");
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["env"], Value::Null);
    assert_eq!(report["problems"][0]["code"], "mcfg::check-failed");
    assert_eq!(report["problems"][0]["file"], "main.mcfg");
    // Raising both together is fine.
    let out = run("{\"base\": 0.5, \"total\": 2}");
    assert_eq!(code(&out), Some(0), "{}", stdout(&out));
    let out = run("{\"weights\": {\"b\": 2}}");
    assert_eq!(code(&out), Some(0), "{}", stdout(&out));
    let out = run("{\"weights\": {\n  \"b\": -1\n}}");
    let report = json_of(&out);
    assert_eq!(report["problems"][0]["code"], "mcfg::constraint");
    assert_eq!(report["problems"][0]["file"], "u.json");
    assert_eq!(report["problems"][0]["line"], 2);
}

// ----- docs/operations.md is a test

/// `(command, expected output)` of every `$ ` line in the ```console blocks.
fn console_commands(doc: &str) -> Vec<(String, String)> {
    let mut out: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut in_block = false;
    for line in doc.lines() {
        if line == "```console" {
            in_block = true;
            continue;
        }
        if line == "```" {
            in_block = false;
            continue;
        }
        if !in_block {
            continue;
        }
        let continues = out.last().is_some_and(|(cmd, output)| {
            let last = cmd.last().map_or("", String::as_str);
            output.is_empty()
                && (last.ends_with('\\') || (cmd[0].contains("<<'EOF'") && last != "EOF"))
        });
        match out.last_mut() {
            Some((cmd, _)) if continues => cmd.push(line.to_owned()),
            _ if line.starts_with("$ ") => out.push((vec![line[2..].to_owned()], Vec::new())),
            Some((_, output)) => output.push(line.to_owned()),
            None => {}
        }
    }
    out.into_iter()
        .map(|(c, o)| (c.join("\n"), o.join("\n")))
        .collect()
}

/// `text` with the wall time of summary lines (`checked … in 12 ms`) as `N`.
fn timeless(text: &str) -> String {
    text.lines()
        .map(|l| match l.rsplit_once(" in ") {
            Some((head, tail))
                if tail
                    .strip_suffix(" ms")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
            {
                format!("{head} in N ms")
            }
            _ => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn docs_operations_examples_run_as_shown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/operations.md")).expect("docs");
    let commands = console_commands(&doc);
    assert!(commands.len() > 20, "{}", commands.len());
    // The examples write to /tmp; the test writes to its own folder instead.
    let tmp = tempfile::tempdir().expect("temp dir");
    let tmp_str = format!("{}/", tmp.path().display());
    let mut script = String::new();
    for (i, (cmd, _)) in commands.iter().enumerate() {
        script.push_str(&format!(
            "echo '@@MARK {i}@@'\n{}\n",
            cmd.replace("/tmp/", &tmp_str)
        ));
    }
    script.push_str("echo '@@MARK end@@'\n");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_mcfg"))
        .parent()
        .expect("bin dir");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-c", &format!("exec 2>&1\n{script}")])
        .current_dir(root)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("HOME", tmp.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("bash runs");
    let text = String::from_utf8_lossy(&out.stdout).replace(&tmp_str, "/tmp/");
    let mut pieces = text.split("@@MARK ").skip(1);
    for (i, (cmd, expected)) in commands.iter().enumerate() {
        let piece = pieces.next().unwrap_or_default();
        let got = piece
            .strip_prefix(&format!("{i}@@\n"))
            .unwrap_or(piece)
            .trim_end_matches('\n');
        assert_eq!(
            timeless(got),
            timeless(expected),
            "output of `{cmd}` differs from docs/operations.md"
        );
    }
}

#[test]
fn diff_against_lists_removed_and_added_paths_without_environments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    git(d, &["init", "-q"], "2026-11-20T10:00:00Z");
    write(d, "m.mcfg", "config a {\n  x = 1\n}\n");
    commit(d, "one", "2026-11-20T10:00:00Z");
    write(d, "m.mcfg", "config a {\n  y = 2\n}\n");
    let out = mcfg(d, &["diff", "--against", "HEAD", "--json"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(
        json_of(&out),
        json!({"against": "HEAD", "differences": [
            {"config": "a", "env": null, "path": "x", "values": [1, null],
             "locations": [{"file": "m.mcfg", "line": 2, "column": 7}, null]},
            {"config": "a", "env": null, "path": "y", "values": [null, 2],
             "locations": [null, {"file": "m.mcfg", "line": 2, "column": 7}]}
        ]})
    );
    let out = mcfg(d, &["diff", "--against", "HEAD"]);
    assert_eq!(
        stdout(&out),
        "path  env  at HEAD   now       set at rev  set now\n\
         a.x   -    1         (absent)  m.mcfg:2:7  -\n\
         a.y   -    (absent)  2         -           m.mcfg:2:7\n\
         2 differences\n"
    );
}
