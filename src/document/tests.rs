//! Unit tests of the document reader: both syntaxes, spans, the rules and
//! the limits.

use super::*;
use crate::source::SourceFile;

fn opts(schema: Schema) -> Options {
    Options {
        schema,
        dotted_paths: false,
    }
}

fn ok(text: &str) -> Node {
    read(text, FileId(0), opts(Schema::Yaml11)).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

fn err(text: &str) -> DocError {
    read(text, FileId(0), opts(Schema::Yaml11)).expect_err(text)
}

/// Where an error starts, as (line, column), to check spans in tests.
fn at(text: &str, span: Span) -> (usize, usize) {
    SourceFile::new("t", text).line_col(span.start)
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

fn map(node: &Node) -> &[(Key, Node)] {
    match &node.value {
        Value::Map(m) => m,
        other => panic!("not a mapping: {other:?}"),
    }
}

fn get<'n>(node: &'n Node, key: &str) -> &'n Node {
    &map(node)
        .iter()
        .find(|(k, _)| k.name == key)
        .unwrap_or_else(|| panic!("no key {key}"))
        .1
}

#[test]
fn json_and_yaml_read_to_the_same_value() {
    let json = ok(r#"{"a": {"b": 1, "c": [0.2, "x"]}, "d": null}"#).to_json();
    let yaml = ok("a:\n  b: 1\n  c: [0.2, x]\nd: ~\n").to_json();
    assert_eq!(json, yaml);
    assert_eq!(json["a"]["c"][0], serde_json::json!(0.2));
}

#[test]
fn spans_point_at_keys_and_values_in_both_syntaxes() {
    let text = "serving:\n  timeout: 0.1\n  name: 'x' # c\n";
    let node = ok(text);
    let (k, v) = &map(get(&node, "serving"))[0];
    assert_eq!(
        (slice(text, k.span), slice(text, v.span)),
        ("timeout", "0.1")
    );
    let (_, v) = &map(get(&node, "serving"))[1];
    assert_eq!((slice(text, v.span), v.style), ("'x'", Style::Quoted));
    let text = "{\"é\": {\"k\": [1, \"two\"]}}";
    let node = ok(text);
    let (k, v) = &map(&node)[0];
    assert_eq!(slice(text, k.span), "\"é\"");
    assert_eq!(slice(text, v.span), "{\"k\": [1, \"two\"]}");
    let list = get(v, "k");
    let Value::List(items) = &list.value else {
        panic!("list")
    };
    assert_eq!(slice(text, items[1].span), "\"two\"");
    // Non-ASCII YAML: byte offsets, not the parser's character indices.
    let text = "é: ü\nnext: [1, 2]\n";
    let node = ok(text);
    assert_eq!(slice(text, get(&node, "next").span), "[1, 2]");
}

#[test]
fn duplicate_keys_are_located_with_the_first_labelled() {
    for text in ["{\"a\": 1,\n \"a\": 2}", "x: 1\nb:\n  a: 1\n  a: 2\n"] {
        let e = err(text);
        assert_eq!(e.code, Code::Duplicate);
        assert_eq!(e.message, "duplicate key `a`");
        let (first, _) = e.label.clone().expect("first key labelled");
        assert!(at(text, first) < at(text, e.span), "{text}");
    }
    assert_eq!(
        at(
            "x: 1\nb:\n  a: 1\n  a: 2\n",
            err("x: 1\nb:\n  a: 1\n  a: 2\n").span
        ),
        (4, 3)
    );
}

#[test]
fn dotted_paths_written_twice_are_duplicates() {
    let dotted = Options {
        schema: Schema::Core,
        dotted_paths: true,
    };
    let text = r#"{"serving": {"timeout": 45}, "serving.timeout": 0.1}"#;
    let e = read(text, FileId(0), dotted).expect_err("twice");
    assert_eq!(e.message, "`serving.timeout` is written twice");
    assert_eq!(slice(text, e.span), "\"serving.timeout\"");
    assert_eq!(slice(text, e.label.expect("first").0), "\"timeout\"");
    assert!(read(text, FileId(0), opts(Schema::Core)).is_ok());
    let fine = r#"{"serving": {"timeout": 5}, "serving.port": 3}"#;
    assert!(read(fine, FileId(0), dotted).is_ok());
}

#[test]
fn integers_beyond_64_bits_are_refused_at_the_number() {
    for (text, int) in [
        ("{\"a\": 18446744073709551616}", "18446744073709551616"),
        (
            "{\"a\":\n [1, 99999999999999999999999]}",
            "99999999999999999999999",
        ),
        ("{\"a\": -9223372036854775809}", "-9223372036854775809"),
        ("a: 18446744073709551616\n", "18446744073709551616"),
    ] {
        let e = err(text);
        assert_eq!(
            e.message,
            format!("the integer `{int}` does not fit in 64 bits")
        );
        assert_eq!(
            slice(
                text,
                Span {
                    end: e.span.start + int.len() as u32,
                    ..e.span
                }
            ),
            int
        );
    }
    let node = ok("{\"a\": -9223372036854775808, \"b\": 1e23, \"c\": \"99999999999999999999\"}");
    assert_eq!(get(&node, "a").value, Value::Int(i64::MIN));
    assert_eq!(get(&node, "b").value, Value::Float(1e23));
    assert!(err("{\"a\": 1e400}").message.contains("out of range"));
}

#[test]
fn json_rules_are_json_not_yaml_11() {
    // Under YAML 1.1 `1e5` without a dot is a float too, but `"yes"` stays a
    // string and JSON escapes are decoded.
    let node = ok(r#"{"a": "yes", "b": 1e5, "c": "\u00e9\ud83d\ude00\n", "d": -0}"#);
    assert_eq!(get(&node, "a").value, Value::Str("yes".into()));
    assert_eq!(get(&node, "b").value, Value::Float(1e5));
    assert_eq!(get(&node, "c").value, Value::Str("é😀\n".into()));
    assert_eq!(get(&node, "d").value, Value::Int(0));
    // Not JSON (a trailing comma, a comment): read as YAML.
    let node = ok("{\n  # the size\n  \"n\": 1,\n  \"f\": True,\n}\n");
    assert_eq!(get(&node, "f").value, Value::Bool(true));
}

#[test]
fn plain_scalars_follow_the_chosen_schema() {
    let text = "on: yes\nport: 017\nquoted: 'yes'\nx: 0x10\n";
    let y11 = ok(text);
    assert_eq!(get(&y11, "true").value, Value::Bool(true));
    assert_eq!(get(&y11, "port").value, Value::Int(15));
    assert_eq!(get(&y11, "quoted").value, Value::Str("yes".into()));
    let core = read(text, FileId(0), opts(Schema::Core)).expect("core");
    assert_eq!(get(&core, "on").value, Value::Str("yes".into()));
    assert_eq!(get(&core, "port").value, Value::Int(17));
    assert_eq!(get(&core, "x").value, Value::Int(16));
}

#[test]
fn anchors_aliases_and_merge_keys_are_resolved() {
    let node = ok("base: &b\n  x: 1\n  z: 2\nother:\n  <<: *b\n  z: 3\nlist: &l [1]\nagain: *l\n");
    let other = get(&node, "other");
    let keys: Vec<&str> = map(other).iter().map(|(k, _)| k.name.as_str()).collect();
    assert_eq!(keys, ["x", "z"]);
    assert_eq!(get(other, "z").value, Value::Int(3));
    assert_eq!(get(&node, "again").to_json(), serde_json::json!([1]));
    let node = ok("a: &a {p: 1}\nb: &b {p: 2, q: 2}\nc:\n  <<: [*a, *b]\n");
    assert_eq!(
        get(&node, "c").to_json(),
        serde_json::json!({"p": 1, "q": 2})
    );
    assert!(err("a: 1\n<<: 3\n").message.contains("merge key"));
}

#[test]
fn unsupported_things_are_errors_at_their_place() {
    let text = "a:\n  b: .inf\n";
    assert_eq!(at(text, err(text).span), (2, 6));
    assert!(err("? [a]\n: 1\n").message.contains("scalar keys"));
    assert!(err("a: !custom 1\n").message.contains("tag"));
    assert!(err("a: *nope\n").message.contains("unknown anchor"));
    assert!(err("a: [1, 2\n").message.starts_with("YAML syntax error"));
    let text = "a: 1\n---\nb: 2\n";
    let e = err(text);
    assert!(e.message.contains("second YAML document"), "{}", e.message);
    assert_eq!(at(text, e.span).0, 2);
}

#[test]
fn empty_documents_are_null() {
    for text in ["", "  \n", "# only a comment\n", "~\n"] {
        assert_eq!(ok(text).value, Value::Null, "{text:?}");
    }
}

#[test]
fn deep_nesting_is_a_limit_in_both_syntaxes() {
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let flow = format!("a: {deep}");
    let mut block = String::new();
    for depth in 0..250 {
        block.push_str(&format!("{}k:\n", " ".repeat(depth)));
    }
    for text in [deep.as_str(), &flow, &block] {
        let e = err(text);
        assert_eq!(e.code, Code::Limit, "{}", e.message);
        assert_eq!(e.message, "the document is nested deeper than 200 levels");
    }
    // 200 levels are read, in a debug build on a test thread's 2 MiB stack.
    let ok_depth = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(read(&ok_depth, FileId(0), Options::default()).is_ok());
    let flow = format!("a: {}{}", "[".repeat(199), "]".repeat(199));
    assert!(read(&flow, FileId(0), Options::default()).is_ok());
    let block: String = (0..200).map(|d| format!("{}k:\n", " ".repeat(d))).collect();
    assert!(read(&block, FileId(0), Options::default()).is_ok());
}

#[test]
fn values_and_alias_copies_count_against_one_budget() {
    // A JSON list of more values than the budget.
    let big = format!("[{}0]", "0,".repeat(MAX_NODES));
    let e = err(&big);
    assert_eq!(e.code, Code::Limit);
    assert!(
        e.message.contains("more than 1000000 values"),
        "{}",
        e.message
    );
    // Aliases: 10^7 values from a few lines, refused at the alias that
    // crosses the budget, before the copy is made.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..8 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 10].join(", ")
        ));
    }
    let e = err(&bomb);
    assert_eq!(e.code, Code::Limit);
    assert!(e
        .message
        .contains("aliases expand to more than 1000000 values"));
    assert_eq!(at(&bomb, e.span).0, 6);
}
