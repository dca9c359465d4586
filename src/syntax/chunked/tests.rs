//! The chunked parse against the whole-file one: whenever it answers, the
//! declarations are the same; guessed cuts inside strings, comments or
//! declarations are refused; and `syntax::parse` gives the same tree or
//! diagnostic with one thread or several.

use super::{parse, plan, MIN_CHUNK_BYTES};
use crate::ast;
use crate::source::FileId;
use crate::syntax::fast::tests::{bench_text, corpus};
use crate::syntax::{parse_reference, parse_with, trim};

const FILE: FileId = FileId(0);

/// What `syntax::parse` gives without chunks: whole-file scan, fast parse
/// (or pest), trimmed spans.
fn whole(text: &str) -> Result<ast::File, String> {
    let (mut file, comments) = parse_with(FILE, text, true).map_err(|d| d.message)?;
    trim::trim_spans(&mut file, text, &comments);
    Ok(file)
}

/// Every line start that begins with a declaration keyword (every possible cut).
fn all_cuts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    (1..b.len())
        .filter(|&i| b[i - 1] == b'\n' && super::starts_decl(&b[i..]))
        .collect()
}

/// Cuts `text` at `cuts`; if the chunked parse answers, it equals the whole
/// parse. Returns whether it answered.
fn check_cuts(text: &str, cuts: &[usize], what: &str) -> bool {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(text.len());
    let Some(decls) = parse(FILE, text, &bounds) else {
        return false;
    };
    let want = whole(text).unwrap_or_else(|m| panic!("{what}: chunks accepted, whole says {m}"));
    assert!(
        decls == want.decls,
        "{what}: cut at {cuts:?} gives another tree"
    );
    true
}

#[test]
fn plan_cuts_at_declaration_lines() {
    let text = bench_text(200);
    let bounds = plan(&text, 4);
    assert_eq!(bounds.len(), 5, "{bounds:?}");
    assert_eq!((bounds[0], bounds[4]), (0, text.len()));
    for w in bounds.windows(2) {
        assert!(w[0] < w[1], "{bounds:?}");
    }
    for &cut in &bounds[1..4] {
        assert_eq!(&text[cut - 1..cut + 7], "\nconfig ", "cut at {cut}");
    }
    // Nothing to cut at: one chunk.
    assert_eq!(plan("config a {\n  x = 1\n}\n", 4), vec![0, 21]);
    assert_eq!(plan("", 4), vec![0]);
}

#[test]
fn every_corpus_file_chunks_to_the_same_tree() {
    let mut answered = 0;
    for (name, text) in corpus() {
        if whole(&text).is_err() {
            continue;
        }
        let cuts = all_cuts(&text);
        for &cut in &cuts {
            answered += usize::from(check_cuts(&text, &[cut], &name));
        }
        for n in 2..6 {
            let bounds = plan(&text, n);
            if bounds.len() > 1 && parse(FILE, &text, &bounds).is_some() {
                answered += 1;
                check_cuts(&text, &bounds[1..bounds.len() - 1], &name);
            }
        }
        check_cuts(&text, &cuts, &name);
    }
    assert!(answered > 200, "only {answered} chunked parses answered");
}

#[test]
fn big_generated_file_chunks_to_pests_tree() {
    let text = bench_text(300);
    let mut want = parse_reference(FILE, &text).expect("pest parses the generated file");
    trim::trim_spans(&mut want, &text, &crate::syntax::comments(FILE, &text));
    for n in [2, 3, 8, 64] {
        let bounds = plan(&text, n);
        assert_eq!(bounds.len(), n + 1);
        let decls = parse(FILE, &text, &bounds).expect("every chunk parses");
        assert!(decls == want.decls, "{n} chunks give another tree");
    }
}

/// Lines that look like declarations inside strings, comments and bodies.
const TRICKY: &str = r#"/// The base.
/// Second line.
abstract config base {
  text = """
config inside_a_string {
}
schema S { x: int }
"""
  s = "a\nconfig b {"
  t = "}"
}
/* a comment
config in_a_comment {
}
*/
/// Documented.

