//! Unit tests of reading one input into the importer's tree.

use super::*;
use crate::source::SourceFile;

fn read(text: &str) -> Map {
    read_yaml(text, Yaml11::Yes).unwrap()
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
fn empty_and_null_documents_are_empty_mappings() {
    assert!(read("").is_empty());
    assert!(read("# only a comment\n").is_empty());
    assert!(read("~\n").is_empty());
    let e = read_yaml("- 1\n", Yaml11::Yes).unwrap_err();
    assert_eq!(
        e.message,
        "the top-level value must be a mapping, not a list"
    );
    let e = read_yaml("[1]", Yaml11::Yes).unwrap_err();
    assert_eq!((e.span.start, e.span.end), (0, 3));
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
fn a_closing_bracket_at_its_key_indentation_is_read_as_pyyaml_does() {
    let text = "a: [1,\n  2\n]\nb: {x: 1,\n}\nc: .nan\n";
    let mut sources = SourceMap::new();
    let file = sources.add(SourceFile::new("t.yaml", text));
    // Two lines are indented to read the file; the error after them is
    // located in the file as it is.
    let e = super::read(&sources, file, Yaml11::Yes)
        .err()
        .expect(".nan");
    assert_eq!(&text[e.span.start as usize..], ".nan\n");
    let fine = "a: [1,\n  2\n]\nb: 2\n";
    let map = read_yaml(fine, Yaml11::Yes).unwrap();
    assert_eq!(get(&map, "b"), &Value::Int(2));
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

#[test]
fn a_comment_after_a_quoted_value_is_kept() {
    let map = read("a: \"x\\\"y\"  # keep\nb: 'it''s' # too\nc: \"two\n  lines\" # no\n");
    assert_eq!(map.entries["a"].notes.trailing.as_deref(), Some(" keep"));
    assert_eq!(map.entries["b"].notes.trailing.as_deref(), Some(" too"));
    assert_eq!(map.entries["c"].notes.trailing, None);
}
