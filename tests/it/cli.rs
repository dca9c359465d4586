//! The command line surface: exit codes, `--message-format json`, build output.

use std::path::Path;
use std::process::{Command, Output};

pub(crate) fn mcfg(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("mcfg runs")
}

pub(crate) fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn check_exits_0_on_clean_sources() {
    let dir = project(&[("main.mcfg", "config a { x = 1 }\n")]);
    let out = mcfg(dir.path(), &["check", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The summary line, with the wall time.
    let err = String::from_utf8_lossy(&out.stderr);
    let ms = err
        .strip_prefix("checked 1 config in ")
        .and_then(|r| r.strip_suffix(" ms\n"))
        .unwrap_or_else(|| panic!("{err:?}"));
    assert!(ms.parse::<u64>().is_ok(), "{err:?}");
    // `-q` silences it; machine formats never get it.
    for args in [
        &["-q", "check", "."][..],
        &["check", "--quiet", "."],
        &["check", "--message-format", "json", "."],
    ] {
        let out = mcfg(dir.path(), args);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn build_says_what_it_wrote_unless_quiet() {
    let dir = project(&[(
        "main.mcfg",
        "environments { dev; prod }\nconfig a { x = 1 }\nconfig b { y = 2 }\n",
    )]);
    let out = mcfg(dir.path(), &["build", ".", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("built 4 artifacts into out in "), "{err:?}");
    let check = mcfg(dir.path(), &["check", "."]);
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        err.starts_with("checked 2 configs × 2 environments in "),
        "{err:?}"
    );
    let again = mcfg(dir.path(), &["build", ".", "-o", "out", "--check"]);
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.starts_with("out is up to date (4 artifacts) in "),
        "{err:?}"
    );
    let quiet = mcfg(dir.path(), &["build", "-q", ".", "-o", "out"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stderr.is_empty());
}

#[test]
fn errors_exit_1_and_json_diagnostics_follow_the_contract() {
    let src = "schema S {\n  n: int(<= 512) = 1\n}\nconfig c: S {\n  n = 1024\n}\n";
    let dir = project(&[("main.mcfg", src)]);
    let out = mcfg(dir.path(), &["--message-format", "json", "check", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let d: serde_json::Value = serde_json::from_str(lines[0]).expect("one JSON object per line");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "mcfg::constraint");
    assert_eq!(d["file"], "main.mcfg");
    assert_eq!(d["line"], 5);
    assert_eq!(d["column"], 7);
    assert_eq!(d["offset"], src.find("1024").expect("literal") as u64);
    assert_eq!(d["length"], 4);
    assert_eq!(d["config"], "c");
    assert_eq!(d["labels"][0]["line"], 2);
    assert_eq!(d["labels"][0]["message"], "constraint declared here");
    assert!(d.get("env").is_none(), "no env without environments");
}

#[test]
fn bad_arguments_exit_2() {
    let dir = project(&[("main.mcfg", "config a { x = 1 }\n")]);
    assert_eq!(
        mcfg(dir.path(), &["build", "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(
        mcfg(dir.path(), &["check", "missing-folder"]).status.code(),
        Some(2)
    );
    assert_eq!(
        mcfg(dir.path(), &["build", ".", "-o", "out", "--env", "nope"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn build_writes_artifacts_and_manifest() {
    let dir = project(&[(
        "main.mcfg",
        "environments { dev; prod }\nconfig a { x = 1\n env prod { x = 2 } }\n",
    )]);
    let out = mcfg(dir.path(), &["build", ".", "-o", "out"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let prod = std::fs::read_to_string(dir.path().join("out/prod/a.json")).expect("artifact");
    assert_eq!(prod, "{\n  \"x\": 2\n}\n");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).expect("manifest"),
    )
    .expect("manifest is JSON");
    assert_eq!(manifest["environments"], serde_json::json!(["dev", "prod"]));
    assert_eq!(manifest["artifacts"][1]["path"], "prod/a.json");
}

#[test]
fn failed_build_leaves_output_untouched() {
    let dir = project(&[("main.mcfg", "config a { x = 1 }\n")]);
    assert_eq!(
        mcfg(dir.path(), &["build", ".", "-o", "out"]).status.code(),
        Some(0)
    );
    let before = std::fs::read(dir.path().join("out/a.json")).expect("artifact");
    std::fs::write(
        dir.path().join("main.mcfg"),
        "config a { x = 1\n x = \"s\" }\n",
    )
    .expect("edit");
    assert_eq!(
        mcfg(dir.path(), &["build", ".", "-o", "out"]).status.code(),
        Some(1)
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/a.json")).expect("artifact"),
        before
    );
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let dir = project(&[]);
    let out = mcfg(dir.path(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let commit = text
        .trim_end()
        .strip_prefix(concat!("mcfg ", env!("CARGO_PKG_VERSION"), " (commit "))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{text:?}"));
    // What build.rs saw: this checkout's HEAD (or `unknown` outside git, or
    // what a packager put in MCFG_COMMIT).
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let want = std::env::var("MCFG_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or(head)
        .unwrap_or_else(|| "unknown".to_owned());
    assert_eq!(commit, want);
}

#[test]
fn check_project_checks_every_config_of_the_files_project() {
    // A schema file alone names no configs; with --project its change is
    // checked against the configs in other files (what pre-commit needs).
    let dir = project(&[
        ("mcfg.toml", ""),
        ("schemas/s.mcfg", "schema S {\n  n: int(<= 4) = 1\n}\n"),
        (
            "models/m.mcfg",
            "import \"../schemas/s.mcfg\" as s\nconfig m: s.S {\n  n = 8\n}\n",
        ),
    ]);
    let only = mcfg(dir.path(), &["check", "-q", "schemas/s.mcfg"]);
    assert_eq!(only.status.code(), Some(0));
    let whole = mcfg(dir.path(), &["check", "-q", "--project", "schemas/s.mcfg"]);
    assert_eq!(whole.status.code(), Some(1));
    let err = String::from_utf8_lossy(&whole.stderr);
    assert!(err.contains("`n` = 8 is not <= 4"), "{err}");
}
