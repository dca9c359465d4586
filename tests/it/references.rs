//! Configs reading other configs (issue #13): a config that others read is
//! evaluated first and its values published (`eval::board`), so a chain of
//! N configs costs N evaluations, not N²/2. These tests pin what that must
//! keep: the values in every environment, one diagnostic per mistake, the
//! reference-depth limit across configs, cycles, and identical output for
//! any thread count.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run(dir: &Path, threads: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("mcfg runs")
}

fn project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.mcfg"), text).expect("write main.mcfg");
    dir
}

fn read(dir: &Path, path: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(path)).expect("artifact");
    serde_json::from_str(&text).expect("JSON artifact")
}

/// The error lines of a `--message-format json` run: (code, message, line).
fn errors(out: &Output) -> Vec<(String, String, u64)> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["message"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// `c0 <- c1 <- ... <- c{n-1}` by value, in two environments, written
/// last-first so that no config comes before the one it reads.
fn value_chain(n: usize) -> String {
    let mut s = String::from("environments {\n  dev\n  prod\n}\n");
    for i in (1..n).rev() {
        writeln!(
            s,
            "config c{i} {{\n  v = c{}.v + 1\n  env prod {{ w = v * 2 }}\n}}",
            i - 1
        )
        .unwrap();
    }
    s.push_str("config c0 {\n  v = 0\n  env prod { v = 100 }\n}\n");
    s
}

#[test]
fn a_chain_of_configs_each_reading_the_previous_has_every_value_in_every_environment() {
    let n = 4000;
    let dir = project(&value_chain(n));
    let out = run(dir.path(), "2", &["build", ".", "-o", "out"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for i in [0, 1, 2, 1999, 3999] {
        let dev = read(dir.path(), &format!("out/dev/c{i}.json"));
        assert_eq!(dev["v"], i, "dev c{i}: {dev}");
        let prod = read(dir.path(), &format!("out/prod/c{i}.json"));
        assert_eq!(prod["v"], 100 + i, "prod c{i}: {prod}");
        if i > 0 {
            assert_eq!(prod["w"], 2 * (100 + i), "prod c{i}: {prod}");
        }
    }
}

#[test]
fn an_error_in_a_config_that_others_read_is_reported_once_and_fails_them() {
    let dir = project(concat!(
        "config base {\n  v = 1 + \"x\"\n}\n",
        "config a {\n  w = base.v\n}\n",
        "config b {\n  w = a.w\n  ok = 1\n}\n",
    ));
    let out = run(dir.path(), "2", &["check", ".", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let errs = errors(&out);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, "mcfg::type-mismatch", "{errs:?}");
    assert_eq!(errs[0].2, 2, "the error is at base's assignment: {errs:?}");
}

#[test]
fn a_value_read_through_an_abstract_parent_is_the_read_configs_value() {
    let dir = project(concat!(
        "environments {\n  dev\n  prod\n}\n",
        "abstract config template {\n  limit = source.cap * 2\n}\n",
        "config user extends template {\n  name = \"u\"\n}\n",
        "config source {\n  cap = 3\n  env prod { cap = 5 }\n}\n",
    ));
    let out = run(dir.path(), "2", &["build", ".", "-o", "out"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read(dir.path(), "out/dev/user.json")["limit"], 6);
    assert_eq!(read(dir.path(), "out/prod/user.json")["limit"], 10);
}

#[test]
fn a_reference_cycle_across_configs_is_still_one_cycle_error() {
    let dir = project(concat!(
        "config p {\n  a = q.b + 1\n}\n",
        "config q {\n  b = p.a + 1\n}\n",
        "config r {\n  c = p.a\n}\n",
    ));
    let out = run(dir.path(), "2", &["check", ".", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let errs = errors(&out);
    assert!(!errs.is_empty());
    assert!(
        errs.iter().all(|(code, msg, _)| code == "mcfg::cycle"
            && msg.contains("p.a")
            && msg.contains("q.b")),
        "{errs:?}"
    );
}

#[test]
fn a_chain_of_configs_past_the_reference_limit_is_one_limit_error() {
    // 10,050 configs reading the previous one: the chain below c10000 is
    // more than 10,000 references long, as if followed whole.
    let mut s = String::from("config c0 {\n  v = 0\n}\n");
    for i in 1..10_050 {
        writeln!(s, "config c{i} {{\n  v = c{}.v + 1\n}}", i - 1).unwrap();
    }
    let dir = project(&s);
    let out = run(dir.path(), "2", &["check", ".", "--message-format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let errs = errors(&out);
    assert_eq!(errs.len(), 1, "one mistake, one diagnostic: {errs:?}");
    assert_eq!(errs[0].0, "mcfg::limit");
    assert!(
        errs[0].1.contains("references nest deeper than 10000"),
        "{errs:?}"
    );
}

#[test]
fn configs_reading_each_other_build_the_same_bytes_on_any_thread_count() {
    // A diamond lattice: each config of a layer reads two of the previous one.
    let mut s = String::from("environments {\n  dev\n  prod\n}\n");
    for i in 0..40 {
        writeln!(
            s,
            "config l0_{i} {{\n  v = {i}\n  env prod {{ v = {} }}\n}}",
            i * 3
        )
        .unwrap();
    }
    for layer in 1..30 {
        for i in 0..40 {
            let (a, b) = (i, (i + 1) % 40);
            writeln!(
                s,
                "config l{layer}_{i} {{\n  v = l{p}_{a}.v + l{p}_{b}.v\n  name = \"l{layer}_{i}\"\n}}",
                p = layer - 1
            )
            .unwrap();
        }
    }
    // A mistake deep in the lattice: every reader below it fails quietly.
    s.push_str("config broken {\n  v = l29_0.v + \"x\"\n}\n");
    let dir = project(&s);
    let mut seen: Option<(Vec<u8>, Vec<u8>)> = None;
    for threads in ["1", "2", "4"] {
        let out = run(
            dir.path(),
            threads,
            &["check", ".", "--message-format", "json"],
        );
        assert_eq!(out.status.code(), Some(1));
        let now = (out.stdout.clone(), out.stderr.clone());
        if let Some(before) = &seen {
            assert_eq!(before, &now, "RAYON_NUM_THREADS={threads}");
        }
        seen = Some(now);
    }
    std::fs::write(
        dir.path().join("main.mcfg"),
        s.replace("config broken {\n  v = l29_0.v + \"x\"\n}\n", ""),
    )
    .unwrap();
    let mut trees: Vec<Vec<(String, Vec<u8>)>> = Vec::new();
    for threads in ["1", "2", "4"] {
        let out_dir = format!("out{threads}");
        let out = run(dir.path(), threads, &["build", ".", "-o", &out_dir]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut files = Vec::new();
        for env in ["dev", "prod"] {
            for layer in [0, 1, 15, 29] {
                for i in [0, 17, 39] {
                    let rel = format!("{env}/l{layer}_{i}.json");
                    let bytes = std::fs::read(dir.path().join(&out_dir).join(&rel)).unwrap();
                    files.push((rel, bytes));
                }
            }
        }
        trees.push(files);
    }
    assert_eq!(trees[0], trees[1]);
    assert_eq!(trees[0], trees[2]);
    // Values worked out by hand from the first layers.
    let v = |env: &str, layer: usize, i: usize| -> i64 {
        read(
            &dir.path().join("out2"),
            &format!("{env}/l{layer}_{i}.json"),
        )["v"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(v("dev", 1, 39), 39); // l0_39 + l0_0 = 39 + 0
    assert_eq!(v("prod", 1, 0), 3); // 0 + 3
    assert_eq!(v("dev", 2, 0), 1 + 3); // (0+1) + (1+2)
}
