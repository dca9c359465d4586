//! The audit log of runtime changes: `mcfg check-runtime --record LOG`
//! appends each accepted update, `mcfg log --record LOG` interleaves the
//! entries with the commits that changed the same value.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

use super::ops::{code, stderr, stdout, write};

const SVC: &str = r#"environments { dev; prod }

schema Serving {
  replicas: int(>= 1) = 2
  timeout: duration(<= 5s) = 200ms @runtime
  rollout: float(>= 0, <= 100) = 10 @runtime
  token: secret = secret("env:TOKEN") @runtime
}

schema Svc {
  serving: Serving
}

config svc: Svc {}
"#;

/// Runs mcfg in `dir` at a fixed time as user `Erin` (no git identity).
fn mcfg_at(dir: &Path, epoch: i64, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .env("USER", "Erin")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("mcfg runs")
}

/// `mcfg check-runtime --env ENV --config svc FILE --record audit.jsonl cfg` at `epoch`.
fn record(dir: &Path, epoch: i64, env: &str, file: &str) -> Output {
    let args = [
        "check-runtime",
        "--env",
        env,
        "--config",
        "svc",
        file,
        "--record",
        "audit.jsonl",
        "cfg",
    ];
    mcfg_at(dir, epoch, &args)
}

/// Commits everything as `A. Person` at `date`; the commit's hash.
fn commit(dir: &Path, date: &str, message: &str) -> String {
    super::ops::commit(dir, message, date);
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .output()
        .expect("git runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// 2026-11-01T00:00:00Z plus `hours`.
fn at(hours: i64) -> i64 {
    1_793_491_200 + hours * 3600
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("log")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    super::ops::git(dir.path(), &["init", "-q"], "2026-11-01T00:00:00Z");
    write(dir.path(), "cfg/svc.mcfg", SVC);
    write(dir.path(), ".gitignore", "*.json\n*.jsonl\n");
    dir
}

#[test]
fn record_appends_each_accepted_update_with_old_and_new_values_never_secrets() {
    let dir = repo();
    let d = dir.path();
    let first = commit(d, "2026-11-01T00:00:00Z", "serving defaults");
    write(
        d,
        "u1.json",
        r#"{"serving": {"timeout": 0.1, "token": "env:OTHER"}}"#,
    );
    let out = mcfg_at(
        d,
        at(5),
        &[
            "check-runtime",
            "--env",
            "prod",
            "--config",
            "svc",
            "u1.json",
            "--record",
            "audit.jsonl",
            "cfg",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ok: the update to `svc` in env prod may be pushed without a redeploy\n\
         recorded in audit.jsonl: 2 changes\n"
    );
    // The second update names only the rollout: the timeout goes back to its built value.
    write(d, "u2.json", r#"{"serving.rollout": 50}"#);
    let args = [
        "check-runtime",
        "--env",
        "prod",
        "--config",
        "svc",
        "u2.json",
        "--record",
        "audit.jsonl",
        "cfg",
    ];
    assert_eq!(code(&mcfg_at(d, at(6), &args)), Some(0));
    // A refused update is not recorded.
    write(d, "bad.json", r#"{"serving": {"rollout": 500}}"#);
    let bad = [
        "check-runtime",
        "--env",
        "prod",
        "--config",
        "svc",
        "bad.json",
        "--record",
        "audit.jsonl",
        "cfg",
    ];
    assert_eq!(code(&mcfg_at(d, at(7), &bad)), Some(1));

    let log = lines(&d.join("audit.jsonl"));
    let text = std::fs::read_to_string(d.join("audit.jsonl")).expect("log");
    assert!(!text.contains("OTHER") && !text.contains("TOKEN"), "{text}");
    let sha =
        |f: &str| mcfg::emit::manifest::sha256_hex(&std::fs::read(d.join(f)).expect("update"));
    assert_eq!(
        log,
        vec![
            json!({
                "time": "2026-11-01T05:00:00Z", "who": "Erin", "config": "svc", "env": "prod",
                "update": "u1.json", "sha256": sha("u1.json"), "commit": first, "dirty": false,
                "changes": [
                    {"path": "serving.timeout", "old": 0.2, "new": 0.1},
                    {"path": "serving.token", "secret": true}
                ],
                "values": {"serving": {"timeout": 0.1, "rollout": 10.0, "token": "(secret)"}}
            }),
            json!({
                "time": "2026-11-01T06:00:00Z", "who": "Erin", "config": "svc", "env": "prod",
                "update": "u2.json", "sha256": sha("u2.json"), "commit": first, "dirty": false,
                "changes": [
                    {"path": "serving.timeout", "old": 0.1, "new": 0.2},
                    {"path": "serving.rollout", "old": 10.0, "new": 50}
                ],
                "values": {"serving": {"timeout": 0.2, "rollout": 50, "token": "(secret)"}}
            }),
        ]
    );
}

#[test]
fn log_interleaves_runtime_changes_with_the_commits_by_time() {
    let dir = repo();
    let d = dir.path();
    let first = commit(d, "2026-11-01T00:00:00Z", "serving defaults");
    write(d, "u1.json", r#"{"serving": {"timeout": 0.1}}"#);
    let rec = |epoch, file: &str| {
        let out = record(d, epoch, "prod", file);
        assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    };
    rec(at(5), "u1.json");
    write(
        d,
        "cfg/svc.mcfg",
        &SVC.replace("= 200ms @runtime", "= 300ms @runtime"),
    );
    let second = commit(d, "2026-11-01T10:00:00Z", "slower timeout");
    write(d, "u2.json", r#"{"serving": {"rollout": 20}}"#);
    // Names only the rollout, so the timeout is back at its built value (now 300ms):
    // a change of the timeout, shown.
    rec(at(11), "u2.json");
    write(d, "u3.json", r#"{"serving": {"timeout": 1.5}}"#);
    rec(at(12), "u3.json");
    // Another environment's entries are not shown.
    assert_eq!(code(&record(d, at(13), "dev", "u3.json")), Some(0));
    let sha = |f: &str| {
        let full = mcfg::emit::manifest::sha256_hex(&std::fs::read(d.join(f)).expect("update"));
        full[..12].to_owned()
    };
    let out = mcfg_at(
        d,
        at(20),
        &[
            "log",
            "svc.serving.timeout",
            "--env",
            "prod",
            "--record",
            "audit.jsonl",
            "cfg",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let expected = format!(
        "svc.serving.timeout in env prod\n\
         {f}  2026-11-01T00:00:00Z  A. Person  serving defaults\n    (new) -> 200ms  (cfg/svc.mcfg:5:30)\n\
         runtime       2026-11-01T05:00:00Z  Erin  check-runtime u1.json (sha256 {u1}, sources {f})\n    200ms -> 100ms\n\
         {s}  2026-11-01T10:00:00Z  A. Person  slower timeout\n    200ms -> 300ms  (cfg/svc.mcfg:5:30)\n\
         runtime       2026-11-01T11:00:00Z  Erin  check-runtime u2.json (sha256 {u2}, sources {s})\n    100ms -> 300ms\n\
         runtime       2026-11-01T12:00:00Z  Erin  check-runtime u3.json (sha256 {u3}, sources {s})\n    300ms -> 1500ms\n",
        f = &first[..12],
        s = &second[..12],
        u1 = sha("u1.json"),
        u2 = sha("u2.json"),
        u3 = sha("u3.json"),
    );
    assert_eq!(stdout(&out), expected);

    let json = mcfg_at(
        d,
        at(20),
        &[
            "log",
            "svc.serving.timeout",
            "--env",
            "prod",
            "--record",
            "audit.jsonl",
            "--json",
            "cfg",
        ],
    );
    let doc: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let times: Vec<&str> = doc["runtime"]
        .as_array()
        .expect("runtime list")
        .iter()
        .map(|e| e["time"].as_str().expect("time"))
        .collect();
    assert_eq!(
        times,
        [
            "2026-11-01T05:00:00Z",
            "2026-11-01T11:00:00Z",
            "2026-11-01T12:00:00Z"
        ]
    );
    assert_eq!(doc["changes"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_torn_line_is_skipped_with_a_warning_and_the_next_entry_starts_a_line() {
    let dir = repo();
    let d = dir.path();
    commit(d, "2026-11-01T00:00:00Z", "serving defaults");
    write(
        d,
        "audit.jsonl",
        "{\"time\": \"2026-11-01T01:00:00Z\", \"who",
    );
    write(d, "u1.json", r#"{"serving": {"timeout": 0.1}}"#);
    assert_eq!(code(&record(d, at(5), "prod", "u1.json")), Some(0));
    let text = std::fs::read_to_string(d.join("audit.jsonl")).expect("log");
    assert_eq!(text.lines().count(), 2);
    assert!(text
        .lines()
        .nth(1)
        .is_some_and(|l| l.starts_with("{\"time\":\"2026-11-01T05:00:00Z\"")));
    let out = mcfg_at(
        d,
        at(6),
        &[
            "log",
            "svc.serving.timeout",
            "--env",
            "prod",
            "--record",
            "audit.jsonl",
            "cfg",
        ],
    );
    assert_eq!(code(&out), Some(0));
    assert!(
        stderr(&out).starts_with("mcfg: warning: audit.jsonl:1: not a runtime log entry ("),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("runtime       2026-11-01T05:00:00Z  Erin"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_fifo_as_the_log_is_refused_without_blocking() {
    let dir = repo();
    let d = dir.path();
    let made = Command::new("mkfifo").arg(d.join("audit.jsonl")).status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    write(d, "u1.json", r#"{"serving": {"timeout": 0.1}}"#);
    let out = record(d, at(5), "prod", "u1.json");
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).starts_with("mcfg: audit.jsonl: cannot read the runtime log: "),
        "{}",
        stderr(&out)
    );
}
