//! `--sweep` (LANGUAGE.md §9.7): the cartesian product in a fixed order,
//! exact artifacts and manifests per point, a bad point named by its values,
//! a product over the limit refused before any work.

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

const SRC: &str = "environments {\n  dev\n  prod\n}\nschema S {\n  replicas: int(>= 1) = 1\n  lr: float = 0.1\n  name: string = \"svc\"\n}\nconfig svc: S {\n  env prod { replicas = 4 }\n}\n";

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

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn entry(arg: &str, path: &str, value: &str) -> serde_json::Value {
    serde_json::json!({"arg": arg, "config": "svc", "env": null, "path": path, "op": "set", "value": value})
}

/// The sample sweep: a `--set` and two sweeps (2 × 3 points).
fn build_sample(dir: &Path, out: &str) -> Output {
    mcfg(
        dir,
        &[
            "build",
            ".",
            "-o",
            out,
            "--set",
            "svc.name=\"x=y\"",
            "--sweep",
            "svc.lr=0.1,0.01",
            "--sweep",
            "svc.replicas=range(1, 6, 2)",
        ],
    )
}

#[test]
fn build_writes_every_point_with_its_manifest_in_product_order() {
    let dir = project();
    ok(&build_sample(dir.path(), "out"));
    let read = |p: &str| std::fs::read_to_string(dir.path().join("out").join(p)).expect(p);
    let top: serde_json::Value = serde_json::from_str(&read("manifest.json")).expect("json");
    assert_eq!(top["artifacts"], serde_json::json!([]));
    assert_eq!(
        top["overrides"],
        serde_json::json!([entry("svc.name=\"x=y\"", "name", "\"x=y\"")])
    );
    let points = top["sweep"].as_array().expect("sweep points");
    let got: Vec<(u64, String, String, String)> = points
        .iter()
        .map(|p| {
            (
                p["index"].as_u64().expect("index"),
                p["dir"].as_str().expect("dir").to_owned(),
                p["overrides"][0]["value"].as_str().expect("lr").to_owned(),
                p["overrides"][1]["value"]
                    .as_str()
                    .expect("replicas")
                    .to_owned(),
            )
        })
        .collect();
    let want: Vec<(u64, String, String, String)> = [
        ("0.1", "1"),
        ("0.1", "3"),
        ("0.1", "5"),
        ("0.01", "1"),
        ("0.01", "3"),
        ("0.01", "5"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (lr, r))| {
        (
            i as u64,
            format!("sweep/{i}"),
            (*lr).to_owned(),
            (*r).to_owned(),
        )
    })
    .collect();
    assert_eq!(got, want);
    assert_eq!(
        points[4]["overrides"],
        serde_json::json!([
            entry("svc.lr=0.01", "lr", "0.01"),
            entry("svc.replicas=3", "replicas", "3")
        ])
    );
    // A point's own folder is a complete build: artifacts and a manifest
    // listing the `--set` overrides, then the point's.
    assert_eq!(
        read("sweep/4/prod/svc.json"),
        "{\n  \"replicas\": 3,\n  \"lr\": 0.01,\n  \"name\": \"x=y\"\n}\n"
    );
    assert_eq!(
        read("sweep/0/dev/svc.json"),
        "{\n  \"replicas\": 1,\n  \"lr\": 0.1,\n  \"name\": \"x=y\"\n}\n"
    );
    let inner: serde_json::Value =
        serde_json::from_str(&read("sweep/4/manifest.json")).expect("json");
    assert_eq!(
        inner["overrides"],
        serde_json::json!([
            entry("svc.name=\"x=y\"", "name", "\"x=y\""),
            entry("svc.lr=0.01", "lr", "0.01"),
            entry("svc.replicas=3", "replicas", "3")
        ])
    );
    assert!(inner.get("sweep").is_none());
    let paths: Vec<&str> = inner["artifacts"]
        .as_array()
        .expect("artifacts")
        .iter()
        .map(|a| a["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["dev/svc.json", "prod/svc.json"]);
}

#[test]
fn verify_follows_the_points_and_builds_are_deterministic() {
    let dir = project();
    ok(&build_sample(dir.path(), "out"));
    // verify checks every point through the top manifest, and each point alone.
    ok(&mcfg(dir.path(), &["verify", "out"]));
    ok(&mcfg(dir.path(), &["verify", "out/sweep/3"]));
    let top = std::fs::read(dir.path().join("out/manifest.json")).expect("manifest");
    std::fs::write(dir.path().join("out/sweep/2/dev/svc.json"), "{}\n").expect("edit");
    let v = mcfg(dir.path(), &["verify", "--json", "out"]);
    assert_eq!(v.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&v.stdout).expect("json");
    assert_eq!(
        report["problems"],
        serde_json::json!([{"kind": "modified", "path": "sweep/2/dev/svc.json"}])
    );
    // The same sources and sweep give the same bytes.
    ok(&build_sample(dir.path(), "out2"));
    let top2 = std::fs::read(dir.path().join("out2/manifest.json")).expect("manifest");
    assert_eq!(top2, top);
}

#[test]
fn a_bad_point_fails_the_build_and_names_its_values() {
    let dir = project();
    let out = mcfg(
        dir.path(),
        &[
            "--message-format",
            "json",
            "build",
            ".",
            "-o",
            "out",
            "--sweep",
            "svc.lr=0.1,0.5",
            "--sweep",
            "prod:svc.replicas=2,0",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("out").exists(), "nothing is written");
    let d = json_diags(&out);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "mcfg::constraint");
    assert_eq!(
        d[0]["message"],
        "`replicas` = 0 is not >= 1 (sweep point 1: svc.lr=0.1 prod:svc.replicas=0; 1 other point too)"
    );
    assert_eq!(d[0]["file"], "--sweep[2]");
    assert_eq!(d[0]["column"], 21);
    assert_eq!(d[0]["env"], "prod");
}

#[test]
fn a_mistake_every_point_shares_is_reported_once() {
    let dir = project();
    let out = mcfg(
        dir.path(),
        &[
            "--message-format",
            "json",
            "check",
            ".",
            "--sweep",
            "svc.lrr=1,2,3",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let d = json_diags(&out);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "mcfg::override");
    assert_eq!(d[0]["message"], "config `svc` has no field `lrr`");
    assert_eq!(d[0]["help"], "did you mean `lr`?");
    assert_eq!(d[0]["file"], "--sweep[1]");
    assert_eq!(d[0]["column"], 5);
}

#[test]
fn a_product_over_the_limit_is_refused_naming_the_product() {
    let dir = project();
    let out = mcfg(
        dir.path(),
        &[
            "--message-format",
            "json",
            "build",
            ".",
            "-o",
            "out",
            "--sweep",
            "svc.replicas=range(1, 1001)",
            "--sweep",
            "svc.lr=range(0, 1000)",
            "--sweep",
            "svc.name=range(0, 1000)",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let d = json_diags(&out);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "mcfg::limit");
    assert_eq!(
        d[0]["message"],
        "this sweep has 1000000000 points (1000 × 1000 × 1000); the limit is 10000"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn malformed_sweeps_are_located_override_errors() {
    let dir = project();
    let cases: &[(&str, &str, u64)] = &[
        ("svc.lr", "override `svc.lr` has no value", 1),
        ("=1,2", "this override has no path before `=`", 1),
        ("svc.lr=1,,2", "no value after `=` for `svc.lr`", 9),
        (
            "svc.replicas=range(1)",
            "`range` takes two or three integers",
            14,
        ),
        (
            "svc.replicas=range(1, 1.5)",
            "expected an integer literal",
            23,
        ),
        ("svc.replicas=range(5, 1)", "this range is empty", 14),
        ("~svc.lr", "a sweep sets a path to each of its values", 2),
    ];
    for (arg, msg, col) in cases {
        let out = mcfg(
            dir.path(),
            &["--message-format", "json", "check", ".", "--sweep", arg],
        );
        assert_eq!(out.status.code(), Some(1), "{arg}");
        let d = json_diags(&out);
        assert_eq!(d.len(), 1, "{arg}: {d:?}");
        assert_eq!(d[0]["code"], "mcfg::override", "{arg}");
        assert_eq!(d[0]["file"], "--sweep[1]", "{arg}");
        assert_eq!(d[0]["message"], *msg, "{arg}");
        assert_eq!(d[0]["column"], *col, "{arg}");
    }
}

#[test]
fn a_sweep_of_lists_and_strings_splits_at_top_level_commas() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.mcfg"),
        "schema S {\n  dims: list[int] = []\n  tag: string = \"\"\n}\nconfig m: S {}\n",
    )
    .expect("write");
    let out = mcfg(
        dir.path(),
        &[
            "build",
            ".",
            "-o",
            "out",
            "--sweep",
            "dims=[1, 2],[3]",
            "--sweep",
            "m.tag=\"a,b\"",
        ],
    );
    ok(&out);
    let read = |p: &str| std::fs::read_to_string(dir.path().join("out").join(p)).expect(p);
    assert_eq!(
        read("sweep/0/m.json"),
        "{\n  \"dims\": [\n    1,\n    2\n  ],\n  \"tag\": \"a,b\"\n}\n"
    );
    assert_eq!(
        read("sweep/1/m.json"),
        "{\n  \"dims\": [\n    3\n  ],\n  \"tag\": \"a,b\"\n}\n"
    );
    assert!(!dir.path().join("out/sweep/2").exists());
}

#[test]
fn equals_signs_inside_values_and_non_utf8_arguments() {
    let dir = project();
    let out = mcfg(
        dir.path(),
        &[
            "build",
            ".",
            "-o",
            "out",
            "--sweep",
            "svc.name=\"a=b\",\"c,d\"",
        ],
    );
    ok(&out);
    let read = |p: &str| std::fs::read_to_string(dir.path().join("out").join(p)).expect(p);
    assert!(read("sweep/0/dev/svc.json").contains("\"name\": \"a=b\""));
    assert!(read("sweep/1/dev/svc.json").contains("\"name\": \"c,d\""));
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bad = Command::new(env!("CARGO_BIN_EXE_mcfg"))
            .args(["--message-format", "json", "check", ".", "--sweep"])
            .arg(std::ffi::OsStr::from_bytes(b"svc.name=\"a\",\"\xff\""))
            .current_dir(dir.path())
            .output()
            .expect("mcfg runs");
        assert_eq!(bad.status.code(), Some(1));
        let d = json_diags(&bad);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0]["code"], "mcfg::override");
        assert_eq!(d[0]["message"], "this sweep is not valid UTF-8");
        assert_eq!(d[0]["file"], "--sweep[1]");
        assert_eq!(d[0]["column"], 15);
    }
}

#[test]
fn a_build_over_the_artifact_limit_is_refused_before_evaluation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut src = String::from("environments {\n  a\n  b\n}\nschema S {\n  x: int = 1\n}\n");
    for i in 0..200 {
        src.push_str(&format!("config c{i}: S {{}}\n"));
    }
    std::fs::write(dir.path().join("main.mcfg"), src).expect("write");
    let out = mcfg(
        dir.path(),
        &[
            "--message-format",
            "json",
            "build",
            ".",
            "-o",
            "out",
            "--sweep",
            "c0.x=range(0, 3000)",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let d = json_diags(&out);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "mcfg::limit");
    assert_eq!(
        d[0]["message"],
        "this sweep would write 1200000 artifacts (3000 points × 400); the limit is 1000000"
    );
    assert!(!dir.path().join("out").exists());
}

fn stdout(out: &Output) -> String {
    ok(out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn explain_sweep_explains_the_leaf_at_every_point_labelled_by_its_values() {
    let dir = project();
    let args = [
        "explain",
        "svc.lr",
        "--env",
        "dev",
        "--sweep",
        "svc.lr=0.5,0.01",
    ];
    let got = stdout(&mcfg(dir.path(), &args));
    let want = "\
sweep point 0: svc.lr=0.5
svc.lr in env dev = 0.5
  1. default main.mcfg:7:15  (S)
       | lr: float = 0.1
  2. set     --sweep[1]:1:8  (--set)  <- holds
       | svc.lr=0.5,0.01

sweep point 1: svc.lr=0.01
svc.lr in env dev = 0.01
  1. default main.mcfg:7:15  (S)
       | lr: float = 0.1
  2. set     --sweep[1]:1:12  (--set)  <- holds
       | svc.lr=0.5,0.01
";
    assert_eq!(got, want);
    let json: serde_json::Value = serde_json::from_str(&stdout(&mcfg(
        dir.path(),
        &[&args[..], &["--json"]].concat(),
    )))
    .expect("one JSON report");
    let points = json["sweep"].as_array().expect("points");
    assert_eq!(points.len(), 2);
    assert_eq!(points[1]["index"], 1);
    assert_eq!(points[1]["overrides"][0]["arg"], "svc.lr=0.01");
    assert_eq!(points[1]["report"]["value"], 0.01);
    assert_eq!(points[1]["report"]["steps"][1]["text"], "0.01");
}

#[test]
fn diff_sweep_compares_every_point_with_the_base() {
    let dir = project();
    let args = [
        "diff",
        "--env",
        "prod",
        "--sweep",
        "svc.lr=0.5",
        "--sweep",
        "prod:svc.replicas=4,8",
    ];
    let got = stdout(&mcfg(dir.path(), &args));
    let want = "\
sweep point 0: svc.lr=0.5 prod:svc.replicas=4
  path    env   base  point
  svc.lr  prod  0.1   0.5

sweep point 1: svc.lr=0.5 prod:svc.replicas=8
  path          env   base  point
  svc.replicas  prod  4     8
  svc.lr        prod  0.1   0.5
";
    assert_eq!(got, want);
    // The base includes `--set`; a point equal to it says so.
    let same = stdout(&mcfg(
        dir.path(),
        &["diff", "--set", "svc.lr=0.5", "--sweep", "svc.lr=0.5"],
    ));
    assert_eq!(
        same,
        "sweep point 0: svc.lr=0.5\n  no value differs from the base\n"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&mcfg(
        dir.path(),
        &[&args[..], &["--json"]].concat(),
    )))
    .expect("one JSON report");
    let diffs = &json["sweep"][1]["differences"];
    assert_eq!(diffs[0]["path"], "replicas");
    assert_eq!(diffs[0]["env"], "prod");
    assert_eq!(diffs[0]["values"], serde_json::json!([4, 8]));
    // Two environments or `--against` make no sense with a sweep.
    let two = mcfg(
        dir.path(),
        &[
            "diff",
            "--env",
            "dev",
            "--env",
            "prod",
            "--sweep",
            "svc.lr=0.5",
        ],
    );
    assert_eq!(two.status.code(), Some(2));
}

#[test]
fn sweep_builds_and_checks_print_the_summary_line_unless_quiet() {
    let dir = project();
    let summary = |out: &Output| {
        ok(out);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let (what, ms) = err.trim_end().rsplit_once(" in ").expect("`… in N ms`");
        assert!(ms.ends_with(" ms"), "{err}");
        what.to_owned()
    };
    let built = summary(&build_sample(dir.path(), "out"));
    assert_eq!(built, "built 12 artifacts of 6 sweep points into out");
    let sweeps = [
        "--sweep",
        "svc.lr=0.1,0.01",
        "--sweep",
        "svc.replicas=1,2,3",
    ];
    let checked = summary(&mcfg(dir.path(), &[&["check", "."][..], &sweeps].concat()));
    assert_eq!(
        checked,
        "checked 6 sweep points (1 config × 2 environments each)"
    );
    let quiet = mcfg(dir.path(), &[&["-q", "check", "."][..], &sweeps].concat());
    ok(&quiet);
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    let quiet = mcfg(
        dir.path(),
        &[&["-q", "build", ".", "-o", "out2"][..], &sweeps].concat(),
    );
    ok(&quiet);
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
}
