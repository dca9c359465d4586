//! Hostile input, round 2 (issue 13): each finding's repro, run against the
//! binary in a child process with a deadline (a hang or a crash fails only
//! its own test).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::limits::{build, run_in};

mod documents;
mod lsp;
mod output;
mod symlinks;

const DEADLINE: Duration = Duration::from_secs(60);

/// What a plain run printed.
pub(super) struct Out {
    pub(super) code: Option<i32>,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

/// Runs `mcfg ARGS` in `dir` (human output) with a deadline.
pub(super) fn mcfg(dir: &Path, args: &[&str]) -> Out {
    let bin = std::env::var_os("MCFG_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_mcfg").into());
    let out_path = dir.join(".stdout");
    let err_path = dir.join(".stderr");
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("mcfg runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mcfg {args:?} still running after {DEADLINE:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Out {
        code: status.code(),
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

pub(super) fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

pub(super) fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

pub(super) const SVC: &str = "schema S {
  replicas: int
  timeout: duration (<= 30s) @runtime = 10s
  api_key: secret @runtime
}
config svc: S { replicas = 2; api_key = secret(\"vault://k\") }
";

/// A project with `SVC` in `v/` and its build in `out/`.
pub(super) fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    write(tmp.path(), "v/a.mcfg", SVC);
    let b = mcfg(tmp.path(), &["build", "v", "-o", "out"]);
    assert_eq!(b.code, Some(0), "{}", b.stderr);
    tmp
}

// 8. A chain of configs each reading the previous one runs on the pool threads.

/// `configs` configs of `fields` fields each, written last-first (so each
/// evaluation goes down the whole chain): `a{f} = a{f-1} + 1`, and each
/// config's `a0` reads the previous config's last field.
fn config_chain(configs: usize, fields: usize) -> String {
    let mut src = String::new();
    for c in 0..configs {
        let _ = writeln!(src, "config c{c} {{");
        for f in (1..fields).rev() {
            let _ = writeln!(src, "  a{f} = a{} + 1", f - 1);
        }
        if c == 0 {
            src.push_str("  a0 = 0\n");
        } else {
            let _ = writeln!(src, "  a0 = c{}.a{} + 1", c - 1, fields - 1);
        }
        src.push_str("}\n");
    }
    src
}

#[test]
fn chain_of_500_configs_reading_the_previous_one_builds() {
    let out = build(&config_chain(500, 1)).artifact("c499.json");
    assert_eq!(out["a0"], 499);
}

#[test]
fn config_chain_beyond_the_reference_limit_is_a_limit_error() {
    // 100 configs of 101 chained fields: 10,100 references deep.
    let run = crate::limits::check(&config_chain(100, 101));
    assert_eq!(run.code, Some(1), "{}", run.head());
    let codes = run.codes();
    assert!(!codes.is_empty());
    assert!(
        codes
            .iter()
            .all(|(c, m)| c == "mcfg::limit" && m.contains("references nest deeper than 10000")),
        "{codes:?}"
    );
}

// 2. Only regular files are read, each within its size limit.

#[test]
fn verify_does_not_hang_on_a_fifo_artifact_and_hashes_as_a_stream() {
    let tmp = project();
    let art = tmp.path().join("out/svc.json");
    std::fs::remove_file(&art).expect("rm");
    if !mkfifo(&art) {
        return;
    }
    let v = mcfg(tmp.path(), &["verify", "out"]);
    assert_eq!(v.code, Some(1), "{}{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("modified svc.json"), "{}", v.stdout);
}

#[test]
fn verify_refuses_a_fifo_manifest() {
    let tmp = project();
    let m = tmp.path().join("out/manifest.json");
    std::fs::remove_file(&m).expect("rm");
    if !mkfifo(&m) {
        return;
    }
    let v = mcfg(tmp.path(), &["verify", "out"]);
    assert_eq!(v.code, Some(2));
    assert!(v.stderr.contains("not a regular file"), "{}", v.stderr);
}

#[test]
fn drift_and_check_runtime_refuse_devices_and_fifos() {
    let tmp = project();
    let fifo = tmp.path().join("fifo");
    let have_fifo = mkfifo(&fifo);
    let mut targets = vec!["/dev/zero"];
    if have_fifo {
        targets.push("fifo");
    }
    for t in targets {
        let d = mcfg(
            tmp.path(),
            &["drift", "--config", "svc", "--deployed", t, "v"],
        );
        assert_eq!(d.code, Some(2), "{t}: {}", d.stderr);
        assert!(d.stderr.contains("not a regular file"), "{}", d.stderr);
        let c = mcfg(tmp.path(), &["check-runtime", "--config", "svc", t, "v"]);
        assert_eq!(c.code, Some(2), "{t}: {}", c.stderr);
        assert!(c.stderr.contains("not a regular file"), "{}", c.stderr);
    }
}

#[test]
fn import_refuses_a_device() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let i = mcfg(tmp.path(), &["import", "/dev/zero"]);
    assert_eq!(i.code, Some(2));
    assert!(i.stderr.contains("not a regular file"), "{}", i.stderr);
}

// 12. A manifest listing one artifact twice.

#[test]
fn verify_rejects_a_manifest_listing_an_artifact_twice() {
    let tmp = project();
    let m = tmp.path().join("out/manifest.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&m).expect("manifest")).expect("json");
    let first = doc["artifacts"][0].clone();
    doc["artifacts"]
        .as_array_mut()
        .expect("artifacts")
        .push(first);
    std::fs::write(&m, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let v = mcfg(tmp.path(), &["verify", "out"]);
    assert_eq!(v.code, Some(2), "{}{}", v.stdout, v.stderr);
    assert!(
        v.stderr.contains("lists the artifact `svc.json` twice"),
        "{}",
        v.stderr
    );
}

// 4. drift never prints a deployed secret.

#[test]
fn drift_says_a_secret_differs_but_never_prints_it() {
    let tmp = project();
    write(
        tmp.path(),
        "dep.json",
        r#"{"replicas": 2, "timeout": 10, "api_key": "REALSECRETVALUE-123"}"#,
    );
    let human = mcfg(
        tmp.path(),
        &["drift", "--config", "svc", "--deployed", "dep.json", "v"],
    );
    assert_eq!(human.code, Some(1));
    assert!(human.stdout.contains("api_key"), "{}", human.stdout);
    assert!(
        human.stdout.contains("(a secret; differs)"),
        "{}",
        human.stdout
    );
    let json = mcfg(
        tmp.path(),
        &[
            "drift",
            "--json",
            "--config",
            "svc",
            "--deployed",
            "dep.json",
            "v",
        ],
    );
    assert_eq!(json.code, Some(1));
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("json report");
    let diff = &report["differences"][0];
    assert_eq!(diff["path"], "api_key");
    assert_eq!(diff["secret"], true);
    assert_eq!(diff["deployed"], serde_json::Value::Null);
    for out in [&human, &json] {
        assert!(!out.stdout.contains("REALSECRET"), "{}", out.stdout);
        assert!(!out.stderr.contains("REALSECRET"), "{}", out.stderr);
    }
}

// 13. check-runtime and check agree on a non-string secret.

#[test]
fn non_string_secret_is_a_secret_literal_in_check_and_check_runtime() {
    let tmp = project();
    write(tmp.path(), "up.json", r#"{"api_key": 5}"#);
    let c = mcfg(
        tmp.path(),
        &[
            "--message-format",
            "json",
            "check-runtime",
            "--config",
            "svc",
            "up.json",
            "v",
        ],
    );
    assert_eq!(c.code, Some(1));
    assert!(
        c.stderr.contains("\"mcfg::secret-literal\""),
        "{}",
        c.stderr
    );
    let run = run_in(
        &[("a.mcfg", "schema S { k: secret }\nconfig c: S { k = 5 }\n")],
        &["check", "a.mcfg"],
        |_| {},
    );
    run.expect_one("mcfg::secret-literal", "is a secret field");
}
