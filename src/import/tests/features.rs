//! The output format feature by feature, with exact expected text.

use super::{check_layered, import, input, options, reader, run, OverlayStyle, Yaml11};

fn one(text: &str) -> String {
    run(&[input("v.yaml", text)], OverlayStyle::Children).unwrap()
}

fn pair(name: &str, text: &str) -> (String, String) {
    (name.to_owned(), text.to_owned())
}

#[test]
fn a_simple_file() {
    let out = one("# The service.\nname: ranker\nserving:\n  replicas: 3 # per zone\n  ratio: 0.5\nempty: {}\ntags: [a, b]\n");
    assert_eq!(
        out,
        r#"// Imported by mcfg import from v.yaml.

config app {
  // The service.
  name = "ranker"
  serving {
    replicas = 3 // per zone
    ratio = 0.5
  }
  empty = {}
  tags = ["a", "b"]
}
"#
    );
}

#[test]
fn keys_are_quoted_when_needed() {
    let out = one("env: 1\ncheck: 2\ntype: 3\n\"app.kubernetes.io/name\": x\n\"1st\": z\n");
    assert!(
        out.contains("  \"env\" = 1\n  \"check\" = 2\n  type = 3\n"),
        "{out}"
    );
    assert!(
        out.contains("  \"app.kubernetes.io/name\" = \"x\"\n  \"1st\" = \"z\"\n"),
        "{out}"
    );
    check_layered(&[pair("v.yaml", "env: {check: 1}\nb: {env: 2}\n")]);
}

