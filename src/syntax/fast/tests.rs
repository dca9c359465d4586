//! Differential tests of the fast parser against pest (`parse_reference`):
//! every real file must be accepted with an identical tree, and on mutated
//! files every `Ok` of the fast parser must equal pest's tree.

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

/// Every `.mcfg` of the repository (with its copy of the conformance cases),
/// plus a generated benchmark file: (name, text).
pub(in crate::syntax) fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [
        "examples",
        "tests/cases",
        "tests/data/conformance-cases",
        "stdlib",
        "src/syntax/testdata",
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
    out.push(("generated benchmark".into(), bench_text(40)));
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
    for (name, text) in &corpus {
        if uses_section_9(name) && matches!(fast(text), Some(Err(_))) {
            // The fast parser does not read §9.4/§9.6 syntax yet; it refuses,
            // and `parse` takes pest's path (`refusals_of_section_9_syntax`).
            continue;
        }
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

/// A tiny deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INSERTS: &[&str] = &[
    "{", "}", "\"", "\"\"\"", ".", "=", "==", "\n", "\r\n", "(", ")", "[", "]", ",", ";", "-",
    "- ", "$", "${", "}", "\\", "/", "/*", "*/", "//", "*", "+", "+=", "@", "?", "|", ":", " ",
    "\t", "not ", "if ", " then ", " else ", " and ", " or ", " in ", "0", "1.5", "ms", "e5", "_",
    "env ", "check ", "self", "true", "x", "é",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    if rng.below(4) == 0 {
        return mutate_lines(rng, text);
    }
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(2) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 if at < chars.len() => {
                let len = 1 + rng.below(6);
                chars.drain(at..(at + len).min(chars.len()));
            }
            1 if at < chars.len() => {
                let c = chars[at];
                chars.insert(at, c);
            }
            2 if at + 1 < chars.len() => chars.swap(at, at + 1),
            _ => {
                let s = INSERTS[rng.below(INSERTS.len())];
                chars.splice(at..at, s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// Swaps, duplicates or drops whole lines: mostly still valid programs.
fn mutate_lines(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.len() < 2 {
        return text.to_owned();
    }
    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
    match rng.below(3) {
        0 => lines.swap(a, b),
        1 => lines.insert(a, lines[b]),
        _ => {
            lines.remove(a);
        }
    }
    lines.concat()
}

#[test]
fn every_fast_success_on_mutations_matches_pest() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut tried, mut accepted) = (0, 0);
    for (name, text) in corpus() {
        // Keep debug-mode pest affordable on the big files.
        let rounds = if text.len() > 20_000 { 20 } else { 300 };
        for round in 0..rounds {
            let mutated = mutate(&mut rng, &text);
            tried += 1;
            accepted += usize::from(assert_sound(&mutated, &format!("{name} mutation {round}")));
        }
    }
    // Both outcomes must be well exercised for the test to mean something.
    assert!(
        accepted * 10 > tried,
        "only {accepted} of {tried} mutants accepted"
    );
    assert!(
        accepted * 10 < tried * 9,
        "{accepted} of {tried} mutants accepted"
    );
}

fn in_config(expr: &str) -> String {
    format!("config c {{\n  x = {expr}\n}}\n")
}

#[test]
fn tricky_expressions_match_pest() {
    let exprs = [
        "1_000",
        "0.000",
        "-0.5",
        "9223372036854775807",
        "-1.0",
        "007",
        "1_0.5_0",
        "3e-4",
        "1.0e6",
        "1E+3",
        "200ms",
        "1.5s",
        "30m",
        "2h",
        "1d",
        "-5",
        "- 5",
        "--5",
        "- -5",
        "-9223372036854775808",
        "- 1.5",
        "-(1)",
        "-x",
        "- x.y",
        "\"a${b}c\"",
        "\"${join(xs, \",\")}\"",
        "\"${ \"${a}\" }\"",
        "\"\\u{1F600}\"",
        "\"\\$\"",
        "\"$x\"",
        "\"a\\\"b\\n\\t\"",
        "\"\"\"\n  a\n   b ${c}\n  \"\"\"",
        "\"\"\"\"\"\"",
        "self.env",
        "self . env",
        "env",
        "not a == b",
        "not a and b",
        "a == not b",
        "a in b",
        "if a then b else c",
        "if a then b else c + 1",
        "x + if a then b else c or d",
        "if a\n then b\n else\n c",
        "f(1).b[0].c",
        "f(g(1), [2])",
        "f (1, 2,)",
        "f(\n 1,\n 2\n)",
        "[1, [2, 3],]",
        "[\n]",
        "{ a = 1; b.c += [2] }",
        "{ a { b = 1 } }",
        "(a + b) * c",
        "a - b - c",
        "a * b + c * d",
        "a +\n b",
        "a or b and c",
        "1.x",
        "1 .x",
        "x [0]",
        "a /* c */ + b",
        "a // c",
        "null",
        "true",
        "false",
        "a % b / c",
        "a <= b",
        "a != b",
        "a > b",
        "a >= b",
        "a < b",
        "x.\"k-y\"",
        "x.if",
        "f()",
        "notx",
        "iffy",
        "inx",
        "a +b",
        "a -b",
        "a*-b",
        "- - -x",
        "not not a",
        "((1))",
        "1_",
        "0.5m",
    ];
    for e in exprs {
        assert_same(&in_config(e), e);
    }
}

#[test]
fn tricky_declarations_match_pest() {
    let files = [
        "import \"./a.mcfg\" as a\nenvironments { dev; prod extends dev, }\n",
        "environments {\n}\n",
        "type P = float(>= 0, <= 1)\ntype U = \"a\" | \"b\"?\ntype N = -1 | 2\n",
        "type L = list[ map[ int ] ](len >= 1, unique,)?\ntype O = { a: int; b = 2 }\n",
        "type Q = (int(>= 1))(<= 3)?\ntype R = string(matches \"^a$\")\ntype T = true | false\n",
        "type D = duration(< 30s)\ntype Z = list\ntype Y = a.B\n",
        "/// doc\n/// more\nschema S extends a.B {\n  /// field doc\n  x: int = 1 @m @n(1, 2)\n  \
         check: bool\n  check = 1\n  check x > 1\n  check x : \"m\"\n  \"q k\": string\n  \
         env: string\n  y = 2 @d(\"z\")\n}\n",
        "abstract config b: S extends a.c {\n  env dev, prod {\n    x = 1\n  }\n  \
         env = 3\n  env.x = 4\n  env { y = 1 }\n  a.b.\"c\" += [1]\n  if = 1\n  true = 2\n}\n",
        "\r\nconfig c {\r\n  x = 1\r\n  y = \"\"\"\r\n    a\r\n    \"\"\"\r\n}\r\n",
        "config c { x = 1; y = 2, z = 3 };;\n// end",
        "",
        "  \n// only a comment\n",
    ];
    for f in files {
        assert_same(f, f);
    }
}

/// Corpus files written for general unions, `is` and comprehensions
/// (LANGUAGE.md §9.4, §9.6), which the fast parser may refuse.
fn uses_section_9(name: &str) -> bool {
    [
        "unions-",
        "tagged-union",
        "comprehension-",
        "quantifier-",
        "/is-",
        "section9",
        // Policy tests (§9.9) use quantifiers.
        "policy",
    ]
    .iter()
    .any(|m| name.contains(m))
}

/// General unions (§9.4) parse the same on both paths; the fast parser
/// refuses `is` and the constructs of §9.6 (it never builds a different
/// tree), and pest parses each.
#[test]
fn refusals_of_section_9_syntax() {
    for text in [
        "schema S { d: int | string }",
        "schema S { d: \"auto\" | int = 1 }",
        "schema S { d: \"a\" | \"b\" | int }",
        "schema S { d: \"a\" | \"b\"? }",
        "schema S { d: list[int](len == 2) | int? }",
        "schema S { d: (Disk | Wandb)?\n  e: Disk |\n    Wandb }",
        "schema S { d: { a: int = 1 + 2 } | int }",
        "schema S { d: bool | \"all\"?\n  e: int | \"x\" | \"y\" }",
    ] {
        assert_same(text, text);
    }
    for text in [
        "config c { x = d is list[int] }",
        "config c { x = a + 1 is int and b }",
        "config c { x = all(v in values(t): v >= 1) }",
        "config c { x = any(k, v in m: v > 0) }",
        "config c { x = [d.g for d in ds if d.k == 1] }",
        "config c { x = { k = v / 100 for k, v in t } }",
        "config c { x = {\n  k = v\n  for k, v in t\n} }",
    ] {
        assert_eq!(fast(text), Some(Err(super::Reject)), "{text}");
        assert!(parse_reference(FILE, text).is_ok(), "{text}");
        assert!(crate::syntax::parse(FILE, text).is_ok(), "{text}");
    }
}

#[test]
fn refusals_fall_back() {
    for (text, why) in [
        ("config c { x = a == b == c }", "chained comparison"),
        ("config c { x = 99999999999999999999 }", "int overflow"),
        ("config c { x = \"\\q\" }", "bad escape"),
        ("config c { a { env dev { x = 1 } } }", "nested env block"),
        (
            "config c { x = { env dev { y = 1 } } }",
            "env block in an object",
        ),
        ("config c { \"${x}\" = 1 }", "interpolated key"),
        ("config c { x = 1.5e3s }", "duration with exponent"),
    ] {
        assert_eq!(fast(text), Some(Err(super::Reject)), "{why}");
        assert!(parse_reference(FILE, text).is_err(), "{why}");
    }
    let deep = in_config(&vec!["1"; 600].join(" + "));
    assert_eq!(fast(&deep), Some(Err(super::Reject)));
    assert!(parse_reference(FILE, &deep).is_err());
}

#[test]
fn depth_limits_match_pest() {
    // The commands run on a 512 MiB stack (`cli::STACK_BYTES`); a debug build
    // of pest needs more than a test thread's default 2 MiB at 254 levels.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(depth_limits_body)
        .expect("spawning a test thread")
        .join()
        .expect("depth limits hold");
}

fn depth_limits_body() {
    // 511 operators at depth 0: the deepest expression pest accepts.
    assert_same(&in_config(&vec!["1"; 512].join(" + ")), "511 operators");
    // The same one level down is one too deep.
    let nested = format!("config c {{ a {{ x = {} }} }}", vec!["1"; 512].join("+"));
    assert_eq!(fast(&nested), Some(Err(super::Reject)));
    assert!(parse_reference(FILE, &nested).is_err());
    // Nesting right below the pre-scan's limit parses without overflow.
    let n = MAX_NESTING - 2;
    let deep_list = in_config(&format!("{}1{}", "[".repeat(n), "]".repeat(n)));
    assert_same(&deep_list, "deep list");
    let deep_str = in_config(&format!("{}x{}", "\"${".repeat(n / 2), "}\"".repeat(n / 2)));
    assert_same(&deep_str, "deep interpolation");
    let prefixes = in_config(&format!("{}x", "- not ".repeat(200)));
    assert_same(&prefixes, "prefix chain");
}

/// `unset PATH` and `PATH := expr` (LANGUAGE.md §9.2): the fast parser builds
/// pest's tree, and a key named `unset` stays a key.
#[test]
fn overlay_statements_match_pest() {
    for text in [
        "config c {\n  unset a\n}\n",
        "config c {\n  unset a.b.\"c d\"\n  x = 1\n}\n",
        "config c {\n  unset   a   // gone\n}\n",
        "config c { env prod { unset a.b; a := { x = 1 } } }",
        "config c {\n  traffic := {\n    a = 90\n    b = 10\n  }\n}\n",
        "config c { a.b := [1, 2] }",
        "config c { unset = 1 }",
        "config c { unset.x = 1 }",
        "config c { unset { a = 1 } }",
        "config c { unsetx = 1 }",
        "config c { x = { unset a; b := 2 } }",
        "config c { flags += { a { on = true } } }",
    ] {
        assert_same(text, text);
    }
    for text in [
        "config c { unset a = 1 }",
        "config c { unset }",
        "config c { a :=\n }",
        "config c { a : = 1 }",
    ] {
        assert!(parse_reference(FILE, text).is_err(), "{text}");
        assert!(!matches!(fast(text), Some(Ok(_))), "{text}");
    }
}

/// `path: TYPE` (a leaf declared without a value): the fast parser builds
/// pest's tree, `:=` stays a replacement, and a declaration in an object
/// literal is pest's error.
#[test]
fn declarations_match_pest() {
    for text in [
        "config c {\n  optim.lr: float\n}\n",
        "config c {\n  a:   int(>= 1)?   // note\n  b: \"x\" | \"y\"\n}\n",
        "config c { \"k.x\": any; m: map[list[int]]; u: int | string }",
        "config c {\n  a:\n    float\n  b { c: string }\n}\n",
        "config c { a: { x: int = 1 } }",
        "config c { env prod { a: int } }",
        "config c { a:=1; b : int }",
    ] {
        assert_same(text, text);
    }
    for text in [
        "config c { a: }",
        "config c { a: int = 1 }",
        "config c { x = { a: int } }",
    ] {
        assert!(parse_reference(FILE, text).is_err(), "{text}");
        assert!(!matches!(fast(text), Some(Ok(_))), "{text}");
    }
}

#[test]
fn unset_records_the_statement_as_its_value() {
    let text = "config c {\n  unset a.b\n}\n";
    let file = crate::syntax::parse(FILE, text).expect("parses");
    let crate::ast::Decl::Config(c) = &file.decls[0] else {
        panic!("a config");
    };
    let crate::ast::Stmt::Assign(a) = &c.body[0] else {
        panic!("an assignment");
    };
    assert_eq!(a.op, crate::ast::AssignOp::Unset);
    assert!(matches!(a.value.kind, crate::ast::ExprKind::Null));
    let span = &text[a.value.span.start as usize..a.value.span.end as usize];
    assert_eq!(span.trim_end(), "unset a.b");
}
