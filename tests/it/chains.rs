//! Long chains (issue #13, finding 9): environments each extending the
//! previous one, and inheritance chains up to the depth limit. Their cost is
//! measured by `bench/chains.py`; these tests pin the results and the
//! limit's diagnostic, which the linear rewrite must keep.

use std::fmt::Write as _;

use serde_json::Value;

use super::ops::mcfg;

/// `n` environments `e0 <- e1 <- ... <- e{n-1}`, and one config whose env
/// blocks set `v` at every 7th environment and append to `tags` at every
/// 500th: each environment sees the block of its nearest ancestor.
fn env_chain(n: usize) -> String {
    let mut s = String::from("environments {\n  e0\n");
    for i in 1..n {
        writeln!(s, "  e{i} extends e{}", i - 1).unwrap();
    }
    s.push_str("}\nschema S { v: int = -1; tags: list[int] = [] }\nconfig c: S {\n");
    for i in (0..n).step_by(7) {
        writeln!(s, "  env e{i} {{ v = {i} }}").unwrap();
    }
    for i in (0..n).step_by(500) {
        writeln!(s, "  env e{i} {{ tags += [{i}] }}").unwrap();
    }
    s.push_str("}\n");
    s
}

#[test]
fn a_long_environment_chain_layers_every_ancestor_in_order() {
    let n = 3000;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.mcfg"), env_chain(n)).unwrap();
    let out = mcfg(dir.path(), &["build", ".", "-o", "out"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |env: usize| -> Value {
        let p = dir.path().join(format!("out/e{env}/c.json"));
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    for env in [0, 6, 7, 13, 1499, 1500, 2999] {
        let got = read(env);
        assert_eq!(got["v"], env / 7 * 7, "e{env}: {got}");
        let tags: Vec<usize> = (0..=env).step_by(500).collect();
        assert_eq!(got["tags"], serde_json::json!(tags), "e{env}: {got}");
    }
}

#[test]
fn an_inheritance_chain_past_the_limit_is_one_limit_error_at_the_extends() {
    // c0 <- c1 <- ... <- c10001: `c10000` is the first config with more than
    // 10,000 configs in its chain; its descendants are not reported again.
    let mut s = String::from("config c0 { v = 0 }\n");
    for i in 1..=10_001 {
        writeln!(s, "config c{i} extends c{} {{ v = {i} }}", i - 1).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.mcfg"), s).unwrap();
    let out = mcfg(
        dir.path(),
        &["--message-format", "json", "check", "main.mcfg"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let diags: Vec<Value> = err
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|d: &Value| d["severity"] == "error")
        .collect();
    assert_eq!(diags.len(), 1, "{err}");
    let d = &diags[0];
    assert_eq!(d["code"], "mcfg::limit");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(10_001), Some(23))
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("inheritance chain longer than 10000 configs"),
        "{d}"
    );
}

#[test]
fn an_inheritance_chain_at_the_limit_builds_with_the_last_value() {
    let mut s = String::from("config c0 { v = 0; w = 0 }\n");
    for i in 1..10_000 {
        writeln!(s, "config c{i} extends c{} {{ v = {i} }}", i - 1).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.mcfg"), s).unwrap();
    let out = mcfg(dir.path(), &["explain", "c9999.v", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("c9999.v = 9999"), "{text}");
}
