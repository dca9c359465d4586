//! The constructs of LANGUAGE.md §9 (unions, `is`, comprehensions,
//! quantifiers, policy tests): the fast parser builds pest's tree, spans
//! included, and refuses whatever pest refuses.

use super::{assert_same, fast, in_config, FILE};
use crate::ast::{BinaryOp, Decl, ExprKind, Stmt};
use crate::syntax::parse_reference;

/// A generated file of `n` configs and tests that use every §9 construct.
pub(in crate::syntax) fn generated(n: usize) -> String {
    let mut s = String::from("environments { dev; prod }\n");
    for i in 0..n {
        s.push_str(&format!(
            "\nconfig m{i} {{\n  xs = [{i}, {}]\n  \
             ys = [x * 2 for x in xs if x is int and x > {}]\n  \
             m := {{ a = {i}, b = 2 }}\n  w = {{ k = v / 10 for k, v in m if v > 0 }}\n  \
             ok = all(x in xs: x >= 0) or any(k, v in m: v is string | list[int]?)\n  \
             env prod {{ unset m.b; d: int(>= 1) }}\n}}\n\
             test \"m{i}\" in prod {{\n  assert all(y in m{i}.ys: y is int) : \"ints\"\n}}\n",
            i + 1,
            i % 3,
        ));
    }
    s
}

#[test]
fn general_unions_match_pest() {
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
}

/// `x is T` with every kind of type, at every precedence it can meet.
#[test]
fn type_tests_match_pest() {
    for e in [
        "d is list[int]",
        "d is int | string",
        "d is int?",
        "d is \"a\" | \"b\"",
        "d is \"a\" | int",
        "d is int(>= 1, < 10)",
        "d is list[int](len == 2)?",
        "d is a.B",
        "d is { k: int }",
        "d is (int | string)?",
        "d is\n  int",
        "d is int  // c",
        "a + 1 is int and b",
        "a is int and b",
        "not a is int",
        "-a is int",
        "a == b is int",
        "a is int == b",
        "if a is int then 1 else 2",
        "if c then a else b is int",
        "a.b[0] is int",
        "a is list[int][0]",
        "f(x) is int or g(y) is string",
        "1 is int * 2",
        "is",
        "is.x",
        "isx is int",
    ] {
        assert_same(&in_config(e), e);
    }
}

#[test]
fn comprehensions_and_quantifiers_match_pest() {
    for e in [
        "[d.g for d in ds if d.k == 1]",
        "[d for d in ds]",
        "[d for d in ds ]",
        "[k for k, v in m if v > 0 ]",
        "[ k\n for k ,\n v in m\n if v\n ]",
        "[d for d in ds if d  // c\n]",
        "[d for d in ds /* c */]",
        "[[x for x in r] for r in rows]",
        "[x for x in [y for y in z if y] if x]",
        "[all(v in r: v) for r in rows]",
        "[if a then b else c for x in xs]",
        "[x for x in a in b]",
        "[x for x in xs if x is int]",
        "{ k = v / 100 for k, v in t }",
        "{ k = v for k, v in t if v > 0 }",
        "{\n  k = v\n  for k, v in t\n}",
        "{ \"q\" = 1 for k in t }",
        "{ k = { a = v } for k, v in t }",
        "{ k = [y for y in v] for k, v in t if any(y in v: y) }",
        "{ for = 1 }",
        "{ a = 1\n for = 2 }",
        "{ a = 1; b = 2 }",
        "all(v in values(t): v >= 1)",
        "any(k, v in m: v > 0)",
        "all ( x in xs : x )",
        "all(\n  x in xs:\n  x\n)",
        "all(x in [y for y in ys]: any(z in x: z is int))",
        "all(x in xs: x) and any(x in xs: not x)",
        "all(x in xs)",
        "all(1, 2)",
        "all",
        "any.x",
        "for",
        "[for]",
        "[for for for in x]",
    ] {
        assert_same(&in_config(e), e);
    }
}

#[test]
fn policy_tests_match_pest() {
    for text in [
        "test \"t\" in prod, prod_eu {\n  assert a.b == \"gpu\"\n  \
         assert all(c in [a, b]: c.r >= 4) : \"m\"\n}\n",
        "test t { assert x }",
        "test t in dev {\n}\n",
        "/// doc\ntest \"t\" {\n  assert [x for x in y] == [] ; assert z is int\n}\n",
    ] {
        assert_same(text, text);
    }
}

/// Both parsers refuse these (pest with a diagnostic, the fast parser by
/// falling back to it).
#[test]
fn errors_in_section_9_syntax_agree() {
    for e in [
        "[x for in xs]",
        "[x for x xs]",
        "[x for x in]",
        "[x for x in xs if]",
        "[x for x in xs if c, 1]",
        "[x, y for x in xs]",
        "[x for x in xs for y in ys]",
        "[x for if in xs]",
        "{ k.j = v for k, v in m }",
        "{ k += v for k, v in m }",
        "{ k := v for k, v in m }",
        "{ k { a = 1 } for k in m }",
        "{ unset k for k in m }",
        "{ a = 1; b = 2 for k in m }",
        "{ \"${k}\" = v for k, v in m }",
        "all(x in xs: )",
        "all(x in xs: a == b == c)",
        "any(x, y, z in m: 1)",
        "d is",
        "d is int == b == c",
        "a is int | | b",
        "[x for x in xs if a == b == c]",
    ] {
        let text = in_config(e);
        assert!(parse_reference(FILE, &text).is_err(), "pest accepts {e}");
        assert!(!matches!(fast(&text), Some(Ok(_))), "fast accepts {e}");
    }
}

/// The value of `x = …` in the only config of `text`.
fn value(text: &str) -> ExprKind {
    let file = crate::syntax::parse(FILE, text).expect("parses");
    let Some(Decl::Config(c)) = file.decls.into_iter().next() else {
        panic!("a config");
    };
    let Some(Stmt::Assign(a)) = c.body.into_iter().next() else {
        panic!("an assignment");
    };
    a.value.kind
}

/// `is` binds tighter than comparisons and `and`, looser than `+`.
#[test]
fn is_sits_between_comparisons_and_sums() {
    let ExprKind::Binary(BinaryOp::And, lhs, _) = value(&in_config("a is int and b")) else {
        panic!("`and` on top");
    };
    assert!(matches!(lhs.kind, ExprKind::Is(..)));
    let ExprKind::Is(inner, _) = value(&in_config("a + 1 is int")) else {
        panic!("`is` on top");
    };
    assert!(matches!(inner.kind, ExprKind::Binary(BinaryOp::Add, ..)));
    let ExprKind::Binary(BinaryOp::Cmp(_), _, rhs) = value(&in_config("a == b is int")) else {
        panic!("`==` on top");
    };
    assert!(matches!(rhs.kind, ExprKind::Is(..)));
}

#[test]
fn generated_section_9_text_matches_pest() {
    let text = generated(30);
    assert_same(&text, "generated §9 text");
}
