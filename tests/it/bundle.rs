//! `mcfg build --bundle` (issue #17 item 4): one document per environment,
//! configs keyed by name, listed in the manifest; `verify` and `drift --bundle`
//! read it.

use std::path::Path;
use std::process::{Command, Output};

const SRC: &str = "environments { dev; prod }\n\
schema M {\n  name: string\n  replicas: int(>= 1) = 1\n}\n\
config a: M {\n  name = \"a\"\n  env prod { replicas = 4 }\n}\n\
config b: M {\n  name = \"b\"\n}\n";

fn mcfg(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .expect("mcfg runs")
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("main.mcfg"), SRC).unwrap();
    tmp
}

#[test]
fn a_bundle_build_writes_one_document_per_environment_equal_to_the_artifacts() {
    let tmp = setup();
    let dir = tmp.path();
    assert_eq!(
        mcfg(dir, &["build", "main.mcfg", "-o", "per"])
            .status
            .code(),
        Some(0)
    );
    let out = mcfg(dir, &["build", "--bundle", "main.mcfg", "-o", "bun"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<String> = std::fs::read_dir(dir.join("bun"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["dev.json", "manifest.json", "prod.json"]);
    for env in ["dev", "prod"] {
        let bundle = json(&dir.join(format!("bun/{env}.json")));
        let keys: Vec<&String> = bundle.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "b"]);
        for config in ["a", "b"] {
            assert_eq!(
                bundle[config],
                json(&dir.join(format!("per/{env}/{config}.json")))
            );
        }
    }
    let manifest = json(&dir.join("bun/manifest.json"));
    assert_eq!(manifest["artifacts"], serde_json::json!([]));
    assert_eq!(manifest["bundles"][1]["env"], "prod");
    assert_eq!(manifest["bundles"][1]["path"], "prod.json");
    assert_eq!(
        manifest["bundles"][1]["configs"],
        serde_json::json!(["a", "b"])
    );
    // --check agrees with what was written.
    assert_eq!(
        mcfg(
            dir,
            &["build", "--bundle", "--check", "main.mcfg", "-o", "bun"]
        )
        .status
        .code(),
        Some(0)
    );
}

#[test]
fn verify_checks_bundles() {
    let tmp = setup();
    let dir = tmp.path();
    assert_eq!(
        mcfg(dir, &["build", "--bundle", "main.mcfg", "-o", "bun"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(mcfg(dir, &["verify", "bun"]).status.code(), Some(0));
    let path = dir.join("bun/prod.json");
    let text = std::fs::read_to_string(&path).unwrap().replace("4", "5");
    std::fs::write(&path, text).unwrap();
    let out = mcfg(dir, &["verify", "--json", "bun"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["problems"],
        serde_json::json!([{"kind": "modified", "path": "prod.json"}])
    );
}

#[test]
fn drift_compares_a_deployed_bundle() {
    let tmp = setup();
    let dir = tmp.path();
    assert_eq!(
        mcfg(dir, &["build", "--bundle", "main.mcfg", "-o", "bun"])
            .status
            .code(),
        Some(0)
    );
    let args = [
        "drift",
        "--env",
        "prod",
        "--config",
        "a",
        "--bundle",
        "bun/prod.json",
        "main.mcfg",
    ];
    let out = mcfg(dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("bun/prod.json");
    let text = std::fs::read_to_string(&path).unwrap().replace("4", "5");
    std::fs::write(&path, text).unwrap();
    assert_eq!(mcfg(dir, &args).status.code(), Some(1));
    let missing = [
        "drift",
        "--env",
        "prod",
        "--config",
        "zz",
        "--bundle",
        "bun/prod.json",
        "main.mcfg",
    ];
    let out = mcfg(dir, &missing);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`zz`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bundle_and_sweep_do_not_combine() {
    let tmp = setup();
    let out = mcfg(
        tmp.path(),
        &[
            "build",
            "--bundle",
            "--sweep",
            "a.replicas=1,2",
            "main.mcfg",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bundle"));
}

#[test]
fn the_manifest_records_the_git_commit_and_dirty_state_asked_while_compiling() {
    let tmp = setup();
    let dir = tmp.path();
    let date = "2026-12-01T00:00:00Z";
    super::ops::git(dir, &["init", "-q"], date);
    super::ops::git(dir, &["add", "main.mcfg"], date);
    super::ops::git(dir, &["commit", "-q", "-m", "sources"], date);
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .output()
        .expect("git runs");
    let head = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    for (bundle, edit, dirty) in [
        (true, false, false),
        (false, false, false),
        (true, true, true),
    ] {
        if edit {
            std::fs::write(dir.join("main.mcfg"), SRC.replace("\"b\"", "\"c\"")).unwrap();
        }
        let mut args = vec!["build", "main.mcfg", "-o", "out"];
        if bundle {
            args.push("--bundle");
        }
        assert_eq!(mcfg(dir, &args).status.code(), Some(0));
        let manifest = json(&dir.join("out/manifest.json"));
        assert_eq!(manifest["git"]["commit"], head.as_str(), "{args:?}");
        assert_eq!(manifest["git"]["dirty"], dirty, "{args:?}");
    }
}
