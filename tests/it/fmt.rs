//! `mcfg fmt` over every `.mcfg` file of the repository: formatting is
//! idempotent, keeps every comment, and never changes what a build produces
//! (artifacts and diagnostic codes), also after the layout was scrambled.

#![allow(clippy::unwrap_used)] // reason: helpers of tests, where a failure is a test failure

use std::path::{Path, PathBuf};

use mcfg::compile::{compile_paths, Compilation};
use mcfg::fmt::format_source;
use mcfg::loader::MemoryFs;
use mcfg::source::FileId;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.mcfg` file below the folders that hold sources, relative to the repository.
fn mcfg_files() -> Vec<PathBuf> {
    static FILES: std::sync::OnceLock<Vec<PathBuf>> = std::sync::OnceLock::new();
    FILES.get_or_init(find_mcfg_files).clone()
}

fn find_mcfg_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for top in ["examples", "tests/cases", "stdlib", "src/syntax/testdata"] {
        walk(&repo().join(top), &mut out);
    }
    out.sort();
    // Case files that test syntax errors cannot be formatted; the formatter
    // leaves them alone (tested in `src/fmt/tests.rs`).
    out.retain(|p| {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        mcfg::syntax::parse(FileId(0), text).is_ok()
    });
    out.into_iter()
        .map(|p| p.strip_prefix(repo()).unwrap().to_path_buf())
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "mcfg") {
            out.push(p);
        }
    }
}

/// The path compiled for a file: its example or multi-file case folder, or the file.
fn project_of(rel: &Path) -> PathBuf {
    let parts: Vec<_> = rel.components().collect();
    let depth = match parts.first().and_then(|c| c.as_os_str().to_str()) {
        Some("examples") => 2,
        Some("tests") if parts.len() > 4 => 4,
        _ => parts.len(),
    };
    parts[..depth].iter().collect()
}

fn fmt(text: &str) -> String {
    format_source(FileId(0), text).unwrap_or_else(|e| panic!("cannot format: {e:?}"))
}

/// Compiles `project` with every repository source, each passed through `edit`.
fn build(project: &Path, edit: &dyn Fn(&str) -> String) -> Compilation {
    let mut fs = MemoryFs::new();
    // Only the project's own files (a folder project's files, or the one file).
    for rel in mcfg_files().into_iter().filter(|f| f.starts_with(project)) {
        let text = std::fs::read_to_string(repo().join(&rel)).unwrap();
        fs.insert(Path::new("/repo").join(&rel), edit(&text));
    }
    compile_paths(&fs, &[Path::new("/repo").join(project)], None).unwrap()
}

/// What a build means: every artifact's value, and the diagnostic codes.
fn meaning(comp: &Compilation) -> (Vec<String>, Vec<String>) {
    let artifacts = comp
        .artifacts
        .iter()
        .map(|a| {
            let runtime = a.runtime.as_ref().map(mcfg::eval::Value::to_json);
            format!(
                "{}/{:?}: {} {runtime:?}",
                a.config,
                a.env,
                a.value.to_json()
            )
        })
        .collect();
    // With each diagnostic: whether its line carries a `//!` marker, so that
    // case files keep their markers on the lines of the code they annotate.
    let codes = comp
        .diags
        .iter()
        .map(|d| {
            let file = comp.project.sources.get(d.primary.span.file);
            let line =
                mcfg::diagnostics::location::locate(&comp.project.sources, d.primary.span).line;
            let marked = file.line_text(line).contains("//!");
            format!(
                "{} {:?} {:?} marked={marked}",
                d.code.as_str(),
                d.config,
                d.env
            )
        })
        .collect();
    (artifacts, codes)
}

/// Moves every line by a varying amount and doubles blank lines; only for
/// files without `"""` strings, where leading whitespace never matters.
fn scramble(text: &str) -> String {
    if text.contains("\"\"\"") {
        return text.to_owned();
    }
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            out.push_str("\n\n");
            continue;
        }
        let pad = [0, 5, 1, 8][i % 4];
        out.push_str(&" ".repeat(pad));
        out.push_str(line.trim_start());
        out.push('\n');
    }
    out
}

/// Sprinkles `/* … */` and `// …` comments over lines without strings or
/// comments, and re-indents some lines (a deterministic pseudo-random walk).
fn sprinkle(text: &str, seed: u64) -> String {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_owned();
        let plain = !line.contains('"') && !line.contains("//") && !line.contains("/*");
        if plain && next(3) == 0 {
            let spaces: Vec<usize> = line.match_indices(' ').map(|(i, _)| i).collect();
            if !spaces.is_empty() {
                let at = spaces[next(spaces.len() as u64) as usize];
                line.insert_str(at, &format!(" /* c{} */ ", next(100)));
            }
        }
        if plain && next(4) == 0 {
            line.push_str(&format!(" // t{}", next(100)));
        }
        if !text.contains("\"\"\"") && next(5) == 0 {
            line.insert_str(0, "   ");
        }
        out.push_str(&line);
        out.push('\n');
        if next(8) == 0 {
            out.push_str("  // own\n");
        }
    }
    out
}

