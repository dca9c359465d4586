//! Workflow integration (docs/cli.md "Workflow integration"): errors that stop a command
//! honour `--message-format`, SARIF logs validate against the official SARIF 2.1.0 schema
//! (tests/data/sarif, checked by Python `jsonschema`).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn mcfg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("mcfg runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Validates `log` with Python `jsonschema` against the shipped SARIF 2.1.0 schema;
/// returns the validator's complaint, if any.
pub(super) fn sarif_schema_errors(log: &str) -> Option<String> {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif/sarif-schema-2.1.0.json");
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        log = json.load(sys.stdin)\n\
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))\n\
        print('\\n'.join(e.message for e in errors))\n\
        sys.exit(1 if errors else 0)\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (CI installs jsonschema)");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), log.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (!out.status.success()).then(|| format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

#[test]
fn io_error_is_one_json_object() {
    let out = mcfg(&["--message-format", "json", "check", "/nonexistent"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    let v: Value = serde_json::from_str(&err).unwrap();
    assert_eq!(v["severity"], "error");
    assert_eq!(v["code"], "mcfg::io");
    assert_eq!(v["message"], "no such file or folder");
    assert_eq!(v["file"], "/nonexistent");
    assert!(v["help"].as_str().unwrap().contains("PATHS"), "{v}");
}

#[test]
fn usage_error_is_one_json_object_and_human_stays_plain() {
    let out = mcfg(&["check", "--bogus", "--message-format=json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(text(&out.stderr).trim_end()).unwrap();
    assert_eq!(v["code"], "mcfg::usage");
    assert!(v["message"].as_str().unwrap().contains("--bogus"), "{v}");
    let ranking = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ranking");
    let ranking = ranking.to_str().unwrap();
    let out = mcfg(&["diff", "--message-format", "json", "--env", "dev", ranking]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(text(&out.stderr).trim_end()).unwrap();
    assert_eq!(v["code"], "mcfg::usage", "{v}");
    let human = mcfg(&["check", "/nonexistent"]);
    assert_eq!(
        text(&human.stderr),
        "mcfg: /nonexistent: no such file or folder\n  \
         help: PATHS are `.mcfg` files or folders holding them (default: `.`)\n"
    );
}

#[test]
fn sarif_log_of_diagnostics_is_valid_and_located() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.mcfg"),
        "schema S { batch_size: int = 1 }\nconfig c: S { batchsize = 2 }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(["check", "--message-format", "sarif", "main.mcfg"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = text(&out.stdout);
    assert_eq!(sarif_schema_errors(&log), None);
    let v: Value = serde_json::from_str(&log).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "mcfg::unknown-field"));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{log}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "mcfg::unknown-field");
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        r["ruleId"]
    );
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "main.mcfg");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 15);
}