config a extends base {
  x = 1
}
// config commented_out {
type T =
  int
schema Q { y: string }
type U =
schema.X
config c {
  w = {
config = 1
  }
}
"#;

#[test]
fn cuts_inside_strings_comments_and_declarations_are_refused() {
    let cuts = all_cuts(TRICKY);
    assert_eq!(cuts.len(), 11, "{cuts:?}");
    let answered: Vec<usize> = cuts
        .iter()
        .copied()
        .filter(|&c| check_cuts(TRICKY, &[c], "tricky"))
        .collect();
    let line_of = |c: usize| TRICKY[c..].lines().next().unwrap_or("").to_owned();
    let lines: Vec<String> = answered.iter().map(|&c| line_of(c)).collect();
    assert_eq!(
        lines,
        [
            "abstract config base {",
            "config a extends base {",
            "type T =",
            "schema Q { y: string }",
            "type U =",
            "config c {"
        ],
        "the cuts at true declaration starts, and only those, answer"
    );
    // Docs before a cut still attach to the declaration after it.
    let decls = parse(FILE, TRICKY, &[0, answered[1], TRICKY.len()]).expect("a true cut");
    let ast::Decl::Config(a) = &decls[1] else {
        panic!("second declaration is config a")
    };
    assert_eq!(a.doc.as_deref(), Some("Documented."));
    assert!(!check_cuts(TRICKY, &cuts, "tricky, all cuts"));
    assert!(check_cuts(TRICKY, &answered, "tricky, the true cuts"));
}

#[test]
fn a_stray_if_at_top_level_is_not_chunked() {
    // The scanner counts `if` as an open level; a chunk ending with one open
    // would shift the depth of later chunks, so it is refused.
    let text = "config if {\n  x = 1\n}\nconfig b {\n  y = 2\n}\n";
    let cut = text.find("\nconfig b").map(|i| i + 1);
    let cut = cut.expect("a second config");
    assert!(whole(text).is_ok());
    assert!(!check_cuts(text, &[cut], "stray if"));
}

/// `syntax::parse` in a rayon pool of `threads` threads.
fn parse_with_threads(
    text: &str,
    threads: usize,
) -> Result<ast::File, crate::diagnostics::Diagnostic> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| crate::syntax::parse(FILE, text))
}

#[test]
fn parse_is_the_same_for_any_thread_count() {
    let big = bench_text(3 * MIN_CHUNK_BYTES / 150);
    assert!(big.len() > 2 * MIN_CHUNK_BYTES);
    // A syntax error in the last chunk, and nesting too deep in the second.
    let broken = format!("{big}\nconfig broken {{ x = }}\n");
    let mid = big.len() / 2;
    let cut = mid + big[mid..].find("\nconfig ").expect("a config") + 1;
    let deep = format!(
        "{}config deep {{ x = {}1{} }}\n{}",
        &big[..cut],
        "[".repeat(300),
        "]".repeat(300),
        &big[cut..]
    );
    for (what, text) in [("big", &big), ("broken", &broken), ("deep", &deep)] {
        let one = parse_with_threads(text, 1);
        for threads in [2, 4, 7] {
            let many = parse_with_threads(text, threads);
            match (&one, &many) {
                (Ok(a), Ok(b)) => assert!(a == b, "{what}: {threads} threads, another tree"),
                (Err(a), Err(b)) => {
                    assert_eq!(format!("{a:?}"), format!("{b:?}"), "{what}");
                }
                _ => panic!("{what}: {threads} threads: {many:?} vs one thread {one:?}"),
            }
        }
    }
    let err = parse_with_threads(&broken, 2).expect_err("a syntax error");
    let want = parse_reference(FILE, &broken).expect_err("pest refuses it too");
    assert_eq!(format!("{err:?}"), format!("{want:?}"));
    let err = parse_with_threads(&deep, 2).expect_err("too deep");
    assert!(err.message.contains("nest"), "{}", err.message);
    assert!(parse_with_threads(&big, 2).is_ok());
}