#[test]
fn strings_are_escaped() {
    let out = one("a: \"q\\\" b\\\\ t\\t r\\r\"\nb: ${HOME} $x\nc: \"\\u0001\"\n");
    assert!(out.contains(r#"  a = "q\" b\\ t\t r\r""#), "{out}");
    assert!(out.contains(r#"  b = "\${HOME} \$x""#), "{out}");
    assert!(out.contains(r#"  c = "\u{1}""#), "{out}");
    check_layered(&[pair(
        "v.yaml",
        "a: \"q\\\" b\\\\ t\\t r\\r\\n\"\nb: ${HOME} $x\nc: \"\\u0001\"\n",
    )]);
}

#[test]
fn multi_line_strings_are_blocks() {
    let text = "s:\n  t: |\n    line ${one}\n      two\n\n    three\n  u: \"trailing \\nspace\"\n  v: \"no final\\nnewline\"\n";
    let out = one(text);
    assert!(
        out.contains(
            "    t = \"\"\"\n      line \\${one}\n        two\n\n      three\n\n      \"\"\"\n"
        ),
        "{out}"
    );
    assert!(out.contains("    u = \"trailing \\nspace\"\n"), "{out}");
    assert!(
        out.contains("    v = \"\"\"\n      no final\n      newline\n      \"\"\"\n"),
        "{out}"
    );
    check_layered(&[pair("v.yaml", text)]);
    check_layered(&[pair(
        "v.yaml",
        "l:\n  - |\n    a\n    b\n  - {k: \"x\\ny\\n\"}\n",
    )]);
}

#[test]
fn numbers_and_specials() {
    let out = one("i: 42\nf: 1.0\ne: 1e-05\nm: -3\nz: ~\nb: yes\n");
    assert!(
        out.contains("  i = 42\n  f = 1.0\n  e = 1e-5\n  m = -3\n  z = null\n  b = true\n"),
        "{out}"
    );
    let err = run(
        &[input("v.yaml", "a:\n  b: .nan\n")],
        OverlayStyle::Children,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "v.yaml:2:6: `.nan` (infinity or NaN) cannot be expressed in mcfg"
    );
}

#[test]
fn duplicate_keys_report_file_line_and_column() {
    let err = run(
        &[input("a.yaml", "x: 1\ny:\n  k: 1\n  k: 2\n")],
        OverlayStyle::Children,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "a.yaml:4:3: duplicate key `k`");
    let err = run(
        &[input("a.json", "{\"k\": 1, \"k\": 2}")],
        OverlayStyle::Children,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "a.json:1:10: duplicate key `k`");
}

#[test]
fn yaml11_option() {
    let text = "a: yes\nb: off\nc: 017\nd: 1_000\ne: 1:20\nf: y\n";
    let yes = one(text);
    assert!(
        yes.contains("  a = true\n  b = false\n  c = 15\n  d = 1000\n  e = 80\n  f = true\n"),
        "{yes}"
    );
    let mut opts = options(OverlayStyle::Children);
    opts.yaml11_strings = Yaml11::No;
    let no = import(&[input("v.yaml", text)], &opts).unwrap();
    assert!(
        no.contains("  a = \"yes\"\n  b = \"off\"\n  c = 17\n  d = \"1_000\"\n  e = \"1:20\"\n  f = \"y\"\n"),
        "{no}"
    );
}

#[test]
fn lists_of_mappings_are_object_literals() {
    let out = one("l:\n  - {name: a, port: 1}\n  - name: b\n    # the port\n    port: 2\n");
    assert!(out.contains("  l = [\n    { name = \"a\", port = 1 },\n    {\n      name = \"b\"\n      // the port\n      port = 2\n    }\n  ]\n"), "{out}");
    let long: String = (0..30).map(|i| format!("  - item{i}\n")).collect();
    let out = one(&format!("l:\n{long}"));
    assert!(
        out.contains("  l = [\n    \"item0\",\n    \"item1\",\n"),
        "{out}"
    );
    check_layered(&[pair(
        "v.yaml",
        &format!("l:\n{long}m: [[1, {{a: {{b: []}}}}], {{}}]\n"),
    )]);
}

#[test]
fn overlays_as_children_hold_only_differences() {
    let base = pair(
        "values.yaml",
        "a: 1\nsvc:\n  port: 80\n  tags: [x, y]\n  deep: {k: 1, j: 2}\nm: {p: 1}\n",
    );
    let dev = pair(
        "dev.yaml",
        "a: 1\nsvc:\n  port: 81\n  tags: [x]\n  deep: {k: 1}\nm: null\n",
    );
    let same = pair("prod.yaml", "a: 1\n");
    let inputs = [
        input(&base.0, &base.1),
        input(&dev.0, &dev.1),
        input(&same.0, &same.1),
    ];
    let out = run(&inputs, OverlayStyle::Children).unwrap();
    let want = "config app_dev extends app {\n  svc {\n    port = 81\n    tags = [\"x\"]\n  }\n  unset m\n}\n\nconfig app_prod extends app_dev {}\n";
    assert!(out.ends_with(want), "{out}");
    assert!(out.starts_with("// Imported by mcfg import from values.yaml, dev.yaml, prod.yaml.\n"));
    check_layered(&[base, dev, same]);
}

#[test]
fn overlays_as_env_blocks() {
    let base = pair("values.yaml", "replicas: 1\nregion: us\nenv: {x: 1}\n");
    let staging = pair("conf/staging.yaml", "replicas: 2\nenv: {x: 2}\n");
    let prod = pair("prod-eu.yml", "replicas: 8\n");
    let inputs = [
        input(&base.0, &base.1),
        input(&staging.0, &staging.1),
        input(&prod.0, &prod.1),
    ];
    let out = run(&inputs, OverlayStyle::EnvBlocks).unwrap();
    let want = "environments {\n  staging\n  prod_eu extends staging\n}\n\nconfig app {\n  replicas = 1\n  region = \"us\"\n  \"env\" {\n    x = 1\n  }\n\n  env staging {\n    replicas = 2\n    \"env\" {\n      x = 2\n    }\n  }\n\n  env prod_eu {\n    replicas = 8\n  }\n}\n";
    assert!(out.ends_with(want), "{out}");
    let program = reader::parse(&out);
    assert_eq!(
        program.env_names(),
        [("staging", None), ("prod_eu", Some("staging"))]
    );
    check_layered(&[base, staging, prod]);
}

#[test]
fn blank_lines_and_comment_blocks_are_kept() {
    let out = one("# Section\n\n# doc 1\n# doc 2\na: 1\n\nb: 2\nc: # about c\n  d: 1\n");
    assert!(
        out.contains(
            "  // doc 1\n  // doc 2\n  a = 1\n\n  b = 2\n  // about c\n  c {\n    d = 1\n  }\n"
        ),
        "{out}"
    );
}

#[test]
fn output_is_deterministic() {
    let text = "z: 1\na: {y: [1, 2], b: {c: x}}\n";
    let first = one(text);
    for _ in 0..5 {
        assert_eq!(one(text), first);
    }
}

#[test]
fn config_name_is_made_an_identifier() {
    let mut opts = options(OverlayStyle::Children);
    opts.config_name = "my-app".to_owned();
    let out = import(&[input("v.yaml", "a: 1\n")], &opts).unwrap();
    assert!(out.contains("config my_app {\n"), "{out}");
    assert!(import(&[], &opts).is_err());
}
