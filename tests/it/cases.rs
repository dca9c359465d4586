//! Case files under `tests/cases/`: a single `<area>/<name>.mcfg`, or a folder
//! `<area>/<name>/` holding `main.mcfg` and the files it imports.
//!
//! `//! mcfg::code key=value …` markers (the notation of the shared
//! conformance suite) sit on the lines that must carry a diagnostic; the
//! harness checks them exactly — every marker matched, no diagnostic left
//! unmarked — and the snapshot shows the sources, the rendered diagnostics and
//! every artifact together.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use mcfg::compile::{compile_paths, Compilation};
use mcfg::diagnostics::{human, Diagnostic};
use mcfg::loader::MemoryFs;

struct Marker {
    file: String,
    line: usize,
    codes: Vec<String>,
    attrs: Vec<(String, String)>,
}

fn parse_markers(file: &str, text: &str) -> Vec<Marker> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(pos) = line.find("//!") else {
            continue;
        };
        let rest = line[pos + 3..].trim();
        let mut words = split_attrs(rest).into_iter();
        let Some(codes) = words.next() else { continue };
        let attrs = words
            .filter_map(|w| {
                w.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
            })
            .collect();
        out.push(Marker {
            file: file.to_owned(),
            line: i + 1,
            codes: codes.split('|').map(str::to_owned).collect(),
            attrs,
        });
    }
    out
}

/// Splits on spaces outside double quotes.
fn split_attrs(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn places(comp: &Compilation, d: &Diagnostic) -> Vec<(String, usize)> {
    let src = &comp.project.sources;
    std::iter::once(&d.primary)
        .chain(&d.labels)
        .map(|l| {
            let f = src.get(l.span.file);
            (f.name.clone(), f.line_col(l.span.start).0)
        })
        .collect()
}

fn text_of(d: &Diagnostic) -> String {
    let mut s = format!("{}\n{}", d.message, d.help.clone().unwrap_or_default());
    for l in std::iter::once(&d.primary).chain(&d.labels) {
        s.push('\n');
        s.push_str(l.message.as_deref().unwrap_or(""));
    }
    s
}

fn matches(comp: &Compilation, m: &Marker, d: &Diagnostic) -> bool {
    if !m.codes.iter().any(|c| c == d.code.as_str()) {
        return false;
    }
    if !places(comp, d).contains(&(m.file.clone(), m.line)) {
        return false;
    }
    m.attrs.iter().all(|(k, v)| match k.as_str() {
        "env" => d.env.as_deref() == Some(v.as_str()),
        "config" => d.config.as_deref() == Some(v.as_str()),
        "severity" => d.severity.as_str() == v,
        "mentions" => text_of(d).contains(v.as_str()),
        _ => true,
    })
}

fn check_markers(comp: &Compilation, markers: &[Marker]) -> Vec<String> {
    let mut problems = Vec::new();
    for m in markers {
        if !comp.diags.iter().any(|d| matches(comp, m, d)) {
            problems.push(format!(
                "no {} diagnostic at {}:{}",
                m.codes.join("|"),
                m.file,
                m.line
            ));
        }
    }
    for d in &comp.diags {
        let (file, line) = places(comp, d)[0].clone();
        let marked = markers.iter().any(|m| matches(comp, m, d));
        if !marked {
            problems.push(format!(
                "unexpected {} at {file}:{line}: {}",
                d.code, d.message
            ));
        }
    }
    problems
}

fn load_case(path: &Path, multi: bool) -> (MemoryFs, Vec<(String, String)>) {
    let mut fs = MemoryFs::new();
    let mut files = Vec::new();
    if multi {
        let dir = path.parent().expect("case folder");
        let mut all: Vec<PathBuf> = walk(dir);
        all.sort();
        for p in all {
            let rel = p
                .strip_prefix(dir)
                .expect("below the case")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("case file is UTF-8");
            fs.insert(&rel, text.clone());
            files.push((rel, text));
        }
    } else {
        let text = std::fs::read_to_string(path).expect("case file is UTF-8");
        fs.insert("main.mcfg", text.clone());
        files.push(("main.mcfg".to_owned(), text));
    }
    (fs, files)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("case folder is readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "mcfg") {
            out.push(p);
        }
    }
    out
}

/// Compiles one case and returns its snapshot text; panics on marker mismatches.
fn run_case(path: &Path, multi: bool) -> String {
    let (fs, files) = load_case(path, multi);
    let mut comp = compile_paths(&fs, &[PathBuf::from(".")], None).expect("case loads");
    // Policy tests run as `mcfg test` runs them: only when the sources compile.
    let tests = if comp.has_errors() {
        None
    } else {
        let run = mcfg::report::policy::run(&comp.project, &comp.overrides, &[]);
        comp.diags.extend(run.diagnostics());
        Some(run).filter(|r| !r.cases.is_empty())
    };
    let mut markers = Vec::new();
    for (name, text) in &files {
        markers.extend(parse_markers(name, text));
    }
    let problems = check_markers(&comp, &markers);
    let mut snap = String::new();
    for (name, text) in &files {
        let _ = writeln!(snap, "----- SOURCE ({name})\n{}", text.trim_end());
    }
    if !comp.diags.is_empty() {
        snap.push_str("----- DIAGNOSTICS\n");
        for d in &comp.diags {
            snap.push_str(&human::render(&comp.project.sources, d, false, 80));
        }
    }
    if let Some(run) = &tests {
        let _ = writeln!(
            snap,
            "----- TESTS\n{}{}",
            mcfg::report::policy::render_lines(run),
            mcfg::report::policy::summary(run)
        );
    }
    for a in &comp.artifacts {
        let dir = a.env.as_ref().map(|e| format!("{e}/")).unwrap_or_default();
        let json = serde_json::to_string_pretty(&a.value).expect("value serializes");
        let _ = writeln!(snap, "----- OUTPUT {dir}{}.json\n{json}", a.config);
        if let Some(rt) = &a.runtime {
            let json = serde_json::to_string_pretty(rt).expect("value serializes");
            let _ = writeln!(snap, "----- OUTPUT {dir}{}.runtime.json\n{json}", a.config);
        }
    }
    assert!(
        problems.is_empty(),
        "{}:\n  {}\n\n{snap}",
        path.display(),
        problems.join("\n  ")
    );
    snap
}

#[test]
fn single_file_cases() {
    insta::glob!("../cases", "*/*.mcfg", |path| {
        let snap = run_case(path, false);
        insta::assert_snapshot!(snap);
    });
}

#[test]
fn multi_file_cases() {
    insta::glob!("../cases", "*/*/main.mcfg", |path| {
        let snap = run_case(path, true);
        insta::assert_snapshot!(snap);
    });
}
