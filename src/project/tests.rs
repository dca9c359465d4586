#![allow(clippy::unwrap_used)] // reason: tests

use std::path::PathBuf;

use super::*;
use crate::loader::MemoryFs;

fn fs(files: &[(&str, &str)]) -> MemoryFs {
    let mut fs = MemoryFs::new();
    for (p, t) in files {
        fs.insert(p, *t);
    }
    fs
}

#[test]
fn discovers_the_nearest_project_file_upward() {
    let fs = fs(&[
        ("/p/mcfg.toml", ""),
        ("/p/models/ranker.mcfg", ""),
        ("/p/sub/mcfg.toml", ""),
        ("/p/sub/a.mcfg", ""),
    ]);
    assert_eq!(
        discover(&fs, Path::new("/p/models/ranker.mcfg")),
        Some(PathBuf::from("/p/mcfg.toml"))
    );
    assert_eq!(
        discover(&fs, Path::new("/p/sub/a.mcfg")),
        Some(PathBuf::from("/p/sub/mcfg.toml"))
    );
    assert_eq!(discover(&fs, Path::new("/q")), None);
}

#[test]
fn a_single_file_selects_but_the_whole_project_loads() {
    let fs = fs(&[
        (
            "/p/mcfg.toml",
            "exclude = [\"legacy\", \"**/*.draft.mcfg\"]\n",
        ),
        ("/p/envs.mcfg", ""),
        ("/p/models/ranker.mcfg", ""),
        ("/p/models/old.draft.mcfg", ""),
        ("/p/legacy/x.mcfg", ""),
    ]);
    let plan = plan(&fs, &[PathBuf::from("/p/models/ranker.mcfg")], None).unwrap();
    assert_eq!(plan.root, PathBuf::from("/p"));
    assert_eq!(
        plan.inputs,
        vec![
            PathBuf::from("/p/envs.mcfg"),
            PathBuf::from("/p/models/ranker.mcfg")
        ]
    );
    assert_eq!(
        plan.selected,
        Some(vec![PathBuf::from("/p/models/ranker.mcfg")])
    );
    let whole = super::plan(&fs, &[PathBuf::from("/p")], None).unwrap();
    assert_eq!(whole.selected, None);
    assert_eq!(whole.inputs.len(), 2);
}

#[test]
fn a_bad_project_file_is_a_located_diagnostic() {
    let fs = fs(&[
        ("/p/mcfg.toml", "exclude = [\"a\"]\nexclud = 1\n"),
        ("/p/a.mcfg", ""),
    ]);
    let plan = plan(&fs, &[PathBuf::from("/p")], None).unwrap();
    let (text, d) = plan.error.unwrap();
    assert_eq!(d.code, Code::Project);
    assert_eq!(
        &text[d.primary.span.start as usize..d.primary.span.end as usize],
        "exclud"
    );
    assert!(
        d.message.contains("unknown field `exclud`"),
        "{}",
        d.message
    );
    let fs = tests::fs(&[("/p/mcfg.toml", "exclude = [\"a[\"]\n"), ("/p/a.mcfg", "")]);
    let (text, d) = super::plan(&fs, &[PathBuf::from("/p")], None)
        .unwrap()
        .error
        .unwrap();
    assert_eq!(
        &text[d.primary.span.start as usize..d.primary.span.end as usize],
        "\"a[\""
    );
}

#[test]
fn without_a_project_file_paths_are_the_sources() {
    let fs = fs(&[("/q/a.mcfg", ""), ("/q/b.mcfg", "")]);
    let plan = plan(&fs, &[PathBuf::from("/q/a.mcfg")], None).unwrap();
    assert_eq!(plan.inputs, vec![PathBuf::from("/q/a.mcfg")]);
    assert_eq!(plan.project_file, None);
    assert_eq!(plan.selected, None);
}