#[test]
fn sprinkled_comments_are_kept_and_formatting_stays_idempotent() {
    let (mut tried, mut parsed) = (0, 0);
    for rel in mcfg_files() {
        let text = std::fs::read_to_string(repo().join(&rel)).unwrap();
        for seed in 0..4 {
            let input = sprinkle(&text, seed);
            tried += 1;
            if mcfg::syntax::parse(FileId(0), &input).is_err() {
                continue; // a comment landed inside a token or a doc line
            }
            parsed += 1;
            let once = fmt(&input);
            assert_eq!(fmt(&once), once, "{} seed {seed}", rel.display());
        }
    }
    assert!(
        parsed * 2 > tried,
        "only {parsed} of {tried} variants parse"
    );
}

#[test]
fn repository_has_sources_to_format() {
    let files = mcfg_files();
    assert!(files.len() >= 10, "{files:?}");
    assert!(files.iter().any(|f| f.starts_with("stdlib")));
}

#[test]
fn formatting_is_idempotent_and_keeps_comments() {
    for rel in mcfg_files() {
        let text = std::fs::read_to_string(repo().join(&rel)).unwrap();
        for input in [text.clone(), scramble(&text)] {
            let once = fmt(&input);
            assert_eq!(fmt(&once), once, "not idempotent: {}", rel.display());
            for c in mcfg::syntax::comments(FileId(0), &input) {
                assert!(
                    once.contains(&c.text),
                    "{}: lost comment {:?}",
                    rel.display(),
                    c.text
                );
            }
        }
    }
}

#[test]
fn formatting_never_changes_a_build() {
    let mut projects: Vec<PathBuf> = mcfg_files().iter().map(|f| project_of(f)).collect();
    projects.dedup();
    assert!(projects.iter().any(|p| p == Path::new("examples/ranking")));
    for project in projects {
        let before = meaning(&build(&project, &|t| t.to_owned()));
        let after = meaning(&build(&project, &|t| fmt(t)));
        assert_eq!(before, after, "{}", project.display());
        let scrambled = meaning(&build(&project, &|t| fmt(&scramble(t))));
        assert_eq!(before, scrambled, "{} (scrambled)", project.display());
    }
}

#[test]
fn conformance_cases_keep_their_meaning_and_markers() {
    // The repository's copy of the conformance cases (tests/data/conformance-cases).
    let root = repo().join("tests/data/conformance-cases");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut projects: Vec<PathBuf> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "main.mcfg"))
        .map(|f| f.parent().unwrap().to_path_buf())
        .collect();
    projects.sort();
    assert!(
        projects.len() >= 10,
        "only {} case projects",
        projects.len()
    );
    for project in projects {
        let mut files = Vec::new();
        walk(&project, &mut files);
        let load = |edit: &dyn Fn(&str) -> String| {
            let mut fs = MemoryFs::new();
            for f in &files {
                let rel = f.strip_prefix(&project).unwrap();
                let text = std::fs::read_to_string(f).unwrap();
                fs.insert(Path::new("/case").join(rel), edit(&text));
            }
            compile_paths(&fs, &[PathBuf::from("/case")], None).unwrap()
        };
        let before = meaning(&load(&|t| t.to_owned()));
        let after = meaning(&load(&|t| fmt(t)));
        assert_eq!(before, after, "{}", project.display());
        for f in &files {
            let once = fmt(&std::fs::read_to_string(f).unwrap());
            assert_eq!(fmt(&once), once, "{}", f.display());
        }
    }
}

#[test]
fn scrambled_sources_are_restored_where_layout_is_canonical() {
    // The repository's sources are written in the canonical layout, so the
    // formatter must undo the scrambling exactly, except in files whose
    // expressions span lines (copied with their own relative indentation).
    let mut restored = 0;
    for rel in mcfg_files() {
        let text = std::fs::read_to_string(repo().join(&rel)).unwrap();
        if fmt(&text) == text && !text.contains('[') && scramble(&text) != text {
            assert_eq!(fmt(&scramble(&text)), text, "{}", rel.display());
            restored += 1;
        }
    }
    assert!(restored >= 3, "only {restored} files checked");
}

#[test]
fn cli_fmt_rewrites_and_check_reports() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.mcfg");
    let messy = dir.path().join("messy.mcfg");
    let broken = dir.path().join("broken.mcfg");
    std::fs::write(&good, "config a {\n  x = 1 // one\n}\n").unwrap();
    std::fs::write(&messy, "config b { x = 1; y = 2 }\n// two\n").unwrap();
    let mcfg = env!("CARGO_BIN_EXE_mcfg");
    let run = |args: &[&str]| {
        std::process::Command::new(mcfg)
            .args(args)
            .output()
            .unwrap()
    };
    let dir_arg = dir.path().to_str().unwrap();
    let out = run(&["fmt", "--check", dir_arg]);
    assert_eq!(out.status.code(), Some(1));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("messy.mcfg") && !listed.contains("good.mcfg"),
        "{listed}"
    );
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "config b { x = 1; y = 2 }\n// two\n"
    );
    let out = run(&["fmt", dir_arg]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "config b {\n  x = 1\n  y = 2\n}\n// two\n"
    );
    assert_eq!(run(&["fmt", "--check", dir_arg]).status.code(), Some(0));
    std::fs::write(&broken, "config c { x = }\n").unwrap();
    let out = run(&["--message-format", "json", "fmt", dir_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mcfg::syntax"));
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "config c { x = }\n"
    );
}
