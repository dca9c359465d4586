//! Tests of the syntax module: constructs, precedence, literals, robustness.

use super::*;
use crate::ast::{Decl, Expr, ExprKind, SchemaItem, Stmt, StrPart, TypeKind};
use crate::diagnostics::Code;

fn ok(text: &str) -> ast::File {
    match parse(FileId(0), text) {
        Ok(f) => f,
        Err(d) => panic!(
            "parse failed: {} at {:?}: {:?}\n{text}",
            d.message, d.primary.span, d.help
        ),
    }
}

fn err(text: &str) -> Diagnostic {
    parse(FileId(0), text).expect_err("expected a diagnostic")
}

/// The statements of the only config in `text`.
fn body(text: &str) -> Vec<Stmt> {
    match ok(text).decls.pop() {
        Some(Decl::Config(c)) => c.body,
        other => panic!("not a config: {other:?}"),
    }
}

/// The value of `x = <expr>` in a config.
fn expr(src: &str) -> Expr {
    match body(&format!("config c {{\n  x = {src}\n}}")).pop() {
        Some(Stmt::Assign(a)) => a.value,
        other => panic!("not an assignment: {other:?}"),
    }
}

/// A compact, parenthesised rendering of an expression's shape.
fn shape(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Interp(parts) => {
            let inner: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    StrPart::Lit(s) => format!("{s:?}"),
                    StrPart::Expr(e) => format!("${{{}}}", shape(e)),
                })
                .collect();
            format!("interp[{}]", inner.join(" "))
        }
        ExprKind::Duration(d) => format!("{d}ns"),
        ExprKind::List(xs) => format!("[{}]", xs.iter().map(shape).collect::<Vec<_>>().join(", ")),
        ExprKind::Object(stmts) => format!("{{{} stmts}}", stmts.len()),
        ExprKind::Name(n) => n.to_string(),
        ExprKind::SelfRef => "self".into(),
        ExprKind::EnvRef => "env".into(),
        ExprKind::Field(e, k) => format!("{}.{}", shape(e), k.name),
        ExprKind::Index(e, i) => format!("{}[{}]", shape(e), shape(i)),
        ExprKind::Call(f, args) => {
            format!(
                "{}({})",
                f.name,
                args.iter().map(shape).collect::<Vec<_>>().join(", ")
            )
        }
        ExprKind::Unary(ast::UnaryOp::Neg, e) => format!("(-{})", shape(e)),
        ExprKind::Unary(ast::UnaryOp::Not, e) => format!("(not {})", shape(e)),
        ExprKind::Binary(op, l, r) => format!("({} {} {})", shape(l), op.as_str(), shape(r)),
        ExprKind::If(c, a, b) => format!("(if {} then {} else {})", shape(c), shape(a), shape(b)),
        ExprKind::Is(e, t) => format!("({} is {})", shape(e), ty_shape(t)),
        ExprKind::Quant(all, c, e) => {
            let q = if *all { "all" } else { "any" };
            format!("{q}({}: {})", comp_shape(c), shape(e))
        }
        ExprKind::ListComp(e, c) => format!("[{} for {}]", shape(e), comp_shape(c)),
        ExprKind::MapComp(k, e, c) => {
            format!("{{{} = {} for {}}}", k.name, shape(e), comp_shape(c))
        }
    }
}

fn comp_shape(c: &ast::Comprehension) -> String {
    let vars: Vec<&str> = c.vars.iter().map(|v| &*v.name).collect();
    let cond = c
        .cond
        .as_ref()
        .map_or(String::new(), |e| format!(" if {}", shape(e)));
    format!("{} in {}{cond}", vars.join(", "), shape(&c.iter))
}

fn ty_shape(t: &ast::TypeExpr) -> String {
    let s = match &t.kind {
        TypeKind::Named(q) => q
            .parts
            .iter()
            .map(|p| &*p.name)
            .collect::<Vec<_>>()
            .join("."),
        TypeKind::List(e) => format!("list[{}]", ty_shape(e)),
        TypeKind::Map(e) => format!("map[{}]", ty_shape(e)),
        TypeKind::Union(lits) => lits.iter().map(shape).collect::<Vec<_>>().join("|"),
        TypeKind::AnyOf(ms) => format!(
            "<{}>",
            ms.iter().map(ty_shape).collect::<Vec<_>>().join(" | ")
        ),
        TypeKind::Object(items) => format!("{{{} items}}", items.len()),
    };
    let refs = if t.refinements.is_empty() {
        String::new()
    } else {
        format!("({})", t.refinements.len())
    };
    format!("{s}{refs}{}", if t.optional { "?" } else { "" })
}

