//! Finding 7: `build -o` replaces only an empty folder or a previous mcfg build.

use super::{mcfg, write};

#[test]
fn build_refuses_an_unrelated_output_folder_and_deletes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = tmp.path();
    write(t, "v/a.mcfg", "config a { n = 1 }\n");
    write(t, "u/notes.txt", "my notes\n");
    write(t, "u/data/x.csv", "1,2\n");
    let b = mcfg(t, &["build", "v", "-o", "u"]);
    assert_eq!(b.code, Some(2), "{}", b.stderr);
    assert!(
        b.stderr.contains("refusing to replace `u`")
            && b.stderr.contains("is not a previous mcfg build"),
        "{}",
        b.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.join("u/notes.txt")).expect("kept"),
        "my notes\n"
    );
    assert!(t.join("u/data/x.csv").is_file());
    assert!(!t.join("u/a.json").exists());
    // An empty folder, then the previous build, are replaced.
    write(t, "w/.keep", "");
    std::fs::remove_file(t.join("w/.keep")).expect("rm");
    for _ in 0..2 {
        let b = mcfg(t, &["build", "v", "-o", "w"]);
        assert_eq!(b.code, Some(0), "{}", b.stderr);
        assert!(t.join("w/a.json").is_file());
    }
}
