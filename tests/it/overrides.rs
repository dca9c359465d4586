//! `--set` overrides (LANGUAGE.md §9.7): exact artifacts, manifest entries,
//! located `mcfg::override` diagnostics pointing into the argument.

use std::path::Path;
use std::process::{Command, Output};

fn mcfg(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("mcfg runs")
}

const SRC: &str = "environments {\n  dev\n  prod\n}\nschema S {\n  replicas: int(>= 1) = 1\n  name: string = \"svc\"\n  tags: list[string] = []\n}\nconfig svc: S {\n  env prod { replicas = 4 }\n}\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.mcfg"), SRC).expect("write");
    dir
}

fn json_diags(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON diagnostic per line"))
        .collect()
}

#[test]
fn set_applies_after_env_blocks_and_is_recorded_in_the_manifest() {
    let dir = project();
    let out = mcfg(
        dir.path(),
        &[
            "build",
            ".",
            "-o",
            "out",
            "--set",
            "svc.replicas=3",
            "--set",
            "prod:svc.name=\"x=y\"",
            "--set",
            "svc.tags+=[\"a\"]",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |p: &str| std::fs::read_to_string(dir.path().join("out").join(p)).expect("artifact");
    assert_eq!(
        read("dev/svc.json"),
        "{\n  \"replicas\": 3,\n  \"name\": \"svc\",\n  \"tags\": [\n    \"a\"\n  ]\n}\n"
    );
    assert_eq!(
        read("prod/svc.json"),
        "{\n  \"replicas\": 3,\n  \"name\": \"x=y\",\n  \"tags\": [\n    \"a\"\n  ]\n}\n"
    );
    let manifest: serde_json::Value = serde_json::from_str(&read("manifest.json")).expect("json");
    assert_eq!(
        manifest["overrides"],
        serde_json::json!([
            {"arg": "svc.replicas=3", "config": "svc", "env": null, "path": "replicas", "op": "set", "value": "3"},
            {"arg": "prod:svc.name=\"x=y\"", "config": "svc", "env": "prod", "path": "name", "op": "set", "value": "\"x=y\""},
            {"arg": "svc.tags+=[\"a\"]", "config": "svc", "env": null, "path": "tags", "op": "append", "value": "[\"a\"]"}
        ])
    );
    let verify = mcfg(dir.path(), &["verify", "out"]);
    assert_eq!(verify.status.code(), Some(0));
    // Without overrides the manifest has no `overrides` key.
    let plain = mcfg(dir.path(), &["build", ".", "-o", "out2"]);
    assert_eq!(plain.status.code(), Some(0));
    let m2 = std::fs::read_to_string(dir.path().join("out2/manifest.json")).expect("manifest");
    assert!(!m2.contains("overrides"));
}

#[test]
fn the_config_may_be_left_out_when_one_config_is_emitted() {
    let dir = project();
    let out = mcfg(
        dir.path(),
        &["build", ".", "-o", "out", "--set", "replicas=7"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = std::fs::read_to_string(dir.path().join("out/prod/svc.json")).expect("artifact");
    assert!(a.contains("\"replicas\": 7"), "{a}");
}

#[test]
fn overrides_are_typed_and_checked_with_spans_in_the_argument() {
    let dir = project();
    let out = mcfg(
        dir.path(),
        &[
            "--message-format",
            "json",
            "check",
            ".",
            "--set",
            "svc.replicas=0",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let d = json_diags(&out);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "mcfg::constraint");
    assert_eq!(d[0]["file"], "--set[1]");
    assert_eq!(d[0]["column"], 14);
    assert_eq!(d[0]["length"], 1);
}

#[test]
fn malformed_overrides_are_located_override_errors() {
    let dir = project();
    let cases: &[(&str, &str, u64, u64, Option<&str>)] = &[
        (
            "svc.replicas",
            "override `svc.replicas` has no value",
            1,
            12,
            None,
        ),
        ("=3", "this override has no path before `=`", 1, 1, None),
        (
            "svc.replica=3",
            "config `svc` has no field `replica`",
            5,
            7,
            Some("did you mean `replicas`?"),
        ),
        (
            "svx.replicas=3",
            "config `svc` has no field `svx`",
            1,
            3,
            None,
        ),
        (
            "prd:svc.replicas=3",
            "unknown environment `prd`",
            1,
            3,
            Some("did you mean `prod`?"),
        ),
        (
            "svc.replicas=",
            "no value after `=` for `svc.replicas`",
            13,
            1,
            None,
        ),
        ("svc.replicas=(1", "", 16, 0, None),
    ];
    for (arg, msg, col, len, help) in cases {
        let out = mcfg(
            dir.path(),
            &["--message-format", "json", "check", ".", "--set", arg],
        );
        assert_eq!(out.status.code(), Some(1), "{arg}");
        let d = json_diags(&out);
        assert_eq!(d.len(), 1, "{arg}: {d:?}");
        assert_eq!(d[0]["code"], "mcfg::override", "{arg}");
        assert_eq!(d[0]["file"], "--set[1]", "{arg}");
        if !msg.is_empty() {
            assert_eq!(d[0]["message"], *msg, "{arg}");
            assert_eq!(d[0]["length"], *len, "{arg}");
        }
        assert_eq!(d[0]["column"], *col, "{arg}");
        if let Some(h) = help {
            assert_eq!(d[0]["help"], *h, "{arg}");
        }
    }
}

#[test]
fn explain_shows_the_override_with_origin_set() {
    let dir = project();
    let out = mcfg(
        dir.path(),
        &[
            "explain",
            "svc.replicas",
            "--env",
            "prod",
            "--json",
            ".",
            "--set",
            "svc.replicas=2 * 3",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["value"], 6);
    let last = r["steps"]
        .as_array()
        .and_then(|s| s.last())
        .cloned()
        .expect("steps");
    assert_eq!(last["from"], "--set");
    assert_eq!(last["file"], "--set[1]");
    assert_eq!(last["text"], "2 * 3");
    assert_eq!(r["steps"].as_array().map(Vec::len), Some(3));
}

#[cfg(unix)]
#[test]
fn non_utf8_override_is_an_override_error() {
    use std::os::unix::ffi::OsStrExt;
    let dir = project();
    let out = Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(["--message-format", "json", "check", ".", "--set"])
        .arg(std::ffi::OsStr::from_bytes(b"svc.name=\"a\xffb\""))
        .current_dir(dir.path())
        .output()
        .expect("mcfg runs");
    assert_eq!(out.status.code(), Some(1));
    let d = json_diags(&out);
    assert_eq!(d[0]["code"], "mcfg::override");
    assert_eq!(d[0]["column"], 12);
}

#[test]
fn shell_quoting_mistakes_are_located_override_errors() {
    let dir = project();
    let cases: &[(&str, &str, u64, &str)] = &[
        // The shell ate the double quotes.
        (
            "svc.name=gpu",
            "cannot find `gpu` (a bare word is a name, not a string)",
            10,
            "to give the string, quote it for mcfg and the shell: --set 'svc.name=\"gpu\"'",
        ),
        // Single quotes are the shell's, not mcfg's.
        (
            "svc.name='gpu'",
            "expected a string, `(`, `-`, `[`, `{` or an expression, found `'`",
            10,
            "the value is an mcfg expression; strings need double quotes, so quote the argument for the shell: --set 'a.device=\"gpu\"'",
        ),
        // An unclosed string.
        (
            "svc.name=\"gpu",
            "expected a string, string text or an interpolation `${…}`, found end of file",
            14,
            "the value is an mcfg expression; strings need double quotes, so quote the argument for the shell: --set 'a.device=\"gpu\"'",
        ),
    ];
    for (arg, msg, col, help) in cases {
        let out = mcfg(
            dir.path(),
            &[
                "--message-format",
                "json",
                "build",
                ".",
                "-o",
                "out",
                "--set",
                arg,
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{arg}");
        assert!(!dir.path().join("out").exists(), "{arg}: nothing written");
        let d = json_diags(&out);
        assert_eq!(d.len(), 1, "{arg}: {d:?}");
        assert_eq!(d[0]["code"], "mcfg::override", "{arg}");
        assert_eq!(d[0]["file"], "--set[1]", "{arg}");
        assert_eq!(d[0]["message"], *msg, "{arg}");
        assert_eq!(d[0]["column"], *col, "{arg}");
        assert_eq!(d[0]["help"], *help, "{arg}");
    }
}

#[test]
fn ten_thousand_overrides_apply_in_order() {
    let dir = project();
    let mut args = vec!["build".to_owned(), ".".into(), "-o".into(), "out".into()];
    for i in 1..=10_000 {
        args.push("--set".into());
        args.push(format!("svc.replicas={i}"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = mcfg(dir.path(), &refs);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = std::fs::read_to_string(dir.path().join("out/prod/svc.json")).expect("artifact");
    assert!(a.contains("\"replicas\": 10000,"), "{a}");
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).expect("manifest"),
    )
    .expect("json");
    let list = m["overrides"].as_array().expect("overrides");
    assert_eq!(list.len(), 10_000);
    assert_eq!(list[9_999]["arg"], "svc.replicas=10000");
}

#[test]
fn tilde_unsets_and_colon_equals_replaces_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.mcfg"),
        "environments {\n  dev\n  prod\n}\nschema S {\n  replicas: int(>= 1) = 1\n  canary: int? = 5\n  labels: map[string] = { a = \"1\" }\n}\nconfig svc: S {\n  labels { b = \"2\" }\n}\n",
    )
    .expect("write");
    let out = mcfg(
        dir.path(),
        &[
            "build",
            ".",
            "-o",
            "out",
            "--set",
            "~svc.canary",
            "--set",
            "prod:~svc.labels.a",
            "--set",
            "dev:svc.labels:={ z = \"9\" }",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |p: &str| std::fs::read_to_string(dir.path().join("out").join(p)).expect(p);
    assert_eq!(
        read("dev/svc.json"),
        "{\n  \"replicas\": 1,\n  \"labels\": {\n    \"z\": \"9\"\n  }\n}\n"
    );
    assert_eq!(
        read("prod/svc.json"),
        "{\n  \"replicas\": 1,\n  \"labels\": {\n    \"b\": \"2\"\n  }\n}\n"
    );
    let m: serde_json::Value = serde_json::from_str(&read("manifest.json")).expect("json");
    assert_eq!(
        m["overrides"],
        serde_json::json!([
            {"arg": "~svc.canary", "config": "svc", "env": null, "path": "canary", "op": "unset"},
            {"arg": "prod:~svc.labels.a", "config": "svc", "env": "prod", "path": "labels.a", "op": "unset"},
            {"arg": "dev:svc.labels:={ z = \"9\" }", "config": "svc", "env": "dev", "path": "labels", "op": "replace", "value": "{ z = \"9\" }"}
        ])
    );
    // Unsetting a required field is the `unset`'s mistake, in the argument.
    let bad = mcfg(
        dir.path(),
        &[
            "--message-format",
            "json",
            "check",
            ".",
            "--set",
            "~svc.replicas",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let d = json_diags(&bad);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "mcfg::missing-field");
    assert_eq!(d[0]["file"], "--set[1]");
    assert_eq!(d[0]["column"], 1);
    assert_eq!(d[0]["length"], 13);
}

#[test]
fn plus_adds_a_key_the_config_does_not_have() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.mcfg"),
        "config svc {\n  name = \"x\"\n  sub { a = 1 }\n}\n",
    )
    .expect("write");
    let out = mcfg(
        dir.path(),
        &[
            "build",
            ".",
            "-o",
            "out",
            "--set",
            "+svc.ckpt=\"p\"",
            "--set",
            "+sub.b=2",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |p: &str| std::fs::read_to_string(dir.path().join("out").join(p)).expect(p);
    assert_eq!(
        read("svc.json"),
        "{\n  \"name\": \"x\",\n  \"sub\": {\n    \"a\": 1,\n    \"b\": 2\n  },\n  \"ckpt\": \"p\"\n}\n"
    );
    let m: serde_json::Value = serde_json::from_str(&read("manifest.json")).expect("json");
    assert_eq!(m["overrides"][0]["op"], "add");
    assert_eq!(m["overrides"][1]["path"], "sub.b");
    // `+` on a key that exists is Hydra's error; `+` with `+=` is malformed.
    for (arg, msg, col) in [
        (
            "+svc.name=\"y\"",
            "`svc.name` already exists: `+` only adds a new key",
            2,
        ),
        (
            "+svc.sub+=[1]",
            "`+svc.sub` adds a key: it takes `=` and a value",
            2,
        ),
    ] {
        let bad = mcfg(
            dir.path(),
            &["--message-format", "json", "check", ".", "--set", arg],
        );
        assert_eq!(bad.status.code(), Some(1), "{arg}");
        let d = json_diags(&bad);
        assert_eq!(d.len(), 1, "{arg}: {d:?}");
        assert_eq!(d[0]["code"], "mcfg::override", "{arg}");
        assert_eq!(d[0]["message"], msg, "{arg}");
        assert_eq!(d[0]["column"], col, "{arg}");
    }
}
