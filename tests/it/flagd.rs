//! `mcfg build` writes `<env>/flags.flagd.json` from the `std/ml` flag fields
//! (CLI.md "Runtime flags and experiments"); the manifest lists it and
//! `mcfg verify` checks it. The engines themselves evaluate these files in
//! tests/flagd (run by .ci/run).

use std::fs;

use serde_json::{json, Value};

use crate::cli::{mcfg, project};

const SOURCES: &str = r#"import "std/ml" as ml
environments { dev; prod }
schema Flags {
  new_ui: ml.FeatureFlag
  nested: { ab: ml.Experiment }
}
config svc: Flags {
  new_ui { enabled = true; rollout = 25; owner = "web" }
  nested.ab { salt = "s1"; control = "a"; traffic { a = 50; b = 50 } }
  env dev { nested.ab.enabled = false }
}
config kill_switch: ml.FeatureFlag {
  enabled = true
}
config plain {
  x = 1
}
"#;

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn build_writes_one_flag_set_per_environment_keyed_config_dot_path() {
    let dir = project(&[("main.mcfg", SOURCES)]);
    let out = mcfg(dir.path(), &["build", ".", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let prod = read_json(&dir.path().join("out/prod/flags.flagd.json"));
    assert_eq!(prod["$schema"], "https://flagd.dev/schema/v0/flags.json");
    let keys: Vec<&String> = prod["flags"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["svc.new_ui", "svc.nested.ab", "kill_switch"]);
    assert_eq!(
        prod["flags"]["svc.new_ui"]["metadata"],
        json!({"owner": "web", "mcfg.kind": "FeatureFlag"})
    );
    assert_eq!(
        prod["flags"]["svc.new_ui"]["targeting"]["if"][2]["fractional"][1],
        json!(["on", 25])
    );
    assert_eq!(prod["flags"]["kill_switch"]["defaultVariant"], "on");
    assert!(prod["flags"]["kill_switch"].get("targeting").is_none());
    // The disabled experiment in dev: control for everyone, no targeting.
    let dev = read_json(&dir.path().join("out/dev/flags.flagd.json"));
    let ab = &dev["flags"]["svc.nested.ab"];
    assert_eq!(ab["defaultVariant"], "a");
    assert!(ab.get("targeting").is_none());
    assert!(prod["flags"]["svc.nested.ab"].get("targeting").is_some());
}

#[test]
fn the_manifest_lists_the_flag_sets_and_verify_checks_them() {
    let dir = project(&[("main.mcfg", SOURCES)]);
    let out = mcfg(dir.path(), &["build", ".", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let manifest = read_json(&dir.path().join("out/manifest.json"));
    let flags = manifest["flags"].as_array().unwrap();
    assert_eq!(flags.len(), 2);
    assert_eq!(flags[0]["env"], "dev");
    assert_eq!(flags[1]["path"], "prod/flags.flagd.json");
    assert_eq!(
        flags[1]["keys"],
        json!(["svc.new_ui", "svc.nested.ab", "kill_switch"])
    );
    let bytes = fs::read(dir.path().join("out/prod/flags.flagd.json")).unwrap();
    assert_eq!(flags[1]["sha256"], mcfg::emit::manifest::sha256_hex(&bytes));
    let ok = mcfg(dir.path(), &["verify", "out"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    // A hand edit of the flag file is caught.
    let edited = String::from_utf8(bytes)
        .unwrap()
        .replace("\"owner\": \"web\"", "\"owner\": \"ops\"");
    assert!(edited.contains("\"ops\""));
    fs::write(dir.path().join("out/prod/flags.flagd.json"), edited).unwrap();
    let bad = mcfg(dir.path(), &["verify", "--json", "out"]);
    assert_eq!(bad.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(
        report["problems"],
        json!([{"kind": "modified", "path": "prod/flags.flagd.json"}])
    );
    // `build --check` sees it too.
    let check = mcfg(dir.path(), &["build", ".", "-o", "out", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stderr(&check).contains("prod/flags.flagd.json"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn flag_sets_are_byte_identical_across_builds_and_follow_env_selection() {
    let dir = project(&[("main.mcfg", SOURCES)]);
    for o in ["a", "b"] {
        let out = mcfg(dir.path(), &["build", ".", "-o", o]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    for f in [
        "dev/flags.flagd.json",
        "prod/flags.flagd.json",
        "manifest.json",
    ] {
        assert_eq!(
            fs::read(dir.path().join("a").join(f)).unwrap(),
            fs::read(dir.path().join("b").join(f)).unwrap(),
            "{f}"
        );
    }
    let out = mcfg(dir.path(), &["build", ".", "-o", "p", "--env", "prod"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("p/prod/flags.flagd.json").is_file());
    assert!(!dir.path().join("p/dev").exists());
}

#[test]
fn without_flags_there_is_no_flag_set_and_no_manifest_field() {
    let dir = project(&[("main.mcfg", "config plain {\n  x = 1\n}\n")]);
    let out = mcfg(dir.path(), &["build", ".", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!dir.path().join("out/flags.flagd.json").exists());
    let manifest = read_json(&dir.path().join("out/manifest.json"));
    assert!(manifest.get("flags").is_none());
}

#[test]
fn a_flag_flagd_would_reject_is_a_compile_error_and_nothing_is_written() {
    let src = r#"import "std/ml" as ml
config e: ml.Experiment {
  salt = "s"
  control = "a"
  traffic { a = 50; b = 50 }
  variants { a = 1; b = [1, 2] }
}
"#;
    let dir = project(&[("main.mcfg", src)]);
    let out = mcfg(
        dir.path(),
        &["--message-format", "json", "build", ".", "-o", "out"],
    );
    assert_eq!(out.status.code(), Some(1));
    let d: Value = serde_json::from_str(stderr(&out).lines().next().unwrap()).unwrap();
    assert_eq!(d["code"], "mcfg::flag");
    assert_eq!(d["line"], 6, "{d}");
    assert!(
        d["message"].as_str().unwrap().contains("variant `b`"),
        "{d}"
    );
    assert!(!dir.path().join("out").exists());
    // `mcfg check` reports the same without any output folder.
    let check = mcfg(dir.path(), &["check", "."]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr(&check).contains("mcfg::flag"));
}

#[test]
fn an_expired_flag_warns_once_and_still_builds() {
    let src = r#"import "std/ml" as ml
environments { dev; prod }
config f: ml.FeatureFlag {
  enabled = true
  expires = "2021-06-30"
}
"#;
    let dir = project(&[("main.mcfg", src)]);
    let out = mcfg(
        dir.path(),
        &["--message-format", "json", "build", ".", "-o", "out"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<Value> = stderr(&out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|d: &Value| d["code"] == "mcfg::flag")
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "one warning, not one per environment: {lines:?}"
    );
    assert_eq!(lines[0]["severity"], "warning");
    let prod = read_json(&dir.path().join("out/prod/flags.flagd.json"));
    assert_eq!(prod["flags"]["f"]["metadata"]["expires"], "2021-06-30");
}

#[test]
fn each_flag_of_a_map_or_list_of_flags_is_a_flag_with_its_own_checks() {
    let src = r#"import "std/ml" as ml
schema S {
  flags: map[ml.FeatureFlag] = {}
  arms: list[ml.Experiment] = []
}
config svc: S {
  flags = { a = { enabled = true, rollout = 50 }, b = { enabled = true } }
  arms = [{ salt = "x", control = "p", traffic = { p = 50, q = 50 } }]
}
"#;
    let dir = project(&[("main.mcfg", src)]);
    let out = mcfg(dir.path(), &["build", ".", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let set = read_json(&dir.path().join("out/flags.flagd.json"));
    let keys: Vec<&String> = set["flags"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["svc.flags.a", "svc.flags.b", "svc.arms.0"]);
    // A mistake inside one element is reported at that element.
    let bad = src.replace(
        "b = { enabled = true }",
        "b = { enabled = true, rules = [{ rollout = 5 }, { rollout = 6 }] }",
    );
    let dir = project(&[("main.mcfg", &bad)]);
    let out = mcfg(dir.path(), &["--message-format", "json", "check", "."]);
    assert_eq!(out.status.code(), Some(1));
    let d: Value = serde_json::from_str(stderr(&out).lines().next().unwrap()).unwrap();
    assert!(
        d["message"].as_str().unwrap().contains("`flags.b.rules.1`"),
        "{d}"
    );
    let line = bad.lines().nth(6).unwrap();
    assert_eq!(
        d["column"].as_u64().unwrap() as usize,
        line.find("{ rollout = 6 }").unwrap() + 1,
        "{d}"
    );
}

#[test]
fn check_runtime_applies_the_flag_checks_to_a_proposed_flag_change() {
    let src = r#"import "std/ml" as ml
schema S {
  new_ui: ml.FeatureFlag @runtime
}
config svc: S {
  new_ui { enabled = true; rollout = 10 }
}
"#;
    let dir = project(&[
        ("main.mcfg", src),
        ("ok.json", "{\"new_ui\": {\"rollout\": 25}}\n"),
        ("bad.json", "{\"new_ui\": {\"rollout\": 0.4}}\n"),
    ]);
    let ok = mcfg(dir.path(), &["check-runtime", "--config", "svc", "ok.json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = mcfg(
        dir.path(),
        &[
            "--message-format",
            "json",
            "check-runtime",
            "--config",
            "svc",
            "bad.json",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let d: Value = serde_json::from_str(stderr(&bad).lines().next().unwrap()).unwrap();
    assert_eq!(d["code"], "mcfg::flag");
    assert_eq!(d["file"], "bad.json", "{d}");
    assert!(
        d["message"].as_str().unwrap().contains("rounds to 0%"),
        "{d}"
    );
}