/// Unions, `is`, comprehensions and quantifiers (LANGUAGE.md §9.4, §9.6).
#[test]
fn unions_and_comprehensions() {
    assert_eq!(sh("d is list[int]"), "(d is list[int])");
    assert_eq!(sh("a + 1 is int and b"), "(((a + 1) is int) and b)");
    assert_eq!(sh("x is int | string == y"), "((x is <int | string>) == y)");
    assert_eq!(sh("x is \"a\" | \"b\""), "(x is \"a\"|\"b\")");
    assert_eq!(
        sh("all(v in values(t): v >= 1)"),
        "all(v in values(t): (v >= 1))"
    );
    assert_eq!(sh("any(k, v in m: v)"), "any(k, v in m: v)");
    assert_eq!(sh("all(xs)"), "all(xs)");
    assert_eq!(
        sh("[d.g for d in ds if d.k == 1]"),
        "[d.g for d in ds if (d.k == 1)]"
    );
    assert_eq!(sh("[\n  x * 2\n  for x in xs\n]"), "[(x * 2) for x in xs]");
    assert_eq!(
        sh("{ k = v / 100 for k, v in t }"),
        "{k = (v / 100) for k, v in t}"
    );
    assert_eq!(sh("{ a = 1, b = 2 }"), "{2 stmts}");
    assert_eq!(
        err("config c { x = { a.b = 1 for a in l } }").code,
        Code::Syntax
    );
    assert_eq!(
        err("config c { x = { a += 1 for a in l } }").code,
        Code::Syntax
    );
    assert_eq!(err("config c { x = [1, 2 for a in l] }").code, Code::Syntax);
    let f = ok("schema S {\n  d: int | string | list[int](len == 2)?\n  e: \"auto\" | int\n  f: \"a\" | \"b\"\n}");
    let Decl::Schema(s) = &f.decls[0] else {
        panic!()
    };
    let tys: Vec<String> = s
        .items
        .iter()
        .map(|i| match i {
            SchemaItem::Field(f) => ty_shape(f.ty.as_ref().expect("typed field")),
            SchemaItem::Check(_) => String::new(),
        })
        .collect();
    assert_eq!(
        tys,
        [
            "<int | string | list[int](1)?>?",
            "<\"auto\" | int>",
            "\"a\"|\"b\""
        ]
    );
}

fn sh(src: &str) -> String {
    shape(&expr(src))
}

#[test]
fn empty_file_and_separators() {
    assert!(ok("").decls.is_empty());
    assert!(ok("\n\n// only a comment\n").decls.is_empty());
    let stmts = body("config c { a = 1; b = 2, c = 3\n\n\n d = 4;; }");
    assert_eq!(stmts.len(), 4);
    let stmts = body("config c {\r\n  a = [\r\n    1,\r\n    2,\r\n  ]\r\n  b { c = 1 }\r\n}\r\n");
    assert_eq!(stmts.len(), 2);
    assert_eq!(err("config c { a = 1 b = 2 }").code, Code::Syntax);
}

