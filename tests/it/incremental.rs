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

#[test]
fn an_edit_with_its_modification_time_set_back_is_still_written_again() {
    // A kept file is read back only when its ctime is not older than the
    // old manifest's; a user can set the mtime back (`touch -d`, `cp -p`)
    // but not the ctime, so such an edit is still noticed.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    build(dir, 2);
    build(dir, 2);
    let path = dir.join("out/dev/b.json");
    let original = std::fs::read_to_string(&path).unwrap();
    let old_mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let edited = original.replacen("\"b\"", "\"y\"", 1);
    assert_eq!(edited.len(), original.len());
    std::fs::write(&path, &edited).unwrap();
    let back = old_mtime - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(back)
        .unwrap();
    build(dir, 2);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    verify_ok(dir);
}

#[test]
fn kept_files_stay_no_newer_than_the_stamped_manifest_across_rebuilds() {
    // Two rebuilds in a row keep the same inode: the stamp of the manifest
    // is refreshed by each build, so kept files stay older than it.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    build(dir, 2);
    let first = inode(dir, "dev/b.json");
    build(dir, 3);
    build(dir, 4);
    assert_eq!(inode(dir, "dev/b.json"), first);
    let manifest = std::fs::metadata(dir.join("out/manifest.json")).unwrap();
    let kept = std::fs::metadata(dir.join("out/dev/b.json")).unwrap();
    assert!(
        (kept.ctime(), kept.ctime_nsec()) <= (manifest.ctime(), manifest.ctime_nsec()),
        "the manifest is stamped after the old folder is removed"
    );
    verify_ok(dir);
}
