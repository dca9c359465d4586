//! Every way a command can stop (docs/cli.md "Diagnostics and errors"): a
//! path that names nothing, an unreadable manifest, a bad option value, a
//! refused output folder, git errors of `log` and `diff --against`, a broken
//! manifest in `verify`, unknown names — each run in the three message
//! formats. `human` is one `mcfg:` line and a help line; `json` is one object
//! on stderr in the diagnostic shape; `sarif` is one log on stdout that the
//! official SARIF 2.1.0 schema accepts. Exit status 2 for all of them.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use super::ops::{commit, git};
use super::workflow::sarif_schema_errors;

const SOURCES: &str = "schema S { replicas: int = 1 }\nconfig svc: S { replicas = 2 }\n";

fn run(dir: &Path, format: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .arg("--message-format")
        .arg(format)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("mcfg runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What one failure must show in every format.
struct Expect<'a> {
    code: &'a str,
    /// Words of the message.
    message: &'a str,
    /// The file the error names (relative to the run's folder, as given).
    file: Option<&'a str>,
    /// Line and column in `file`.
    at: Option<(u64, u64)>,
    /// Words of the help line (`None`: no help line).
    help: Option<&'a str>,
}

/// Runs `args` in `dir` in the three formats and checks each rendering.
fn fails(dir: &Path, args: &[&str], want: &Expect<'_>) {
    // human: `mcfg: FILE[:LINE:COL]: message`, then `  help: ...`.
    let out = run(dir, "human", args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    let mut lines = err.lines();
    let first = lines.next().unwrap_or_default();
    let place = match (want.file, want.at) {
        (Some(f), Some((l, c))) => format!("mcfg: {f}:{l}:{c}: "),
        (Some(f), None) => format!("mcfg: {f}: "),
        (None, _) => "mcfg: ".to_owned(),
    };
    assert!(first.starts_with(&place), "{args:?}: {err}");
    assert!(first.contains(want.message), "{args:?}: {err}");
    match want.help {
        Some(h) => {
            let help = lines.next().unwrap_or_default();
            assert!(
                help.starts_with("  help: ") && help.contains(h),
                "{args:?}: {err}"
            );
        }
        None => assert_eq!(lines.next(), None, "{args:?}: {err}"),
    }

    // json: one object, the diagnostic shape without the parts that do not exist.
    let out = run(dir, "json", args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    let v: Value = serde_json::from_str(&err).expect("one JSON object");
    assert_eq!(v["severity"], "error", "{v}");
    assert_eq!(v["code"], want.code, "{v}");
    let message = v["message"].as_str().expect("a message");
    assert!(message.contains(want.message), "{v}");
    if let Some(f) = want.file {
        assert!(
            !message.contains(&format!("{f}:")),
            "the file is not repeated: {v}"
        );
    }
    assert_eq!(v.get("file").and_then(Value::as_str), want.file, "{v}");
    assert_eq!(
        v.get("line").and_then(Value::as_u64),
        want.at.map(|a| a.0),
        "{v}"
    );
    assert_eq!(
        v.get("column").and_then(Value::as_u64),
        want.at.map(|a| a.1),
        "{v}"
    );
    match want.help {
        Some(h) => assert!(v["help"].as_str().is_some_and(|s| s.contains(h)), "{v}"),
        None => assert!(v.get("help").is_none(), "{v}"),
    }
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for k in &keys {
        assert!(
            ["severity", "code", "message", "file", "line", "column", "help"].contains(k),
            "{v}"
        );
    }

    // sarif: one valid log on stdout with one result of the code's rule.
    let out = run(dir, "sarif", args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let log = text(&out.stdout);
    assert_eq!(sarif_schema_errors(&log), None, "{args:?}: {log}");
    let v: Value = serde_json::from_str(&log).expect("a SARIF log");
    let run = &v["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{log}");
    let r = &results[0];
    assert_eq!(r["ruleId"], want.code);
    assert_eq!(r["level"], "error");
    let index = r["ruleIndex"].as_u64().expect("a rule index") as usize;
    assert_eq!(run["tool"]["driver"]["rules"][index]["id"], want.code);
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .contains(want.message));
    let located = &r["locations"][0]["physicalLocation"];
    match want.file {
        Some(f) => assert_eq!(located["artifactLocation"]["uri"], f, "{log}"),
        None => assert!(r.get("locations").is_none(), "{log}"),
    }
    if let Some((line, column)) = want.at {
        assert_eq!(located["region"]["startLine"], line, "{log}");
        assert_eq!(located["region"]["startColumn"], column, "{log}");
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.mcfg"), SOURCES).unwrap();
    dir
}

#[test]
fn a_path_that_names_nothing() {
    let dir = project();
    let want = Expect {
        code: "mcfg::io",
        message: "no such file or folder",
        file: Some("missing.mcfg"),
        at: None,
        help: Some("PATHS are `.mcfg` files or folders"),
    };
    fails(dir.path(), &["check", "missing.mcfg"], &want);
    fails(dir.path(), &["fmt", "--check", "missing.mcfg"], &want);
    fails(dir.path(), &["schema", "missing.mcfg"], &want);
}

#[test]
fn a_bad_option_value_is_a_usage_error_with_the_possible_values() {
    let dir = project();
    let args = ["build", "--format", "xml", "."];
    // clap renders its own errors for people (`error: ...`, usage, tip).
    let human = run(dir.path(), "human", &args);
    assert_eq!(human.status.code(), Some(2));
    assert!(text(&human.stderr).starts_with("error: invalid value 'xml'"));
    let out = run(dir.path(), "json", &args);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    let v: Value = serde_json::from_str(&err).unwrap();
    assert_eq!(v["code"], "mcfg::usage");
    assert_eq!(v["message"], "invalid value 'xml' for '--format <FORMAT>'");
    assert!(
        v["help"]
            .as_str()
            .unwrap()
            .starts_with("[possible values: json, yaml]; "),
        "{v}"
    );
    let out = run(dir.path(), "sarif", &args);
    assert_eq!(out.status.code(), Some(2));
    let log = text(&out.stdout);
    assert_eq!(sarif_schema_errors(&log), None);
    let v: Value = serde_json::from_str(&log).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "mcfg::usage");
}

#[test]
fn a_sarif_run_prints_one_log_with_the_diagnostics_and_the_error() {
    // A warning from compiling, then an unknown config: one log, two results.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.mcfg"),
        "schema S { old: int? @deprecated(\"gone\") }\nconfig svc: S { old = 2 }\n",
    )
    .unwrap();
    let out = run(dir.path(), "sarif", &["explain", "svd.old", "."]);
    assert_eq!(out.status.code(), Some(2));
    let log = text(&out.stdout);
    assert_eq!(sarif_schema_errors(&log), None, "{log}");
    let v: Value = serde_json::from_str(&log).expect("one log");
    let ids: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["mcfg::deprecated", "mcfg::usage"], "{log}");
}

#[test]
fn unknown_names_on_the_command_line_are_usage_errors() {
    let dir = project();
    fails(
        dir.path(),
        &["explain", "svd.replicas", "."],
        &Expect {
            code: "mcfg::usage",
            message: "no config named `svd` (did you mean `svc`?)",
            file: None,
            at: None,
            help: Some("name a config the sources declare"),
        },
    );
    fails(
        dir.path(),
        &["build", "--env", "prod", "-o", "out", "."],
        &Expect {
            code: "mcfg::usage",
            message: "unknown environment `prod` in --env (declared: none)",
            file: None,
            at: None,
            help: Some("`--env` takes an environment the sources declare"),
        },
    );
    fails(
        dir.path(),
        &["schema", "--config", "nope", "."],
        &Expect {
            code: "mcfg::usage",
            message: "no emitted config `nope` (emitted: svc)",
            file: None,
            at: None,
            help: Some("`--config` takes an emitted config"),
        },
    );
}

#[test]
fn a_refused_output_folder_names_the_folder() {
    let dir = project();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/todo.txt"), "mine\n").unwrap();
    fails(
        dir.path(),
        &["build", "-o", "notes", "main.mcfg"],
        &Expect {
            code: "mcfg::io",
            message: "refusing to replace `notes`: it holds files but is not a previous mcfg build",
            file: Some("notes"),
            at: None,
            help: Some("must be new, empty, or a previous mcfg build"),
        },
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes/todo.txt")).unwrap(),
        "mine\n"
    );
}

#[test]
fn verify_of_a_missing_an_unreadable_or_a_broken_manifest() {
    let dir = project();
    let d = dir.path();
    std::fs::create_dir_all(d.join("empty")).unwrap();
    fails(
        d,
        &["verify", "empty"],
        &Expect {
            code: "mcfg::io",
            message: "cannot read the manifest: ",
            file: Some("empty/manifest.json"),
            at: None,
            help: Some("the output folder of `mcfg build`"),
        },
    );
    // A folder where the manifest should be cannot be read either.
    std::fs::create_dir_all(d.join("odd/manifest.json")).unwrap();
    fails(
        d,
        &["verify", "odd"],
        &Expect {
            code: "mcfg::io",
            message: "cannot read the manifest: ",
            file: Some("odd/manifest.json"),
            at: None,
            help: Some("the output folder of `mcfg build`"),
        },
    );
    std::fs::create_dir_all(d.join("broken")).unwrap();
    std::fs::write(
        d.join("broken/manifest.json"),
        "{\n  \"compiler\": \"mcfg\",\n  oops\n}\n",
    )
    .unwrap();
    fails(
        d,
        &["verify", "broken"],
        &Expect {
            code: "mcfg::io",
            message: "not a valid mcfg manifest: key must be a string",
            file: Some("broken/manifest.json"),
            at: Some((3, 3)),
            help: Some("build the folder again"),
        },
    );
    // A manifest that parses but lists an artifact outside the folder.
    let built = run(d, "human", &["build", "-o", "out", "main.mcfg"]);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let manifest = std::fs::read_to_string(d.join("out/manifest.json")).unwrap();
    std::fs::write(
        d.join("out/manifest.json"),
        manifest.replace("\"svc.json\"", "\"../svc.json\""),
    )
    .unwrap();
    fails(
        d,
        &["verify", "out"],
        &Expect {
            code: "mcfg::io",
            message: "not a manifest mcfg writes: it lists an unsafe artifact path `../svc.json`",
            file: Some("out/manifest.json"),
            at: None,
            help: Some("build the folder again"),
        },
    );
}

#[test]
fn git_errors_of_log_and_diff() {
    let dir = project();
    let d = dir.path();
    fails(
        d,
        &["log", "svc.replicas", "."],
        &Expect {
            code: "mcfg::io",
            message: "not inside a git repository",
            file: Some("."),
            at: None,
            help: Some("read the git history"),
        },
    );
    git(d, &["init", "-q"], "2026-11-20T10:00:00Z");
    commit(d, "sources", "2026-11-20T10:00:00Z");
    fails(
        d,
        &["diff", "--against", "no-such-branch", "."],
        &Expect {
            code: "mcfg::usage",
            message: "unknown git revision `no-such-branch`",
            file: None,
            at: None,
            help: Some("name a commit, branch or tag"),
        },
    );
    fails(
        d,
        &["blame", "svc", "--manifest", "main.mcfg", "."],
        &Expect {
            code: "mcfg::io",
            message: "not a valid mcfg manifest: expected value",
            file: Some("main.mcfg"),
            at: Some((1, 1)),
            help: Some("build the folder again"),
        },
    );
}

#[test]
fn a_project_file_that_is_not_utf8_is_a_located_diagnostic() {
    let dir = project();
    std::fs::write(dir.path().join("mcfg.toml"), b"exclude = [\"a\xff\"]\n").unwrap();
    let out = run(dir.path(), "json", &["check", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: Value = serde_json::from_str(text(&out.stderr).trim_end()).unwrap();
    assert_eq!(v["code"], "mcfg::project");
    assert_eq!(v["message"], "invalid project file: the file is not UTF-8");
    assert_eq!(
        (v["line"].as_u64(), v["column"].as_u64()),
        (Some(1), Some(14))
    );
}

#[test]
fn check_runtime_record_errors_are_command_errors() {
    // A config with no `@runtime` fields has nothing to record: a usage error.
    let dir = project();
    std::fs::write(dir.path().join("up.json"), "{}").unwrap();
    let args = [
        "check-runtime",
        "--config",
        "svc",
        "--record",
        "log.jsonl",
        "up.json",
        ".",
    ];
    fails(
        dir.path(),
        &args,
        &Expect {
            code: "mcfg::usage",
            message: "config `svc` has no runtime values to record",
            file: None,
            at: None,
            help: Some("`--record` logs updates of `@runtime` fields"),
        },
    );
    assert!(!dir.path().join("log.jsonl").exists());
    // A log that is a folder: an I/O error naming it.
    std::fs::write(
        dir.path().join("main.mcfg"),
        "schema S { replicas: int = 1 @runtime }\nconfig svc: S { replicas = 2 }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("up.json"), "{\"replicas\": 3}").unwrap();
    std::fs::create_dir(dir.path().join("logdir")).unwrap();
    let args = [
        "check-runtime",
        "--config",
        "svc",
        "--record",
        "logdir",
        "up.json",
        ".",
    ];
    fails(
        dir.path(),
        &args,
        &Expect {
            code: "mcfg::io",
            message: "cannot read the runtime log: is a folder, not a file",
            file: Some("logdir"),
            at: None,
            help: None,
        },
    );
}
