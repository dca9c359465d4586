//! Finding 1: Symlinks never lead out of the project root: confinement holds on the
//! canonical path of every file read (imports, inputs, folder walks) or
//! written (`fmt`).

#![cfg(unix)]

use std::os::unix::fs::symlink;

use super::{mcfg, write};

/// Text outside the root that must never be printed.
const OUTSIDE: &str = "TOPSECRET line one\nTOPSECRET line two\n";

#[test]
fn an_import_through_a_symlink_out_of_the_root_is_refused_unread() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = tmp.path();
    write(t, "o/passwd", OUTSIDE);
    write(
        t,
        "p/v.mcfg",
        "import \"./pw.mcfg\" as pw\nconfig c { n = 1 }\n",
    );
    symlink(t.join("o/passwd"), t.join("p/pw.mcfg")).expect("symlink");
    let r = mcfg(t, &["check", "--root", "p", "p/v.mcfg"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("mcfg::import"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("import `./pw.mcfg` leads out of the project root through a symbolic link"),
        "{}",
        r.stderr
    );
    // Located at the import, and nothing of the outside file is shown.
    assert!(r.stderr.contains("p/v.mcfg:1:8"), "{}", r.stderr);
    assert!(!r.stderr.contains("TOPSECRET"), "{}", r.stderr);
    assert_eq!(r.stderr.matches("mcfg::").count(), 1, "{}", r.stderr);
}

#[test]
fn an_input_symlink_out_of_the_root_is_refused_unread() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = tmp.path();
    write(t, "o/passwd", OUTSIDE);
    write(t, "p/v.mcfg", "config c { n = 1 }\n");
    symlink(t.join("o/passwd"), t.join("p/pw.mcfg")).expect("symlink");
    let r = mcfg(t, &["check", "--root", "p", "p/pw.mcfg", "p/v.mcfg"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cannot read file: it is a symbolic link to a file outside the project root"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("TOPSECRET"), "{}", r.stderr);
}

#[test]
fn a_symlinked_folder_out_of_the_root_is_neither_built_nor_formatted() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = tmp.path();
    write(t, "p/a.mcfg", "config a { n = 1 }\n");
    let ugly = "config b {n=2}\n";
    write(t, "o/b.mcfg", ugly);
    symlink("../o", t.join("p/ext")).expect("symlink");
    // And a file symlink out of the root inside the walked folder.
    symlink("../o/b.mcfg", t.join("p/link.mcfg")).expect("symlink");
    let b = mcfg(t, &["build", "p", "-o", "out"]);
    assert_eq!(b.code, Some(0), "{}", b.stderr);
    assert!(t.join("out/a.json").is_file());
    assert!(!t.join("out/b.json").exists(), "o/b.mcfg was compiled");
    let f = mcfg(t, &["fmt", "p"]);
    assert_eq!(f.code, Some(0), "{}", f.stderr);
    assert_eq!(
        std::fs::read_to_string(t.join("o/b.mcfg")).expect("b"),
        ugly
    );
    assert!(std::fs::symlink_metadata(t.join("p/link.mcfg"))
        .expect("link")
        .file_type()
        .is_symlink());
}

#[test]
fn an_import_loop_through_a_symlinked_folder_is_a_cycle() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = tmp.path();
    write(
        t,
        "p/loopdir/a.mcfg",
        "import \"./up/loopdir/a.mcfg\" as a\nconfig c { n = 1 }\n",
    );
    symlink("..", t.join("p/loopdir/up")).expect("symlink");
    let r = mcfg(t, &["check", "p"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("mcfg::cycle"), "{}", r.stderr);
    assert!(!r.stderr.contains("symbolic links"), "{}", r.stderr);
    // One file, one diagnostic: the loop is neither walked nor parsed twice.
    assert_eq!(r.stderr.matches("mcfg::").count(), 1, "{}", r.stderr);
}
