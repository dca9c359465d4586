//! Builds that write only what changed (issue #17 item 3): a rebuild keeps
//! the previous build's unchanged files (same inode, hard-linked into the new
//! folder), writes the changed ones, and never keeps a file edited by hand.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

const SRC: &str = "environments { dev; prod }\n\
schema M {\n  name: string\n  replicas: int(>= 1) = 1\n}\n\
config a: M {\n  name = \"a\"\n  env prod { replicas = REPLICAS }\n}\n\
config b: M {\n  name = \"b\"\n}\n";

fn build(dir: &Path, replicas: u32) {
    std::fs::write(
        dir.join("main.mcfg"),
        SRC.replace("REPLICAS", &replicas.to_string()),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(["build", "main.mcfg", "-o", "out"])
        .current_dir(dir)
        .output()
        .expect("mcfg runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn inode(dir: &Path, rel: &str) -> u64 {
    std::fs::metadata(dir.join("out").join(rel)).unwrap().ino()
}

fn verify_ok(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(["verify", "out"])
        .current_dir(dir)
        .output()
        .expect("mcfg runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn unchanged_files_keep_their_inode_and_changed_ones_do_not() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    build(dir, 2);
    let before: Vec<u64> = ["dev/a.json", "prod/a.json", "dev/b.json", "manifest.json"]
        .iter()
        .map(|p| inode(dir, p))
        .collect();
    build(dir, 3);
    assert_eq!(inode(dir, "dev/a.json"), before[0], "unchanged: kept");
    assert_ne!(inode(dir, "prod/a.json"), before[1], "changed: written");
    assert_eq!(inode(dir, "dev/b.json"), before[2], "unchanged: kept");
    assert_ne!(
        inode(dir, "manifest.json"),
        before[3],
        "the manifest is always written"
    );
    let prod: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/prod/a.json")).unwrap())
            .unwrap();
    assert_eq!(prod["replicas"], 3);
    verify_ok(dir);
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".mcfg-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_file_edited_by_hand_is_written_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    build(dir, 2);
    let path = dir.join("out/dev/b.json");
    let original = std::fs::read_to_string(&path).unwrap();
    // Same length, different bytes: only a byte comparison notices.
    let edited = original.replacen("\"b\"", "\"x\"", 1);
    assert_eq!(edited.len(), original.len());
    std::fs::write(&path, &edited).unwrap();
    let edited_inode = inode(dir, "dev/b.json");
    build(dir, 2);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    assert_ne!(inode(dir, "dev/b.json"), edited_inode);
    verify_ok(dir);
}
