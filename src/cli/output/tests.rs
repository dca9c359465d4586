//! Tests of the output folder writer (`super`).

use super::*;

fn art(path: &str, text: &str) -> Artifact {
    Artifact::new(path, text.as_bytes().to_vec())
}

fn build_files(n: i32) -> Vec<Artifact> {
    vec![
        art("manifest.json", &manifest(n)),
        art("dev/svc.json", &format!("{{\"replicas\": {n}}}\n")),
        art("prod/svc.json", "{}\n"),
    ]
}

fn manifest(n: i32) -> String {
    format!("{{\"compiler\": \"mcfg test\", \"n\": {n}}}\n")
}

fn snapshot(dir: &Path) -> Vec<(String, String)> {
    list_files(dir)
        .unwrap()
        .into_iter()
        .map(|rel| {
            let text = fs::read_to_string(dir.join(&rel)).unwrap();
            (rel, text)
        })
        .collect()
}

fn leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|it| it.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".mcfg-"))
        .collect()
}

#[test]
fn writes_a_new_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_atomic(&out, &build_files(1)).unwrap();
    assert_eq!(
        snapshot(&out),
        [
            ("dev/svc.json".to_owned(), "{\"replicas\": 1}\n".to_owned()),
            ("manifest.json".to_owned(), manifest(1)),
            ("prod/svc.json".to_owned(), "{}\n".to_owned()),
        ]
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn replaces_a_previous_build_entirely() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_atomic(&out, &build_files(1)).unwrap();
    fs::write(out.join("keep.txt"), "not ours").unwrap();
    let second = vec![
        art("manifest.json", &manifest(2)),
        art("prod/svc.json", "{\"r\": 2}\n"),
    ];
    write_atomic(&out, &second).unwrap();
    assert_eq!(
        snapshot(&out),
        [
            ("manifest.json".to_owned(), manifest(2)),
            ("prod/svc.json".to_owned(), "{\"r\": 2}\n".to_owned()),
        ]
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn the_portable_swap_replaces_too() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_atomic(&out, &build_files(1)).unwrap();
    let new = tmp.path().join("new");
    fs::create_dir(&new).unwrap();
    fs::write(new.join("manifest.json"), "{}\n").unwrap();
    swap_by_renames(&new, &out, tmp.path(), "out").unwrap();
    assert_eq!(
        snapshot(&out),
        [("manifest.json".to_owned(), "{}\n".to_owned())]
    );
    assert!(!new.exists());
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
#[test]
fn linux_exchange_swaps_two_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    fs::create_dir(&a).unwrap();
    fs::create_dir(&b).unwrap();
    fs::write(a.join("from_a"), "").unwrap();
    fs::write(b.join("from_b"), "").unwrap();
    exchange(&a, &b).unwrap();
    assert_eq!(list_files(&a).unwrap(), ["from_b"]);
    assert_eq!(list_files(&b).unwrap(), ["from_a"]);
}

#[test]
fn a_failure_while_writing_leaves_the_folder_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_atomic(&out, &build_files(1)).unwrap();
    let before = snapshot(&out);
    // `a` is a file, so `a/b.json` cannot be created: the write fails midway.
    let broken = vec![
        art("a", "x"),
        art("a/b.json", "{}"),
        art("manifest.json", "{}"),
    ];
    let err = write_atomic(&out, &broken).unwrap_err();
    assert_ne!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(snapshot(&out), before);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn bad_paths_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for files in [vec![art("../evil", "")], vec![art("a", ""), art("a", "")]] {
        let err = write_atomic(&out, &files).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
    assert!(!out.exists());
    let err = write_atomic(Path::new("."), &build_files(1)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_folder_mcfg_did_not_write_is_refused_and_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("src");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("main.mcfg"), "config a {}\n").unwrap();
    let err = write_atomic(&out, &build_files(1)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("holds .mcfg sources"), "{err}");
    assert_eq!(
        snapshot(&out),
        [("main.mcfg".to_owned(), "config a {}\n".to_owned())]
    );
    let file = tmp.path().join("file");
    fs::write(&file, "x").unwrap();
    assert_eq!(
        write_atomic(&file, &[]).unwrap_err().kind(),
        io::ErrorKind::AlreadyExists
    );
    // An empty folder is fine.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    write_atomic(&empty, &build_files(2)).unwrap();
    assert_eq!(snapshot(&empty).len(), 3);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_folder_of_unrelated_files_is_refused_and_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("u");
    fs::create_dir_all(out.join("data")).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::write(out.join("data/x.csv"), "1,2").unwrap();
    let before = snapshot(&out);
    for manifest in [None, Some("{\"compiler\": \"other\"}"), Some("not json")] {
        if let Some(m) = manifest {
            fs::write(out.join("manifest.json"), m).unwrap();
        }
        let err = write_atomic(&out, &build_files(1)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert!(
            err.to_string().contains("is not a previous mcfg build"),
            "{err}"
        );
        assert!(err.to_string().contains(&out.display().to_string()));
        let _ = fs::remove_file(out.join("manifest.json"));
        assert_eq!(snapshot(&out), before);
    }
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn losing_a_race_for_a_new_folder_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, tmp_dir) = (tmp.path().join("out"), tmp.path().join("t"));
    fs::create_dir(&tmp_dir).unwrap();
    fs::write(tmp_dir.join("manifest.json"), manifest(1)).unwrap();
    // Another build created `out` after this one found it missing.
    fs::create_dir(&out).unwrap();
    fs::write(out.join("manifest.json"), manifest(2)).unwrap();
    let err = swap_into_place(&tmp_dir, &out, tmp.path(), "out", false).unwrap_err();
    assert!(err.to_string().contains("another build wrote"), "{err}");
}

#[test]
fn compare_dir_lists_modified_missing_and_extra_sorted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let files = build_files(1);
    assert_eq!(
        compare_dir(&out, &files).len(),
        3,
        "missing folder: all missing"
    );
    write_atomic(&out, &files).unwrap();
    assert_eq!(compare_dir(&out, &files), Vec::new());
    fs::write(out.join("prod/svc.json"), "{\"hand\": 1}\n").unwrap();
    fs::remove_file(out.join("dev/svc.json")).unwrap();
    fs::write(out.join("b.txt"), "").unwrap();
    fs::write(out.join("a.txt"), "").unwrap();
    let diffs = compare_dir(&out, &files);
    let got: Vec<(&str, &str)> = diffs
        .iter()
        .map(|it| (it.kind.as_str(), it.path.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("modified", "prod/svc.json"),
            ("missing", "dev/svc.json"),
            ("extra", "a.txt"),
            ("extra", "b.txt")
        ]
    );
}
