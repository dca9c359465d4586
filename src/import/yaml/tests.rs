//! Unit tests of the YAML reader.

use super::*;

fn read(text: &str) -> Map {
    read_yaml(text, Yaml11::Yes).unwrap()
}

fn err(text: &str) -> ReadError {
    read_yaml(text, Yaml11::Yes).unwrap_err()
}

fn get<'m>(map: &'m Map, key: &str) -> &'m Value {
    &map.entries[key].value
}

#[test]
fn keeps_key_order_and_nesting() {
    let map = read("z: 1\na:\n  c: [1, two]\n  b: {x: null}\n");
    let keys: Vec<&String> = map.entries.keys().collect();
    assert_eq!(keys, ["z", "a"]);
    let Value::Map(a) = get(&map, "a") else {
        panic!("a is a mapping")
    };
    assert_eq!(
        get(a, "c"),
        &Value::List(vec![Value::Int(1), Value::Str("two".to_owned())])
    );
}

#[test]
fn duplicate_keys_are_errors_with_line_and_column() {
    let e = err("a: 1\nb:\n  c: 1\n  c: 2\n");
    assert_eq!((e.line, e.column), (4, 3));
    assert_eq!(e.message, "duplicate key `c`");
}

#[test]
fn several_documents_are_an_error() {
    let e = err("a: 1\n---\nb: 2\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("second YAML document"), "{}", e.message);
}

#[test]
fn empty_and_null_documents_are_empty_mappings() {
    assert!(read("").is_empty());
    assert!(read("# only a comment\n").is_empty());
    assert!(read("~\n").is_empty());
    assert!(read_yaml("- 1\n", Yaml11::Yes).is_err());
}

#[test]
fn anchors_aliases_and_merge_keys_are_resolved() {
    let map = read("base: &b\n  x: 1\n  z: 2\nother:\n  <<: *b\n  z: 3\nlist: &l [1]\nagain: *l\n");
    let Value::Map(other) = get(&map, "other") else {
        panic!("mapping")
    };
    let keys: Vec<&String> = other.entries.keys().collect();
    assert_eq!(keys, ["x", "z"]);
    assert_eq!(get(other, "z"), &Value::Int(3));
    assert_eq!(get(&map, "again"), &Value::List(vec![Value::Int(1)]));
    let map = read("a: &a {p: 1}\nb: &b {p: 2, q: 2}\nc:\n  <<: [*a, *b]\n");
    let Value::Map(c) = get(&map, "c") else {
        panic!("mapping")
    };
    assert_eq!(get(c, "p"), &Value::Int(1));
    assert_eq!(get(c, "q"), &Value::Int(2));
}

#[test]
fn yaml11_and_yaml12_keys_and_values() {
    let text = "on: yes\nport: 017\nquoted: 'yes'\n";
    let m11 = read_yaml(text, Yaml11::Yes).unwrap();
    assert_eq!(get(&m11, "true"), &Value::Bool(true));
    assert_eq!(get(&m11, "port"), &Value::Int(15));
    assert_eq!(get(&m11, "quoted"), &Value::Str("yes".to_owned()));
    let m12 = read_yaml(text, Yaml11::No).unwrap();
    assert_eq!(get(&m12, "on"), &Value::Str("yes".to_owned()));
    assert_eq!(get(&m12, "port"), &Value::Int(17));
}

#[test]
fn unsupported_things_are_errors_with_positions() {
    let e = err("a:\n  b: .inf\n");
    assert_eq!((e.line, e.column), (2, 6));
    assert!(err("? [a]\n: 1\n").message.contains("scalar keys"));
    assert!(err("a: !custom 1\n").message.contains("tag"));
    assert!(err("a: *nope\n").line > 0);
    let e = err("a: [1, 2\n");
    assert!(e.message.starts_with("YAML syntax error"), "{}", e.message);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("a: {}{}", "[".repeat(300), "]".repeat(300));
    let e = err(&text);
    assert!(e.message.contains("recursion limit") || e.message.contains("nested too deeply"));
    let mut block = String::new();
    for depth in 0..250 {
        block.push_str(&format!("{}k:\n", " ".repeat(depth)));
    }
    assert!(err(&block).message.contains("nested too deeply"));
}

#[test]
fn comments_attach_to_keys() {
    let map = read("# top\na: 1 # trailing\n\n# about b\nb:\n  # about c\n  c: |\n    # not a comment\n    text\n  # about d\n  d: 2\n");
    assert_eq!(map.entries["a"].notes.before, [" top"]);
    assert_eq!(
        map.entries["a"].notes.trailing.as_deref(),
        Some(" trailing")
    );
    assert_eq!(map.entries["b"].notes.before, [" about b"]);
    assert!(map.entries["b"].notes.blank_before);
    let Value::Map(b) = get(&map, "b") else {
        panic!("mapping")
    };
    assert_eq!(b.entries["c"].notes.before, [" about c"]);
    assert_eq!(
        get(b, "c"),
        &Value::Str("# not a comment\ntext\n".to_owned())
    );
    assert_eq!(b.entries["d"].notes.before, [" about d"]);
}

#[test]
fn json_like_yaml_with_comments_and_trailing_commas() {
    let map = read("{\n   # the size\n   \"n\": 1,\n   \"f\": True,\n   \"e\": 1.0e-8,\n}\n");
    assert_eq!(map.entries["n"].notes.before, [" the size"]);
    assert_eq!(get(&map, "f"), &Value::Bool(true));
    assert_eq!(get(&map, "e"), &Value::Float(1e-8));
}