#[test]
fn top_level_declarations() {
    let f = ok(r#"
import "./common/serving.mcfg" as serving
environments { dev; staging
  prod_eu extends prod, }
/// A probability.
type P = float(>= 0, <= 1)
schema B extends serving.Serving { device = "gpu" }
abstract config base: serving.Serving extends other.parent { }
config c extends base {}
"#);
    assert_eq!(f.decls.len(), 6);
    let Decl::Import(i) = &f.decls[0] else {
        panic!()
    };
    assert_eq!(
        (i.path.as_str(), &*i.alias.name),
        ("./common/serving.mcfg", "serving")
    );
    let Decl::Environments(e) = &f.decls[1] else {
        panic!()
    };
    assert_eq!(e.envs.len(), 3);
    assert_eq!(e.envs[2].parent.as_ref().map(|p| &*p.name), Some("prod"));
    let Decl::Type(t) = &f.decls[2] else { panic!() };
    assert_eq!(t.doc.as_deref(), Some("A probability."));
    assert_eq!(t.ty.refinements.len(), 2);
    let Decl::Schema(s) = &f.decls[3] else {
        panic!()
    };
    assert_eq!(s.parent.as_ref().map(|p| p.parts.len()), Some(2));
    let SchemaItem::Field(fd) = &s.items[0] else {
        panic!()
    };
    assert!(fd.ty.is_none() && fd.default.is_some());
    let Decl::Config(c) = &f.decls[4] else {
        panic!()
    };
    assert!(c.is_abstract && c.schema.is_some() && c.parent.is_some());
}

#[test]
fn schema_items_markers_and_docs() {
    let f = ok(r#"
/// How a model is served.
/// Second line.
schema Serving {
  /// Requests per pass.
  batch_size: int(>= 1, <= 512) = 32
  timeout:    duration(>= 10ms, <= 30s) = 200ms  @runtime
  device:     "cpu" | "gpu" = "cpu"
  endpoint:   string(matches "^https://")          @distinct
  api_key:    secret?
  old_knob:   int? @deprecated("use batch_size")
  flags: { a: bool = false } @runtime
  model_version: string @invariant
  check: bool
  "env": string
  type: string = "x"
  names: list[string](len >= 1, unique)
  th: map[float(>= 0, <= 1)](len >= 1)
  sel: ("a" | "b")?
  n: int(>= 0)?
  neg: -1 | 0 | 1
  both: int @invariant = 3 @runtime
  check device == "gpu" or batch_size <= 64 : "CPU serving supports batch_size <= 64"
  check batch_size > 0
}
"#);
    let Decl::Schema(s) = &f.decls[0] else {
        panic!()
    };
    assert_eq!(
        s.doc.as_deref(),
        Some("How a model is served.\nSecond line.")
    );
    let fields: Vec<&ast::FieldDecl> = s
        .items
        .iter()
        .filter_map(|i| {
            if let SchemaItem::Field(f) = i {
                Some(f)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(fields[0].doc.as_deref(), Some("Requests per pass."));
    assert_eq!(fields[1].markers[0].name.name.as_ref(), "runtime");
    assert!(matches!(&fields[2].ty.as_ref().unwrap().kind, TypeKind::Union(m) if m.len() == 2));
    assert_eq!(fields[5].markers[0].args.len(), 1);
    assert!(fields[4].ty.as_ref().unwrap().optional);
    assert!(matches!(
        fields[6].ty.as_ref().unwrap().kind,
        TypeKind::Object(_)
    ));
    assert_eq!(fields[8].name.name.as_ref(), "check");
    assert!(fields[9].name.quoted);
    assert_eq!(fields[10].name.name.as_ref(), "type");
    let names = fields[11].ty.as_ref().unwrap();
    assert!(matches!(names.kind, TypeKind::List(_)) && names.refinements.len() == 2);
    let th = fields[12].ty.as_ref().unwrap();
    let TypeKind::Map(inner) = &th.kind else {
        panic!()
    };
    assert_eq!((inner.refinements.len(), th.refinements.len()), (2, 1));
    let sel = fields[13].ty.as_ref().unwrap();
    assert!(sel.optional && matches!(sel.kind, TypeKind::Union(_)));
    let n = fields[14].ty.as_ref().unwrap();
    assert!(n.optional && n.refinements.len() == 1);
    let TypeKind::Union(m) = &fields[15].ty.as_ref().unwrap().kind else {
        panic!()
    };
    assert_eq!(m[0].kind, ExprKind::Int(-1));
    assert_eq!(fields[16].markers.len(), 2);
    let checks: Vec<_> = s
        .items
        .iter()
        .filter(|i| matches!(i, SchemaItem::Check(_)))
        .collect();
    assert_eq!(checks.len(), 2);
}

#[test]
fn body_statements_and_keyword_fields() {
    let stmts = body(
        r#"config c {
  type = "LoadBalancer"
  env = "x"
  env.x = 1
  env { y = 2 }
  check = true
  import = 1
  if = 2
  "app.kubernetes.io/name" = "ranker"
  "env" = env
  serving.batch_size = 64
  features += ["clicks"]
  hyperparameters { learning_rate = 3e-4 }
  env dev { a = 1 }
  env staging, prod { thresholds.spam = 0.95 }
}"#,
    );
    assert_eq!(stmts.len(), 14);
    assert!(matches!(&stmts[1], Stmt::Assign(a) if &*a.path.keys[0].name == "env"));
    assert!(matches!(&stmts[3], Stmt::Block(b) if &*b.path.keys[0].name == "env"));
    assert!(matches!(&stmts[7], Stmt::Assign(a) if a.path.keys[0].quoted));
    assert!(matches!(&stmts[8], Stmt::Assign(a) if a.value.kind == ExprKind::EnvRef));
    assert!(matches!(&stmts[10], Stmt::Assign(a) if a.op == ast::AssignOp::Append));
    assert!(matches!(&stmts[12], Stmt::Env(e) if e.envs.len() == 1));
    assert!(matches!(&stmts[13], Stmt::Env(e) if e.envs.len() == 2));
}

#[test]
fn nested_env_blocks_are_errors() {
    for src in [
        "config c { a { env dev { b = 1 } } }",
        "config c { env dev { env prod { b = 1 } } }",
        "config c { a = { env dev { b = 1 } } }",
    ] {
        let d = err(src);
        assert_eq!(d.code, Code::Syntax, "{src}");
        assert_eq!(
            d.primary.span.start as usize,
            src.rfind("env").unwrap(),
            "{src}"
        );
    }
}

#[test]
fn precedence() {
    assert_eq!(sh("1 + 2 * 3 - 4"), "((1 + (2 * 3)) - 4)");
    assert_eq!(sh("not a == b"), "(not (a == b))");
    assert_eq!(sh("not a and b or c"), "(((not a) and b) or c)");
    assert_eq!(sh("a or b and c"), "(a or (b and c))");
    assert_eq!(sh("-a.b[0] * 2"), "((-a.b[0]) * 2)");
    assert_eq!(sh("if a then 1 else 2 + 3"), "(if a then 1 else (2 + 3))");
    assert_eq!(
        sh("if a then 1 else if b then 2 else 3"),
        "(if a then 1 else (if b then 2 else 3))"
    );
    assert_eq!(sh("x in [1, 2] and y"), "((x in [1, 2]) and y)");
    assert_eq!(sh("a - -1"), "(a - -1)");
    assert_eq!(sh("a -1"), "(a - 1)");
    assert_eq!(sh("- 5"), "-5");
    assert_eq!(sh("(a < b) == c"), "((a < b) == c)");
    assert_eq!(sh("self.env + env"), "(self.env + env)");
    assert_eq!(sh("len(self.xs) % 2 / 1"), "((len(self.xs) % 2) / 1)");
    assert_eq!(sh("a +\n  b"), "(a + b)");
    assert_eq!(sh("{ a = 1, b.c = 2 }.a"), "{2 stmts}.a");
    assert_eq!(sh("max(\n  1,\n  2,\n)"), "max(1, 2)");
    assert_eq!(err("config c { x = a < b < c }").code, Code::Syntax);
    assert_eq!(err("config c { x = a == b in c }").code, Code::Syntax);
}

#[test]
fn literals() {
    assert_eq!(sh("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(sh("1_000_000"), "1000000");
    assert_eq!(
        sh("[0.5, 3e-4, 1.0e6, 1e300]"),
        "[0.5, 0.0003, 1000000.0, 1e300]"
    );
    assert_eq!(
        sh("[200ms, 1.5s, 30m]"),
        "[200000000ns, 1500000000ns, 1800000000000ns]"
    );
    assert_eq!(sh("[true, false, null]"), "[true, false, null]");
    assert_eq!(
        sh(r#""a\"b\\c\n\t\r\u{1F600}\$""#),
        format!("{:?}", "a\"b\\c\n\t\r\u{1F600}$")
    );
    assert_eq!(sh(r#""$5 and ${x} $""#), r#"interp["$5 and " ${x} " $"]"#);
    assert_eq!(sh(r#""${join(xs, ",")}""#), r#"interp[${join(xs, ",")}]"#);
    assert_eq!(
        sh("\"\"\"\n    hello\n      ${name}\n    \"\"\""),
        r#"interp["hello\n  " ${name}]"#
    );
    let d = err("config c { x = 99999999999999999999 }");
    assert_eq!(
        (d.code, d.message.as_str()),
        (Code::Arithmetic, "integer literal does not fit in 64 bits")
    );
    assert_eq!(d.primary.span.start, 15);
    assert_eq!(err("config c { x = 1e400 }").code, Code::Arithmetic);
    assert_eq!(
        err("config c { x = 9999999999999d }").code,
        Code::Arithmetic
    );
    let d = err(r#"config c { x = "ab\qc" }"#);
    assert_eq!(
        (d.code, d.primary.span.start, d.primary.span.end),
        (Code::Syntax, 18, 20)
    );
    assert_eq!(err(r#"config c { x = "\u{110000}" }"#).code, Code::Syntax);
}

#[test]
fn interpolation_spans_point_into_the_file() {
    let text = "config c {\n  x = \"s3://${env}/${self.name}\"\n}";
    let e = match body(text).pop() {
        Some(Stmt::Assign(a)) => a.value,
        other => panic!("{other:?}"),
    };
    let ExprKind::Interp(parts) = &e.kind else {
        panic!()
    };
    let StrPart::Expr(last) = &parts[3] else {
        panic!("{parts:?}")
    };
    let span = last.span;
    assert_eq!(&text[span.start as usize..span.end as usize], "self.name");
}

#[test]
fn syntax_errors_are_readable() {
    let d = err("config c {\n  a }\n");
    assert_eq!(d.code, Code::Syntax);
    assert_eq!(d.primary.span.start, 15);
    assert_eq!(d.primary.span.len(), 1);
    assert!(d.message.starts_with("expected "), "{}", d.message);
    assert!(
        d.message.contains("`=`") && d.message.ends_with("found `}`"),
        "{}",
        d.message
    );
    assert!(!d.message.contains("assign_op"), "{}", d.message);
    let d = err("config c {\n  a = 1\0\n}");
    assert_eq!((d.code, d.primary.span.start), (Code::Syntax, 18));
    assert!(d.message.contains("U+0000"), "{}", d.message);
    let d = err("config c {");
    assert!(d.message.ends_with("found end of file"), "{}", d.message);
}

#[test]
fn comments_in_order() {
    let text = "// a\n/* b */ config c { /// d\n x = \"//\" // e\n}";
    let all = comments(FileId(0), text);
    let texts: Vec<&str> = all.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["// a", "/* b */", "/// d", "// e"]);
    assert_eq!(all[2].kind, CommentKind::Doc);
    ok(text);
}

#[test]
fn testdata_files_parse() {
    for (name, text) in [
        ("runtime_split", include_str!("testdata/runtime_split.mcfg")),
        ("experiment", include_str!("testdata/experiment.mcfg")),
        ("bench_n3", include_str!("testdata/bench_n3.mcfg")),
        (
            "bench_split_models",
            include_str!("testdata/bench_split_models.mcfg"),
        ),
    ] {
        assert!(!ok(text).decls.is_empty(), "{name}");
    }
}

#[test]
fn shared_conformance_cases_parse() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance-cases");
    let areas = std::fs::read_dir(&root).expect("the repository's copy of the conformance cases");
    let mut stack: Vec<std::path::PathBuf> = areas.flatten().map(|e| e.path()).collect();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else if path.extension().is_some_and(|e| e == "mcfg") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Err(d) = parse(FileId(0), &text) {
                panic!("{}: {} at {:?}", path.display(), d.message, d.primary.span);
            }
        }
    }
}

#[test]
fn deep_brackets_are_a_limit_error() {
    let text = format!("config c {{ x = {} }}", "[".repeat(100_000));
    let d = err(&text);
    assert_eq!(d.code, Code::Limit);
    assert_eq!(d.message, "nesting deeper than 256 levels");
    let ok_depth = 100;
    let text = format!(
        "config c {{ x = {}1{} }}",
        "[".repeat(ok_depth),
        "]".repeat(ok_depth)
    );
    ok(&text);
}

#[test]
fn long_prefix_chains_are_a_limit_error() {
    for op in ["not ", "- ", "-"] {
        let text = format!("config c {{ x = {}a }}", op.repeat(100_000));
        assert_eq!(err(&text).code, Code::Limit, "{op}");
    }
    let chain = "if a then 1 else ".repeat(100_000);
    assert_eq!(
        err(&format!("config c {{ x = {chain}2 }}")).code,
        Code::Limit
    );
    let sum = vec!["1"; 100_000].join(" + ");
    assert_eq!(err(&format!("config c {{ x = {sum} }}")).code, Code::Limit);
}

#[test]
fn huge_flat_inputs_parse() {
    let mut text = String::from("config c {\n");
    for i in 0..200_000 {
        text.push_str(&format!("  k{i} = {i}\n"));
    }
    text.push('}');
    assert_eq!(body(&text).len(), 200_000);
    let big = "x".repeat(5 * 1024 * 1024);
    let e = expr(&format!("\"{big}\""));
    assert!(matches!(e.kind, ExprKind::Str(s) if s.len() == big.len()));
}
