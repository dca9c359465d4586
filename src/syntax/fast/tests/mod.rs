//! Differential tests of the fast parser against pest (`parse_reference`):
//! every real file must be accepted with an identical tree, and on mutated
//! files every `Ok` of the fast parser must equal pest's tree. Here: the
//! corpus and the helpers; `tricky` hand-picked texts, `section9` the
//! constructs of LANGUAGE.md §9, `mutate` random mutations.

mod mutate;
mod section9;
mod tricky;

use std::path::{Path, PathBuf};

use super::parse;
use crate::source::FileId;
use crate::syntax::comments::{self, CommentKind};
use crate::syntax::{parse_reference, MAX_NESTING};

const FILE: FileId = FileId(0);

/// The fast parser's answer, with the docs the real entry point would pass;
/// `None` when the pre-scan refuses the text.
fn fast(text: &str) -> Option<Result<crate::ast::File, super::Reject>> {
    let scan = comments::scan(FILE, text, MAX_NESTING);
    if scan.too_deep.is_some() {
        return None;
    }
    let docs: Vec<_> = scan
        .comments
        .into_iter()
        .filter(|c| c.kind == CommentKind::Doc)
        .collect();
    Some(parse(FILE, text, &docs))
}

/// The fast parser accepts `text` and builds pest's tree.
fn assert_same(text: &str, what: &str) {
    let reference = parse_reference(FILE, text)
        .unwrap_or_else(|d| panic!("{what}: pest refuses it: {}", d.message));
    let got = fast(text).unwrap_or_else(|| panic!("{what}: too deep"));
    let tree = got.unwrap_or_else(|_| panic!("{what}: the fast parser refuses it"));
    same_tree(&tree, &reference, what);
}

/// Whenever the fast parser accepts `text`, pest builds the same tree.
/// Returns whether the fast parser accepted it.
fn assert_sound(text: &str, what: &str) -> bool {
    let Some(Ok(tree)) = fast(text) else {
        return false;
    };
    match parse_reference(FILE, text) {
        Ok(reference) => same_tree(&tree, &reference, &format!("{what}:\n{text}")),
        Err(d) => panic!("{what}: fast accepts, pest says {}:\n{text}", d.message),
    }
    true
}

/// Equal trees, or a panic that shows where their debug forms first differ.
fn same_tree(got: &crate::ast::File, want: &crate::ast::File, what: &str) {
    if got == want {
        return;
    }
    let (a, b) = (format!("{got:?}"), format!("{want:?}"));
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = a[..at].char_indices().rev().nth(300).map_or(0, |(i, _)| i);
    let end = |s: &str| s.char_indices().nth(200).map_or(s.len(), |(i, _)| i);
    panic!(
        "{what}\n  fast: …{}\n  pest: …{}",
        &a[from..at + end(&a[at..])],
        &b[from..at + end(&b[at..])]
    );
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "mcfg") {
            out.push(path);
        }
    }
}

/// The ```` ```mcfg ```` blocks of a Markdown text, in order.
fn mcfg_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut block: Option<String> = None;
    for line in md.lines() {
        match &mut block {
            None if line.trim_start() == "```mcfg" => block = Some(String::new()),
            None => {}
            Some(_) if line.trim_start().starts_with("```") => out.extend(block.take()),
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
        }
    }
    out
}

/// Every `.mcfg` of the repository (with its copy of the conformance cases),
/// the ```` ```mcfg ```` blocks of `docs/*.md`, plus generated benchmark
/// files: (name, text).
pub(in crate::syntax) fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [
        "examples",
        "tests/cases",
        "tests/conformance",
        "tests/flagd",
        "tests/data/conformance-cases",
        "stdlib",
        "src/syntax/testdata",
        "src/syntax/fast/testdata",
    ] {
        collect(&root.join(dir), &mut paths);
    }
    let mut out: Vec<(String, String)> = paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
            Some((p.display().to_string(), text))
        })
        .collect();
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    docs.retain(|p| p.extension().is_some_and(|e| e == "md"));
    docs.sort();
    for p in docs {
        let Ok(md) = std::fs::read_to_string(&p) else {
            continue;
        };
        for (i, block) in mcfg_blocks(&md).into_iter().enumerate() {
            out.push((format!("{} block {i}", p.display()), block));
        }
    }
    out.push(("generated benchmark".into(), bench_text(40)));
    out.push(("generated §9 text".into(), section9::generated(12)));
    out
}

/// A file of the shape of `shared/bench/gen_mcfg.py` with `n` models.
pub(in crate::syntax) fn bench_text(n: usize) -> String {
    let mut s = String::from(concat!(
        "environments {\n  dev\n  staging\n  prod\n}\n\n",
        "schema Hyperparameters {\n  learning_rate: float(> 0, <= 1) = 0.001\n",
        "  optimizer: \"adam\" | \"sgd\" | \"adamw\" = \"adam\"\n  seed: int = 42\n}\n\n",
        "schema Model {\n  name: string\n  \"env\": string\n  version: int(>= 1)\n",
        "  hyperparameters: Hyperparameters\n  features: list[string]\n",
        "  thresholds: map[float(>= 0, <= 1)]\n",
        "  flags: {\n    canary: bool = false\n  }\n",
        "  check version >= 1 or name != \"x\" : \"bad\"\n}\n\n",
        "abstract config base: Model {\n  name = \"base\"\n  \"env\" = env\n",
        "  version = 1\n  uri = \"s3://b-${env}/${self.name}\"\n",
        "  features = [\"age\", \"country\"]\n  thresholds {\n    p = 0.5\n  }\n}\n",
    ));
    for i in 0..n {
        s.push_str(&format!(
            "\nconfig model_{i:05} extends base {{\n  name = \"model_{i:05}\"\n  \
             hyperparameters.seed = {}\n  version = {}\n  \
             env dev {{ flags.canary = false; thresholds.p = 0.{} }}\n  \
             env prod {{ flags.canary = true }}\n}}\n",
            i * 7919 % 100_000,
            i % 30 + 1,
            i % 10,
        ));
    }
    s
}

#[test]
fn accepts_every_corpus_file_with_the_same_tree() {
    let corpus = corpus();
    assert!(corpus.len() > 20, "corpus too small: {}", corpus.len());
    for dir in ["tests/conformance/", "docs/", "section9.mcfg"] {
        assert!(
            corpus.iter().any(|(name, _)| name.contains(dir)),
            "the corpus reads {dir}"
        );
    }
    for (name, text) in &corpus {
        if parse_reference(FILE, text).is_ok() {
            assert_same(text, name);
        } else {
            assert!(
                !matches!(fast(text), Some(Ok(_))),
                "{name}: fast accepts what pest refuses"
            );
        }
    }
}

fn in_config(expr: &str) -> String {
    format!("config c {{\n  x = {expr}\n}}\n")
}