#[test]
fn sarif_log_of_a_clean_check_and_of_a_command_error_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let clean = mcfg(&[
        "check",
        "--message-format",
        "sarif",
        root.join("examples/ranking").to_str().unwrap(),
    ]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    let log = text(&clean.stdout);
    assert_eq!(sarif_schema_errors(&log), None);
    let v: Value = serde_json::from_str(&log).unwrap();
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 0);

    let failed = mcfg(&["--message-format", "sarif", "check", "/nonexistent"]);
    assert_eq!(failed.status.code(), Some(2));
    let log = text(&failed.stdout);
    assert_eq!(sarif_schema_errors(&log), None);
    let v: Value = serde_json::from_str(&log).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "mcfg::io");

    // The validator is not a rubber stamp: a broken log is rejected.
    assert!(sarif_schema_errors(r#"{"version": "2.1.0", "runs": [{"results": []}]}"#).is_some());
}

/// Sources the bash completion in real bash and completes `mcfg ch` and `mcfg check --mess`.
#[test]
fn bash_completion_completes_subcommands_and_options() {
    let script = mcfg(&["completions", "bash"]);
    assert_eq!(script.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mcfg.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    let complete = |words: &str| {
        let driver = format!(
            "source '{}'\nCOMP_WORDS=({words})\nCOMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n\
             COMP_LINE=\"${{COMP_WORDS[*]}}\"\nCOMP_POINT=${{#COMP_LINE}}\n\
             _mcfg mcfg \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            path.display()
        );
        let out = Command::new("bash")
            .args(["--norc", "-c", &driver])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let mut words: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
        words.sort();
        words
    };
    assert_eq!(complete("mcfg ch"), ["check", "check-runtime"]);
    assert_eq!(complete("mcfg comp"), ["completions"]);
    assert!(complete("mcfg check --mess").contains(&"--message-format".to_owned()));
    assert!(complete("mcfg --message-format s").contains(&"sarif".to_owned()));
}

#[test]
fn other_shells_and_the_man_page_are_generated() {
    for (shell, marker) in [
        ("zsh", "#compdef mcfg"),
        ("fish", "complete -c mcfg"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = mcfg(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(text(&out.stdout).contains(marker), "{shell}");
    }
    let man = mcfg(&["man"]);
    assert_eq!(man.status.code(), Some(0));
    let page = text(&man.stdout);
    assert!(page.contains(".TH mcfg 1"), "{page}");
    assert!(
        page.contains("check\\-runtime"),
        "subcommands listed: {page}"
    );
    let bad = mcfg(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The only result of a SARIF log of `args` run in `dir` (exit 1), after
/// validating the log against the SARIF schema.
fn one_sarif_result(dir: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(["--message-format", "sarif"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let log = text(&out.stdout);
    assert_eq!(sarif_schema_errors(&log), None, "{log}");
    let v: Value = serde_json::from_str(&log).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{log}");
    results[0].clone()
}

fn region(loc: &Value) -> (&str, u64, u64, u64) {
    let p = &loc["physicalLocation"];
    let r = &p["region"];
    (
        p["artifactLocation"]["uri"].as_str().unwrap(),
        r["startLine"].as_u64().unwrap(),
        r["startColumn"].as_u64().unwrap(),
        r["endColumn"].as_u64().unwrap(),
    )
}

#[test]
fn sarif_locates_errors_in_deployed_files_and_runtime_updates() {
    // Errors inside the JSON/YAML documents mcfg reads (not `.mcfg` sources)
    // are located in those files, with the same labels as source errors.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("main.mcfg"),
        "schema S { serving: { replicas: int = 1 } }\nconfig app: S { serving.replicas = 2 }\n",
    )
    .unwrap();
    std::fs::write(
        p.join("deployed.json"),
        "{\n  \"serving\": {\"replicas\": 8},\n  \"serving.replicas\": 9\n}\n",
    )
    .unwrap();
    let r = one_sarif_result(
        p,
        &[
            "drift",
            "--config",
            "app",
            "--deployed",
            "deployed.json",
            ".",
        ],
    );
    assert_eq!(r["ruleId"], "mcfg::duplicate");
    // The second spelling, `"serving.replicas"` on line 3 ...
    assert_eq!(region(&r["locations"][0]), ("deployed.json", 3, 3, 21));
    // ... and the first, `"replicas"` inside `serving`, as a related location.
    let first = &r["relatedLocations"][0];
    assert_eq!(region(first), ("deployed.json", 2, 15, 25));
    assert_eq!(first["message"]["text"], "first written here");

    std::fs::write(p.join("update.yaml"), "serving:\n  replicas: [1,\n").unwrap();
    let r = one_sarif_result(p, &["check-runtime", "--config", "app", "update.yaml", "."]);
    assert_eq!(r["ruleId"], "mcfg::syntax");
    let (uri, line, _, _) = region(&r["locations"][0]);
    assert_eq!((uri, line), ("update.yaml", 3));
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("YAML syntax error"),
        "{r}"
    );
}
