//! Hand-picked texts at the edges of the grammar (§1–§5, §9.2): literals,
//! operators, declarations, depth limits and the refusals that fall back.

use super::{assert_same, fast, in_config, FILE};
use crate::syntax::{parse_reference, MAX_NESTING};

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
        assert_eq!(fast(text), Some(Err(crate::syntax::fast::Reject)), "{why}");
        assert!(parse_reference(FILE, text).is_err(), "{why}");
    }
    let deep = in_config(&vec!["1"; 600].join(" + "));
    assert_eq!(fast(&deep), Some(Err(crate::syntax::fast::Reject)));
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
    assert_eq!(fast(&nested), Some(Err(crate::syntax::fast::Reject)));
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
