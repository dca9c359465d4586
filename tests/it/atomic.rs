//! All or nothing: a build killed at any moment leaves either the complete
//! previous build or the complete new one, and builds are byte-identical
//! across runs and thread counts.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn mcfg() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcfg"));
    c.env("NO_COLOR", "1");
    c
}

/// A project large enough that a build takes a while to write.
fn project(n: usize, version: u32) -> String {
    let mut s = String::from("environments { dev; staging; prod }\n");
    s.push_str("schema M {\n  name: string\n  version: int = 1\n  replicas: int(>= 1) = 1\n  tags: list[string] = [\"a\", \"b\"]\n}\n");
    for i in 0..n {
        s.push_str(&format!(
            "config m{i:05}: M {{\n  name = \"model-{i}\"\n  version = {version}\n  env prod {{ replicas = {} }}\n}}\n",
            i % 7 + 1
        ));
    }
    s
}

fn build(dir: &Path) -> std::process::Output {
    mcfg()
        .args(["build", "src", "-o", "out"])
        .current_dir(dir)
        .output()
        .expect("mcfg runs")
}

fn version_in(dir: &Path) -> Option<i64> {
    let text = std::fs::read_to_string(dir.join("out/prod/m00000.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["version"].as_i64()
}

#[test]
fn a_build_killed_at_any_moment_leaves_old_or_new_never_a_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.mcfg"), project(1500, 1)).unwrap();
    assert_eq!(build(dir).status.code(), Some(0));
    assert_eq!(version_in(dir), Some(1));
    std::fs::write(dir.join("src/main.mcfg"), project(1500, 2)).unwrap();

    let mut saw_old = false;
    for delay_ms in [0u64, 2, 5, 10, 20, 40, 80, 120, 200, 400] {
        let mut child = mcfg()
            .args(["build", "src", "-o", "out"])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever moment the kill hit, the folder is one complete build.
        let verify = mcfg()
            .args(["verify", "out"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert_eq!(
            verify.status.code(),
            Some(0),
            "after a kill at {delay_ms} ms: {}",
            String::from_utf8_lossy(&verify.stdout)
        );
        let v = version_in(dir);
        assert!(
            v == Some(1) || v == Some(2),
            "after a kill at {delay_ms} ms: version {v:?}"
        );
        saw_old |= v == Some(1);
        if v == Some(2) {
            // The new build landed; start again from an old one.
            std::fs::write(dir.join("src/main.mcfg"), project(1500, 1)).unwrap();
            assert_eq!(build(dir).status.code(), Some(0));
            std::fs::write(dir.join("src/main.mcfg"), project(1500, 2)).unwrap();
        }
    }
    assert!(
        saw_old,
        "no kill landed before the swap; the test proved nothing"
    );
    // A later build cleans up what the killed ones left beside the folder.
    assert_eq!(build(dir).status.code(), Some(0));
    let leftovers: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mcfg-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(version_in(dir), Some(2));
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn builds_are_byte_identical_across_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ranking");
    let mut trees = Vec::new();
    for (i, threads) in ["1", "2", "4", "1"].iter().enumerate() {
        let out = tmp.path().join(format!("out{i}"));
        let res = mcfg()
            .env("RAYON_NUM_THREADS", threads)
            .arg("build")
            .arg(&example)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            res.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&res.stderr)
        );
        trees.push(tree(&out));
    }
    assert!(trees[0].len() > 10, "{} files", trees[0].len());
    for t in &trees[1..] {
        assert_eq!(t, &trees[0]);
    }
}

#[test]
fn diagnostics_are_identical_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut src = project(200, 1);
    // Errors in many configs and environments at once.
    for i in (0..200).step_by(7) {
        src.push_str(&format!(
            "config bad{i}: M {{ name = \"b\"\n replicas = 0\n env dev {{ version = \"x\" }} }}\n"
        ));
    }
    std::fs::write(tmp.path().join("main.mcfg"), src).unwrap();
    let run = |threads: &str| {
        let out = mcfg()
            .env("RAYON_NUM_THREADS", threads)
            .args(["--message-format", "json", "check", "."])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        out.stderr
    };
    let one = run("1");
    assert!(one.len() > 1000);
    assert_eq!(run("2"), one);
    assert_eq!(run("3"), one);
}
