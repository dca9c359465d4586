use super::*;

fn fmt(text: &str) -> String {
    match format_source(FileId(0), text) {
        Ok(s) => s,
        Err(e) => panic!("cannot format: {e:?}"),
    }
}

#[test]
fn lays_out_declarations_and_bodies() {
    let src = "import \"std/ml\" as ml\nimport \"./a.mcfg\" as a\nenvironments { dev; prod extends dev }\nschema S {\n    x : int(>= 1) @runtime = 3\n  y:string?\n}\nconfig c : S { x=1; env prod { x = 2 } }\n";
    let want = "import \"std/ml\" as ml\nimport \"./a.mcfg\" as a\n\nenvironments {\n  dev\n  prod extends dev\n}\n\nschema S {\n  x: int(>= 1) = 3 @runtime\n  y: string?\n}\n\nconfig c: S {\n  x = 1\n  env prod { x = 2 }\n}\n";
    assert_eq!(fmt(src), want);
    assert_eq!(fmt(want), want);
}

#[test]
fn keeps_comments_in_place() {
    let src = "// head\n\n/// Doc.\nconfig c { // after brace\n  a = 1   // trailing\n\n\n  // own line\n  /* before */ b = [1,\n      2]\n  // last\n}\n// tail\n";
    let want = "// head\n\n/// Doc.\nconfig c { // after brace\n  a = 1 // trailing\n\n  // own line\n  /* before */ b = [1,\n      2]\n  // last\n}\n// tail\n";
    assert_eq!(fmt(src), want);
    assert_eq!(fmt(want), want);
}

#[test]
fn splits_multi_statement_blocks_and_reindents_continuations() {
    let src = "config c {\n      env prod { a = 1; b = 2 }\n      l = [\n        1,\n      ]\n  s = \"\"\"\n    keep\n  \"\"\"\n}\n";
    let want = "config c {\n  env prod {\n    a = 1\n    b = 2\n  }\n  l = [\n    1,\n  ]\n  s = \"\"\"\n    keep\n  \"\"\"\n}\n";
    assert_eq!(fmt(src), want);
    assert_eq!(fmt(want), want);
}

#[test]
fn keeps_strings_exactly_and_objects_as_bodies() {
    let src = "config c {\n  a = \"x\\u{41}\\n ${ 1 +2 }\"\n  o = {p=1,q=2}\n  i = {p=1}\n  m {\n  }\n}\n";
    let want = "config c {\n  a = \"x\\u{41}\\n ${ 1 +2 }\"\n  o = {\n    p = 1\n    q = 2\n  }\n  i = { p = 1 }\n  m {}\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn falls_back_to_verbatim_for_comments_inside_headers() {
    let src = "config c {\n  a /* odd */ = 1\n    b = 2\n}\n";
    let want = "config c {\n  a /* odd */ = 1\n  b = 2\n}\n";
    assert_eq!(fmt(src), want);
    let src = "config /* name */ c {}\n";
    assert_eq!(fmt(src), src);
}

#[test]
fn inline_object_types_are_bodies() {
    let src = "schema S {\n  h: { lr: float(> 0) = 0.1; epochs: int = 1 }?\n  k: {a: int}\n}\n";
    let want = "schema S {\n  h: {\n    lr: float(> 0) = 0.1\n    epochs: int = 1\n  }?\n  k: { a: int }\n}\n";
    assert_eq!(fmt(src), want);
    assert_eq!(fmt(want), want);
}

#[test]
fn refuses_files_that_do_not_parse() {
    match format_source(FileId(0), "config {") {
        Err(FmtError::Syntax(d)) => assert_eq!(d.code, crate::diagnostics::Code::Syntax),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n// only\n\n"), "// only\n");
}

#[test]
fn trailing_comments_keep_their_code_on_the_line() {
    // Test markers annotate the line they are on: a one-line body followed by
    // a comment, and statements sharing a commented line, stay on that line.
    let src = "config bad: S {n=-1;m=2}   //! mcfg::constraint\nconfig c {\n  t { a = 70; b = { c = 1; d = 2 } }   //! mcfg::check-failed\n  x = 1;y = 2 // both\n  p = 1; q = 2\n}\n";
    let want = "config bad: S { n = -1; m = 2 } //! mcfg::constraint\n\nconfig c {\n  t { a = 70; b = { c = 1; d = 2 } } //! mcfg::check-failed\n  x = 1; y = 2 // both\n  p = 1\n  q = 2\n}\n";
    assert_eq!(fmt(src), want);
    assert_eq!(fmt(want), want);
}

#[test]
fn keeps_bom_crlf_docs_and_tabs_meaningful() {
    let src = "\u{feff}/// Doc of S.\r\nschema S {\r\n\t/// Doc of a.\r\n\ta: int = 1\r\n}\r\n";
    let out = fmt(src);
    assert!(out.starts_with('\u{feff}'));
    assert_eq!(
        out,
        "\u{feff}/// Doc of S.\nschema S {\n  /// Doc of a.\n  a: int = 1\n}\n"
    );
    assert_eq!(fmt(&out), out);
}

#[test]
fn multi_line_strings_are_never_reindented() {
    let src = "config c {\n    env dev {\n        s = \"\"\"\n  a\n    b\n  \"\"\"\n    }\n}\n";
    let want = "config c {\n  env dev {\n    s = \"\"\"\n  a\n    b\n  \"\"\"\n  }\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn lays_out_unset_replace_and_map_appends() {
    let src = "config c {\n  env prod {  unset   canary.percent ; traffic:={current=90,two_tower=10}\n flags+={ banner { on = true } } }\n}\n";
    let want = "config c {\n  env prod {\n    unset canary.percent\n    traffic := {\n      current = 90\n      two_tower = 10\n    }\n    flags += { banner { on = true } }\n  }\n}\n";
    assert_eq!(fmt(src), want);
    assert_eq!(fmt(want), want);
}

#[test]
fn lays_out_declarations_without_values() {
    let src = "config c {\n  optim.lr :float(> 0)\n  env dev { optim.lr = 1 }\n  data { root:   string?  }\n}\n";
    let want = "config c {\n  optim.lr: float(> 0)\n  env dev { optim.lr = 1 }\n  data { root: string? }\n}\n";
    assert_eq!(fmt(src), want);
    assert_eq!(fmt(want), want);
}
